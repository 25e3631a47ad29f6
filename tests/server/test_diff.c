/*
 * test_diff.c: a diff through the core (harness.c), on two hand-built
 * profiles whose answers are worked out below: the point a line shows when
 * a regression and a deeper improvement share it (decorations and hints),
 * and new levels asked for while heatls.compare reads the shown index on
 * its worker (they are applied when it ends).
 *
 * One file /src/d.go, every line a leaf (flat = cum), cpu in milliseconds:
 *
 *   point   base  new  delta
 *   A:10     100  110    +10
 *   A:11     100  200   +100
 *   B:10     300  100   -200
 *   B:12     100   90    -10
 *
 * Threshold 1: regressions A:11 (+100), A:10 (+10): top_n(2) = 2, levels
 * 5 - rank: A:11 G+5, A:10 G+4; improvements B:10 (-200), B:12 (-10):
 * B:10 G-5, B:12 G-4. Local (function): A:11 L+5, A:10 L+4, B:10 L-5,
 * B:12 L-4. Line 10 holds A:10 (G+4) and B:10 (G-5): it shows B:10, the
 * larger |global|, though the index's order puts the regression first.
 * Threshold 0.3: top_n(2) = 1 on each side: A:11 G+5, B:10 G-5, the others
 * 0. Values are in the profile's unit (milliseconds).
 */
#include "check.h"
#include "harness.h"
#include "profile_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static const json_t *result_of(const harness_t *h, long at) {
  return at < 0 ? NULL : json_object_get(h->sent[at], "result");
}

/* Writes one side of the table as dir/name. */
static void write_side(const char *name, int base) {
  static const struct {
    const char *fn;
    uint32_t line;
    int64_t base, now;
  } rows[] = {{"main.A", 10, 100, 110},
              {"main.A", 11, 100, 200},
              {"main.B", 10, 300, 100},
              {"main.B", 12, 100, 90}};
  pb_builder_t *b = pb_builder_new();
  CHECK(b != NULL);
  if (!b)
    return;
  pb_add_sample_type(b, "cpu", "milliseconds");
  uint64_t fa = pb_add_function(b, "main.A", "/src/d.go");
  uint64_t fb = pb_add_function(b, "main.B", "/src/d.go");
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    uint64_t loc = pb_add_frame(b, strcmp(rows[i].fn, "main.A") == 0 ? fa : fb,
                                rows[i].line);
    int64_t value = base ? rows[i].base : rows[i].now;
    pb_add_sample(b, 1, &loc, 1, &value);
  }
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_INT(pb_build_bytes(b, 1, &bytes, &len), 0);
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f) {
    CHECK_INT(fwrite(bytes, 1, len, f), len);
    fclose(f);
  }
  free(bytes);
  pb_builder_free(b);
}

/* The last heatls/decorations sent, or NULL. */
static const json_t *last_decorations(const harness_t *h) {
  const json_t *found = NULL;
  for (long at = harness_find(h, 0, "heatls/decorations"); at >= 0;
       at = harness_find(h, (size_t)at + 1, "heatls/decorations"))
    found = json_object_get(h->sent[at], "params");
  return found;
}

/* The decoration of 0-based line, or NULL. */
static const json_t *line_of(const json_t *deco, long long line) {
  size_t i;
  const json_t *l;
  json_array_foreach(json_object_get(deco, "lines"), i, l) {
    if (json_integer_value(json_object_get(l, "line")) == line)
      return l;
  }
  return NULL;
}

static long long member(const json_t *obj, const char *key) {
  return json_integer_value(json_object_get(obj, key));
}

static void diff_session(void) {
  harness_t h;
  if (harness_open(&h) < 0) {
    CHECK(0);
    return;
  }
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                   "\"params\":{\"capabilities\":{}}}");
  harness_wait_reply(&h, 1, 100);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\","
                   "\"params\":{}}");
  /* The document: /src/d.go as the profile names it (the same path). */
  harness_send(
      &h, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\","
          "\"params\":{\"textDocument\":{\"uri\":\"file:///src/d.go\","
          "\"languageId\":\"go\",\"version\":1,\"text\":"
          "\"1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n10\\n11\\n12\\n13\\n\"}}}");
  harness_send(
      &h,
      "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
      "\"workspace/executeCommand\",\"params\":{\"command\":"
      "\"heatls.loadProfile\",\"arguments\":[{\"path\":\"%s/new.pb.gz\","
      "\"threshold\":1,\"base\":\"%s/base.pb.gz\"}]}}",
      dir, dir);
  const json_t *sum = result_of(&h, harness_wait_reply(&h, 2, 10000));
  CHECK(json_is_true(json_object_get(sum, "diff")));
  CHECK_INT(member(sum, "regressions"), 2);
  CHECK_INT(member(sum, "improvements"), 2);
  CHECK_INT(member(sum, "net"), 110 + 200 + 100 + 90 - 600);
  CHECK_STR(json_string_value(json_object_get(sum, "netText")), "-0.10s");

  /* Line 10 (0-based 9) shows B:10; A:11, B:12 as they are. */
  const json_t *deco = last_decorations(&h);
  CHECK(json_is_true(json_object_get(deco, "diff")));
  CHECK_INT(json_array_size(json_object_get(deco, "lines")), 3);
  const json_t *l10 = line_of(deco, 9), *l11 = line_of(deco, 10),
               *l12 = line_of(deco, 11);
  CHECK_INT(member(l10, "global"), -5);
  CHECK_INT(member(l10, "local"), -5);
  CHECK_INT(member(l10, "cumDelta"), -200);
  CHECK_INT(member(l10, "baseCum"), 300);
  CHECK_INT(member(l11, "global"), 5);
  CHECK_INT(member(l11, "local"), 5);
  CHECK_INT(member(l12, "global"), -4);
  CHECK_INT(member(l12, "local"), -4);

  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
                   "\"textDocument/inlayHint\",\"params\":{\"textDocument\":"
                   "{\"uri\":\"file:///src/d.go\"},\"range\":{\"start\":"
                   "{\"line\":0,\"character\":0},\"end\":{\"line\":20,"
                   "\"character\":0}}}}");
  const json_t *hints = result_of(&h, harness_wait_reply(&h, 3, 1000));
  CHECK_INT(json_array_size(hints), 3);
  CHECK_STR(
      json_string_value(json_object_get(json_array_get(hints, 0), "label")),
      "G-5 L-5 \xc2\xb7 -0.20s (-66.7%)");
  CHECK_STR(
      json_string_value(json_object_get(json_array_get(hints, 1), "label")),
      "G+5 L+5 \xc2\xb7 +0.10s (+100.0%)");
  CHECK_STR(
      json_string_value(json_object_get(json_array_get(hints, 2), "label")),
      "G-4 L-4 \xc2\xb7 -0.01s (-10.0%)");

  /* Back to the plain profile, then a compare during which the threshold
   * changes: the shown index is read by the worker, so the new levels
   * wait for the compare's end, and then apply to the diff it installs. */
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":"
                   "\"workspace/executeCommand\",\"params\":{\"command\":"
                   "\"heatls.compare\",\"arguments\":[]}}");
  sum = result_of(&h, harness_wait_reply(&h, 4, 10000));
  CHECK(json_object_get(sum, "diff") == NULL);
  harness_clear(&h);
  harness_send(
      &h,
      "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":"
      "\"workspace/executeCommand\",\"params\":{\"command\":"
      "\"heatls.compare\",\"arguments\":[{\"base\":[\"%s/base.pb.gz\"]}]}}",
      dir);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"method\":"
                   "\"workspace/didChangeConfiguration\",\"params\":"
                   "{\"settings\":{\"threshold\":0.3}}}");
  sum = result_of(&h, harness_wait_reply(&h, 5, 10000));
  CHECK(json_is_true(json_object_get(sum, "diff")));
  harness_spin(&h, 50);
  deco = last_decorations(&h);
  CHECK(json_is_true(json_object_get(deco, "diff")));
  CHECK_INT(json_array_size(json_object_get(deco, "lines")), 2);
  CHECK_INT(member(line_of(deco, 9), "global"), -5);
  CHECK_INT(member(line_of(deco, 10), "global"), 5);
  CHECK(line_of(deco, 11) == NULL);
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":"
                   "\"workspace/executeCommand\",\"params\":{\"command\":"
                   "\"heatls.status\",\"arguments\":[]}}");
  sum = result_of(&h, harness_wait_reply(&h, 6, 1000));
  CHECK(json_number_value(json_object_get(sum, "threshold")) == 0.3);
  CHECK_INT(h.bad_frames, 0);
  CHECK_INT(harness_close(&h), 0);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/heatls-diff-XXXXXX");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  write_side("new.pb.gz", 0);
  write_side("base.pb.gz", 1);
  diff_session();
  char path[512];
  snprintf(path, sizeof path, "%s/new.pb.gz", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/base.pb.gz", dir);
  unlink(path);
  rmdir(dir);
  CHECK_DONE();
}
