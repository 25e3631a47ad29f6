/*
 * walk.c: the files a search reads. Directories are walked depth first in
 * bytewise name order; ".git" and "vendor" are skipped unless named;
 * below a named path, symbolic links to files are read and those to
 * directories are not followed. A structural search
 * reads the files of a language it knows (by extension, or --lang); a
 * regex reads every file. A file that cannot be read, is too big, takes
 * too long to parse, or is of a language the pattern does not parse in is
 * skipped with a warning and the walk goes on; binary files (a NUL byte in
 * the first 8 KiB) are skipped quietly unless named.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BINARY_PROBE 8192

typedef struct walker {
  hs_searcher_t *s;
  const hs_options_t *opts;
  hs_file_cb on_file;
  hs_warn_cb on_warning;
  void *data;
  hs_walk_stats_t stats;
  hs_result_t result;
  char *buf;
  size_t buf_cap;
  bool noted[HS_MAX_LANGS];        /* files of the language had no grammar */
  hs_error_t failed[HS_MAX_LANGS]; /* why the pattern fails in a language */
  hs_error_t lang_err; /* the first language the pattern failed in */
  hs_error_t *err;
} walker_t;

static void warn(walker_t *w, const char *path, int code, const char *msg) {
  hs_error_t e;
  hs__fail(&e, code, "%s", msg);
  if (path)
    w->stats.skipped++;
  if (w->on_warning)
    w->on_warning(w->data, path, &e);
}

static void warn_errno(walker_t *w, const char *path, const char *what,
                       int errnum) {
  hs_error_t e;
  hs__fail(&e, HS_EIO, "%s: %s", what, strerror(errnum));
  w->stats.skipped++;
  if (w->on_warning)
    w->on_warning(w->data, path, &e);
}

/* Reads a whole file into w->buf: 0, 1 when skipped (warned), or < 0. */
static int read_file(walker_t *w, const char *path, bool named, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    warn_errno(w, path, "cannot open", errno);
    return 1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    warn_errno(w, path, "cannot stat", errno);
    close(fd);
    return 1;
  }
  if ((uint64_t)st.st_size > (uint64_t)w->opts->max_file_size) {
    char msg[128];
    snprintf(msg, sizeof msg, "%lld bytes, over the limit of %zu: skipped",
             (long long)st.st_size, w->opts->max_file_size);
    warn(w, path, HS_ETOOBIG, msg);
    close(fd);
    return 1;
  }
  size_t want = (size_t)st.st_size + 1, got = 0;
  if (want > w->buf_cap) {
    char *buf = realloc(w->buf, want);
    if (buf == NULL) {
      close(fd);
      return hs__fail(w->err, HS_ENOMEM, "out of memory");
    }
    w->buf = buf;
    w->buf_cap = want;
  }
  for (;;) {
    if (got == w->buf_cap - 1) { /* grew since fstat: read to the cap */
      if (got >= w->opts->max_file_size) {
        warn(w, path, HS_ETOOBIG, "grew over the limit while read: skipped");
        close(fd);
        return 1;
      }
      size_t cap = w->buf_cap * 2;
      char *buf = realloc(w->buf, cap);
      if (buf == NULL) {
        close(fd);
        return hs__fail(w->err, HS_ENOMEM, "out of memory");
      }
      w->buf = buf;
      w->buf_cap = cap;
    }
    ssize_t n = read(fd, w->buf + got, w->buf_cap - 1 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      warn_errno(w, path, "cannot read", errno);
      close(fd);
      return 1;
    }
    if (n == 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  w->buf[got] = '\0';
  if (memchr(w->buf, '\0', got < BINARY_PROBE ? got : BINARY_PROBE)) {
    if (named)
      warn(w, path, HS_EBINARY, "binary file: skipped");
    return 1;
  }
  *len = got;
  return 0;
}

/* The language to read path in: 1 and *lang, 0 when the file is not one
 * to read, or < 0. */
static int choose_lang(walker_t *w, const char *path, bool named,
                       const hs_lang_t **lang) {
  *lang = NULL;
  if (w->opts->kind == HS_KIND_REGEX)
    return 1;
  const hs_lang_t *l = hs_langs_for_path(w->opts->langs, path);
  if (w->opts->lang) {
    if (named)
      l = w->opts->lang;
    else if (l != w->opts->lang)
      return 0;
  }
  if (l == NULL)
    return 0;
  if (l->ts == NULL) {
    /* Said at the end, as for a pattern that does not parse. */
    w->stats.no_grammar++;
    w->noted[l->id] = true;
    return 0;
  }
  hs_error_t e = {0};
  int ready = hs__searcher_prepare(w->s, l, &e);
  if (ready < 0)
    return ready == HS_ENOMEM ? hs__fail(w->err, ready, "out of memory")
                              : (*w->err = e, ready);
  if (ready == 0) {
    /* Said at the end: as an error when nothing else was searched. */
    if (w->lang_err.code == 0)
      w->lang_err = e;
    w->failed[l->id] = e;
    return 0;
  }
  *lang = l;
  return 1;
}

static int search_file(walker_t *w, const char *path, bool named) {
  const hs_lang_t *lang;
  int rc = choose_lang(w, path, named, &lang);
  if (rc <= 0)
    return rc;
  size_t len = 0;
  rc = read_file(w, path, named, &len);
  if (rc != 0)
    return rc < 0 ? rc : 0;
  hs_error_t e = {0};
  rc = hs_searcher_run(w->s, lang, w->buf, len, &w->result, &e);
  if (rc == HS_ENOMEM)
    return hs__fail(w->err, rc, "out of memory");
  if (rc < 0) {
    warn(w, path, rc, e.message);
    return 0;
  }
  w->stats.files++;
  if (w->result.count == 0)
    return 0;
  w->stats.matches += w->result.count;
  hs_file_t f = {path, lang, w->buf, len, &w->result};
  return w->on_file ? w->on_file(w->data, &f) : 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(walker_t *w, const char *path, bool named, int depth);

static int walk_dir(walker_t *w, const char *path, int depth) {
  if (depth > HS_MAX_DEPTH) {
    warn(w, path, HS_ETOOBIG, "directories nested too deeply: skipped");
    return 0;
  }
  DIR *dir = opendir(path);
  if (dir == NULL) {
    warn_errno(w, path, "cannot open directory", errno);
    return 0;
  }
  char **names = NULL;
  size_t count = 0, cap = 0;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (count == cap) {
      cap = cap ? cap * 2 : 32;
      char **more = realloc(names, cap * sizeof *more);
      if (more == NULL) {
        rc = hs__fail(w->err, HS_ENOMEM, "out of memory");
        break;
      }
      names = more;
    }
    size_t n = strlen(e->d_name);
    if ((names[count] = malloc(n + 1)) == NULL) {
      rc = hs__fail(w->err, HS_ENOMEM, "out of memory");
      break;
    }
    memcpy(names[count++], e->d_name, n + 1);
  }
  closedir(dir);
  if (rc == 0 && count > 1)
    qsort(names, count, sizeof *names, by_name);
  /* "." walks as gogrep's does: "x.go", not "./x.go". */
  size_t plen = strcmp(path, ".") == 0 ? 0 : strlen(path);
  bool slash = plen == 0 || path[plen - 1] == '/';
  for (size_t i = 0; rc == 0 && i < count; i++) {
    size_t n = strlen(names[i]);
    char *child = malloc(plen + n + 2);
    if (child == NULL) {
      rc = hs__fail(w->err, HS_ENOMEM, "out of memory");
      break;
    }
    memcpy(child, path, plen);
    size_t at = plen;
    if (!slash)
      child[at++] = '/';
    memcpy(child + at, names[i], n + 1);
    rc = walk(w, child, false, depth + 1);
    free(child);
  }
  for (size_t i = 0; i < count; i++)
    free(names[i]);
  free(names);
  return rc;
}

static int walk(walker_t *w, const char *path, bool named, int depth) {
  struct stat st;
  if ((named ? stat(path, &st) : lstat(path, &st)) != 0) {
    warn_errno(w, path, "cannot stat", errno);
    return 0;
  }
  if (S_ISLNK(st.st_mode)) {
    /* Below a named path: a link to a file is read, one to a directory
     * is not followed (no cycles), a dangling one is a file we cannot
     * read. */
    if (stat(path, &st) != 0) {
      warn_errno(w, path, "cannot open", errno);
      return 0;
    }
    if (!S_ISREG(st.st_mode))
      return 0;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!named) {
      const char *base = strrchr(path, '/');
      base = base ? base + 1 : path;
      if (strcmp(base, ".git") == 0 || strcmp(base, "vendor") == 0)
        return 0;
    }
    return walk_dir(w, path, depth);
  }
  if (S_ISREG(st.st_mode))
    return search_file(w, path, named);
  if (named)
    warn(w, path, HS_EIO, "not a regular file or a directory: skipped");
  return 0;
}

int hs_searcher_walk(hs_searcher_t *s, const char *const *paths, size_t n,
                     hs_file_cb on_file, hs_warn_cb on_warning, void *data,
                     hs_walk_stats_t *stats, hs_error_t *err) {
  if (s == NULL || (paths == NULL && n > 0))
    return hs__fail(err, HS_EINVAL, "bad argument");
  hs_error_t local = {0};
  walker_t w = {0};
  w.s = s;
  w.opts = hs__searcher_options(s);
  w.on_file = on_file;
  w.on_warning = on_warning;
  w.data = data;
  w.err = err ? err : &local;
  hs_result_init(&w.result);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < n; i++)
    rc = walk(&w, paths[i], true, 0);
  const hs_langs_t *langs = w.opts->langs;
  for (size_t i = 0; rc == 0 && w.stats.files > 0 && langs && i < langs->count;
       i++)
    if (w.noted[i]) {
      char msg[160];
      snprintf(msg, sizeof msg,
               "no tree-sitter grammar for %s in this build: its files are "
               "skipped",
               langs->items[i]->name);
      warn(&w, NULL, HS_ENOGRAMMAR, msg);
    }
  for (size_t i = 0; rc == 0 && w.stats.files > 0 && i < HS_MAX_LANGS; i++)
    if (w.failed[i].code != 0) {
      char msg[600];
      snprintf(msg, sizeof msg, "%s: its files are skipped",
               w.failed[i].message);
      warn(&w, NULL, w.failed[i].code, msg);
    }
  if (rc == 0 && w.stats.files == 0 && w.lang_err.code != 0) {
    *w.err = w.lang_err;
    rc = w.lang_err.code;
  } else if (rc == 0 && w.stats.files == 0 && w.stats.no_grammar > 0) {
    rc = hs__fail(w.err, HS_ENOGRAMMAR,
                  "no tree-sitter grammar in this build for the files "
                  "searched (heatls --version lists the languages)");
  }
  hs_result_close(&w.result);
  free(w.buf);
  if (stats)
    *stats = w.stats;
  return rc;
}
