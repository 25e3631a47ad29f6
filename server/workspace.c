/*
 * workspace.c: open documents, workspace folders and the links between
 * documents and profile files.
 */
#include "workspace.h"

#include "error.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

struct srv_workspace {
  srv_docs_t docs;
  char **roots; /* absolute folder paths (owned) */
  size_t root_count;
  const srv_path_mapping_t *mappings; /* borrowed from the settings */
  size_t mapping_count;
};

int srv_workspace_new(srv_workspace_t **out) {
  *out = calloc(1, sizeof **out);
  return *out ? 0 : SRV_ENOMEM;
}

void srv_workspace_free(srv_workspace_t *ws) {
  if (!ws)
    return;
  srv_docs_close(&ws->docs);
  srv_workspace_roots_free(ws->roots, ws->root_count);
  free(ws);
}

void srv_workspace_set_mappings(srv_workspace_t *ws,
                                const srv_path_mapping_t *mappings,
                                size_t count) {
  ws->mappings = mappings;
  ws->mapping_count = count;
}

/* ---- folders ---- */

int srv_workspace_add_root(srv_workspace_t *ws, const char *uri) {
  char *path;
  if (!uri || lsp_uri_to_path(uri, &path, NULL) < 0)
    return 0; /* not a file folder: nothing to look in */
  char **roots = realloc(ws->roots, (ws->root_count + 1) * sizeof *roots);
  if (!roots) {
    free(path);
    return SRV_ENOMEM;
  }
  ws->roots = roots;
  ws->roots[ws->root_count++] = path;
  return 0;
}

void srv_workspace_remove_root(srv_workspace_t *ws, const char *uri) {
  char *path;
  if (!uri || lsp_uri_to_path(uri, &path, NULL) < 0)
    return;
  for (size_t r = 0; r < ws->root_count; r++) {
    if (strcmp(ws->roots[r], path) == 0) {
      free(ws->roots[r]);
      ws->roots[r] = ws->roots[--ws->root_count];
      break;
    }
  }
  free(path);
}

size_t srv_workspace_root_count(const srv_workspace_t *ws) {
  return ws->root_count;
}

const char *srv_workspace_first_root(const srv_workspace_t *ws) {
  return ws->root_count ? ws->roots[0] : NULL;
}

int srv_workspace_roots_copy(const srv_workspace_t *ws, char ***out,
                             size_t *count) {
  *out = NULL;
  *count = 0;
  if (ws->root_count == 0)
    return 0;
  char **copy = calloc(ws->root_count, sizeof *copy);
  if (!copy)
    return SRV_ENOMEM;
  for (size_t i = 0; i < ws->root_count; i++) {
    copy[i] = strdup(ws->roots[i]);
    if (!copy[i]) {
      /* All or nothing: a gap would reach the scan as a NULL folder. */
      srv_workspace_roots_free(copy, i);
      return SRV_ENOMEM;
    }
  }
  *out = copy;
  *count = ws->root_count;
  return 0;
}

void srv_workspace_roots_free(char **roots, size_t count) {
  for (size_t i = 0; i < count; i++)
    free(roots[i]);
  free(roots);
}

/* ---- the path context ---- */

/* The one place a path context is assembled: the user's mappings, the
 * workspace folders, and as open paths the documents that share the base
 * name `base` (every document when base is NULL; only those can compete
 * for the same profile file) followed by extra[0..extra_count). *scratch
 * holds the paths (malloc'd, free it after the lookup). */
static int context(const srv_workspace_t *ws, const char *base,
                   const char *const *extra, size_t extra_count,
                   srv_path_context_t *ctx, const char ***scratch) {
  size_t n = 0;
  const char **paths =
      malloc((ws->docs.count + extra_count + 1) * sizeof *paths);
  if (!paths)
    return SRV_ENOMEM;
  for (size_t i = 0; i < ws->docs.count; i++) {
    const srv_doc_t *d = ws->docs.items[i];
    if (d->path && (!base || strcmp(d->base, base) == 0))
      paths[n++] = d->path;
  }
  for (size_t i = 0; i < extra_count; i++)
    paths[n++] = extra[i];
  *ctx = (srv_path_context_t){.mappings = ws->mappings,
                              .mapping_count = ws->mapping_count,
                              .open_paths = paths,
                              .open_count = n,
                              .roots = (const char *const *)ws->roots,
                              .root_count = ws->root_count};
  *scratch = paths;
  return 0;
}

/* A match by the user's mappings or the same path wins over Go's own
 * paths, which win over trailing components. */
static int explicit_match(srv_match_t m) {
  return m.kind == SRV_MATCH_MAPPING || m.kind == SRV_MATCH_EXACT;
}

/* The profile file that the local file at path shows (every rule: path_map
 * and Go's paths). */
static srv_match_t match_of(const srv_workspace_t *ws,
                            const srv_profile_t *profile, const char *path,
                            const char *base, int *oom) {
  srv_match_t none = {.kind = SRV_MATCH_NONE, .file = -1};
  srv_path_context_t ctx;
  const char **scratch;
  if (context(ws, base, NULL, 0, &ctx, &scratch) < 0) {
    *oom = 1;
    return none;
  }
  srv_match_t m = srv_path_map_to_profile(profile->paths, path, &ctx);
  free(scratch);
  if (!explicit_match(m)) {
    long go = srv_profile_go_file(profile, path);
    if (go >= 0)
      m = (srv_match_t){.kind = SRV_MATCH_GO, .file = go};
  }
  return m;
}

static int lit(srv_match_t m) {
  return m.kind != SRV_MATCH_NONE && m.kind != SRV_MATCH_AMBIGUOUS;
}

/* ---- links ---- */

/* Relinks doc to profile. Returns 1 when its heat changed. */
static int relink(const srv_workspace_t *ws, const srv_profile_t *profile,
                  srv_doc_t *doc, int rebuild) {
  long file = -1;
  srv_match_t match = {.kind = SRV_MATCH_NONE, .file = -1};
  if (profile && doc->path) {
    int oom = 0;
    match = match_of(ws, profile, doc->path, doc->base, &oom);
    if (oom) {
      srv_log(SRV_LOG_ERROR, "out of memory linking %s", doc->uri);
      return 0;
    }
    if (lit(match))
      file = match.file;
  }
  if (match.kind != doc->match.kind && match.kind == SRV_MATCH_AMBIGUOUS)
    srv_log(SRV_LOG_INFO,
            "%s: several profile files match it; add a "
            "pathMappings entry to choose",
            doc->path);
  doc->match = match;
  if (file == doc->file && !rebuild)
    return 0;
  srv_doc_unlink(doc);
  doc->match = match;
  if (file < 0)
    return 1;
  if (srv_annos_build(profile->index, (size_t)file, &doc->annos,
                      &doc->anno_count) < 0) {
    srv_log(SRV_LOG_ERROR, "out of memory annotating %s", doc->uri);
    return 1;
  }
  /* A document shorter than the profiled file (the source changed since
   * the profile was recorded) shows no heat past its end. */
  size_t lines = lsp_text_line_count(doc->text);
  doc->anno_count =
      srv_annos_lower_bound(doc->annos, doc->anno_count,
                            lines > UINT32_MAX ? UINT32_MAX : (uint32_t)lines);
  doc->file = file;
  srv_log(SRV_LOG_DEBUG, "%s shows %s (%zu points)", doc->path,
          hx_index_file(profile->index, (size_t)file)->path, doc->anno_count);
  return 1;
}

/* Relinks the documents whose base name is `base` (all when NULL) except
 * skip, telling changed() of those that changed. */
static void relink_base(srv_workspace_t *ws, const srv_profile_t *profile,
                        const char *base, const srv_doc_t *skip,
                        srv_doc_changed_fn changed, void *ctx) {
  for (size_t i = 0; i < ws->docs.count; i++) {
    srv_doc_t *doc = ws->docs.items[i];
    if (doc == skip || (base && strcmp(doc->base, base) != 0))
      continue;
    if (relink(ws, profile, doc, 0))
      changed(ctx, doc);
  }
}

srv_doc_t *srv_workspace_find(const srv_workspace_t *ws, const char *uri) {
  return srv_docs_find(&ws->docs, uri);
}

size_t srv_workspace_doc_count(const srv_workspace_t *ws) {
  return ws->docs.count;
}

srv_doc_t *srv_workspace_doc(const srv_workspace_t *ws, size_t i) {
  return ws->docs.items[i];
}

int srv_workspace_open(srv_workspace_t *ws, const srv_profile_t *profile,
                       srv_doc_t *doc, srv_doc_changed_fn changed, void *ctx) {
  int rc = srv_docs_put(&ws->docs, doc);
  if (rc < 0)
    return rc;
  if (doc->path && profile) {
    /* Others with the same base name may now be ambiguous, or no longer;
     * this one is painted once, changed or not. */
    relink(ws, profile, doc, 1);
    relink_base(ws, profile, doc->base, doc, changed, ctx);
    changed(ctx, doc);
  }
  return 0;
}

void srv_workspace_close(srv_workspace_t *ws, const srv_profile_t *profile,
                         const char *uri, srv_doc_changed_fn changed,
                         void *ctx) {
  srv_doc_t *doc = srv_docs_find(&ws->docs, uri);
  if (!doc)
    return;
  /* Another document with the same base name may have been ambiguous
   * because of this one. */
  char *base = strdup(doc->base);
  srv_docs_remove(&ws->docs, uri);
  if (base && *base && profile)
    relink_base(ws, profile, base, NULL, changed, ctx);
  free(base);
}

static int by_base(const void *a, const void *b) {
  const srv_doc_t *x = *(srv_doc_t *const *)a, *y = *(srv_doc_t *const *)b;
  return strcmp(x->base, y->base);
}

/* A new profile: every document gets new annotations and is painted. The
 * documents are grouped by base name once, so that a load costs
 * O(n log n) rather than a scan of every document for each. */
static void rebuild_all(srv_workspace_t *ws, const srv_profile_t *profile,
                        srv_doc_changed_fn changed, void *ctx) {
  size_t n = ws->docs.count;
  srv_doc_t **order = malloc((n ? n : 1) * sizeof *order);
  if (!order) {
    for (size_t i = 0; i < n; i++) {
      relink(ws, profile, ws->docs.items[i], 1);
      changed(ctx, ws->docs.items[i]);
    }
    return;
  }
  if (n > 0) { /* docs.items is NULL until a document opens */
    memcpy(order, ws->docs.items, n * sizeof *order);
    qsort(order, n, sizeof *order, by_base);
  }
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && strcmp(order[j]->base, order[i]->base) == 0)
      j++;
    for (size_t k = i; k < j; k++) {
      relink(ws, profile, order[k], 1);
      changed(ctx, order[k]);
    }
    i = j;
  }
  free(order);
}

void srv_workspace_relink_all(srv_workspace_t *ws,
                              const srv_profile_t *profile, int rebuild,
                              srv_doc_changed_fn changed, void *ctx) {
  if (!profile) {
    /* Unloaded: documents that showed heat are painted empty. */
    for (size_t i = 0; i < ws->docs.count; i++) {
      srv_doc_t *doc = ws->docs.items[i];
      int painted = doc->painted;
      srv_doc_unlink(doc);
      if (painted)
        changed(ctx, doc);
    }
  } else if (rebuild) {
    rebuild_all(ws, profile, changed, ctx);
  } else {
    relink_base(ws, profile, NULL, NULL, changed, ctx);
  }
}

int srv_workspace_count_lit(const srv_workspace_t *ws,
                            const srv_profile_t *profile, size_t *n) {
  *n = 0;
  int oom = 0;
  for (size_t i = 0; i < ws->docs.count && !oom; i++) {
    const srv_doc_t *doc = ws->docs.items[i];
    if (doc->path && lit(match_of(ws, profile, doc->path, doc->base, &oom)))
      (*n)++;
  }
  return oom ? SRV_ENOMEM : 0;
}

size_t srv_workspace_count_linked(const srv_workspace_t *ws) {
  size_t n = 0;
  for (size_t i = 0; i < ws->docs.count; i++)
    n += ws->docs.items[i]->file >= 0;
  return n;
}

long srv_workspace_profile_file(const srv_workspace_t *ws,
                                const srv_profile_t *profile,
                                const char *path) {
  const char *slash = strrchr(path, '/');
  int oom = 0;
  srv_match_t m = match_of(ws, profile, path, slash ? slash + 1 : path, &oom);
  return lit(m) ? m.file : -1;
}

srv_doc_t *srv_workspace_showing(const srv_workspace_t *ws, size_t file) {
  for (size_t i = 0; i < ws->docs.count; i++)
    if (ws->docs.items[i]->file == (long)file)
      return ws->docs.items[i];
  return NULL;
}

int srv_workspace_local_file(const srv_workspace_t *ws,
                             const srv_profile_t *profile, size_t file,
                             char **out) {
  *out = NULL;
  const srv_doc_t *doc = srv_workspace_showing(ws, file);
  if (doc && doc->path)
    return (*out = strdup(doc->path)) ? 0 : SRV_ENOMEM;
  /* Candidates: the open documents and the workspace files that share the
   * profile file's base name; path_map picks the unique best. */
  size_t first, n = srv_profile_scanned(profile, file, &first);
  const char *base = srv_profile_base_name(profile->file_paths[file]);
  srv_path_context_t ctx;
  const char **scratch;
  if (context(ws, base, (const char *const *)profile->workspace.paths + first,
              n, &ctx, &scratch) < 0)
    return SRV_ENOMEM;
  srv_match_t match;
  int rc = srv_path_map_to_local(profile->paths, file, &ctx, out, &match);
  free(scratch);
  if (rc < 0)
    return SRV_ENOMEM;
  const char *go = srv_profile_go_local(profile, file);
  if (go && !explicit_match(match)) {
    free(*out);
    if (!(*out = strdup(go)))
      return SRV_ENOMEM;
  }
  return 0;
}
