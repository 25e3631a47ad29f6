/*
 * dump.c: golden_check's reading of a `dump` listing (every point of the
 * index: `# funcs= points= files=`, then per function an F line and its P
 * lines), and the full-tie groups: points of any functions with equal cum
 * and equal line, whose global levels the reference may order differently.
 */
#include "golden.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits line into at most max tab-separated NUL-terminated fields of buf. */
static size_t split_tabs(gd_line_t line, char *buf, char **fields,
                         size_t max) {
  memcpy(buf, line.s, line.len);
  buf[line.len] = '\0';
  size_t n = 0;
  char *p = buf;
  for (;;) {
    if (n == max)
      return max + 1;
    fields[n++] = p;
    char *tab = strchr(p, '\t');
    if (!tab)
      return n;
    *tab = '\0';
    p = tab + 1;
  }
}

static int parse_i64(const char *s, int64_t *out) {
  if (*s == '\0')
    return -1;
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

static int parse_keyed(const char *s, const char *key, int64_t *out) {
  size_t n = strlen(key);
  return strncmp(s, key, n) == 0 ? parse_i64(s + n, out) : -1;
}

static int utf8_put(char **w, unsigned long r) {
  char *p = *w;
  if (r < 0x80) {
    *p++ = (char)r;
  } else if (r < 0x800) {
    *p++ = (char)(0xC0 | (r >> 6));
    *p++ = (char)(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    *p++ = (char)(0xE0 | (r >> 12));
    *p++ = (char)(0x80 | ((r >> 6) & 0x3F));
    *p++ = (char)(0x80 | (r & 0x3F));
  } else if (r < 0x110000) {
    *p++ = (char)(0xF0 | (r >> 18));
    *p++ = (char)(0x80 | ((r >> 12) & 0x3F));
    *p++ = (char)(0x80 | ((r >> 6) & 0x3F));
    *p++ = (char)(0x80 | (r & 0x3F));
  } else {
    return -1;
  }
  *w = p;
  return 0;
}

static int hex_digits(const char *s, int n, unsigned long *out) {
  unsigned long v = 0;
  for (int i = 0; i < n; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return -1;
    v = v * 16 + (unsigned long)d;
  }
  *out = v;
  return 0;
}

char *gd_unquote(const char *q) {
  size_t n = strlen(q);
  if (n < 2 || q[0] != '"' || q[n - 1] != '"')
    return NULL;
  char *out = malloc(n * 2 + 1), *w = out;
  if (!out)
    return NULL;
  for (size_t i = 1; i < n - 1; i++) {
    char c = q[i];
    if (c == '"')
      goto bad;
    if (c != '\\') {
      *w++ = c;
      continue;
    }
    if (++i >= n - 1)
      goto bad;
    unsigned long r;
    switch (q[i]) {
    case 'a': *w++ = '\a'; break;
    case 'b': *w++ = '\b'; break;
    case 'f': *w++ = '\f'; break;
    case 'n': *w++ = '\n'; break;
    case 'r': *w++ = '\r'; break;
    case 't': *w++ = '\t'; break;
    case 'v': *w++ = '\v'; break;
    case '\\': *w++ = '\\'; break;
    case '"': *w++ = '"'; break;
    case '\'': *w++ = '\''; break;
    case 'x':
      if (i + 2 >= n - 1 || hex_digits(q + i + 1, 2, &r) != 0)
        goto bad;
      *w++ = (char)r;
      i += 2;
      break;
    case 'u':
    case 'U': {
      int digits = q[i] == 'u' ? 4 : 8;
      if (i + (size_t)digits >= n - 1 ||
          hex_digits(q + i + 1, digits, &r) != 0 || utf8_put(&w, r) != 0)
        goto bad;
      i += (size_t)digits;
      break;
    }
    default: goto bad;
    }
  }
  *w = '\0';
  return out;
bad:
  free(out);
  return NULL;
}

static char *make_id(const char *type, const char *func) {
  size_t n = strlen(type) + strlen(func) + 4;
  char *id = malloc(n);
  if (!id)
    return NULL;
  if (*type)
    snprintf(id, n, "(%s).%s", type, func);
  else
    snprintf(id, n, "%s", func);
  return id;
}

static int parse_f(gd_line_t line, char *buf, gd_func_t *f) {
  char *fld[12];
  if (split_tabs(line, buf, fld, 11) != 11 || strcmp(fld[0], "F") != 0)
    return -1;
  for (int i = 0; i < GD_F_COUNT; i++) {
    f->field[i] = strdup(fld[1 + i]);
    f->plain[i] = gd_unquote(fld[1 + i]);
    if (!f->field[i] || !f->plain[i])
      return -1;
  }
  int64_t ml, mg, count;
  if (parse_keyed(fld[6], "maxL=", &ml) || parse_keyed(fld[7], "maxG=", &mg) ||
      parse_keyed(fld[8], "minLine=", &f->min_line) ||
      parse_keyed(fld[9], "maxLine=", &f->max_line) ||
      parse_keyed(fld[10], "npoints=", &count) || count < 0 || ml < 0 ||
      ml > 5 || mg < 0 || mg > 5)
    return -1;
  f->max_l = (int)ml;
  f->max_g = (int)mg;
  f->count = (size_t)count;
  f->id = make_id(f->plain[GD_F_TYPE], f->plain[GD_F_FUNC]);
  return f->id ? 0 : -1;
}

static int parse_p(gd_line_t line, char *buf, gd_point_t *p) {
  char *fld[7];
  int64_t l, g;
  if (split_tabs(line, buf, fld, 6) != 6 || strcmp(fld[0], "P") != 0 ||
      parse_i64(fld[1], &p->line) || parse_i64(fld[2], &p->flat) ||
      parse_i64(fld[3], &p->cum) || parse_i64(fld[4], &l) ||
      parse_i64(fld[5], &g) || l < 0 || l > 5 || g < 0 || g > 5)
    return -1;
  p->l = (int)l;
  p->g = (int)g;
  return 0;
}

static const gd_point_t *sort_points;

static int by_cum_line(const void *a, const void *b) {
  const gd_point_t *x = &sort_points[*(const size_t *)a];
  const gd_point_t *y = &sort_points[*(const size_t *)b];
  if (x->cum != y->cum)
    return x->cum < y->cum ? -1 : 1;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return 0;
}

static int find_groups(gd_dump_t *d) {
  size_t *idx = malloc((d->npoints ? d->npoints : 1) * sizeof *idx);
  if (!idx)
    return -1;
  for (size_t i = 0; i < d->npoints; i++)
    idx[i] = i;
  sort_points = d->points;
  qsort(idx, d->npoints, sizeof *idx, by_cum_line);
  d->ngroups = 0;
  for (size_t i = 0; i < d->npoints;) {
    size_t j = i + 1;
    while (j < d->npoints && by_cum_line(&idx[i], &idx[j]) == 0)
      j++;
    for (size_t k = i; k < j; k++) {
      d->points[idx[k]].group = d->ngroups;
      d->points[idx[k]].group_size = j - i;
    }
    d->ngroups++;
    i = j;
  }
  free(idx);
  return 0;
}

int gd_dump_parse(const gd_text_t *t, gd_dump_t *d, gd_error_t *err) {
  memset(d, 0, sizeof *d);
  unsigned long long nf, np, nfiles;
  char head[128];
  if (t->count == 0 || t->lines[0].len >= sizeof head)
    return gd_fail(err, "line 1: no `# funcs=` header");
  memcpy(head, t->lines[0].s, t->lines[0].len);
  head[t->lines[0].len] = '\0';
  int used = 0;
  if (sscanf(head, "# funcs=%llu points=%llu files=%llu%n", &nf, &np, &nfiles,
             &used) != 3 ||
      (size_t)used != t->lines[0].len)
    return gd_fail(err, "line 1: not a `# funcs=N points=N files=N` header");
  if (nf + np + 1 != t->count)
    return gd_fail(err,
                   "the header announces %llu functions and %llu points, "
                   "but there are %zu lines after it",
                   nf, np, t->count - 1);
  /* one spare record: a function that fails to parse is freed with it */
  d->funcs = calloc(nf + 1, sizeof *d->funcs);
  d->points = calloc(np ? np : 1, sizeof *d->points);
  d->line_point = malloc(t->count * sizeof *d->line_point);
  d->line_func = malloc(t->count * sizeof *d->line_func);
  size_t maxlen = 0;
  for (size_t i = 0; i < t->count; i++)
    if (t->lines[i].len > maxlen)
      maxlen = t->lines[i].len;
  char *buf = malloc(maxlen + 1);
  if (!d->funcs || !d->points || !d->line_point || !d->line_func || !buf) {
    free(buf);
    gd_dump_close(d);
    return gd_fail(err, "out of memory");
  }
  d->line_point[0] = d->line_func[0] = SIZE_MAX;
  size_t i = 1;
  while (i < t->count) {
    if (d->nfuncs == nf)
      goto bad;
    gd_func_t *f = &d->funcs[d->nfuncs];
    f->text_line = i;
    if (parse_f(t->lines[i], buf, f) != 0 || f->count > np - d->npoints)
      goto bad;
    d->line_point[i] = SIZE_MAX;
    d->line_func[i] = d->nfuncs;
    f->first = d->npoints;
    i++;
    for (size_t k = 0; k < f->count; k++, i++) {
      gd_point_t *p = &d->points[d->npoints];
      if (i >= t->count || parse_p(t->lines[i], buf, p) != 0)
        goto bad;
      p->func = d->nfuncs;
      p->text_line = i;
      d->line_point[i] = d->npoints;
      d->line_func[i] = d->nfuncs;
      d->npoints++;
    }
    d->nfuncs++;
  }
  free(buf);
  if (d->nfuncs != nf || d->npoints != np) {
    gd_dump_close(d);
    return gd_fail(err,
                   "%zu functions and %zu points, the header says "
                   "%llu and %llu",
                   d->nfuncs, d->npoints, nf, np);
  }
  if (find_groups(d) != 0) {
    gd_dump_close(d);
    return gd_fail(err, "out of memory");
  }
  return 0;
bad:
  free(buf);
  gd_dump_close(d);
  return gd_fail(err, "line %zu: not a well-formed %s line", i + 1,
                 i < t->count && gd_line_starts(t->lines[i], "P") ? "P" : "F");
}

void gd_dump_close(gd_dump_t *d) {
  for (size_t i = 0; d->funcs && i <= d->nfuncs; i++) {
    gd_func_t *f = &d->funcs[i];
    for (int k = 0; k < GD_F_COUNT; k++) {
      free(f->field[k]);
      free(f->plain[k]);
    }
    free(f->id);
  }
  free(d->funcs);
  free(d->points);
  free(d->line_point);
  free(d->line_func);
  memset(d, 0, sizeof *d);
}

int gd_dump_aligned(const gd_dump_t *a, const gd_dump_t *b) {
  if (a->nfuncs != b->nfuncs || a->npoints != b->npoints)
    return 0;
  for (size_t i = 0; i < a->nfuncs; i++) {
    const gd_func_t *x = &a->funcs[i], *y = &b->funcs[i];
    if (x->count != y->count)
      return 0;
    for (int k = 0; k < GD_F_COUNT; k++)
      if (strcmp(x->field[k], y->field[k]) != 0)
        return 0;
  }
  for (size_t i = 0; i < a->npoints; i++)
    if (a->points[i].line != b->points[i].line)
      return 0;
  return 1;
}
