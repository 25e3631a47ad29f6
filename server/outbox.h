/*
 * outbox.h: everything the server sends to the client.
 *
 * Replies, errors, notifications, requests (with the table that routes
 * their answers back), window/showMessage and $/progress, each framed and
 * handed to a sink in the order sent. The sink is the transport in the
 * server and a fake one in tests (tests/server); the outbox knows nothing
 * else about where messages go.
 *
 * Ownership: every function takes a borrowed id and steals the JSON it is
 * given, whether it succeeds or not. A reply that cannot be built (a NULL
 * result, no memory) is answered -32603 "out of memory" instead, written
 * without allocating: every request gets an answer.
 */
#ifndef HEATLS_SRV_OUTBOX_H
#define HEATLS_SRV_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "log.h"
#include "lsp_protocol.h"

/* Where framed messages go. */
typedef struct srv_sink {
  /* Takes frame (malloc'd; owned by the sink from the call on, even when
   * it fails) of len bytes. 0 or a negative SRV_E* code. */
  int (*write)(void *ctx, char *frame, size_t len);
  /* Writes len bytes of caller memory that is only valid during the call,
   * without allocating (answers when memory is exhausted). */
  int (*write_copy)(void *ctx, const char *frame, size_t len);
  void *ctx;
} srv_sink_t;

typedef struct srv_outbox srv_outbox_t;

/* Called with the client's answer to a request the outbox sent; resp is
 * borrowed for the call. `data` is what srv_outbox_request was given. */
typedef void (*srv_response_fn)(void *ctx, const rpc_message_t *resp,
                                void *data);

#define SRV_MAX_OUTGOING 256

/* *out is a new outbox writing to sink (copied). 0 or SRV_ENOMEM. */
int srv_outbox_new(const srv_sink_t *sink, srv_outbox_t **out);
void srv_outbox_free(srv_outbox_t *out); /* NULL is fine */

/* Answers request id with result (json_null() for null). */
void srv_outbox_reply(srv_outbox_t *out, const json_t *id, json_t *result);
void srv_outbox_error(srv_outbox_t *out, const json_t *id, int code,
                      const char *fmt, ...) SRV_PRINTF(4, 5);
void srv_outbox_notify(srv_outbox_t *out, const char *method, json_t *params);
/* Sends a request; on_response (may be NULL: the answer is only logged)
 * gets the answer with ctx and data. When SRV_MAX_OUTGOING requests wait
 * for answers, the oldest is forgotten. */
void srv_outbox_request(srv_outbox_t *out, const char *method, json_t *params,
                        srv_response_fn on_response, void *ctx, void *data);
/* Routes a response to the request it answers; 1 when one matched. */
int srv_outbox_route_response(srv_outbox_t *out, const rpc_message_t *resp);

/* window/showMessage (type 1 error, 2 warning, 3 info) and a log line. */
void srv_outbox_show(srv_outbox_t *out, int type, const char *fmt, ...)
    SRV_PRINTF(3, 4);

/* $/progress with token (borrowed; nothing is sent when NULL) and value
 * (stolen). */
void srv_outbox_progress(srv_outbox_t *out, const json_t *token,
                         json_t *value);

/* Sends an already framed message (frame stolen); when frame is NULL,
 * answers id with -32603 "out of memory" instead. */
void srv_outbox_send_frame(srv_outbox_t *out, const json_t *id, char *frame,
                           size_t len);

#endif
