/*
 * test_combine.c: merges and diffs through the public API
 * (hx_index_combine), every expected value worked out by hand.
 *
 *   - docs/levels.md's worked example: values, own changes, signed levels
 *     at thresholds 0.5 and 1.0, with and without normalisation;
 *   - a full tie cut by a level boundary, on both sides; local levels per
 *     function and per file;
 *   - a profile against itself: all deltas 0, no level;
 *   - a merge equal, byte for byte, to the load of one profile holding
 *     both inputs' samples (keys from two directories, inlined frames,
 *     recursion), in one call and through a merger whose inputs are freed
 *     as soon as they are added; time units converted to the finest;
 *   - errors: another sample type, another unit, a base of another type,
 *     symbol rules that differ, bad options; the culprit named.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"

/* ---- the worked example of docs/levels.md ---- */

typedef struct row {
  uint32_t line;
  int64_t base, now; /* ms; 0 = the side has no such line */
} row_t;

static const row_t example[] = {
    {10, 100, 100}, {11, 50, 80}, {12, 0, 40},  {13, 200, 150},
    {14, 30, 0},    {15, 20, 30}, {16, 60, 70}, {17, 40, 20},
};
#define EXAMPLE_ROWS (sizeof example / sizeof example[0])

/* One profile of the example in cpu/milliseconds, so that normalisation
 * rounds to whole milliseconds as the docs' table does. */
static hx_index_t *example_side(int base, double threshold) {
  pb_builder_t *b = pb_builder_new();
  if (!b)
    return NULL;
  pb_add_sample_type(b, "samples", "count");
  pb_add_sample_type(b, "cpu", "milliseconds");
  uint64_t fn = pb_add_function(b, "main.work", "/src/work.go");
  for (size_t i = 0; i < EXAMPLE_ROWS; i++) {
    int64_t ms = base ? example[i].base : example[i].now;
    if (ms == 0)
      continue;
    uint64_t loc = pb_add_frame(b, fn, example[i].line);
    int64_t values[2] = {1, ms};
    pb_add_sample(b, 1, &loc, 2, values);
  }
  hx_options_t opts;
  hx_options_init(&opts);
  opts.threshold = threshold;
  hx_index_t *ix = NULL;
  hx_error_t err = {0};
  CHECK_INT(fx_load(b, &opts, &ix, &err), 0);
  pb_builder_free(b);
  return ix;
}

static hx_index_t *combine2(const hx_index_t *now, const hx_index_t *base,
                            double threshold, int normalize) {
  hx_combine_options_t o;
  hx_combine_options_init(&o);
  o.threshold = threshold;
  o.normalize = normalize;
  hx_index_t *out = NULL;
  hx_error_t err = {0};
  size_t culprit = 0;
  int rc = hx_index_combine(&now, 1, base ? &base : NULL, base ? 1 : 0, &o,
                            &out, &culprit, &err);
  if (rc != 0)
    fprintf(stderr, "combine: %d %s\n", rc, err.message);
  CHECK_INT(rc, 0);
  CHECK_INT(culprit, SIZE_MAX);
  return out;
}

typedef struct want {
  uint32_t line;
  int64_t base, delta; /* ms */
  int level;           /* local = global: one function */
} want_t;

static void check_diff(const hx_index_t *ix, const want_t *want, size_t n) {
  CHECK(hx_index_is_diff(ix));
  CHECK_INT(hx_index_point_count(ix), n);
  for (size_t i = 0; i < n && i < hx_index_point_count(ix); i++) {
    const hx_point_t *p = hx_index_point(ix, i);
    const hx_point_diff_t *d = hx_index_point_diff(ix, i);
    CHECK_INT(p->line, want[i].line);
    CHECK_INT(d->base_cum, want[i].base);
    CHECK_INT(d->base_flat, want[i].base);
    CHECK_INT(d->delta_cum, want[i].delta);
    CHECK_INT(d->delta_flat, want[i].delta);
    CHECK_INT(p->cum - d->base_cum, d->delta_cum);
    CHECK_INT(d->global, want[i].level);
    CHECK_INT(d->local, want[i].level);
    CHECK_INT(p->global, want[i].level > 0 ? want[i].level : 0);
    CHECK_INT(p->local, want[i].level > 0 ? want[i].level : 0);
  }
}

static void test_worked_example(void) {
  hx_index_t *now = example_side(0, 0.5), *base = example_side(1, 0.5);
  if (!now || !base)
    goto done;
  hx_index_t *ix = combine2(now, base, 0.5, 0);
  if (!ix)
    goto done;
  static const want_t at_05[] = {
      {10, 100, 0, 0},  {11, 50, 30, 4}, {12, 0, 40, 5},  {13, 200, -50, -5},
      {14, 30, -30, 0}, {15, 20, 10, 0}, {16, 60, 10, 0}, {17, 40, -20, 0},
  };
  check_diff(ix, at_05, 8);
  const hx_summary_t *s = hx_index_summary(ix);
  CHECK_INT(s->total, 490);
  CHECK_INT(s->base_total, 500);
  CHECK_INT(s->base_total_raw, 500);
  CHECK_INT(s->regressions, 4);
  CHECK_INT(s->improvements, 3);
  CHECK_INT(s->inputs, 1);
  CHECK_INT(s->base_inputs, 1);
  CHECK_STR(s->sample_type.unit, "milliseconds");
  const uint32_t *ids;
  /* Regressions: 12, 11, then the tie 16 before 15 (the higher line). */
  CHECK_INT(hx_index_top_changes(ix, 10, 0, &ids), 4);
  static const uint32_t up[] = {12, 11, 16, 15};
  for (size_t i = 0; i < 4; i++)
    CHECK_INT(hx_index_point(ix, ids[i])->line, up[i]);
  static const uint32_t down[] = {13, 14, 17};
  CHECK_INT(hx_index_top_changes(ix, 10, 1, &ids), 3);
  for (size_t i = 0; i < 3; i++)
    CHECK_INT(hx_index_point(ix, ids[i])->line, down[i]);
  CHECK_INT(hx_index_top_changes(ix, 2, 1, &ids), 2);
  const hx_function_diff_t *fd = hx_index_function_diff(ix, 0);
  CHECK_INT(fd->base_cum, 500);
  CHECK_INT(fd->delta_cum, -10);
  CHECK_INT(fd->min_local, -5);
  CHECK_INT(hx_index_function(ix, 0)->max_local, 5);

  /* Threshold 1.0, by relevel. */
  hx_error_t err = {0};
  CHECK_INT(hx_index_relevel(ix, 1.0, HX_LOCAL_FUNCTION, &err), 0);
  static const want_t at_10[] = {
      {10, 100, 0, 0},   {11, 50, 30, 4}, {12, 0, 40, 5},  {13, 200, -50, -5},
      {14, 30, -30, -4}, {15, 20, 10, 2}, {16, 60, 10, 3}, {17, 40, -20, -3},
  };
  check_diff(ix, at_10, 8);
  hx_index_free(ix);

  /* Normalised: the base times 490/500, rounded in the sample unit. */
  ix = combine2(now, base, 1.0, 1);
  if (!ix)
    goto done;
  static const want_t norm[] = {
      {10, 98, 2, 1},    {11, 49, 31, 4}, {12, 0, 40, 5},  {13, 196, -46, -5},
      {14, 29, -29, -4}, {15, 20, 10, 2}, {16, 59, 11, 3}, {17, 39, -19, -3},
  };
  check_diff(ix, norm, 8);
  s = hx_index_summary(ix);
  CHECK_INT(s->base_total, 490);
  CHECK_INT(s->base_total_raw, 500);
  CHECK(s->base_scale > 0.979999 && s->base_scale < 0.980001);
  hx_index_free(ix);
done:
  hx_index_free(now);
  hx_index_free(base);
}

/* ---- ties, scopes, a profile against itself ---- */

/* a.go: main.A lines 5 and 6; b.go: main.B lines 5 and 6; c.go: main.C
 * line 7. Values in ms, one-frame samples. */
static hx_index_t *tie_side(const int64_t ms[5]) {
  pb_builder_t *b = fx_go_cpu_builder();
  if (!b)
    return NULL;
  uint64_t a = pb_add_function(b, "main.A", "/src/a.go");
  uint64_t fb = pb_add_function(b, "main.B", "/src/b.go");
  uint64_t c = pb_add_function(b, "main.C", "/src/c.go");
  const uint64_t fns[5] = {a, a, fb, fb, c};
  const int64_t lines[5] = {5, 6, 5, 6, 7};
  for (size_t i = 0; i < 5; i++)
    if (ms[i])
      fx_cpu_sample(b, fns[i], lines[i], ms[i]);
  hx_index_t *ix = NULL;
  hx_error_t err = {0};
  CHECK_INT(fx_load(b, NULL, &ix, &err), 0);
  pb_builder_free(b);
  return ix;
}

static void test_ties(void) {
  /* Deltas: A:5 +10, A:6 -10, B:5 +10, B:6 -10, C:7 +30. Regressions
   * C:7, then the full tie A:5 / B:5 (same delta, same line): record
   * order puts A first. Improvements: A:6 / B:6, A first. */
  static const int64_t base_ms[5] = {10, 30, 10, 30, 10};
  static const int64_t new_ms[5] = {20, 20, 20, 20, 40};
  hx_index_t *now = tie_side(new_ms), *base = tie_side(base_ms);
  if (!now || !base)
    goto done;
  /* 0.7: regressions top_n(3) = 2: C 5, A:5 4, B:5 0 (the boundary cuts
   * the tie); improvements top_n(2) = 1: A:6 -5, B:6 0. Locally each
   * function has one regression and one improvement: 5 and -5 (C: 5). */
  hx_index_t *ix = combine2(now, base, 0.7, 0);
  if (!ix)
    goto done;
  static const struct {
    int global, local;
  } want[5] = {{4, 5}, {-5, -5}, {0, 5}, {0, -5}, {5, 5}};
  CHECK_INT(hx_index_point_count(ix), 5);
  for (size_t i = 0; i < 5 && i < hx_index_point_count(ix); i++) {
    const hx_point_diff_t *d = hx_index_point_diff(ix, i);
    CHECK_INT(d->global, want[i].global);
    CHECK_INT(d->local, want[i].local);
  }
  /* 1.0: regressions 5, 4, 3 (N < 5: 5 - rank): C, A:5, B:5;
   * improvements -5, -4: A:6, B:6. */
  hx_error_t err = {0};
  CHECK_INT(hx_index_relevel(ix, 1.0, HX_LOCAL_FUNCTION, &err), 0);
  static const int global_10[5] = {4, -5, 3, -4, 5};
  for (size_t i = 0; i < 5 && i < hx_index_point_count(ix); i++)
    CHECK_INT(hx_index_point_diff(ix, i)->global, global_10[i]);
  /* File scope is the function scope here (one function per file). */
  CHECK_INT(hx_index_relevel(ix, 1.0, HX_LOCAL_FILE, &err), 0);
  for (size_t i = 0; i < 5 && i < hx_index_point_count(ix); i++)
    CHECK_INT(hx_index_point_diff(ix, i)->local, want[i].local);
  /* Function order: by delta cum, the largest regression first. */
  const uint32_t *fids;
  CHECK_INT(hx_index_top_functions(ix, 3, &fids), 3);
  CHECK_STR(hx_index_function(ix, fids[0])->display, "main.C");
  hx_index_free(ix);

  /* Against itself: every delta 0, no level, nothing to list. */
  ix = combine2(now, now, 0.5, 0);
  if (!ix)
    goto done;
  for (size_t i = 0; i < hx_index_point_count(ix); i++) {
    const hx_point_diff_t *d = hx_index_point_diff(ix, i);
    CHECK_INT(d->delta_cum, 0);
    CHECK_INT(d->delta_flat, 0);
    CHECK_INT(d->local, 0);
    CHECK_INT(d->global, 0);
    CHECK_INT(hx_index_point(ix, i)->local, 0);
  }
  const uint32_t *ids;
  CHECK_INT(hx_index_top_changes(ix, 10, 0, &ids), 0);
  CHECK_INT(hx_index_top_changes(ix, 10, 1, &ids), 0);
  CHECK_INT(hx_index_summary(ix)->base_total, hx_index_summary(ix)->total);
  hx_index_free(ix);

  /* A merge is no diff. */
  ix = combine2(now, NULL, 0.5, 0);
  if (ix) {
    CHECK(!hx_index_is_diff(ix));
    CHECK(hx_index_point_diff(ix, 0) == NULL);
    CHECK(hx_index_function_diff(ix, 0) == NULL);
    CHECK_INT(hx_index_top_changes(ix, 10, 0, &ids), 0);
  }
  hx_index_free(ix);
done:
  hx_index_free(now);
  hx_index_free(base);
}

/* ---- a merge is the load of the merged profile ---- */

/* Adds part 1 or 2 of a profile with awkward stacks to b: the key main.F
 * from two directories, an inlined frame, recursion, a C frame. */
static void add_part(pb_builder_t *b, int part) {
  uint64_t f1 =
      pb_add_function(b, "main.F", part == 1 ? "/one/x.go" : "/two/x.go");
  uint64_t g = pb_add_function(b, "main.(*T).G.func1", "/src/t.go");
  uint64_t h = pb_add_function(b, "main.H", "/src/h.go");
  uint64_t c = pb_add_function(b, "memmove", "memmove.c");
  pb_line_t inl[2] = {{g, 20}, {h, 30}};
  uint64_t lg = pb_add_location(b, 2, inl);
  uint64_t lf = pb_add_frame(b, f1, 10);
  uint64_t lh = pb_add_frame(b, h, 31);
  uint64_t lc = pb_add_frame(b, c, 1);
  uint64_t s1[4] = {lg, lf, lh, lf};
  uint64_t s2[3] = {lc, lh, lh};
  uint64_t s3[1] = {lf};
  fx_cpu_stack(b, 4, s1, part == 1 ? 30 : 70);
  fx_cpu_stack(b, 3, s2, part == 1 ? 10 : 20);
  fx_cpu_stack(b, 1, s3, 50);
}

static hx_index_t *load_parts(int parts) {
  pb_builder_t *b = fx_go_cpu_builder();
  if (!b)
    return NULL;
  if (parts & 1)
    add_part(b, 1);
  if (parts & 2)
    add_part(b, 2);
  hx_index_t *ix = NULL;
  hx_error_t err = {0};
  CHECK_INT(fx_load(b, NULL, &ix, &err), 0);
  pb_builder_free(b);
  return ix;
}

static void check_same(const hx_index_t *a, const hx_index_t *b) {
  uint8_t *da = NULL, *db = NULL;
  size_t la = 0, lb = 0;
  CHECK_INT(fx_index_dump(a, &da, &la), 0);
  CHECK_INT(fx_index_dump(b, &db, &lb), 0);
  CHECK_INT(la, lb);
  CHECK(la == lb && da && db && memcmp(da, db, la) == 0);
  free(da);
  free(db);
}

static void test_merge_equals_load(void) {
  hx_index_t *one = load_parts(1), *two = load_parts(2);
  hx_index_t *both = load_parts(3);
  if (one && two && both) {
    const hx_index_t *in[2] = {one, two};
    hx_index_t *m = NULL;
    hx_error_t err = {0};
    CHECK_INT(hx_index_combine(in, 2, NULL, 0, NULL, &m, NULL, &err), 0);
    if (m) {
      check_same(m, both);
      CHECK_INT(hx_index_summary(m)->inputs, 2);
      /* main.F shows the first input's directory. */
      long f = fx_function(m, "main.F");
      CHECK(f >= 0);
      if (f >= 0)
        CHECK_STR(
            hx_index_file(m, hx_index_function(m, (size_t)f)->file)->path,
            "/one/x.go");
    }
    hx_index_free(m);
  }
  hx_index_free(one);
  hx_index_free(two);
  hx_index_free(both);
}

/* The merger one index at a time, each freed as soon as it is added
 * (AddressSanitizer sees any string still borrowed from it), and a failed
 * merger that stays failed. */
static void test_merger(void) {
  hx_merger_t *m = NULL;
  hx_error_t err = {0};
  CHECK_INT(hx_merger_new(NULL, &m, &err), 0);
  hx_index_t *both = load_parts(3);
  for (int part = 1; part <= 2 && m; part++) {
    hx_index_t *ix = load_parts(part);
    if (ix)
      CHECK_INT(hx_merger_add(m, ix, 0, &err), 0);
    hx_index_free(ix);
  }
  hx_index_t *out = NULL;
  if (m)
    CHECK_INT(hx_merger_finish(m, &out, &err), 0);
  if (out && both)
    check_same(out, both);
  hx_index_t *again = (hx_index_t *)1;
  if (m)
    CHECK_INT(hx_merger_finish(m, &again, &err), HX_EINVAL);
  CHECK(again == NULL);
  hx_index_free(out);
  hx_index_free(both);
  hx_merger_free(m);

  hx_combine_options_t o;
  hx_combine_options_init(&o);
  o.threshold = -1;
  m = (hx_merger_t *)1;
  CHECK_INT(hx_merger_new(&o, &m, &err), HX_EINVAL);
  CHECK(m == NULL);
  CHECK_INT(hx_merger_new(NULL, &m, &err), 0);
  hx_index_t *cpu = load_parts(1);
  if (m && cpu) {
    CHECK_INT(hx_merger_add(m, cpu, 1, &err), HX_EINVAL); /* base first */
    CHECK(fx_has_word(err.message, "base"));
    hx_error_t later = {0};
    CHECK_INT(hx_merger_add(m, cpu, 0, &later), HX_EINVAL);
    CHECK_STR(later.message, err.message);
    out = (hx_index_t *)1;
    CHECK_INT(hx_merger_finish(m, &out, &later), HX_EINVAL);
    CHECK(out == NULL);
    CHECK_STR(later.message, err.message);
  }
  hx_merger_free(m);
  hx_merger_free(NULL);
  hx_index_free(cpu);
  m = NULL;
  CHECK_INT(hx_merger_new(NULL, &m, &err), 0);
  out = (hx_index_t *)1;
  if (m)
    CHECK_INT(hx_merger_finish(m, &out, &err), HX_EINVAL); /* nothing */
  CHECK(out == NULL);
  hx_merger_free(m);
}

/* A one-frame profile of `value` in type/unit, symbol at line 1 of
 * /src/f.go (Go symbols), or of f.c (raw symbols) when it has no dot. */
static hx_index_t *unit_profile(const char *type, const char *unit,
                                const char *symbol, int64_t value) {
  pb_builder_t *b = pb_builder_new();
  if (!b)
    return NULL;
  pb_add_sample_type(b, type, unit);
  uint64_t fn =
      pb_add_function(b, symbol, strchr(symbol, '.') ? "/src/f.go" : "f.c");
  uint64_t loc = pb_add_frame(b, fn, 1);
  pb_add_sample(b, 1, &loc, 1, &value);
  hx_index_t *ix = NULL;
  hx_error_t err = {0};
  CHECK_INT(fx_load(b, NULL, &ix, &err), 0);
  pb_builder_free(b);
  return ix;
}

static void test_units(void) {
  hx_index_t *ms = unit_profile("cpu", "milliseconds", "main.F", 3);
  hx_index_t *us = unit_profile("cpu", "microseconds", "main.F", 40);
  hx_index_t *s = unit_profile("cpu", "seconds", "main.F", 1);
  if (ms && us && s) {
    const hx_index_t *in[3] = {ms, us, s};
    hx_index_t *m = NULL;
    hx_error_t err = {0};
    CHECK_INT(hx_index_combine(in, 3, NULL, 0, NULL, &m, NULL, &err), 0);
    if (m) { /* 3000 + 40 + 1000000 microseconds */
      CHECK_STR(hx_index_summary(m)->sample_type.unit, "microseconds");
      CHECK_INT(hx_index_summary(m)->ns_per_unit, 1000);
      CHECK_INT(hx_index_summary(m)->total, 1003040);
      CHECK_INT(hx_index_point(m, 0)->cum, 1003040);
      CHECK_STR(hx_index_sample_type(m, 0)->unit, "microseconds");
    }
    hx_index_free(m);
  }
  hx_index_free(ms);
  hx_index_free(us);
  hx_index_free(s);
}

/* ---- errors ---- */

static void expect_error(const hx_index_t *const *in, size_t n,
                         const hx_index_t *const *bases, size_t nb,
                         const hx_combine_options_t *o, int code,
                         size_t culprit, const char *word) {
  hx_index_t *m = (hx_index_t *)1;
  hx_error_t err = {0};
  size_t who = 0;
  CHECK_INT(hx_index_combine(in, n, bases, nb, o, &m, &who, &err), code);
  CHECK(m == NULL);
  CHECK_INT(err.code, code);
  CHECK_INT(who, culprit);
  if (!fx_has_word(err.message, word))
    fprintf(stderr, "message: %s\n", err.message);
  CHECK(fx_has_word(err.message, word));
}

static void test_errors(void) {
  hx_index_t *cpu = unit_profile("cpu", "nanoseconds", "main.F", 5);
  hx_index_t *alloc = unit_profile("alloc_space", "bytes", "main.F", 5);
  hx_index_t *cpu_bytes = unit_profile("cpu", "bytes", "main.F", 5);
  hx_index_t *raw = unit_profile("cpu", "nanoseconds", "nopackage", 5);
  if (!cpu || !alloc || !cpu_bytes || !raw)
    goto done;
  const hx_index_t *a[5] = {cpu, cpu, cpu, alloc, cpu};
  expect_error(a, 5, NULL, 0, NULL, HX_ESAMPLETYPE, 3, "alloc_space");
  const hx_index_t *u[2] = {cpu, cpu_bytes};
  expect_error(u, 2, NULL, 0, NULL, HX_ESAMPLETYPE, 1, "bytes");
  const hx_index_t *one[1] = {cpu};
  const hx_index_t *bases[2] = {cpu, alloc};
  expect_error(one, 1, bases, 2, NULL, HX_ESAMPLETYPE, 2, "base");
  const hx_index_t *r[2] = {cpu, raw};
  expect_error(r, 2, NULL, 0, NULL, HX_EINVAL, 1, "symbols");
  expect_error(one, 0, NULL, 0, NULL, HX_EINVAL, SIZE_MAX, "no profile");
  hx_combine_options_t o;
  hx_combine_options_init(&o);
  o.threshold = 2;
  expect_error(one, 1, NULL, 0, &o, HX_EINVAL, SIZE_MAX, "threshold");
  hx_combine_options_init(&o);
  o.local_scope = (hx_local_scope_t)7;
  expect_error(one, 1, NULL, 0, &o, HX_EINVAL, SIZE_MAX, "scope");
done:
  hx_index_free(cpu);
  hx_index_free(alloc);
  hx_index_free(cpu_bytes);
  hx_index_free(raw);
}

int main(void) {
  test_worked_example();
  test_ties();
  test_merge_equals_load();
  test_merger();
  test_units();
  test_errors();
  CHECK_DONE();
}
