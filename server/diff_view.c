/*
 * diff_view.c: which point a line shows and its hint (diff_view.h).
 */
#include "diff_view.h"

#include "format.h"

#include <stdio.h>
#include <stdlib.h>

static int64_t magnitude(int64_t v) { return v < 0 ? -v : v; }

size_t srv_view_line_anno(const hx_index_t *index, const srv_anno_t *annos,
                          size_t first, size_t n) {
  if (!hx_index_is_diff(index))
    return first; /* annotations of a line come hottest first */
  size_t best = first;
  const hx_point_diff_t *b = hx_index_point_diff(index, annos[first].point);
  for (size_t i = first + 1; i < first + n; i++) {
    const hx_point_diff_t *d = hx_index_point_diff(index, annos[i].point);
    int level = abs(d->global), best_level = abs(b->global);
    if (level > best_level ||
        (level == best_level &&
         magnitude(d->delta_cum) > magnitude(b->delta_cum))) {
      best = i;
      b = d;
    }
  }
  return best;
}

size_t srv_view_line_run(const srv_anno_t *annos, size_t count, size_t first) {
  size_t n = 1;
  while (first + n < count && annos[first + n].line == annos[first].line)
    n++;
  return n;
}

void srv_view_levels(const hx_index_t *index, size_t point, int *local,
                     int *global) {
  const hx_point_diff_t *d = hx_index_point_diff(index, point);
  const hx_point_t *p = hx_index_point(index, point);
  *local = d ? d->local : p->local;
  *global = d ? d->global : p->global;
}

/* A level as the hint writes it: "5" for one profile; "+3", "-2", "0" in
 * a diff. */
static void level_text(char *buf, size_t size, int level, int diff) {
  snprintf(buf, size, diff && level ? "%+d" : "%d", level);
}

int srv_view_hint(const hx_index_t *index, size_t point, srv_hints_t mode,
                  char *buf, size_t size) {
  const hx_summary_t *sum = hx_index_summary(index);
  const hx_point_t *p = hx_index_point(index, point);
  const hx_point_diff_t *d = hx_index_point_diff(index, point);
  int local, global;
  srv_view_levels(index, point, &local, &global);
  char value[112], g[8], l[8];
  if (d) {
    char delta[64], own[32];
    fmt_signed_value(delta, sizeof delta, d->delta_cum, sum);
    fmt_own_change(own, sizeof own, p->cum, d->base_cum);
    snprintf(value, sizeof value, "%s (%s)", delta, own);
  } else {
    fmt_value(value, sizeof value, p->cum, sum);
  }
  level_text(g, sizeof g, global, d != NULL);
  level_text(l, sizeof l, local, d != NULL);
  switch (mode) {
  case SRV_HINTS_BOTH:
    if (!global && !local)
      return 0;
    snprintf(buf, size, "G%s L%s \xc2\xb7 %s", g, l, value);
    return 1;
  case SRV_HINTS_GLOBAL:
    if (!global)
      return 0;
    snprintf(buf, size, "G%s \xc2\xb7 %s", g, value);
    return 1;
  case SRV_HINTS_LOCAL:
    if (!local)
      return 0;
    snprintf(buf, size, "L%s \xc2\xb7 %s", l, value);
    return 1;
  default: return 0;
  }
}
