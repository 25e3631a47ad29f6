/*
 * test_walk.c: the sample walk on two threads (index/build.c: a profile
 * whose samples fill 2 MiB is walked in two halves, merged after) gives
 * what one thread gives. hx_options_t.walk_threads = 2 splits even the
 * smallest profile, so that:
 *
 *   - every golden profile loads to the same bytes (fx_index_dump), or
 *     fails with the same code and message, on one walk and on two;
 *   - the order in which samples first reached the locations survives the
 *     merge: a key met in two directories shows the full path of the
 *     frame reached first, also when the other half numbered it first;
 *   - the first bad sample in sample order is the one reported, whichever
 *     half it is in and whatever the other half holds;
 *   - a sample over 64 KiB (the largest the walkers' buffers are made for
 *     ahead) keeps the walk on one thread, with the same index;
 *   - a walk_threads past 2 is refused;
 *   - a profile of 200,000 locations, whose walk arrays are large enough
 *     to be faulted in by a helper thread (index/prefault.c), gives every
 *     point the sums of its locations, on one walk and on two; phase B,
 *     on two threads after a split walk, either fits its points in the
 *     point table (four locations a point, added by both threads at
 *     once) or starts over in larger tables when they do not (a point a
 *     location).
 * The allocation-failure walk (tests/alloc) loads with two walks too.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"

#ifndef HEATLS_TESTDATA
#define HEATLS_TESTDATA "testdata"
#endif

static void load(const uint8_t *buf, size_t len, unsigned threads,
                 const char *sample_type, fx_outcome_t *o) {
  hx_options_t opts;
  hx_options_init(&opts);
  opts.walk_threads = threads;
  opts.sample_type = sample_type;
  hx_index_t *ix = NULL;
  hx_error_t err;
  memset(&err, 0, sizeof err);
  int rc = hx_index_load_buffer(buf, len, &opts, &ix, &err);
  CHECK_INT(fx_outcome_set(o, rc, ix, &err), 0);
}

/* One walk and two give the same code, message and index bytes. */
static void check_both(const char *what, const uint8_t *buf, size_t len,
                       const char *sample_type, fx_outcome_t *two_out) {
  fx_outcome_t one, two;
  load(buf, len, 1, sample_type, &one);
  load(buf, len, 2, sample_type, &two);
  int same =
      one.rc == two.rc && strcmp(one.message, two.message) == 0 &&
      one.dump_len == two.dump_len &&
      (one.dump_len == 0 || memcmp(one.dump, two.dump, one.dump_len) == 0);
  CHECK(same);
  if (!same)
    fprintf(stderr,
            "  %s: one walk %d \"%s\" (%zu bytes), two %d \"%s\" "
            "(%zu bytes)\n",
            what, one.rc, one.message, one.dump_len, two.rc, two.message,
            two.dump_len);
  fx_outcome_free(&one);
  if (two_out)
    *two_out = two;
  else
    fx_outcome_free(&two);
}

static void test_golden(void) {
  DIR *dir = opendir(HEATLS_TESTDATA "/golden");
  CHECK(dir != NULL);
  if (!dir)
    return;
  size_t profiles = 0;
  struct dirent *e;
  while ((e = readdir(dir))) {
    if (e->d_name[0] == '.')
      continue;
    char path[1024];
    uint8_t *buf = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/golden/%s/%s.pb.gz", HEATLS_TESTDATA,
             e->d_name, e->d_name);
    if (fx_read_file(path, &buf, &len) < 0) {
      snprintf(path, sizeof path, "%s/golden/%s/%s.pb", HEATLS_TESTDATA,
               e->d_name, e->d_name);
      if (fx_read_file(path, &buf, &len) < 0)
        continue; /* README.md and the like */
    }
    check_both(path, buf, len, NULL, NULL);
    /* The other sample types walk other values. */
    check_both(path, buf, len, "samples", NULL);
    free(buf);
    profiles++;
  }
  closedir(dir);
  CHECK(profiles >= 10);
}

/* n samples of the same size: one frame each of the locations given. */
static void same_size_samples(pb_builder_t *b, size_t n, const uint64_t *locs,
                              size_t nlocs) {
  for (size_t i = 0; i < n; i++)
    fx_cpu_stack(b, 1, &locs[i % nlocs], 10);
}

static const char *function_file(const hx_index_t *ix, const char *display) {
  long f = fx_function(ix, display);
  CHECK(f >= 0);
  if (f < 0)
    return "";
  return hx_index_file(ix, hx_index_function(ix, (size_t)f)->file)->path;
}

/* A Go CPU profile being built with main.g at three lines (lg) and main.f
 * in two directories, /a (fa) and /b (fb): one key (Go: package, name,
 * base name) whose functions differ in file. */
typedef struct two_dirs {
  pb_builder_t *b;
  uint64_t g, fa, fb, lg[3];
} two_dirs_t;

static bool two_dirs_start(two_dirs_t *t) {
  t->b = fx_go_cpu_builder();
  CHECK(t->b != NULL);
  if (!t->b)
    return false;
  t->g = pb_add_function(t->b, "main.g", "/src/g.go");
  t->fa = pb_add_function(t->b, "main.f", "/a/f.go");
  t->fb = pb_add_function(t->b, "main.f", "/b/f.go");
  for (int i = 0; i < 3; i++)
    t->lg[i] = pb_add_frame(t->b, t->g, i + 1);
  return true;
}

/* Builds the profile: one walk and two give the same index, and on both
 * main.f shows the path want, with a point at line want_line under it. */
static void two_dirs_check(two_dirs_t *t, const char *what, const char *want,
                           uint32_t want_line) {
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(pb_build_bytes(t->b, 0, &buf, &len), 0);
  pb_builder_free(t->b);
  fx_outcome_t two;
  check_both(what, buf, len, NULL, &two);
  for (unsigned threads = 1; threads <= 2; threads++) {
    hx_index_t *ix = NULL;
    hx_options_t opts;
    hx_options_init(&opts);
    opts.walk_threads = threads;
    CHECK_INT(hx_index_load_buffer(buf, len, &opts, &ix, NULL), 0);
    if (ix) {
      CHECK_STR(function_file(ix, "main.f"), want);
      CHECK(fx_point(ix, want, want_line) >= 0);
    }
    hx_index_free(ix);
  }
  fx_outcome_free(&two);
  free(buf);
}

static void test_first_reached(void) {
  /* The first half reaches /a/f.go only in its last sample; the second
   * half reaches /b/f.go first of all. Numbered apart, /b/f.go would be
   * 1 in its half against a late number for /a/f.go: the merge must put
   * the second half after the first. */
  two_dirs_t t;
  if (!two_dirs_start(&t))
    return;
  uint64_t la = pb_add_frame(t.b, t.fa, 7);
  pb_line_t inlined[2] = {{t.fb, 8}, {t.g, 4}};
  uint64_t lb = pb_add_location(t.b, 2, inlined);
  same_size_samples(t.b, 49, t.lg, 3);
  fx_cpu_stack(t.b, 1, &la, 10);
  fx_cpu_stack(t.b, 1, &lb, 10);
  same_size_samples(t.b, 49, t.lg, 3);
  /* line 8 of the key, shown under the first path */
  two_dirs_check(&t, "first reached", "/a/f.go", 8);
}

/* main.f in /a and /b again, each in a location of n_a and n_b counting
 * lines (over three: the walk reads them from multi_keys, not inline),
 * main.f's frame last in the first and first in the second; /a/f.go is
 * reached first, in the first half. And a location whose first frame is
 * /b's and second /a's, reached before both: /b/f.go, the earlier frame. */
static void check_first_path(const char *what, size_t n_a, size_t n_b,
                             bool both_first, const char *want) {
  two_dirs_t t;
  if (!two_dirs_start(&t))
    return;
  pb_line_t lines[8];
  for (size_t i = 0; i + 1 < n_a; i++)
    lines[i] = (pb_line_t){t.g, (int64_t)(20 + i)};
  lines[n_a - 1] = (pb_line_t){t.fa, 7};
  uint64_t la = pb_add_location(t.b, n_a, lines);
  lines[0] = (pb_line_t){t.fb, 8};
  for (size_t i = 1; i < n_b; i++)
    lines[i] = (pb_line_t){t.g, (int64_t)(30 + i)};
  uint64_t lb = pb_add_location(t.b, n_b, lines);
  pb_line_t pair[2] = {{t.fb, 9}, {t.fa, 10}};
  uint64_t lc = pb_add_location(t.b, 2, pair);
  if (both_first)
    fx_cpu_stack(t.b, 1, &lc, 10);
  same_size_samples(t.b, 20, t.lg, 3);
  uint64_t stack[2] = {t.lg[0], la};
  fx_cpu_stack(t.b, 2, stack, 10);
  same_size_samples(t.b, 49, t.lg, 3);
  stack[1] = lb; /* in the second half */
  fx_cpu_stack(t.b, 2, stack, 10);
  same_size_samples(t.b, 29, t.lg, 3);
  /* every line of the key under its one path: 7 (/a's) and 8 (/b's) */
  two_dirs_check(&t, what, want, 8);
}

static void test_first_path(void) {
  check_first_path("inline keys", 2, 3, false, "/a/f.go");
  check_first_path("keys apart", 4, 5, false, "/a/f.go");
  check_first_path("inline, earlier frame", 2, 3, true, "/b/f.go");
  check_first_path("apart, earlier frame", 5, 4, true, "/b/f.go");
}

/* 100 samples of one size; the ones in bad[] name an unknown location. */
static void expect_first_bad(const char *what, const size_t *bad, size_t nbad,
                             const char *word) {
  pb_builder_t *b = fx_go_cpu_builder();
  CHECK(b != NULL);
  if (!b)
    return;
  uint64_t f = pb_add_function(b, "main.f", "/src/f.go");
  uint64_t locs[4] = {pb_add_frame(b, f, 1), pb_add_frame(b, f, 2),
                      pb_add_frame(b, f, 3), pb_add_frame(b, f, 4)};
  for (size_t i = 0; i < 100; i++) {
    uint64_t loc = locs[i % 4];
    for (size_t j = 0; j < nbad; j++)
      if (bad[j] == i)
        loc = 90 + j; /* unknown, and one byte like the others */
    fx_cpu_stack(b, 1, &loc, 10);
  }
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(pb_build_bytes(b, 0, &buf, &len), 0);
  pb_builder_free(b);
  fx_outcome_t two;
  check_both(what, buf, len, NULL, &two);
  CHECK_INT(two.rc, HX_EPROFILE);
  CHECK(strstr(two.message, word) != NULL);
  if (!strstr(two.message, word))
    fprintf(stderr, "  %s: \"%s\" lacks \"%s\"\n", what, two.message, word);
  fx_outcome_free(&two);
  free(buf);
}

static void test_first_error(void) {
  static const size_t both[] = {10, 90}, late[] = {90, 95}, first[] = {49};
  expect_first_bad("both halves", both, 2, "sample 10 names");
  expect_first_bad("second half only", late, 2, "sample 90 names");
  expect_first_bad("end of the first half", first, 1, "sample 49 names");
}

static void test_large_sample(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  CHECK(b != NULL);
  if (!b)
    return;
  uint64_t f = pb_add_function(b, "main.f", "/src/f.go");
  uint64_t locs[200];
  for (size_t i = 0; i < 200; i++)
    locs[i] = pb_add_frame(b, f, (int64_t)i + 1);
  enum { DEEP = 40000 }; /* ids over 127: 80,000 bytes */
  uint64_t *stack = malloc(DEEP * sizeof *stack);
  CHECK(stack != NULL);
  if (!stack) {
    pb_builder_free(b);
    return;
  }
  for (size_t i = 0; i < DEEP; i++)
    stack[i] = locs[128 + i % 72];
  fx_cpu_stack(b, 20, locs, 5);
  fx_cpu_stack(b, DEEP, stack, 10);
  fx_cpu_stack(b, 20, locs + 20, 5);
  free(stack);
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(pb_build_bytes(b, 0, &buf, &len), 0);
  pb_builder_free(b);
  CHECK(len > 80000);
  fx_outcome_t two;
  check_both("a sample over 64 KiB", buf, len, NULL, &two);
  CHECK_INT(two.rc, 0);
  fx_outcome_free(&two);
  free(buf);
}

static void test_options(void) {
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(fx_worked_example(0, &buf, &len), 0);
  hx_options_t opts;
  hx_options_init(&opts);
  CHECK_INT(opts.walk_threads, 0);
  opts.walk_threads = 3;
  hx_index_t *ix = (hx_index_t *)(uintptr_t)1;
  hx_error_t err;
  memset(&err, 0, sizeof err);
  CHECK_INT(hx_index_load_buffer(buf, len, &opts, &ix, &err), HX_EINVAL);
  CHECK(ix == NULL);
  CHECK(strstr(err.message, "walk thread") != NULL);
  free(buf);
}

/* 100 functions in 100 files: location j is line (j / 100) % lines + 1
 * of function j % 100. Sample i (of 100,000) is the stack (j = i, j = i +
 * 100,000) of 1 + i % 7 ms, so every location is in exactly one sample,
 * and a point in 2,000 / lines of them. */
enum { MANY_FUNCS = 100, MANY_LOCATIONS = 200000 };

static int64_t many_ms(size_t location) {
  return 1 + (int64_t)((location % (MANY_LOCATIONS / 2)) % 7);
}

static uint32_t many_line(size_t location, size_t lines) {
  return (uint32_t)((location / MANY_FUNCS) % lines + 1);
}

static void many_locations(size_t lines) {
  pb_builder_t *b = fx_go_cpu_builder();
  CHECK(b != NULL);
  if (!b)
    return;
  uint64_t funcs[MANY_FUNCS];
  char name[32], file[32];
  for (size_t f = 0; f < MANY_FUNCS; f++) {
    snprintf(name, sizeof name, "main.f%zu", f);
    snprintf(file, sizeof file, "/src/f%zu.go", f);
    funcs[f] = pb_add_function(b, name, file);
  }
  uint64_t *locs = malloc(MANY_LOCATIONS * sizeof *locs);
  CHECK(locs != NULL);
  if (!locs) {
    pb_builder_free(b);
    return;
  }
  for (size_t j = 0; j < MANY_LOCATIONS; j++)
    locs[j] = pb_add_frame(b, funcs[j % MANY_FUNCS], many_line(j, lines));
  for (size_t i = 0; i < MANY_LOCATIONS / 2; i++) {
    uint64_t stack[2] = {locs[i], locs[i + MANY_LOCATIONS / 2]};
    fx_cpu_stack(b, 2, stack, many_ms(i));
  }
  free(locs);
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(pb_build_bytes(b, 0, &buf, &len), 0);
  pb_builder_free(b);
  check_both("200,000 locations", buf, len, NULL, NULL);
  for (unsigned threads = 1; threads <= 2; threads++) {
    hx_options_t opts;
    hx_options_init(&opts);
    opts.walk_threads = threads;
    hx_index_t *ix = NULL;
    CHECK_INT(hx_index_load_buffer(buf, len, &opts, &ix, NULL), 0);
    if (!ix)
      continue;
    CHECK_INT(hx_index_summary(ix)->points, MANY_FUNCS * lines);
    /* Each checked point's sums, from the locations on its line. */
    size_t wrong = 0;
    for (size_t f = 0; f < MANY_FUNCS; f += 7) {
      for (size_t line = 1; line <= lines; line += 97) {
        int64_t cum = 0, flat = 0;
        for (size_t j = f + (line - 1) * MANY_FUNCS; j < MANY_LOCATIONS;
             j += lines * MANY_FUNCS) {
          cum += many_ms(j) * 1000000;
          if (j < MANY_LOCATIONS / 2)
            flat += many_ms(j) * 1000000;
        }
        snprintf(file, sizeof file, "/src/f%zu.go", f);
        long at = fx_point(ix, file, (uint32_t)line);
        const hx_point_t *p = at >= 0 ? hx_index_point(ix, (size_t)at) : NULL;
        if (!p || p->cum != cum || p->flat != flat)
          wrong++;
      }
    }
    CHECK_INT(wrong, 0);
    hx_index_free(ix);
  }
  free(buf);
}

static void test_many_locations(void) {
  many_locations(2000); /* a point a location: phase B's table fills */
  many_locations(500);  /* four locations a point, often on both threads */
}

int main(void) {
  test_golden();
  test_first_reached();
  test_first_path();
  test_first_error();
  test_large_sample();
  test_options();
  test_many_locations();
  CHECK_DONE();
}
