/*
 * paint.h: the heatls/decorations notification of a document.
 */
#ifndef HEATLS_SRV_PAINT_H
#define HEATLS_SRV_PAINT_H

#include "documents.h"
#include "heat_index.h"
#include "outbox.h"
#include "settings.h"

/* Sends heatls/decorations for doc: its lines with a level, from index
 * (NULL: none), for clients painting in `mode`. Sets doc->painted. */
void srv_paint(srv_outbox_t *out, srv_doc_t *doc, const hx_index_t *index,
               srv_hints_t mode);

#endif
