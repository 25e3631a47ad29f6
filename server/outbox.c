/*
 * outbox.c: framing what the server sends, and the table of requests the
 * server sent that wait for an answer.
 */
#include "outbox.h"

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct outgoing {
  int64_t id;
  srv_response_fn on_response;
  void *ctx, *data;
} outgoing_t;

struct srv_outbox {
  srv_sink_t sink;
  outgoing_t pending[SRV_MAX_OUTGOING];
  size_t pending_count;
  int64_t next_id;
};

int srv_outbox_new(const srv_sink_t *sink, srv_outbox_t **out) {
  *out = calloc(1, sizeof **out);
  if (!*out)
    return SRV_ENOMEM;
  (*out)->sink = *sink;
  return 0;
}

void srv_outbox_free(srv_outbox_t *out) { free(out); }

/* When no memory is left to build an answer, a request still gets one:
 * -32603 "out of memory", written from the stack. Integer ids and short
 * plain string ids are echoed; anything else is answered with id null. */
static void reply_out_of_memory(srv_outbox_t *out, const json_t *id) {
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
  int m =
      snprintf(frame, sizeof frame, "Content-Length: %d\r\n\r\n%s", n, body);
  out->sink.write_copy(out->sink.ctx, frame, (size_t)m);
}

/* Frames msg (stolen) and writes it; 0, or SRV_ENOMEM when it could not be
 * built or framed (nothing written then). */
static int send_owned(srv_outbox_t *out, json_t *msg) {
  if (!msg) {
    srv_log(SRV_LOG_ERROR, "out of memory building a message");
    return SRV_ENOMEM;
  }
  char *frame;
  size_t len;
  rpc_error_t err;
  int rc = rpc_message_frame(msg, &frame, &len, &err);
  json_decref(msg);
  if (rc < 0) {
    srv_log(SRV_LOG_ERROR, "cannot encode a message: %s", err.message);
    return SRV_ENOMEM;
  }
  /* A write failure ends the session in the transport; nothing to do. */
  out->sink.write(out->sink.ctx, frame, len);
  return 0;
}

void srv_outbox_reply(srv_outbox_t *out, const json_t *id, json_t *result) {
  /* NULL is what a failed json_pack() or json_array() returns. */
  if (!result || send_owned(out, rpc_response_new((json_t *)id, result)) < 0)
    reply_out_of_memory(out, id);
}

void srv_outbox_error(srv_outbox_t *out, const json_t *id, int code,
                      const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (send_owned(out, rpc_error_response_new((json_t *)id, code, text, NULL)) <
      0)
    reply_out_of_memory(out, id);
}

void srv_outbox_notify(srv_outbox_t *out, const char *method, json_t *params) {
  send_owned(out, rpc_notification_new(method, params));
}

void srv_outbox_request(srv_outbox_t *out, const char *method, json_t *params,
                        srv_response_fn on_response, void *ctx, void *data) {
  if (out->pending_count == SRV_MAX_OUTGOING) {
    /* The client leaves our requests unanswered: forget the oldest. */
    memmove(out->pending, out->pending + 1,
            (SRV_MAX_OUTGOING - 1) * sizeof *out->pending);
    out->pending_count--;
  }
  int64_t id = ++out->next_id;
  json_t *jid = json_integer(id);
  json_t *msg = jid ? rpc_request_new(jid, method, params) : NULL;
  if (!jid)
    json_decref(params);
  json_decref(jid);
  if (!msg) {
    srv_log(SRV_LOG_ERROR, "out of memory building a request");
    return;
  }
  out->pending[out->pending_count++] = (outgoing_t){
      .id = id, .on_response = on_response, .ctx = ctx, .data = data};
  send_owned(out, msg);
}

int srv_outbox_route_response(srv_outbox_t *out, const rpc_message_t *resp) {
  if (!json_is_integer(resp->id))
    return 0;
  int64_t id = json_integer_value(resp->id);
  for (size_t i = 0; i < out->pending_count; i++) {
    if (out->pending[i].id != id)
      continue;
    outgoing_t o = out->pending[i];
    memmove(out->pending + i, out->pending + i + 1,
            (out->pending_count - i - 1) * sizeof *out->pending);
    out->pending_count--;
    if (resp->error)
      srv_log(SRV_LOG_DEBUG, "request %lld failed on the client: %s",
              (long long)id,
              json_string_value(json_object_get(resp->error, "message")));
    if (o.on_response)
      o.on_response(o.ctx, resp, o.data);
    return 1;
  }
  return 0;
}

void srv_outbox_show(srv_outbox_t *out, int type, const char *fmt, ...) {
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  srv_log(type == 1   ? SRV_LOG_ERROR
          : type == 2 ? SRV_LOG_WARN
                      : SRV_LOG_INFO,
          "%s", text);
  srv_outbox_notify(out, "window/showMessage",
                    json_pack("{s:i, s:s}", "type", type, "message", text));
}

void srv_outbox_progress(srv_outbox_t *out, const json_t *token,
                         json_t *value) {
  if (!token) {
    json_decref(value);
    return;
  }
  srv_outbox_notify(out, "$/progress",
                    json_pack("{s:O, s:o}", "token", token, "value", value));
}

void srv_outbox_send_frame(srv_outbox_t *out, const json_t *id, char *frame,
                           size_t len) {
  if (!frame) {
    reply_out_of_memory(out, id);
    return;
  }
  out->sink.write(out->sink.ctx, frame, len);
}
