/*
 * documents.c: the document store and line annotations.
 */
#include "documents.h"

#include "error.h"

#include <stdlib.h>
#include <string.h>

int srv_doc_new(const char *uri, int64_t version, const char *text, size_t len,
                srv_doc_t **out, rpc_error_t *err) {
  *out = NULL;
  srv_doc_t *doc = calloc(1, sizeof *doc);
  if (!doc)
    return RPC_ENOMEM;
  doc->file = -1;
  doc->version = version;
  doc->base = "";
  doc->uri = strdup(uri);
  if (!doc->uri) {
    free(doc);
    return RPC_ENOMEM;
  }
  int rc = lsp_uri_to_path(uri, &doc->path, err);
  if (rc == RPC_ENOTFILE) {
    doc->path = NULL; /* kept, never lit */
  } else if (rc < 0) {
    srv_doc_free(doc);
    return rc;
  } else {
    const char *slash = strrchr(doc->path, '/');
    doc->base = slash ? slash + 1 : doc->path;
  }
  rc = lsp_text_new(text, len, 0, &doc->text, err);
  if (rc < 0) {
    srv_doc_free(doc);
    return rc;
  }
  *out = doc;
  return 0;
}

void srv_doc_unlink(srv_doc_t *doc) {
  free(doc->annos);
  doc->annos = NULL;
  doc->anno_count = 0;
  doc->file = -1;
  doc->match = (srv_match_t){.kind = SRV_MATCH_NONE, .file = -1};
}

void srv_doc_free(srv_doc_t *doc) {
  if (!doc)
    return;
  free(doc->uri);
  free(doc->path);
  lsp_text_free(doc->text);
  free(doc->annos);
  free(doc);
}

/* The position of uri in the sorted store, or where it would go. */
static size_t search(const srv_docs_t *docs, const char *uri, int *found) {
  size_t lo = 0, hi = docs->count;
  *found = 0;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(docs->items[mid]->uri, uri);
    if (c == 0) {
      *found = 1;
      return mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

srv_doc_t *srv_docs_find(const srv_docs_t *docs, const char *uri) {
  int found;
  size_t i = search(docs, uri, &found);
  return found ? docs->items[i] : NULL;
}

int srv_docs_put(srv_docs_t *docs, srv_doc_t *doc) {
  int found;
  size_t i = search(docs, doc->uri, &found);
  if (found) {
    srv_doc_free(docs->items[i]);
    docs->items[i] = doc;
    return 0;
  }
  if (docs->count >= SRV_MAX_DOCUMENTS)
    return SRV_EBUSY;
  if (docs->count == docs->cap) {
    size_t cap = docs->cap ? docs->cap * 2 : 16;
    srv_doc_t **items = realloc(docs->items, cap * sizeof *items);
    if (!items)
      return SRV_ENOMEM;
    docs->items = items;
    docs->cap = cap;
  }
  memmove(docs->items + i + 1, docs->items + i,
          (docs->count - i) * sizeof *docs->items);
  docs->items[i] = doc;
  docs->count++;
  return 0;
}

int srv_docs_remove(srv_docs_t *docs, const char *uri) {
  int found;
  size_t i = search(docs, uri, &found);
  if (!found)
    return 0;
  srv_doc_free(docs->items[i]);
  memmove(docs->items + i, docs->items + i + 1,
          (docs->count - i - 1) * sizeof *docs->items);
  docs->count--;
  return 1;
}

void srv_docs_close(srv_docs_t *docs) {
  for (size_t i = 0; i < docs->count; i++)
    srv_doc_free(docs->items[i]);
  free(docs->items);
  *docs = (srv_docs_t){0};
}

int srv_annos_build(const hx_index_t *index, size_t file, srv_anno_t **out,
                    size_t *count) {
  const uint32_t *ids;
  /* Line 0 means "unknown line": no editor line shows it. */
  size_t n = hx_index_file_lines(index, file, 1, UINT32_MAX, &ids);
  *out = NULL;
  *count = 0;
  if (n == 0)
    return 0;
  srv_anno_t *a = malloc(n * sizeof *a);
  if (!a)
    return SRV_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    a[i].line = hx_index_point(index, ids[i])->line - 1;
    a[i].point = ids[i];
  }
  *out = a;
  *count = n;
  return 0;
}

int srv_annos_move(srv_anno_t *annos, size_t *count,
                   const lsp_line_change_t *change) {
  size_t start = change->start_line;
  size_t kept = change->old_lines < change->new_lines ? change->old_lines
                                                      : change->new_lines;
  size_t old_end = start + change->old_lines;
  int moved = 0;
  size_t out = 0;
  for (size_t i = 0; i < *count; i++) {
    srv_anno_t a = annos[i];
    if (a.line < start + kept) {
      annos[out++] = a;
    } else if (a.line < old_end) {
      moved = 1; /* its line was deleted */
    } else {
      size_t line = a.line - change->old_lines + change->new_lines;
      if (line != a.line)
        moved = 1;
      a.line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
      annos[out++] = a;
    }
  }
  *count = out;
  return moved;
}

uint32_t srv_doc_point_line(const srv_doc_t *doc, const hx_index_t *index,
                            uint32_t point) {
  for (size_t i = 0; doc && i < doc->anno_count; i++)
    if (doc->annos[i].point == point)
      return doc->annos[i].line;
  uint32_t line = hx_index_point(index, point)->line;
  return line > 0 ? line - 1 : 0;
}

const hx_point_t *srv_doc_hottest(const srv_doc_t *doc,
                                  const hx_index_t *index, uint32_t first,
                                  uint32_t last, int local) {
  const hx_point_t *best = NULL;
  if (first == 0 || last < first)
    return NULL;
  size_t i = srv_annos_lower_bound(doc->annos, doc->anno_count, first - 1);
  for (; i < doc->anno_count && doc->annos[i].line <= last - 1; i++) {
    const hx_point_t *p = hx_index_point(index, doc->annos[i].point);
    int level = local ? p->local : p->global;
    int best_level = best ? (local ? best->local : best->global) : -1;
    if (level > best_level || (level == best_level && p->cum > best->cum))
      best = p;
  }
  return best;
}

size_t srv_annos_lower_bound(const srv_anno_t *annos, size_t count,
                             uint32_t line) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (annos[mid].line < line)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

size_t srv_annos_on_line(const srv_anno_t *annos, size_t count, uint32_t line,
                         size_t *first) {
  size_t i = srv_annos_lower_bound(annos, count, line);
  *first = i;
  size_t n = 0;
  while (i + n < count && annos[i + n].line == line)
    n++;
  return n;
}
