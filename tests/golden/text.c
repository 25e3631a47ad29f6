/*
 * text.c: golden_check's files. Expected outputs are read whole, through
 * zlib so that gzipped and plain files read alike, and split into lines
 * that point into the buffer. Also writes expected files in update mode.
 */
#include "golden.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

int gd_fail(gd_error_t *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (err)
    vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return -1;
}

int gd_text_load(const char *path, gd_text_t *t, gd_error_t *err) {
  memset(t, 0, sizeof *t);
  gzFile f = gzopen(path, "rb");
  if (!f)
    return gd_fail(err, "cannot open %s: %s", path, strerror(errno));
  size_t cap = 1 << 16, size = 0;
  char *data = malloc(cap);
  if (!data) {
    gzclose(f);
    return gd_fail(err, "out of memory reading %s", path);
  }
  for (;;) {
    if (size == cap) {
      if (cap >= GD_MAX_TEXT) {
        free(data);
        gzclose(f);
        return gd_fail(err, "%s is larger than %zu bytes", path, GD_MAX_TEXT);
      }
      char *bigger = realloc(data, cap * 2);
      if (!bigger) {
        free(data);
        gzclose(f);
        return gd_fail(err, "out of memory reading %s", path);
      }
      data = bigger;
      cap *= 2;
    }
    size_t want = cap - size > (1u << 30) ? (1u << 30) : cap - size;
    int n = gzread(f, data + size, (unsigned)want);
    if (n < 0) {
      int code;
      const char *msg = gzerror(f, &code);
      gd_fail(err, "cannot read %s: %s", path, msg);
      free(data);
      gzclose(f);
      return -1;
    }
    if (n == 0)
      break;
    size += (size_t)n;
  }
  gzclose(f);
  return gd_text_adopt(t, data, size, err);
}

int gd_text_adopt(gd_text_t *t, char *data, size_t size, gd_error_t *err) {
  memset(t, 0, sizeof *t);
  t->data = data;
  t->size = size;
  t->final_newline = size == 0 || data[size - 1] == '\n';
  size_t count = 0;
  for (size_t i = 0; i < size; i++)
    count += data[i] == '\n';
  if (!t->final_newline)
    count++;
  t->lines = calloc(count ? count : 1, sizeof *t->lines);
  if (!t->lines) {
    free(data);
    t->data = NULL;
    return gd_fail(err, "out of memory splitting lines");
  }
  size_t start = 0, n = 0;
  for (size_t i = 0; i < size; i++) {
    if (data[i] == '\n') {
      t->lines[n].s = data + start;
      t->lines[n].len = i - start;
      n++;
      start = i + 1;
    }
  }
  if (start < size) {
    t->lines[n].s = data + start;
    t->lines[n].len = size - start;
    n++;
  }
  t->count = n;
  return 0;
}

void gd_text_close(gd_text_t *t) {
  free(t->data);
  free(t->lines);
  memset(t, 0, sizeof *t);
}

int gd_text_find(const char *dir, const char *name, char *out, size_t outlen) {
  struct stat st;
  if (!out || outlen == 0)
    return -1;
  snprintf(out, outlen, "%s/%s.gz", dir, name);
  if (stat(out, &st) == 0)
    return 0;
  snprintf(out, outlen, "%s/%s", dir, name);
  return stat(out, &st) == 0 ? 0 : -1;
}

int gd_mkdirs(const char *path, gd_error_t *err) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return gd_fail(err, "path too long: %s", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char c = *p;
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return gd_fail(err, "cannot create %s: %s", buf, strerror(errno));
      *p = c;
      if (c == '\0')
        break;
    }
  }
  return 0;
}

int gd_text_write(const char *path, const char *data, size_t size,
                  gd_error_t *err) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return gd_fail(err, "cannot write %s: %s", path, strerror(errno));
  int bad = size && fwrite(data, 1, size, f) != size;
  if (fclose(f) != 0 || bad)
    return gd_fail(err, "cannot write %s: %s", path, strerror(errno));
  return 0;
}

int gd_line_eq(gd_line_t a, gd_line_t b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.s, b.s, a.len) == 0);
}

int gd_line_starts(gd_line_t line, const char *prefix) {
  size_t n = strlen(prefix);
  return line.len >= n && memcmp(line.s, prefix, n) == 0;
}
