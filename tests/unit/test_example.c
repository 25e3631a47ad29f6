/*
 * test_example.c: the worked example, loaded through the public API.
 *
 * A Go CPU profile of ten one-frame samples (values in ms of CPU):
 *   main.A in /src/a.go: line 10 = 100 + 200, line 13 = 200
 *   main.B in /src/b.go: line 40 = 100 + 300 + 400, 49 = 100 + 100,
 *                        50 = 500, 51 = 100
 * giving six points: a:10 300, a:13 200, b:40 800, b:49 200, b:50 500,
 * b:51 100. Every expected level below is worked out by hand from SPEC.md
 * sections 6-8: greater() orders by cum, then by the higher line (so b:49
 * ranks before a:13), top-N = int(count * threshold) (at least 1), and the
 * chunks of section 7.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"

typedef struct expect {
  const char *path;
  uint32_t line;
  int64_t ms; /* cum (= flat: every stack has one frame) */
  int local, global;
} expect_t;

/* Layout order: files by path, functions, lines ascending. */
static const expect_t at_05[] = {
    {"/src/a.go", 10, 300, 5, 3}, {"/src/a.go", 13, 200, 0, 0},
    {"/src/b.go", 40, 800, 5, 5}, {"/src/b.go", 49, 200, 0, 0},
    {"/src/b.go", 50, 500, 4, 4}, {"/src/b.go", 51, 100, 0, 0},
};
/* 0.9: global top-N = int(5.4) = 5 -> 5,4,3,2,1; A: int(1.8) = 1;
 * B: int(3.6) = 3. */
static const expect_t at_09[] = {
    {"/src/a.go", 10, 300, 5, 3}, {"/src/a.go", 13, 200, 0, 1},
    {"/src/b.go", 40, 800, 5, 5}, {"/src/b.go", 49, 200, 3, 2},
    {"/src/b.go", 50, 500, 4, 4}, {"/src/b.go", 51, 100, 0, 0},
};
/* 1.0: global n = 6 -> 5,4,3,2,1,1; A: 5,4; B: 5,4,3,2. */
static const expect_t at_10[] = {
    {"/src/a.go", 10, 300, 5, 3}, {"/src/a.go", 13, 200, 4, 1},
    {"/src/b.go", 40, 800, 5, 5}, {"/src/b.go", 49, 200, 3, 2},
    {"/src/b.go", 50, 500, 4, 4}, {"/src/b.go", 51, 100, 2, 1},
};
/* 0.1: every top-N is 0 and becomes 1. */
static const expect_t at_01[] = {
    {"/src/a.go", 10, 300, 5, 0}, {"/src/a.go", 13, 200, 0, 0},
    {"/src/b.go", 40, 800, 5, 5}, {"/src/b.go", 49, 200, 0, 0},
    {"/src/b.go", 50, 500, 0, 0}, {"/src/b.go", 51, 100, 0, 0},
};

static hx_index_t *load_example(double threshold, hx_local_scope_t scope) {
  uint8_t *buf;
  size_t len;
  hx_index_t *index = NULL;
  if (fx_worked_example(1, &buf, &len) != 0)
    return NULL;
  hx_options_t opts;
  hx_options_init(&opts);
  opts.threshold = threshold;
  opts.local_scope = scope;
  hx_error_t err = {0};
  int rc = hx_index_load_buffer(buf, len, &opts, &index, &err);
  free(buf);
  if (rc != 0)
    fprintf(stderr, "load: %d %s\n", rc, err.message);
  CHECK_INT(rc, 0);
  CHECK(rc != 0 || index != NULL);
  return index;
}

static void check_levels(const hx_index_t *index, const expect_t *want,
                         size_t n) {
  CHECK_INT(hx_index_point_count(index), n);
  if (hx_index_point_count(index) != n)
    return;
  for (size_t i = 0; i < n; i++) {
    const hx_point_t *p = hx_index_point(index, i);
    const hx_function_t *f = hx_index_function(index, p->function);
    const hx_file_t *file = hx_index_file(index, f->file);
    if (strcmp(file->path, want[i].path) != 0 || p->line != want[i].line ||
        p->local != want[i].local || p->global != want[i].global)
      fprintf(stderr, "  point %zu (%s:%u)\n", i, want[i].path,
              (unsigned)want[i].line);
    CHECK_STR(file->path, want[i].path);
    CHECK_INT(p->line, want[i].line);
    CHECK_INT(p->cum, want[i].ms * FX_MS);
    CHECK_INT(p->flat, want[i].ms * FX_MS);
    CHECK_INT(p->local, want[i].local);
    CHECK_INT(p->global, want[i].global);
  }
}

static void test_thresholds(void) {
  static const struct {
    double threshold;
    const expect_t *want;
  } cases[] = {{0.5, at_05}, {0.9, at_09}, {1.0, at_10}, {0.1, at_01}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hx_index_t *index = load_example(cases[i].threshold, HX_LOCAL_FUNCTION);
    if (!index)
      continue;
    CHECK(hx_index_summary(index)->threshold == cases[i].threshold);
    check_levels(index, cases[i].want, 6);
    hx_index_free(index);
  }
  /* At 0.5 exactly three points are hot globally: b:40, b:50, a:10. */
  hx_index_t *index = load_example(0.5, HX_LOCAL_FUNCTION);
  if (!index)
    return;
  size_t hot = 0;
  for (size_t i = 0; i < hx_index_point_count(index); i++)
    hot += hx_index_point(index, i)->global != 0;
  CHECK_INT(hot, 3);
  /* One function per file: file scope changes nothing here. */
  hx_index_t *by_file = load_example(0.5, HX_LOCAL_FILE);
  if (by_file) {
    CHECK_INT(hx_index_summary(by_file)->local_scope, HX_LOCAL_FILE);
    check_levels(by_file, at_05, 6);
  }
  hx_index_free(by_file);
  hx_index_free(index);
}

static void test_summary(void) {
  hx_index_t *index = load_example(0, HX_LOCAL_FUNCTION);
  if (!index)
    return;
  const hx_summary_t *s = hx_index_summary(index);
  CHECK_STR(s->sample_type.type, "cpu");
  CHECK_STR(s->sample_type.unit, "nanoseconds");
  CHECK_INT(s->sample_type_index, 1);
  CHECK_INT(s->unit_kind, HX_UNIT_TIME);
  CHECK_INT(s->ns_per_unit, 1);
  CHECK_INT(s->total, 2100 * FX_MS);
  CHECK_INT(s->samples, 10);
  CHECK_INT(s->files, 2);
  CHECK_INT(s->functions, 2);
  CHECK_INT(s->points, 6);
  CHECK_INT(s->go_symbols, 1);
  CHECK(s->threshold == 0.5); /* 0 means 0.5 */
  CHECK_INT(s->local_scope, HX_LOCAL_FUNCTION);
  /* 68*F + 16*P + 24*F + 12*N + sum of path lengths, F = 2, P = 6, N = 2:
   * 136 + 96 + 48 + 24 + 9 + 9. */
  CHECK_INT(s->reference_memory_approx, 322);

  CHECK_INT(hx_index_sample_type_count(index), 2);
  CHECK_STR(hx_index_sample_type(index, 0)->type, "samples");
  CHECK_STR(hx_index_sample_type(index, 0)->unit, "count");
  CHECK_STR(hx_index_sample_type(index, 1)->type, "cpu");
  CHECK_STR(hx_index_sample_type(index, 1)->unit, "nanoseconds");
  hx_index_free(index);
}

static void test_tables(void) {
  hx_index_t *index = load_example(0.5, HX_LOCAL_FUNCTION);
  if (!index)
    return;
  CHECK_INT(hx_index_file_count(index), 2);
  CHECK_INT(hx_index_function_count(index), 2);
  if (hx_index_file_count(index) != 2 || hx_index_function_count(index) != 2)
    goto done;

  const hx_file_t *fa = hx_index_file(index, 0), *fb = hx_index_file(index, 1);
  CHECK_STR(fa->path, "/src/a.go");
  CHECK_INT(fa->first_function, 0);
  CHECK_INT(fa->function_count, 1);
  CHECK_INT(fa->point_count, 2);
  CHECK_INT(fa->max_local, 5);
  CHECK_INT(fa->max_global, 3);
  CHECK_STR(fb->path, "/src/b.go");
  CHECK_INT(fb->first_function, 1);
  CHECK_INT(fb->function_count, 1);
  CHECK_INT(fb->point_count, 4);
  CHECK_INT(fb->max_local, 5);
  CHECK_INT(fb->max_global, 5);

  const hx_function_t *a = hx_index_function(index, 0);
  CHECK_STR(a->package, "main");
  CHECK_STR(a->type, "");
  CHECK_STR(a->name, "A");
  CHECK_STR(a->display, "main.A");
  CHECK_STR(a->symbol, "main.A");
  CHECK_INT(a->file, 0);
  CHECK_INT(a->first_point, 0);
  CHECK_INT(a->point_count, 2);
  CHECK_INT(a->min_line, 10);
  CHECK_INT(a->max_line, 13);
  CHECK_INT(a->max_local, 5);
  CHECK_INT(a->max_global, 3);
  CHECK_INT(a->flat, 500 * FX_MS);
  CHECK_INT(a->cum, 500 * FX_MS);
  CHECK_INT(a->rank, 1);

  const hx_function_t *b = hx_index_function(index, 1);
  CHECK_STR(b->display, "main.B");
  CHECK_STR(b->name, "B");
  CHECK_INT(b->file, 1);
  CHECK_INT(b->first_point, 2);
  CHECK_INT(b->point_count, 4);
  CHECK_INT(b->min_line, 40);
  CHECK_INT(b->max_line, 51);
  CHECK_INT(b->max_local, 5);
  CHECK_INT(b->max_global, 5);
  CHECK_INT(b->flat, 1600 * FX_MS);
  CHECK_INT(b->cum, 1600 * FX_MS);
  CHECK_INT(b->rank, 0);
  for (size_t i = 0; i < 6; i++)
    CHECK_INT(hx_index_point(index, i)->function, i < 2 ? 0 : 1);
done:
  hx_index_free(index);
}

static void check_ids(const uint32_t *ids, size_t n, const uint32_t *want,
                      size_t want_n) {
  CHECK_INT(n, want_n);
  for (size_t i = 0; i < n && i < want_n; i++)
    CHECK_INT(ids[i], want[i]);
}

static void test_queries(void) {
  hx_index_t *index = load_example(0.5, HX_LOCAL_FUNCTION);
  if (!index)
    return;
  const uint32_t *ids = NULL;
  size_t n;
  CHECK_INT(hx_index_find_file(index, "/src/a.go"), 0);
  CHECK_INT(hx_index_find_file(index, "/src/b.go"), 1);
  CHECK_INT(hx_index_find_file(index, "/src/c.go"), -1);
  CHECK_INT(hx_index_find_file(index, "b.go"), -1);
  CHECK_INT(hx_index_find_file(index, "/src/b.g"), -1);
  CHECK_INT(hx_index_find_file(index, ""), -1);
  CHECK_INT(hx_index_find_file(index, "/src/b.gox"), -1);

  CHECK_INT(hx_index_line(index, 1, 40), 2);
  CHECK_INT(hx_index_line(index, 1, 51), 5);
  CHECK_INT(hx_index_line(index, 1, 41), -1);
  CHECK_INT(hx_index_line(index, 1, 0), -1);
  CHECK_INT(hx_index_line(index, 1, 52), -1);
  CHECK_INT(hx_index_line(index, 0, 13), 1);
  CHECK_INT(hx_index_line(index, 0, 40), -1);

  static const uint32_t b_40_50[] = {2, 3, 4}, b_all[] = {2, 3, 4, 5},
                        b_51[] = {5}, a_all[] = {0, 1};
  n = hx_index_file_lines(index, 1, 40, 50, &ids);
  check_ids(ids, n, b_40_50, 3);
  n = hx_index_file_lines(index, 1, 0, 100, &ids);
  check_ids(ids, n, b_all, 4);
  n = hx_index_file_lines(index, 1, 51, 51, &ids);
  check_ids(ids, n, b_51, 1);
  n = hx_index_file_lines(index, 0, 0, UINT32_MAX, &ids);
  check_ids(ids, n, a_all, 2);
  CHECK_INT(hx_index_file_lines(index, 1, 41, 48, &ids), 0);
  CHECK_INT(hx_index_file_lines(index, 1, 52, 1000, &ids), 0);
  CHECK_INT(hx_index_file_lines(index, 1, 1, 39, &ids), 0);
  CHECK_INT(hx_index_file_lines(index, 1, 50, 40, &ids), 0);

  /* Global rank: b:40, b:50, a:10, b:49, a:13, b:51. */
  static const uint32_t top[] = {2, 4, 0, 3, 1, 5};
  n = hx_index_top(index, 100, &ids);
  check_ids(ids, n, top, 6);
  n = hx_index_top(index, 6, &ids);
  check_ids(ids, n, top, 6);
  n = hx_index_top(index, 3, &ids);
  check_ids(ids, n, top, 3);
  CHECK_INT(hx_index_top(index, 0, &ids), 0);

  static const uint32_t top_functions[] = {1, 0};
  n = hx_index_top_functions(index, 10, &ids);
  check_ids(ids, n, top_functions, 2);
  n = hx_index_top_functions(index, 1, &ids);
  check_ids(ids, n, top_functions, 1);
  CHECK_INT(hx_index_top_functions(index, 0, &ids), 0);
  hx_index_free(index);
}

/* Every level of two indexes is the same. */
static void check_same(const hx_index_t *x, const hx_index_t *y) {
  CHECK_INT(hx_index_point_count(x), hx_index_point_count(y));
  for (size_t i = 0;
       i < hx_index_point_count(x) && i < hx_index_point_count(y); i++) {
    CHECK_INT(hx_index_point(x, i)->local, hx_index_point(y, i)->local);
    CHECK_INT(hx_index_point(x, i)->global, hx_index_point(y, i)->global);
  }
  for (size_t i = 0;
       i < hx_index_function_count(x) && i < hx_index_function_count(y); i++) {
    CHECK_INT(hx_index_function(x, i)->max_local,
              hx_index_function(y, i)->max_local);
    CHECK_INT(hx_index_function(x, i)->max_global,
              hx_index_function(y, i)->max_global);
  }
  for (size_t i = 0; i < hx_index_file_count(x) && i < hx_index_file_count(y);
       i++) {
    CHECK_INT(hx_index_file(x, i)->max_local, hx_index_file(y, i)->max_local);
    CHECK_INT(hx_index_file(x, i)->max_global,
              hx_index_file(y, i)->max_global);
  }
}

static void test_relevel(void) {
  hx_index_t *index = load_example(0.5, HX_LOCAL_FUNCTION);
  hx_index_t *fresh = load_example(0.9, HX_LOCAL_FUNCTION);
  if (!index || !fresh)
    goto done;
  hx_error_t err = {0};
  CHECK_INT(hx_index_relevel(index, 0.9, HX_LOCAL_FUNCTION, &err), 0);
  CHECK(hx_index_summary(index)->threshold == 0.9);
  check_levels(index, at_09, 6);
  check_same(index, fresh);
  const uint32_t *ids;
  size_t n;
  static const uint32_t top[] = {2, 4, 0, 3, 1, 5};
  n = hx_index_top(index, 6, &ids);
  check_ids(ids, n, top, 6);

  /* Bad thresholds: HX_EINVAL and nothing changes. */
  static const double bad[] = {1.5, -1, 1.0000001};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err.code = 0;
    err.message[0] = '\0';
    CHECK_INT(hx_index_relevel(index, bad[i], HX_LOCAL_FILE, &err), HX_EINVAL);
    CHECK_INT(err.code, HX_EINVAL);
    CHECK(fx_has_word(err.message, "threshold"));
    CHECK(hx_index_summary(index)->threshold == 0.9);
    CHECK_INT(hx_index_summary(index)->local_scope, HX_LOCAL_FUNCTION);
    check_levels(index, at_09, 6);
  }
  CHECK_INT(hx_index_relevel(index, NAN, HX_LOCAL_FUNCTION, NULL), HX_EINVAL);
  check_levels(index, at_09, 6);

  /* Back and forth gives the original levels. */
  CHECK_INT(hx_index_relevel(index, 1.0, HX_LOCAL_FILE, NULL), 0);
  check_levels(index, at_10, 6);
  CHECK_INT(hx_index_summary(index)->local_scope, HX_LOCAL_FILE);
  CHECK_INT(hx_index_relevel(index, 0.5, HX_LOCAL_FUNCTION, NULL), 0);
  check_levels(index, at_05, 6);
done:
  hx_index_free(index);
  hx_index_free(fresh);
}

/* Two functions in one file, so that the two local scopes differ:
 *   main.C in /src/c.go: line 5 = 100, line 6 = 300
 *   main.D in /src/c.go: line 6 = 350, line 21 = 400
 * Layout: c:5 (C), c:6 (C), c:6 (D), c:21 (D). */
static hx_index_t *load_shared_file(double threshold, hx_local_scope_t scope) {
  pb_builder_t *b = fx_go_cpu_builder();
  hx_index_t *index = NULL;
  if (!b)
    return NULL;
  uint64_t c = pb_add_function(b, "main.C", "/src/c.go");
  uint64_t d = pb_add_function(b, "main.D", "/src/c.go");
  fx_cpu_sample(b, d, 21, 400);
  fx_cpu_sample(b, c, 6, 300);
  fx_cpu_sample(b, d, 6, 350);
  fx_cpu_sample(b, c, 5, 100);
  hx_options_t opts;
  hx_options_init(&opts);
  opts.threshold = threshold;
  opts.local_scope = scope;
  hx_error_t err = {0};
  int rc = fx_load(b, &opts, &index, &err);
  pb_builder_free(b);
  CHECK_INT(rc, 0);
  return index;
}

static void check_local(const hx_index_t *index, const int want[4]) {
  CHECK_INT(hx_index_point_count(index), 4);
  for (size_t i = 0; i < 4 && i < hx_index_point_count(index); i++)
    CHECK_INT(hx_index_point(index, i)->local, want[i]);
}

static void test_local_scope(void) {
  /* Function scope, 1.0: C: 6 -> 5, 5 -> 4; D: 21 -> 5, 6 -> 4. */
  static const int fn_10[4] = {4, 5, 4, 5};
  /* File scope, 1.0: 400, 350, 300, 100 -> 5, 4, 3, 2. */
  static const int file_10[4] = {2, 3, 4, 5};
  /* 0.5: each function keeps one point; the file keeps two. */
  static const int fn_05[4] = {0, 5, 0, 5};
  static const int file_05[4] = {0, 0, 4, 5};
  static const int global_05[4] = {0, 0, 4, 5};

  hx_index_t *index = load_shared_file(1.0, HX_LOCAL_FUNCTION);
  if (index)
    check_local(index, fn_10);
  hx_index_free(index);
  index = load_shared_file(1.0, HX_LOCAL_FILE);
  if (index)
    check_local(index, file_10);
  hx_index_free(index);
  index = load_shared_file(0.5, HX_LOCAL_FUNCTION);
  if (index) {
    check_local(index, fn_05);
    CHECK_INT(hx_index_function(index, 0)->max_local, 5);
  }
  hx_index_free(index);

  index = load_shared_file(0.5, HX_LOCAL_FILE);
  if (!index)
    return;
  check_local(index, file_05);
  for (size_t i = 0; i < 4 && i < hx_index_point_count(index); i++)
    CHECK_INT(hx_index_point(index, i)->global, global_05[i]);
  CHECK_INT(hx_index_function_count(index), 2);
  CHECK_INT(hx_index_file_count(index), 1);
  if (hx_index_function_count(index) == 2) {
    CHECK_STR(hx_index_function(index, 0)->display, "main.C");
    CHECK_INT(hx_index_function(index, 0)->max_local, 0);
    CHECK_INT(hx_index_function(index, 1)->max_local, 5);
  }
  if (hx_index_file_count(index) == 1) {
    CHECK_INT(hx_index_file(index, 0)->function_count, 2);
    CHECK_INT(hx_index_file(index, 0)->point_count, 4);
    CHECK_INT(hx_index_file(index, 0)->max_local, 5);
  }

  /* Line 6 is shared: D's point (350) is the hotter one. */
  const uint32_t *ids;
  size_t n;
  static const uint32_t line6[] = {2, 1}, all[] = {0, 2, 1, 3};
  CHECK_INT(hx_index_line(index, 0, 6), 2);
  n = hx_index_file_lines(index, 0, 6, 6, &ids);
  check_ids(ids, n, line6, 2);
  n = hx_index_file_lines(index, 0, 1, 100, &ids);
  check_ids(ids, n, all, 4);

  /* Relevel to function scope: the same as a fresh load. */
  CHECK_INT(hx_index_relevel(index, 1.0, HX_LOCAL_FUNCTION, NULL), 0);
  check_local(index, fn_10);
  hx_index_free(index);
}

/* A full tie (equal cum, equal line, two functions). The reference sorts
 * with Go 1.19's pdqsort, which insertion-sorts (stably) up to 12 items:
 * with few points the tie keeps layout order, main.A before main.B, even
 * though the profile lists main.B first. */
static void test_full_tie(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t fb = pb_add_function(b, "main.B", "/src/t.go");
  uint64_t fa = pb_add_function(b, "main.A", "/src/t.go");
  fx_cpu_sample(b, fb, 5, 10);
  fx_cpu_sample(b, fa, 5, 10);
  fx_cpu_sample(b, fa, 9, 5);
  hx_options_t opts;
  hx_options_init(&opts);
  opts.threshold = 1.0;
  hx_index_t *index = NULL;
  CHECK_INT(fx_load(b, &opts, &index, NULL), 0);
  pb_builder_free(b);
  if (!index)
    return;
  /* Layout: A:5, A:9, B:5. Ranks: A:5, B:5, A:9 -> 5, 4, 3. */
  CHECK_INT(hx_index_point_count(index), 3);
  if (hx_index_point_count(index) == 3) {
    CHECK_STR(hx_index_function(index, 0)->display, "main.A");
    CHECK_INT(hx_index_point(index, 0)->global, 5);
    CHECK_INT(hx_index_point(index, 1)->global, 3);
    CHECK_INT(hx_index_point(index, 2)->global, 4);
  }
  hx_index_free(index);
}

int main(void) {
  test_thresholds();
  test_summary();
  test_tables();
  test_queries();
  test_relevel();
  test_local_scope();
  test_full_tie();
  CHECK_DONE();
}
