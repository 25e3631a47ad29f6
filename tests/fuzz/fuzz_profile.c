/*
 * fuzz_profile.c: profile bytes through hx_index_load_buffer and through a
 * loader fed in pieces (index/: gzip, wire walk, decode, reference checks,
 * sample walk, records, ranking, levels) and the lookups on what it
 * builds.
 *
 * Input: the profile's bytes, raw or gzipped (the loader tells them apart
 * by the gzip magic). Options (symbol rule, local scope, threshold, sample
 * type) come from a hash of the input, so every input always loads with
 * the same options (a sample type the profile does not have is checked to
 * fail with HX_ESAMPLETYPE, then the default one is used). The cap on the
 * decompressed size is 16 MiB, so that a gzip bomb costs little.
 *
 * Loads, and what must agree:
 *   1. the bytes as given;
 *   1b. the same bytes pushed into hx_loader_feed in pieces of 1 to 4096
 *      bytes, sizes from the hash: the same code and message, or the same
 *      index (check_same_index); a failed feed stays failed;
 *   2. when they are small and not gzip: the same bytes gzipped here with
 *      zlib (one member, or two members and some trailing zero padding,
 *      which the loader must read as one stream) must give the same result
 *      code and, on success, the same index: this is how the fuzzer's
 *      mutations of a raw profile reach the decoder through the gzip layer;
 *   3. when they are small and one complete gzip member: the bytes
 *      gunzipped here must give the same result as (1).
 * A failure must fill hx_error_t with its code and a one-line message.
 *
 * On success, the index must hold what heat_index.h and
 * docs/architecture.md say: summary counts equal the tables; files sorted
 * by path, each a contiguous run of functions, each a contiguous run of
 * points sorted by line, with min/max lines and flat totals that match;
 * hx_index_find_file finds every path; hx_index_top is a permutation of
 * all points in (cum desc, line desc, index asc) order and
 * hx_index_top_functions of all functions by (cum, flat desc, index asc)
 * with their rank fields; every level is the one the documented rule gives
 * (top N = count * threshold, at least 1, cut in five chunks) globally and
 * per function or file, and the max levels of functions and files match;
 * hx_index_file_lines returns exactly the file's points in a line range,
 * by line then hottest first, and hx_index_line the first of them. Then
 * hx_index_relevel: bad thresholds and scopes fail with HX_EINVAL and
 * change nothing; another threshold and scope give the documented levels;
 * going back to the first ones gives back the first levels.
 * Last, hx_index_combine: the index alone is itself again, with itself
 * every value doubles, against itself (normalized or not) nothing changes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzz.h"
#include "heat_index.h"

#define MAX_DECOMPRESSED ((uint64_t)16 << 20)
#define SMALL ((size_t)64 << 10) /* inputs gzipped / gunzipped here */
#define GUNZIP_MAX ((size_t)4 << 20)

/* ---- loading ---- */

static void check_failure(int rc, const hx_error_t *err) {
  FUZZ_CHECK(rc >= HX_ENOMEM && rc <= HX_EIO, "load returned %d", rc);
  FUZZ_CHECK(err->code == rc, "error code %d, returned %d", err->code, rc);
  size_t n = strnlen(err->message, sizeof err->message);
  FUZZ_CHECK(n > 0 && n < sizeof err->message, "message length %zu", n);
  FUZZ_CHECK(!memchr(err->message, '\n', n), "message with a newline: %s",
             err->message);
  FUZZ_CHECK(hx_strerror(rc) != NULL, "hx_strerror(%d) is NULL", rc);
}

static int load_with(const void *p, size_t n, const hx_options_t *opts,
                     hx_index_t **out, hx_error_t *err) {
  memset(err, 0, sizeof *err);
  *out = (hx_index_t *)err; /* must be overwritten */
  int rc = hx_index_load_buffer(p, n, opts, out, err);
  if (rc == 0)
    FUZZ_CHECK(*out != NULL, "load succeeded without an index");
  else {
    FUZZ_CHECK(*out == NULL, "failed load (%d) left *out set", rc);
    check_failure(rc, err);
  }
  return rc;
}

static int load(const void *p, size_t n, const hx_options_t *opts,
                hx_index_t **out) {
  hx_error_t err;
  return load_with(p, n, opts, out, &err);
}

/* The same bytes pushed into a loader in pieces of 1 to 4096 bytes whose
 * sizes come from h (so from the input): the result must not depend on the
 * split. A failed feed must stay failed, with the same code and message,
 * through another feed and the finish. */
static int load_split(const uint8_t *p, size_t n, const hx_options_t *opts,
                      uint32_t h, hx_index_t **out, hx_error_t *err) {
  hx_loader_t *l;
  memset(err, 0, sizeof *err);
  *out = NULL;
  int rc = hx_loader_new(opts, &l, err);
  FUZZ_CHECK(rc == 0, "hx_loader_new: %d %s", rc, err->message);
  uint64_t state = h | ((uint64_t)h << 32) | 1;
  size_t at = 0;
  while (at < n && rc == 0) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    size_t piece = 1 + (size_t)(state % ((size_t)1 << (state >> 60) % 13));
    if (piece > n - at)
      piece = n - at;
    rc = hx_loader_feed(l, p + at, piece, err);
    at += piece;
  }
  if (rc == 0) {
    *out = (hx_index_t *)err; /* must be overwritten */
    rc = hx_loader_finish(l, out, err);
  } else {
    hx_error_t again;
    int rc2 = hx_loader_feed(l, p, n, &again);
    FUZZ_CHECK(rc2 == rc && strcmp(again.message, err->message) == 0,
               "feed after a failure: %d \"%s\", first %d \"%s\"", rc2,
               again.message, rc, err->message);
    *out = (hx_index_t *)err;
    rc2 = hx_loader_finish(l, out, &again);
    FUZZ_CHECK(rc2 == rc && strcmp(again.message, err->message) == 0,
               "finish after a failure: %d \"%s\", first %d \"%s\"", rc2,
               again.message, rc, err->message);
  }
  hx_loader_free(l);
  if (rc == 0)
    FUZZ_CHECK(*out != NULL, "split load succeeded without an index");
  else {
    FUZZ_CHECK(*out == NULL, "failed split load (%d) left *out set", rc);
    check_failure(rc, err);
  }
  return rc;
}

/* data gzipped as one member, or two members split at `split`, followed
 * by `pad` zero bytes. *out is malloc'd. */
static int gzip_members(const uint8_t *data, size_t size, size_t split,
                        size_t pad, int level, uint8_t **out,
                        size_t *out_len) {
  size_t cap = 2 * (size + 64) + pad + 64, len = 0;
  uint8_t *buf = malloc(cap);
  if (!buf)
    return -1;
  size_t parts[2][2] = {{0, split}, {split, size}};
  int members = split > 0 && split < size ? 2 : 1;
  if (members == 1)
    parts[0][1] = size;
  for (int m = 0; m < members; m++) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      free(buf);
      return -1;
    }
    z.next_in = (Bytef *)(data + parts[m][0]);
    z.avail_in = (uInt)(parts[m][1] - parts[m][0]);
    z.next_out = buf + len;
    z.avail_out = (uInt)(cap - len);
    int zr = deflate(&z, Z_FINISH);
    len = cap - z.avail_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END) {
      free(buf);
      return -1;
    }
  }
  FUZZ_CHECK(len + pad <= cap, "gzip buffer too small");
  memset(buf + len, 0, pad);
  *out = buf;
  *out_len = len + pad;
  return 0;
}

/* One complete gzip member making up all of data, inflated; -1 for
 * anything else (several members, trailing bytes, corrupt, too big). */
static int gunzip_one(const uint8_t *data, size_t size, uint8_t **out,
                      size_t *out_len) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, 15 + 16) != Z_OK)
    return -1;
  uint8_t *buf = malloc(GUNZIP_MAX);
  if (!buf) {
    inflateEnd(&z);
    return -1;
  }
  z.next_in = (Bytef *)data;
  z.avail_in = (uInt)size;
  z.next_out = buf;
  z.avail_out = (uInt)GUNZIP_MAX;
  int zr = inflate(&z, Z_FINISH);
  size_t got = GUNZIP_MAX - z.avail_out;
  int whole = zr == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!whole) {
    free(buf);
    return -1;
  }
  *out = buf;
  *out_len = got;
  return 0;
}

static int is_gzip(const uint8_t *p, size_t n) {
  return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* ---- the index ---- */

static int str_cmp(const char *a, const char *b) {
  FUZZ_CHECK(a && b, "NULL string in the index");
  return strcmp(a, b);
}

/* The documented level of rank r among a group of n points. */
static uint8_t want_level(size_t r, size_t n, double threshold) {
  size_t top = (size_t)((double)n * threshold);
  if (top == 0)
    top = 1;
  if (top > n)
    top = n;
  if (r >= top)
    return 0;
  if (top < 5)
    return (uint8_t)(5 - r);
  size_t chunk = (5 * (r + 1) + top - 1) / top; /* ceil(5 (r + 1) / top) */
  return (uint8_t)(6 - chunk);
}

/* Global order comparison: 1 when point a must rank before point b. */
static int hotter(const hx_point_t *a, uint32_t ia, const hx_point_t *b,
                  uint32_t ib) {
  if (a->cum != b->cum)
    return a->cum > b->cum;
  if (a->line != b->line)
    return a->line > b->line;
  return ia < ib;
}

static void check_levels(const hx_index_t *ix, double threshold,
                         hx_local_scope_t scope, uint32_t *rank_of,
                         uint32_t *counter) {
  const hx_summary_t *sum = hx_index_summary(ix);
  size_t np = hx_index_point_count(ix), nf = hx_index_function_count(ix),
         nfiles = hx_index_file_count(ix);
  FUZZ_CHECK(sum->threshold == threshold && sum->local_scope == scope,
             "summary threshold %g scope %d, applied %g %d", sum->threshold,
             (int)sum->local_scope, threshold, (int)scope);
  const uint32_t *order;
  FUZZ_CHECK(hx_index_top(ix, SIZE_MAX, &order) == np, "top count");
  size_t groups = scope == HX_LOCAL_FILE ? nfiles : nf;
  memset(counter, 0, groups * sizeof *counter);
  for (size_t r = 0; r < np; r++) {
    uint32_t id = order[r];
    const hx_point_t *p = hx_index_point(ix, id);
    const hx_function_t *fn = hx_index_function(ix, p->function);
    uint32_t g = scope == HX_LOCAL_FILE ? fn->file : p->function;
    size_t gsize = scope == HX_LOCAL_FILE
                       ? hx_index_file(ix, fn->file)->point_count
                       : fn->point_count;
    uint8_t global = want_level(r, np, threshold);
    uint8_t local = want_level(counter[g]++, gsize, threshold);
    FUZZ_CHECK(p->global == global && p->local == local,
               "point %u (rank %zu of %zu, threshold %g, scope %d): levels "
               "%u/%u, want %u/%u",
               (unsigned)id, r, np, threshold, (int)scope, p->local, p->global,
               local, global);
    rank_of[id] = (uint32_t)r;
  }
  for (size_t i = 0; i < nf; i++) {
    const hx_function_t *fn = hx_index_function(ix, i);
    uint8_t ml = 0, mg = 0;
    for (uint32_t j = 0; j < fn->point_count; j++) {
      const hx_point_t *p = hx_index_point(ix, fn->first_point + j);
      ml = p->local > ml ? p->local : ml;
      mg = p->global > mg ? p->global : mg;
    }
    FUZZ_CHECK(fn->max_local == ml && fn->max_global == mg,
               "function %zu max levels %u/%u, points say %u/%u", i,
               fn->max_local, fn->max_global, ml, mg);
  }
  for (size_t f = 0; f < nfiles; f++) {
    const hx_file_t *file = hx_index_file(ix, f);
    uint8_t ml = 0, mg = 0;
    for (uint32_t j = 0; j < file->function_count; j++) {
      const hx_function_t *fn =
          hx_index_function(ix, file->first_function + j);
      ml = fn->max_local > ml ? fn->max_local : ml;
      mg = fn->max_global > mg ? fn->max_global : mg;
    }
    FUZZ_CHECK(file->max_local == ml && file->max_global == mg,
               "file %zu max levels %u/%u, functions say %u/%u", f,
               file->max_local, file->max_global, ml, mg);
  }
}

static void check_structure(const hx_index_t *ix, const hx_options_t *opts) {
  const hx_summary_t *sum = hx_index_summary(ix);
  size_t np = hx_index_point_count(ix), nf = hx_index_function_count(ix),
         nfiles = hx_index_file_count(ix),
         nst = hx_index_sample_type_count(ix);
  FUZZ_CHECK(np > 0 && nf > 0 && nfiles > 0, "empty index: %zu/%zu/%zu", np,
             nf, nfiles);
  FUZZ_CHECK(sum->points == np && sum->functions == nf && sum->files == nfiles,
             "summary counts %zu/%zu/%zu, tables %zu/%zu/%zu", sum->points,
             sum->functions, sum->files, np, nf, nfiles);
  FUZZ_CHECK(!hx_index_point(ix, np) && !hx_index_function(ix, nf) &&
                 !hx_index_file(ix, nfiles) && !hx_index_sample_type(ix, nst),
             "lookup past the end is not NULL");
  FUZZ_CHECK(sum->sample_type_index < nst, "sample type %zu of %zu",
             sum->sample_type_index, nst);
  const hx_sample_type_t *st =
      hx_index_sample_type(ix, sum->sample_type_index);
  FUZZ_CHECK(str_cmp(st->type, sum->sample_type.type) == 0 &&
                 str_cmp(st->unit, sum->sample_type.unit) == 0,
             "summary sample type differs from the table's");
  FUZZ_CHECK((sum->unit_kind == HX_UNIT_TIME) == (sum->ns_per_unit > 0),
             "unit kind %d with ns_per_unit %lld", (int)sum->unit_kind,
             (long long)sum->ns_per_unit);
  FUZZ_CHECK(sum->total >= 0, "total %lld", (long long)sum->total);
  if (opts->symbols != HX_SYMBOLS_AUTO)
    FUZZ_CHECK(sum->go_symbols == (opts->symbols == HX_SYMBOLS_GO),
               "go_symbols %d with rule %d", sum->go_symbols,
               (int)opts->symbols);

  size_t next_function = 0, next_point = 0;
  for (size_t f = 0; f < nfiles; f++) {
    const hx_file_t *file = hx_index_file(ix, f);
    FUZZ_CHECK(file->path != NULL, "file %zu without a path", f);
    if (f > 0)
      FUZZ_CHECK(str_cmp(hx_index_file(ix, f - 1)->path, file->path) < 0,
                 "files %zu and %zu out of order: \"%s\", \"%s\"", f - 1, f,
                 hx_index_file(ix, f - 1)->path, file->path);
    FUZZ_CHECK(hx_index_find_file(ix, file->path) == (long)f,
               "find_file(\"%s\") = %ld, want %zu", file->path,
               hx_index_find_file(ix, file->path), f);
    FUZZ_CHECK(file->first_function == next_function &&
                   file->function_count > 0 &&
                   file->function_count <= nf - next_function,
               "file %zu functions [%u, +%u), expected to start at %zu", f,
               file->first_function, file->function_count, next_function);
    size_t points = 0;
    for (uint32_t j = 0; j < file->function_count; j++) {
      size_t i = file->first_function + j;
      const hx_function_t *fn = hx_index_function(ix, i);
      FUZZ_CHECK(fn->file == f, "function %zu in file %zu says file %u", i, f,
                 fn->file);
      FUZZ_CHECK(fn->package && fn->type && fn->name && fn->display &&
                     fn->symbol,
                 "function %zu with a NULL name", i);
      if (j > 0) {
        const hx_function_t *pf = hx_index_function(ix, i - 1);
        int c = str_cmp(pf->type, fn->type);
        if (c == 0)
          c = str_cmp(pf->name, fn->name);
        if (c == 0)
          c = str_cmp(pf->package, fn->package);
        FUZZ_CHECK(c < 0,
                   "functions %zu and %zu out of (type, name, "
                   "package) order: %s, %s",
                   i - 1, i, pf->display, fn->display);
      }
      FUZZ_CHECK(fn->first_point == next_point && fn->point_count > 0 &&
                     fn->point_count <= np - next_point,
                 "function %zu points [%u, +%u), expected to start at %zu", i,
                 fn->first_point, fn->point_count, next_point);
      int64_t flat = 0;
      for (uint32_t k = 0; k < fn->point_count; k++) {
        const hx_point_t *p = hx_index_point(ix, fn->first_point + k);
        FUZZ_CHECK(p->function == i, "point %u says function %u, in %zu",
                   fn->first_point + k, p->function, i);
        FUZZ_CHECK(p->flat >= 0 && p->cum >= p->flat,
                   "point %u flat %lld cum %lld", fn->first_point + k,
                   (long long)p->flat, (long long)p->cum);
        if (k > 0)
          FUZZ_CHECK(hx_index_point(ix, fn->first_point + k - 1)->line <
                         p->line,
                     "function %zu points not by line ascending", i);
        flat = p->flat > INT64_MAX - flat ? INT64_MAX : flat + p->flat;
      }
      FUZZ_CHECK(
          fn->min_line == hx_index_point(ix, fn->first_point)->line &&
              fn->max_line ==
                  hx_index_point(ix, fn->first_point + fn->point_count - 1)
                      ->line,
          "function %zu lines %u..%u", i, fn->min_line, fn->max_line);
      FUZZ_CHECK(fn->flat == flat,
                 "function %zu flat %lld, points sum to "
                 "%lld",
                 i, (long long)fn->flat, (long long)flat);
      points += fn->point_count;
      next_point += fn->point_count;
    }
    FUZZ_CHECK(file->point_count == points,
               "file %zu has %u points, its "
               "functions %zu",
               f, file->point_count, points);
    next_function += file->function_count;
  }
  FUZZ_CHECK(next_function == nf && next_point == np,
             "files cover %zu of %zu functions, %zu of %zu points",
             next_function, nf, next_point, np);

  /* Global and function order. */
  const uint32_t *order;
  uint8_t *seen = calloc(np > nf ? np : nf, 1);
  FUZZ_CHECK(seen != NULL, "out of memory");
  FUZZ_CHECK(hx_index_top(ix, SIZE_MAX, &order) == np, "top count");
  for (size_t r = 0; r < np; r++) {
    FUZZ_CHECK(order[r] < np && !seen[order[r]], "top[%zu] = %u", r, order[r]);
    seen[order[r]] = 1;
    if (r > 0)
      FUZZ_CHECK(hotter(hx_index_point(ix, order[r - 1]), order[r - 1],
                        hx_index_point(ix, order[r]), order[r]),
                 "top[%zu] = %u before top[%zu] = %u", r - 1, order[r - 1], r,
                 order[r]);
  }
  memset(seen, 0, nf);
  FUZZ_CHECK(hx_index_top_functions(ix, SIZE_MAX, &order) == nf,
             "top functions count");
  for (size_t r = 0; r < nf; r++) {
    FUZZ_CHECK(order[r] < nf && !seen[order[r]], "top function %zu = %u", r,
               order[r]);
    seen[order[r]] = 1;
    const hx_function_t *fn = hx_index_function(ix, order[r]);
    FUZZ_CHECK(fn->rank == r, "function %u rank %u, at %zu", order[r],
               fn->rank, r);
    if (r > 0) {
      const hx_function_t *pf = hx_index_function(ix, order[r - 1]);
      FUZZ_CHECK(pf->cum > fn->cum ||
                     (pf->cum == fn->cum &&
                      (pf->flat > fn->flat ||
                       (pf->flat == fn->flat && order[r - 1] < order[r]))),
                 "function order at %zu", r);
    }
  }
  free(seen);
  size_t n = hx_index_top(ix, np / 2, &order);
  FUZZ_CHECK(n == np / 2, "top(%zu) gave %zu", np / 2, n);
}

/* hx_index_file_lines and hx_index_line on file f against its points. */
static void check_lines(const hx_index_t *ix, size_t f,
                        const uint32_t *rank_of, uint32_t *state) {
  const hx_file_t *file = hx_index_file(ix, f);
  const uint32_t *all, *ids;
  size_t n = hx_index_file_lines(ix, f, 0, UINT32_MAX, &all);
  FUZZ_CHECK(n == file->point_count, "file %zu: %zu lines of %u points", f, n,
             file->point_count);
  for (size_t i = 0; i < n; i++) {
    const hx_point_t *p = hx_index_point(ix, all[i]);
    FUZZ_CHECK(p && hx_index_function(ix, p->function)->file == f,
               "file_lines(%zu) gave point %u of another file", f, all[i]);
    if (i > 0) {
      const hx_point_t *q = hx_index_point(ix, all[i - 1]);
      FUZZ_CHECK(q->line < p->line || (q->line == p->line &&
                                       rank_of[all[i - 1]] < rank_of[all[i]]),
                 "file %zu lines out of order at %zu", f, i);
    }
  }
  for (int k = 0; k < 4; k++) {
    uint32_t a, b;
    if (k == 0 && n > 0) {
      a = b = hx_index_point(ix, all[fuzz_next(state) % n])->line;
    } else {
      uint32_t span =
          file->point_count ? hx_index_point(ix, all[n - 1])->line : 0;
      a = fuzz_next(state) % (span + 2);
      b = fuzz_next(state) % (span + 2);
      if (k == 3)
        b = UINT32_MAX;
    }
    size_t m = hx_index_file_lines(ix, f, a, b, &ids);
    size_t want = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
      uint32_t line = hx_index_point(ix, all[i])->line;
      if (line >= a && line <= b) {
        if (want == 0)
          first = i;
        want++;
      }
    }
    FUZZ_CHECK(m == want &&
                   (m == 0 || memcmp(ids, all + first, m * sizeof *ids) == 0),
               "file_lines(%zu, %u, %u): %zu points, want %zu", f, a, b, m,
               want);
    long hot = hx_index_line(ix, f, a);
    size_t on_a = hx_index_file_lines(ix, f, a, a, &ids);
    FUZZ_CHECK(on_a ? hot == (long)ids[0] : hot == -1, "line(%zu, %u) = %ld",
               f, a, hot);
  }
  FUZZ_CHECK(hx_index_file_lines(ix, f, 5, 4, &ids) == 0, "from > to");
}

typedef struct levels {
  uint8_t *local, *global;
  double threshold;
  hx_local_scope_t scope;
} levels_t;

static void snapshot(const hx_index_t *ix, levels_t *s) {
  size_t np = hx_index_point_count(ix);
  for (size_t i = 0; i < np; i++) {
    s->local[i] = hx_index_point(ix, i)->local;
    s->global[i] = hx_index_point(ix, i)->global;
  }
  s->threshold = hx_index_summary(ix)->threshold;
  s->scope = hx_index_summary(ix)->local_scope;
}

static void check_same_levels(const hx_index_t *ix, const levels_t *s,
                              const char *what) {
  size_t np = hx_index_point_count(ix);
  for (size_t i = 0; i < np; i++)
    FUZZ_CHECK(s->local[i] == hx_index_point(ix, i)->local &&
                   s->global[i] == hx_index_point(ix, i)->global,
               "%s: point %zu levels changed", what, i);
  FUZZ_CHECK(hx_index_summary(ix)->threshold == s->threshold &&
                 hx_index_summary(ix)->local_scope == s->scope,
             "%s: summary threshold or scope changed", what);
}

static void check_index(hx_index_t *ix, const hx_options_t *opts,
                        uint32_t seed) {
  size_t np = hx_index_point_count(ix), nf = hx_index_function_count(ix),
         nfiles = hx_index_file_count(ix);
  check_structure(ix, opts);
  size_t groups = nf > nfiles ? nf : nfiles;
  uint32_t *rank_of = malloc(np * sizeof *rank_of);
  uint32_t *counter = malloc(groups * sizeof *counter);
  levels_t first = {malloc(np), malloc(np), 0, HX_LOCAL_FUNCTION};
  FUZZ_CHECK(rank_of && counter && first.local && first.global,
             "out of memory");
  double t0 = opts->threshold == 0 ? HX_DEFAULT_THRESHOLD : opts->threshold;
  check_levels(ix, t0, opts->local_scope, rank_of, counter);
  uint32_t state = seed;
  for (size_t k = 0; k < 4 && k < nfiles; k++)
    check_lines(ix, k == 0 ? nfiles - 1 : fuzz_next(&state) % nfiles, rank_of,
                &state);
  const uint32_t *ids;
  FUZZ_CHECK(hx_index_file_lines(ix, nfiles, 0, UINT32_MAX, &ids) == 0 &&
                 hx_index_line(ix, nfiles, 1) == -1,
             "a file past the end has lines");

  /* Relevel: bad arguments change nothing. */
  snapshot(ix, &first);
  static const double bad[] = {1.5, -0.25, 1.0000001};
  hx_error_t err;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = hx_index_relevel(ix, bad[i], HX_LOCAL_FILE, &err);
    FUZZ_CHECK(rc == HX_EINVAL && err.code == rc, "relevel(%g) = %d", bad[i],
               rc);
  }
  int rc = hx_index_relevel(ix, NAN, HX_LOCAL_FUNCTION, &err);
  FUZZ_CHECK(rc == HX_EINVAL, "relevel(NaN) = %d", rc);
  rc = hx_index_relevel(ix, 0.5, (hx_local_scope_t)7, &err);
  FUZZ_CHECK(rc == HX_EINVAL, "relevel(scope 7) = %d", rc);
  check_same_levels(ix, &first, "failed relevel");

  /* Another threshold and the other scope. */
  static const double good[] = {1.0, 0.1, 1e-9, 0.3333, 0.999, 0.0};
  double t = good[fuzz_next(&state) % (sizeof good / sizeof good[0])];
  hx_local_scope_t scope =
      opts->local_scope == HX_LOCAL_FILE ? HX_LOCAL_FUNCTION : HX_LOCAL_FILE;
  rc = hx_index_relevel(ix, t, scope, &err);
  FUZZ_CHECK(rc == 0, "relevel(%g, %d) = %d", t, (int)scope, rc);
  check_levels(ix, t == 0 ? HX_DEFAULT_THRESHOLD : t, scope, rank_of, counter);
  check_lines(ix, 0, rank_of, &state);

  /* And back. */
  rc = hx_index_relevel(ix, t0, opts->local_scope, NULL);
  FUZZ_CHECK(rc == 0, "relevel back = %d", rc);
  check_same_levels(ix, &first, "relevel back");
  free(first.local);
  free(first.global);
  free(rank_of);
  free(counter);
}

/* Two loads of the same profile must have built the same index. */
static void check_same_index(const hx_index_t *a, const hx_index_t *b,
                             const char *what) {
  const hx_summary_t *sa = hx_index_summary(a), *sb = hx_index_summary(b);
  FUZZ_CHECK(sa->points == sb->points && sa->functions == sb->functions &&
                 sa->files == sb->files && sa->samples == sb->samples &&
                 sa->total == sb->total &&
                 sa->sample_type_index == sb->sample_type_index &&
                 sa->go_symbols == sb->go_symbols,
             "%s: summaries differ (points %zu/%zu, total %lld/%lld)", what,
             sa->points, sb->points, (long long)sa->total,
             (long long)sb->total);
  for (size_t i = 0; i < sa->points; i++) {
    const hx_point_t *p = hx_index_point(a, i), *q = hx_index_point(b, i);
    FUZZ_CHECK(p->flat == q->flat && p->cum == q->cum && p->line == q->line &&
                   p->function == q->function && p->local == q->local &&
                   p->global == q->global,
               "%s: point %zu differs", what, i);
  }
  for (size_t i = 0; i < sa->functions; i++)
    FUZZ_CHECK(strcmp(hx_index_function(a, i)->symbol,
                      hx_index_function(b, i)->symbol) == 0,
               "%s: function %zu differs", what, i);
  for (size_t i = 0; i < sa->files; i++)
    FUZZ_CHECK(strcmp(hx_index_file(a, i)->path, hx_index_file(b, i)->path) ==
                   0,
               "%s: file %zu differs", what, i);
}

/* Whether two function records of ix have the same key as C strings
 * (names that differ only after a NUL byte): a merge joins those. */
static int has_equal_keys(const hx_index_t *ix) {
  size_t n = hx_index_function_count(ix);
  if (n > 4096)
    return 1; /* too many to compare here: assume so */
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) {
      const hx_function_t *a = hx_index_function(ix, i);
      const hx_function_t *b = hx_index_function(ix, j);
      const char *pa = hx_index_file(ix, a->file)->path;
      const char *pb = hx_index_file(ix, b->file)->path;
      const char *ba = strrchr(pa, '/'), *bb = strrchr(pb, '/');
      if (strcmp(a->name, b->name) == 0 && strcmp(a->type, b->type) == 0 &&
          strcmp(a->package, b->package) == 0 &&
          strcmp(ba ? ba : pa, bb ? bb : pb) == 0)
        return 1;
    }
  return 0;
}

static int64_t twice(int64_t v) {
  return v > INT64_MAX / 2 ? INT64_MAX : 2 * v;
}

/* hx_index_combine on ix: alone it is ix again; with itself every value
 * doubles; against itself (normalized or not) nothing changes. */
static void check_combine(const hx_index_t *ix, const hx_options_t *opts) {
  hx_combine_options_t o;
  hx_combine_options_init(&o);
  o.threshold = hx_index_summary(ix)->threshold;
  o.local_scope = hx_index_summary(ix)->local_scope;
  hx_index_t *m = NULL;
  hx_error_t err;
  const hx_index_t *two[2] = {ix, ix};
  int rc = hx_index_combine(two, 1, NULL, 0, &o, &m, NULL, &err);
  FUZZ_CHECK(rc == 0, "combine of one: %d %s", rc, err.message);
  if (hx_index_function_count(m) == hx_index_function_count(ix))
    check_same_index(ix, m, "combine of one");
  else
    FUZZ_CHECK(has_equal_keys(ix), "combine of one joined distinct keys");
  FUZZ_CHECK(!hx_index_is_diff(m), "a merge is a diff");
  hx_index_free(m);

  rc = hx_index_combine(two, 2, NULL, 0, &o, &m, NULL, &err);
  FUZZ_CHECK(rc == 0, "combine of two: %d %s", rc, err.message);
  if (hx_index_point_count(m) == hx_index_point_count(ix)) {
    for (size_t i = 0; i < hx_index_point_count(ix); i++) {
      const hx_point_t *p = hx_index_point(ix, i), *q = hx_index_point(m, i);
      FUZZ_CHECK(q->cum == twice(p->cum) && q->flat == twice(p->flat) &&
                     q->line == p->line,
                 "merge with itself: point %zu not doubled", i);
    }
    FUZZ_CHECK(hx_index_summary(m)->total ==
                   twice(hx_index_summary(ix)->total),
               "merge with itself: total not doubled");
  }
  hx_index_free(m);

  for (int normalize = 0; normalize <= 1; normalize++) {
    o.normalize = normalize;
    rc = hx_index_combine(two, 1, two + 1, 1, &o, &m, NULL, &err);
    FUZZ_CHECK(rc == 0, "diff with itself: %d %s", rc, err.message);
    const hx_summary_t *s = hx_index_summary(m);
    FUZZ_CHECK(hx_index_is_diff(m) && s->regressions == 0 &&
                   s->improvements == 0 && s->base_total == s->total,
               "diff with itself: %zu regressions, %zu improvements",
               s->regressions, s->improvements);
    for (size_t i = 0; i < hx_index_point_count(m); i++) {
      const hx_point_diff_t *d = hx_index_point_diff(m, i);
      const hx_point_t *p = hx_index_point(m, i);
      FUZZ_CHECK(d->delta_cum == 0 && d->delta_flat == 0 && d->local == 0 &&
                     d->global == 0 && p->local == 0 && p->global == 0 &&
                     d->base_cum == p->cum,
                 "diff with itself: point %zu changed", i);
    }
    const uint32_t *ids;
    FUZZ_CHECK(hx_index_top_changes(m, SIZE_MAX, 0, &ids) == 0 &&
                   hx_index_top_changes(m, SIZE_MAX, 1, &ids) == 0,
               "diff with itself lists changes");
    hx_index_free(m);
  }
  (void)opts;
}

/* The options an input loads with, from a hash of its bytes. */
static uint32_t options_for(const uint8_t *data, size_t size,
                            hx_options_t *opts) {
  uint32_t h = 2166136261u;
  size_t head = size < 64 ? size : 64;
  for (size_t i = 0; i < head; i++)
    h = (h ^ data[i]) * 16777619u;
  for (size_t i = size - (size - head < 64 ? size - head : 64); i < size; i++)
    h = (h ^ data[i]) * 16777619u;
  h = (h ^ (uint32_t)size) * 16777619u;
  static const double thresholds[4] = {0, 0.1, 0.9, 1.0};
  static const char *const types[8] = {
      NULL,      NULL,          NULL,         "", "cpu/nanoseconds",
      "samples", "alloc_space", "nosuch/unit"};
  hx_options_init(opts);
  opts->max_decompressed = MAX_DECOMPRESSED;
  opts->symbols = (hx_symbols_t)(h % 3);
  opts->local_scope = (h >> 2) & 1 ? HX_LOCAL_FILE : HX_LOCAL_FUNCTION;
  opts->threshold = thresholds[(h >> 3) & 3];
  opts->sample_type = types[(h >> 5) & 7];
  return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hx_options_t opts;
  uint32_t h = options_for(data, size, &opts);
  hx_index_t *ix, *other;

  hx_error_t err, split_err;
  int rc = load_with(data, size, &opts, &ix, &err);
  if (rc == HX_ESAMPLETYPE && opts.sample_type) {
    /* Not one of its sample types: load it with the default choice. */
    opts.sample_type = NULL;
    rc = load_with(data, size, &opts, &ix, &err);
  }
  if (rc == 0) {
    check_index(ix, &opts, h);
    check_combine(ix, &opts);
  }

  int split_rc = load_split(data, size, &opts, h, &other, &split_err);
  FUZZ_CHECK(split_rc == rc &&
                 (rc == 0 || strcmp(split_err.message, err.message) == 0),
             "whole load %d \"%s\", split load %d \"%s\"", rc,
             rc ? err.message : "", split_rc,
             split_rc ? split_err.message : "");
  if (rc == 0)
    check_same_index(ix, other, "split");
  hx_index_free(other);

  if (size > 0 && size <= SMALL && !is_gzip(data, size)) {
    uint8_t *gz;
    size_t gz_len;
    size_t split = (h >> 8) & 1 ? ((h >> 9) % size) : 0;
    size_t pad = (h >> 20) & 1 ? (h >> 21) % 32 : 0;
    if (gzip_members(data, size, split, pad, 1 + (int)((h >> 12) % 9), &gz,
                     &gz_len) == 0) {
      int rc2 = load(gz, gz_len, &opts, &other);
      FUZZ_CHECK(rc2 == rc, "raw load %d, gzipped (split %zu, pad %zu) %d", rc,
                 split, pad, rc2);
      if (rc2 == 0)
        check_same_index(ix, other, "gzipped");
      hx_index_free(other);
      free(gz);
    }
  } else if (size <= SMALL && is_gzip(data, size)) {
    uint8_t *raw;
    size_t raw_len;
    if (gunzip_one(data, size, &raw, &raw_len) == 0) {
      if (raw_len > 0 && !is_gzip(raw, raw_len)) {
        int rc2 = load(raw, raw_len, &opts, &other);
        FUZZ_CHECK(rc2 == rc, "gzip load %d, gunzipped here %d", rc, rc2);
        if (rc2 == 0)
          check_same_index(ix, other, "gunzipped");
        hx_index_free(other);
      }
      free(raw);
    }
  }
  hx_index_free(ix);
  return 0;
}
