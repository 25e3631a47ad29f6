/*
 * levels.c: ranking points and turning ranks into heat levels.
 *
 * One sort gives the global order: cum descending, then line descending
 * (perf-heatmap's greater()), then point index ascending. The last key is
 * heatls's own rule for full ties (equal cum and line in different
 * functions), where the reference's order comes from Go's unstable sort:
 * since points are laid out in function record order, the function that
 * sorts first by (file, type, name, package) ranks first.
 *
 * The sorts are radix sorts (radix.c): the keys fit in 96 bits, and a
 * comparison sort spent most of its time in the comparator's calls.
 *
 * Local levels need no sort of their own: restricted to one function (or
 * one file), the global order is exactly that function's greater() order,
 * so a walk over it with a counter per function hands out local ranks.
 */
#include "levels.h"
#include "internal.h"
#include "radix.h"

#include <stdlib.h>
#include <string.h>

size_t hx__top_n(size_t count, double threshold) {
  if (count == 0)
    return 0;
  /* A double multiply, as the reference does: 90 * 0.7 gives 62. */
  size_t n = (size_t)((double)count * threshold);
  if (n == 0)
    n = 1;
  return n > count ? count : n;
}

uint8_t hx__chunk_level(size_t rank, size_t n) {
  if (n < 5)
    return (uint8_t)(5 - rank);
  uint64_t chunk = (5 * ((uint64_t)rank + 1) + n - 1) / n; /* 1..5 */
  return (uint8_t)(6 - chunk);
}

static uint8_t level_of(size_t rank, size_t top) {
  return rank < top ? hx__chunk_level(rank, top) : 0;
}

/* A diff's point as one unsigned key, smallest first: the regressions
 * (d > 0) largest first, then the unchanged points, then the improvements
 * largest first (d most negative first). That is the order of (side, size
 * of the change descending), in one key: INT64_MAX - d for d >= 0 runs
 * from 0 to INT64_MAX, and a negative d read as unsigned from 2^63 (d =
 * INT64_MIN, the largest change) up. */
static uint64_t diff_key(int64_t d) {
  return d >= 0 ? (uint64_t)(INT64_MAX - d) : (uint64_t)d;
}

int hx__index_rank(hx_index_t *ix, void *spare, size_t spare_size,
                   hx_error_t *err) {
  size_t np = ix->point_count, nf = ix->function_count;
  size_t n = np > nf ? np : nf;
  /* The sorts' two arrays in the spare when it holds both (see
   * internal.h), else of their own. */
  bool in_spare = spare && spare_size / 2 / sizeof(hx_sort_item_t) >= n + 1;
  hx_sort_item_t *items = in_spare ? spare : malloc((n + 1) * sizeof *items);
  hx_sort_item_t *scratch =
      in_spare ? items + n + 1 : malloc((n + 1) * sizeof *scratch);
  ix->global_order = malloc((np + 1) * sizeof *ix->global_order);
  ix->line_order = malloc((np + 1) * sizeof *ix->line_order);
  ix->function_order = malloc((nf + 1) * sizeof *ix->function_order);
  ix->file_line_start = malloc((ix->file_count + 1) * sizeof(uint32_t));
  size_t counters = nf > ix->file_count ? nf : ix->file_count;
  ix->rank_counters = malloc((counters + 1) * sizeof *ix->rank_counters);
  if (ix->point_diffs) {
    ix->diff_counters = malloc((3 * counters + 1) * sizeof(uint32_t));
  } else {
    ix->point_rank = malloc((np + 1) * sizeof *ix->point_rank);
    ix->local_rank = malloc((np + 1) * sizeof *ix->local_rank);
  }
  int rc = 0;
  if (!items || !scratch || !ix->global_order || !ix->line_order ||
      !ix->function_order || !ix->file_line_start || !ix->rank_counters ||
      (ix->point_diffs ? !ix->diff_counters
                       : !ix->point_rank || !ix->local_rank)) {
    rc = hx__fail(err, HX_ENOMEM, "out of memory while ranking");
    goto done;
  }

  /* Points: cum descending (a diff: see diff_key), line descending, id
   * ascending (the sort is stable and the ids go in in order). */
  const hx_point_diff_t *pd = ix->point_diffs;
  for (size_t i = 0; i < np; i++) {
    const hx_point_t *p = &ix->points[i];
    items[i] = (hx_sort_item_t){pd ? diff_key(pd[i].delta_cum)
                                   : hx__key_signed_desc(p->cum),
                                ~p->line, (uint32_t)i};
  }
  const hx_sort_item_t *sorted = hx__radix_sort(items, scratch, np);
  for (size_t r = 0; r < np; r++)
    ix->global_order[r] = sorted[r].id;
  for (size_t r = 0; r < np && ix->point_rank; r++)
    ix->point_rank[sorted[r].id] = (uint32_t)r;

  /* Functions: cum descending, flat descending, id ascending (a diff: the
   * largest regressions first). Sorted by flat, then stably by cum. */
  const hx_function_diff_t *fd = ix->function_diffs;
  for (size_t i = 0; i < nf; i++) {
    int64_t flat = fd ? fd[i].delta_flat : ix->functions[i].flat;
    items[i] = (hx_sort_item_t){hx__key_signed_desc(flat), 0, (uint32_t)i};
  }
  hx_sort_item_t *by_flat = hx__radix_sort(items, scratch, nf);
  for (size_t i = 0; i < nf; i++) {
    uint32_t id = by_flat[i].id;
    by_flat[i].key =
        hx__key_signed_desc(fd ? fd[id].delta_cum : ix->functions[id].cum);
  }
  sorted = hx__radix_sort(by_flat, by_flat == items ? scratch : items, nf);
  for (size_t r = 0; r < nf; r++) {
    ix->function_order[r] = sorted[r].id;
    ix->functions[sorted[r].id].rank = (uint32_t)r;
  }

  /* A file's points are contiguous: its functions are, and so are theirs.
   * Each file's points by line, then rank: the points in rank order,
   * sorted stably by (file, line). The keys are laid out by id first, so
   * that the walk in rank order reads one array. */
  for (size_t f = 0; f < ix->file_count; f++) {
    const hx_file_t *file = &ix->files[f];
    ix->file_line_start[f] = ix->functions[file->first_function].first_point;
  }
  for (size_t i = 0; i < np; i++) {
    const hx_point_t *p = &ix->points[i];
    scratch[i].key = (uint64_t)ix->functions[p->function].file << 32 | p->line;
  }
  for (size_t r = 0; r < np; r++) {
    uint32_t id = ix->global_order[r];
    items[r] = (hx_sort_item_t){scratch[id].key, 0, id};
  }
  sorted = hx__radix_sort(items, scratch, np);
  uint32_t *placed = ix->rank_counters; /* per file, until the levels */
  memset(placed, 0, ix->file_count * sizeof *placed);
  for (size_t k = 0; k < np; k++) {
    uint32_t f = (uint32_t)(sorted[k].key >> 32);
    ix->line_order[ix->file_line_start[f] + placed[f]++] = sorted[k].id;
  }

  hx__index_apply_levels(ix,
                         ix->summary.threshold > 0 ? ix->summary.threshold
                                                   : HX_DEFAULT_THRESHOLD,
                         ix->summary.local_scope);
done:
  if (!in_spare) {
    free(items);
    free(scratch);
  }
  return rc;
}

/* A diff's signed levels (docs/levels.md): the global order holds the
 * regressions, the unchanged points, then the improvements, each ranked;
 * each side is leveled on its own, globally and in each local group. */
static void apply_diff_levels(hx_index_t *ix, double threshold, bool by_file) {
  size_t np = ix->point_count;
  size_t groups = by_file ? ix->file_count : ix->function_count;
  uint32_t *ups = ix->diff_counters, *downs = ups + groups;
  uint32_t *seen_down = downs + groups, *seen_up = ix->rank_counters;
  memset(ups, 0, 3 * groups * sizeof *ups);
  memset(seen_up, 0, groups * sizeof *seen_up);
  size_t n_up = 0, n_down = 0;
  for (size_t i = 0; i < np; i++) {
    const hx_function_t *fn = &ix->functions[ix->points[i].function];
    uint32_t group = by_file ? fn->file : ix->points[i].function;
    int64_t d = ix->point_diffs[i].delta_cum;
    if (d > 0) {
      ups[group]++;
      n_up++;
    } else if (d < 0) {
      downs[group]++;
      n_down++;
    }
  }
  size_t top_up = hx__top_n(n_up, threshold);
  size_t top_down = hx__top_n(n_down, threshold);
  for (size_t r = 0; r < np; r++) {
    uint32_t id = ix->global_order[r];
    hx_point_t *p = &ix->points[id];
    hx_point_diff_t *pd = &ix->point_diffs[id];
    const hx_function_t *fn = &ix->functions[p->function];
    uint32_t group = by_file ? fn->file : p->function;
    pd->local = pd->global = 0;
    if (pd->delta_cum > 0) {
      pd->global = (int8_t)level_of(r, top_up);
      pd->local =
          (int8_t)level_of(seen_up[group]++, hx__top_n(ups[group], threshold));
    } else if (pd->delta_cum < 0) {
      pd->global = (int8_t)-level_of(r - (np - n_down), top_down);
      pd->local = (int8_t)-level_of(seen_down[group]++,
                                    hx__top_n(downs[group], threshold));
    }
    p->global = (uint8_t)(pd->global > 0 ? pd->global : 0);
    p->local = (uint8_t)(pd->local > 0 ? pd->local : 0);
  }
  ix->summary.regressions = n_up;
  ix->summary.improvements = n_down;
  for (size_t i = 0; i < ix->function_count; i++) {
    const hx_function_t *fn = &ix->functions[i];
    hx_function_diff_t *fd = &ix->function_diffs[i];
    fd->min_local = fd->min_global = 0;
    for (uint32_t j = 0; j < fn->point_count; j++) {
      const hx_point_diff_t *pd = &ix->point_diffs[fn->first_point + j];
      if (pd->local < fd->min_local)
        fd->min_local = pd->local;
      if (pd->global < fd->min_global)
        fd->min_global = pd->global;
    }
  }
}

/* Each function's and file's highest levels, from its points'. */
static void set_highest_levels(hx_index_t *ix) {
  for (size_t f = 0; f < ix->file_count; f++)
    ix->files[f].max_local = ix->files[f].max_global = 0;
  for (size_t i = 0; i < ix->function_count; i++) {
    hx_function_t *fn = &ix->functions[i];
    fn->max_local = fn->max_global = 0;
    for (uint32_t j = 0; j < fn->point_count; j++) {
      const hx_point_t *p = &ix->points[fn->first_point + j];
      if (p->local > fn->max_local)
        fn->max_local = p->local;
      if (p->global > fn->max_global)
        fn->max_global = p->global;
    }
    hx_file_t *file = &ix->files[fn->file];
    if (fn->max_local > file->max_local)
      file->max_local = fn->max_local;
    if (fn->max_global > file->max_global)
      file->max_global = fn->max_global;
  }
}

/* Each point's rank among its group's points (its function's or its
 * file's) into local_rank: the group of each point first, then a walk in
 * rank order that counts per group. */
static void rank_locally(hx_index_t *ix, hx_local_scope_t scope) {
  bool by_file = scope == HX_LOCAL_FILE;
  uint32_t *local = ix->local_rank, *seen = ix->rank_counters;
  size_t groups = by_file ? ix->file_count : ix->function_count;
  memset(seen, 0, groups * sizeof *seen);
  for (size_t i = 0; i < ix->function_count; i++) {
    const hx_function_t *fn = &ix->functions[i];
    uint32_t group = by_file ? fn->file : (uint32_t)i;
    for (uint32_t j = 0; j < fn->point_count; j++)
      local[fn->first_point + j] = group;
  }
  for (size_t r = 0; r < ix->point_count; r++) {
    uint32_t id = ix->global_order[r];
    local[id] = seen[local[id]]++;
  }
  ix->local_rank_scope = scope;
  ix->local_ranked = true;
}

/* Levels from the ranks, and each function's and file's highest, in one
 * pass over the points in memory order. */
static void apply_point_levels(hx_index_t *ix, double threshold,
                               hx_local_scope_t scope) {
  if (!ix->local_ranked || ix->local_rank_scope != scope)
    rank_locally(ix, scope);
  bool by_file = scope == HX_LOCAL_FILE;
  size_t top = hx__top_n(ix->point_count, threshold);
  for (size_t f = 0; f < ix->file_count; f++)
    ix->files[f].max_local = ix->files[f].max_global = 0;
  for (size_t i = 0; i < ix->function_count; i++) {
    hx_function_t *fn = &ix->functions[i];
    hx_file_t *file = &ix->files[fn->file];
    size_t local_top =
        hx__top_n(by_file ? file->point_count : fn->point_count, threshold);
    uint8_t max_local = 0, max_global = 0;
    for (uint32_t j = 0; j < fn->point_count; j++) {
      uint32_t id = fn->first_point + j;
      hx_point_t *p = &ix->points[id];
      p->global = level_of(ix->point_rank[id], top);
      p->local = level_of(ix->local_rank[id], local_top);
      if (p->local > max_local)
        max_local = p->local;
      if (p->global > max_global)
        max_global = p->global;
    }
    fn->max_local = max_local;
    fn->max_global = max_global;
    if (max_local > file->max_local)
      file->max_local = max_local;
    if (max_global > file->max_global)
      file->max_global = max_global;
  }
}

void hx__index_apply_levels(hx_index_t *ix, double threshold,
                            hx_local_scope_t scope) {
  if (ix->point_diffs) {
    apply_diff_levels(ix, threshold, scope == HX_LOCAL_FILE);
    set_highest_levels(ix);
  } else {
    apply_point_levels(ix, threshold, scope);
  }
  ix->summary.threshold = threshold;
  ix->summary.local_scope = scope;
}
