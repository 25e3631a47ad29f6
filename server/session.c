/*
 * session.c: the stdio transport and the core, wired together.
 */
#include "session.h"

#include "core.h"
#include "error.h"
#include "log.h"
#include "transport.h"

#include <stdlib.h>

struct srv_session {
  srv_transport_t transport;
  srv_core_t *core;
  int exit_status;
};

static int sink_write(void *ctx, char *frame, size_t len) {
  srv_session_t *s = ctx;
  return srv_transport_write(&s->transport, frame, len);
}

static int sink_write_copy(void *ctx, const char *frame, size_t len) {
  srv_session_t *s = ctx;
  return srv_transport_write_copy(&s->transport, frame, len);
}

static void on_message(void *ctx, const char *body, size_t len) {
  srv_session_t *s = ctx;
  srv_core_receive(s->core, body, len);
}

static void on_end(void *ctx, srv_end_reason_t reason) {
  srv_session_t *s = ctx;
  if (reason == SRV_END_EOF && !rpc_framer_idle(s->transport.framer))
    srv_log(SRV_LOG_WARN, "input ended inside a message");
  srv_core_input_ended(s->core, reason == SRV_END_EOF);
}

/* The core decided the session ends. */
static void on_finish(void *ctx, int status) {
  srv_session_t *s = ctx;
  s->exit_status = status;
  srv_transport_close(&s->transport);
}

int srv_session_new(uv_loop_t *loop, int in_fd, int out_fd, size_t max_message,
                    size_t max_output, int log_level, srv_session_t **out) {
  *out = NULL;
  srv_session_t *s = calloc(1, sizeof *s);
  if (!s)
    return SRV_ENOMEM;
  srv_sink_t sink = {
      .write = sink_write, .write_copy = sink_write_copy, .ctx = s};
  int rc = srv_core_new(loop, &sink, log_level, on_finish, s, &s->core);
  if (rc == 0)
    rc = srv_transport_init(&s->transport, loop, in_fd, out_fd, max_message,
                            max_output, on_message, on_end, s);
  if (rc < 0) {
    if (s->core)
      srv_core_finish(s->core, 1); /* closes the transport too */
    else
      srv_transport_close(&s->transport);
    uv_run(loop, UV_RUN_DEFAULT);
    srv_transport_dispose(&s->transport);
    srv_core_free(s->core);
    free(s);
    return rc;
  }
  *out = s;
  return 0;
}

int srv_session_start(srv_session_t *s) {
  return srv_transport_start(&s->transport);
}

void srv_session_finish(srv_session_t *s, int status) {
  srv_core_finish(s->core, status);
}

int srv_session_exit_status(const srv_session_t *s) { return s->exit_status; }

void srv_session_free(srv_session_t *s) {
  if (!s)
    return;
  srv_transport_dispose(&s->transport);
  srv_core_free(s->core);
  free(s);
}
