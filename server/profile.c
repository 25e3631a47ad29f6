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
      srv_source_copy(spec->source, &p->source) < 0 ||
      (spec->options->sample_type &&
       !(p->sample_type = strdup(spec->options->sample_type)))) {
    srv_profile_free(p);
    return out_of_memory(err);
  }
  *out = p;
  return 0;
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
