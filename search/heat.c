/*
 * heat.c: the heat of a range of lines, from the index's public API. Every
 * point of the profile on a line counts, whichever function it belongs to
 * (closures, inlined calls and declarations included): a line's levels are
 * the highest of its points', its values those of its hottest point. The
 * hottest line of the range decides: by the level in use, then cum, then
 * the earliest line.
 */
#include "internal.h"

static int level_of(const hs_heat_t *heat, const hs_line_heat_t *l) {
  return heat->local ? l->local : l->global;
}

static bool hotter(const hs_heat_t *heat, const hs_line_heat_t *a,
                   const hs_line_heat_t *b) {
  if (b->line == 0)
    return a->line != 0;
  if (level_of(heat, a) != level_of(heat, b))
    return level_of(heat, a) > level_of(heat, b);
  return a->cum > b->cum;
}

int hs_heat_range(const hs_heat_t *heat, long file, uint32_t first,
                  uint32_t last, hs_line_heat_t *out) {
  hs_line_heat_t best = {0, 0, 0, 0, 0}, cur = {0, 0, 0, 0, 0};
  if (heat != NULL && heat->index != NULL && file >= 0 &&
      (size_t)file < hx_index_file_count(heat->index) && first > 0 &&
      last >= first) {
    const uint32_t *ids = NULL;
    size_t n =
        hx_index_file_lines(heat->index, (size_t)file, first, last, &ids);
    for (size_t i = 0; i <= n; i++) {
      const hx_point_t *p = i < n ? hx_index_point(heat->index, ids[i]) : NULL;
      if (p == NULL || p->line != cur.line) {
        if (cur.line != 0 && hotter(heat, &cur, &best))
          best = cur;
        if (p == NULL)
          break;
        cur = (hs_line_heat_t){p->line, p->global, p->local, p->cum, p->flat};
        continue;
      }
      if (p->global > cur.global)
        cur.global = p->global;
      if (p->local > cur.local)
        cur.local = p->local;
      if (p->cum > cur.cum) {
        cur.cum = p->cum;
        cur.flat = p->flat;
      }
    }
  }
  if (out)
    *out = best;
  return heat != NULL && best.line != 0 &&
         level_of(heat, &best) >= heat->min_level;
}
