/*
 * test_search.c: heatls.search through the server's core, with
 * `heatls search` (itself checked against gogrep, tests/search) as the
 * oracle: the same pattern over the same folder finds the same matches,
 * the hot ones too; open documents are searched as the editor has them,
 * their heat following their edits; bad patterns, a search without a
 * profile, a cancelled search.
 *
 * Usage: test_server_search TESTDATA_DIR HEATLS
 */
#include "check.h"
#include "harness.h"
#include "heat_search.h"
#include "profile_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *testdata, *heatls;
static char dir[256], profile[512];

static long long error_code(const harness_t *h, long at) {
  const json_t *e = at < 0 ? NULL : json_object_get(h->sent[at], "error");
  return e ? json_integer_value(json_object_get(e, "code")) : 0;
}

static const json_t *result_of(const harness_t *h, long at) {
  return at < 0 ? NULL : json_object_get(h->sent[at], "result");
}

/* What `heatls search` prints for the pattern over dir, one "file:line"
 * per match (its first line), in *lines; returns how many. */
static size_t cli_matches(const char *pattern, int min_level,
                          char lines[][600], size_t cap) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "cd '%s' && '%s' search --min-level %d '%s' '%s' .", dir, heatls,
           min_level, profile, pattern);
  FILE *f = popen(cmd, "r");
  size_t n = 0;
  char line[4096];
  while (f && fgets(line, sizeof line, f) && n < cap) {
    char *second = strchr(line, ':');
    char *third = second ? strchr(second + 1, ':') : NULL;
    if (!third)
      continue;
    snprintf(lines[n++], 600, "%s/%.*s", dir, (int)(third - line), line);
  }
  if (f)
    pclose(f);
  return n;
}

/* The server's answer as "path:line" (1-based) strings. */
static size_t lsp_matches(const json_t *list, char lines[][600], size_t cap) {
  size_t i, n = 0;
  const json_t *item;
  json_array_foreach(list, i, item) {
    const char *uri = json_string_value(json_object_get(item, "uri"));
    long long line = json_integer_value(json_object_get(
        json_object_get(json_object_get(item, "range"), "start"), "line"));
    if (uri && strncmp(uri, "file://", 7) == 0 && n < cap)
      snprintf(lines[n++], 600, "%s:%lld", uri + 7, line + 1);
  }
  return n;
}

static int by_text(const void *a, const void *b) { return strcmp(a, b); }

static void same_matches(char want[][600], size_t nw, char got[][600],
                         size_t ng, const char *what) {
  qsort(want, nw, 600, by_text);
  qsort(got, ng, 600, by_text);
  int same = nw == ng;
  for (size_t i = 0; same && i < nw; i++)
    same = strcmp(want[i], got[i]) == 0;
  if (!same) {
    CHECK_FAIL_AT(__FILE__, __LINE__,
                  "%s: %zu matches from the CLI, %zu from "
                  "the server",
                  what, nw, ng);
    for (size_t i = 0; i < nw || i < ng; i++)
      fprintf(stderr, "  %-50s %s\n", i < nw ? want[i] : "",
              i < ng ? got[i] : "");
  }
  check_count++;
}

static long search(harness_t *h, long long id, const char *args) {
  harness_send(h,
               "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":"
               "\"workspace/executeCommand\",\"params\":{\"command\":"
               "\"heatls.search\",\"arguments\":[%s]}}",
               id, args);
  return harness_wait_reply(h, id, 30000);
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = malloc(1 << 16);
  *len = f && buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
  if (f)
    fclose(f);
  if (buf)
    buf[*len] = 0;
  return buf;
}

static void copy_sources(void) {
  const char *names[] = {"count.go", "main.go", "tokenize.go"};
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "mkdir -p '%s/wordfreq' && cp '%s'/programs/wordfreq/*.go "
           "'%s/wordfreq/'",
           dir, testdata, dir);
  CHECK_INT(system(cmd), 0);
  (void)names;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test_server_search TESTDATA_DIR HEATLS\n");
    return 2;
  }
  testdata = argv[1];
  heatls = argv[2];
  int go = 0;
  for (size_t i = 0; i < hs_builtin_count(); i++)
    go |= strcmp(hs_builtin_name(i), "go") == 0 && hs_builtin_has_grammar(i);
  if (!go) {
    fprintf(stderr, "no Go grammar in this build (tools/deps-grammars.sh)\n");
    return getenv("CI") ? 1 : 77;
  }
  if (pb_make_temp_dir(dir, sizeof dir) < 0)
    return 1;
  snprintf(profile, sizeof profile, "%s/programs/wordfreq/cpu.pb.gz",
           testdata);
  copy_sources();

  harness_t h;
  if (harness_open(&h) < 0)
    return 1;
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
               "\"params\":{\"rootUri\":\"file://%s\",\"capabilities\":{}}}",
               dir);
  harness_wait_reply(&h, 1, 100);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\","
                   "\"params\":{}}");

  /* No profile: a heat filter is an error; minLevel 0 searches anyway. */
  long at = search(&h, 2, "{\"pattern\": \"append($*_)\"}");
  CHECK_INT(error_code(&h, at), -32803);
  at = search(&h, 3, "{\"pattern\": \"append($*_)\", \"minLevel\": 0}");
  static char want[512][600], got[512][600];
  size_t nw = cli_matches("append($*_)", 0, want, 512);
  size_t ng = lsp_matches(result_of(&h, at), got, 512);
  CHECK(nw > 3);
  same_matches(want, nw, got, ng, "append($*_), every match, no profile");

  /* Loaded: the hot matches are the CLI's, for several patterns. */
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":"
               "\"workspace/executeCommand\",\"params\":{\"command\":"
               "\"heatls.loadProfile\",\"arguments\":[\"%s\"]}}",
               profile);
  CHECK(json_is_object(result_of(&h, harness_wait_reply(&h, 4, 10000))));
  const char *patterns[] = {"append($*_)", "for $*_ { $*_ }",
                            "$x = append($x, $*_)", "len($_)"};
  for (size_t p = 0; p < 4; p++) {
    char args[256];
    snprintf(args, sizeof args, "{\"pattern\": \"%s\"}", patterns[p]);
    at = search(&h, 10 + (long long)p, args);
    nw = cli_matches(patterns[p], 1, want, 512);
    ng = lsp_matches(result_of(&h, at), got, 512);
    same_matches(want, nw, got, ng, patterns[p]);
  }
  at = search(&h, 20, "{\"pattern\": \"append($*_)\"}");
  size_t hot_before = json_array_size(result_of(&h, at));
  CHECK(hot_before > 0);

  /* An open document is searched as the editor has it: three lines added
   * at its top move its matches, and their heat moves with them. */
  char path[512], uri[600];
  snprintf(path, sizeof path, "%s/wordfreq/tokenize.go", dir);
  snprintf(uri, sizeof uri, "file://%s", path);
  size_t len;
  char *text = read_all(path, &len);
  json_t *jtext = json_stringn(text, len);
  char *dumped = json_dumps(jtext, JSON_ENCODE_ANY);
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\","
               "\"params\":{\"textDocument\":{\"uri\":\"%s\",\"languageId\":"
               "\"go\",\"version\":1,\"text\":%s}}}",
               uri, dumped);
  free(dumped);
  json_decref(jtext);
  free(text);
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\","
               "\"params\":{\"textDocument\":{\"uri\":\"%s\",\"version\":2},"
               "\"contentChanges\":[{\"range\":{\"start\":{\"line\":0,"
               "\"character\":0},\"end\":{\"line\":0,\"character\":0}},"
               "\"text\":\"// one\\n// two\\n// three\\n\"}]}}",
               uri);
  at = search(&h, 21, "{\"pattern\": \"append($*_)\"}");
  CHECK_INT(json_array_size(result_of(&h, at)), hot_before);
  size_t i;
  const json_t *item;
  int moved = 0;
  json_array_foreach(result_of(&h, at), i, item) {
    if (strcmp(json_string_value(json_object_get(item, "uri")), uri) != 0)
      continue;
    long long line = json_integer_value(json_object_get(
        json_object_get(json_object_get(item, "range"), "start"), "line"));
    moved += line >= 3;
    CHECK(json_integer_value(json_object_get(item, "global")) > 0);
  }
  CHECK(moved > 0);
  /* A document scope searches that document only. */
  char args[1024];
  snprintf(
      args, sizeof args,
      "{\"pattern\": \"append($*_)\", \"minLevel\": 0, \"scope\": \"%s\"}",
      uri);
  at = search(&h, 22, args);
  json_array_foreach(result_of(&h, at), i, item) {
    CHECK_STR(json_string_value(json_object_get(item, "uri")), uri);
  }
  CHECK(json_array_size(result_of(&h, at)) > 0);
  /* cold: the rest. */
  at = search(&h, 23, "{\"pattern\": \"append($*_)\", \"cold\": true}");
  long all = search(&h, 24, "{\"pattern\": \"append($*_)\", \"minLevel\": 0}");
  CHECK_INT(json_array_size(result_of(&h, at)) + hot_before,
            json_array_size(result_of(&h, all)));

  /* Bad input. */
  at = search(&h, 30, "{\"pattern\": \"append(\"}");
  CHECK_INT(error_code(&h, at), -32602);
  at = search(&h, 31, "{\"pattern\": \"x\", \"language\": \"cobol\"}");
  CHECK_INT(error_code(&h, at), -32602);
  at = search(&h, 32, "{\"pattern\": \"(\", \"kind\": \"regex\"}");
  CHECK_INT(error_code(&h, at), -32602);
  at = search(&h, 33, "{\"kind\": \"regex\"}");
  CHECK_INT(error_code(&h, at), -32602);
  at = search(&h, 34, "{\"pattern\": \"x\", \"minLevel\": 9}");
  CHECK_INT(error_code(&h, at), -32602);

  /* Cancelled at once: answered -32800. */
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":40,\"method\":"
                   "\"workspace/executeCommand\",\"params\":{\"command\":"
                   "\"heatls.search\",\"arguments\":[{\"pattern\": "
                   "\"append($*_)\"}]}}");
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\","
                   "\"params\":{\"id\":40}}");
  CHECK_INT(error_code(&h, harness_wait_reply(&h, 40, 30000)), -32800);

  CHECK_INT(h.bad_frames, 0);
  CHECK_INT(harness_close(&h), 0);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK_INT(system(cmd), 0);
  CHECK_DONE();
}
