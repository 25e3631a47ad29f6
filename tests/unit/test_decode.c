/*
 * test_decode.c: what the index makes of well-formed profiles. Gzip and raw
 * input, inlined frames, recursion, frames that do not count (SPEC.md
 * section 3), merged keys, sample type choice, units, symbol modes and
 * heatls's value rules (int64 sums in the sample type's own unit, zero and
 * negative values skipped, saturation at INT64_MAX).
 */
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"

#define MS FX_MS

static hx_index_t *load(pb_builder_t *b, const hx_options_t *opts) {
  hx_index_t *index = NULL;
  hx_error_t err = {0};
  int rc = fx_load(b, opts, &index, &err);
  if (rc != 0)
    fprintf(stderr, "  load: %d %s\n", rc, err.message);
  CHECK_INT(rc, 0);
  return index;
}

static hx_index_t *load_symbols(pb_builder_t *b, hx_symbols_t symbols) {
  hx_options_t opts;
  hx_options_init(&opts);
  opts.symbols = symbols;
  return load(b, &opts);
}

/* The point of (path, line): its flat and cum in the sample unit. */
#define CHECK_POINT(index, path, line, flat_, cum_)                           \
  do {                                                                        \
    long p_ = fx_point(index, path, line);                                    \
    if (p_ < 0)                                                               \
      fprintf(stderr, "  no point %s:%lld\n", path, (long long)(line));       \
    CHECK(p_ >= 0);                                                           \
    if (p_ >= 0) {                                                            \
      CHECK_INT(hx_index_point(index, (size_t)p_)->flat, flat_);              \
      CHECK_INT(hx_index_point(index, (size_t)p_)->cum, cum_);                \
    }                                                                         \
  } while (0)

/* The function with this display name: its flat and cum. */
#define CHECK_FUNCTION(index, display, flat_, cum_)                           \
  do {                                                                        \
    long f_ = fx_function(index, display);                                    \
    if (f_ < 0)                                                               \
      fprintf(stderr, "  no function %s\n", display);                         \
    CHECK(f_ >= 0);                                                           \
    if (f_ >= 0) {                                                            \
      CHECK_INT(hx_index_function(index, (size_t)f_)->flat, flat_);           \
      CHECK_INT(hx_index_function(index, (size_t)f_)->cum, cum_);             \
    }                                                                         \
  } while (0)

/* Two indexes hold the same tables. */
static void check_equal(const hx_index_t *x, const hx_index_t *y) {
  CHECK_INT(hx_index_file_count(x), hx_index_file_count(y));
  CHECK_INT(hx_index_function_count(x), hx_index_function_count(y));
  CHECK_INT(hx_index_point_count(x), hx_index_point_count(y));
  CHECK_INT(hx_index_summary(x)->total, hx_index_summary(y)->total);
  CHECK_INT(hx_index_summary(x)->samples, hx_index_summary(y)->samples);
  for (size_t i = 0; i < hx_index_file_count(x) && i < hx_index_file_count(y);
       i++)
    CHECK_STR(hx_index_file(x, i)->path, hx_index_file(y, i)->path);
  for (size_t i = 0;
       i < hx_index_function_count(x) && i < hx_index_function_count(y); i++) {
    const hx_function_t *a = hx_index_function(x, i);
    const hx_function_t *b = hx_index_function(y, i);
    CHECK_STR(a->display, b->display);
    CHECK_INT(a->file, b->file);
    CHECK_INT(a->cum, b->cum);
    CHECK_INT(a->flat, b->flat);
  }
  for (size_t i = 0;
       i < hx_index_point_count(x) && i < hx_index_point_count(y); i++) {
    const hx_point_t *a = hx_index_point(x, i), *b = hx_index_point(y, i);
    CHECK_INT(a->line, b->line);
    CHECK_INT(a->function, b->function);
    CHECK_INT(a->flat, b->flat);
    CHECK_INT(a->cum, b->cum);
    CHECK_INT(a->local, b->local);
    CHECK_INT(a->global, b->global);
  }
}

/* buf fed to a loader in pieces of `piece` bytes. */
static hx_index_t *load_fed(const uint8_t *buf, size_t len, size_t piece) {
  hx_index_t *index = NULL;
  hx_loader_t *loader = NULL;
  CHECK_INT(hx_loader_new(NULL, &loader, NULL), 0);
  if (!loader)
    return NULL;
  for (size_t at = 0; at < len; at += piece)
    CHECK_INT(hx_loader_feed(loader, buf + at,
                             len - at < piece ? len - at : piece, NULL),
              0);
  CHECK_INT(hx_loader_finish(loader, &index, NULL), 0);
  hx_loader_free(loader);
  return index;
}

static void test_gzip_and_raw(void) {
  uint8_t *gz = NULL, *raw = NULL;
  size_t gz_len = 0, raw_len = 0;
  CHECK_INT(fx_worked_example(1, &gz, &gz_len), 0);
  CHECK_INT(fx_worked_example(0, &raw, &raw_len), 0);
  if (!gz || !raw)
    goto done;
  CHECK(gz[0] == 0x1f && gz[1] == 0x8b);
  CHECK(raw[0] != 0x1f);
  hx_index_t *x = NULL, *y = NULL;
  hx_options_t opts;
  hx_options_init(&opts);
  CHECK_INT(hx_index_load_buffer(gz, gz_len, &opts, &x, NULL), 0);
  CHECK_INT(hx_index_load_buffer(raw, raw_len, &opts, &y, NULL), 0);
  if (x && y) {
    CHECK_INT(hx_index_point_count(x), 6);
    check_equal(x, y);
  }
  /* The same fed to a loader in pieces. */
  hx_index_t *fx = load_fed(gz, gz_len, 3);
  hx_index_t *fy = load_fed(raw, raw_len, 5);
  if (x && fx)
    check_equal(x, fx);
  if (x && fy)
    check_equal(x, fy);
  hx_index_free(x);
  hx_index_free(y);
  hx_index_free(fx);
  hx_index_free(fy);
done:
  free(gz);
  free(raw);
}

/* Go's gzip reader reads concatenated members as one stream: the profile
 * split in two, each half gzipped on its own, loads like the whole. */
static void test_gzip_members(void) {
  uint8_t *raw = NULL, *first = NULL, *second = NULL, *both = NULL;
  size_t raw_len = 0, first_len = 0, second_len = 0;
  CHECK_INT(fx_worked_example(0, &raw, &raw_len), 0);
  if (!raw)
    return;
  size_t half = raw_len / 2;
  CHECK_INT(pb_gzip(raw, half, &first, &first_len), 0);
  CHECK_INT(pb_gzip(raw + half, raw_len - half, &second, &second_len), 0);
  both = first && second ? malloc(first_len + second_len) : NULL;
  if (both) {
    memcpy(both, first, first_len);
    memcpy(both + first_len, second, second_len);
    hx_options_t opts;
    hx_options_init(&opts);
    hx_index_t *x = NULL, *y = NULL;
    CHECK_INT(
        hx_index_load_buffer(both, first_len + second_len, &opts, &x, NULL),
        0);
    CHECK_INT(hx_index_load_buffer(raw, raw_len, &opts, &y, NULL), 0);
    if (x && y)
      check_equal(x, y);
    hx_index_free(x);
    hx_index_free(y);
  }
  free(raw);
  free(first);
  free(second);
  free(both);
}

/* One location with three lines (inner inlined into mid into outer): the
 * innermost line gets flat, all of them get cum. */
static void test_inlined(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t inner = pb_add_function(b, "main.inner", "/src/i.go");
  uint64_t mid = pb_add_function(b, "main.mid", "/src/i.go");
  uint64_t outer = pb_add_function(b, "main.outer", "/src/i.go");
  uint64_t h = pb_add_function(b, "main.h", "/src/h.go");
  const pb_line_t three[] = {{inner, 5}, {mid, 15}, {outer, 25}};
  const pb_line_t two[] = {{inner, 6}, {mid, 16}};
  uint64_t stack1[] = {pb_add_location(b, 3, three)};
  uint64_t stack2[] = {pb_add_location(b, 2, two), pb_add_frame(b, h, 3)};
  fx_cpu_stack(b, 1, stack1, 10);
  fx_cpu_stack(b, 2, stack2, 20);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_point_count(index), 6);
  CHECK_POINT(index, "/src/i.go", 5, 10 * MS, 10 * MS);
  CHECK_POINT(index, "/src/i.go", 6, 20 * MS, 20 * MS);
  CHECK_POINT(index, "/src/i.go", 15, 0, 10 * MS);
  CHECK_POINT(index, "/src/i.go", 16, 0, 20 * MS);
  CHECK_POINT(index, "/src/i.go", 25, 0, 10 * MS);
  CHECK_POINT(index, "/src/h.go", 3, 0, 20 * MS);
  CHECK_FUNCTION(index, "main.inner", 30 * MS, 30 * MS);
  CHECK_FUNCTION(index, "main.mid", 0, 30 * MS);
  CHECK_FUNCTION(index, "main.outer", 0, 10 * MS);
  CHECK_FUNCTION(index, "main.h", 0, 20 * MS);
  hx_index_free(index);
}

/* fib calls itself on line 7: the point counts every frame, the function
 * counts each sample once. */
static void test_recursion(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t fib = pb_add_function(b, "main.fib", "/src/f.go");
  uint64_t main_ = pb_add_function(b, "main.main", "/src/a.go");
  uint64_t f7 = pb_add_frame(b, fib, 7), f8 = pb_add_frame(b, fib, 8);
  uint64_t m3 = pb_add_frame(b, main_, 3);
  uint64_t stack1[] = {f7, f7, f7, m3}, stack2[] = {f8, f7, m3};
  fx_cpu_stack(b, 4, stack1, 10);
  fx_cpu_stack(b, 3, stack2, 20);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_POINT(index, "/src/f.go", 7, 10 * MS, (3 * 10 + 20) * MS);
  CHECK_POINT(index, "/src/f.go", 8, 20 * MS, 20 * MS);
  CHECK_POINT(index, "/src/a.go", 3, 0, 30 * MS);
  CHECK_FUNCTION(index, "main.fib", 30 * MS, 30 * MS);
  CHECK_FUNCTION(index, "main.main", 0, 30 * MS);
  CHECK_INT(hx_index_summary(index)->total, 30 * MS);
  /* Equal cum: fib ranks first by its flat, though main.main comes first
   * in function order (/src/a.go). */
  long f = fx_function(index, "main.fib"), m = fx_function(index, "main.main");
  if (f >= 0 && m >= 0) {
    CHECK_INT(hx_index_function(index, (size_t)f)->rank, 0);
    CHECK_INT(hx_index_function(index, (size_t)m)->rank, 1);
  }
  hx_index_free(index);
}

/* A leaf frame without a Go package (C code under cgo): nobody gets flat
 * from that sample, the Go frames still get cum. */
static void test_leaf_without_package(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t memmove =
      pb_add_function(b, "__memmove_avx_unaligned_erms", "/usr/src/memmove.S");
  uint64_t work = pb_add_function(b, "main.work", "/src/w.go");
  uint64_t stack[] = {pb_add_frame(b, memmove, 1), pb_add_frame(b, work, 12)};
  fx_cpu_stack(b, 2, stack, 10);
  fx_cpu_sample(b, work, 13, 5);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_summary(index)->go_symbols, 1);
  CHECK_INT(hx_index_point_count(index), 2);
  CHECK_INT(hx_index_function_count(index), 1);
  CHECK_INT(hx_index_file_count(index), 1);
  CHECK_INT(hx_index_find_file(index, "/usr/src/memmove.S"), -1);
  CHECK_POINT(index, "/src/w.go", 12, 0, 10 * MS);
  CHECK_POINT(index, "/src/w.go", 13, 5 * MS, 5 * MS);
  CHECK_FUNCTION(index, "main.work", 5 * MS, 15 * MS);
  hx_index_free(index);
}

/* Function ids as large as a uint64: those that do not fit in 32 bits
 * (or are 2^32-1 exactly) are resolved like any other, on frames that
 * count and on frames a negative line skips. */
static void test_large_function_ids(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t f = pb_add_function(b, "main.f", "/src/f.go");
  uint64_t g = pb_add_function(b, "main.g", "/src/g.go");
  uint64_t h = pb_add_function(b, "main.h", "/src/h.go");
  uint64_t k = pb_add_function(b, "main.k", "/src/k.go");
  pb_set_function_id(b, f, UINT32_MAX);
  pb_set_function_id(b, g, (uint64_t)1 << 40);
  pb_set_function_id(b, h, UINT64_MAX);
  pb_set_function_id(b, k, UINT32_MAX - 1);
  uint64_t stack[] = {pb_add_frame(b, UINT32_MAX, 3),
                      pb_add_frame(b, UINT64_MAX, -1),
                      pb_add_frame(b, (uint64_t)1 << 40, 5),
                      pb_add_frame(b, UINT32_MAX - 1, 9)};
  fx_cpu_stack(b, 4, stack, 10);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_point_count(index), 3);
  CHECK_POINT(index, "/src/f.go", 3, 10 * MS, 10 * MS);
  CHECK_POINT(index, "/src/g.go", 5, 0, 10 * MS);
  CHECK_POINT(index, "/src/k.go", 9, 0, 10 * MS);
  CHECK_INT(fx_function(index, "main.h"), -1);
  hx_index_free(index);
}

/* Line 0 is a point; a negative line or one past 2^32-1 skips the frame
 * (its position still counts, so the next frame gets no flat); 2^32-1
 * itself is kept. */
static void test_line_limits(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t z = pb_add_function(b, "main.z", "/src/z.go");
  uint64_t m = pb_add_function(b, "main.m", "/src/m.go");
  uint64_t n = pb_add_function(b, "main.n", "/src/n.go");
  uint64_t k = pb_add_function(b, "main.k", "/src/k.go");
  fx_cpu_sample(b, z, 0, 10);
  uint64_t s1[] = {pb_add_frame(b, n, -5), pb_add_frame(b, m, 7)};
  uint64_t s2[] = {pb_add_frame(b, n, (int64_t)UINT32_MAX + 1),
                   pb_add_frame(b, m, 8)};
  fx_cpu_stack(b, 2, s1, 20);
  fx_cpu_stack(b, 2, s2, 30);
  fx_cpu_sample(b, k, UINT32_MAX, 40);
  fx_cpu_sample(b, n, INT64_MIN, 50);
  fx_cpu_sample(b, n, INT64_MAX, 60);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_point_count(index), 4);
  CHECK_INT(hx_index_function_count(index), 3);
  CHECK_INT(hx_index_file_count(index), 3);
  CHECK_INT(hx_index_find_file(index, "/src/n.go"), -1);
  CHECK_INT(fx_function(index, "main.n"), -1);
  CHECK_POINT(index, "/src/z.go", 0, 10 * MS, 10 * MS);
  CHECK_POINT(index, "/src/m.go", 7, 0, 20 * MS);
  CHECK_POINT(index, "/src/m.go", 8, 0, 30 * MS);
  CHECK_POINT(index, "/src/k.go", UINT32_MAX, 40 * MS, 40 * MS);
  long z_fn = fx_function(index, "main.z");
  if (z_fn >= 0) {
    CHECK_INT(hx_index_function(index, (size_t)z_fn)->min_line, 0);
    CHECK_INT(hx_index_function(index, (size_t)z_fn)->max_line, 0);
  }
  long k_fn = fx_function(index, "main.k");
  if (k_fn >= 0)
    CHECK_INT(hx_index_function(index, (size_t)k_fn)->max_line, UINT32_MAX);
  hx_index_free(index);
}

/* Names on which the reference panics: skipped like names without a
 * package, never a crash. */
static void test_panicking_names(void) {
  static const char *const names[] = {"pkg.",       "pkg.(T)", "pkg.(T).",
                                      "pkg.123",    "pkg.(*)", "pkg.()",
                                      "pkg.(*T).1", ".",       "main.(*T"};
  const size_t n = sizeof names / sizeof names[0];
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t ok = pb_add_function(b, "main.ok", "/src/ok.go");
  uint64_t stack[16];
  for (size_t i = 0; i < n; i++)
    stack[i] = pb_add_frame(b, pb_add_function(b, names[i], "/src/p.go"),
                            (int64_t)i + 1);
  stack[n] = pb_add_frame(b, ok, 3);
  fx_cpu_stack(b, n + 1, stack, 10); /* leaf "pkg.": no flat */
  stack[0] = pb_add_frame(b, ok, 4);
  fx_cpu_stack(b, n, stack, 20); /* leaf main.ok, "pkg.(T)" ... above it */
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_point_count(index), 2);
  CHECK_INT(hx_index_function_count(index), 1);
  CHECK_INT(hx_index_find_file(index, "/src/p.go"), -1);
  CHECK_POINT(index, "/src/ok.go", 3, 0, 10 * MS);
  CHECK_POINT(index, "/src/ok.go", 4, 20 * MS, 20 * MS);
  hx_index_free(index);
}

/* main.A in /x/a.go and in /y/a.go share the key (base name a.go): one
 * function record under the path seen first while reading samples. */
static void test_merged_key(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t x = pb_add_function(b, "main.A", "/x/a.go");
  uint64_t y = pb_add_function(b, "main.A", "/y/a.go");
  fx_cpu_sample(b, y, 2, 10);
  fx_cpu_sample(b, x, 1, 20);
  fx_cpu_sample(b, x, 2, 30);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_function_count(index), 1);
  CHECK_INT(hx_index_file_count(index), 1);
  CHECK_INT(hx_index_summary(index)->files, 1);
  CHECK_INT(hx_index_find_file(index, "/x/a.go"), -1);
  CHECK_INT(hx_index_find_file(index, "/y/a.go"), 0);
  CHECK_POINT(index, "/y/a.go", 1, 20 * MS, 20 * MS);
  CHECK_POINT(index, "/y/a.go", 2, 40 * MS, 40 * MS);
  /* F = 1, P = 2, N = 2 full paths: 68 + 32 + 24 + 24 + 7 + 7. */
  CHECK_INT(hx_index_summary(index)->reference_memory_approx, 162);
  hx_index_free(index);
}

/* A heap profile: four sample types, each sample with distinct values so
 * that the point's cum tells which one was used. */
static pb_builder_t *heap_builder(const char *default_type) {
  pb_builder_t *b = pb_builder_new();
  pb_add_sample_type(b, "alloc_objects", "count");
  pb_add_sample_type(b, "alloc_space", "bytes");
  pb_add_sample_type(b, "inuse_objects", "count");
  pb_add_sample_type(b, "inuse_space", "bytes");
  if (default_type)
    pb_set_default_sample_type(b, default_type);
  uint64_t f = pb_add_function(b, "main.alloc", "/src/h.go");
  uint64_t l9 = pb_add_frame(b, f, 9), l10 = pb_add_frame(b, f, 10);
  const int64_t v9[] = {1, 1000, 2, 3000}, v10[] = {4, 5000, 6, 7000};
  pb_add_sample(b, 1, &l9, 4, v9);
  pb_add_sample(b, 1, &l10, 4, v10);
  return b;
}

static void check_heap(const char *default_type, const char *option,
                       size_t want_index) {
  static const int64_t at9[] = {1, 1000, 2, 3000}, at10[] = {4, 5000, 6, 7000};
  static const char *const types[] = {"alloc_objects", "alloc_space",
                                      "inuse_objects", "inuse_space"};
  pb_builder_t *b = heap_builder(default_type);
  hx_options_t opts;
  hx_options_init(&opts);
  opts.sample_type = option;
  hx_index_t *index = load(b, &opts);
  pb_builder_free(b);
  if (!index)
    return;
  const hx_summary_t *s = hx_index_summary(index);
  if (s->sample_type_index != want_index)
    fprintf(stderr, "  default %s, option %s\n",
            default_type ? default_type : "-", option ? option : "-");
  CHECK_INT(s->sample_type_index, want_index);
  CHECK_STR(s->sample_type.type, types[want_index]);
  CHECK_STR(s->sample_type.unit, want_index % 2 ? "bytes" : "count");
  CHECK_INT(s->unit_kind, want_index % 2 ? HX_UNIT_BYTES : HX_UNIT_COUNT);
  CHECK_INT(s->ns_per_unit, 0);
  CHECK_INT(s->total, at9[want_index] + at10[want_index]);
  CHECK_INT(hx_index_sample_type_count(index), 4);
  CHECK_POINT(index, "/src/h.go", 9, at9[want_index], at9[want_index]);
  CHECK_POINT(index, "/src/h.go", 10, at10[want_index], at10[want_index]);
  hx_index_free(index);
}

static void test_heap_sample_types(void) {
  check_heap("inuse_space", NULL, 3);
  check_heap("alloc_objects", NULL, 0);
  check_heap("alloc_space", "", 1);
  check_heap(NULL, NULL, 3); /* no default: the last type */
  check_heap("inuse_space", "alloc_space", 1);
  check_heap("inuse_space", "alloc_space/bytes", 1);
  check_heap(NULL, "inuse_objects/count", 2);
  check_heap(NULL, "alloc_objects", 0);

  static const char *const unknown[] = {"cpu", "alloc_space/count", "in\nuse",
                                        "inuse", "bytes"};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    pb_builder_t *b = heap_builder("inuse_space");
    hx_options_t opts;
    hx_options_init(&opts);
    opts.sample_type = unknown[i];
    hx_index_t *index = NULL;
    hx_error_t err = {0};
    CHECK_INT(fx_load(b, &opts, &index, &err), HX_ESAMPLETYPE);
    pb_builder_free(b);
    CHECK(index == NULL);
    CHECK_INT(err.code, HX_ESAMPLETYPE);
    CHECK(strchr(err.message, '\n') == NULL);
    CHECK(fx_has_word(err.message, "alloc_objects"));
    CHECK(fx_has_word(err.message, "alloc_space"));
    CHECK(fx_has_word(err.message, "inuse_objects"));
    CHECK(fx_has_word(err.message, "inuse_space"));
    hx_index_free(index);
  }
}

/* A Go CPU profile: cpu/nanoseconds wherever it is, even when the default
 * names another type; the option still wins. */
static void check_cpu(int cpu_first, const char *default_type,
                      const char *option, size_t want_index, int64_t want) {
  pb_builder_t *b = pb_builder_new();
  if (cpu_first) {
    pb_add_sample_type(b, "cpu", "nanoseconds");
    pb_add_sample_type(b, "samples", "count");
  } else {
    pb_add_sample_type(b, "samples", "count");
    pb_add_sample_type(b, "cpu", "nanoseconds");
  }
  if (default_type)
    pb_set_default_sample_type(b, default_type);
  uint64_t loc = pb_add_frame(b, pb_add_function(b, "main.f", "/src/f.go"), 1);
  const int64_t values[2] = {cpu_first ? 30 * MS : 3, cpu_first ? 3 : 30 * MS};
  pb_add_sample(b, 1, &loc, 2, values);
  hx_options_t opts;
  hx_options_init(&opts);
  opts.sample_type = option;
  hx_index_t *index = load(b, &opts);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_summary(index)->sample_type_index, want_index);
  CHECK_INT(hx_index_summary(index)->total, want);
  CHECK_POINT(index, "/src/f.go", 1, want, want);
  hx_index_free(index);
}

static void test_cpu_sample_types(void) {
  check_cpu(0, NULL, NULL, 1, 30 * MS);
  check_cpu(0, "samples", NULL, 1, 30 * MS);
  check_cpu(1, NULL, NULL, 0, 30 * MS);
  check_cpu(1, "samples", NULL, 0, 30 * MS);
  check_cpu(0, NULL, "samples", 0, 3);
  check_cpu(0, NULL, "samples/count", 0, 3);
  check_cpu(1, NULL, "cpu/nanoseconds", 0, 30 * MS);
}

static void check_unit(const char *unit, hx_unit_kind_t kind, int64_t ns) {
  pb_builder_t *b = pb_builder_new();
  pb_add_sample_type(b, "delay", unit);
  uint64_t loc = pb_add_frame(b, pb_add_function(b, "main.f", "/src/f.go"), 1);
  const int64_t value = 7;
  pb_add_sample(b, 1, &loc, 1, &value);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  const hx_summary_t *s = hx_index_summary(index);
  CHECK_STR(s->sample_type.unit, unit);
  CHECK_INT(s->unit_kind, kind);
  CHECK_INT(s->ns_per_unit, ns);
  CHECK_INT(s->total, 7);
  hx_index_free(index);
}

static void test_units(void) {
  check_unit("nanoseconds", HX_UNIT_TIME, 1);
  check_unit("microseconds", HX_UNIT_TIME, 1000);
  check_unit("milliseconds", HX_UNIT_TIME, 1000000);
  check_unit("seconds", HX_UNIT_TIME, 1000000000);
  check_unit("bytes", HX_UNIT_BYTES, 0);
  check_unit("count", HX_UNIT_COUNT, 0);
  check_unit("widgets", HX_UNIT_COUNT, 0);
}

/* A C++ profile: no ".go" file, so raw symbols keyed by full path and raw
 * name; "helper" in two directories stays two functions. */
static pb_builder_t *cxx_builder(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t push =
      pb_add_function(b, "std::vector<int>::push_back", "/src/v.cc");
  uint64_t main_ = pb_add_function(b, "main", "/src/main.cc");
  uint64_t ha = pb_add_function(b, "helper", "/a/u.cc");
  uint64_t hb = pb_add_function(b, "helper", "/b/u.cc");
  uint64_t stack[] = {pb_add_frame(b, push, 10), pb_add_frame(b, main_, 3)};
  fx_cpu_stack(b, 2, stack, 10);
  fx_cpu_sample(b, ha, 5, 20);
  fx_cpu_sample(b, hb, 5, 30);
  return b;
}

static void test_raw_symbols_auto(void) {
  static const hx_symbols_t modes[] = {HX_SYMBOLS_AUTO, HX_SYMBOLS_RAW};
  for (size_t m = 0; m < 2; m++) {
    pb_builder_t *b = cxx_builder();
    hx_index_t *index = load_symbols(b, modes[m]);
    pb_builder_free(b);
    if (!index)
      continue;
    CHECK_INT(hx_index_summary(index)->go_symbols, 0);
    CHECK_INT(hx_index_function_count(index), 4);
    CHECK_INT(hx_index_file_count(index), 4);
    static const char *const paths[] = {"/a/u.cc", "/b/u.cc", "/src/main.cc",
                                        "/src/v.cc"};
    for (size_t i = 0; i < 4 && i < hx_index_file_count(index); i++)
      CHECK_STR(hx_index_file(index, i)->path, paths[i]);
    CHECK_POINT(index, "/src/v.cc", 10, 10 * MS, 10 * MS);
    CHECK_POINT(index, "/src/main.cc", 3, 0, 10 * MS);
    CHECK_POINT(index, "/a/u.cc", 5, 20 * MS, 20 * MS);
    CHECK_POINT(index, "/b/u.cc", 5, 30 * MS, 30 * MS);
    long f = fx_function(index, "std::vector<int>::push_back");
    CHECK(f >= 0);
    if (f >= 0) {
      const hx_function_t *fn = hx_index_function(index, (size_t)f);
      CHECK_STR(fn->package, "");
      CHECK_STR(fn->type, "");
      CHECK_STR(fn->name, "std::vector<int>::push_back");
      CHECK_STR(fn->symbol, "std::vector<int>::push_back");
      CHECK_STR(hx_index_file(index, fn->file)->path, "/src/v.cc");
    }
    hx_index_free(index);
  }

  /* Go rules forced on it: no frame has a package. */
  pb_builder_t *b = cxx_builder();
  hx_options_t opts;
  hx_options_init(&opts);
  opts.symbols = HX_SYMBOLS_GO;
  hx_index_t *index = NULL;
  hx_error_t err = {0};
  CHECK_INT(fx_load(b, &opts, &index, &err), HX_ENOSAMPLES);
  CHECK(index == NULL);
  pb_builder_free(b);
}

/* A Go profile read with Go rules, then with raw symbols. */
static pb_builder_t *go_mixed_builder(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t memmove =
      pb_add_function(b, "__memmove_avx_unaligned_erms", "/usr/src/memmove.S");
  uint64_t closure = pb_add_function(b, "main.main.func1", "/src/m.go");
  uint64_t main_ = pb_add_function(b, "main.main", "/src/m.go");
  uint64_t bad = pb_add_function(b, "pkg.", "/src/p.go");
  uint64_t stack[] = {pb_add_frame(b, memmove, 1),
                      pb_add_frame(b, closure, 20),
                      pb_add_frame(b, main_, 10)};
  fx_cpu_stack(b, 3, stack, 10);
  fx_cpu_sample(b, bad, 2, 5);
  return b;
}

static void test_go_vs_raw(void) {
  pb_builder_t *b = go_mixed_builder();
  hx_index_t *index = load_symbols(b, HX_SYMBOLS_AUTO);
  pb_builder_free(b);
  if (index) {
    CHECK_INT(hx_index_summary(index)->go_symbols, 1);
    CHECK_INT(hx_index_function_count(index), 1);
    CHECK_INT(hx_index_point_count(index), 2);
    CHECK_POINT(index, "/src/m.go", 20, 0, 10 * MS);
    CHECK_POINT(index, "/src/m.go", 10, 0, 10 * MS);
    CHECK_FUNCTION(index, "main.main", 0, 10 * MS);
    long f = fx_function(index, "main.main");
    if (f >= 0) {
      const hx_function_t *fn = hx_index_function(index, (size_t)f);
      CHECK_STR(fn->package, "main");
      CHECK_STR(fn->name, "main");
      /* The closure's frame created the key. */
      CHECK_STR(fn->symbol, "main.main.func1");
    }
    hx_index_free(index);
  }

  b = go_mixed_builder();
  index = load_symbols(b, HX_SYMBOLS_RAW);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_summary(index)->go_symbols, 0);
  CHECK_INT(hx_index_function_count(index), 4);
  CHECK_INT(hx_index_point_count(index), 4);
  CHECK_POINT(index, "/usr/src/memmove.S", 1, 10 * MS, 10 * MS);
  CHECK_POINT(index, "/src/m.go", 20, 0, 10 * MS);
  CHECK_POINT(index, "/src/m.go", 10, 0, 10 * MS);
  CHECK_POINT(index, "/src/p.go", 2, 5 * MS, 5 * MS);
  CHECK_FUNCTION(index, "main.main.func1", 0, 10 * MS);
  CHECK_FUNCTION(index, "main.main", 0, 10 * MS);
  CHECK_FUNCTION(index, "pkg.", 5 * MS, 5 * MS);
  hx_index_free(index);
}

/* Zero and negative values are skipped whole; a sample with no location
 * counts as a sample but adds nothing. */
static void test_skipped_values(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t y = pb_add_function(b, "main.y", "/src/y.go");
  uint64_t z = pb_add_function(b, "main.z", "/src/z.go");
  fx_cpu_sample(b, z, 5, 0);
  fx_cpu_sample(b, z, 6, -10);
  fx_cpu_sample(b, y, 6, 10);
  fx_cpu_sample(b, y, 7, 0);
  fx_cpu_stack(b, 0, NULL, 20);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_INT(hx_index_summary(index)->samples, 5);
  CHECK_INT(hx_index_point_count(index), 1);
  CHECK_INT(hx_index_function_count(index), 1);
  CHECK_INT(hx_index_file_count(index), 1);
  CHECK_INT(fx_point(index, "/src/y.go", 7), -1);
  CHECK_POINT(index, "/src/y.go", 6, 10 * MS, 10 * MS);
  hx_index_free(index);

  /* Only zero-valued samples: nothing to index. */
  b = fx_go_cpu_builder();
  fx_cpu_sample(b, pb_add_function(b, "main.y", "/src/y.go"), 6, 0);
  index = NULL;
  CHECK_INT(fx_load(b, NULL, &index, NULL), HX_ENOSAMPLES);
  CHECK(index == NULL);
  pb_builder_free(b);
}

/* Values in the sample type's own unit, summed in int64: no truncation to
 * microseconds, no wrap at 2^32 us, saturation at INT64_MAX. */
static void test_value_sums(void) {
  pb_builder_t *b = pb_builder_new();
  pb_add_sample_type(b, "cpu", "nanoseconds");
  uint64_t f = pb_add_function(b, "main.f", "/src/f.go");
  uint64_t g = pb_add_function(b, "main.g", "/src/g.go");
  uint64_t f1 = pb_add_frame(b, f, 1), f2 = pb_add_frame(b, f, 2);
  uint64_t f3 = pb_add_frame(b, f, 3), g1 = pb_add_frame(b, g, 1);
  const int64_t one = 1, odd = 1234567, big = 4500000000000; /* 4500 s */
  const int64_t half = INT64_MAX / 2 + 1, near = INT64_MAX - 1;
  pb_add_sample(b, 1, &f1, 1, &one);
  pb_add_sample(b, 1, &f1, 1, &odd);
  pb_add_sample(b, 1, &f2, 1, &big);
  pb_add_sample(b, 1, &f3, 1, &half);
  pb_add_sample(b, 1, &f3, 1, &half);
  uint64_t rec[] = {g1, g1};
  pb_add_sample(b, 2, rec, 1, &near);
  hx_index_t *index = load(b, NULL);
  pb_builder_free(b);
  if (!index)
    return;
  CHECK_POINT(index, "/src/f.go", 1, 1234568, 1234568);
  CHECK_POINT(index, "/src/f.go", 2, big, big);
  CHECK_POINT(index, "/src/f.go", 3, INT64_MAX, INT64_MAX);
  CHECK_POINT(index, "/src/g.go", 1, near, INT64_MAX);
  CHECK_FUNCTION(index, "main.f", INT64_MAX, INT64_MAX);
  CHECK_FUNCTION(index, "main.g", near, near);
  CHECK_INT(hx_index_summary(index)->total, INT64_MAX);
  hx_index_free(index);
}

/* Names with NUL bytes: a string ends at its first NUL, as the C strings
 * the index hands out do, so names that differ only after it are one name
 * (one key, one function, one file). The builder takes C strings: \x01
 * marks where a NUL goes in the serialized bytes. */
static hx_index_t *load_with_nul(pb_builder_t *b, size_t want_marks) {
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(pb_build_bytes(b, 0, &buf, &len), 0);
  pb_builder_free(b);
  if (!buf)
    return NULL;
  /* Only a mark inside a name: printable on both sides (a varint 1 or a
   * length byte sits next to a tag or another length). */
  size_t marks = 0;
  for (size_t i = 1; i + 1 < len; i++)
    if (buf[i] == 0x01 && buf[i - 1] >= 'A' && buf[i - 1] <= 'z' &&
        buf[i + 1] >= 'a' && buf[i + 1] <= 'z') {
      buf[i] = 0x00;
      marks++;
    }
  CHECK_INT(marks, want_marks);
  hx_index_t *index = NULL;
  hx_error_t err = {0};
  int rc = hx_index_load_buffer(buf, len, NULL, &index, &err);
  if (rc != 0)
    fprintf(stderr, "  load: %d %s\n", rc, err.message);
  CHECK_INT(rc, 0);
  free(buf);
  return index;
}

static void test_nul_in_names(void) {
  /* Receivers that differ after a NUL (the fuzzer's find) are both
   * "main.(*T", a name without a function: no frame of theirs counts. */
  pb_builder_t *b = fx_go_cpu_builder();
  uint64_t x = pb_add_function(b, "main.(*T\001a).f", "/src/t.go");
  uint64_t y = pb_add_function(b, "main.(*T\001b).f", "/src/t.go");
  uint64_t w = pb_add_function(b, "main.work", "/src/w.go");
  fx_cpu_sample(b, x, 3, 10);
  fx_cpu_sample(b, y, 4, 20);
  fx_cpu_sample(b, w, 7, 5);
  hx_index_t *index = load_with_nul(b, 2);
  if (index) {
    CHECK_INT(hx_index_function_count(index), 1);
    CHECK_INT(hx_index_point_count(index), 1);
    CHECK_FUNCTION(index, "main.work", 5 * MS, 5 * MS);
    hx_index_free(index);
  }
  /* Names and paths that read the same up to a NUL are one function in one
   * file. */
  b = fx_go_cpu_builder();
  x = pb_add_function(b, "main.(*T).f\001one", "/src/t.go\001one");
  y = pb_add_function(b, "main.(*T).f\001two", "/src/t.go");
  fx_cpu_sample(b, x, 3, 10);
  fx_cpu_sample(b, y, 3, 20);
  index = load_with_nul(b, 3);
  if (index) {
    CHECK_INT(hx_index_function_count(index), 1);
    CHECK_INT(hx_index_file_count(index), 1);
    CHECK_INT(hx_index_find_file(index, "/src/t.go"), 0);
    CHECK_FUNCTION(index, "main.(T).f", 30 * MS, 30 * MS);
    CHECK_POINT(index, "/src/t.go", 3, 30 * MS, 30 * MS);
    hx_index_free(index);
  }
}

int main(void) {
  test_gzip_and_raw();
  test_gzip_members();
  test_inlined();
  test_recursion();
  test_leaf_without_package();
  test_line_limits();
  test_large_function_ids();
  test_panicking_names();
  test_merged_key();
  test_heap_sample_types();
  test_cpu_sample_types();
  test_units();
  test_raw_symbols_auto();
  test_go_vs_raw();
  test_skipped_values();
  test_value_sums();
  test_nul_in_names();
  CHECK_DONE();
}
