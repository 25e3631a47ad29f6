/*
 * merge.c: several indexes summed into one, and a diff of two sums
 * (hx_index_combine; docs/levels.md has the rules).
 *
 * Heat is a sum over samples, and pprof's merge only adds the values of
 * identical samples, so the index of a merged profile is the sum of the
 * inputs' indexes: points by (function key, line), functions by key. A key
 * keeps the path and symbol of the first input that has it, inputs first,
 * then bases. The result is then laid out and ranked like a loaded index.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define NO_ID UINT32_MAX

typedef struct merge_key {
  const hx_function_t *fn; /* of the first input with this key */
  const char *path;        /* that input's file path */
  hx_slice_t base;         /* Go: the path's base name; raw: the path */
  uint64_t hash;
  int64_t flat[2], cum[2]; /* new side, base side */
  uint32_t record;
} merge_key_t;

typedef struct merge_point {
  int64_t flat[2], cum[2];
  uint32_t key, line;
} merge_point_t;

typedef struct merger {
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
} merger_t;

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
  return a->hash == b->hash && strcmp(a->fn->name, b->fn->name) == 0 &&
         strcmp(a->fn->type, b->fn->type) == 0 &&
         strcmp(a->fn->package, b->fn->package) == 0 &&
         slice_eq(a->base, b->base);
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
  k.fn = fn;
  k.path = path;
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

static const hx_index_t *input_at(const hx_index_t *const *inputs,
                                  size_t n_inputs,
                                  const hx_index_t *const *bases, size_t i) {
  return i < n_inputs ? inputs[i] : bases[i - n_inputs];
}

static int check_inputs(const hx_index_t *const *inputs, size_t n_inputs,
                        const hx_index_t *const *bases, size_t n_bases,
                        int64_t *unit_ns, size_t *culprit, hx_error_t *err) {
  const hx_summary_t *first = &inputs[0]->summary;
  *unit_ns = 0; /* 0: every unit is the same string */
  for (size_t i = 0; i < n_inputs + n_bases; i++) {
    const hx_summary_t *s = &input_at(inputs, n_inputs, bases, i)->summary;
    const char *side = i < n_inputs ? "profile" : "base";
    if (strcmp(s->sample_type.type, first->sample_type.type) != 0) {
      *culprit = i;
      return hx__fail(err, HX_ESAMPLETYPE,
                      "this %s's sample type is %s/%s, the first profile's "
                      "%s/%s",
                      side, s->sample_type.type, s->sample_type.unit,
                      first->sample_type.type, first->sample_type.unit);
    }
    bool same = strcmp(s->sample_type.unit, first->sample_type.unit) == 0;
    bool times = s->unit_kind == HX_UNIT_TIME &&
                 first->unit_kind == HX_UNIT_TIME;
    if (!same && !times) {
      *culprit = i;
      return hx__fail(err, HX_ESAMPLETYPE,
                      "sample type %s is in %s in this %s but in %s in the "
                      "first profile",
                      s->sample_type.type, s->sample_type.unit, side,
                      first->sample_type.unit);
    }
    if (!same)
      *unit_ns = 1;
    if (s->go_symbols != first->go_symbols) {
      *culprit = i;
      return hx__fail(err, HX_EINVAL,
                      "this %s has %s symbols, the first profile %s ones "
                      "(choose the symbol rule)",
                      side, s->go_symbols ? "Go" : "raw",
                      first->go_symbols ? "Go" : "raw");
    }
  }
  if (*unit_ns) { /* the finest time unit of all */
    *unit_ns = first->ns_per_unit;
    for (size_t i = 0; i < n_inputs + n_bases; i++) {
      int64_t ns = input_at(inputs, n_inputs, bases, i)->summary.ns_per_unit;
      if (ns < *unit_ns)
        *unit_ns = ns;
    }
  }
  return 0;
}

/* ---- the result laid out as a loaded index ---- */

static int key_order(const void *pa, const void *pb) {
  const merge_key_t *a = *(const merge_key_t *const *)pa;
  const merge_key_t *b = *(const merge_key_t *const *)pb;
  int c = strcmp(a->path, b->path);
  if (!c)
    c = strcmp(a->fn->type, b->fn->type);
  if (!c)
    c = strcmp(a->fn->name, b->fn->name);
  if (!c)
    c = strcmp(a->fn->package, b->fn->package);
  return c;
}

static int line_order(const void *pa, const void *pb) {
  uint32_t a = ((const merge_point_t *)pa)->line;
  uint32_t b = ((const merge_point_t *)pb)->line;
  return a < b ? -1 : a > b;
}

static int str_order(const void *pa, const void *pb) {
  return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static char *dup(hx_index_t *ix, const char *s) {
  return hx__arena_strndup(&ix->strings, s, strlen(s));
}

/* The union of the inputs' file sets. */
static int unite_filenames(hx_index_t *ix, const hx_index_t *const *inputs,
                           size_t n_inputs, const hx_index_t *const *bases,
                           size_t n_bases) {
  size_t n = 0;
  for (size_t i = 0; i < n_inputs + n_bases; i++)
    n += input_at(inputs, n_inputs, bases, i)->filename_count;
  const char **all = malloc((n + 1) * sizeof *all);
  ix->filenames = malloc((n + 1) * sizeof *ix->filenames);
  if (!all || !ix->filenames) {
    free(all);
    return HX_ENOMEM;
  }
  n = 0;
  for (size_t i = 0; i < n_inputs + n_bases; i++) {
    const hx_index_t *in = input_at(inputs, n_inputs, bases, i);
    for (size_t j = 0; j < in->filename_count; j++)
      all[n++] = in->filenames[j];
  }
  qsort(all, n, sizeof *all, str_order);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (i && strcmp(all[i - 1], all[i]) == 0)
      continue;
    const char *copy = dup(ix, all[i]);
    if (!copy)
      rc = HX_ENOMEM;
    else
      ix->filenames[ix->filename_count++] = copy;
  }
  free(all);
  return rc;
}

/* round(v * scale), half away from zero, saturating. */
static int64_t scaled(int64_t v, double scale) {
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
    fn->package = dup(ix, k->fn->package);
    fn->type = dup(ix, k->fn->type);
    fn->name = dup(ix, k->fn->name);
    fn->symbol = dup(ix, k->fn->symbol);
    fn->display = dup(ix, k->fn->display);
    if (!fn->package || !fn->type || !fn->name || !fn->symbol ||
        !fn->display) {
      rc = HX_ENOMEM;
      break;
    }
    if (r == 0 || strcmp(k->path, order[r - 1]->path) != 0) {
      hx_file_t *f = &ix->files[nfiles++];
      f->path = dup(ix, k->path);
      f->first_function = (uint32_t)r;
      if (!f->path) {
        rc = HX_ENOMEM;
        break;
      }
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

static int copy_sample_types(hx_index_t *ix, const hx_index_t *first,
                             int64_t unit_ns) {
  ix->sample_types = calloc(first->sample_type_count + 1,
                            sizeof *ix->sample_types);
  if (!ix->sample_types)
    return HX_ENOMEM;
  ix->sample_type_count = first->sample_type_count;
  static const struct {
    int64_t ns;
    const char *unit;
  } times[] = {{1, "nanoseconds"}, {1000, "microseconds"},
               {1000000, "milliseconds"}, {1000000000, "seconds"}};
  for (size_t i = 0; i < first->sample_type_count; i++) {
    const char *unit = first->sample_types[i].unit;
    if (i == first->summary.sample_type_index && unit_ns)
      for (size_t t = 0; t < sizeof times / sizeof times[0]; t++)
        if (times[t].ns == unit_ns)
          unit = times[t].unit;
    ix->sample_types[i].type = dup(ix, first->sample_types[i].type);
    ix->sample_types[i].unit = dup(ix, unit);
    if (!ix->sample_types[i].type || !ix->sample_types[i].unit)
      return HX_ENOMEM;
  }
  return 0;
}

void hx_combine_options_init(hx_combine_options_t *opts) {
  memset(opts, 0, sizeof *opts);
  opts->threshold = HX_DEFAULT_THRESHOLD;
  opts->local_scope = HX_LOCAL_FUNCTION;
}

static void merger_close(merger_t *m) {
  free(m->keys);
  free(m->key_table);
  free(m->points);
  free(m->point_table);
  free(m->point_ids);
}

static int64_t side_total(const hx_index_t *const *ix, size_t n,
                          int64_t unit_ns) {
  int64_t total = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t scale = unit_ns ? ix[i]->summary.ns_per_unit / unit_ns : 1;
    total = add_sat(total, mul_sat(ix[i]->summary.total, scale));
  }
  return total;
}

static size_t side_samples(const hx_index_t *const *ix, size_t n) {
  size_t samples = 0;
  for (size_t i = 0; i < n; i++)
    samples += ix[i]->summary.samples;
  return samples;
}

int hx_index_combine(const hx_index_t *const *inputs, size_t n_inputs,
                     const hx_index_t *const *bases, size_t n_bases,
                     const hx_combine_options_t *opts_in, hx_index_t **out,
                     size_t *culprit, hx_error_t *err) {
  *out = NULL;
  size_t blame = SIZE_MAX;
  if (culprit)
    *culprit = SIZE_MAX;
  hx_combine_options_t opts;
  if (opts_in)
    opts = *opts_in;
  else
    hx_combine_options_init(&opts);
  if (opts.threshold == 0)
    opts.threshold = HX_DEFAULT_THRESHOLD;
  if (!(opts.threshold > 0 && opts.threshold <= 1))
    return hx__fail(err, HX_EINVAL, "threshold %g is not in (0, 1]",
                    opts.threshold);
  if (opts.local_scope != HX_LOCAL_FUNCTION &&
      opts.local_scope != HX_LOCAL_FILE)
    return hx__fail(err, HX_EINVAL, "unknown local scope %d",
                    (int)opts.local_scope);
  if (n_inputs == 0 || (n_bases > 0 && !bases))
    return hx__fail(err, HX_EINVAL, "no profile to combine");
  int64_t unit_ns;
  int rc = check_inputs(inputs, n_inputs, bases, n_bases, &unit_ns, &blame,
                        err);
  if (rc < 0) {
    if (culprit)
      *culprit = blame;
    return rc;
  }

  merger_t m;
  memset(&m, 0, sizeof m);
  m.go = inputs[0]->summary.go_symbols != 0;
  m.key_mask = 1023;
  m.point_mask = 4095;
  m.key_table = calloc(m.key_mask + 1, sizeof *m.key_table);
  m.point_table = calloc(m.point_mask + 1, sizeof *m.point_table);
  m.point_ids = malloc((m.point_mask + 1) * sizeof *m.point_ids);
  hx_index_t *ix = calloc(1, sizeof *ix);
  if (!m.key_table || !m.point_table || !m.point_ids || !ix) {
    merger_close(&m);
    free(ix);
    return hx__fail(err, HX_ENOMEM, "out of memory");
  }
  hx__arena_init(&ix->strings, 256 * 1024);
  for (size_t i = 0; i < n_inputs + n_bases && rc == 0; i++) {
    const hx_index_t *in = input_at(inputs, n_inputs, bases, i);
    int64_t scale = unit_ns ? in->summary.ns_per_unit / unit_ns : 1;
    rc = add_index(&m, in, i < n_inputs ? 0 : 1, scale, err);
  }
  bool diff = n_bases > 0;
  hx_summary_t *s = &ix->summary;
  s->total = side_total(inputs, n_inputs, unit_ns);
  s->base_total_raw = diff ? side_total(bases, n_bases, unit_ns) : 0;
  s->base_scale = 1;
  if (diff && opts.normalize && s->base_total_raw > 0)
    s->base_scale = (double)s->total / (double)s->base_total_raw;
  s->base_total = diff ? scaled(s->base_total_raw, s->base_scale) : 0;
  if (rc == 0)
    rc = lay_out(&m, ix, diff, s->base_scale, err);
  merger_close(&m);
  if (rc == 0 &&
      (unite_filenames(ix, inputs, n_inputs, bases, n_bases) < 0 ||
       copy_sample_types(ix, inputs[0], unit_ns) < 0))
    rc = hx__fail(err, HX_ENOMEM, "out of memory");
  if (rc == 0) {
    const hx_summary_t *first = &inputs[0]->summary;
    s->sample_type_index = first->sample_type_index;
    s->sample_type = ix->sample_types[s->sample_type_index];
    s->unit_kind = first->unit_kind;
    s->ns_per_unit = unit_ns ? unit_ns : first->ns_per_unit;
    s->samples = side_samples(inputs, n_inputs);
    s->files = ix->file_count;
    s->functions = ix->function_count;
    s->points = ix->point_count;
    s->go_symbols = first->go_symbols;
    s->threshold = opts.threshold;
    s->local_scope = opts.local_scope;
    s->reference_memory_approx = hx__memory_approx(ix);
    s->inputs = n_inputs;
    s->base_inputs = n_bases;
    rc = hx__index_rank(ix, err);
  }
  if (rc < 0) {
    hx_index_free(ix);
    return rc;
  }
  *out = ix;
  return 0;
}

int hx_index_is_diff(const hx_index_t *ix) { return ix->point_diffs != NULL; }

const hx_point_diff_t *hx_index_point_diff(const hx_index_t *ix, size_t i) {
  return ix->point_diffs && i < ix->point_count ? &ix->point_diffs[i] : NULL;
}

const hx_function_diff_t *hx_index_function_diff(const hx_index_t *ix,
                                                 size_t i) {
  return ix->function_diffs && i < ix->function_count
             ? &ix->function_diffs[i]
             : NULL;
}

size_t hx_index_top_changes(const hx_index_t *ix, size_t n, int improvements,
                            const uint32_t **ids) {
  *ids = NULL;
  if (!ix->point_diffs)
    return 0;
  size_t have = improvements ? ix->summary.improvements
                             : ix->summary.regressions;
  *ids = improvements ? ix->global_order + (ix->point_count - have)
                      : ix->global_order;
  return n < have ? n : have;
}
