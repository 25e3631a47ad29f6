/*
 * rpc_cancel.h: bookkeeping for $/cancelRequest.
 *
 * The set holds the ids of requests received and not yet answered. When a
 * $/cancelRequest arrives, rpc_cancel_mark() flags the id if it is still
 * pending (cancelling anything else is a no-op, as the LSP allows); before
 * answering, the caller checks rpc_cancel_is_cancelled() and answers
 * -32800 (RPC_CODE_REQUEST_CANCELLED) instead, then removes the id.
 *
 * Ids are JSON integers or strings; 1 and "1" are different ids. The set
 * is bounded (the client decides how many requests it leaves pending);
 * lookups are linear, which is fine for the few requests in flight.
 */
#ifndef HEATLS_RPC_CANCEL_H
#define HEATLS_RPC_CANCEL_H

#include <stddef.h>

#include <jansson.h>

#include "rpc_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RPC_CANCEL_DEFAULT_MAX 4096 /* pending requests */

typedef struct rpc_cancel rpc_cancel_t;

/* *out is a new empty set holding at most max_pending ids (0 means
 * RPC_CANCEL_DEFAULT_MAX), owned by the caller (rpc_cancel_free). */
int rpc_cancel_new(size_t max_pending, rpc_cancel_t **out, rpc_error_t *err);

void rpc_cancel_free(rpc_cancel_t *set); /* NULL is fine */

/* Adds a pending request id (borrowed; its value is copied). RPC_EINVAL if
 * id is not an integer or a string, RPC_EEXIST if it is already pending,
 * RPC_ETOOBIG when the set is full. */
int rpc_cancel_add(rpc_cancel_t *set, const json_t *id, rpc_error_t *err);

/* Flags id as cancelled. 1 if it was pending, 0 if not (ignored). */
int rpc_cancel_mark(rpc_cancel_t *set, const json_t *id);

/* 1 if id is pending and flagged cancelled, else 0. */
int rpc_cancel_is_cancelled(const rpc_cancel_t *set, const json_t *id);

/* 1 if id is pending (cancelled or not), else 0. */
int rpc_cancel_is_pending(const rpc_cancel_t *set, const json_t *id);

/* Forgets id once its answer is sent. 1 if it was pending, else 0. */
int rpc_cancel_remove(rpc_cancel_t *set, const json_t *id);

size_t rpc_cancel_count(const rpc_cancel_t *set);

/* The id inside $/cancelRequest params ({"id": integer | string}): *id is
 * borrowed from params. RPC_ESHAPE (answer nothing: it is a notification)
 * when params is not such an object. */
int rpc_cancel_params_id(const json_t *params, json_t **id, rpc_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
