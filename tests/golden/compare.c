/*
 * compare.c: compares one heatls output with its expected text, line by
 * line, and allows exactly these differences:
 *   - a global level (G) of a point in a full-tie group (two or more points
 *     of different functions with equal cum and equal line) whose G multiset
 *     is the same in both dumps, wherever that point is printed (dump P
 *     line, json row, stat line), and a dump F line's maxG that follows it;
 *   - in stat, a `  func` header that heatls prints for a function whose ID
 *     equals the previous function's (the reference prints one header);
 *   - in canonical json (rows sorted within each file on both sides), the
 *     order of rows and their trailing commas.
 * Every other byte must be equal.
 */
#include "golden.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_ROW "\t\t\t\t["
#define JSON_NAME "\t\t\t\"name\": "
#define STAT_FUNC "  func "
#define STAT_ROW "    line "

/* ---- levels: which points may show another G ------------------------- */

static const gd_dump_t *sort_dump;

static int by_path_line(const void *a, const void *b) {
  const gd_point_t *x = &sort_dump->points[*(const size_t *)a];
  const gd_point_t *y = &sort_dump->points[*(const size_t *)b];
  int c = strcmp(sort_dump->funcs[x->func].field[GD_F_PATH],
                 sort_dump->funcs[y->func].field[GD_F_PATH]);
  if (c)
    return c;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

int gd_levels_init(gd_levels_t *lv, const gd_dump_t *exp, const gd_dump_t *got,
                   gd_error_t *err) {
  memset(lv, 0, sizeof *lv);
  lv->exp = exp;
  lv->got = got;
  lv->aligned = got && gd_dump_aligned(exp, got);
  size_t n = exp->npoints ? exp->npoints : 1;
  lv->group_ok = calloc(exp->ngroups ? exp->ngroups : 1, 1);
  lv->by_path_line = malloc(n * sizeof *lv->by_path_line);
  long *hist = calloc((exp->ngroups ? exp->ngroups : 1) * 12, sizeof *hist);
  if (!lv->group_ok || !lv->by_path_line || !hist) {
    free(hist);
    gd_levels_close(lv);
    return gd_fail(err, "out of memory");
  }
  if (lv->aligned) {
    for (size_t p = 0; p < exp->npoints; p++) {
      size_t g = exp->points[p].group;
      hist[g * 12 + (size_t)exp->points[p].g]++;
      hist[g * 12 + 6 + (size_t)got->points[p].g]++;
    }
    for (size_t g = 0; g < exp->ngroups; g++)
      lv->group_ok[g] =
          memcmp(&hist[g * 12], &hist[g * 12 + 6], 6 * sizeof *hist) == 0;
  }
  free(hist);
  for (size_t p = 0; p < exp->npoints; p++)
    lv->by_path_line[p] = p;
  sort_dump = exp;
  qsort(lv->by_path_line, exp->npoints, sizeof *lv->by_path_line,
        by_path_line);
  return 0;
}

void gd_levels_close(gd_levels_t *lv) {
  free(lv->group_ok);
  free(lv->by_path_line);
  memset(lv, 0, sizeof *lv);
}

int gd_levels_swap_ok(const gd_levels_t *lv, size_t p) {
  if (!lv || !lv->aligned || p >= lv->exp->npoints)
    return 0;
  const gd_point_t *e = &lv->exp->points[p];
  return e->group_size >= 2 && lv->group_ok[e->group] &&
         e->g != lv->got->points[p].g;
}

/* ---- reporting ------------------------------------------------------- */

void gd_report(gd_stats_t *st, const char *what, const char *fmt, ...) {
  st->differences++;
  if (st->shown >= GD_SHOW_MAX)
    return;
  st->shown++;
  if (what)
    fprintf(stderr, "DIFF %s\n", what);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

/* ---- views: the lines compared, with their numbers in the output ----- */

typedef struct view {
  gd_line_t *lines;
  size_t *number; /* 1-based line number in the text it comes from */
  size_t count;
} view_t;

static int view_init(view_t *v, size_t cap) {
  v->count = 0;
  v->lines = malloc((cap ? cap : 1) * sizeof *v->lines);
  v->number = malloc((cap ? cap : 1) * sizeof *v->number);
  return v->lines && v->number ? 0 : -1;
}

static void view_close(view_t *v) {
  free(v->lines);
  free(v->number);
}

static void view_push(view_t *v, gd_line_t line, size_t number) {
  v->lines[v->count] = line;
  v->number[v->count] = number;
  v->count++;
}

/* ---- parsing of single lines ----------------------------------------- */

typedef struct row {
  int64_t v[4]; /* line, L, G, value */
  int comma;
} row_t;

static int parse_row(gd_line_t line, row_t *r) {
  if (!gd_line_starts(line, JSON_ROW) || line.len > 200)
    return -1;
  char buf[256];
  memcpy(buf, line.s, line.len);
  buf[line.len] = '\0';
  const char *p = buf + strlen(JSON_ROW);
  for (int i = 0; i < 4; i++) {
    char *end;
    if (!(*p == '-' || (*p >= '0' && *p <= '9')))
      return -1;
    r->v[i] = strtoll(p, &end, 10);
    p = end;
    if (i < 3) {
      if (strncmp(p, ", ", 2) != 0)
        return -1;
      p += 2;
    }
  }
  if (*p++ != ']')
    return -1;
  r->comma = *p == ',';
  p += r->comma;
  return *p == '\0' ? 0 : -1;
}

/* Splits "<prefix><sep><int>" at the last sep: 0 when found. */
static int split_last(gd_line_t line, const char *sep, size_t *prefix_len,
                      long *value) {
  size_t n = strlen(sep);
  for (size_t i = line.len; i-- > 0;) {
    if (i + n <= line.len && memcmp(line.s + i, sep, n) == 0) {
      char buf[32];
      size_t k = line.len - i - n;
      if (k == 0 || k >= sizeof buf)
        return -1;
      memcpy(buf, line.s + i + n, k);
      buf[k] = '\0';
      char *end;
      *value = strtol(buf, &end, 10);
      if (*end != '\0' || buf[0] == '-' || buf[0] == '+')
        return -1;
      *prefix_len = i;
      return 0;
    }
  }
  return -1;
}

/* Two lines that differ only in the integer after their last sep: 1, and
 * the two integers. */
static int only_last_differs(gd_line_t a, gd_line_t b, const char *sep,
                             long *va, long *vb) {
  size_t pa, pb;
  if (split_last(a, sep, &pa, va) || split_last(b, sep, &pb, vb))
    return 0;
  return pa == pb && memcmp(a.s, b.s, pa) == 0 && *va != *vb;
}

/* The nearest line at or before i that starts with prefix, or NULL. */
static const gd_line_t *context_line(const view_t *v, size_t i,
                                     const char *prefix) {
  if (i >= v->count)
    i = v->count;
  for (size_t k = i + 1; k-- > 0;)
    if (k < v->count && gd_line_starts(v->lines[k], prefix))
      return &v->lines[k];
  return NULL;
}

static int64_t json_value(int64_t cum_us, double mult) {
  return (int64_t)((double)(cum_us * 1000) * mult);
}

/* ---- the allowances -------------------------------------------------- */

typedef struct cmp {
  const gd_compare_t *c;
  view_t exp, got;
  size_t *exp_row, *got_row; /* stat: row ordinal per view line */
} cmp_t;

static int dump_f_maxg_ok(const cmp_t *k, size_t i) {
  const gd_levels_t *lv = k->c->levels;
  size_t f = lv->exp->line_func[i];
  if (f == SIZE_MAX || lv->exp->line_point[i] != SIZE_MAX)
    return 0;
  gd_line_t a = k->exp.lines[i], b = k->got.lines[i];
  /* Both lines: identical except the digit after "\tmaxG=". */
  size_t pa = 0;
  for (; pa + 6 <= a.len; pa++)
    if (memcmp(a.s + pa, "\tmaxG=", 6) == 0)
      break;
  if (pa + 7 > a.len || a.len != b.len || memcmp(a.s, b.s, pa + 6) != 0 ||
      memcmp(a.s + pa + 7, b.s + pa + 7, a.len - pa - 7) != 0)
    return 0;
  const gd_func_t *fe = &lv->exp->funcs[f], *fg = &lv->got->funcs[f];
  int me = 0, mg = 0, swapped = 0;
  for (size_t p = fe->first; p < fe->first + fe->count; p++) {
    if (lv->exp->points[p].g > me)
      me = lv->exp->points[p].g;
    if (lv->got->points[p].g > mg)
      mg = lv->got->points[p].g;
    swapped |= gd_levels_swap_ok(lv, p);
  }
  return swapped && fe->max_g == me && fg->max_g == mg && me != mg;
}

static int dump_ok(const cmp_t *k, size_t i) {
  const gd_levels_t *lv = k->c->levels;
  if (!lv->aligned)
    return 0;
  size_t p = lv->exp->line_point[i];
  if (p == SIZE_MAX)
    return dump_f_maxg_ok(k, i);
  long ge, gg;
  return only_last_differs(k->exp.lines[i], k->got.lines[i], "\t", &ge, &gg) &&
         ge == lv->exp->points[p].g && gg == lv->got->points[p].g &&
         gd_levels_swap_ok(lv, p);
}

/* The quoted file name of the json entry that line i belongs to. */
static int json_name(const view_t *v, size_t i, const char **s, size_t *len) {
  const gd_line_t *n = context_line(v, i, JSON_NAME);
  if (!n)
    return -1;
  size_t start = strlen(JSON_NAME), end = n->len;
  if (end > start && n->s[end - 1] == ',')
    end--;
  *s = n->s + start;
  *len = end - start;
  return 0;
}

static int json_ok(const cmp_t *k, size_t i) {
  const gd_levels_t *lv = k->c->levels;
  row_t re, rg;
  if (!lv->aligned || parse_row(k->exp.lines[i], &re) ||
      parse_row(k->got.lines[i], &rg))
    return 0;
  if (re.v[0] != rg.v[0] || re.v[1] != rg.v[1] || re.v[3] != rg.v[3] ||
      re.comma != rg.comma || re.v[2] == rg.v[2])
    return 0;
  const char *ne, *ng;
  size_t le, lg;
  if (json_name(&k->exp, i, &ne, &le) || json_name(&k->got, i, &ng, &lg) ||
      le != lg || memcmp(ne, ng, le) != 0)
    return 0;
  /* Find the points of that file and line (exp dump, sorted by both). */
  const gd_dump_t *d = lv->exp;
  size_t lo = 0, hi = d->npoints;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const gd_point_t *p = &d->points[lv->by_path_line[mid]];
    const char *path = d->funcs[p->func].field[GD_F_PATH];
    size_t plen = strlen(path);
    int c = memcmp(path, ne, plen < le ? plen : le);
    if (c == 0)
      c = plen < le ? -1 : plen > le ? 1 : 0;
    if (c < 0 || (c == 0 && p->line < re.v[0]))
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < d->npoints; lo++) {
    size_t q = lv->by_path_line[lo];
    const gd_point_t *p = &d->points[q];
    const char *path = d->funcs[p->func].field[GD_F_PATH];
    if (strlen(path) != le || memcmp(path, ne, le) != 0 || p->line != re.v[0])
      break;
    if (p->l == re.v[1] && json_value(p->cum, k->c->json_mult) == re.v[3] &&
        p->g == re.v[2] && lv->got->points[q].g == rg.v[2] &&
        gd_levels_swap_ok(lv, q))
      return 1;
  }
  return 0;
}

static int stat_ok(const cmp_t *k, size_t i) {
  const gd_levels_t *lv = k->c->levels;
  size_t r = k->exp_row[i];
  long ge, gg;
  if (!lv->aligned || r == SIZE_MAX || r != k->got_row[i] ||
      r >= lv->exp->npoints)
    return 0;
  return only_last_differs(k->exp.lines[i], k->got.lines[i], " G=", &ge,
                           &gg) &&
         ge == lv->exp->points[r].g && gg == lv->got->points[r].g &&
         gd_levels_swap_ok(lv, r);
}

/* ---- building the views ---------------------------------------------- */

static int plain_view(view_t *v, const gd_text_t *t) {
  if (view_init(v, t->count))
    return -1;
  for (size_t i = 0; i < t->count; i++)
    view_push(v, t->lines[i], i + 1);
  return 0;
}

/* heatls's stat without the headers the reference would merge. */
static int stat_view(view_t *v, const gd_text_t *t, const gd_dump_t *d,
                     gd_stats_t *st) {
  if (view_init(v, t->count))
    return -1;
  size_t fi = SIZE_MAX;
  for (size_t i = 0; i < t->count; i++) {
    gd_line_t line = t->lines[i];
    if (gd_line_starts(line, STAT_FUNC) && d) {
      fi = fi == SIZE_MAX ? 0 : fi + 1;
      if (fi > 0 && fi < d->nfuncs &&
          strcmp(d->funcs[fi].id, d->funcs[fi - 1].id) == 0) {
        const gd_func_t *f = &d->funcs[fi];
        size_t n = strlen(f->plain[GD_F_PKG]) + strlen(f->id) +
                   strlen(f->plain[GD_F_PATH]) + 16;
        char *want = malloc(n);
        if (!want)
          return -1;
        snprintf(want, n, STAT_FUNC "%s.%s (%s):", f->plain[GD_F_PKG], f->id,
                 f->plain[GD_F_PATH]);
        int same =
            strlen(want) == line.len && memcmp(want, line.s, line.len) == 0;
        free(want);
        if (same) {
          st->headers++;
          continue;
        }
      }
    }
    view_push(v, line, i + 1);
  }
  return 0;
}

static int row_index(view_t *v, size_t **out) {
  *out = malloc((v->count ? v->count : 1) * sizeof **out);
  if (!*out)
    return -1;
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++)
    (*out)[i] = gd_line_starts(v->lines[i], STAT_ROW) ? n++ : SIZE_MAX;
  return 0;
}

typedef struct keyed {
  row_t row;
  int ok;
  size_t pos;
  gd_line_t line;
  size_t number;
} keyed_t;

static int by_row(const void *a, const void *b) {
  const keyed_t *x = a, *y = b;
  if (x->ok != y->ok)
    return x->ok ? -1 : 1;
  if (x->ok) {
    static const int order[4] = {0, 1, 3, 2}; /* line, L, value, G */
    for (int i = 0; i < 4; i++) {
      int64_t u = x->row.v[order[i]], w = y->row.v[order[i]];
      if (u != w)
        return u < w ? -1 : 1;
    }
  }
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* json with the rows of each file sorted and their commas dropped. */
static int canon_view(view_t *v, const gd_text_t *t) {
  if (view_init(v, t->count))
    return -1;
  keyed_t *run = malloc((t->count ? t->count : 1) * sizeof *run);
  if (!run)
    return -1;
  for (size_t i = 0; i < t->count;) {
    if (!gd_line_starts(t->lines[i], JSON_ROW)) {
      view_push(v, t->lines[i], i + 1);
      i++;
      continue;
    }
    size_t n = 0;
    for (; i < t->count && gd_line_starts(t->lines[i], JSON_ROW); i++, n++) {
      keyed_t *k = &run[n];
      k->ok = parse_row(t->lines[i], &k->row) == 0;
      k->pos = n;
      k->line = t->lines[i];
      if (k->ok && k->row.comma)
        k->line.len--;
      k->number = i + 1;
    }
    qsort(run, n, sizeof *run, by_row);
    for (size_t j = 0; j < n; j++)
      view_push(v, run[j].line, run[j].number);
  }
  free(run);
  return 0;
}

/* ---- the comparison -------------------------------------------------- */

static size_t lv_points(const gd_levels_t *lv) {
  return lv ? lv->exp->npoints : 0;
}

static void show(const cmp_t *k, gd_stats_t *st, size_t i, int *first) {
  const gd_compare_t *c = k->c;
  const char *ctx_prefix = c->kind == GD_DUMP    ? "F\t"
                           : c->kind == GD_STAT  ? STAT_FUNC
                           : c->kind == GD_EXACT ? NULL
                                                 : JSON_NAME;
  const gd_line_t *ctx = NULL;
  if (ctx_prefix && i < k->exp.count &&
      !gd_line_starts(k->exp.lines[i], ctx_prefix))
    ctx = context_line(&k->exp, i, ctx_prefix);
  char where[128];
  if (i < k->got.count)
    snprintf(where, sizeof where, "heatls line %zu", k->got.number[i]);
  else
    snprintf(where, sizeof where, "heatls output ended after %zu lines",
             k->got.count);
  char wexp[64];
  if (i < k->exp.count)
    snprintf(wexp, sizeof wexp, "%zu", k->exp.number[i]);
  else
    snprintf(wexp, sizeof wexp, "(end, %zu lines)", k->exp.count);
  gd_report(st, *first ? c->what : NULL,
            "  %s:%s (%s)%s%.*s\n    expected: %.*s\n    got:      %.*s\n",
            c->exp_name, wexp, where, ctx ? ", under: " : "",
            ctx ? (int)ctx->len : 0, ctx ? ctx->s : "",
            i < k->exp.count ? (int)k->exp.lines[i].len : 5,
            i < k->exp.count ? k->exp.lines[i].s : "(end)",
            i < k->got.count ? (int)k->got.lines[i].len : 5,
            i < k->got.count ? k->got.lines[i].s : "(end)");
  *first = 0;
  /* Say why a G difference inside a full-tie group was not allowed. */
  const gd_levels_t *lv = c->levels;
  size_t p = SIZE_MAX;
  if (lv && lv->aligned && i < k->exp.count && c->kind == GD_DUMP)
    p = lv->exp->line_point[i];
  else if (lv && lv->aligned && i < k->exp.count && c->kind == GD_STAT)
    p = k->exp_row[i];
  if (p < lv_points(lv) && lv->exp->points[p].group_size >= 2 &&
      !lv->group_ok[lv->exp->points[p].group] && st->shown < GD_SHOW_MAX)
    fprintf(stderr,
            "    (a full-tie group of %zu points, cum %lld line %lld, whose "
            "G values differ as a multiset)\n",
            lv->exp->points[p].group_size, (long long)lv->exp->points[p].cum,
            (long long)lv->exp->points[p].line);
}

long gd_compare(const gd_compare_t *c, gd_stats_t *st, gd_error_t *err) {
  cmp_t k = {.c = c};
  int rc = 0;
  switch (c->kind) {
  case GD_STAT:
    rc = plain_view(&k.exp, c->exp) ||
         stat_view(&k.got, c->got, c->levels ? c->levels->got : NULL, st) ||
         row_index(&k.exp, &k.exp_row) || row_index(&k.got, &k.got_row);
    break;
  case GD_JSON_CANON:
    rc = canon_view(&k.exp, c->exp) || canon_view(&k.got, c->got);
    break;
  default:
    rc = plain_view(&k.exp, c->exp) || plain_view(&k.got, c->got);
    break;
  }
  long diffs = -1;
  if (rc) {
    gd_fail(err, "out of memory comparing %s", c->exp_name);
    goto done;
  }
  diffs = 0;
  int first = 1;
  size_t n = k.exp.count > k.got.count ? k.exp.count : k.got.count;
  for (size_t i = 0; i < n; i++) {
    if (i < k.exp.count && i < k.got.count) {
      if (gd_line_eq(k.exp.lines[i], k.got.lines[i]))
        continue;
      int ok = 0;
      switch (c->kind) {
      case GD_DUMP: ok = dump_ok(&k, i); break;
      case GD_JSON:
      case GD_JSON_CANON: ok = json_ok(&k, i); break;
      case GD_STAT: ok = stat_ok(&k, i); break;
      case GD_EXACT: break;
      }
      if (ok) {
        st->tie_swaps++;
        continue;
      }
    }
    if (diffs++ < GD_SHOW_PER_OUTPUT)
      show(&k, st, i, &first);
    else
      st->differences++;
  }
  if (c->exp->final_newline != c->got->final_newline) {
    diffs++;
    gd_report(st, first ? c->what : NULL, "  %s: %s\n", c->exp_name,
              c->got->final_newline ? "heatls ends with a newline, the "
                                      "expected text does not"
                                    : "heatls's output lacks the final "
                                      "newline");
    first = 0;
  }
  if (diffs > GD_SHOW_PER_OUTPUT || (diffs > 0 && st->shown >= GD_SHOW_MAX))
    fprintf(stderr,
            "  (%ld differing lines in %s in all; expected %zu "
            "lines, heatls printed %zu)\n",
            diffs, c->exp_name, k.exp.count, k.got.count);
done:
  view_close(&k.exp);
  view_close(&k.got);
  free(k.exp_row);
  free(k.got_row);
  return diffs;
}
