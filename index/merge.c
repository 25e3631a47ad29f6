/*
 * merge.c: several indexes summed into one, and a diff of two sums
 * (hx_index_combine; docs/levels.md has the rules).
 *
 * Heat is a sum over samples, and pprof's merge only adds the values of
 * identical samples, so the index of a merged profile is the sum of the
 * inputs' indexes: points by (function key, line), functions by key. A key
 * keeps the path and symbol of the first input that has it, inputs first,
 * then bases. The result is then laid out and ranked like a loaded index.
 *
 * A merger takes the indexes one at a time and copies what it keeps, so a
 * caller can free each input as soon as it is added: a merge of N profiles
 * never holds N indexes. hx_index_combine is a merger in one call.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define NO_ID UINT32_MAX

typedef struct merge_key {
  /* Copies (in the merger's arena) of the first input with this key. */
  const char *package, *type, *name, *symbol, *display, *path;
  hx_slice_t base; /* Go: the path's base name; raw: the path */
  uint64_t hash;
  int64_t flat[2], cum[2]; /* new side, base side */
  uint32_t record;
} merge_key_t;

typedef struct merge_point {
  int64_t flat[2], cum[2];
  uint32_t key, line;
} merge_point_t;

struct hx_merger {
  hx_combine_options_t opts;
  hx_error_t error; /* a failed merger returns this from every call */
  bool failed;
  size_t added[2];    /* indexes added to each side */
  hx_summary_t first; /* the first input's summary (strings below) */
  char *first_type, *first_unit;
  int64_t unit_ns;    /* time: ns per unit of the values summed so far */
  hx_arena_t strings; /* every string kept; becomes the index's */
  hx_sample_type_t *sample_types; /* the first input's, copied */
  size_t sample_type_count;
  const char **filenames; /* the union so far, sorted */
  size_t filename_count;
  int64_t total[2];
  size_t samples;
  bool go;
  merge_key_t *keys;
  size_t key_count, key_cap;
  uint32_t *key_table; /* slot -> key id + 1 */
  size_t key_mask;
  merge_point_t *points;
  size_t point_count, point_cap;
  uint64_t *point_table; /* slot -> (key << 32 | line) + 1 */
  uint32_t *point_ids;
  size_t point_mask;
};
typedef struct hx_merger merger_t;

static int64_t add_sat(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_add_overflow(a, b, &r))
    return r;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

static int64_t mul_sat(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_mul_overflow(a, b, &r))
    return r;
  return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
}

static uint64_t hash_str(uint64_t h, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)p[i]) * 0x100000001b3ull;
  return (h ^ n) * 0x9E3779B97F4A7C15ull;
}

static bool slice_eq(hx_slice_t a, hx_slice_t b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool key_eq(const merge_key_t *a, const merge_key_t *b) {
  return a->hash == b->hash && strcmp(a->name, b->name) == 0 &&
         strcmp(a->type, b->type) == 0 &&
         strcmp(a->package, b->package) == 0 && slice_eq(a->base, b->base);
}

static char *keep(merger_t *m, const char *s) {
  return hx__arena_strndup(&m->strings, s, strlen(s));
}

static int grow_table(uint32_t **table, size_t *mask, const merge_key_t *keys,
                      size_t count) {
  size_t size = (*mask + 1) * 2;
  uint32_t *t = calloc(size, sizeof *t);
  if (!t)
    return HX_ENOMEM;
  for (size_t k = 0; k < count; k++) {
    size_t slot = (size_t)keys[k].hash & (size - 1);
    while (t[slot])
      slot = (slot + 1) & (size - 1);
    t[slot] = (uint32_t)k + 1;
  }
  free(*table);
  *table = t;
  *mask = size - 1;
  return 0;
}

/* The key id of fn, whose file is `path`, created when new; NO_ID when out
 * of memory. */
static uint32_t key_for(merger_t *m, const hx_function_t *fn,
                        const char *path) {
  merge_key_t k;
  memset(&k, 0, sizeof k);
  k.package = fn->package;
  k.type = fn->type;
  k.name = fn->name;
  k.base = m->go ? hx__path_base(path, strlen(path))
                 : (hx_slice_t){path, strlen(path)};
  uint64_t h = 0xcbf29ce484222325ull;
  h = hash_str(h, fn->package, strlen(fn->package));
  h = hash_str(h, fn->type, strlen(fn->type));
  h = hash_str(h, fn->name, strlen(fn->name));
  k.hash = hash_str(h, k.base.ptr, k.base.len);
  size_t slot = (size_t)k.hash & m->key_mask;
  while (m->key_table[slot]) {
    uint32_t id = m->key_table[slot] - 1;
    if (key_eq(&m->keys[id], &k))
      return id;
    slot = (slot + 1) & m->key_mask;
  }
  /* A new key keeps copies: the input may be freed after it is added. */
  k.package = keep(m, fn->package);
  k.type = keep(m, fn->type);
  k.name = keep(m, fn->name);
  k.symbol = keep(m, fn->symbol);
  k.display = keep(m, fn->display);
  k.path = keep(m, path);
  if (!k.package || !k.type || !k.name || !k.symbol || !k.display || !k.path)
    return NO_ID;
  k.base = m->go ? hx__path_base(k.path, strlen(k.path))
                 : (hx_slice_t){k.path, strlen(k.path)};
  if (m->key_count >= NO_ID - 1 ||
      hx__grow((void **)&m->keys, &m->key_cap, m->key_count + 1,
               sizeof *m->keys) < 0)
    return NO_ID;
  uint32_t id = (uint32_t)m->key_count++;
  m->keys[id] = k;
  m->key_table[slot] = id + 1;
  if (m->key_count * 2 > m->key_mask &&
      grow_table(&m->key_table, &m->key_mask, m->keys, m->key_count) < 0)
    return NO_ID;
  return id;
}

static size_t point_slot(uint64_t k, size_t mask) {
  return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

static int grow_points(merger_t *m) {
  size_t size = (m->point_mask + 1) * 2;
  uint64_t *keys = calloc(size, sizeof *keys);
  uint32_t *ids = malloc(size * sizeof *ids);
  if (!keys || !ids) {
    free(keys);
    free(ids);
    return HX_ENOMEM;
  }
  for (size_t p = 0; p < m->point_count; p++) {
    uint64_t k = ((uint64_t)m->points[p].key << 32 | m->points[p].line) + 1;
    size_t slot = point_slot(k, size - 1);
    while (keys[slot])
      slot = (slot + 1) & (size - 1);
    keys[slot] = k;
    ids[slot] = (uint32_t)p;
  }
  free(m->point_table);
  free(m->point_ids);
  m->point_table = keys;
  m->point_ids = ids;
  m->point_mask = size - 1;
  return 0;
}

static merge_point_t *point_for(merger_t *m, uint32_t key, uint32_t line) {
  uint64_t k = ((uint64_t)key << 32 | line) + 1;
  size_t slot = point_slot(k, m->point_mask);
  while (m->point_table[slot]) {
    if (m->point_table[slot] == k)
      return &m->points[m->point_ids[slot]];
    slot = (slot + 1) & m->point_mask;
  }
  if (m->point_count >= NO_ID - 1 ||
      hx__grow((void **)&m->points, &m->point_cap, m->point_count + 1,
               sizeof *m->points) < 0)
    return NULL;
  uint32_t id = (uint32_t)m->point_count++;
  m->points[id] = (merge_point_t){.key = key, .line = line};
  m->point_table[slot] = k;
  m->point_ids[slot] = id;
  if (m->point_count * 4 > m->point_mask * 3 && grow_points(m) < 0)
    return NULL;
  return &m->points[id];
}

/* Adds every point and function of ix to side `side`, its values times
 * `scale` (a unit conversion). */
static int add_index(merger_t *m, const hx_index_t *ix, int side,
                     int64_t scale, hx_error_t *err) {
  for (size_t f = 0; f < ix->function_count; f++) {
    const hx_function_t *fn = &ix->functions[f];
    uint32_t key = key_for(m, fn, ix->files[fn->file].path);
    if (key == NO_ID)
      return hx__fail(err, HX_ENOMEM, "out of memory for function keys");
    merge_key_t *k = &m->keys[key];
    k->flat[side] = add_sat(k->flat[side], mul_sat(fn->flat, scale));
    k->cum[side] = add_sat(k->cum[side], mul_sat(fn->cum, scale));
    for (uint32_t j = 0; j < fn->point_count; j++) {
      const hx_point_t *p = &ix->points[fn->first_point + j];
      merge_point_t *mp = point_for(m, key, p->line);
      if (!mp)
        return hx__fail(err, HX_ENOMEM, "out of memory for points");
      mp->flat[side] = add_sat(mp->flat[side], mul_sat(p->flat, scale));
      mp->cum[side] = add_sat(mp->cum[side], mul_sat(p->cum, scale));
    }
  }
  return 0;
}

/* ---- checks: one sample type, one unit dimension, one symbol rule ---- */

/* Whether ix can join what the merger holds; on failure the message says
 * why, naming the side. */
static int check_input(const merger_t *m, const hx_index_t *ix, int side,
                       hx_error_t *err) {
  const hx_summary_t *s = &ix->summary, *first = &m->first;
  const char *what = side ? "base" : "profile";
  if (strcmp(s->sample_type.type, m->first_type) != 0)
    return hx__fail(err, HX_ESAMPLETYPE,
                    "this %s's sample type is %s/%s, the first profile's "
                    "%s/%s",
                    what, s->sample_type.type, s->sample_type.unit,
                    m->first_type, m->first_unit);
  bool same = strcmp(s->sample_type.unit, m->first_unit) == 0;
  bool times =
      s->unit_kind == HX_UNIT_TIME && first->unit_kind == HX_UNIT_TIME;
  if (!same && !times)
    return hx__fail(err, HX_ESAMPLETYPE,
                    "sample type %s is in %s in this %s but in %s in the "
                    "first profile",
                    s->sample_type.type, s->sample_type.unit, what,
                    m->first_unit);
  if (s->go_symbols != first->go_symbols)
    return hx__fail(err, HX_EINVAL,
                    "this %s has %s symbols, the first profile %s ones "
                    "(choose the symbol rule)",
                    what, s->go_symbols ? "Go" : "raw",
                    first->go_symbols ? "Go" : "raw");
  return 0;
}

/* Everything summed so far times factor (a finer time unit arrived). */
static void rescale(merger_t *m, int64_t factor) {
  for (size_t k = 0; k < m->key_count; k++)
    for (int side = 0; side < 2; side++) {
      m->keys[k].flat[side] = mul_sat(m->keys[k].flat[side], factor);
      m->keys[k].cum[side] = mul_sat(m->keys[k].cum[side], factor);
    }
  for (size_t p = 0; p < m->point_count; p++)
    for (int side = 0; side < 2; side++) {
      m->points[p].flat[side] = mul_sat(m->points[p].flat[side], factor);
      m->points[p].cum[side] = mul_sat(m->points[p].cum[side], factor);
    }
  for (int side = 0; side < 2; side++)
    m->total[side] = mul_sat(m->total[side], factor);
}

/* The first input's sample types and summary, copied. */
static int keep_first(merger_t *m, const hx_index_t *ix) {
  m->first = ix->summary;
  m->first_type = keep(m, ix->summary.sample_type.type);
  m->first_unit = keep(m, ix->summary.sample_type.unit);
  m->sample_types = calloc(ix->sample_type_count + 1, sizeof *m->sample_types);
  if (!m->first_type || !m->first_unit || !m->sample_types)
    return HX_ENOMEM;
  m->sample_type_count = ix->sample_type_count;
  for (size_t i = 0; i < ix->sample_type_count; i++) {
    m->sample_types[i].type = keep(m, ix->sample_types[i].type);
    m->sample_types[i].unit = keep(m, ix->sample_types[i].unit);
    if (!m->sample_types[i].type || !m->sample_types[i].unit)
      return HX_ENOMEM;
  }
  m->go = ix->summary.go_symbols != 0;
  m->unit_ns = ix->summary.ns_per_unit;
  return 0;
}

/* The union of the file sets so far and ix's (both sorted). */
static int unite_filenames(merger_t *m, const hx_index_t *ix) {
  size_t na = m->filename_count, nb = ix->filename_count;
  const char **out = malloc((na + nb + 1) * sizeof *out);
  if (!out)
    return HX_ENOMEM;
  size_t i = 0, j = 0, n = 0;
  while (i < na || j < nb) {
    int c = i == na   ? 1
            : j == nb ? -1
                      : strcmp(m->filenames[i], ix->filenames[j]);
    if (c <= 0) {
      out[n++] = m->filenames[i++];
      j += c == 0;
      continue;
    }
    const char *copy = keep(m, ix->filenames[j++]);
    if (!copy) {
      free(out);
      return HX_ENOMEM;
    }
    out[n++] = copy;
  }
  free(m->filenames);
  m->filenames = out;
  m->filename_count = n;
  return 0;
}

/* ---- the result laid out as a loaded index ---- */

static int key_order(const void *pa, const void *pb) {
  const merge_key_t *a = *(const merge_key_t *const *)pa;
  const merge_key_t *b = *(const merge_key_t *const *)pb;
  int c = strcmp(a->path, b->path);
  if (!c)
    c = strcmp(a->type, b->type);
  if (!c)
    c = strcmp(a->name, b->name);
  if (!c)
    c = strcmp(a->package, b->package);
  return c;
}

static int line_order(const void *pa, const void *pb) {
  uint32_t a = ((const merge_point_t *)pa)->line;
  uint32_t b = ((const merge_point_t *)pb)->line;
  return a < b ? -1 : a > b;
}

/* round(v * scale), half away from zero, saturating. */
static int64_t scaled(int64_t v, double scale) {
  if (scale == 1)
    return v; /* exact: a double holds 53 bits, a value 63 */
  double r = (double)v * scale;
  r = r < 0 ? r - 0.5 : r + 0.5; /* truncated below: rounded */
  if (r >= 9223372036854775807.0)
    return INT64_MAX;
  if (r <= -9223372036854775807.0)
    return -INT64_MAX;
  return (int64_t)r;
}

static int lay_out(merger_t *m, hx_index_t *ix, bool diff, double scale,
                   hx_error_t *err) {
  merge_key_t **order = malloc((m->key_count + 1) * sizeof *order);
  if (!order)
    return hx__fail(err, HX_ENOMEM, "out of memory for function records");
  size_t nf = m->key_count;
  for (size_t k = 0; k < nf; k++)
    order[k] = &m->keys[k];
  qsort(order, nf, sizeof *order, key_order);
  for (size_t r = 0; r < nf; r++)
    order[r]->record = (uint32_t)r;

  /* Points grouped by record, then by line: sort a copy in place. */
  ix->functions = calloc(nf + 1, sizeof *ix->functions);
  ix->files = calloc(nf + 1, sizeof *ix->files);
  ix->points = calloc(m->point_count + 1, sizeof *ix->points);
  merge_point_t *sorted = malloc((m->point_count + 1) * sizeof *sorted);
  if (diff) {
    ix->point_diffs = calloc(m->point_count + 1, sizeof *ix->point_diffs);
    ix->function_diffs = calloc(nf + 1, sizeof *ix->function_diffs);
  }
  if (!ix->functions || !ix->files || !ix->points || !sorted ||
      (diff && (!ix->point_diffs || !ix->function_diffs))) {
    free(order);
    free(sorted);
    return hx__fail(err, HX_ENOMEM, "out of memory for function records");
  }
  ix->function_count = nf;
  ix->point_count = m->point_count;
  for (size_t p = 0; p < m->point_count; p++)
    ix->functions[m->keys[m->points[p].key].record].point_count++;
  uint32_t next = 0;
  for (size_t r = 0; r < nf; r++) {
    ix->functions[r].first_point = next;
    next += ix->functions[r].point_count;
    ix->functions[r].point_count = 0;
  }
  for (size_t p = 0; p < m->point_count; p++) {
    hx_function_t *fn = &ix->functions[m->keys[m->points[p].key].record];
    sorted[fn->first_point + fn->point_count++] = m->points[p];
  }

  int rc = 0;
  size_t nfiles = 0;
  for (size_t r = 0; r < nf && rc == 0; r++) {
    const merge_key_t *k = order[r];
    hx_function_t *fn = &ix->functions[r];
    merge_point_t *mp = &sorted[fn->first_point];
    qsort(mp, fn->point_count, sizeof *mp, line_order);
    for (uint32_t j = 0; j < fn->point_count; j++) {
      hx_point_t *p = &ix->points[fn->first_point + j];
      p->flat = mp[j].flat[0];
      p->cum = mp[j].cum[0];
      p->line = mp[j].line;
      p->function = (uint32_t)r;
      if (diff) {
        hx_point_diff_t *pd = &ix->point_diffs[fn->first_point + j];
        pd->base_flat = scaled(mp[j].flat[1], scale);
        pd->base_cum = scaled(mp[j].cum[1], scale);
        pd->delta_flat = add_sat(p->flat, -pd->base_flat);
        pd->delta_cum = add_sat(p->cum, -pd->base_cum);
      }
    }
    fn->min_line = mp[0].line;
    fn->max_line = mp[fn->point_count - 1].line;
    fn->flat = k->flat[0];
    fn->cum = k->cum[0];
    if (diff) {
      hx_function_diff_t *fd = &ix->function_diffs[r];
      fd->base_flat = scaled(k->flat[1], scale);
      fd->base_cum = scaled(k->cum[1], scale);
      fd->delta_flat = add_sat(fn->flat, -fd->base_flat);
      fd->delta_cum = add_sat(fn->cum, -fd->base_cum);
    }
    /* The strings are the merger's, whose arena the index takes. */
    fn->package = k->package;
    fn->type = k->type;
    fn->name = k->name;
    fn->symbol = k->symbol;
    fn->display = k->display;
    if (r == 0 || strcmp(k->path, order[r - 1]->path) != 0) {
      hx_file_t *f = &ix->files[nfiles++];
      f->path = k->path;
      f->first_function = (uint32_t)r;
    }
    hx_file_t *f = &ix->files[nfiles - 1];
    f->function_count++;
    f->point_count += fn->point_count;
    fn->file = (uint32_t)(nfiles - 1);
  }
  ix->file_count = nfiles;
  free(order);
  free(sorted);
  if (rc < 0)
    return hx__fail(err, HX_ENOMEM, "out of memory for function records");
  return 0;
}

/* ---- the merger ---- */

void hx_combine_options_init(hx_combine_options_t *opts) {
  memset(opts, 0, sizeof *opts);
  opts->threshold = HX_DEFAULT_THRESHOLD;
  opts->local_scope = HX_LOCAL_FUNCTION;
}

static int check_options(hx_combine_options_t *o, hx_error_t *err) {
  if (o->threshold == 0)
    o->threshold = HX_DEFAULT_THRESHOLD;
  if (!(o->threshold > 0 && o->threshold <= 1))
    return hx__fail(err, HX_EINVAL, "threshold %g is not in (0, 1]",
                    o->threshold);
  if (o->local_scope != HX_LOCAL_FUNCTION && o->local_scope != HX_LOCAL_FILE)
    return hx__fail(err, HX_EINVAL, "unknown local scope %d",
                    (int)o->local_scope);
  return 0;
}

int hx_merger_new(const hx_combine_options_t *opts, hx_merger_t **out,
                  hx_error_t *err) {
  *out = NULL;
  hx_combine_options_t o;
  if (opts)
    o = *opts;
  else
    hx_combine_options_init(&o);
  int rc = check_options(&o, err);
  if (rc < 0)
    return rc;
  merger_t *m = calloc(1, sizeof *m);
  if (!m)
    return hx__fail(err, HX_ENOMEM, "out of memory");
  m->opts = o;
  hx__arena_init(&m->strings, 256 * 1024);
  m->key_mask = 1023;
  m->point_mask = 4095;
  m->key_table = calloc(m->key_mask + 1, sizeof *m->key_table);
  m->point_table = calloc(m->point_mask + 1, sizeof *m->point_table);
  m->point_ids = malloc((m->point_mask + 1) * sizeof *m->point_ids);
  if (!m->key_table || !m->point_table || !m->point_ids) {
    hx_merger_free(m);
    return hx__fail(err, HX_ENOMEM, "out of memory");
  }
  *out = m;
  return 0;
}

/* The merger's memory but its error, freed: a failed merger keeps none. */
static void release(merger_t *m) {
  free(m->keys);
  free(m->key_table);
  free(m->points);
  free(m->point_table);
  free(m->point_ids);
  free(m->sample_types);
  free(m->filenames);
  hx__arena_close(&m->strings);
  m->keys = NULL;
  m->key_table = NULL;
  m->points = NULL;
  m->point_table = NULL;
  m->point_ids = NULL;
  m->sample_types = NULL;
  m->filenames = NULL;
  m->key_count = m->point_count = m->filename_count = 0;
}

static int failed(merger_t *m, hx_error_t *err) {
  if (!m->failed) {
    m->failed = true;
    release(m);
  }
  if (err)
    *err = m->error;
  return m->error.code;
}

int hx_merger_add(hx_merger_t *m, const hx_index_t *ix, int base,
                  hx_error_t *err) {
  if (m->failed)
    return failed(m, err);
  int side = base ? 1 : 0;
  if (m->added[0] == 0 && side == 1) {
    hx__fail(&m->error, HX_EINVAL, "a base before any profile");
    return failed(m, err);
  }
  if (m->added[0] == 0 && keep_first(m, ix) < 0) {
    hx__fail(&m->error, HX_ENOMEM, "out of memory");
    return failed(m, err);
  }
  if (check_input(m, ix, side, &m->error) < 0)
    return failed(m, err);
  int64_t ns = ix->summary.ns_per_unit;
  if (ix->summary.unit_kind == HX_UNIT_TIME && ns < m->unit_ns) {
    rescale(m, m->unit_ns / ns); /* time units are powers of 1000 apart */
    m->unit_ns = ns;
  }
  int64_t scale = ix->summary.unit_kind == HX_UNIT_TIME ? ns / m->unit_ns : 1;
  if (add_index(m, ix, side, scale, &m->error) < 0 ||
      (unite_filenames(m, ix) < 0 &&
       hx__fail(&m->error, HX_ENOMEM, "out of memory") < 0))
    return failed(m, err);
  m->total[side] = add_sat(m->total[side], mul_sat(ix->summary.total, scale));
  if (side == 0)
    m->samples += ix->summary.samples;
  m->added[side]++;
  return 0;
}

/* The unit name of the finest time unit seen, or the first input's. */
static const char *unit_name(const merger_t *m) {
  if (m->first.unit_kind != HX_UNIT_TIME)
    return m->first_unit;
  switch (m->unit_ns) {
  case 1: return "nanoseconds";
  case 1000: return "microseconds";
  case 1000000: return "milliseconds";
  default: return "seconds";
  }
}

int hx_merger_finish(hx_merger_t *m, hx_index_t **out, hx_error_t *err) {
  *out = NULL;
  if (m->failed)
    return failed(m, err);
  if (m->added[0] == 0)
    return hx__fail(err, HX_EINVAL, "no profile to combine");
  bool diff = m->added[1] > 0;
  hx_index_t *ix = calloc(1, sizeof *ix);
  if (!ix) {
    hx__fail(&m->error, HX_ENOMEM, "out of memory");
    return failed(m, err);
  }
  hx_summary_t *s = &ix->summary;
  s->total = m->total[0];
  s->base_total_raw = diff ? m->total[1] : 0;
  s->base_scale = 1;
  if (diff && m->opts.normalize && s->base_total_raw > 0)
    s->base_scale = (double)s->total / (double)s->base_total_raw;
  s->base_total = diff ? scaled(s->base_total_raw, s->base_scale) : 0;
  /* The index takes the strings, the sample types and the file set. */
  ix->strings = m->strings;
  hx__arena_init(&m->strings, 1024);
  ix->sample_types = m->sample_types;
  ix->sample_type_count = m->sample_type_count;
  ix->filenames = m->filenames;
  ix->filename_count = m->filename_count;
  m->sample_types = NULL;
  m->filenames = NULL;
  m->filename_count = 0;
  const char *unit = unit_name(m);
  ix->sample_types[m->first.sample_type_index].unit = unit;
  int rc = lay_out(m, ix, diff, s->base_scale, &m->error);
  if (rc == 0) {
    s->sample_type_index = m->first.sample_type_index;
    s->sample_type = ix->sample_types[s->sample_type_index];
    s->unit_kind = m->first.unit_kind;
    s->ns_per_unit = m->first.unit_kind == HX_UNIT_TIME ? m->unit_ns : 0;
    s->samples = m->samples;
    s->files = ix->file_count;
    s->functions = ix->function_count;
    s->points = ix->point_count;
    s->go_symbols = m->first.go_symbols;
    s->threshold = m->opts.threshold;
    s->local_scope = m->opts.local_scope;
    s->reference_memory_approx = hx__memory_approx(ix);
    s->inputs = m->added[0];
    s->base_inputs = m->added[1];
    rc = hx__index_rank(ix, NULL, 0, &m->error);
  }
  if (rc < 0) {
    hx_index_free(ix);
    return failed(m, err);
  }
  /* Done: what is left is freed now; later calls fail. */
  hx__fail(&m->error, HX_EINVAL, "the merge is already finished");
  m->failed = true;
  release(m);
  *out = ix;
  return 0;
}

void hx_merger_free(hx_merger_t *m) {
  if (!m)
    return;
  release(m);
  free(m);
}

int hx_index_combine(const hx_index_t *const *inputs, size_t n_inputs,
                     const hx_index_t *const *bases, size_t n_bases,
                     const hx_combine_options_t *opts, hx_index_t **out,
                     size_t *culprit, hx_error_t *err) {
  *out = NULL;
  if (culprit)
    *culprit = SIZE_MAX;
  hx_merger_t *m;
  int rc = hx_merger_new(opts, &m, err);
  if (rc < 0)
    return rc;
  if (n_inputs == 0 || (n_bases > 0 && !bases)) {
    hx_merger_free(m);
    return hx__fail(err, HX_EINVAL, "no profile to combine");
  }
  for (size_t i = 0; i < n_inputs + n_bases && rc == 0; i++) {
    bool base = i >= n_inputs;
    rc = hx_merger_add(m, base ? bases[i - n_inputs] : inputs[i], base, err);
    if (rc < 0 && rc != HX_ENOMEM && culprit)
      *culprit = i;
  }
  if (rc == 0)
    rc = hx_merger_finish(m, out, err);
  hx_merger_free(m);
  return rc;
}

int hx_index_is_diff(const hx_index_t *ix) { return ix->point_diffs != NULL; }

const hx_point_diff_t *hx_index_point_diff(const hx_index_t *ix, size_t i) {
  return ix->point_diffs && i < ix->point_count ? &ix->point_diffs[i] : NULL;
}

const hx_function_diff_t *hx_index_function_diff(const hx_index_t *ix,
                                                 size_t i) {
  return ix->function_diffs && i < ix->function_count ? &ix->function_diffs[i]
                                                      : NULL;
}

size_t hx_index_top_changes(const hx_index_t *ix, size_t n, int improvements,
                            const uint32_t **ids) {
  *ids = NULL;
  if (!ix->point_diffs)
    return 0;
  size_t have =
      improvements ? ix->summary.improvements : ix->summary.regressions;
  *ids = improvements ? ix->global_order + (ix->point_count - have)
                      : ix->global_order;
  return n < have ? n : have;
}
