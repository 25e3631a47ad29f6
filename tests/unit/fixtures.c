/*
 * fixtures.c: profiles and helpers shared by the index unit tests.
 */
#include "fixtures.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pb_builder_t *fx_go_cpu_builder(void) {
  pb_builder_t *b = pb_builder_new();
  if (!b)
    return NULL;
  pb_add_sample_type(b, "samples", "count");
  pb_add_sample_type(b, "cpu", "nanoseconds");
  return b;
}

void fx_cpu_stack(pb_builder_t *b, size_t n, const uint64_t *locs,
                  int64_t ms) {
  int64_t values[2] = {1, ms * FX_MS};
  pb_add_sample(b, n, locs, 2, values);
}

void fx_cpu_sample(pb_builder_t *b, uint64_t function, int64_t line,
                   int64_t ms) {
  uint64_t loc = pb_add_frame(b, function, line);
  fx_cpu_stack(b, 1, &loc, ms);
}

int fx_worked_example(int gzip, uint8_t **buf, size_t *len) {
  pb_builder_t *b = fx_go_cpu_builder();
  if (!b)
    return -1;
  uint64_t a = pb_add_function(b, "main.A", "/src/a.go");
  uint64_t fb = pb_add_function(b, "main.B", "/src/b.go");
  static const struct {
    int in_b;
    int64_t line, ms;
  } samples[] = {
      {0, 10, 100}, {0, 10, 200}, {0, 13, 200}, {1, 40, 100}, {1, 40, 300},
      {1, 40, 400}, {1, 49, 100}, {1, 49, 100}, {1, 50, 500}, {1, 51, 100},
  };
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
    fx_cpu_sample(b, samples[i].in_b ? fb : a, samples[i].line, samples[i].ms);
  int rc = pb_build_bytes(b, gzip, buf, len);
  pb_builder_free(b);
  return rc;
}

int fx_load(pb_builder_t *b, const hx_options_t *opts, hx_index_t **out,
            hx_error_t *err) {
  uint8_t *buf;
  size_t len;
  *out = NULL;
  if (!b || pb_build_bytes(b, 0, &buf, &len) != 0)
    return -100;
  hx_options_t defaults;
  if (!opts) {
    hx_options_init(&defaults);
    opts = &defaults;
  }
  int rc = hx_index_load_buffer(buf, len, opts, out, err);
  free(buf);
  return rc;
}

int fx_has_word(const char *text, const char *word) {
  size_t n = strlen(word);
  for (; *text; text++) {
    size_t i = 0;
    while (i < n && text[i] &&
           tolower((unsigned char)text[i]) == tolower((unsigned char)word[i]))
      i++;
    if (i == n)
      return 1;
  }
  return 0;
}

long fx_point(const hx_index_t *index, const char *path, uint32_t line) {
  long file = hx_index_find_file(index, path);
  return file < 0 ? -1 : hx_index_line(index, (size_t)file, line);
}

long fx_function(const hx_index_t *index, const char *display) {
  for (size_t i = 0; i < hx_index_function_count(index); i++)
    if (strcmp(hx_index_function(index, i)->display, display) == 0)
      return (long)i;
  return -1;
}

typedef struct dump {
  uint8_t *p;
  size_t len, cap;
  int failed;
} dump_t;

static void put(dump_t *d, const void *p, size_t n) {
  if (d->failed)
    return;
  if (d->len + n > d->cap) {
    size_t cap = d->cap ? d->cap : 4096;
    while (cap < d->len + n)
      cap *= 2;
    uint8_t *bigger = realloc(d->p, cap);
    if (!bigger) {
      d->failed = 1;
      return;
    }
    d->p = bigger;
    d->cap = cap;
  }
  memcpy(d->p + d->len, p, n);
  d->len += n;
}
static void put_u64(dump_t *d, uint64_t v) { put(d, &v, sizeof v); }
static void put_str(dump_t *d, const char *s) {
  put(d, s ? s : "(null)", strlen(s ? s : "(null)") + 1);
}
static void put_ids(dump_t *d, const uint32_t *ids, size_t n) {
  put_u64(d, n);
  if (n)
    put(d, ids, n * sizeof *ids);
}

int fx_index_dump(const hx_index_t *ix, uint8_t **out, size_t *len) {
  dump_t d = {0};
  const hx_summary_t *s = hx_index_summary(ix);
  put_str(&d, s->sample_type.type);
  put_str(&d, s->sample_type.unit);
  put_u64(&d, s->sample_type_index);
  put_u64(&d, (uint64_t)s->unit_kind);
  put_u64(&d, (uint64_t)s->ns_per_unit);
  put_u64(&d, (uint64_t)s->total);
  put_u64(&d, s->samples);
  put_u64(&d, s->files);
  put_u64(&d, s->functions);
  put_u64(&d, s->points);
  put_u64(&d, (uint64_t)s->go_symbols);
  put(&d, &s->threshold, sizeof s->threshold);
  put_u64(&d, (uint64_t)s->local_scope);
  put_u64(&d, s->reference_memory_approx);
  for (size_t i = 0; i < hx_index_sample_type_count(ix); i++) {
    put_str(&d, hx_index_sample_type(ix, i)->type);
    put_str(&d, hx_index_sample_type(ix, i)->unit);
  }
  for (size_t i = 0; i < hx_index_point_count(ix); i++) {
    const hx_point_t *p = hx_index_point(ix, i);
    put_u64(&d, (uint64_t)p->flat);
    put_u64(&d, (uint64_t)p->cum);
    put_u64(&d, ((uint64_t)p->line << 32) | p->function);
    put_u64(&d, ((uint64_t)p->local << 8) | p->global);
  }
  for (size_t i = 0; i < hx_index_function_count(ix); i++) {
    const hx_function_t *f = hx_index_function(ix, i);
    put_str(&d, f->package);
    put_str(&d, f->type);
    put_str(&d, f->name);
    put_str(&d, f->display);
    put_str(&d, f->symbol);
    put_u64(&d, ((uint64_t)f->file << 32) | f->first_point);
    put_u64(&d, ((uint64_t)f->point_count << 32) | f->rank);
    put_u64(&d, ((uint64_t)f->min_line << 32) | f->max_line);
    put_u64(&d, ((uint64_t)f->max_local << 8) | f->max_global);
    put_u64(&d, (uint64_t)f->flat);
    put_u64(&d, (uint64_t)f->cum);
  }
  for (size_t i = 0; i < hx_index_file_count(ix); i++) {
    const hx_file_t *f = hx_index_file(ix, i);
    const uint32_t *ids;
    put_str(&d, f->path);
    put_u64(&d, ((uint64_t)f->first_function << 32) | f->function_count);
    put_u64(&d, ((uint64_t)f->point_count << 16) |
                    ((uint64_t)f->max_local << 8) | f->max_global);
    size_t n = hx_index_file_lines(ix, i, 0, UINT32_MAX, &ids);
    put_ids(&d, ids, n);
  }
  const uint32_t *ids;
  size_t n = hx_index_top(ix, SIZE_MAX, &ids);
  put_ids(&d, ids, n);
  n = hx_index_top_functions(ix, SIZE_MAX, &ids);
  put_ids(&d, ids, n);
  if (d.failed) {
    free(d.p);
    return -1;
  }
  *out = d.p;
  *len = d.len;
  return 0;
}

int fx_read_file(const char *path, uint8_t **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  dump_t d = {0};
  uint8_t chunk[65536];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    put(&d, chunk, got);
  int bad = ferror(f) || d.failed;
  fclose(f);
  if (bad) {
    free(d.p);
    return -1;
  }
  *out = d.p;
  *len = d.len;
  return 0;
}

int fx_outcome_set(fx_outcome_t *o, int rc, hx_index_t *index,
                   const hx_error_t *err) {
  memset(o, 0, sizeof *o);
  o->rc = rc;
  int dumped = 0;
  if (rc == 0 && index)
    dumped = fx_index_dump(index, &o->dump, &o->dump_len);
  else if (rc != 0 && err)
    snprintf(o->message, sizeof o->message, "%s", err->message);
  hx_index_free(index);
  return dumped;
}

void fx_outcome_free(fx_outcome_t *o) {
  free(o->dump);
  memset(o, 0, sizeof *o);
}
