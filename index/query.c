/*
 * query.c: read-only lookups on a finished index.
 */
#include "internal.h"

#include <string.h>

const hx_summary_t *hx_index_summary(const hx_index_t *ix) {
  return &ix->summary;
}

size_t hx_index_sample_type_count(const hx_index_t *ix) {
  return ix->sample_type_count;
}

const hx_sample_type_t *hx_index_sample_type(const hx_index_t *ix, size_t i) {
  return i < ix->sample_type_count ? &ix->sample_types[i] : NULL;
}

size_t hx_index_file_count(const hx_index_t *ix) { return ix->file_count; }

const hx_file_t *hx_index_file(const hx_index_t *ix, size_t i) {
  return i < ix->file_count ? &ix->files[i] : NULL;
}

size_t hx_index_function_count(const hx_index_t *ix) {
  return ix->function_count;
}

const hx_function_t *hx_index_function(const hx_index_t *ix, size_t i) {
  return i < ix->function_count ? &ix->functions[i] : NULL;
}

size_t hx_index_point_count(const hx_index_t *ix) { return ix->point_count; }

const hx_point_t *hx_index_point(const hx_index_t *ix, size_t i) {
  return i < ix->point_count ? &ix->points[i] : NULL;
}

long hx_index_find_file(const hx_index_t *ix, const char *path) {
  size_t lo = 0, hi = ix->file_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(ix->files[mid].path, path);
    if (c == 0)
      return (long)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

/* The first position in the file's line order whose line is >= line. */
static size_t lower_bound(const hx_index_t *ix, const uint32_t *order,
                          size_t n, uint32_t line) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ix->points[order[mid]].line < line)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

size_t hx_index_file_lines(const hx_index_t *ix, size_t file, uint32_t from,
                           uint32_t to, const uint32_t **ids) {
  *ids = NULL;
  if (file >= ix->file_count || from > to)
    return 0;
  const uint32_t *order = ix->line_order + ix->file_line_start[file];
  size_t n = ix->files[file].point_count;
  size_t first = lower_bound(ix, order, n, from);
  size_t last = first;
  if (to == UINT32_MAX)
    last = n;
  else
    last = lower_bound(ix, order, n, to + 1);
  if (last <= first)
    return 0;
  *ids = order + first;
  return last - first;
}

long hx_index_line(const hx_index_t *ix, size_t file, uint32_t line) {
  const uint32_t *ids;
  return hx_index_file_lines(ix, file, line, line, &ids) ? (long)ids[0] : -1;
}

size_t hx_index_top(const hx_index_t *ix, size_t n, const uint32_t **ids) {
  *ids = ix->global_order;
  return n < ix->point_count ? n : ix->point_count;
}

size_t hx_index_top_functions(const hx_index_t *ix, size_t n,
                              const uint32_t **ids) {
  *ids = ix->function_order;
  return n < ix->function_count ? n : ix->function_count;
}
