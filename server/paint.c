/*
 * paint.c: heatls/decorations, what clients paint line colours from.
 */
#include "paint.h"

#include "diff_view.h"

/* One line of a diff: the signed levels, both sides and the deltas. */
static json_t *diff_line(const hx_index_t *index, const srv_anno_t *a) {
  const hx_point_t *p = hx_index_point(index, a->point);
  const hx_point_diff_t *d = hx_index_point_diff(index, a->point);
  if (d->local == 0 && d->global == 0)
    return NULL;
  return json_pack("{s:I, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I}", "line",
                   (json_int_t)a->line, "local", d->local, "global", d->global,
                   "flat", (json_int_t)p->flat, "cum", (json_int_t)p->cum,
                   "baseFlat", (json_int_t)d->base_flat, "baseCum",
                   (json_int_t)d->base_cum, "flatDelta",
                   (json_int_t)d->delta_flat, "cumDelta",
                   (json_int_t)d->delta_cum);
}

static json_t *plain_line(const hx_index_t *index, const srv_anno_t *a) {
  const hx_point_t *p = hx_index_point(index, a->point);
  if (p->local == 0 && p->global == 0)
    return NULL;
  return json_pack("{s:I, s:i, s:i, s:I, s:I}", "line", (json_int_t)a->line,
                   "local", p->local, "global", p->global, "flat",
                   (json_int_t)p->flat, "cum", (json_int_t)p->cum);
}

void srv_paint(srv_outbox_t *out, srv_doc_t *doc, const hx_index_t *index,
               srv_hints_t mode) {
  json_t *lines = json_array();
  if (!lines)
    return;
  int diff = index && hx_index_is_diff(index);
  for (size_t i = 0; index && i < doc->anno_count;) {
    size_t n = srv_view_line_run(doc->annos, doc->anno_count, i);
    const srv_anno_t *a =
        &doc->annos[srv_view_line_anno(index, doc->annos, i, n)];
    json_t *line = diff ? diff_line(index, a) : plain_line(index, a);
    if (line)
      json_array_append_new(lines, line);
    i += n;
  }
  doc->painted = json_array_size(lines) > 0;
  json_t *params = json_pack("{s:s, s:I, s:s, s:o}", "uri", doc->uri,
                             "version", (json_int_t)doc->version, "mode",
                             srv_hints_name(mode), "lines", lines);
  if (params && diff)
    json_object_set_new(params, "diff", json_true());
  srv_outbox_notify(out, "heatls/decorations", params);
}
