/*
 * test_alloc.c: allocation failure torture for the protocol module. Each
 * scenario is run again and again with the 1st, 2nd, 3rd... allocation
 * failing (the module's own, through the linker's --wrap of malloc, calloc
 * and realloc, and jansson's, through json_set_alloc_funcs), until a run
 * makes fewer allocations than the one meant to fail. Every run must end
 * in success or RPC_ENOMEM with the last good state kept; the leak
 * checkers (ASan, valgrind) then see that nothing was lost on the way.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fail_alloc.h"
#include "lsp_protocol.h"

static void *json_alloc(size_t size) { return __wrap_malloc(size); }

/* Runs scenario with each allocation failing in turn. */
static void torture(const char *name, void (*scenario)(void)) {
  long n;
  for (n = 1; n < 100000; n++) {
    int before = check_failures;
    fail_alloc_arm(n, 0);
    scenario();
    if (check_failures != before)
      fprintf(stderr, "  (%s with allocation %ld failing)\n", name, n);
    if (!fail_alloc_failed())
      break; /* the scenario needed fewer than n allocations */
  }
  fail_alloc_disarm();
  CHECK(n > 1); /* it allocated at all */
}

static void sc_framer(void) {
  rpc_framer_t *f = NULL;
  const char *stream =
      "Content-Length: 3\r\n\r\nabcContent-Length: 2\r\n\r\nok";
  size_t off = 0, len = strlen(stream), used, blen;
  const char *body;
  int got = 0, nomem = 0, r;
  r = rpc_framer_new(0, &f, NULL);
  if (r == RPC_ENOMEM) {
    CHECK(f == NULL && fail_alloc_failed());
    return;
  }
  CHECK_INT(r, 0);
  while (off < len) {
    r = rpc_framer_feed(f, stream + off, len - off, &used, &body, &blen, NULL);
    off += used;
    if (r == 1)
      got++;
    else if (r == RPC_ENOMEM)
      nomem++; /* that body is skipped; the stream goes on */
    else
      CHECK_INT(r, 0);
  }
  CHECK_INT(got + nomem, 2);
  CHECK(nomem == 0 || fail_alloc_failed());
  CHECK_INT(rpc_framer_idle(f), 1);
  if (got == 2 || nomem) {
    /* The last message always arrives: only one allocation fails. */
    CHECK_MEM(body, blen, "ok");
  }
  rpc_framer_free(f);
}

static void sc_frame_encode(void) {
  char *out = NULL;
  size_t len = 0;
  int r = rpc_frame_encode("{}", 2, &out, &len, NULL);
  if (r == RPC_ENOMEM) {
    CHECK(out == NULL && fail_alloc_failed());
    return;
  }
  CHECK_INT(r, 0);
  CHECK_MEM(out, len, "Content-Length: 2\r\n\r\n{}");
  free(out);
}

static void sc_message(void) {
  const char *body = "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"m\","
                     "\"params\":{\"a\":[1,2,3],\"b\":\"text\"}}";
  rpc_message_t m;
  json_t *resp, *err_resp, *req, *note;
  char *s = NULL;
  size_t len;
  int r;

  CHECK_INT(rpc_message_parse(body, strlen(body), &m, NULL), 0);
  if (m.kind == RPC_INVALID) {
    /* jansson reports running out of memory as a parse error. */
    CHECK(fail_alloc_failed());
    CHECK_INT(m.error_code, RPC_CODE_PARSE_ERROR);
    rpc_message_close(&m);
    return;
  }
  CHECK_INT(m.kind, RPC_REQUEST);
  resp = rpc_response_new(m.id, json_pack("{s:i}", "x", 1));
  err_resp = rpc_error_response_new(m.id, RPC_CODE_INVALID_PARAMS, "bad",
                                    json_pack("[i]", 5));
  req = rpc_request_new(m.id, "workspace/configuration", json_object());
  note = rpc_notification_new("window/logMessage", json_object());
  CHECK((resp && err_resp && req && note) || fail_alloc_failed());
  if (resp) {
    r = rpc_message_frame(resp, &s, &len, NULL);
    CHECK(r == 0 || (r == RPC_ENOMEM && fail_alloc_failed()));
    if (r == 0)
      CHECK(strncmp(s, "Content-Length: ", 16) == 0);
    free(s);
  }
  json_decref(resp);
  json_decref(err_resp);
  json_decref(req);
  json_decref(note);
  rpc_message_close(&m);
}

static int noop(void *ctx, const rpc_message_t *msg) {
  (void)ctx;
  (void)msg;
  return 0;
}

static void sc_dispatch(void) {
  rpc_dispatch_t *t = NULL;
  char name[32];
  int i, r, added = 0;
  r = rpc_dispatch_new(&t, NULL);
  if (r == RPC_ENOMEM) {
    CHECK(t == NULL && fail_alloc_failed());
    return;
  }
  for (i = 0; i < 40; i++) {
    snprintf(name, sizeof name, "method/%02d", (i * 17) % 40);
    r = rpc_dispatch_add(t, name, noop, RPC_METHOD_REQUEST, NULL);
    if (r == RPC_ENOMEM) {
      CHECK(fail_alloc_failed());
      CHECK(rpc_dispatch_find(t, name) == NULL);
    } else {
      CHECK_INT(r, 0);
      added++;
    }
    CHECK_INT(rpc_dispatch_count(t), added);
  }
  rpc_dispatch_free(t);
}

static void sc_cancel(void) {
  rpc_cancel_t *set = NULL;
  int i, r, added = 0;
  r = rpc_cancel_new(0, &set, NULL);
  if (r == RPC_ENOMEM) {
    CHECK(set == NULL && fail_alloc_failed());
    return;
  }
  for (i = 0; i < 20; i++) {
    char s[16];
    json_t *id;
    snprintf(s, sizeof s, "id-%d", i);
    fail_alloc_pause(1); /* the test's own id is not under test */
    id = json_string(s);
    fail_alloc_pause(0);
    r = rpc_cancel_add(set, id, NULL);
    if (r == RPC_ENOMEM) {
      CHECK(fail_alloc_failed());
      CHECK_INT(rpc_cancel_is_pending(set, id), 0);
    } else {
      CHECK_INT(r, 0);
      added++;
    }
    CHECK_INT(rpc_cancel_count(set), added);
    json_decref(id);
  }
  rpc_cancel_free(set);
}

static void sc_uri(void) {
  char *path = NULL, *uri = NULL;
  int r = lsp_uri_to_path("file:///a%20b", &path, NULL);
  CHECK(r == 0 || (r == RPC_ENOMEM && fail_alloc_failed() && path == NULL));
  if (r == 0)
    CHECK_STR(path, "/a b");
  free(path);
  r = lsp_uri_from_path("/a b", &uri, NULL);
  CHECK(r == 0 || (r == RPC_ENOMEM && fail_alloc_failed() && uri == NULL));
  if (r == 0)
    CHECK_STR(uri, "file:///a%20b");
  free(uri);
}

static void sc_text(void) {
  lsp_text_t *t = NULL;
  lsp_range_t rg = {{1, 1}, {1, 1}};
  lsp_line_change_t c = {0, 0, 0};
  int r = lsp_text_new("ab\ncd", 5, 0, &t, NULL);
  if (r == RPC_ENOMEM) {
    CHECK(t == NULL && fail_alloc_failed());
    return;
  }
  CHECK_INT(r, 0);
  /* Grows the buffer and the line table. */
  r = lsp_text_apply(t, &rg, LSP_ENCODING_UTF16, "0123456789\n", 11, &c, NULL);
  if (r == RPC_ENOMEM) {
    CHECK(fail_alloc_failed());
    CHECK_MEM(lsp_text_data(t), lsp_text_size(t), "ab\ncd");
    CHECK_INT(lsp_text_line_count(t), 2);
  } else {
    CHECK_INT(r, 0);
    CHECK_MEM(lsp_text_data(t), lsp_text_size(t), "ab\nc0123456789\nd");
    CHECK_INT(lsp_text_line_count(t), 3);
  }
  {
    const char *before = lsp_text_data(t);
    size_t size = lsp_text_size(t), lines = lsp_text_line_count(t);
    char *copy;
    fail_alloc_pause(1);
    copy = malloc(size + 1);
    fail_alloc_pause(0);
    memcpy(copy, before, size + 1);
    r = lsp_text_replace_all(t, "a much longer text\nthan before\n", 31, &c,
                             NULL);
    if (r == RPC_ENOMEM) {
      CHECK(fail_alloc_failed());
      CHECK_MEM(lsp_text_data(t), lsp_text_size(t), copy);
      CHECK_INT(lsp_text_line_count(t), lines);
    } else {
      CHECK_INT(r, 0);
      CHECK_INT(lsp_text_line_count(t), 3);
    }
    free(copy);
  }
  lsp_text_free(t);
}

static void sc_position_json(void) {
  lsp_range_t r = {{1, 2}, {3, 4}};
  json_t *v = lsp_range_to_json(&r);
  CHECK(v != NULL || fail_alloc_failed());
  if (v)
    CHECK_INT(json_integer_value(
                  json_object_get(json_object_get(v, "end"), "character")),
              4);
  json_decref(v);
}

int main(void) {
  json_set_alloc_funcs(json_alloc, free);
  torture("framer", sc_framer);
  torture("frame_encode", sc_frame_encode);
  torture("message", sc_message);
  torture("dispatch", sc_dispatch);
  torture("cancel", sc_cancel);
  torture("uri", sc_uri);
  torture("text", sc_text);
  torture("position_json", sc_position_json);
  CHECK_DONE();
}
