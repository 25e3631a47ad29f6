/*
 * profile.c: building a loaded profile (on a worker thread) and freeing
 * one.
 */
#include "profile.h"

#include "profile_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv_profile_free(srv_profile_t *profile) {
  if (!profile)
    return;
  srv_path_map_free(profile->paths);
  srv_scan_close(&profile->workspace);
  free(profile->file_paths);
  for (size_t i = 0;
       profile->go_local && i < hx_index_file_count(profile->index); i++)
    free(profile->go_local[i]);
  free(profile->go_local);
  free(profile->go_back);
  hx_index_free(profile->index);
  srv_source_close(&profile->source);
  free(profile->sample_type);
  free(profile);
}

static int out_of_memory(hx_error_t *err) {
  err->code = HX_ENOMEM;
  snprintf(err->message, sizeof err->message, "out of memory");
  return HX_ENOMEM;
}

/* Builds p->index from the downloaded bytes, or reads the file into it,
 * recording what the descriptor that was
 * read said of the file (not what the path names after the load). */
static int read_source(const srv_profile_spec_t *spec, srv_profile_t *p,
                       hx_error_t *err) {
  if (spec->body)
    return srv_bytes_load(spec->body, spec->options, &p->index, err);
  srv_profile_file_t file;
  int rc = srv_profile_file_read(spec->source->path, spec->options, &p->index,
                                 &file, err);
  if (rc < 0)
    return rc;
  p->mtime_ns = file.mtime_ns;
  p->size = file.size;
  p->inode = file.inode;
  return 0;
}

static int by_local(const void *a, const void *b) {
  return strcmp(((const srv_go_link_t *)a)->local,
                ((const srv_go_link_t *)b)->local);
}

/* Each profile file's local file by Go's own paths. 0 or HX_ENOMEM. */
static int map_go_paths(const srv_profile_spec_t *spec, srv_profile_t *p) {
  size_t n = hx_index_file_count(p->index);
  srv_go_env_t env;
  if (srv_go_env_discover(spec->go, spec->roots, spec->root_count, &env) < 0)
    return HX_ENOMEM;
  p->go_local = calloc(n ? n : 1, sizeof *p->go_local);
  p->go_back = calloc(n ? n : 1, sizeof *p->go_back);
  int rc = p->go_local && p->go_back ? 0 : HX_ENOMEM;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (srv_go_local(&env, p->file_paths[i], &p->go_local[i]) < 0)
      rc = HX_ENOMEM;
    else if (p->go_local[i])
      p->go_back[p->go_count++] =
          (srv_go_link_t){.local = p->go_local[i], .file = (uint32_t)i};
  }
  srv_go_env_close(&env);
  if (rc == 0)
    qsort(p->go_back, p->go_count, sizeof *p->go_back, by_local);
  return rc;
}

int srv_profile_build(const srv_profile_spec_t *spec, srv_profile_t **out,
                      hx_error_t *err) {
  *out = NULL;
  srv_profile_t *p = calloc(1, sizeof *p);
  if (!p)
    return out_of_memory(err);
  int rc = read_source(spec, p, err);
  if (rc < 0) {
    srv_profile_free(p);
    return rc;
  }
  size_t n = hx_index_file_count(p->index);
  p->file_paths = malloc((n ? n : 1) * sizeof *p->file_paths);
  if (p->file_paths) {
    for (size_t i = 0; i < n; i++)
      p->file_paths[i] = hx_index_file(p->index, i)->path;
  }
  if (!p->file_paths || srv_path_map_new(p->file_paths, n, &p->paths) < 0 ||
      srv_scan_run(spec->roots, spec->root_count, p->file_paths, n,
                   &p->workspace) < 0 ||
      map_go_paths(spec, p) < 0 ||
      srv_source_copy(spec->source, &p->source) < 0 ||
      (spec->options->sample_type &&
       !(p->sample_type = strdup(spec->options->sample_type)))) {
    srv_profile_free(p);
    return out_of_memory(err);
  }
  *out = p;
  return 0;
}

const char *srv_profile_go_local(const srv_profile_t *profile, size_t file) {
  return profile->go_local ? profile->go_local[file] : NULL;
}

long srv_profile_go_file(const srv_profile_t *profile,
                         const char *local_path) {
  size_t lo = 0, hi = profile->go_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(profile->go_back[mid].local, local_path);
    if (c == 0)
      return (long)profile->go_back[mid].file;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

const char *srv_profile_base_name(const char *path) {
  const char *base = path;
  for (const char *c = path; *c; c++)
    if (*c == '/' || *c == '\\')
      base = c + 1;
  return base;
}

size_t srv_profile_scanned(const srv_profile_t *profile, size_t file,
                           size_t *first) {
  return srv_scan_find(&profile->workspace,
                       srv_profile_base_name(profile->file_paths[file]),
                       first);
}
