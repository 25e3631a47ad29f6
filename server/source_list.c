/*
 * source_list.c: lists of sources, globs expanded (source_list.h).
 */
#include "source_list.h"

#include "error.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A slot at the end of the list, zeroed; NULL when out of memory. */
static srv_source_t *slot(srv_sources_t *l) {
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4;
    srv_source_t *items = realloc(l->items, cap * sizeof *items);
    if (!items)
      return NULL;
    l->items = items;
    l->cap = cap;
  }
  srv_source_t *s = &l->items[l->count];
  memset(s, 0, sizeof *s);
  return s;
}

int srv_sources_add_copies(srv_sources_t *l, const srv_source_t *items,
                           size_t n) {
  for (size_t i = 0; i < n; i++) {
    srv_source_t *s = slot(l);
    if (!s || srv_source_copy(&items[i], s) < 0)
      return SRV_ENOMEM;
    l->count++;
  }
  return 0;
}

/* The files a pattern matches, sorted, each a FILE source. */
static int add_glob(srv_sources_t *l, const char *pattern, const char *arg,
                    char *msg, size_t size) {
  glob_t g;
  int rc = glob(pattern, 0, NULL, &g);
  if (rc == GLOB_NOMATCH || rc != 0) {
    globfree(&g);
    if (rc == GLOB_NOSPACE)
      return SRV_ENOMEM;
    snprintf(msg, size, "%s: %s", arg,
             rc == GLOB_NOMATCH ? "no file matches"
                                : "cannot expand the pattern");
    return SRV_EINVAL;
  }
  for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
    srv_source_t *s = slot(l);
    if (!s || srv_source_file(g.gl_pathv[i], NULL, s) < 0)
      rc = SRV_ENOMEM;
    else
      l->count++;
  }
  globfree(&g);
  return rc;
}

int srv_sources_add(srv_sources_t *l, const char *arg, const char *base_dir,
                    const srv_fetch_t *fetch, char *msg, size_t size) {
  srv_source_t *s = slot(l);
  if (!s)
    return SRV_ENOMEM;
  int rc = srv_source_parse(arg, base_dir, fetch, s, msg, size);
  if (rc < 0)
    return rc;
  if (s->kind == SRV_SOURCE_FILE && strpbrk(arg, "*?[") &&
      access(s->path, F_OK) != 0) {
    /* A glob: the resolved path (under base_dir, or ~) is the pattern. */
    srv_source_t pattern = *s;
    rc = add_glob(l, pattern.path, arg, msg, size);
    srv_source_close(&pattern);
    return rc;
  }
  l->count++;
  return 0;
}

void srv_sources_close(srv_sources_t *l) {
  for (size_t i = 0; i < l->count; i++)
    srv_source_close(&l->items[i]);
  free(l->items);
  *l = (srv_sources_t)SRV_SOURCES_INIT;
}
