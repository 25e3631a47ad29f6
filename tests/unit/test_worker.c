/*
 * test_worker.c: a gzipped profile large enough that decoding moves to the
 * index's worker thread (index/inflate.c: past the first 2 MiB of raw
 * bytes), against the same bytes raw, which stay on one thread:
 *
 *   - a profile of about 7 MiB raw, gzipped, whole and in pieces of
 *     4096, 65536 and varying sizes, builds the raw load's index;
 *   - the raw bytes broken on the worker's side (cut short, or garbage
 *     written at several points past the first 2 MiB, or a cap on the
 *     size that falls after them) and then gzipped: the same code and
 *     message as the raw bytes however fed, so which error wins does not
 *     change with a second thread;
 *   - the gzip stream cut short at several points: "truncated", and its
 *     deflate data corrupted at several points: the same error however
 *     fed; a failure stays (later feeds and the finish repeat it);
 *   - gzip members whose boundaries fall inside the worker's chunks load as
 *     the raw bytes; a member's lying size trailer, or a member that is
 *     not gzip after good ones, fail the same however fed;
 *   - a loader freed in the middle of a load, with the worker running,
 *     and one freed after a failed feed;
 *   - chunks for the worker that cannot be made: none (the load stays on
 *     one thread), or only the first few (the caller waits for the worker
 *     to free one): the raw load's index all the same.
 * Leaks and races are the sanitizer build's to find (LeakSanitizer); no
 * thread may outlive hx_loader_free, or this process would not end clean.
 */
#include <stdlib.h>

#include "check.h"
#include "fail_alloc.h"
#include "fixtures.h"

/* index/inflate.c's CHUNK_SIZE: the test fails (no chunk failed to be
 * made) if the two part. */
#define WORKER_CHUNK ((size_t)256 << 10)

static void record(fx_outcome_t *o, int rc, hx_index_t *ix,
                   const hx_error_t *err) {
  if (rc == 0) {
    CHECK(ix != NULL);
  } else {
    CHECK(ix == NULL);
    CHECK_INT(err->code, rc);
  }
  CHECK_INT(fx_outcome_set(o, rc, ix, err), 0);
}

/* buf in pieces of `piece` bytes (0: sizes from 1 byte to 64 KiB that
 * vary); a failed feed must stay failed. */
static void load_fed(const uint8_t *buf, size_t len, const hx_options_t *opts,
                     size_t piece, fx_outcome_t *o) {
  hx_loader_t *l = NULL;
  hx_index_t *ix = NULL;
  hx_error_t err;
  memset(&err, 0, sizeof err);
  int rc = hx_loader_new(opts, &l, &err);
  CHECK_INT(rc, 0);
  if (rc < 0) {
    record(o, rc, NULL, &err);
    return;
  }
  uint64_t state = len;
  for (size_t at = 0; at < len && rc == 0;) {
    size_t n = piece;
    if (!n) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      n = 1 + (size_t)((state >> 20) & 0xffff);
    }
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
    CHECK_INT(hx_loader_feed(l, buf, 1, &again), rc);
    CHECK_STR(again.message, err.message);
    ix = (hx_index_t *)(uintptr_t)1;
    CHECK_INT(hx_loader_finish(l, &ix, &again), rc);
    CHECK_STR(again.message, err.message);
    CHECK(ix == NULL);
  }
  hx_loader_free(l);
  record(o, rc, ix, &err);
}

static void check_same(const char *what, size_t piece, const fx_outcome_t *a,
                       const fx_outcome_t *b) {
  int same = a->rc == b->rc && strcmp(a->message, b->message) == 0 &&
             a->dump_len == b->dump_len &&
             (a->dump_len == 0 || memcmp(a->dump, b->dump, a->dump_len) == 0);
  if (!same)
    fprintf(stderr,
            "  %s, pieces of %zu: %d \"%s\" (%zu bytes of index) "
            "against %d \"%s\" (%zu bytes)\n",
            what, piece, b->rc, b->message, b->dump_len, a->rc, a->message,
            a->dump_len);
  CHECK(same);
}

/* The gzip bytes in every kind of piece must give `want`. */
static void check_gzip(const char *what, const uint8_t *gz, size_t gz_len,
                       const hx_options_t *opts, const fx_outcome_t *want) {
  static const size_t pieces[] = {SIZE_MAX, 65536, 4096, 0};
  for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
    fx_outcome_t o;
    load_fed(gz, gz_len, opts, pieces[i] == SIZE_MAX ? gz_len : pieces[i], &o);
    check_same(what, pieces[i], want, &o);
    fx_outcome_free(&o);
  }
}

/* Raw bytes, and the same gzipped: the raw load (one thread) is what the
 * gzipped ones (a worker past 2 MiB) must give. */
static int check_raw_and_gzip(const char *what, const uint8_t *raw,
                              size_t raw_len, const hx_options_t *opts) {
  fx_outcome_t want;
  load_fed(raw, raw_len, opts, raw_len, &want);
  uint8_t *gz = NULL;
  size_t gz_len = 0;
  CHECK_INT(pb_gzip(raw, raw_len, &gz, &gz_len), 0);
  if (gz)
    check_gzip(what, gz, gz_len, opts, &want);
  free(gz);
  int rc = want.rc;
  fx_outcome_free(&want);
  return rc;
}

/* gz[0..gz_len) fails with a gzip error whose message has `word`, the
 * same however fed. */
static void check_gzip_fails(const char *what, const uint8_t *gz,
                             size_t gz_len, const hx_options_t *opts,
                             const char *word) {
  fx_outcome_t want;
  load_fed(gz, gz_len, opts, gz_len, &want);
  CHECK_INT(want.rc, HX_EGZIP);
  CHECK(fx_has_word(want.message, word));
  check_gzip(what, gz, gz_len, opts, &want);
  fx_outcome_free(&want);
}

static int build_large(uint8_t **raw, size_t *raw_len) {
  pb_builder_t *b = fx_go_cpu_builder();
  enum { FUNCS = 2000, SAMPLES = 280000, DEPTH = 16 };
  static uint64_t locs[FUNCS];
  char name[64], file[64];
  for (size_t i = 0; b && i < FUNCS; i++) {
    snprintf(name, sizeof name, "pkg%zu.F%zu", i % 37, i);
    snprintf(file, sizeof file, "/src/pkg%zu/f%zu.go", i % 37, i / 7);
    locs[i] = pb_add_frame(b, pb_add_function(b, name, file),
                           (int64_t)(1 + i % 211));
  }
  for (size_t s = 0; b && s < SAMPLES; s++) {
    uint64_t stack[DEPTH];
    for (size_t d = 0; d < DEPTH; d++)
      stack[d] = locs[(s * 7 + d * 131 + s / 9) % FUNCS];
    fx_cpu_stack(b, 1 + s % DEPTH, stack, 1 + (int64_t)(s % 29));
  }
  int rc = b ? pb_build_bytes(b, 0, raw, raw_len) : -1;
  pb_builder_free(b);
  return rc;
}

static void test_large(const uint8_t *raw, size_t raw_len) {
  hx_options_t opts;
  hx_options_init(&opts);
  CHECK_INT(check_raw_and_gzip("large", raw, raw_len, &opts), 0);
}

/* Broken on the worker's side: the gzip stream is fine, the profile is
 * not. */
static void test_worker_fails(const uint8_t *raw, size_t raw_len) {
  hx_options_t opts;
  hx_options_init(&opts);
  const size_t mib = (size_t)1 << 20;
  const size_t cut[] = {2 * mib + 1, 3 * mib + 12345, raw_len - 1};
  for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
    char what[64];
    snprintf(what, sizeof what, "cut at %zu", cut[i]);
    CHECK(check_raw_and_gzip(what, raw, cut[i], &opts) < 0);
  }
  uint8_t *bad = malloc(raw_len);
  CHECK(bad != NULL);
  const size_t at[] = {2 * mib + 100, 5 * mib + 777, raw_len - 40};
  for (size_t i = 0; bad && i < sizeof at / sizeof at[0]; i++) {
    memcpy(bad, raw, raw_len);
    memset(bad + at[i], 0, 16); /* field number 0 */
    char what[64];
    snprintf(what, sizeof what, "zeros at %zu", at[i]);
    CHECK(check_raw_and_gzip(what, bad, raw_len, &opts) < 0);
  }
  free(bad);
  const uint64_t caps[] = {2 * mib + 1, (uint64_t)raw_len - 1};
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    opts.max_decompressed = caps[i];
    char what[64];
    snprintf(what, sizeof what, "cap %llu", (unsigned long long)caps[i]);
    CHECK_INT(check_raw_and_gzip(what, raw, raw_len, &opts), HX_ETOOBIG);
  }
}

/* Broken on the caller's side: the gzip stream itself. */
static void test_gzip_fails(const uint8_t *raw, size_t raw_len) {
  hx_options_t opts;
  hx_options_init(&opts);
  uint8_t *gz = NULL;
  size_t gz_len = 0;
  CHECK_INT(pb_gzip(raw, raw_len, &gz, &gz_len), 0);
  if (!gz)
    return;
  for (size_t k = 3; k <= 10; k += k < 9 ? 3 : 1) { /* 3, 6, 9, 10 */
    size_t keep = k == 10 ? gz_len - 1 : gz_len * k / 10;
    char what[64];
    snprintf(what, sizeof what, "gzip cut at %zu", keep);
    check_gzip_fails(what, gz, keep, &opts, "truncated");
  }
  for (size_t k = 3; k <= 10; k += k < 9 ? 3 : 1) {
    size_t at = k == 10 ? gz_len - 6 : gz_len * k / 10;
    gz[at] ^= 0x5a;
    fx_outcome_t want;
    load_fed(gz, gz_len, &opts, gz_len, &want);
    CHECK(want.rc < 0);
    char what[64];
    snprintf(what, sizeof what, "gzip byte %zu flipped", at);
    check_gzip(what, gz, gz_len, &opts, &want);
    fx_outcome_free(&want);
    gz[at] ^= 0x5a;
  }
  free(gz);
}

/* raw split into gzip members at the offsets in cut (ascending, inside
 * raw), with zero padding after the first: a new buffer in *out. */
static int gzip_members(const uint8_t *raw, size_t raw_len, const size_t *cut,
                        size_t cuts, uint8_t **out, size_t *out_len) {
  uint8_t *all = NULL;
  size_t all_len = 0;
  for (size_t i = 0; i <= cuts; i++) {
    size_t from = i ? cut[i - 1] : 0, to = i < cuts ? cut[i] : raw_len;
    uint8_t *gz = NULL;
    size_t gz_len = 0;
    size_t pad = i == 0 ? 7 : 0;
    if (pb_gzip(raw + from, to - from, &gz, &gz_len) < 0)
      break;
    uint8_t *bigger = realloc(all, all_len + gz_len + pad);
    if (bigger) {
      memcpy(bigger + all_len, gz, gz_len);
      memset(bigger + all_len + gz_len, 0, pad);
      all = bigger;
      all_len += gz_len + pad;
    }
    free(gz);
    if (!bigger)
      break;
    if (i == cuts) {
      *out = all;
      *out_len = all_len;
      return 0;
    }
  }
  free(all);
  return -1;
}

/* Gzip members with the worker running: member boundaries inside the
 * worker's chunks (not at a multiple of their size) load as the raw bytes;
 * a member whose size trailer lies, and bytes that are no gzip member
 * after good ones, fail with the gzip error however fed. */
static void test_members(const uint8_t *raw, size_t raw_len) {
  hx_options_t opts;
  hx_options_init(&opts);
  fx_outcome_t want;
  load_fed(raw, raw_len, &opts, raw_len, &want);
  CHECK_INT(want.rc, 0);
  const size_t mib = (size_t)1 << 20;
  const size_t cut[] = {3 * mib + 12345, 3 * mib + 99999, 5 * mib + 7};
  uint8_t *gz = NULL;
  size_t gz_len = 0;
  CHECK_INT(gzip_members(raw, raw_len, cut, 3, &gz, &gz_len), 0);
  if (gz)
    check_gzip("members", gz, gz_len, &opts, &want);
  fx_outcome_free(&want);
  /* Where the third member starts: the members are gzipped alike, so the
   * last two are found from the end. */
  uint8_t *third = NULL, *last = NULL;
  size_t third_len = 0, last_len = 0;
  CHECK_INT(pb_gzip(raw + cut[1], cut[2] - cut[1], &third, &third_len), 0);
  CHECK_INT(pb_gzip(raw + cut[2], raw_len - cut[2], &last, &last_len), 0);
  size_t at = gz && third && last ? gz_len - last_len - third_len : 0;
  CHECK(at > 0 && memcmp(gz + at, third, third_len) == 0);
  if (at > 0 && memcmp(gz + at, third, third_len) == 0) {
    /* The second member's size trailer, the 4 bytes before the third,
     * lies. */
    gz[at - 4] ^= 1;
    check_gzip_fails("second member's size lies", gz, gz_len, &opts,
                     "length check");
    gz[at - 4] ^= 1;
    /* The third member's magic broken: not gzip after two members. */
    gz[at + 1] = 0x8c;
    check_gzip_fails("third member not gzip", gz, gz_len, &opts, "header");
  }
  free(third);
  free(last);
  free(gz);
}

/* Freed with the worker running, and after a failure. */
static void test_free_mid_load(const uint8_t *raw, size_t raw_len) {
  uint8_t *gz = NULL;
  size_t gz_len = 0;
  CHECK_INT(pb_gzip(raw, raw_len, &gz, &gz_len), 0);
  if (!gz)
    return;
  for (size_t k = 1; k <= 9; k += 2) {
    hx_loader_t *l = NULL;
    CHECK_INT(hx_loader_new(NULL, &l, NULL), 0);
    if (!l)
      break;
    size_t upto = gz_len * k / 10;
    for (size_t at = 0; at < upto; at += 4096)
      CHECK_INT(hx_loader_feed(l, gz + at, upto - at < 4096 ? upto - at : 4096,
                               NULL),
                0);
    hx_loader_free(l);
  }
  /* A worker failure found by a feed, then the loader freed. The caller
   * inflates up to 32 chunks (8 MiB) ahead of the worker without waiting,
   * and a thread may not run at all until the other waits (valgrind runs
   * one at a time): the profile twice over (two Profile messages one after
   * the other are one, their repeated fields joined) is long enough that
   * the caller must wait for the worker, which then fails, before the
   * feeds end. */
  uint8_t *bad = malloc(2 * raw_len);
  uint8_t *bad_gz = NULL;
  size_t bad_len = 0;
  if (bad) {
    memcpy(bad, raw, raw_len);
    memcpy(bad + raw_len, raw, raw_len);
    memset(bad + ((size_t)5 << 19), 0, 16);
    CHECK_INT(pb_gzip(bad, 2 * raw_len, &bad_gz, &bad_len), 0);
  }
  if (bad_gz) {
    hx_loader_t *l = NULL;
    hx_error_t err;
    CHECK_INT(hx_loader_new(NULL, &l, NULL), 0);
    int rc = 0;
    for (size_t at = 0; l && at < bad_len && rc == 0; at += 4096)
      rc = hx_loader_feed(l, bad_gz + at,
                          bad_len - at < 4096 ? bad_len - at : 4096, &err);
    CHECK_INT(rc, HX_EPROTO); /* a feed finds it, not only the finish */
    hx_loader_free(l);
  }
  free(bad);
  free(bad_gz);
  free(gz);
}

/* Only `keep` chunks can be made: with none the worker does not start,
 * with one or a few the caller waits for the worker to free one. */
static void test_chunks_fail(const uint8_t *raw, size_t raw_len) {
  hx_options_t opts;
  hx_options_init(&opts);
  fx_outcome_t want;
  load_fed(raw, raw_len, &opts, raw_len, &want);
  uint8_t *gz = NULL;
  size_t gz_len = 0;
  CHECK_INT(pb_gzip(raw, raw_len, &gz, &gz_len), 0);
  const long keeps[] = {0, 1, 2, 5};
  for (size_t i = 0; gz && i < sizeof keeps / sizeof keeps[0]; i++) {
    fx_outcome_t o;
    fail_alloc_arm_size(WORKER_CHUNK, keeps[i]);
    load_fed(gz, gz_len, &opts, 65536, &o);
    long failed = fail_alloc_size_failures();
    fail_alloc_arm_size(0, 0);
    char what[64];
    snprintf(what, sizeof what, "%ld chunks", keeps[i]);
    check_same(what, 65536, &want, &o);
    /* With none the worker's first chunk fails; with one, the second
     * (the caller hands the first over before the worker can free it).
     * Whether more are wanted depends on how far the worker falls behind. */
    if (keeps[i] <= 1 && failed == 0)
      fprintf(stderr, "  %s: no chunk failed to be made\n", what);
    CHECK(keeps[i] > 1 || failed > 0);
    fx_outcome_free(&o);
  }
  free(gz);
  fx_outcome_free(&want);
}

int main(void) {
  uint8_t *raw = NULL;
  size_t raw_len = 0;
  CHECK_INT(build_large(&raw, &raw_len), 0);
  if (raw_len < ((size_t)6 << 20))
    fprintf(stderr, "  large: only %zu bytes raw\n", raw_len);
  CHECK(raw_len >= ((size_t)6 << 20));
  if (raw && raw_len >= ((size_t)6 << 20)) {
    test_large(raw, raw_len);
    test_worker_fails(raw, raw_len);
    test_gzip_fails(raw, raw_len);
    test_members(raw, raw_len);
    test_free_mid_load(raw, raw_len);
    test_chunks_fail(raw, raw_len);
  }
  free(raw);
  CHECK_DONE();
}
