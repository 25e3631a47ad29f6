/*
 * index.c: the index's life cycle: options, load, relevel, free.
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
  return check_threshold(&out->threshold, err);
}

/* Decodes the stream, builds the index, closes the stream. */
static int build_from(hx_stream_t *stream, const hx_options_t *opts,
                      hx_index_t **out, hx_error_t *err) {
  hx_raw_t raw;
  memset(&raw, 0, sizeof raw);
  int rc = hx__raw_decode(&raw, stream, err);
  hx__stream_close(stream);
  if (rc == 0)
    rc = hx__index_build(&raw, opts, out, err);
  hx__raw_close(&raw);
  return rc;
}

int hx_index_load_file(const char *path, const hx_options_t *in,
                       hx_index_t **out, hx_error_t *err) {
  *out = NULL;
  hx_options_t opts;
  hx_stream_t *stream;
  int rc = check_options(in, &opts, err);
  if (rc == 0)
    rc = hx__stream_open_file(path, opts.max_decompressed, &stream, err);
  return rc < 0 ? rc : build_from(stream, &opts, out, err);
}

int hx_index_load_buffer(const void *data, size_t size,
                         const hx_options_t *in, hx_index_t **out,
                         hx_error_t *err) {
  *out = NULL;
  hx_options_t opts;
  hx_stream_t *stream;
  int rc = check_options(in, &opts, err);
  if (rc == 0)
    rc = hx__stream_open_buffer(data, size, opts.max_decompressed, &stream,
                                err);
  return rc < 0 ? rc : build_from(stream, &opts, out, err);
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
  free(index);
}
