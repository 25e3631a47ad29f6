/*
 * paint.c: heatls/decorations, what clients paint line colours from.
 */
#include "paint.h"

void srv_paint(srv_outbox_t *out, srv_doc_t *doc, const hx_index_t *index,
               srv_hints_t mode) {
  json_t *lines = json_array();
  if (!lines)
    return;
  for (size_t i = 0; index && i < doc->anno_count; i++) {
    /* The first annotation of a line is its hottest point. */
    if (i > 0 && doc->annos[i - 1].line == doc->annos[i].line)
      continue;
    const hx_point_t *p = hx_index_point(index, doc->annos[i].point);
    if (p->local == 0 && p->global == 0)
      continue;
    json_array_append_new(
        lines, json_pack("{s:I, s:i, s:i, s:I, s:I}", "line",
                         (json_int_t)doc->annos[i].line, "local", p->local,
                         "global", p->global, "flat", (json_int_t)p->flat,
                         "cum", (json_int_t)p->cum));
  }
  doc->painted = json_array_size(lines) > 0;
  srv_outbox_notify(out, "heatls/decorations",
                    json_pack("{s:s, s:I, s:s, s:o}", "uri", doc->uri,
                              "version", (json_int_t)doc->version, "mode",
                              srv_hints_name(mode), "lines", lines));
}
