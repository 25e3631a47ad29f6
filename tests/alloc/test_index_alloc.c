/*
 * test_index_alloc.c: allocation failure walks over the index module.
 *
 * The linker routes the index's malloc, calloc and realloc (the module
 * calls no strdup or strndup: its strings are copied into arenas) through
 * the wrappers below. Each scenario loads a profile again and again with
 * the 1st, 2nd, 3rd... allocation failing, and then again with every
 * allocation from the Nth on failing, until N passes the number of
 * allocations a good load makes. Every run must end in success, with an
 * index identical to a load without failures, or in HX_ENOMEM with *out
 * NULL and the error filled in; the sanitizer build's leak checker then
 * sees that nothing was lost on the way.
 *
 * What the wrappers see: the index's own allocations, ISA-L's inflate
 * state among them (ISA-L itself allocates nothing), and protobuf-c's,
 * since the index hands protobuf-c an allocator over its arenas. What they
 * do not see: glibc's inside qsort and vsnprintf.
 *
 * hx_index_combine is walked the same way, on a merge and on a diff of
 * two loaded indexes.
 *
 * hx_index_relevel allocates nothing (its scratch is made at load time);
 * the test pins that, and checks that a relevel that fails leaves every
 * level as it was.
 *
 * One known bug is listed rather than failed (HEATLS_ALLOC_STRICT=1 fails
 * it): protobuf-c's unpack returns NULL both for bad bytes and for a failed
 * allocation, and decode.c and build.c report both as HX_EPROTO.
 *
 * Usage: test_index_alloc TESTDATA_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fail_alloc.h"
#include "heat_index.h"
#include "profile_builder.h"

/* ---- a digest of everything an index answers ---- */

static void mix(uint64_t *h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    *h = (*h ^ b[i]) * 0x100000001b3ull;
}
static void mix_u64(uint64_t *h, uint64_t v) { mix(h, &v, sizeof v); }
static void mix_str(uint64_t *h, const char *s) {
  mix(h, s ? s : "(null)", strlen(s ? s : "(null)") + 1);
}

static uint64_t digest(const hx_index_t *ix) {
  uint64_t h = 0xcbf29ce484222325ull;
  const hx_summary_t *s = hx_index_summary(ix);
  mix_str(&h, s->sample_type.type);
  mix_str(&h, s->sample_type.unit);
  mix_u64(&h, s->sample_type_index);
  mix_u64(&h, (uint64_t)s->unit_kind);
  mix_u64(&h, (uint64_t)s->ns_per_unit);
  mix_u64(&h, (uint64_t)s->total);
  mix_u64(&h, s->samples);
  mix_u64(&h, s->files);
  mix_u64(&h, s->functions);
  mix_u64(&h, s->points);
  mix_u64(&h, (uint64_t)s->go_symbols);
  mix(&h, &s->threshold, sizeof s->threshold);
  mix_u64(&h, (uint64_t)s->local_scope);
  mix_u64(&h, s->reference_memory_approx);
  for (size_t i = 0; i < hx_index_sample_type_count(ix); i++) {
    mix_str(&h, hx_index_sample_type(ix, i)->type);
    mix_str(&h, hx_index_sample_type(ix, i)->unit);
  }
  for (size_t i = 0; i < hx_index_point_count(ix); i++) {
    const hx_point_t *p = hx_index_point(ix, i);
    mix_u64(&h, (uint64_t)p->flat);
    mix_u64(&h, (uint64_t)p->cum);
    mix_u64(&h, ((uint64_t)p->line << 32) | p->function);
    mix_u64(&h, ((uint64_t)p->local << 8) | p->global);
  }
  for (size_t i = 0; i < hx_index_function_count(ix); i++) {
    const hx_function_t *f = hx_index_function(ix, i);
    mix_str(&h, f->package);
    mix_str(&h, f->type);
    mix_str(&h, f->name);
    mix_str(&h, f->display);
    mix_str(&h, f->symbol);
    mix_u64(&h, ((uint64_t)f->file << 32) | f->first_point);
    mix_u64(&h, ((uint64_t)f->point_count << 32) | f->rank);
    mix_u64(&h, ((uint64_t)f->min_line << 32) | f->max_line);
    mix_u64(&h, ((uint64_t)f->max_local << 8) | f->max_global);
    mix_u64(&h, (uint64_t)f->flat);
    mix_u64(&h, (uint64_t)f->cum);
  }
  for (size_t i = 0; i < hx_index_file_count(ix); i++) {
    const hx_file_t *f = hx_index_file(ix, i);
    const uint32_t *ids;
    mix_str(&h, f->path);
    mix_u64(&h, ((uint64_t)f->first_function << 32) | f->function_count);
    mix_u64(&h, ((uint64_t)f->point_count << 16) |
                    ((uint64_t)f->max_local << 8) | f->max_global);
    size_t n = hx_index_file_lines(ix, i, 0, UINT32_MAX, &ids);
    mix(&h, ids, n * sizeof *ids);
  }
  const uint32_t *ids;
  size_t n = hx_index_top(ix, SIZE_MAX, &ids);
  mix(&h, ids, n * sizeof *ids);
  n = hx_index_top_functions(ix, SIZE_MAX, &ids);
  mix(&h, ids, n * sizeof *ids);
  return h;
}

/* ---- the profiles ---- */

typedef struct scenario {
  const char *name;
  const char *path; /* read into memory */
  size_t piece;     /* > 0: fed to a loader in pieces of this size */
  uint8_t *data;    /* owned */
  size_t size;
  hx_options_t opts;
  long allocations; /* made by a good load (measured) */
  uint64_t good;    /* digest of a good load */
  char known[256];  /* N values that met the known bug */
} scenario_t;

static int strict; /* HEATLS_ALLOC_STRICT=1: known bugs fail too */

static int read_file(const char *path, uint8_t **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      uint8_t *bigger = realloc(buf, cap * 2);
      if (!bigger) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf || n == 0) {
    free(buf);
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

/* The id of function i of build_sparse: sparse, and past 32 bits for every
 * 97th (the decoder lists such frames apart, as it does frames whose line
 * does not count). */
static uint64_t sparse_function_id(size_t i) {
  return i % 97 == 0 ? ((uint64_t)1 << 33) + i : 1000003 * (i + 1);
}

/* A profile the test data lacks: raw (non-Go) symbols, sparse function and
 * location ids (hash-table id maps), function ids past 32 bits and lines
 * that do not count, inlined frames (locations with several counting
 * lines), over a thousand keys and a few thousand points (the key and
 * point tables grow), and a string table of a few thousand entries. */
static int build_sparse(uint8_t **out, size_t *len) {
  enum { FUNCS = 1500, LOCS = 2400, SAMPLES = 3000 };
  pb_builder_t *b = pb_builder_new();
  if (!b)
    return -1;
  pb_add_sample_type(b, "samples", "count");
  pb_add_sample_type(b, "cpu", "nanoseconds");
  static uint64_t fn[FUNCS], loc[LOCS];
  char name[64], file[64];
  for (size_t i = 0; i < FUNCS; i++) {
    snprintf(name, sizeof name, "fn_%zu", i);
    snprintf(file, sizeof file, "/src/part%zu/file%zu.c", i % 7, i / 3);
    fn[i] = pb_add_function(b, name, file);
    pb_set_function_id(b, fn[i], sparse_function_id(i));
  }
  for (size_t i = 0; i < LOCS; i++) {
    pb_line_t lines[3];
    size_t n = 1 + i % 3;
    for (size_t j = 0; j < n; j++) {
      lines[j].function_id = sparse_function_id((i * 7 + j * 13) % FUNCS);
      lines[j].line =
          i % 50 == 1 && j == 1 ? -1 : (int64_t)(10 + (i * 31 + j) % 400);
    }
    loc[i] = pb_add_location(b, n, lines);
    pb_set_location_id(b, loc[i], 7777777 * (i + 1) + 5);
  }
  for (size_t s = 0; s < SAMPLES; s++) {
    uint64_t stack[6];
    size_t depth = 1 + s % 6;
    for (size_t d = 0; d < depth; d++)
      stack[d] = 7777777 * (((s * 11 + d * 389) % LOCS) + 1) + 5;
    int64_t values[2] = {1, (int64_t)(10000000 + (s * 7919) % 5000000)};
    pb_add_sample(b, depth, stack, 2, values);
  }
  int rc = pb_build_bytes(b, 1, out, len);
  pb_builder_free(b);
  return rc;
}

/* A Go profile with one key in two directories (main.f in /a and /b: the
 * frame the walkers meet first decides the path it shows) in locations of
 * one, two and five counting lines (keys inline and in multi_keys). */
static int build_ambiguous(uint8_t **out, size_t *len) {
  pb_builder_t *b = pb_builder_new();
  if (!b)
    return -1;
  pb_add_sample_type(b, "samples", "count");
  pb_add_sample_type(b, "cpu", "nanoseconds");
  uint64_t g = pb_add_function(b, "main.g", "/src/g.go");
  uint64_t fa = pb_add_function(b, "main.f", "/a/f.go");
  uint64_t fb = pb_add_function(b, "main.f", "/b/f.go");
  pb_line_t one[1] = {{g, 1}};
  pb_line_t two[2] = {{fb, 8}, {g, 2}};
  pb_line_t five[5] = {{g, 3}, {g, 4}, {g, 5}, {g, 6}, {fa, 7}};
  uint64_t locs[3] = {pb_add_location(b, 1, one), pb_add_location(b, 2, two),
                      pb_add_location(b, 5, five)};
  for (size_t s = 0; s < 60; s++) {
    uint64_t stack[2] = {locs[(s + 2) % 3], locs[0]};
    int64_t values[2] = {1, (int64_t)(1000 + s)};
    pb_add_sample(b, 1 + s % 2, stack, 2, values);
  }
  int rc = pb_build_bytes(b, 1, out, len);
  pb_builder_free(b);
  return rc;
}

/* Through the loader's API, piece by piece. A failed feed must leave the
 * loader failed: the next feed and the finish give the same code and
 * message. */
static int load_fed(const scenario_t *sc, hx_index_t **out, hx_error_t *err) {
  hx_loader_t *l = (hx_loader_t *)(uintptr_t)1; /* must come back NULL */
  int rc = hx_loader_new(&sc->opts, &l, err);
  if (rc < 0) {
    CHECK(l == NULL);
    *out = NULL;
    return rc;
  }
  for (size_t at = 0; at < sc->size && rc == 0; at += sc->piece) {
    size_t n = sc->size - at < sc->piece ? sc->size - at : sc->piece;
    rc = hx_loader_feed(l, sc->data + at, n, err);
  }
  if (rc == 0) {
    rc = hx_loader_finish(l, out, err);
  } else {
    hx_error_t again;
    CHECK_INT(hx_loader_feed(l, sc->data, 1, &again), rc);
    CHECK_STR(again.message, err ? err->message : again.message);
    CHECK_INT(hx_loader_finish(l, out, NULL), rc);
    CHECK(*out == NULL);
  }
  hx_loader_free(l);
  return rc;
}

static int load(const scenario_t *sc, hx_index_t **out, hx_error_t *err) {
  if (sc->piece)
    return load_fed(sc, out, err);
  return hx_index_load_buffer(sc->data, sc->size, &sc->opts, out, err);
}

/* Loads once with allocation N failing (rest: and every one after it).
 * Returns 1 while the walk should go on (an allocation failed). */
static int run_once(scenario_t *sc, long n, int rest) {
  hx_index_t *ix = (hx_index_t *)(uintptr_t)1; /* must come back NULL */
  hx_error_t err;
  memset(&err, 0, sizeof err);
  fail_alloc_arm(n, rest);
  int rc = load(sc, &ix, &err);
  fail_alloc_disarm();
  const char *mode = rest ? "from" : "at";
  if (rc == 0) {
    CHECK(ix != NULL);
    if (ix) {
      uint64_t d = digest(ix);
      if (d != sc->good)
        CHECK_FAIL_AT(__FILE__, __LINE__,
                      "%s: allocation %s %ld: the load succeeded but the "
                      "index differs from a good load",
                      sc->name, mode, n);
    }
    check_count++;
    hx_index_free(ix);
  } else {
    check_count++;
    if (rc == HX_EPROTO && fail_alloc_failures() && !strict &&
        strncmp(err.message, "protobuf: bad ", 14) == 0) {
      /* Known bug: protobuf-c's unpack returns NULL both for bad bytes and
       * for a failed allocation, and decode.c / build.c report both as a
       * bad message. HEATLS_ALLOC_STRICT=1 makes it a failure. */
      int len = (int)strlen(sc->known);
      snprintf(sc->known + len, sizeof sc->known - (size_t)len, " %s %ld",
               mode, n);
    } else if (rc != HX_ENOMEM)
      CHECK_FAIL_AT(__FILE__, __LINE__,
                    "%s: allocation %s %ld failing: code %d (%s), not "
                    "HX_ENOMEM: \"%s\"",
                    sc->name, mode, n, rc, hx_strerror(rc), err.message);
    CHECK(ix == NULL);
    CHECK_INT(err.code, rc);
    CHECK(err.message[0] != '\0');
    if (rc < 0 && !fail_alloc_failures())
      CHECK_FAIL_AT(__FILE__, __LINE__,
                    "%s: allocation %s %ld: the load failed (%d: %s) "
                    "although no allocation failed",
                    sc->name, mode, n, rc, err.message);
  }
  return fail_alloc_failures() > 0;
}

static void walk(scenario_t *sc) {
  hx_index_t *ix = NULL;
  hx_error_t err;
  /* A good load: its digest and how many allocations it makes. */
  fail_alloc_arm(0, 0);
  int rc = load(sc, &ix, &err);
  fail_alloc_disarm();
  CHECK_INT(rc, 0);
  if (rc != 0) {
    fprintf(stderr, "%s: the good load failed: %s\n", sc->name, err.message);
    return;
  }
  sc->allocations = fail_alloc_count();
  sc->good = digest(ix);
  hx_index_free(ix);
  CHECK(sc->allocations > 0);

  for (int rest = 0; rest <= 1; rest++) {
    long n;
    for (n = 1; n <= sc->allocations + 1; n++)
      if (!run_once(sc, n, rest))
        break;
    /* The walk ends exactly one past the last allocation of a good load:
     * a failure never makes a load allocate more. */
    CHECK_INT(n, sc->allocations + 1);
  }
  printf("%-24s %5ld allocations in a load; N = 1..%ld walked twice "
         "(allocation N fails; every allocation from N on fails)\n",
         sc->name, sc->allocations, sc->allocations + 1);
  if (sc->known[0])
    printf("%-24s KNOWN BUG: out of memory in protobuf-c's unpack reported "
           "as HX_EPROTO \"protobuf: bad ...\", allocation%s\n",
           sc->name, sc->known);
}

/* hx_index_relevel under failure: it allocates nothing, so it succeeds with
 * every allocation failing; when it fails (bad arguments) nothing changes. */
static void relevel(scenario_t *sc) {
  hx_index_t *ix = NULL, *other = NULL;
  hx_options_t o = sc->opts;
  CHECK_INT(load(sc, &ix, NULL), 0);
  o.threshold = 0.2;
  o.local_scope = HX_LOCAL_FILE;
  scenario_t sc2 = *sc;
  sc2.opts = o;
  CHECK_INT(load(&sc2, &other, NULL), 0);
  if (!ix || !other) {
    hx_index_free(ix);
    hx_index_free(other);
    return;
  }
  uint64_t at_half = digest(ix), at_fifth = digest(other);
  CHECK(at_half != at_fifth);
  hx_index_free(other);

  hx_error_t err;
  for (long n = 1;; n++) {
    fail_alloc_arm(n, 1);
    int rc = hx_index_relevel(ix, 0.2, HX_LOCAL_FILE, &err);
    fail_alloc_disarm();
    CHECK_INT(rc, 0);
    CHECK(digest(ix) == at_fifth);
    CHECK_INT(fail_alloc_count(), 0); /* no allocation at all */
    if (!fail_alloc_failures())
      break;
  }
  fail_alloc_arm(1, 1);
  int rc = hx_index_relevel(ix, 2.0, HX_LOCAL_FUNCTION, &err);
  fail_alloc_disarm();
  CHECK_INT(rc, HX_EINVAL);
  CHECK(digest(ix) == at_fifth);
  fail_alloc_arm(1, 1);
  rc = hx_index_relevel(ix, 0.5, (hx_local_scope_t)7, &err);
  fail_alloc_disarm();
  CHECK_INT(rc, HX_EINVAL);
  CHECK(digest(ix) == at_fifth);
  fail_alloc_arm(1, 1);
  rc = hx_index_relevel(ix, 0.5, HX_LOCAL_FUNCTION, &err);
  fail_alloc_disarm();
  CHECK_INT(rc, 0);
  CHECK(digest(ix) == at_half);
  hx_index_free(ix);
  printf("%-24s relevel: 0 allocations; failed relevels change nothing\n",
         sc->name);
}

/* ---- combining indexes: a merge and a diff ---- */

static uint64_t digest_combined(const hx_index_t *ix) {
  uint64_t h = digest(ix);
  const hx_summary_t *s = hx_index_summary(ix);
  mix_u64(&h, s->inputs);
  mix_u64(&h, s->base_inputs);
  mix_u64(&h, (uint64_t)s->base_total);
  mix_u64(&h, (uint64_t)s->base_total_raw);
  mix_u64(&h, s->regressions);
  mix_u64(&h, s->improvements);
  for (size_t i = 0; i < hx_index_point_count(ix); i++) {
    const hx_point_diff_t *d = hx_index_point_diff(ix, i);
    if (!d)
      break;
    mix_u64(&h, (uint64_t)d->base_flat);
    mix_u64(&h, (uint64_t)d->base_cum);
    mix_u64(&h, (uint64_t)d->delta_flat);
    mix_u64(&h, (uint64_t)d->delta_cum);
    mix_u64(&h, ((uint64_t)(uint8_t)d->local << 8) | (uint8_t)d->global);
  }
  for (size_t i = 0; i < hx_index_function_count(ix); i++) {
    const hx_function_diff_t *d = hx_index_function_diff(ix, i);
    if (!d)
      break;
    mix_u64(&h, (uint64_t)d->delta_cum);
    mix_u64(&h,
            ((uint64_t)(uint8_t)d->min_local << 8) | (uint8_t)d->min_global);
  }
  const uint32_t *ids;
  size_t n = hx_index_top_changes(ix, SIZE_MAX, 1, &ids);
  mix(&h, ids, n * sizeof *ids);
  return h;
}

/* hx_index_combine with allocation N failing, for every N, once alone and
 * once with every later one: each run gives the good result or HX_ENOMEM
 * with *out NULL, and the inputs are never touched. */
static void combine_walk(const char *name, const hx_index_t *const *in,
                         size_t n_in, const hx_index_t *const *bases,
                         size_t n_bases, int normalize) {
  hx_combine_options_t o;
  hx_combine_options_init(&o);
  o.normalize = normalize;
  uint64_t inputs_before = digest(in[0]);
  hx_index_t *ix = NULL;
  hx_error_t err;
  fail_alloc_arm(0, 0);
  int rc = hx_index_combine(in, n_in, bases, n_bases, &o, &ix, NULL, &err);
  fail_alloc_disarm();
  CHECK_INT(rc, 0);
  if (rc != 0)
    return;
  long allocations = fail_alloc_count();
  uint64_t good = digest_combined(ix);
  hx_index_free(ix);
  for (int rest = 0; rest <= 1; rest++) {
    long at;
    for (at = 1; at <= allocations + 1; at++) {
      ix = (hx_index_t *)(uintptr_t)1;
      memset(&err, 0, sizeof err);
      size_t culprit = 0;
      fail_alloc_arm(at, rest);
      rc = hx_index_combine(in, n_in, bases, n_bases, &o, &ix, &culprit, &err);
      int failures = fail_alloc_failed();
      fail_alloc_disarm();
      check_count++;
      if (rc == 0) {
        if (digest_combined(ix) != good)
          CHECK_FAIL_AT(__FILE__, __LINE__,
                        "%s: allocation %ld failing: a different result", name,
                        at);
        hx_index_free(ix);
      } else {
        CHECK_INT(rc, HX_ENOMEM);
        CHECK(ix == NULL);
        CHECK_INT(err.code, HX_ENOMEM);
        CHECK_INT(culprit, SIZE_MAX);
      }
      if (!failures)
        break;
    }
    CHECK_INT(at, allocations + 1);
  }
  CHECK(digest(in[0]) == inputs_before);
  printf("%-24s %5ld allocations in a combine; N = 1..%ld walked twice\n",
         name, allocations, allocations + 1);
}

static void combine_walks(scenario_t *a, scenario_t *b) {
  hx_index_t *x = NULL, *y = NULL;
  CHECK_INT(load(a, &x, NULL), 0);
  CHECK_INT(load(b, &y, NULL), 0);
  if (x && y) {
    const hx_index_t *in[2] = {x, y};
    const hx_index_t *base[1] = {y};
    combine_walk("merge of two", in, 2, NULL, 0, 0);
    combine_walk("diff, normalized", in, 2, base, 1, 1);
  }
  hx_index_free(x);
  hx_index_free(y);
}

int main(int argc, char **argv) {
  const char *env = getenv("HEATLS_ALLOC_STRICT");
  strict = env && *env && strcmp(env, "0") != 0;
  if (argc != 2) {
    fprintf(stderr, "usage: test_index_alloc TESTDATA_DIR\n");
    return 2;
  }
  char wordfreq[4096], three[4096], sorted[4096];
  snprintf(wordfreq, sizeof wordfreq, "%s/programs/wordfreq/cpu.pb.gz",
           argv[1]);
  snprintf(three, sizeof three, "%s/golden/edge-3types/edge-3types.pb.gz",
           argv[1]);
  snprintf(sorted, sizeof sorted,
           "%s/golden/sort-uncompressed/sort-uncompressed.pb", argv[1]);

  enum { SCENARIOS = 10 };
  scenario_t sc[SCENARIOS];
  memset(sc, 0, sizeof sc);
  for (int i = 0; i < SCENARIOS; i++)
    hx_options_init(&sc[i].opts);
  sc[0].name = "wordfreq cpu.pb.gz";
  sc[0].path = wordfreq;
  sc[1].name = "wordfreq (4 KiB feeds)";
  sc[1].path = wordfreq;
  sc[1].piece = 4096;
  sc[2].name = "edge-3types wall";
  sc[2].path = three;
  sc[2].opts.sample_type = "wall/nanoseconds";
  sc[3].name = "sort-uncompressed.pb";
  sc[3].path = sorted;
  sc[4].name = "built: sparse ids, raw";
  sc[5].name = "sort-unc. (1000 B feeds)";
  sc[5].path = sorted;
  sc[5].piece = 1000;
  /* The sample walk split in two (build.c), which small profiles are not
   * unless asked: the second walk's allocations are walked too. */
  sc[6].name = "wordfreq, two walks";
  sc[6].path = wordfreq;
  sc[6].opts.walk_threads = 2;
  sc[7].name = "built: sparse, two walks";
  sc[7].opts.walk_threads = 2;
  /* More points than phase B's first table holds: on two threads it
   * starts over in a larger one, or on one thread when that cannot be
   * made. */
  sc[8].name = "sort-unc., two walks";
  sc[8].path = sorted;
  sc[8].opts.walk_threads = 2;
  sc[9].name = "built: Go, key in 2 dirs";
  sc[9].opts.walk_threads = 2;
  int ok = 1;
  for (int i = 0; i < SCENARIOS; i++) {
    if (i == 4 || i == 7 || i == 9)
      continue; /* built below */
    if (read_file(sc[i].path, &sc[i].data, &sc[i].size) < 0) {
      fprintf(stderr, "cannot read %s\n", sc[i].path);
      ok = 0;
    }
  }
  if (build_sparse(&sc[4].data, &sc[4].size) < 0 ||
      build_sparse(&sc[7].data, &sc[7].size) < 0 ||
      build_ambiguous(&sc[9].data, &sc[9].size) < 0) {
    fprintf(stderr, "cannot build the sparse profile\n");
    ok = 0;
  }
  CHECK(ok);
  if (!ok)
    CHECK_DONE();

  for (int i = 0; i < SCENARIOS; i++)
    walk(&sc[i]);
  /* Two walks build what one builds. */
  CHECK(sc[6].good == sc[0].good);
  CHECK(sc[7].good == sc[4].good);
  CHECK(sc[8].good == sc[3].good);
  combine_walks(&sc[0], &sc[3]);
  relevel(&sc[0]);
  relevel(&sc[4]);

  for (int i = 0; i < SCENARIOS; i++)
    free(sc[i].data);
  CHECK_DONE();
}
