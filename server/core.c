/*
 * core.c: routing messages between the client and the handlers.
 */
#include "core.h"

#include "error.h"
#include "handlers.h"
#include "log.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct srv_core {
  srv_outbox_t *out;
  srv_model_t *model;
  rpc_dispatch_t *dispatch;
  srv_lifecycle_t life;
  srv_env_t env;
  srv_finish_fn on_finish;
  void *ctx;
  int finished;
};

static const srv_method_table_t *const tables[] = {
    &srv_lifecycle_methods, &srv_sync_methods, &srv_config_methods,
    &srv_command_methods, &srv_feature_methods};

static int register_tables(rpc_dispatch_t *dispatch) {
  for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
    for (size_t i = 0; i < tables[t]->count; i++) {
      const srv_method_t *m = &tables[t]->methods[i];
      int rc = rpc_dispatch_add(dispatch, m->name, m->handler, m->flags, NULL);
      if (rc < 0)
        return srv_error_from_rpc(rc);
    }
  }
  return 0;
}

int srv_core_new(uv_loop_t *loop, const srv_sink_t *sink, int log_level,
                 srv_finish_fn on_finish, void *ctx, srv_core_t **out) {
  *out = NULL;
  srv_core_t *core = calloc(1, sizeof *core);
  if (!core)
    return SRV_ENOMEM;
  core->on_finish = on_finish;
  core->ctx = ctx;
  int rc = srv_outbox_new(sink, &core->out);
  if (rc == 0)
    rc = srv_error_from_rpc(rpc_dispatch_new(&core->dispatch, NULL));
  if (rc == 0)
    rc = register_tables(core->dispatch);
  if (rc == 0)
    rc = srv_model_new(loop, core->out, log_level, &core->model);
  if (rc < 0) {
    srv_core_free(core);
    return rc;
  }
  core->env =
      (srv_env_t){.out = core->out, .model = core->model, .life = &core->life};
  *out = core;
  return 0;
}

void srv_core_receive(srv_core_t *core, const char *body, size_t len) {
  if (core->finished)
    return;
  rpc_message_t msg;
  rpc_error_t err;
  if (rpc_message_parse(body, len, &msg, &err) < 0) {
    srv_log(SRV_LOG_ERROR, "cannot parse a message: %s", err.message);
    return;
  }
  rpc_route_t route;
  /* How long a handler takes, from the message parsed to its return (an
   * answer it gives at once is written to the sink by then; a load's comes
   * later). Debug log only: "handled METHOD in N ms". */
  bool timed = srv_log_get_level() >= SRV_LOG_DEBUG;
  uint64_t start = timed ? uv_hrtime() : 0;
  rpc_dispatch_call(core->dispatch, &msg, core->life.state, &core->env,
                    &route);
  if (timed && route.action == RPC_ROUTE_CALL && msg.method)
    srv_log(SRV_LOG_DEBUG, "handled %s in %.3f ms", msg.method,
            (double)(uv_hrtime() - start) / 1e6);
  switch (route.action) {
  case RPC_ROUTE_ERROR:
    if (msg.kind == RPC_REQUEST || msg.kind == RPC_INVALID) {
      srv_log(SRV_LOG_DEBUG, "answering %d: %s", route.code, route.message);
      srv_outbox_error(core->out, msg.id, route.code, "%s", route.message);
    }
    break;
  case RPC_ROUTE_RESPONSE: srv_outbox_route_response(core->out, &msg); break;
  case RPC_ROUTE_IGNORE:
    if (msg.method)
      srv_log(SRV_LOG_DEBUG, "ignored %s", msg.method);
    break;
  case RPC_ROUTE_CALL: break;
  }
  rpc_message_close(&msg);
  if (core->life.exit_requested)
    srv_core_finish(core, core->life.exit_status);
}

void srv_core_input_ended(srv_core_t *core, int at_eof) {
  if (core->finished)
    return;
  int status = 1;
  if (at_eof) {
    /* Without an exit notification, the end of input after shutdown is
     * still a clean end. */
    status = core->life.state == RPC_LIFE_SHUTDOWN ? 0 : 1;
    srv_log(SRV_LOG_INFO, "input closed");
  }
  srv_core_finish(core, status);
}

void srv_core_finish(srv_core_t *core, int status) {
  if (core->finished)
    return;
  core->finished = 1;
  srv_model_close(core->model);
  if (core->on_finish)
    core->on_finish(core->ctx, status);
}

int srv_core_finished(const srv_core_t *core) { return core->finished; }

void srv_core_free(srv_core_t *core) {
  if (!core)
    return;
  srv_model_free(core->model);
  rpc_dispatch_free(core->dispatch);
  srv_outbox_free(core->out);
  free(core);
}
