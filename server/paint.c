/*
 * paint.c: which profile file each document shows, and the
 * heatls/decorations notification. This file and features.c are where
 * index points (1-based lines) become LSP lines (0-based).
 */
#include "format.h"
#include "log.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

/* The lookup context for doc: the user's mappings, the workspace folders,
 * and the open documents that share its base name (only those can
 * compete for the same profile file). *paths is malloc'd. */
static int context_for(srv_session_t *s, const char *base,
                       srv_path_context_t *ctx, const char ***paths) {
  size_t n = 0;
  const char **p = malloc((s->docs.count + 1) * sizeof *p);
  if (!p)
    return -1;
  for (size_t i = 0; i < s->docs.count; i++) {
    const srv_doc_t *d = s->docs.items[i];
    if (d->path && (!base || strcmp(d->base, base) == 0))
      p[n++] = d->path;
  }
  *ctx = (srv_path_context_t){.mappings = s->settings.mappings,
                              .mapping_count = s->settings.mapping_count,
                              .open_paths = p,
                              .open_count = n,
                              .roots = (const char *const *)s->roots,
                              .root_count = s->root_count};
  *paths = p;
  return 0;
}

/* Relinks doc. peers, when not NULL, are the paths of the open documents
 * that share its base name (srv_docs_relink_all gathers them once for
 * all); otherwise they are looked up here. */
static int relink(srv_session_t *s, srv_doc_t *doc, int rebuild,
                  const char *const *peers, size_t peer_count) {
  long file = -1;
  srv_match_t match = {.kind = SRV_MATCH_NONE, .file = -1};
  if (s->profile && doc->path) {
    srv_path_context_t ctx;
    const char **paths = NULL;
    if (peers) {
      ctx = (srv_path_context_t){.mappings = s->settings.mappings,
                                 .mapping_count = s->settings.mapping_count,
                                 .open_paths = peers,
                                 .open_count = peer_count,
                                 .roots = (const char *const *)s->roots,
                                 .root_count = s->root_count};
    } else if (context_for(s, doc->base, &ctx, &paths) < 0) {
      srv_log(SRV_LOG_ERROR, "out of memory linking %s", doc->uri);
      return 0;
    }
    match = srv_path_map_to_profile(s->profile->paths, doc->path, &ctx);
    free(paths);
    if (match.kind != SRV_MATCH_NONE && match.kind != SRV_MATCH_AMBIGUOUS)
      file = match.file;
  }
  if (match.kind != doc->match.kind && match.kind == SRV_MATCH_AMBIGUOUS)
    srv_log(SRV_LOG_INFO, "%s: several profile files match it; add a "
            "pathMappings entry to choose", doc->path);
  doc->match = match;
  if (file == doc->file && !rebuild)
    return 0;
  srv_doc_unlink(doc);
  doc->match = match;
  if (file < 0)
    return 1;
  if (srv_annos_build(s->profile->index, (size_t)file, &doc->annos,
                      &doc->anno_count) < 0) {
    srv_log(SRV_LOG_ERROR, "out of memory annotating %s", doc->uri);
    return 1;
  }
  /* A document shorter than the profiled file (the source changed since
   * the profile was recorded) shows no heat past its end. */
  size_t lines = lsp_text_line_count(doc->text);
  doc->anno_count = srv_annos_lower_bound(
      doc->annos, doc->anno_count,
      lines > UINT32_MAX ? UINT32_MAX : (uint32_t)lines);
  doc->file = file;
  srv_log(SRV_LOG_DEBUG, "%s shows %s (%zu points)", doc->path,
          hx_index_file(s->profile->index, (size_t)file)->path,
          doc->anno_count);
  return 1;
}

int srv_doc_relink(srv_session_t *s, srv_doc_t *doc) {
  return relink(s, doc, 1, NULL, 0);
}

void srv_docs_relink(srv_session_t *s, const char *base,
                     const srv_doc_t *skip) {
  for (size_t i = 0; i < s->docs.count; i++) {
    srv_doc_t *doc = s->docs.items[i];
    if (doc == skip || (base && strcmp(doc->base, base) != 0))
      continue;
    if (relink(s, doc, 0, NULL, 0))
      srv_send_decorations(s, doc);
  }
}

static int by_base(const void *a, const void *b) {
  const srv_doc_t *x = *(srv_doc_t *const *)a, *y = *(srv_doc_t *const *)b;
  return strcmp(x->base, y->base);
}

void srv_docs_relink_all(srv_session_t *s) {
  size_t n = s->docs.count;
  /* Grouped by base name once, so that a load costs O(n log n) rather
   * than a scan of every document for each document. */
  srv_doc_t **order = malloc((n ? n : 1) * sizeof *order);
  const char **peers = malloc((n ? n : 1) * sizeof *peers);
  if (!order || !peers) {
    free(order);
    free(peers);
    for (size_t i = 0; i < n; i++) {
      relink(s, s->docs.items[i], 1, NULL, 0);
      srv_send_decorations(s, s->docs.items[i]);
    }
    return;
  }
  if (n > 0) { /* docs.items is NULL until a document opens */
    memcpy(order, s->docs.items, n * sizeof *order);
    qsort(order, n, sizeof *order, by_base);
  }
  for (size_t i = 0; i < n;) {
    size_t j = i, count = 0;
    while (j < n && strcmp(order[j]->base, order[i]->base) == 0) {
      if (order[j]->path)
        peers[count++] = order[j]->path;
      j++;
    }
    for (size_t k = i; k < j; k++) {
      relink(s, order[k], 1, peers, count);
      srv_send_decorations(s, order[k]);
    }
    i = j;
  }
  free(order);
  free(peers);
}

void srv_send_decorations(srv_session_t *s, srv_doc_t *doc) {
  json_t *lines = json_array();
  if (!lines)
    return;
  const hx_index_t *index = s->profile ? s->profile->index : NULL;
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
  srv_notify(s, "heatls/decorations",
             json_pack("{s:s, s:I, s:s, s:o}", "uri", doc->uri, "version",
                       (json_int_t)doc->version, "mode",
                       srv_hints_name(s->settings.hints), "lines", lines));
}

void srv_refresh_views(srv_session_t *s) {
  if (s->client.inlay_refresh)
    srv_request(s, "workspace/inlayHint/refresh", NULL, NULL, NULL);
  if (s->client.lens_refresh)
    srv_request(s, "workspace/codeLens/refresh", NULL, NULL, NULL);
}

void srv_format_value(const srv_session_t *s, int64_t value, char *buf,
                      size_t size) {
  if (!s->profile) {
    snprintf(buf, size, "%lld", (long long)value);
    return;
  }
  fmt_value(buf, size, value, hx_index_summary(s->profile->index));
}

static json_t *summary(const srv_profile_t *p, const char *path,
                       size_t documents) {
  const hx_summary_t *sum = hx_index_summary(p->index);
  char total[64];
  fmt_value(total, sizeof total, sum->total, sum);
  return json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:f, s:s}",
                   "path", path, "sampleType",
                   sum->sample_type.type, "unit", sum->sample_type.unit,
                   "total", (json_int_t)sum->total, "totalText", total,
                   "files", (json_int_t)sum->files, "functions",
                   (json_int_t)sum->functions, "lines",
                   (json_int_t)sum->points, "documents",
                   (json_int_t)documents, "threshold", sum->threshold,
                   "localScope",
                   sum->local_scope == HX_LOCAL_FILE ? "file" : "function");
}

json_t *srv_profile_summary(srv_session_t *s) {
  if (!s->profile)
    return json_null();
  size_t documents = 0;
  for (size_t i = 0; i < s->docs.count; i++)
    documents += s->docs.items[i]->file >= 0;
  return summary(s->profile, s->profile->path, documents);
}

json_t *srv_profile_summary_of(srv_session_t *s, const srv_profile_t *p,
                               const char *path) {
  size_t documents = 0;
  for (size_t i = 0; i < s->docs.count; i++) {
    const srv_doc_t *doc = s->docs.items[i];
    if (!doc->path)
      continue;
    srv_path_context_t ctx;
    const char **paths;
    if (context_for(s, doc->base, &ctx, &paths) < 0)
      return NULL;
    srv_match_t m = srv_path_map_to_profile(p->paths, doc->path, &ctx);
    free(paths);
    documents += m.kind != SRV_MATCH_NONE && m.kind != SRV_MATCH_AMBIGUOUS;
  }
  return summary(p, path, documents);
}

int srv_profile_file_local(srv_session_t *s, size_t file, char **out) {
  *out = NULL;
  for (size_t i = 0; i < s->docs.count; i++)
    if (s->docs.items[i]->file == (long)file && s->docs.items[i]->path)
      return (*out = strdup(s->docs.items[i]->path)) ? 0 : -1;
  /* Candidates: the open documents and the workspace files that share the
   * profile file's base name; path_map picks the unique best. */
  const char *path = hx_index_file(s->profile->index, file)->path;
  const char *base = path;
  for (const char *p = path; *p; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;
  size_t first, n = srv_scan_find(&s->profile->workspace, base, &first);
  const char **cand = malloc((s->docs.count + n + 1) * sizeof *cand);
  if (!cand)
    return -1;
  size_t count = 0;
  for (size_t i = 0; i < s->docs.count; i++)
    if (s->docs.items[i]->path && strcmp(s->docs.items[i]->base, base) == 0)
      cand[count++] = s->docs.items[i]->path;
  for (size_t i = 0; i < n; i++)
    cand[count++] = s->profile->workspace.paths[first + i];
  srv_path_context_t ctx = {.mappings = s->settings.mappings,
                            .mapping_count = s->settings.mapping_count,
                            .open_paths = cand,
                            .open_count = count,
                            .roots = (const char *const *)s->roots,
                            .root_count = s->root_count};
  srv_match_t match;
  int rc = srv_path_map_to_local(s->profile->paths, file, &ctx, out, &match);
  free(cand);
  return rc < 0 ? -1 : 0;
}
