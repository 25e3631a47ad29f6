/*
 * test_feed.c: the loader fed in pieces (hx_loader_new, _feed, _finish,
 * _free in heat_index.h).
 *
 *   - every golden profile (testdata/golden/NAME/NAME.pb.gz or .pb), and
 *     each gzipped one also gunzipped here, fed in pieces of 1, 7 and 4096
 *     bytes, in pieces of varying sizes and whole, builds an index byte
 *     for byte identical (fx_index_dump) to hx_index_load_buffer's;
 *   - a profile cut short at several points fails cleanly, with the same
 *     code and message however it was fed;
 *   - a profile of over 2 MiB raw (the decoder's window fills and is
 *     decoded several times), gzipped and raw, and with its deflate data
 *     corrupted at a few places: the same index, or the same error,
 *     however it was fed;
 *   - a failure during a feed (corrupt gzip, a gzip bomb at the size cap,
 *     bytes that are not a profile) stays: later feeds and the finish give
 *     the same code and message, and *out stays NULL;
 *   - the edges: an empty load, a lone 1f byte, gzip members and zero
 *     padding split anywhere, calls after the finish, bad arguments;
 *   - every golden profile releveled (hx_index_relevel) to other
 *     thresholds and back and forth between the local scopes: the same
 *     index as a fresh load with those levels;
 *   - what the gzip layer checks, in every kind of piece: a header with
 *     every optional field loads; a wrong header CRC, an unknown method
 *     or flag, a lying size trailer, a wrong CRC-32 and a member that is
 *     not gzip after a good one fail with their gzip error.
 * Leaks are the sanitizer build's to find (LeakSanitizer).
 */
#include <dirent.h>
#include <stdlib.h>
#include <zlib.h>

#include "check.h"
#include "fixtures.h"

#ifndef HEATLS_TESTDATA
#define HEATLS_TESTDATA "testdata"
#endif

#define WHOLE SIZE_MAX

static void record(fx_outcome_t *o, int rc, hx_index_t *ix,
                   const hx_error_t *err) {
  if (rc == 0) {
    CHECK(ix != NULL);
  } else {
    CHECK(ix == NULL);
    CHECK_INT(err->code, rc);
    CHECK(err->message[0] != '\0');
    CHECK(strchr(err->message, '\n') == NULL);
  }
  CHECK_INT(fx_outcome_set(o, rc, ix, err), 0);
}

/* The dump of an index that stays the caller's. */
static void record_kept(fx_outcome_t *o, const hx_index_t *ix) {
  memset(o, 0, sizeof *o);
  CHECK_INT(fx_index_dump(ix, &o->dump, &o->dump_len), 0);
}

static void load_whole(const uint8_t *buf, size_t len,
                       const hx_options_t *opts, fx_outcome_t *o) {
  hx_index_t *ix = NULL;
  hx_error_t err;
  memset(&err, 0, sizeof err);
  int rc = hx_index_load_buffer(buf, len, opts, &ix, &err);
  record(o, rc, ix, &err);
}

/* The size of the next piece: `piece`, or with piece 0 sizes that vary
 * from 1 byte to 64 KiB (a fixed sequence). */
static size_t next_piece(size_t piece, uint64_t *state) {
  if (piece)
    return piece;
  *state = *state * 6364136223846793005ull + 1442695040888963407ull;
  unsigned bits = (unsigned)(*state >> 59) % 17; /* 0..16 */
  return 1 + (size_t)((*state >> 20) & (((uint64_t)1 << bits) - 1));
}

/* A new loader in *l with opts (which are valid): 0, or its failure in
 * *err. */
static int new_loader(const hx_options_t *opts, hx_loader_t **l,
                      hx_error_t *err) {
  *l = NULL;
  memset(err, 0, sizeof *err);
  int rc = hx_loader_new(opts, l, err);
  CHECK_INT(rc, 0);
  return rc;
}

/* buf through a loader in pieces. A failed feed must stay failed. */
static void load_fed(const uint8_t *buf, size_t len, const hx_options_t *opts,
                     size_t piece, fx_outcome_t *o) {
  hx_loader_t *l;
  hx_index_t *ix = NULL;
  hx_error_t err;
  int rc = new_loader(opts, &l, &err);
  if (rc < 0) {
    record(o, rc, NULL, &err);
    return;
  }
  uint64_t state = len;
  for (size_t at = 0; at < len && rc == 0;) {
    size_t n = next_piece(piece, &state);
    if (n > len - at)
      n = len - at;
    rc = hx_loader_feed(l, buf + at, n, &err);
    at += n;
  }
  if (rc == 0) {
    rc = hx_loader_finish(l, &ix, &err);
  } else {
    hx_error_t again;
    memset(&again, 0, sizeof again);
    CHECK_INT(hx_loader_feed(l, buf, len ? 1 : 0, &again), rc);
    CHECK_STR(again.message, err.message);
    ix = (hx_index_t *)(uintptr_t)1;
    CHECK_INT(hx_loader_finish(l, &ix, &again), rc);
    CHECK_STR(again.message, err.message);
    CHECK(ix == NULL);
  }
  hx_loader_free(l);
  record(o, rc, ix, &err);
}

/* Two outcomes are the same: code, message and every byte of the index. */
static void check_same(const char *what, size_t piece, const fx_outcome_t *a,
                       const fx_outcome_t *b) {
  int same = a->rc == b->rc && strcmp(a->message, b->message) == 0 &&
             a->dump_len == b->dump_len &&
             (a->dump_len == 0 || memcmp(a->dump, b->dump, a->dump_len) == 0);
  if (!same)
    fprintf(stderr,
            "  %s, pieces of %zu: %d \"%s\" (%zu bytes of index) against "
            "%d \"%s\" (%zu bytes)\n",
            what, piece == WHOLE ? (size_t)0 : piece, b->rc, b->message,
            b->dump_len, a->rc, a->message, a->dump_len);
  CHECK(same);
}

/* Loads buf whole with hx_index_load_buffer and through a loader in every
 * kind of piece; all must agree. Returns the code. */
static int check_pieces(const char *what, const uint8_t *buf, size_t len,
                        const hx_options_t *opts, fx_outcome_t *base) {
  static const size_t pieces[] = {1, 7, 4096, 0, WHOLE};
  load_whole(buf, len, opts, base);
  for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
    fx_outcome_t fed;
    load_fed(buf, len, opts, pieces[i], &fed);
    check_same(what, pieces[i], base, &fed);
    fx_outcome_free(&fed);
  }
  return base->rc;
}

/* One gzip member, inflated. */
static int gunzip(const uint8_t *gz, size_t len, uint8_t **out,
                  size_t *out_len) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, 15 + 16) != Z_OK)
    return -1;
  size_t cap = len * 4 + 4096, n = 0;
  uint8_t *buf = malloc(cap);
  z.next_in = (Bytef *)gz;
  z.avail_in = (uInt)len;
  int zr = Z_OK;
  while (buf && zr == Z_OK) {
    if (n == cap) {
      uint8_t *bigger = realloc(buf, cap * 2);
      if (!bigger)
        break;
      buf = bigger;
      cap *= 2;
    }
    z.next_out = buf + n;
    z.avail_out = (uInt)(cap - n);
    zr = inflate(&z, Z_NO_FLUSH);
    n = cap - z.avail_out;
  }
  inflateEnd(&z);
  if (zr != Z_STREAM_END) {
    free(buf);
    return -1;
  }
  *out = buf;
  *out_len = n;
  return 0;
}

/* ---- the golden profiles ---- */

static int golden_profile(const char *name, char *path, size_t size) {
  snprintf(path, size, "%s/golden/%s/%s.pb.gz", HEATLS_TESTDATA, name, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(path, size, "%s/golden/%s/%s.pb", HEATLS_TESTDATA, name, name);
    f = fopen(path, "rb");
  }
  if (!f)
    return -1;
  fclose(f);
  return 0;
}

/* A relevel gives what a fresh load at the same levels gives, whatever
 * the levels before it (the local ranks are kept per scope). */
static void check_relevel(const char *what, const uint8_t *buf, size_t len,
                          const fx_outcome_t *base) {
  static const struct {
    double threshold;
    hx_local_scope_t scope;
  } steps[] = {{0.9, HX_LOCAL_FILE},
               {0.3, HX_LOCAL_FILE},
               {0.3, HX_LOCAL_FUNCTION},
               {1.0, HX_LOCAL_FILE},
               {0.5, HX_LOCAL_FUNCTION}};
  if (base->rc != 0)
    return; /* an edge case that does not load */
  hx_options_t opts;
  hx_options_init(&opts);
  hx_index_t *ix = NULL;
  if (hx_index_load_buffer(buf, len, &opts, &ix, NULL) != 0)
    return;
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
    opts.threshold = steps[i].threshold;
    opts.local_scope = steps[i].scope;
    CHECK_INT(hx_index_relevel(ix, opts.threshold, opts.local_scope, NULL), 0);
    fx_outcome_t releveled, fresh;
    record_kept(&releveled, ix);
    load_whole(buf, len, &opts, &fresh);
    char step[1100];
    snprintf(step, sizeof step, "%s releveled to %g by %s", what,
             opts.threshold,
             opts.local_scope == HX_LOCAL_FILE ? "file" : "function");
    check_same(step, WHOLE, &fresh, &releveled);
    fx_outcome_free(&releveled);
    fx_outcome_free(&fresh);
  }
  hx_index_free(ix);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden(void) {
  DIR *dir = opendir(HEATLS_TESTDATA "/golden");
  CHECK(dir != NULL);
  if (!dir)
    return;
  char *names[64];
  size_t count = 0;
  struct dirent *e;
  while ((e = readdir(dir)) && count < 64)
    if (e->d_name[0] != '.')
      names[count++] = strdup(e->d_name);
  closedir(dir);
  qsort(names, count, sizeof *names, by_name);
  size_t profiles = 0, gzipped = 0;
  hx_options_t opts;
  hx_options_init(&opts);
  for (size_t i = 0; i < count; i++) {
    char path[1024];
    uint8_t *buf = NULL, *raw = NULL;
    size_t len = 0, raw_len = 0;
    if (!names[i] || golden_profile(names[i], path, sizeof path) < 0) {
      free(names[i]);
      continue; /* README.md and the like */
    }
    CHECK_INT(fx_read_file(path, &buf, &len), 0);
    fx_outcome_t base, unzipped;
    memset(&unzipped, 0, sizeof unzipped);
    check_pieces(path, buf, len, &opts, &base);
    check_relevel(path, buf, len, &base);
    if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
      gzipped++;
      CHECK_INT(gunzip(buf, len, &raw, &raw_len), 0);
      if (raw) {
        char what[1100];
        snprintf(what, sizeof what, "%s gunzipped", path);
        check_pieces(what, raw, raw_len, &opts, &unzipped);
        check_same(what, WHOLE, &base, &unzipped);
      }
    }
    /* The golden folders hold profiles that load, and edge cases that
     * fail cleanly (perf-heatmap rejects them): both must agree. */
    profiles++;
    fx_outcome_free(&base);
    fx_outcome_free(&unzipped);
    free(buf);
    free(raw);
    free(names[i]);
  }
  CHECK(profiles >= 15);
  CHECK(gzipped >= 14);
  printf("golden: %zu profiles (%zu gzipped, also fed gunzipped) in pieces "
         "of 1, 7, 4096, varying sizes and whole\n",
         profiles, gzipped);
}

/* ---- cut short ---- */

static void check_cuts(const char *what, const uint8_t *buf, size_t len,
                       int gzip) {
  hx_options_t opts;
  hx_options_init(&opts);
  const size_t keep[] = {1, 2, 3, 10, len / 3, len / 2, len - 8, len - 1};
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
    fx_outcome_t o;
    char label[128];
    snprintf(label, sizeof label, "%s cut at %zu of %zu", what, keep[i], len);
    int rc = check_pieces(label, buf, keep[i], &opts, &o);
    if (gzip && keep[i] >= 2) {
      CHECK_INT(rc, HX_EGZIP);
      CHECK(fx_has_word(o.message, "truncated"));
    } else {
      /* A raw profile cut short: a field cut off, or tables that name
       * what never came. */
      if (rc != HX_EPROTO && rc != HX_EPROFILE)
        fprintf(stderr, "  %s: %d \"%s\"\n", label, rc, o.message);
      CHECK(rc == HX_EPROTO || rc == HX_EPROFILE);
    }
    fx_outcome_free(&o);
  }
}

static void test_cut_short(void) {
  char path[1024];
  uint8_t *gz = NULL, *raw = NULL;
  size_t gz_len = 0, raw_len = 0;
  snprintf(path, sizeof path, "%s/golden/utf8/utf8.pb.gz", HEATLS_TESTDATA);
  CHECK_INT(fx_read_file(path, &gz, &gz_len), 0);
  if (gz) {
    check_cuts("utf8.pb.gz", gz, gz_len, 1);
    CHECK_INT(gunzip(gz, gz_len, &raw, &raw_len), 0);
  }
  if (raw)
    check_cuts("utf8.pb.gz gunzipped", raw, raw_len, 0);
  free(gz);
  free(raw);
  snprintf(path, sizeof path,
           "%s/golden/sort-uncompressed/sort-uncompressed.pb",
           HEATLS_TESTDATA);
  CHECK_INT(fx_read_file(path, &raw, &raw_len), 0);
  if (raw)
    check_cuts("sort-uncompressed.pb", raw, raw_len, 0);
  free(raw);
}

/* ---- past the first window ---- */

/* A profile of over 2 MiB raw, so that the decoder's 1 MiB window fills and
 * is decoded several times (and grows for no field: they are small):
 * gzipped and raw, whole and in pieces, it must give the same index; with
 * its deflate data corrupted at a few places, the same error. */
static void test_large(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  enum { FUNCS = 400, SAMPLES = 150000 };
  static uint64_t locs[FUNCS];
  char name[64], file[64];
  for (size_t i = 0; b && i < FUNCS; i++) {
    snprintf(name, sizeof name, "pkg%zu.F%zu", i % 13, i);
    snprintf(file, sizeof file, "/src/pkg%zu/f%zu.go", i % 13, i / 5);
    locs[i] =
        pb_add_frame(b, pb_add_function(b, name, file), (int64_t)(1 + i % 97));
  }
  for (size_t s = 0; b && s < SAMPLES; s++) {
    uint64_t stack[4];
    for (size_t d = 0; d < 4; d++)
      stack[d] = locs[(s * 7 + d * 131 + s / 9) % FUNCS];
    fx_cpu_stack(b, 1 + s % 4, stack, 1 + (int64_t)(s % 29));
  }
  uint8_t *raw = NULL, *gz = NULL;
  size_t raw_len = 0, gz_len = 0;
  CHECK(b != NULL);
  if (b) {
    CHECK_INT(pb_build_bytes(b, 0, &raw, &raw_len), 0);
    CHECK_INT(pb_build_bytes(b, 1, &gz, &gz_len), 0);
  }
  pb_builder_free(b);
  if (raw_len <= ((size_t)2 << 20))
    fprintf(stderr, "  large: only %zu bytes raw\n", raw_len);
  CHECK(raw_len > ((size_t)2 << 20));
  hx_options_t opts;
  hx_options_init(&opts);
  fx_outcome_t from_raw, from_gz;
  memset(&from_raw, 0, sizeof from_raw);
  memset(&from_gz, 0, sizeof from_gz);
  if (raw)
    CHECK_INT(check_pieces("large raw", raw, raw_len, &opts, &from_raw), 0);
  if (gz) {
    CHECK_INT(check_pieces("large gzip", gz, gz_len, &opts, &from_gz), 0);
    check_same("large gzip against raw", WHOLE, &from_raw, &from_gz);
    const size_t at[] = {gz_len / 5, gz_len / 3, gz_len / 2, gz_len - 6};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
      fx_outcome_t o;
      char label[64];
      snprintf(label, sizeof label, "large gzip, byte %zu flipped", at[i]);
      gz[at[i]] ^= 0x5a;
      CHECK_INT(check_pieces(label, gz, gz_len, &opts, &o) < 0, 1);
      gz[at[i]] ^= 0x5a;
      fx_outcome_free(&o);
    }
  }
  fx_outcome_free(&from_raw);
  fx_outcome_free(&from_gz);
  free(raw);
  free(gz);
}

/* ---- failures that stay ---- */

/* Feeds buf in pieces and expects feed number `at` (or the finish when
 * at is 0) to fail with code and a message holding word; then the next
 * feed and the finish must give the same. */
static void expect_failed_feed(const char *what, const uint8_t *buf,
                               size_t len, size_t piece,
                               const hx_options_t *opts, int code,
                               const char *word) {
  hx_loader_t *l = NULL;
  hx_error_t err, again;
  memset(&err, 0, sizeof err);
  CHECK_INT(hx_loader_new(opts, &l, NULL), 0);
  if (!l)
    return;
  int rc = 0;
  size_t at = 0;
  while (at < len && rc == 0) {
    size_t n = len - at < piece ? len - at : piece;
    rc = hx_loader_feed(l, buf + at, n, &err);
    at += n;
  }
  if (rc != code)
    fprintf(stderr, "  %s: %d \"%s\" after %zu of %zu bytes\n", what, rc,
            err.message, at, len);
  CHECK_INT(rc, code);
  CHECK_INT(err.code, code);
  CHECK(fx_has_word(err.message, word));
  for (int i = 0; i < 2; i++) {
    memset(&again, 'x', sizeof again);
    CHECK_INT(hx_loader_feed(l, buf, len, &again), code);
    CHECK_STR(again.message, err.message);
    CHECK_INT(hx_loader_feed(l, buf, 0, NULL), code);
  }
  hx_index_t *ix = (hx_index_t *)(uintptr_t)1;
  memset(&again, 'x', sizeof again);
  CHECK_INT(hx_loader_finish(l, &ix, &again), code);
  CHECK(ix == NULL);
  CHECK_STR(again.message, err.message);
  CHECK_INT(hx_loader_finish(l, &ix, NULL), code);
  hx_loader_free(l);
}

static void test_failures_stay(void) {
  hx_options_t opts;
  hx_options_init(&opts);
  /* Corrupt deflate data: a reserved block type right after the header.
   * The feed that brings it fails. */
  static const uint8_t bad_deflate[] = {0x1f, 0x8b, 8, 0,    0,    0,    0,
                                        0,    0,    3, 0xff, 0xff, 0xff, 0xff};
  expect_failed_feed("bad deflate data", bad_deflate, sizeof bad_deflate, 1,
                     &opts, HX_EGZIP, "corrupt");

  /* A gzip bomb against a 1 MiB cap, fed in 1000-byte pieces: a feed
   * fails at the cap, long before the input ends. */
  static const uint8_t empty_string[2] = {0x32, 0x00};
  uint8_t *bomb = NULL;
  size_t len = 0;
  CHECK_INT(pb_gzip_repeat(empty_string, 2, (uint64_t)64 << 20, &bomb, &len),
            0);
  opts.max_decompressed = (uint64_t)1 << 20;
  if (bomb) {
    hx_loader_t *l = NULL;
    hx_error_t err;
    CHECK_INT(hx_loader_new(&opts, &l, NULL), 0);
    size_t at = 0;
    int rc = 0;
    while (l && at < len && rc == 0) {
      size_t n = len - at < 1000 ? len - at : 1000;
      rc = hx_loader_feed(l, bomb + at, n, &err);
      at += n;
    }
    CHECK_INT(rc, HX_ETOOBIG);
    CHECK(fx_has_word(err.message, "limit"));
    CHECK(at < len / 10); /* stopped near 1 MiB of 64 */
    hx_loader_free(l);
    expect_failed_feed("gzip bomb", bomb, len, 4096, &opts, HX_ETOOBIG,
                       "limit");
  }
  free(bomb);
  hx_options_init(&opts);

  /* Raw bytes that are not a profile: found when the first window (1 MiB)
   * is full, so during a feed. */
  size_t zeros_len = ((size_t)1 << 20) + 1;
  uint8_t *zeros = calloc(zeros_len, 1);
  if (zeros)
    expect_failed_feed("zeros", zeros, zeros_len, 65536, &opts, HX_EPROTO,
                       "field number");
  free(zeros);
}

/* ---- edges ---- */

static void test_edges(void) {
  hx_options_t opts;
  hx_options_init(&opts);
  hx_loader_t *l = NULL;
  hx_index_t *ix = NULL;
  hx_error_t err;

  /* Nothing fed, or only empty pieces: "empty file", as a load has always
   * said for an empty input. */
  CHECK_INT(hx_loader_new(NULL, &l, NULL), 0);
  CHECK_INT(hx_loader_feed(l, NULL, 0, NULL), 0);
  CHECK_INT(hx_loader_feed(l, "", 0, NULL), 0);
  CHECK_INT(hx_loader_finish(l, &ix, &err), HX_EPROTO);
  CHECK(ix == NULL);
  CHECK(fx_has_word(err.message, "empty"));
  hx_loader_free(l);

  /* A lone 1f is not gzip: the same as a one-byte buffer. */
  static const uint8_t one[1] = {0x1f};
  fx_outcome_t o;
  CHECK_INT(check_pieces("lone 1f", one, 1, &opts, &o), HX_EPROTO);
  fx_outcome_free(&o);

  /* The worked example in two gzip members and zero padding, split at
   * every kind of point: the same index as the raw profile. */
  uint8_t *raw = NULL, *first = NULL, *second = NULL, *both = NULL;
  size_t raw_len = 0, first_len = 0, second_len = 0;
  CHECK_INT(fx_worked_example(0, &raw, &raw_len), 0);
  if (raw) {
    CHECK_INT(pb_gzip(raw, raw_len / 2, &first, &first_len), 0);
    CHECK_INT(pb_gzip(raw + raw_len / 2, raw_len - raw_len / 2, &second,
                      &second_len),
              0);
  }
  size_t both_len = first_len + second_len + 5;
  both = first && second ? calloc(both_len, 1) : NULL;
  if (both) {
    memcpy(both, first, first_len);
    memcpy(both + first_len, second, second_len);
    fx_outcome_t a, b;
    CHECK_INT(check_pieces("two members", both, both_len, &opts, &a), 0);
    load_whole(raw, raw_len, &opts, &b);
    check_same("two members against raw", WHOLE, &b, &a);
    fx_outcome_free(&a);
    fx_outcome_free(&b);
  }

  /* After the finish: the index is the caller's, the loader takes no
   * more. */
  CHECK_INT(hx_loader_new(&opts, &l, NULL), 0);
  if (l && raw) {
    CHECK_INT(hx_loader_feed(l, raw, raw_len, NULL), 0);
    CHECK_INT(hx_loader_finish(l, &ix, NULL), 0);
    CHECK(ix != NULL);
    hx_index_t *again = (hx_index_t *)(uintptr_t)1;
    CHECK_INT(hx_loader_finish(l, &again, &err), HX_EINVAL);
    CHECK(again == NULL);
    CHECK_INT(hx_loader_feed(l, raw, 1, &err), HX_EINVAL);
    CHECK(fx_has_word(err.message, "finished"));
    hx_loader_free(l);
    /* The index outlives its loader. */
    if (ix)
      CHECK(hx_index_point_count(ix) == 6);
    hx_index_free(ix);
  }

  /* Bad arguments. */
  CHECK_INT(hx_loader_new(NULL, &l, NULL), 0);
  CHECK_INT(hx_loader_feed(l, NULL, 3, &err), HX_EINVAL);
  hx_loader_free(l);
  opts.threshold = 2;
  l = (hx_loader_t *)(uintptr_t)1;
  CHECK_INT(hx_loader_new(&opts, &l, &err), HX_EINVAL);
  CHECK(l == NULL);
  CHECK(fx_has_word(err.message, "threshold"));
  hx_loader_free(NULL);

  /* The options are copied: the sample type string can go at once. */
  hx_options_init(&opts);
  char *type = strdup("samples");
  opts.sample_type = type;
  CHECK_INT(hx_loader_new(&opts, &l, NULL), 0);
  free(type);
  if (l && raw) {
    CHECK_INT(hx_loader_feed(l, raw, raw_len, NULL), 0);
    CHECK_INT(hx_loader_finish(l, &ix, NULL), 0);
    if (ix)
      CHECK_STR(hx_index_summary(ix)->sample_type.type, "samples");
    hx_index_free(ix);
  }
  hx_loader_free(l);

  free(raw);
  free(first);
  free(second);
  free(both);
}

/* ---- gzip headers and trailers ---- */

/* The gzip member's size trailer (its last 4 bytes) set to n. */
static void set_trailer(uint8_t *gz, size_t len, uint32_t n) {
  for (size_t i = 0; i < 4; i++)
    gz[len - 4 + i] = (uint8_t)(n >> (8 * i));
}

/* check_pieces expecting a gzip failure whose message holds word. */
static void expect_gzip_error(const char *what, const uint8_t *buf, size_t len,
                              const char *word) {
  hx_options_t opts;
  hx_options_init(&opts);
  fx_outcome_t o;
  CHECK_INT(check_pieces(what, buf, len, &opts, &o), HX_EGZIP);
  if (!fx_has_word(o.message, word))
    fprintf(stderr, "  %s: \"%s\" lacks \"%s\"\n", what, o.message, word);
  CHECK(fx_has_word(o.message, word));
  fx_outcome_free(&o);
}

/* gz (one member with a bare 10-byte header) again with every optional
 * header field (RFC 1952: FEXTRA, FNAME, FCOMMENT, FHCRC) in *out; the
 * header's CRC is right, or off by one with bad_hcrc. */
static int with_header_fields(const uint8_t *gz, size_t len, int bad_hcrc,
                              uint8_t **out, size_t *out_len) {
  static const uint8_t extra[] = {5, 0, 'A', 'p', 1, 0, 'x'};
  static const char name[] = "cpu.pb", comment[] = "a comment";
  size_t head = 10 + sizeof extra + sizeof name + sizeof comment + 2;
  uint8_t *buf = malloc(head + len - 10);
  if (!buf)
    return -1;
  memcpy(buf, gz, 10);
  buf[3] = 2 | 4 | 8 | 16; /* FHCRC FEXTRA FNAME FCOMMENT */
  size_t at = 10;
  memcpy(buf + at, extra, sizeof extra);
  at += sizeof extra;
  memcpy(buf + at, name, sizeof name); /* its NUL too */
  at += sizeof name;
  memcpy(buf + at, comment, sizeof comment);
  at += sizeof comment;
  uLong crc = crc32(0, buf, (uInt)at) + (bad_hcrc ? 1 : 0);
  buf[at++] = (uint8_t)crc;
  buf[at++] = (uint8_t)(crc >> 8);
  memcpy(buf + at, gz + 10, len - 10);
  *out = buf;
  *out_len = head + len - 10;
  return 0;
}

/* What the gzip layer checks, in every kind of piece: a header with every
 * optional field, split anywhere, loads as the plain member (ISA-L's own
 * header reader loses the flags of a header that arrives in pieces, so
 * the loader reads headers itself); a wrong header CRC, an unknown method
 * or reserved flag, a CRC-32 or a size trailer that does not match, and a
 * member that is not gzip after a good one fail with the gzip error. */
static void test_gzip_checks(void) {
  hx_options_t opts;
  hx_options_init(&opts);
  uint8_t *raw = NULL, *gz = NULL, *fancy = NULL;
  size_t raw_len = 0, gz_len = 0, fancy_len = 0;
  CHECK_INT(fx_worked_example(0, &raw, &raw_len), 0);
  CHECK_INT(fx_worked_example(1, &gz, &gz_len), 0);
  if (!raw || !gz || gz[3] != 0) {
    CHECK(gz == NULL || gz[3] == 0); /* a bare header to add fields to */
    free(raw);
    free(gz);
    return;
  }
  fx_outcome_t want, got;
  load_whole(raw, raw_len, &opts, &want);
  CHECK_INT(want.rc, 0);
  CHECK_INT(with_header_fields(gz, gz_len, 0, &fancy, &fancy_len), 0);
  if (fancy) {
    CHECK_INT(
        check_pieces("every header field", fancy, fancy_len, &opts, &got), 0);
    check_same("every header field against raw", WHOLE, &want, &got);
    fx_outcome_free(&got);
    free(fancy);
  }
  fx_outcome_free(&want);
  CHECK_INT(with_header_fields(gz, gz_len, 1, &fancy, &fancy_len), 0);
  if (fancy)
    expect_gzip_error("header CRC wrong", fancy, fancy_len, "header crc");
  free(fancy);

  gz[2] = 7; /* CM: not deflate */
  expect_gzip_error("unknown method", gz, gz_len, "method");
  gz[2] = 8;
  gz[3] = 0x20; /* a reserved flag */
  expect_gzip_error("reserved flag", gz, gz_len, "flags");
  gz[3] = 0;

  const uint32_t lies[] = {(uint32_t)raw_len - 1, (uint32_t)raw_len + 1, 0,
                           UINT32_MAX};
  for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
    set_trailer(gz, gz_len, lies[i]);
    expect_gzip_error("size trailer lies", gz, gz_len, "length check");
  }
  set_trailer(gz, gz_len, (uint32_t)raw_len);
  gz[gz_len - 8] ^= 1; /* the CRC-32 */
  expect_gzip_error("CRC-32 wrong", gz, gz_len, "data check");
  gz[gz_len - 8] ^= 1;

  /* A good member, zero padding, then bytes that are no gzip header. */
  uint8_t *two = malloc(gz_len + 8);
  if (two) {
    memcpy(two, gz, gz_len);
    memcpy(two + gz_len, "\0\0\0PK\3\4\0", 8);
    expect_gzip_error("not gzip after a member", two, gz_len + 8, "header");
  }
  free(two);
  free(raw);
  free(gz);
}

int main(void) {
  test_golden();
  test_cut_short();
  test_large();
  test_failures_stay();
  test_edges();
  test_gzip_checks();
  CHECK_DONE();
}
