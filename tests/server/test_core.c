/*
 * test_core.c: the language server's core (routing, handlers, model,
 * workspace, outbox) through a fake transport: what it sends for what it
 * is sent, checked against the index itself.
 *
 * Usage: test_server_core TESTDATA_DIR
 */
#include "check.h"
#include "harness.h"
#include "heat_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *testdata;
static char profile_path[4096];
static char tmp[256];

static const char *method_of(const json_t *m) {
  return json_string_value(json_object_get(m, "method"));
}

static const json_t *result_of(const harness_t *h, long at) {
  return at < 0 ? NULL : json_object_get(h->sent[at], "result");
}

static long long error_code(const harness_t *h, long at) {
  const json_t *e = at < 0 ? NULL : json_object_get(h->sent[at], "error");
  return e ? json_integer_value(json_object_get(e, "code")) : 0;
}

/* A file's text as a JSON string literal's contents (escaped). */
static char *json_text_of(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = calloc(1, 1 << 16);
  size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
  fclose(f);
  json_t *s = json_stringn(buf, n);
  free(buf);
  char *text = json_dumps(s, JSON_ENCODE_ANY);
  json_decref(s);
  return text; /* with its quotes */
}

/* The 0-based lines of `file` that the index lights (a level above 0 on
 * the hottest point of the line), as decorations list them. */
static size_t expected_lines(const hx_index_t *index, const char *file,
                             uint32_t *lines, size_t cap) {
  long f = hx_index_find_file(index, file);
  if (f < 0)
    return 0;
  const uint32_t *ids;
  size_t n = hx_index_file_lines(index, (size_t)f, 1, UINT32_MAX, &ids), k = 0;
  uint32_t last = 0;
  for (size_t i = 0; i < n && k < cap; i++) {
    const hx_point_t *p = hx_index_point(index, ids[i]);
    if (i > 0 && p->line == last)
      continue;
    last = p->line;
    if (p->local || p->global)
      lines[k++] = p->line - 1;
  }
  return k;
}

static hx_index_t *load_index(double threshold) {
  FILE *f = fopen(profile_path, "rb");
  if (!f)
    return NULL;
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  hx_options_t opts;
  hx_options_init(&opts);
  opts.threshold = threshold;
  hx_index_t *index = NULL;
  hx_index_load_buffer(buf, n, &opts, &index, NULL);
  return index;
}

static void check_decorations(const json_t *params, const char *uri,
                              double threshold, const char *mode) {
  hx_index_t *index = load_index(threshold);
  CHECK(index != NULL);
  if (!index)
    return;
  uint32_t want[256];
  size_t n =
      expected_lines(index, "/home/ci/work/wordfreq/count.go", want, 256);
  const json_t *lines = json_object_get(params, "lines");
  CHECK_STR(json_string_value(json_object_get(params, "uri")), uri);
  CHECK_STR(json_string_value(json_object_get(params, "mode")), mode);
  CHECK(n > 0);
  CHECK_INT(json_array_size(lines), n);
  for (size_t i = 0; i < n && i < json_array_size(lines); i++)
    CHECK_INT(
        json_integer_value(json_object_get(json_array_get(lines, i), "line")),
        want[i]);
  hx_index_free(index);
}

static void lifecycle(void) {
  harness_t h;
  if (harness_open(&h) < 0) {
    CHECK(0);
    return;
  }
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                   "\"textDocument/hover\",\"params\":{}}");
  CHECK_INT(error_code(&h, harness_wait_reply(&h, 1, 100)), -32002);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\","
                   "\"params\":{\"capabilities\":{}}}");
  const json_t *caps = json_object_get(
      result_of(&h, harness_wait_reply(&h, 2, 100)), "capabilities");
  const json_t *cmds = json_object_get(
      json_object_get(caps, "executeCommandProvider"), "commands");
  CHECK_INT(json_array_size(cmds), 7);
  CHECK_STR(json_string_value(json_array_get(cmds, 0)), "heatls.loadProfile");
  CHECK_STR(json_string_value(json_object_get(caps, "positionEncoding")),
            "utf-16");
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\","
                   "\"params\":{}}");
  CHECK_INT(error_code(&h, harness_wait_reply(&h, 3, 100)), -32600);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":"
                   "\"workspace/executeCommand\",\"params\":{\"command\":"
                   "\"heatls.nothing\",\"arguments\":[]}}");
  CHECK_INT(error_code(&h, harness_wait_reply(&h, 4, 100)), -32602);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"shutdown\"}");
  CHECK(harness_wait_reply(&h, 5, 100) >= 0);
  CHECK(!h.finished);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
  CHECK(h.finished);
  CHECK_INT(h.status, 0);
  CHECK_INT(h.bad_frames, 0);
  CHECK_INT(harness_close(&h), 0);
}

static void initialize(harness_t *h, const char *root) {
  harness_send(h,
               "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
               "\"params\":{\"rootUri\":\"file://%s\",\"capabilities\":"
               "{\"workspace\":{\"inlayHint\":{\"refreshSupport\":true}}}}}",
               root);
  harness_wait_reply(h, 1, 100);
  harness_send(h, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\","
                  "\"params\":{}}");
}

static void open_doc(harness_t *h, const char *uri, const char *source) {
  char *text = json_text_of(source);
  CHECK(text != NULL);
  harness_send(h,
               "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\","
               "\"params\":{\"textDocument\":{\"uri\":\"%s\",\"languageId\":"
               "\"go\",\"version\":7,\"text\":%s}}}",
               uri, text ? text : "\"\"");
  free(text);
}

static long load(harness_t *h, long long id, const char *path) {
  harness_send(h,
               "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":"
               "\"workspace/executeCommand\",\"params\":{\"command\":"
               "\"heatls.loadProfile\",\"arguments\":[\"%s\"]}}",
               id, path);
  return harness_wait_reply(h, id, 10000);
}

static long command(harness_t *h, long long id, const char *name,
                    const char *args) {
  harness_send(h,
               "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":"
               "\"workspace/executeCommand\",\"params\":{\"command\":\"%s\","
               "\"arguments\":%s}}",
               id, name, args);
  return harness_wait_reply(h, id, 1000);
}

/* The loaded profile changes: load, settings, clear, a bad load. */
static void profile_changes(void) {
  harness_t h;
  if (harness_open(&h) < 0) {
    CHECK(0);
    return;
  }
  char uri[512], source[4096];
  initialize(&h, tmp);
  snprintf(uri, sizeof uri, "file://%s/one/wordfreq/count.go", tmp);
  snprintf(source, sizeof source, "%s/programs/wordfreq/count.go", testdata);
  open_doc(&h, uri, source);
  CHECK_INT(h.sent_count, 1); /* the initialize answer: nothing to paint */

  /* Decorations before the answer, then the refresh the client asked for. */
  long answer = load(&h, 10, profile_path);
  long deco = harness_find(&h, 0, "heatls/decorations");
  CHECK(answer >= 0 && deco >= 0 && deco < answer);
  if (deco >= 0)
    check_decorations(json_object_get(h.sent[deco], "params"), uri, 0.5,
                      "both");
  CHECK(harness_find(&h, (size_t)deco + 1, "heatls/decorations") < 0);
  long refresh = harness_find(&h, 0, "workspace/inlayHint/refresh");
  CHECK(refresh > deco && refresh < answer);
  const json_t *sum = result_of(&h, answer);
  CHECK_INT(json_integer_value(json_object_get(sum, "documents")), 1);
  CHECK_STR(json_string_value(json_object_get(sum, "path")), profile_path);

  /* heatls.hotspots with a file scope: a file that is not open matches by
   * the rules decorations use. Another wordfreq/count.go shares as many
   * trailing components with the profile's as the open one: ambiguous. */
  char args[1024];
  snprintf(
      args, sizeof args,
      "[{\"scope\":\"file\",\"uri\":\"file://%s/two/wordfreq/count.go\"}]",
      tmp);
  long at = command(&h, 11, "heatls.hotspots", args);
  CHECK(json_is_array(result_of(&h, at)));
  CHECK_INT(json_array_size(result_of(&h, at)), 0);
  /* main.go is open nowhere and unique: its lines, and only its. */
  snprintf(args, sizeof args,
           "[{\"scope\":\"file\",\"uri\":\"file://%s/two/wordfreq/main.go\"}]",
           tmp);
  at = command(&h, 12, "heatls.hotspots", args);
  const json_t *list = result_of(&h, at);
  CHECK(json_array_size(list) > 0);
  size_t i;
  const json_t *item;
  json_array_foreach(list, i, item) {
    CHECK_STR(json_string_value(json_object_get(item, "path")),
              "/home/ci/work/wordfreq/main.go");
  }
  /* The open document gives count.go's uri. */
  at = command(&h, 13, "heatls.hotspots", "[{\"limit\":10000}]");
  int seen = 0;
  json_array_foreach(result_of(&h, at), i, item) {
    const char *path = json_string_value(json_object_get(item, "path"));
    if (path && strcmp(path, "/home/ci/work/wordfreq/count.go") == 0) {
      seen++;
      CHECK_STR(json_string_value(json_object_get(item, "uri")), uri);
    }
  }
  CHECK(seen > 0);

  /* Settings: a new hints mode repaints; a new threshold re-ranks. */
  harness_clear(&h);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":"
                   "\"workspace/didChangeConfiguration\",\"params\":"
                   "{\"settings\":{\"heatls\":{\"hints\":\"global\"}}}}");
  deco = harness_find(&h, 0, "heatls/decorations");
  CHECK(deco >= 0);
  if (deco >= 0)
    check_decorations(json_object_get(h.sent[deco], "params"), uri, 0.5,
                      "global");
  harness_clear(&h);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":"
                   "\"workspace/didChangeConfiguration\",\"params\":"
                   "{\"settings\":{\"threshold\":1.0}}}");
  deco = harness_find(&h, 0, "heatls/decorations");
  CHECK(deco >= 0);
  if (deco >= 0)
    check_decorations(json_object_get(h.sent[deco], "params"), uri, 1.0,
                      "global");
  /* A bad object changes nothing and says so. */
  harness_clear(&h);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":"
                   "\"workspace/didChangeConfiguration\",\"params\":"
                   "{\"settings\":{\"threshold\":3, \"hints\":\"both\"}}}");
  CHECK_INT(h.sent_count, 1);
  CHECK_STR(method_of(h.sent[0]), "window/showMessage");
  CHECK(harness_find(&h, 0, "heatls/decorations") < 0);

  /* A bad load: an error answer and a message; the profile stays. */
  harness_clear(&h);
  char missing[4096];
  snprintf(missing, sizeof missing, "%s/nothing-here.pb.gz", tmp);
  answer = load(&h, 20, missing);
  CHECK_INT(error_code(&h, answer), -32803);
  CHECK(harness_find(&h, 0, "window/showMessage") >= 0);
  CHECK(harness_find(&h, 0, "heatls/decorations") < 0);
  at = command(&h, 21, "heatls.status", "[]");
  CHECK_STR(json_string_value(json_object_get(result_of(&h, at), "path")),
            profile_path);

  /* Clear: the painted document is painted empty before the answer. */
  harness_clear(&h);
  answer = command(&h, 22, "heatls.clearProfile", "[]");
  deco = harness_find(&h, 0, "heatls/decorations");
  CHECK(deco >= 0 && deco < answer);
  CHECK_INT(json_array_size(json_object_get(
                json_object_get(h.sent[deco], "params"), "lines")),
            0);
  at = command(&h, 23, "heatls.status", "[]");
  CHECK(json_is_null(result_of(&h, at)));
  at = command(&h, 24, "heatls.hotspots", "[]");
  CHECK_INT(error_code(&h, at), -32803);
  CHECK_INT(h.bad_frames, 0);
  CHECK_INT(harness_close(&h), 0);
}

/* Queued loads: a cancelled one is answered -32800 at once; the one that
 * runs completes. */
static void cancel(void) {
  harness_t h;
  if (harness_open(&h) < 0) {
    CHECK(0);
    return;
  }
  initialize(&h, tmp);
  for (int id = 30; id < 33; id++)
    harness_send(&h,
                 "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":"
                 "\"workspace/executeCommand\",\"params\":{\"command\":"
                 "\"heatls.loadProfile\",\"arguments\":[\"%s\"]}}",
                 id, profile_path);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\","
                   "\"params\":{\"id\":32}}");
  CHECK_INT(error_code(&h, harness_wait_reply(&h, 32, 10)), -32800);
  CHECK(json_is_object(result_of(&h, harness_wait_reply(&h, 30, 10000))));
  CHECK(json_is_object(result_of(&h, harness_wait_reply(&h, 31, 10000))));
  /* The same id twice while the first waits. */
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"id\":40,\"method\":"
               "\"workspace/executeCommand\",\"params\":{\"command\":"
               "\"heatls.loadProfile\",\"arguments\":[\"%s\"]}}",
               profile_path);
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"id\":40,\"method\":"
               "\"workspace/executeCommand\",\"params\":{\"command\":"
               "\"heatls.loadProfile\",\"arguments\":[\"%s\"]}}",
               profile_path);
  CHECK_INT(error_code(&h, harness_wait_reply(&h, 40, 10)), -32600);
  harness_spin(&h, 50);
  CHECK_INT(harness_close(&h), 0);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_server_core TESTDATA_DIR\n");
    return 2;
  }
  testdata = argv[1];
  snprintf(profile_path, sizeof profile_path, "%s/programs/wordfreq/cpu.pb.gz",
           testdata);
  snprintf(tmp, sizeof tmp, "/tmp/heatls-core-XXXXXX");
  if (!mkdtemp(tmp)) {
    perror("mkdtemp");
    return 1;
  }
  lifecycle();
  profile_changes();
  cancel();
  rmdir(tmp);
  CHECK_DONE();
}
