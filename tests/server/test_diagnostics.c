/*
 * test_diagnostics.c: hot-path diagnostics through the server's core: the
 * built-in Go rules on a profile made here, a user's rule checked against
 * heatls.search's hot matches, edits (debounced, lines moved), rules
 * turned off, a rule that does not compile, a cleared profile.
 *
 * Usage: test_server_diagnostics TESTDATA_DIR
 */
#include "check.h"
#include "harness.h"
#include "heat_search.h"
#include "profile_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

/* The last publishDiagnostics for uri at or after index from, or NULL. */
static const json_t *last_published(const harness_t *h, size_t from,
                                    const char *uri) {
  const json_t *found = NULL;
  for (long at = harness_find(h, from, "textDocument/publishDiagnostics");
       at >= 0; at = harness_find(h, (size_t)at + 1,
                                  "textDocument/publishDiagnostics")) {
    const json_t *p = json_object_get(h->sent[at], "params");
    if (strcmp(json_string_value(json_object_get(p, "uri")), uri) == 0)
      found = p;
  }
  return found;
}

static long long line_of(const json_t *d) {
  return json_integer_value(json_object_get(
      json_object_get(json_object_get(d, "range"), "start"), "line"));
}

/* A Go file whose lines 4-7 the profile made below finds hot: at
 * threshold 1.0, line 4 is G5, 7 G4, 5 G3, 6 G2. */
static const char *source =
    "package hot\n"                                     /* 1 */
    "\n"                                                /* 2 */
    "func f(n int, msg string) error {\n"               /* 3 */
    "\tif n < 0 { return fmt.Errorf(\"negative\") }\n"  /* 4 */
    "\tif n > 9 { return fmt.Errorf(\"big %d\", n) }\n" /* 5 */
    "\tif n == 5 { return fmt.Errorf(msg) }\n"          /* 6 */
    "\treturn nil, errors.New(\"no\")\n"                /* 7 */
    "}\n";                                              /* 8 */

static int write_profile(const char *go_file, char *path, size_t size) {
  pb_builder_t *b = pb_builder_new();
  pb_add_sample_type(b, "cpu", "nanoseconds");
  uint64_t fn = pb_add_function(b, "example.com/hot.f", go_file);
  const int64_t ms[] = {9, 2, 1, 8}; /* lines 4, 5, 6, 7 */
  for (int line = 4; line <= 7; line++) {
    uint64_t loc = pb_add_frame(b, fn, line);
    int64_t v = 1000000 * ms[line - 4];
    pb_add_sample(b, 1, &loc, 1, &v);
  }
  uint8_t *buf;
  size_t len;
  int rc = pb_build_bytes(b, 1, &buf, &len);
  pb_builder_free(b);
  if (rc == 0) {
    rc = pb_write_temp(buf, len, path, size);
    free(buf);
  }
  return rc;
}

static void send_open(harness_t *h, const char *uri, const char *text) {
  json_t *t = json_string(text);
  char *dumped = json_dumps(t, JSON_ENCODE_ANY);
  harness_send(h,
               "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\","
               "\"params\":{\"textDocument\":{\"uri\":\"%s\",\"languageId\":"
               "\"go\",\"version\":1,\"text\":%s}}}",
               uri, dumped);
  free(dumped);
  json_decref(t);
}

static void settings(harness_t *h, const char *json) {
  harness_send(h,
               "{\"jsonrpc\":\"2.0\",\"method\":"
               "\"workspace/didChangeConfiguration\",\"params\":"
               "{\"settings\":%s}}",
               json);
}

int main(void) {
  int go = 0;
  for (size_t i = 0; i < hs_builtin_count(); i++)
    go |= strcmp(hs_builtin_name(i), "go") == 0 && hs_builtin_has_grammar(i);
  if (!go) {
    fprintf(stderr, "no Go grammar in this build (tools/deps-grammars.sh)\n");
    return getenv("CI") ? 1 : 77;
  }
  if (pb_make_temp_dir(dir, sizeof dir) < 0)
    return 1;
  char go_file[512], uri[600], profile[512];
  snprintf(go_file, sizeof go_file, "%s/hot.go", dir);
  snprintf(uri, sizeof uri, "file://%s", go_file);
  if (write_profile(go_file, profile, sizeof profile) < 0)
    return 1;

  harness_t h;
  if (harness_open(&h) < 0)
    return 1;
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                   "\"params\":{\"capabilities\":{},"
                   "\"initializationOptions\":{\"threshold\":1.0}}}");
  harness_wait_reply(&h, 1, 100);
  send_open(&h, uri, source);
  CHECK(last_published(&h, 0, uri) == NULL); /* no profile: nothing */
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
               "\"workspace/executeCommand\",\"params\":{\"command\":"
               "\"heatls.loadProfile\",\"arguments\":[\"%s\"]}}",
               profile);
  long answer = harness_wait_reply(&h, 2, 10000);
  const json_t *p = last_published(&h, 0, uri);
  CHECK(p != NULL && answer >= 0);
  /* The constant fmt.Errorf of line 4 and the errors.New of line 7; not
   * the formatting one (5) nor the one of a variable (6). */
  const json_t *list = json_object_get(p, "diagnostics");
  CHECK_INT(json_array_size(list), 2);
  const json_t *d0 = json_array_get(list, 0), *d1 = json_array_get(list, 1);
  CHECK_INT(line_of(d0), 3);
  CHECK_STR(json_string_value(json_object_get(d0, "code")),
            "go-errorf-constant");
  CHECK_STR(json_string_value(json_object_get(d0, "source")), "heatls");
  CHECK(strstr(json_string_value(json_object_get(d0, "message")),
               "hot path (0.01s, G5)") != NULL);
  CHECK_INT(line_of(d1), 6);
  CHECK_STR(json_string_value(json_object_get(d1, "code")),
            "go-errors-new-return");

  /* An edit: the diagnostics follow their lines once the edits pause. */
  size_t mark = h.sent_count;
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\","
               "\"params\":{\"textDocument\":{\"uri\":\"%s\",\"version\":2},"
               "\"contentChanges\":[{\"range\":{\"start\":{\"line\":1,"
               "\"character\":0},\"end\":{\"line\":1,\"character\":0}},"
               "\"text\":\"// a\\n// b\\n\"}]}}",
               uri);
  CHECK(last_published(&h, mark, uri) == NULL); /* debounced */
  harness_spin(&h, 600);
  p = last_published(&h, mark, uri);
  list = json_object_get(p, "diagnostics");
  CHECK_INT(json_array_size(list), 2);
  CHECK_INT(line_of(json_array_get(list, 0)), 5);
  CHECK_INT(json_integer_value(json_object_get(p, "version")), 2);

  /* A user's rule; a built-in turned off. */
  mark = h.sent_count;
  settings(&h, "{\"disabledRules\": [\"go-errors-new-return\"], \"rules\": "
               "[{\"id\": \"any-errorf\", \"pattern\": \"fmt.Errorf($*_)\", "
               "\"language\": \"go\", \"message\": \"Errorf here\", "
               "\"minLevel\": 3, \"severity\": \"warning\"}]}");
  p = last_published(&h, mark, uri);
  list = json_object_get(p, "diagnostics");
  size_t i, errorf = 0, any = 0;
  const json_t *d;
  json_array_foreach(list, i, d) {
    const char *code = json_string_value(json_object_get(d, "code"));
    errorf += strcmp(code, "go-errorf-constant") == 0;
    if (strcmp(code, "any-errorf") == 0) {
      any++;
      CHECK_INT(json_integer_value(json_object_get(d, "severity")), 2);
      CHECK(strstr(json_string_value(json_object_get(d, "message")),
                   "Errorf here (") != NULL);
    }
    CHECK(strcmp(code, "go-errors-new-return") != 0);
  }
  CHECK_INT(errorf, 1);
  CHECK_INT(any, 2); /* lines 4 (G5) and 5 (G3); 6 is G2 */

  /* A rule that does not compile: a warning, the others still run. */
  mark = h.sent_count;
  settings(&h,
           "{\"rules\": [{\"id\": \"broken\", \"pattern\": \"fmt.Errorf(\", "
           "\"language\": \"go\", \"message\": \"x\"}]}");
  long shown = harness_find(&h, mark, "window/showMessage");
  CHECK(shown >= 0);
  /* A rule of the wrong shape: refused with the whole object. */
  mark = h.sent_count;
  settings(&h, "{\"rules\": [{\"id\": \"x\", \"message\": \"no pattern\"}]}");
  CHECK(harness_find(&h, mark, "window/showMessage") >= 0);

  /* Closed profile: the list is emptied. */
  mark = h.sent_count;
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":"
                   "\"workspace/executeCommand\",\"params\":{\"command\":"
                   "\"heatls.clearProfile\",\"arguments\":[]}}");
  harness_wait_reply(&h, 9, 1000);
  p = last_published(&h, mark, uri);
  CHECK(p != NULL);
  CHECK_INT(json_array_size(json_object_get(p, "diagnostics")), 0);
  CHECK_INT(harness_close(&h), 0);
  unlink(profile);
  rmdir(dir);
  CHECK_DONE();
}
