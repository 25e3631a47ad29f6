/*
 * workspace_scan.c: a bounded walk of the workspace folders.
 */
#include "workspace_scan.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *base_of(const char *path) {
  const char *b = path;
  for (const char *p = path; *p; p++)
    if (*p == '/' || *p == '\\')
      b = p + 1;
  return b;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_by_base(const void *a, const void *b) {
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  int c = strcmp(base_of(x), base_of(y));
  return c ? c : strcmp(x, y);
}

typedef struct walk {
  const char **bases; /* sorted, borrowed */
  size_t base_count;
  size_t entries;
  srv_scan_t *out;
  size_t cap;
} walk_t;

static int wanted(const walk_t *w, const char *name) {
  return bsearch(&name, w->bases, w->base_count, sizeof *w->bases, cmp_str) !=
         NULL;
}

static int keep(walk_t *w, const char *path) {
  if (w->out->count == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    char **p = realloc(w->out->paths, cap * sizeof *p);
    if (!p)
      return -1;
    w->out->paths = p;
    w->cap = cap;
  }
  char *copy = strdup(path);
  if (!copy)
    return -1;
  w->out->paths[w->out->count++] = copy;
  return 0;
}

/* Depth-first; recursion depth is bounded by SRV_SCAN_MAX_DEPTH. */
static int walk_dir(walk_t *w, const char *dir, int depth) {
  if (depth > SRV_SCAN_MAX_DEPTH) {
    w->out->truncated = 1;
    return 0;
  }
  DIR *d = opendir(dir);
  if (!d)
    return 0; /* unreadable: nothing to find there */
  size_t dir_len = strlen(dir);
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (++w->entries > SRV_SCAN_MAX_ENTRIES) {
      w->out->truncated = 1;
      break;
    }
    const char *name = e->d_name;
    if (name[0] == '.' || strcmp(name, "node_modules") == 0)
      continue; /* ".", "..", .git and other hidden folders */
    size_t len = dir_len + 1 + strlen(name) + 1;
    char *path = malloc(len);
    if (!path) {
      rc = -1;
      break;
    }
    memcpy(path, dir, dir_len);
    path[dir_len] = '/';
    strcpy(path + dir_len + 1, name);
    struct stat st;
    if (lstat(path, &st) == 0) {
      if (S_ISDIR(st.st_mode))
        rc = walk_dir(w, path, depth + 1);
      else if (S_ISREG(st.st_mode) && wanted(w, name))
        rc = keep(w, path);
    }
    free(path);
  }
  closedir(d);
  return rc;
}

int srv_scan_run(const char *const *roots, size_t root_count,
                 const char *const *profile_paths, size_t path_count,
                 srv_scan_t *out) {
  *out = (srv_scan_t){0};
  if (root_count == 0 || path_count == 0)
    return 0;
  walk_t w = {.out = out};
  w.bases = malloc(path_count * sizeof *w.bases);
  if (!w.bases)
    return -1;
  for (size_t i = 0; i < path_count; i++)
    w.bases[i] = base_of(profile_paths[i]);
  qsort(w.bases, path_count, sizeof *w.bases, cmp_str);
  w.base_count = path_count;
  int rc = 0;
  for (size_t r = 0; r < root_count && rc == 0; r++) {
    /* A root that is itself a symbolic link is followed: the user chose
     * it. */
    rc = walk_dir(&w, roots[r], 0);
  }
  free(w.bases);
  if (rc < 0) {
    srv_scan_close(out);
    return -1;
  }
  if (out->count)
    qsort(out->paths, out->count, sizeof *out->paths, cmp_by_base);
  return 0;
}

size_t srv_scan_find(const srv_scan_t *scan, const char *base, size_t *first) {
  size_t lo = 0, hi = scan->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(base_of(scan->paths[mid]), base) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *first = lo;
  size_t n = 0;
  while (lo + n < scan->count &&
         strcmp(base_of(scan->paths[lo + n]), base) == 0)
    n++;
  return n;
}

void srv_scan_close(srv_scan_t *scan) {
  for (size_t i = 0; i < scan->count; i++)
    free(scan->paths[i]);
  free(scan->paths);
  *scan = (srv_scan_t){0};
}
