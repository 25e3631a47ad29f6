/*
 * session.h: one language-server session on stdio: the transport and the
 * core wired together. Nothing else lives here: the core (core.h) routes
 * messages to the handlers, the model (model.h) holds the state.
 */
#ifndef HEATLS_SRV_SESSION_H
#define HEATLS_SRV_SESSION_H

#include <stddef.h>

#include <uv.h>

typedef struct srv_session srv_session_t;

/* Creates the session on loop (stdin/stdout as given), with bodies capped
 * at max_message bytes and unread output at max_output bytes (0: the
 * defaults). 0 or an SRV_E* code; on failure nothing is left on the loop
 * and *out is NULL. */
int srv_session_new(uv_loop_t *loop, int in_fd, int out_fd, size_t max_message,
                    size_t max_output, int log_level, srv_session_t **out);

/* Starts reading; uv_run() then serves until the session ends. */
int srv_session_start(srv_session_t *s);

/* Ends the session (handles close; the loop then runs dry). */
void srv_session_finish(srv_session_t *s, int status);

/* What heatls exits with once the loop has run dry. */
int srv_session_exit_status(const srv_session_t *s);

/* Frees the session; call after uv_run() has returned. */
void srv_session_free(srv_session_t *s);

#endif
