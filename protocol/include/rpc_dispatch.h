/*
 * rpc_dispatch.h: a table from method name to handler, and the routing
 * rules of the LSP around it.
 *
 * The table only routes: the caller owns the lifecycle state and passes it
 * in (rpc_lifecycle_t), and passes its own context to handlers (void *ctx).
 * Lookup is a binary search over names kept sorted: O(log n).
 *
 * Routing, in this order:
 *   1. RPC_INVALID  -> answer with msg->error_code (the id, or null);
 *   2. RPC_RESPONSE -> RPC_ROUTE_RESPONSE (the caller matches it to the
 *      request it sent);
 *   3. before initialize (RPC_LIFE_STARTING), a method without
 *      RPC_METHOD_BEFORE_INIT: a request gets -32002 (server not
 *      initialized), a notification is dropped;
 *   4. after shutdown (RPC_LIFE_SHUTDOWN), a method without
 *      RPC_METHOD_AFTER_SHUTDOWN: a request gets -32600 (invalid request),
 *      a notification is dropped;
 *   5. a request with no handler registered as a request gets -32601
 *      ("$/" requests included, as the LSP asks); a notification with no
 *      handler registered as a notification is dropped silently ("$/"
 *      notifications such as $/setTrace included);
 *   6. otherwise RPC_ROUTE_CALL with the handler.
 */
#ifndef HEATLS_RPC_DISPATCH_H
#define HEATLS_RPC_DISPATCH_H

#include <stddef.h>

#include "rpc_error.h"
#include "rpc_message.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most methods a table holds (registration is code, not input, but the
 * table is still bounded). */
#define RPC_DISPATCH_MAX_METHODS 1024 /* a power of two */

/* Flags of a registered method. */
enum {
  RPC_METHOD_REQUEST = 1u << 0,       /* handles requests */
  RPC_METHOD_NOTIFICATION = 1u << 1,  /* handles notifications */
  RPC_METHOD_BEFORE_INIT = 1u << 2,   /* allowed before initialize */
  RPC_METHOD_AFTER_SHUTDOWN = 1u << 3 /* allowed after shutdown */
};

/* The server's lifecycle, as the caller tracks it. */
typedef enum rpc_lifecycle {
  RPC_LIFE_STARTING = 0, /* no initialize request handled yet */
  RPC_LIFE_RUNNING,      /* initialize answered */
  RPC_LIFE_SHUTDOWN      /* shutdown answered; waiting for exit */
} rpc_lifecycle_t;

/* A handler gets the caller's context and the message (borrowed for the
 * call). What it returns is passed back by rpc_dispatch_call(). */
typedef int (*rpc_handler_fn)(void *ctx, const rpc_message_t *msg);

typedef struct rpc_method {
  const char *name; /* owned by the table */
  rpc_handler_fn handler;
  unsigned flags;
} rpc_method_t;

typedef enum rpc_route_action {
  RPC_ROUTE_CALL = 0, /* call route.method->handler */
  RPC_ROUTE_IGNORE,   /* drop silently */
  RPC_ROUTE_ERROR,    /* answer with route.code / route.message */
  RPC_ROUTE_RESPONSE  /* a response to one of the caller's requests */
} rpc_route_action_t;

typedef struct rpc_route {
  rpc_route_action_t action;
  const rpc_method_t *method; /* RPC_ROUTE_CALL: borrowed from the table */
  int code;                   /* RPC_ROUTE_ERROR: a JSON-RPC code */
  const char *message;        /* RPC_ROUTE_ERROR: borrowed, static or from
                                 the message */
} rpc_route_t;

typedef struct rpc_dispatch rpc_dispatch_t;

/* *out is a new empty table owned by the caller (rpc_dispatch_free). */
int rpc_dispatch_new(rpc_dispatch_t **out, rpc_error_t *err);

void rpc_dispatch_free(rpc_dispatch_t *table); /* NULL is fine */

/* Registers name (copied) -> handler with flags, which must include
 * RPC_METHOD_REQUEST or RPC_METHOD_NOTIFICATION or both. RPC_EEXIST when
 * the name is already there, RPC_ETOOBIG past RPC_DISPATCH_MAX_METHODS,
 * RPC_EINVAL for a NULL/empty name, a NULL handler or no kind flag. */
int rpc_dispatch_add(rpc_dispatch_t *table, const char *name,
                     rpc_handler_fn handler, unsigned flags, rpc_error_t *err);

/* The method registered under name (borrowed), or NULL. */
const rpc_method_t *rpc_dispatch_find(const rpc_dispatch_t *table,
                                      const char *name);

size_t rpc_dispatch_count(const rpc_dispatch_t *table);

/* Decides what to do with msg (borrowed) in state `life`; see the rules at
 * the top of this file. Always fills *route. */
void rpc_dispatch_route(const rpc_dispatch_t *table, const rpc_message_t *msg,
                        rpc_lifecycle_t life, rpc_route_t *route);

/* Routes msg and, for RPC_ROUTE_CALL, calls the handler with ctx and
 * returns what it returns; otherwise returns 0. *route (may be NULL) says
 * what was decided, so the caller can answer RPC_ROUTE_ERROR. */
int rpc_dispatch_call(const rpc_dispatch_t *table, const rpc_message_t *msg,
                      rpc_lifecycle_t life, void *ctx, rpc_route_t *route);

#ifdef __cplusplus
}
#endif

#endif
