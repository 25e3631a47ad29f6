/*
 * session.c: one language-server session: reading messages, routing them
 * through the dispatch table, answering, and ending cleanly.
 */
#include "session.h"

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv_profile_free(srv_profile_t *profile) {
  if (!profile)
    return;
  srv_path_map_free(profile->paths);
  srv_scan_close(&profile->workspace);
  free(profile->file_paths);
  hx_index_free(profile->index);
  free(profile->path);
  free(profile->sample_type);
  free(profile);
}

/* Sends msg (stolen); 0, or -1 when it could not be built or encoded. */
static int send_owned(srv_session_t *s, json_t *msg) {
  if (!msg) {
    srv_log(SRV_LOG_ERROR, "out of memory building a message");
    return -1;
  }
  int rc = srv_transport_send(&s->transport, msg);
  json_decref(msg);
  return rc == -2 ? -1 : 0;
}

/* When no memory is left to build an answer, a request still gets one:
 * -32603 "out of memory", written from the stack. Integer ids and short
 * plain string ids are echoed; anything else is answered with id null. */
static void reply_out_of_memory(srv_session_t *s, const json_t *id) {
  char id_text[96] = "null";
  if (json_is_integer(id)) {
    snprintf(id_text, sizeof id_text, "%lld",
             (long long)json_integer_value(id));
  } else if (json_is_string(id) && json_string_length(id) < 64) {
    const char *v = json_string_value(id);
    int plain = 1;
    for (const char *c = v; *c; c++)
      plain &= *c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\';
    if (plain)
      snprintf(id_text, sizeof id_text, "\"%s\"", v);
  }
  char body[192], frame[256];
  int n = snprintf(body, sizeof body,
                   "{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":%d,"
                   "\"message\":\"out of memory\"}}",
                   id_text, RPC_CODE_INTERNAL_ERROR);
  int m = snprintf(frame, sizeof frame, "Content-Length: %d\r\n\r\n%s", n,
                   body);
  srv_transport_send_raw(&s->transport, frame, (size_t)m);
}

void srv_reply(srv_session_t *s, const json_t *id, json_t *result) {
  /* NULL is what a failed json_pack() or json_array() returns. */
  if (!result || send_owned(s, rpc_response_new((json_t *)id, result)) < 0)
    reply_out_of_memory(s, id);
}

void srv_reply_error(srv_session_t *s, const json_t *id, int code,
                     const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (send_owned(s, rpc_error_response_new((json_t *)id, code, text, NULL)) <
      0)
    reply_out_of_memory(s, id);
}

void srv_notify(srv_session_t *s, const char *method, json_t *params) {
  send_owned(s, rpc_notification_new(method, params));
}

void srv_request(srv_session_t *s, const char *method, json_t *params,
                 srv_response_fn on_response, void *data) {
  if (s->outgoing_count == SRV_MAX_OUTGOING) {
    /* The client leaves our requests unanswered: forget the oldest. */
    memmove(s->outgoing, s->outgoing + 1,
            (SRV_MAX_OUTGOING - 1) * sizeof *s->outgoing);
    s->outgoing_count--;
  }
  int64_t id = ++s->next_id;
  json_t *jid = json_integer(id);
  json_t *msg = jid ? rpc_request_new(jid, method, params) : NULL;
  if (!jid)
    json_decref(params);
  json_decref(jid);
  if (!msg) {
    srv_log(SRV_LOG_ERROR, "out of memory building a request");
    return;
  }
  s->outgoing[s->outgoing_count++] =
      (srv_outgoing_t){.id = id, .on_response = on_response, .data = data};
  send_owned(s, msg);
}

void srv_show_message(srv_session_t *s, int type, const char *fmt, ...) {
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  srv_log(type == 1 ? SRV_LOG_ERROR : type == 2 ? SRV_LOG_WARN : SRV_LOG_INFO,
          "%s", text);
  srv_notify(s, "window/showMessage",
             json_pack("{s:i, s:s}", "type", type, "message", text));
}

static void handle_response(srv_session_t *s, const rpc_message_t *msg) {
  if (!json_is_integer(msg->id))
    return;
  int64_t id = json_integer_value(msg->id);
  for (size_t i = 0; i < s->outgoing_count; i++) {
    if (s->outgoing[i].id != id)
      continue;
    srv_outgoing_t out = s->outgoing[i];
    memmove(s->outgoing + i, s->outgoing + i + 1,
            (s->outgoing_count - i - 1) * sizeof *s->outgoing);
    s->outgoing_count--;
    if (msg->error)
      srv_log(SRV_LOG_DEBUG, "request %lld failed on the client: %s",
              (long long)id,
              json_string_value(json_object_get(msg->error, "message")));
    if (out.on_response)
      out.on_response(s, msg, out.data);
    return;
  }
}

static void on_message(void *ctx, const char *body, size_t len) {
  srv_session_t *s = ctx;
  rpc_message_t msg;
  rpc_error_t err;
  if (rpc_message_parse(body, len, &msg, &err) < 0) {
    srv_log(SRV_LOG_ERROR, "cannot parse a message: %s", err.message);
    return;
  }
  rpc_route_t route;
  rpc_dispatch_call(s->dispatch, &msg, s->life, s, &route);
  switch (route.action) {
  case RPC_ROUTE_ERROR:
    if (msg.kind == RPC_REQUEST || msg.kind == RPC_INVALID) {
      srv_log(SRV_LOG_DEBUG, "answering %d: %s", route.code, route.message);
      if (send_owned(s, rpc_error_response_new(msg.id, route.code,
                                               route.message, NULL)) < 0)
        reply_out_of_memory(s, msg.id);
    }
    break;
  case RPC_ROUTE_RESPONSE:
    handle_response(s, &msg);
    break;
  case RPC_ROUTE_IGNORE:
    if (msg.method)
      srv_log(SRV_LOG_DEBUG, "ignored %s", msg.method);
    break;
  case RPC_ROUTE_CALL:
    break;
  }
  rpc_message_close(&msg);
}

static void on_end(void *ctx, srv_end_reason_t reason) {
  srv_session_t *s = ctx;
  if (s->exiting)
    return;
  int status = 1;
  if (reason == SRV_END_EOF) {
    if (!rpc_framer_idle(s->transport.framer))
      srv_log(SRV_LOG_WARN, "input ended inside a message");
    /* Without an exit notification, the end of input after shutdown is
     * still a clean end. */
    status = s->life == RPC_LIFE_SHUTDOWN ? 0 : 1;
    srv_log(SRV_LOG_INFO, "input closed");
  }
  srv_session_finish(s, status);
}

static void on_handle_closed(uv_handle_t *handle) { (void)handle; }

void srv_session_finish(srv_session_t *s, int status) {
  if (s->exiting)
    return;
  s->exiting = 1;
  s->exit_status = status;
  srv_transport_close(&s->transport);
  srv_watch_stop(s);
  if (s->watch_timer_open) {
    s->watch_timer_open = 0;
    uv_close((uv_handle_t *)&s->watch_timer, on_handle_closed);
  }
  srv_load_drop_queue(s);
}

/* The protocol module's codes as libuv's, which srv_session_new returns
 * (RPC_ENOMEM is -2, which is UV_ENOENT). */
static int uv_code(int rpc_rc) {
  return rpc_rc == 0 ? 0 : rpc_rc == RPC_ENOMEM ? UV_ENOMEM : UV_EINVAL;
}

int srv_session_new(uv_loop_t *loop, int in_fd, int out_fd,
                    size_t max_message, int log_level, srv_session_t **out) {
  *out = NULL;
  srv_session_t *s = calloc(1, sizeof *s);
  if (!s)
    return UV_ENOMEM;
  s->loop = loop;
  s->cli_log_level = log_level;
  s->encoding = LSP_ENCODING_UTF16;
  srv_settings_init(&s->settings);
  int rc = uv_code(rpc_dispatch_new(&s->dispatch, NULL));
  if (rc == 0)
    rc = uv_code(rpc_cancel_new(0, &s->cancel, NULL));
  if (rc == 0)
    rc = uv_code(srv_lifecycle_register(s));
  if (rc == 0)
    rc = uv_code(srv_sync_register(s));
  if (rc == 0)
    rc = uv_code(srv_config_register(s));
  if (rc == 0)
    rc = uv_code(srv_commands_register(s));
  if (rc == 0)
    rc = uv_code(srv_features_register(s));
  if (rc == 0) {
    rc = uv_timer_init(loop, &s->watch_timer);
    s->watch_timer_open = rc == 0;
    s->watch_timer.data = s;
  }
  if (rc == 0)
    rc = srv_transport_init(&s->transport, loop, in_fd, out_fd, max_message,
                            on_message, on_end, s);
  if (rc < 0) {
    if (s->watch_timer_open) {
      uv_close((uv_handle_t *)&s->watch_timer, on_handle_closed);
      uv_run(loop, UV_RUN_DEFAULT);
    }
    srv_transport_close(&s->transport);
    uv_run(loop, UV_RUN_DEFAULT);
    srv_transport_dispose(&s->transport);
    rpc_cancel_free(s->cancel);
    rpc_dispatch_free(s->dispatch);
    srv_settings_close(&s->settings);
    free(s);
    return rc;
  }
  *out = s;
  return 0;
}

int srv_session_start(srv_session_t *s) {
  return srv_transport_start(&s->transport);
}

void srv_session_free(srv_session_t *s) {
  if (!s)
    return;
  srv_transport_dispose(&s->transport);
  srv_profile_free(s->profile);
  srv_docs_close(&s->docs);
  for (size_t i = 0; i < s->root_count; i++)
    free(s->roots[i]);
  free(s->roots);
  free(s->watch_path);
  srv_settings_close(&s->settings);
  rpc_cancel_free(s->cancel);
  rpc_dispatch_free(s->dispatch);
  free(s);
}
