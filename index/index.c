/*
 * index.c: the index's life cycle: options, the load (a loader the
 * caller pushes the profile's bytes into), relevel, free.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void hx_options_init(hx_options_t *opts) {
  memset(opts, 0, sizeof *opts);
  opts->threshold = HX_DEFAULT_THRESHOLD;
  opts->local_scope = HX_LOCAL_FUNCTION;
  opts->symbols = HX_SYMBOLS_AUTO;
  opts->max_decompressed = HX_DEFAULT_MAX_DECOMPRESSED;
}

/* perf-heatmap's rule: 0 means the default; otherwise (0, 1]. */
static int check_threshold(double *threshold, hx_error_t *err) {
  if (*threshold == 0)
    *threshold = HX_DEFAULT_THRESHOLD;
  if (!(*threshold > 0 && *threshold <= 1))
    return hx__fail(err, HX_EINVAL, "threshold %g is not in (0, 1]",
                    *threshold);
  return 0;
}

static int check_options(const hx_options_t *in, hx_options_t *out,
                         hx_error_t *err) {
  if (in)
    *out = *in;
  else
    hx_options_init(out);
  if (out->max_decompressed == 0)
    out->max_decompressed = HX_DEFAULT_MAX_DECOMPRESSED;
  if (out->local_scope != HX_LOCAL_FUNCTION &&
      out->local_scope != HX_LOCAL_FILE)
    return hx__fail(err, HX_EINVAL, "unknown local scope %d",
                    (int)out->local_scope);
  if (out->symbols != HX_SYMBOLS_AUTO && out->symbols != HX_SYMBOLS_GO &&
      out->symbols != HX_SYMBOLS_RAW)
    return hx__fail(err, HX_EINVAL, "unknown symbol rule %d",
                    (int)out->symbols);
  if (out->walk_threads > 2)
    return hx__fail(err, HX_EINVAL, "unknown walk thread count %u",
                    out->walk_threads);
  return check_threshold(&out->threshold, err);
}

/* ---- a load in progress ---- */

typedef enum loader_state {
  LOADER_FEEDING,
  LOADER_FAILED, /* error holds the failure, returned by every later call */
  LOADER_DONE    /* hx_loader_finish built the index */
} loader_state_t;

struct hx_loader {
  loader_state_t state;
  hx_error_t error;
  hx_options_t opts; /* checked; sample_type points to sample_type_copy */
  hx_raw_t raw;
  hx_decoder_t *decoder;
  hx_input_t *input;
  char sample_type_copy[]; /* empty when opts.sample_type is NULL */
};

/* Frees what the load holds, keeping the loader itself. */
static void release(hx_loader_t *l) {
  hx__input_free(l->input);
  hx__decoder_free(l->decoder);
  hx__raw_close(&l->raw);
  l->input = NULL;
  l->decoder = NULL;
}

/* The loader's failure (l->error) as the caller's, for this call and every
 * later one. */
static int failed(hx_loader_t *l, hx_error_t *err) {
  if (l->state != LOADER_FAILED) {
    l->state = LOADER_FAILED;
    release(l); /* a failed load keeps no memory until it is freed */
  }
  if (err)
    *err = l->error;
  return l->error.code;
}

int hx_loader_new(const hx_options_t *in, hx_loader_t **out, hx_error_t *err) {
  *out = NULL;
  hx_options_t opts;
  int rc = check_options(in, &opts, err);
  if (rc < 0)
    return rc;
  size_t name_size = opts.sample_type ? strlen(opts.sample_type) + 1 : 1;
  hx_loader_t *l = calloc(1, sizeof *l + name_size);
  if (!l)
    return hx__fail(err, HX_ENOMEM, "out of memory");
  if (opts.sample_type) {
    memcpy(l->sample_type_copy, opts.sample_type, name_size);
    opts.sample_type = l->sample_type_copy;
  }
  l->opts = opts;
  if ((rc = hx__decoder_new(&l->raw, &l->decoder, err)) < 0 ||
      (rc = hx__input_new(opts.max_decompressed, l->decoder, &l->input, err)) <
          0) {
    hx_loader_free(l);
    return rc;
  }
  *out = l;
  return 0;
}

static int finished(hx_error_t *err) {
  return hx__fail(err, HX_EINVAL, "the load is already finished");
}

/* Whether l takes data[0..size) now: 0, or the reason it does not. */
static int check_feed(hx_loader_t *l, const void *data, size_t size,
                      hx_error_t *err) {
  if (l->state == LOADER_FAILED)
    return failed(l, err);
  if (l->state == LOADER_DONE)
    return finished(err);
  if (size > 0 && !data)
    return hx__fail(err, HX_EINVAL, "no data for %zu bytes", size);
  return 0;
}

int hx_loader_feed(hx_loader_t *l, const void *data, size_t size,
                   hx_error_t *err) {
  int rc = check_feed(l, data, size, err);
  if (rc < 0)
    return rc;
  if (hx__input_feed(l->input, data, size, &l->error) < 0)
    return failed(l, err);
  return 0;
}

int hx_loader_finish(hx_loader_t *l, hx_index_t **out, hx_error_t *err) {
  *out = NULL;
  if (l->state == LOADER_FAILED)
    return failed(l, err);
  if (l->state == LOADER_DONE)
    return finished(err);
  int rc = hx__input_finish(l->input, &l->error);
  hx__input_free(l->input);
  l->input = NULL;
  if (rc == 0)
    rc = hx__decoder_finish(l->decoder, &l->error);
  hx__decoder_free(l->decoder);
  l->decoder = NULL;
  if (rc == 0)
    rc = hx__index_build(&l->raw, &l->opts, out, &l->error);
  if (rc < 0)
    return failed(l, err);
  release(l);
  l->state = LOADER_DONE;
  return 0;
}

void hx_loader_free(hx_loader_t *l) {
  if (!l)
    return;
  release(l);
  free(l);
}

int hx_index_load_buffer(const void *data, size_t size,
                         const hx_options_t *opts, hx_index_t **out,
                         hx_error_t *err) {
  *out = NULL;
  hx_loader_t *l;
  int rc = hx_loader_new(opts, &l, err);
  if (rc < 0)
    return rc;
  if ((rc = hx_loader_feed(l, data, size, err)) == 0)
    rc = hx_loader_finish(l, out, err);
  hx_loader_free(l);
  return rc;
}

int hx_index_relevel(hx_index_t *index, double threshold,
                     hx_local_scope_t scope, hx_error_t *err) {
  int rc = check_threshold(&threshold, err);
  if (rc < 0)
    return rc;
  if (scope != HX_LOCAL_FUNCTION && scope != HX_LOCAL_FILE)
    return hx__fail(err, HX_EINVAL, "unknown local scope %d", (int)scope);
  hx__index_apply_levels(index, threshold, scope);
  return 0;
}

void hx_index_free(hx_index_t *index) {
  if (!index)
    return;
  hx__arena_close(&index->strings);
  free(index->sample_types);
  free(index->files);
  free(index->functions);
  free(index->points);
  free(index->global_order);
  free(index->function_order);
  free(index->line_order);
  free(index->file_line_start);
  free(index->rank_counters);
  free(index->point_rank);
  free(index->local_rank);
  free(index->filenames);
  free(index->point_diffs);
  free(index->function_diffs);
  free(index->diff_counters);
  free(index);
}
