/*
 * diff_view.c: which point a line shows and its hint (diff_view.h).
 */
#include "diff_view.h"

#include "format.h"
#include "text_buf.h"

#include <stdbool.h>
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
/* A level: "-3" or "+2" in a diff, "2" otherwise. */
static void put_level(text_buf_t *t, int level, int diff) {
  if (diff && level > 0)
    text_buf_char(t, '+');
  text_buf_i64(t, level);
}

/* The label is put together piece by piece: hints are written for a whole
 * document at each scroll, and printf's format parsing cost most of it. */
int srv_view_hint(const hx_index_t *index, size_t point, srv_hints_t mode,
                  char *buf, size_t size) {
  const hx_summary_t *sum = hx_index_summary(index);
  const hx_point_t *p = hx_index_point(index, point);
  const hx_point_diff_t *d = hx_index_point_diff(index, point);
  int local, global;
  srv_view_levels(index, point, &local, &global);
  bool show_global = mode == SRV_HINTS_BOTH || mode == SRV_HINTS_GLOBAL;
  bool show_local = mode == SRV_HINTS_BOTH || mode == SRV_HINTS_LOCAL;
  if ((!show_global || !global) && (!show_local || !local))
    return 0; /* no level the mode shows */
  char value[112];
  if (d) {
    char delta[64], own[32];
    fmt_signed_value(delta, sizeof delta, d->delta_cum, sum);
    fmt_own_change(own, sizeof own, p->cum, d->base_cum);
    text_buf_t v;
    text_buf_init_array(&v, value, sizeof value);
    text_buf_str(&v, delta);
    text_buf_str(&v, " (");
    text_buf_str(&v, own);
    text_buf_char(&v, ')');
    text_buf_cstr(&v);
  } else {
    fmt_value(value, sizeof value, p->cum, sum);
  }
  text_buf_t t;
  text_buf_init_array(&t, buf, size);
  if (show_global) {
    text_buf_char(&t, 'G');
    put_level(&t, global, d != NULL);
    text_buf_char(&t, ' ');
  }
  if (show_local) {
    text_buf_char(&t, 'L');
    put_level(&t, local, d != NULL);
    text_buf_char(&t, ' ');
  }
  text_buf_str(&t, "\xc2\xb7 ");
  text_buf_str(&t, value);
  text_buf_cstr(&t);
  return 1;
}
