/*
 * source.c: profile sources.
 */
#include "source.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int srv_source_file(const char *path, const char *base_dir,
                    srv_source_t *out) {
  *out = (srv_source_t){.kind = SRV_SOURCE_NONE};
  const char *base = NULL;
  char cwd[4096];
  if (path[0] == '~' && path[1] == '/') {
    base = getenv("HOME");
    path += 2;
  } else if (path[0] != '/') {
    base = base_dir ? base_dir : getcwd(cwd, sizeof cwd);
  }
  char *full;
  if (!base) {
    full = strdup(path);
  } else {
    size_t n = strlen(base) + strlen(path) + 2;
    full = malloc(n);
    if (full)
      snprintf(full, n, "%s%s%s", base,
               base[0] && base[strlen(base) - 1] == '/' ? "" : "/", path);
  }
  if (!full)
    return SRV_ENOMEM;
  *out = (srv_source_t){.kind = SRV_SOURCE_FILE, .path = full};
  return 0;
}

int srv_source_copy(const srv_source_t *src, srv_source_t *out) {
  *out = (srv_source_t){.kind = src->kind};
  if (src->path && !(out->path = strdup(src->path))) {
    out->kind = SRV_SOURCE_NONE;
    return SRV_ENOMEM;
  }
  return 0;
}

int srv_source_equal(const srv_source_t *a, const srv_source_t *b) {
  if (a->kind != b->kind)
    return 0;
  if (!a->path || !b->path)
    return a->path == b->path;
  return strcmp(a->path, b->path) == 0;
}

const char *srv_source_name(const srv_source_t *src) {
  return src->path ? src->path : "(no profile)";
}

const char *srv_source_watch_path(const srv_source_t *src) {
  return src->kind == SRV_SOURCE_FILE ? src->path : NULL;
}

void srv_source_close(srv_source_t *src) {
  free(src->path);
  *src = (srv_source_t){.kind = SRV_SOURCE_NONE};
}
