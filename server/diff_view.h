/*
 * diff_view.h: what a line shows, for decorations, inlay hints, hovers and
 * lenses alike, with or without a base (docs/protocol.md).
 *
 * One profile: a line shows its hottest point (the first of its
 * annotations) and a hint "G5 L4 · 2.50s". A diff: a line shows the point
 * with the largest |global| level, then the largest |cum delta|, and a
 * hint "G+3 L+2 · +1.20s (+60.0%)" whose texts are the CLI's
 * (format.h), so that they can be checked against `heatls dump`.
 */
#ifndef HEATLS_SRV_DIFF_VIEW_H
#define HEATLS_SRV_DIFF_VIEW_H

#include <stddef.h>

#include "documents.h"
#include "heat_index.h"
#include "settings.h"

/* The annotation a line shows among annos[first, first + n), the
 * annotations of one line (n >= 1). */
size_t srv_view_line_anno(const hx_index_t *index, const srv_anno_t *annos,
                          size_t first, size_t n);

/* The number of annotations of the line that annos[first] starts. */
size_t srv_view_line_run(const srv_anno_t *annos, size_t count, size_t first);

/* A point's levels as shown: the signed levels in a diff, else the
 * point's own. */
void srv_view_levels(const hx_index_t *index, size_t point, int *local,
                     int *global);

/* The inlay hint label of a point in `mode`; 0 when the mode hides it
 * (no level of the kind shown). */
int srv_view_hint(const hx_index_t *index, size_t point, srv_hints_t mode,
                  char *buf, size_t size);

#endif
