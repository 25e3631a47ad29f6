/*
 * documents.h: the open documents and the heat attached to their lines.
 *
 * A document keeps its text and version as the client sent them, the
 * profile file it shows (path_map.h decides), and its annotations: every
 * point of that file as (current 0-based line, point index), sorted by
 * line and, on one line, hottest first. Annotations are computed from the
 * index when the document opens or a profile loads, and then move with
 * the text as it is edited (srv_annos_move), until the next load.
 *
 * Architecture invariant: this file's functions are the only place where
 * the index's 1-based lines become 0-based document lines
 * (tests/server/line_invariant.cmake checks it).
 */
#ifndef HEATLS_SRV_DOCUMENTS_H
#define HEATLS_SRV_DOCUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "heat_index.h"
#include "lsp_protocol.h"
#include "path_map.h"

typedef struct srv_anno {
  uint32_t line;  /* 0-based line in the document as it is now */
  uint32_t point; /* index of the hx_point_t */
} srv_anno_t;

typedef struct srv_doc {
  char *uri;        /* as the client spelled it (owned) */
  char *path;       /* decoded file path, NULL for other schemes (owned) */
  const char *base; /* the base name inside path ("" without a path) */
  int64_t version;
  lsp_text_t *text;
  long file;         /* profile file shown, or -1 */
  srv_match_t match; /* how that was decided */
  srv_anno_t *annos; /* owned */
  size_t anno_count;
  int painted;   /* the last decorations sent had lines */
  int diagnosed; /* the last diagnostics published had some */
  int stale;     /* edited since its diagnostics were made */
} srv_doc_t;

/* The store: documents sorted by URI (bytewise) for O(log n) lookup. */
typedef struct srv_docs {
  srv_doc_t **items;
  size_t count, cap;
} srv_docs_t;

#define SRV_MAX_DOCUMENTS 100000

/* *out is a new document owning a copy of uri and text; path is decoded
 * from the URI (a non-file URI gives NULL). RPC_* codes on failure (a
 * malformed file URI is RPC_EURI, text over the cap RPC_ETOOBIG). */
int srv_doc_new(const char *uri, int64_t version, const char *text, size_t len,
                srv_doc_t **out, rpc_error_t *err);
void srv_doc_free(srv_doc_t *doc); /* NULL is fine */

/* Drops the document's annotations and profile file. */
void srv_doc_unlink(srv_doc_t *doc);

srv_doc_t *srv_docs_find(const srv_docs_t *docs, const char *uri);

/* Adds doc (taken over on success). A document with the same URI is
 * replaced and freed (a client may re-open without closing). SRV_ENOMEM,
 * or SRV_EBUSY over SRV_MAX_DOCUMENTS; doc is not taken then. */
int srv_docs_put(srv_docs_t *docs, srv_doc_t *doc);

/* Removes and frees the document; 1 if it was there, 0 if not. */
int srv_docs_remove(srv_docs_t *docs, const char *uri);

void srv_docs_close(srv_docs_t *docs);

/* Annotations of profile file `file`: all its points with a line above 0.
 * *out is malloc'd (NULL with count 0 when none). 0 or SRV_ENOMEM. */
int srv_annos_build(const hx_index_t *index, size_t file, srv_anno_t **out,
                    size_t *count);

/* Moves annotations for an edit that replaced old lines [start, start +
 * old_lines) by new_lines lines: lines before stay; the first
 * min(old, new) lines of the block were edited in place and keep theirs;
 * the rest of the old block is dropped; lines after it shift by
 * new - old. Returns 1 if any annotation moved or was dropped, else 0. */
int srv_annos_move(srv_anno_t *annos, size_t *count,
                   const lsp_line_change_t *change);

/* The annotations on line `line` [*first, *first + n): returns n. */
size_t srv_annos_on_line(const srv_anno_t *annos, size_t count, uint32_t line,
                         size_t *first);

/* The 0-based line that point `point` of the document's profile file is
 * on now: its annotation's line (moved by edits) when the document has
 * one, else the profile's line converted. */
uint32_t srv_doc_point_line(const srv_doc_t *doc, const hx_index_t *index,
                            uint32_t point);

/* The hottest point on the document's lines [first, last], counted from 1
 * as the profile and the search module count them, by its global level
 * (local with `local`), then cum; NULL when none is there. */
const hx_point_t *srv_doc_hottest(const srv_doc_t *doc,
                                  const hx_index_t *index, uint32_t first,
                                  uint32_t last, int local);

/* The first annotation with line >= line. */
size_t srv_annos_lower_bound(const srv_anno_t *annos, size_t count,
                             uint32_t line);

#endif
