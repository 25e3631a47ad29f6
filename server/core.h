/*
 * core.h: the language server without its transport.
 *
 * The core owns the outbox, the model and the method table built from the
 * handlers' tables, and routes each message body it is given: requests and
 * notifications to their handlers, responses to the requests the outbox
 * sent. What it sends goes to the sink it was made with: the stdio
 * transport in heatls (session.c), a fake one in tests/server.
 */
#ifndef HEATLS_SRV_CORE_H
#define HEATLS_SRV_CORE_H

#include <stddef.h>

#include <uv.h>

#include "outbox.h"

typedef struct srv_core srv_core_t;

/* Called once when the session should end (exit, or the input ended),
 * with the status heatls exits with. */
typedef void (*srv_finish_fn)(void *ctx, int status);

/* *out is a new core on loop writing to sink (copied). 0 or an SRV_E*
 * code. */
int srv_core_new(uv_loop_t *loop, const srv_sink_t *sink, int log_level,
                 srv_finish_fn on_finish, void *ctx, srv_core_t **out);

/* Handles one message body (borrowed for the call). */
void srv_core_receive(srv_core_t *core, const char *body, size_t len);

/* The input ended: at_eof 1 for a clean end of input, 0 for a read or
 * framing error. Ends the session with the status the LSP asks for. */
void srv_core_input_ended(srv_core_t *core, int at_eof);

/* Ends the session: loads and the watcher stop, handles close. Idempotent;
 * on_finish is called the first time. */
void srv_core_finish(srv_core_t *core, int status);

/* 1 once the session is ending. */
int srv_core_finished(const srv_core_t *core);

/* Frees the core; after srv_core_finish and uv_run. NULL is fine. */
void srv_core_free(srv_core_t *core);

#endif
