/*
 * message_build.c: JSON-RPC 2.0 responses, error responses, requests and
 * notifications as jansson values, and their serialization (plain or
 * framed for the wire).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rpc_framer.h"
#include "rpc_message.h"

/* {"jsonrpc":"2.0"}, the start of every message. New reference. */
static json_t *envelope(void) {
  json_t *m = json_object();
  if (m && json_object_set_new(m, "jsonrpc", json_string("2.0")) != 0) {
    json_decref(m);
    return NULL;
  }
  return m;
}

/* Sets m[key] = v, stealing v; on failure releases m and returns NULL. */
static json_t *put(json_t *m, const char *key, json_t *v) {
  if (!m) {
    json_decref(v);
    return NULL;
  }
  if (!v || json_object_set_new(m, key, v) != 0) {
    json_decref(m);
    return NULL;
  }
  return m;
}

/* A new reference to id, or to null when id is NULL. */
static json_t *id_ref(json_t *id) {
  return id ? json_incref(id) : json_null();
}

json_t *rpc_response_new(json_t *id, json_t *result) {
  json_t *m = envelope();
  if (!m) {
    json_decref(result);
    return NULL;
  }
  m = put(m, "id", id_ref(id));
  return put(m, "result", result ? result : json_null());
}

json_t *rpc_error_response_new(json_t *id, int code, const char *message,
                               json_t *data) {
  json_t *e = json_object(), *m;
  e = put(e, "code", json_integer(code));
  e = put(e, "message",
          json_string(message ? message : rpc_code_message(code)));
  if (data)
    e = put(e, "data", data);
  if (!e)
    return NULL; /* put() has released data or e */
  m = envelope();
  if (!m) {
    json_decref(e);
    return NULL;
  }
  m = put(m, "id", id_ref(id));
  return put(m, "error", e);
}

json_t *rpc_request_new(json_t *id, const char *method, json_t *params) {
  json_t *m;
  if (!(json_is_integer(id) || json_is_string(id)) || !method) {
    json_decref(params);
    return NULL;
  }
  m = envelope();
  m = put(m, "id", json_incref(id));
  m = put(m, "method", json_string(method));
  if (params)
    m = put(m, "params", params);
  return m;
}

json_t *rpc_notification_new(const char *method, json_t *params) {
  json_t *m;
  if (!method) {
    json_decref(params);
    return NULL;
  }
  m = envelope();
  m = put(m, "method", json_string(method));
  if (params)
    m = put(m, "params", params);
  return m;
}

int rpc_message_dump(const json_t *msg, char **out, size_t *out_len,
                     rpc_error_t *err) {
  char *s;
  if (!msg || !out || !out_len)
    return rpc__fail(err, RPC_EINVAL, "rpc_message_dump: NULL argument");
  *out = NULL;
  *out_len = 0;
  /* Into a buffer rather than with json_dumps(): jansson 2.14 ignores a
   * failure to grow its own buffer while writing an object key and goes
   * on, which gives text that is not JSON, whereas writing into a buffer
   * of ours never fails. Most messages fit the first guess; a larger one
   * is written again into a buffer of the size the first pass reported. */
  const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
  size_t cap = 16384;
  s = malloc(cap + 1);
  if (!s)
    return rpc__fail(err, RPC_ENOMEM, "cannot serialize a message");
  size_t need = json_dumpb(msg, s, cap, flags);
  if (need > cap) {
    char *bigger = realloc(s, need + 1);
    if (!bigger || json_dumpb(msg, bigger, need, flags) != need) {
      free(bigger ? bigger : s);
      return rpc__fail(err, RPC_ENOMEM, "cannot serialize a message");
    }
    s = bigger;
  } else if (need == 0) {
    free(s);
    return rpc__fail(err, RPC_ENOMEM, "cannot serialize a message");
  }
  s[need] = '\0';
  *out = s;
  *out_len = need;
  rpc__clear(err);
  return 0;
}

int rpc_message_frame(const json_t *msg, char **out, size_t *out_len,
                      rpc_error_t *err) {
  char *body;
  size_t len;
  int r = rpc_message_dump(msg, &body, &len, err);
  if (r < 0) {
    if (out)
      *out = NULL;
    return r;
  }
  r = rpc_frame_encode(body, len, out, out_len, err);
  free(body);
  return r;
}
