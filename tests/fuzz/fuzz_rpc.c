/*
 * fuzz_rpc.c: an incoming byte stream through the framer, JSON-RPC parsing
 * and routing (protocol/framer.c, message_parse.c, message_build.c,
 * dispatch.c, cancel.c).
 *
 * Input: byte 0 chooses how the stream is cut into chunks (bits 0-1: one
 * byte at a time, or pseudo-random chunks of 1..16, 1..512 or 1..8192
 * bytes) and the framer's body cap (bits 2-3: 64 KiB, 1 KiB, 64 bytes,
 * 1 MiB); byte 1 seeds the chunk sizes; the rest is the stream, as a
 * client would write it to the server's stdin.
 *
 * Checked:
 *   - framing does not depend on how the stream is cut: fed whole and fed
 *     in chunks, the framer gives the same bodies and the same errors, in
 *     the same order, and ends in the same idle state;
 *   - rpc_framer_feed: consumed <= len; a return of 0 consumed everything;
 *     every other return consumed at least one byte (no caller loops
 *     forever); a body is NUL-terminated and leaves the framer idle;
 *     RPC_EHEADER makes rpc_framer_failed() 1 and every later feed
 *     RPC_ESTREAM; error messages are one line of printable ASCII;
 *   - rpc_message_parse always returns 0 and fills the message as
 *     rpc_message.h says for its kind (id, method, params, result, error,
 *     the JSON-RPC code and a printable reason for RPC_INVALID); a body
 *     that is JSON gets the kind, code, id and params that a model of
 *     rpc_message.h's classification rules gives;
 *   - rpc_dispatch_route, in each lifecycle state, decides what a model of
 *     the six rules in rpc_dispatch.h decides, against a table of a few
 *     methods with different flags; rpc_dispatch_call calls the handler
 *     exactly for RPC_ROUTE_CALL;
 *   - a pending-request set (rpc_cancel_*) follows requests and
 *     $/cancelRequest notifications as a model of rpc_cancel.h does;
 *   - round trips: a parsed message dumped (rpc_message_dump) parses back
 *     to an equal JSON value with the same classification; rpc_message_frame
 *     is rpc_frame_encode of the dump, and a fresh framer gives the dump
 *     back; the answers a server would build (rpc_response_new,
 *     rpc_error_response_new, rpc_notification_new, rpc_request_new) parse
 *     back as what they are, with the same id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lsp_protocol.h"

/* ---- small helpers ---- */

static void check_error_text(const rpc_error_t *err, int rc) {
  FUZZ_CHECK(err->code == rc, "error struct code %d, returned %d", err->code,
             rc);
  size_t n = strnlen(err->message, sizeof err->message);
  FUZZ_CHECK(n < sizeof err->message, "error message not NUL-terminated");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)err->message[i];
    FUZZ_CHECK(c >= 0x20 && c < 0x7f, "byte 0x%02x at %zu of \"%s\"", c, i,
               err->message);
  }
}

/* A growing log of what a framer run produced, to compare two runs. */
typedef struct log {
  char *buf;
  size_t len, cap;
} log_t;

static void log_put(log_t *log, const void *p, size_t n) {
  if (log->len + n > log->cap) {
    size_t cap = log->cap ? log->cap : 256;
    while (cap < log->len + n)
      cap *= 2;
    char *b = realloc(log->buf, cap);
    FUZZ_CHECK(b != NULL, "out of memory for %zu bytes", cap);
    log->buf = b;
    log->cap = cap;
  }
  memcpy(log->buf + log->len, p, n);
  log->len += n;
}

static void log_event(log_t *log, int rc, const char *body, size_t len) {
  log_put(log, &rc, sizeof rc);
  if (rc == 1) {
    log_put(log, &len, sizeof len);
    log_put(log, body, len);
  }
}

/* ---- the method table and its model ---- */

typedef struct model_method {
  const char *name;
  unsigned flags;
} model_method_t;

static const model_method_t methods[] = {
    {"initialize", RPC_METHOD_REQUEST | RPC_METHOD_BEFORE_INIT},
    {"initialized", RPC_METHOD_NOTIFICATION},
    {"shutdown", RPC_METHOD_REQUEST},
    {"exit", RPC_METHOD_NOTIFICATION | RPC_METHOD_BEFORE_INIT |
                 RPC_METHOD_AFTER_SHUTDOWN},
    {"textDocument/hover", RPC_METHOD_REQUEST},
    {"textDocument/didOpen", RPC_METHOD_NOTIFICATION},
    {"$/cancelRequest", RPC_METHOD_NOTIFICATION | RPC_METHOD_BEFORE_INIT |
                            RPC_METHOD_AFTER_SHUTDOWN},
    {"heatls/both", RPC_METHOD_REQUEST | RPC_METHOD_NOTIFICATION}};
#define METHOD_COUNT (sizeof methods / sizeof methods[0])

static int handler_calls;

static int handler(void *ctx, const rpc_message_t *msg) {
  FUZZ_CHECK(ctx == &handler_calls, "handler context %p", ctx);
  FUZZ_CHECK(msg && msg->method, "handler called without a method");
  handler_calls++;
  return 1000 + handler_calls;
}

static const model_method_t *model_find(const char *name) {
  for (size_t i = 0; i < METHOD_COUNT; i++)
    if (strcmp(methods[i].name, name) == 0)
      return &methods[i];
  return NULL;
}

static rpc_dispatch_t *table_new(void) {
  rpc_dispatch_t *t;
  rpc_error_t err;
  FUZZ_CHECK(rpc_dispatch_new(&t, &err) == 0, "rpc_dispatch_new failed");
  for (size_t i = 0; i < METHOD_COUNT; i++)
    FUZZ_CHECK(rpc_dispatch_add(t, methods[i].name, handler, methods[i].flags,
                                &err) == 0,
               "adding %s: %s", methods[i].name, err.message);
  int rc = rpc_dispatch_add(t, "shutdown", handler, RPC_METHOD_REQUEST, &err);
  FUZZ_CHECK(rc == RPC_EEXIST, "adding shutdown twice returned %d", rc);
  FUZZ_CHECK(rpc_dispatch_count(t) == METHOD_COUNT, "count %zu",
             rpc_dispatch_count(t));
  return t;
}

/* What rpc_dispatch.h's rules say for msg in state life. */
static void model_route(const rpc_message_t *msg, rpc_lifecycle_t life,
                        rpc_route_action_t *action, int *code,
                        const model_method_t **method) {
  *code = 0;
  *method = NULL;
  if (msg->kind == RPC_INVALID) {
    *action = RPC_ROUTE_ERROR;
    *code = msg->error_code;
    return;
  }
  if (msg->kind == RPC_RESPONSE) {
    *action = RPC_ROUTE_RESPONSE;
    return;
  }
  int request = msg->kind == RPC_REQUEST;
  const model_method_t *m = model_find(msg->method);
  unsigned kind = request ? RPC_METHOD_REQUEST : RPC_METHOD_NOTIFICATION;
  int err = 0;
  if (life == RPC_LIFE_STARTING && !(m && (m->flags & RPC_METHOD_BEFORE_INIT)))
    err = RPC_CODE_SERVER_NOT_INITIALIZED;
  else if (life == RPC_LIFE_SHUTDOWN &&
           !(m && (m->flags & RPC_METHOD_AFTER_SHUTDOWN)))
    err = RPC_CODE_INVALID_REQUEST;
  else if (!m || !(m->flags & kind))
    err = RPC_CODE_METHOD_NOT_FOUND;
  if (err) {
    *action = request ? RPC_ROUTE_ERROR : RPC_ROUTE_IGNORE;
    *code = request ? err : 0;
    return;
  }
  *action = RPC_ROUTE_CALL;
  *method = m;
}

/* ---- one message ---- */

static int is_id(const json_t *id) {
  return json_is_integer(id) || json_is_string(id);
}

static void check_parsed(const rpc_message_t *m) {
  switch (m->kind) {
  case RPC_INVALID: {
    FUZZ_CHECK(m->error_code == RPC_CODE_PARSE_ERROR ||
                   m->error_code == RPC_CODE_INVALID_REQUEST,
               "invalid message with code %d", m->error_code);
    FUZZ_CHECK((m->root == NULL) == (m->error_code == RPC_CODE_PARSE_ERROR),
               "root %p with code %d", (void *)m->root, m->error_code);
    FUZZ_CHECK(m->id == NULL || is_id(m->id), "invalid message id type %d",
               json_typeof(m->id));
    FUZZ_CHECK(!m->method && !m->params && !m->result && !m->error,
               "invalid message with members set");
    size_t n = strnlen(m->error_message, sizeof m->error_message);
    FUZZ_CHECK(n > 0 && n < sizeof m->error_message, "reason length %zu", n);
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)m->error_message[i];
      FUZZ_CHECK(c >= 0x20 && c < 0x7f, "reason byte 0x%02x: \"%s\"", c,
                 m->error_message);
    }
    break;
  }
  case RPC_REQUEST:
  case RPC_NOTIFICATION: {
    FUZZ_CHECK(json_is_object(m->root), "request root not an object");
    FUZZ_CHECK(m->kind == RPC_REQUEST ? is_id(m->id) : m->id == NULL,
               "kind %d with id type %d", (int)m->kind,
               m->id ? (int)json_typeof(m->id) : -1);
    const json_t *method = json_object_get(m->root, "method");
    FUZZ_CHECK(m->method && json_is_string(method) &&
                   m->method == json_string_value(method) &&
                   strlen(m->method) == json_string_length(method),
               "method not the root's NUL-free \"method\"");
    FUZZ_CHECK(!m->params || json_is_object(m->params) ||
                   json_is_array(m->params),
               "params of type %d", (int)json_typeof(m->params));
    FUZZ_CHECK(!m->result && !m->error, "request with result or error");
    break;
  }
  case RPC_RESPONSE:
    FUZZ_CHECK(json_is_object(m->root), "response root not an object");
    FUZZ_CHECK(is_id(m->id) || json_is_null(m->id), "response id type %d",
               m->id ? (int)json_typeof(m->id) : -1);
    FUZZ_CHECK((m->result != NULL) != (m->error != NULL),
               "response with result %p and error %p", (void *)m->result,
               (void *)m->error);
    if (m->error)
      FUZZ_CHECK(json_is_object(m->error) &&
                     json_is_integer(json_object_get(m->error, "code")) &&
                     json_is_string(json_object_get(m->error, "message")),
                 "malformed error object");
    FUZZ_CHECK(!m->method && !m->params, "response with a method");
    break;
  default: FUZZ_CHECK(0, "kind %d", (int)m->kind);
  }
}

/* The classification rpc_message.h gives a parsed body (root not NULL):
 * the kind, the JSON-RPC code for RPC_INVALID, and the id to answer with. */
static void model_kind(const json_t *root, rpc_kind_t *kind, int *code,
                       const json_t **id) {
  const json_t *v, *method, *result, *error, *params;
  *kind = RPC_INVALID;
  *code = RPC_CODE_INVALID_REQUEST;
  *id = NULL;
  if (!json_is_object(root))
    return; /* a batch or not an object */
  v = json_object_get(root, "id");
  if (is_id(v))
    *id = v;
  v = json_object_get(root, "jsonrpc");
  if (!json_is_string(v) || json_string_length(v) != 3 ||
      memcmp(json_string_value(v), "2.0", 3) != 0)
    return;
  method = json_object_get(root, "method");
  result = json_object_get(root, "result");
  error = json_object_get(root, "error");
  v = json_object_get(root, "id");
  if (method) {
    params = json_object_get(root, "params");
    if (json_is_null(params))
      params = NULL;
    if (!json_is_string(method) ||
        strlen(json_string_value(method)) != json_string_length(method) ||
        result || error || (v && !is_id(v)) ||
        (params && !json_is_object(params) && !json_is_array(params)))
      return;
    *kind = v ? RPC_REQUEST : RPC_NOTIFICATION;
  } else {
    if ((!result && !error) || !v || (!is_id(v) && !json_is_null(v)) ||
        (result && error))
      return;
    if (error && !(json_is_object(error) &&
                   json_is_integer(json_object_get(error, "code")) &&
                   json_is_string(json_object_get(error, "message"))))
      return;
    *kind = RPC_RESPONSE;
    *id = v;
  }
  *code = 0;
}

static void check_kind(const rpc_message_t *m) {
  rpc_kind_t kind;
  int code;
  const json_t *id;
  if (!m->root)
    return; /* not JSON: checked by check_parsed */
  model_kind(m->root, &kind, &code, &id);
  FUZZ_CHECK(m->kind == kind && (kind != RPC_INVALID || m->error_code == code),
             "classified as kind %d code %d, model kind %d code %d (%s)",
             (int)m->kind, m->error_code, (int)kind, code, m->error_message);
  FUZZ_CHECK(m->id == id, "message id %p, model %p", (void *)m->id,
             (void *)id);
  if (kind == RPC_REQUEST || kind == RPC_NOTIFICATION) {
    const json_t *params = json_object_get(m->root, "params");
    FUZZ_CHECK(m->params == (json_is_null(params) ? NULL : params),
               "params not the root's (null counts as absent)");
  }
  if (kind == RPC_RESPONSE)
    FUZZ_CHECK(m->result == json_object_get(m->root, "result") &&
                   m->error == json_object_get(m->root, "error"),
               "result or error not the root's");
}

/* Parses a body this file built and returns it classified. */
static void parse_built(const char *s, size_t len, rpc_message_t *out) {
  rpc_error_t err;
  FUZZ_CHECK(rpc_message_parse(s, len, out, &err) == 0, "reparse failed");
  check_parsed(out);
}

/* Dumps msg (borrowed), parses it back and returns the parse; *dump is
 * the text (free() it). */
static void dump_and_parse(const json_t *msg, rpc_message_t *back, char **dump,
                           size_t *dump_len) {
  rpc_error_t err;
  FUZZ_CHECK(msg != NULL, "a builder returned NULL");
  int rc = rpc_message_dump(msg, dump, dump_len, &err);
  FUZZ_CHECK(rc == 0, "rpc_message_dump: %d %s", rc, err.message);
  FUZZ_CHECK(strlen(*dump) <= *dump_len, "dump length %zu", *dump_len);
  parse_built(*dump, *dump_len, back);
}

/* The answer a server would build, round-tripped. id NULL means null. */
static void check_answer(json_t *answer, const json_t *id, int error_code) {
  rpc_message_t back;
  char *text;
  size_t len;
  dump_and_parse(answer, &back, &text, &len);
  FUZZ_CHECK(back.kind == RPC_RESPONSE, "answer parsed as kind %d: %s",
             (int)back.kind, text);
  FUZZ_CHECK(id ? rpc_id_equal(id, back.id) : json_is_null(back.id),
             "answer id changed: %s", text);
  if (error_code) {
    json_t *code = json_object_get(back.error, "code");
    FUZZ_CHECK(json_integer_value(code) == error_code,
               "error answer code %lld, want %d: %s",
               (long long)json_integer_value(code), error_code, text);
  } else {
    FUZZ_CHECK(json_is_null(back.result), "result answer: %s", text);
  }
  rpc_message_close(&back);
  free(text);
  json_decref(answer);
}

static void check_round_trip(const rpc_message_t *m) {
  rpc_message_t back;
  char *text, *framed, *encoded;
  size_t len, framed_len, encoded_len;
  rpc_error_t err;
  dump_and_parse(m->root, &back, &text, &len);
  FUZZ_CHECK(back.root && json_equal(m->root, back.root),
             "dump does not parse back to an equal value: %s", text);
  FUZZ_CHECK(back.kind == m->kind && back.error_code == m->error_code,
             "kind %d code %d became kind %d code %d: %s", (int)m->kind,
             m->error_code, (int)back.kind, back.error_code, text);
  FUZZ_CHECK(strcmp(back.error_message, m->error_message) == 0,
             "reason \"%s\" became \"%s\"", m->error_message,
             back.error_message);
  FUZZ_CHECK((m->id == NULL) == (back.id == NULL) &&
                 (m->id == NULL || json_is_null(m->id) ||
                  rpc_id_equal(m->id, back.id)),
             "id changed: %s", text);
  FUZZ_CHECK((m->method == NULL) == (back.method == NULL) &&
                 (!m->method || strcmp(m->method, back.method) == 0),
             "method changed: %s", text);

  /* Framing out: rpc_message_frame == rpc_frame_encode(dump), and a
   * framer gives the dump back. */
  FUZZ_CHECK(rpc_message_frame(m->root, &framed, &framed_len, &err) == 0,
             "rpc_message_frame: %s", err.message);
  FUZZ_CHECK(rpc_frame_encode(text, len, &encoded, &encoded_len, &err) == 0,
             "rpc_frame_encode: %s", err.message);
  FUZZ_CHECK(framed_len == encoded_len &&
                 memcmp(framed, encoded, framed_len) == 0,
             "rpc_message_frame differs from rpc_frame_encode");
  rpc_framer_t *f;
  FUZZ_CHECK(rpc_framer_new(0, &f, &err) == 0, "rpc_framer_new");
  size_t consumed, body_len;
  const char *body;
  int rc = rpc_framer_feed(f, framed, framed_len, &consumed, &body, &body_len,
                           &err);
  FUZZ_CHECK(rc == 1 && consumed == framed_len && body_len == len &&
                 memcmp(body, text, len) == 0 && rpc_framer_idle(f),
             "own frame read back: rc %d consumed %zu of %zu", rc, consumed,
             framed_len);
  rpc_framer_free(f);
  free(framed);
  free(encoded);
  free(text);
  rpc_message_close(&back);

  /* Rebuilding requests and notifications from their parts. */
  if (m->kind == RPC_REQUEST || m->kind == RPC_NOTIFICATION) {
    json_t *params = m->params ? json_incref(m->params) : NULL;
    json_t *again = m->kind == RPC_REQUEST
                        ? rpc_request_new(m->id, m->method, params)
                        : rpc_notification_new(m->method, params);
    dump_and_parse(again, &back, &text, &len);
    FUZZ_CHECK(
        back.kind == m->kind && strcmp(back.method, m->method) == 0 &&
            (m->kind == RPC_NOTIFICATION || rpc_id_equal(m->id, back.id)) &&
            (m->params ? json_equal(m->params, back.params)
                       : back.params == NULL),
        "rebuilt message differs: %s", text);
    rpc_message_close(&back);
    free(text);
    json_decref(again);
  }
}

/* ---- the session: what a server does with each body ---- */

#define PENDING_MAX 6

typedef struct session {
  rpc_dispatch_t *table;
  rpc_lifecycle_t life;
  rpc_cancel_t *cancel;
  json_t *pending[PENDING_MAX]; /* ids in the set, oldest first */
  size_t npending;
  size_t bodies;
} session_t;

static void forget_oldest(session_t *s) {
  FUZZ_CHECK(rpc_cancel_remove(s->cancel, s->pending[0]) == 1,
             "a pending id was not in the set");
  json_decref(s->pending[0]);
  memmove(s->pending, s->pending + 1, --s->npending * sizeof *s->pending);
  FUZZ_CHECK(rpc_cancel_count(s->cancel) == s->npending,
             "set count %zu, "
             "model %zu",
             rpc_cancel_count(s->cancel), s->npending);
}

static int model_pending(const session_t *s, const json_t *id) {
  for (size_t i = 0; i < s->npending; i++)
    if (rpc_id_equal(s->pending[i], id))
      return 1;
  return 0;
}

static void track_cancel(session_t *s, const rpc_message_t *m) {
  rpc_error_t err;
  if (m->kind == RPC_REQUEST) {
    int was = model_pending(s, m->id);
    FUZZ_CHECK(rpc_cancel_is_pending(s->cancel, m->id) == was,
               "is_pending disagrees with the model");
    if (!was && s->npending == PENDING_MAX)
      forget_oldest(s); /* as if the oldest request had been answered */
    int rc = rpc_cancel_add(s->cancel, m->id, &err);
    FUZZ_CHECK(rc == (was ? RPC_EEXIST : 0), "rpc_cancel_add: %d, pending %d",
               rc, was);
    if (rc < 0) {
      check_error_text(&err, rc);
      return;
    }
    s->pending[s->npending++] = json_incref(m->id);
    FUZZ_CHECK(!rpc_cancel_is_cancelled(s->cancel, m->id),
               "a new id is cancelled");
  } else if (m->kind == RPC_NOTIFICATION &&
             strcmp(m->method, "$/cancelRequest") == 0) {
    json_t *id;
    int rc = rpc_cancel_params_id(m->params, &id, &err);
    if (rc < 0) {
      FUZZ_CHECK(rc == RPC_ESHAPE, "rpc_cancel_params_id: %d", rc);
      check_error_text(&err, rc);
      return;
    }
    FUZZ_CHECK(is_id(id), "cancel id of type %d", (int)json_typeof(id));
    int was = model_pending(s, id);
    FUZZ_CHECK(rpc_cancel_mark(s->cancel, id) == was,
               "rpc_cancel_mark disagrees with the model (pending %d)", was);
    FUZZ_CHECK(rpc_cancel_is_cancelled(s->cancel, id) == was,
               "is_cancelled after mark");
  }
}

static void on_body(session_t *s, const char *body, size_t len) {
  rpc_message_t m;
  rpc_error_t err;
  s->bodies++;
  int rc = rpc_message_parse(body, len, &m, &err);
  FUZZ_CHECK(rc == 0, "rpc_message_parse returned %d", rc);
  check_parsed(&m);
  check_kind(&m);

  static const rpc_lifecycle_t lives[3] = {RPC_LIFE_STARTING, RPC_LIFE_RUNNING,
                                           RPC_LIFE_SHUTDOWN};
  for (int i = 0; i < 3; i++) {
    rpc_route_t r;
    rpc_route_action_t action;
    int code;
    const model_method_t *mm;
    rpc_dispatch_route(s->table, &m, lives[i], &r);
    model_route(&m, lives[i], &action, &code, &mm);
    FUZZ_CHECK(r.action == action,
               "state %d, method \"%s\", kind %d: "
               "action %d, model %d",
               (int)lives[i], m.method ? m.method : "", (int)m.kind,
               (int)r.action, (int)action);
    if (action == RPC_ROUTE_ERROR) {
      FUZZ_CHECK(r.code == code && r.message && r.message[0],
                 "error route code %d, model %d", r.code, code);
      if (m.kind == RPC_INVALID)
        FUZZ_CHECK(strcmp(r.message, m.error_message) == 0,
                   "route message \"%s\"", r.message);
      check_answer(rpc_error_response_new(m.id, r.code, r.message, NULL), m.id,
                   r.code);
    } else if (action == RPC_ROUTE_CALL) {
      FUZZ_CHECK(r.method && strcmp(r.method->name, mm->name) == 0 &&
                     r.method->flags == mm->flags &&
                     r.method->handler == handler,
                 "called the wrong method for \"%s\"", m.method);
    }
    int before = handler_calls;
    int ret = rpc_dispatch_call(s->table, &m, lives[i], &handler_calls, &r);
    FUZZ_CHECK(r.action == action, "rpc_dispatch_call routed differently");
    FUZZ_CHECK(action == RPC_ROUTE_CALL
                   ? handler_calls == before + 1 && ret == 1000 + handler_calls
                   : handler_calls == before && ret == 0,
               "rpc_dispatch_call returned %d (action %d)", ret, (int)action);
  }

  /* The lifecycle a server would follow. */
  if (m.kind == RPC_REQUEST && s->life == RPC_LIFE_STARTING &&
      strcmp(m.method, "initialize") == 0)
    s->life = RPC_LIFE_RUNNING;
  else if (m.kind == RPC_REQUEST && s->life == RPC_LIFE_RUNNING &&
           strcmp(m.method, "shutdown") == 0)
    s->life = RPC_LIFE_SHUTDOWN;
  track_cancel(s, &m);

  if (m.kind == RPC_REQUEST)
    check_answer(rpc_response_new(m.id, NULL), m.id, 0);
  if (m.root)
    check_round_trip(&m);
  rpc_message_close(&m);
  FUZZ_CHECK(m.root == NULL && m.kind == RPC_INVALID, "close left %p",
             (void *)m.root);
  rpc_message_close(&m); /* safe on a closed message */
}

/* ---- the framer ---- */

static size_t chunk_size(int mode, uint32_t *state) {
  switch (mode) {
  case 0: return 1;
  case 1: return 1 + fuzz_next(state) % 16;
  case 2: return 1 + fuzz_next(state) % 512;
  default: return 1 + fuzz_next(state) % 8192;
  }
}

/* Feeds stream[0..len) to a new framer, whole (mode < 0) or in chunks,
 * logging every event; bodies go to s when it is not NULL. */
static void run_framer(const char *stream, size_t len, size_t max_body,
                       int mode, uint32_t seed, log_t *log, session_t *s) {
  rpc_framer_t *f;
  rpc_error_t err;
  FUZZ_CHECK(rpc_framer_new(max_body, &f, &err) == 0, "rpc_framer_new");
  FUZZ_CHECK(rpc_framer_max_body(f) == max_body, "max body %zu",
             rpc_framer_max_body(f));
  FUZZ_CHECK(rpc_framer_idle(f) && !rpc_framer_failed(f), "new framer");
  uint32_t state = seed;
  size_t pos = 0;
  int dead = 0;
  while (pos < len && !dead) {
    size_t chunk = mode < 0 ? len : chunk_size(mode, &state);
    if (chunk > len - pos)
      chunk = len - pos;
    const char *p = stream + pos;
    size_t left = chunk;
    pos += chunk;
    while (left > 0) {
      size_t consumed = SIZE_MAX, body_len = 0;
      const char *body = NULL;
      int rc = rpc_framer_feed(f, p, left, &consumed, &body, &body_len, &err);
      FUZZ_CHECK(consumed <= left, "consumed %zu of %zu", consumed, left);
      FUZZ_CHECK(rc == 0 ? consumed == left : consumed > 0,
                 "feed returned %d after consuming %zu of %zu", rc, consumed,
                 left);
      if (rc != 0) /* how often "not yet" comes depends on the chunks */
        log_event(log, rc, body, body_len);
      if (rc == 1) {
        FUZZ_CHECK(body && body[body_len] == '\0', "body not NUL-terminated");
        FUZZ_CHECK(body_len <= max_body, "body of %zu over the cap %zu",
                   body_len, max_body);
        FUZZ_CHECK(rpc_framer_idle(f), "not idle after a body");
        if (s)
          on_body(s, body, body_len);
      } else if (rc != 0) {
        FUZZ_CHECK(rc == RPC_ETOOBIG || rc == RPC_EHEADER || rc == RPC_ENOMEM,
                   "feed returned %d", rc);
        check_error_text(&err, rc);
        FUZZ_CHECK(rpc_framer_failed(f) == (rc == RPC_EHEADER),
                   "failed() %d after %d", rpc_framer_failed(f), rc);
        if (rc == RPC_EHEADER) {
          dead = 1;
          break;
        }
      }
      p += consumed;
      left -= consumed;
    }
  }
  if (dead) {
    size_t consumed;
    const char *body;
    size_t body_len;
    int rc = rpc_framer_feed(f, "x", 1, &consumed, &body, &body_len, &err);
    FUZZ_CHECK(rc == RPC_ESTREAM && consumed == 0,
               "feed after a header error returned %d", rc);
    check_error_text(&err, rc);
  }
  int idle = rpc_framer_idle(f);
  log_put(log, &idle, sizeof idle);
  rpc_framer_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const size_t caps[4] = {64 * 1024, 1024, 64, 1024 * 1024};
  if (size < 2)
    return 0;
  int mode = data[0] & 3;
  size_t max_body = caps[(data[0] >> 2) & 3];
  uint32_t seed = (uint32_t)data[1] * 2654435761u + 1;
  const char *stream = (const char *)data + 2;
  size_t len = size - 2;

  session_t s;
  memset(&s, 0, sizeof s);
  s.table = table_new();
  rpc_error_t err;
  FUZZ_CHECK(rpc_cancel_new(0, &s.cancel, &err) == 0, "rpc_cancel_new");

  log_t whole = {0}, chunked = {0};
  run_framer(stream, len, max_body, -1, seed, &whole, NULL);
  run_framer(stream, len, max_body, mode, seed, &chunked, &s);
  FUZZ_CHECK(whole.len == chunked.len &&
                 memcmp(whole.buf, chunked.buf, whole.len) == 0,
             "framing depends on chunking (mode %d): %zu log bytes whole, "
             "%zu chunked",
             mode, whole.len, chunked.len);
  free(whole.buf);
  free(chunked.buf);

  while (s.npending)
    forget_oldest(&s);
  FUZZ_CHECK(rpc_cancel_count(s.cancel) == 0, "set not empty");
  rpc_cancel_free(s.cancel);
  rpc_dispatch_free(s.table);
  return 0;
}
