/*
 * cli_output.c: stat, json, dump, top and info.
 *
 * stat and json print exactly what perf-heatmap prints (docs/cli.md has
 * the formats), in a deterministic order: files bytewise, functions by
 * (type, name, package), lines ascending, which is the index's own order.
 * stat, json and dump go through a text buffer (text_buf.h): a large
 * profile has hundreds of thousands of lines, and stdio's format parsing
 * cost more than the rest of the output.
 */
#include "cli_output.h"
#include "format.h"
#include "text_buf.h"

#include <regex.h>
#include <stdbool.h>
#include <string.h>

/* ---- stat ---- */

/* v as "%*llu": right-aligned in width columns. */
static void put_padded(text_buf_t *out, uint64_t v, int width) {
  int digits = 1;
  for (uint64_t x = v; x >= 10; x /= 10)
    digits++;
  for (; digits < width; digits++)
    text_buf_char(out, ' ');
  text_buf_u64(out, v);
}

/* A number formatted by put into a small array, then right-aligned in
 * width columns, as printf's "%6..." gives it. */
static void put_right(text_buf_t *out, const char *num, int width) {
  for (int n = (int)strlen(num); n < width; n++)
    text_buf_char(out, ' ');
  text_buf_str(out, num);
}

/* A stat column for one value: perf-heatmap's "%6.2fs" for time, a
 * change's "%+6.2fs" when plus is set. */
static void stat_column(text_buf_t *out, int64_t v, bool plus,
                        const hx_summary_t *s, double bytes_scale,
                        const char *bytes_unit) {
  char num[352]; /* the widest double printf gives with 2 decimals */
  text_buf_t n;
  text_buf_init_array(&n, num, sizeof num);
  switch (s->unit_kind) {
  case HX_UNIT_TIME: {
    /* A change is converted by its size, then signed. */
    double secs = fmt_seconds(fmt_to_ns(plus && v < 0 ? -v : v, s));
    text_buf_fixed(&n, plus && v < 0 ? -secs : secs, 2, plus);
    put_right(out, text_buf_cstr(&n), 6);
    text_buf_char(out, 's');
    break;
  }
  case HX_UNIT_BYTES:
    text_buf_fixed(&n, (double)v / bytes_scale, 2, plus);
    put_right(out, text_buf_cstr(&n), 6);
    text_buf_str(out, bytes_unit);
    break;
  default:
    if (plus && v >= 0)
      text_buf_char(&n, '+');
    text_buf_i64(&n, v);
    put_right(out, text_buf_cstr(&n), 6);
  }
}

static void stat_value(text_buf_t *out, int64_t v, const hx_summary_t *s,
                       double bytes_scale, const char *bytes_unit) {
  stat_column(out, v, false, s, bytes_scale, bytes_unit);
}

static void stat_delta(text_buf_t *out, int64_t v, const hx_summary_t *s,
                       double bytes_scale, const char *bytes_unit) {
  stat_column(out, v, true, s, bytes_scale, bytes_unit);
}

/* " L=%d G=%d\n" */
static void put_levels(text_buf_t *out, int local, int global) {
  text_buf_put(out, " L=", 3);
  text_buf_i64(out, local);
  text_buf_put(out, " G=", 3);
  text_buf_i64(out, global);
  text_buf_char(out, '\n');
}

static int write_stat(const cli_args_t *args, const hx_index_t *ix,
                      text_buf_t *out, char *msg, size_t msg_size) {
  regex_t re;
  bool filter = args->filename_regexp != NULL;
  if (filter) {
    int rc = regcomp(&re, args->filename_regexp, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char why[128];
      regerror(rc, &re, why, sizeof why);
      snprintf(msg, msg_size, "compile -filename regexp: %s", why);
      return -1;
    }
  }
  const hx_summary_t *s = hx_index_summary(ix);
  /* One byte unit for the whole report, so that columns compare. */
  double scale = 1;
  const char *unit = "B";
  if (s->unit_kind == HX_UNIT_BYTES) {
    static const char *const units[] = {"KiB", "MiB", "GiB"};
    int64_t most = s->total > s->base_total ? s->total : s->base_total;
    for (size_t u = 0; u < 3 && (double)most >= scale * 1024 * 100; u++) {
      scale *= 1024;
      unit = units[u];
    }
  }
  text_buf_printf(out, "index size approx: %.2f MB (%llu bytes)\n",
                  (double)s->reference_memory_approx * 0.000001,
                  (unsigned long long)s->reference_memory_approx);
  for (size_t f = 0; f < hx_index_file_count(ix); f++) {
    const hx_file_t *file = hx_index_file(ix, f);
    if (filter && regexec(&re, file->path, 0, NULL, 0) != 0)
      continue;
    for (uint32_t i = 0; i < file->function_count; i++) {
      const hx_function_t *fn =
          hx_index_function(ix, file->first_function + i);
      text_buf_str(out, "  func ");
      text_buf_str(out, fn->display);
      text_buf_str(out, " (");
      text_buf_str(out, file->path);
      text_buf_str(out, "):\n");
      for (uint32_t j = 0; j < fn->point_count; j++) {
        const hx_point_t *p = hx_index_point(ix, fn->first_point + j);
        const hx_point_diff_t *d =
            hx_index_point_diff(ix, fn->first_point + j);
        text_buf_str(out, "    line ");
        put_padded(out, p->line, 4);
        text_buf_str(out, ": ");
        stat_value(out, p->flat, s, scale, unit);
        text_buf_str(out, " flat ");
        stat_value(out, p->cum, s, scale, unit);
        if (!d) {
          text_buf_str(out, " cum");
          put_levels(out, p->local, p->global);
          continue;
        }
        char own[32];
        fmt_own_change(own, sizeof own, p->cum, d->base_cum);
        text_buf_str(out, " cum, base ");
        stat_value(out, d->base_flat, s, scale, unit);
        text_buf_str(out, " flat ");
        stat_value(out, d->base_cum, s, scale, unit);
        text_buf_str(out, " cum, delta ");
        stat_delta(out, d->delta_flat, s, scale, unit);
        text_buf_str(out, " flat ");
        stat_delta(out, d->delta_cum, s, scale, unit);
        text_buf_str(out, " cum (");
        text_buf_str(out, own);
        text_buf_char(out, ')');
        put_levels(out, d->local, d->global);
      }
    }
  }
  if (filter)
    regfree(&re);
  return 0;
}

/* ---- json ---- */

/* The multiplier perf-heatmap applies to nanoseconds for each format (its
 * "microseconds" are really tens of microseconds: docs/cli.md). */
static int json_multiplier(const cli_args_t *args, const hx_summary_t *s,
                           bool *raw, double *mult, char *msg,
                           size_t msg_size) {
  const char *format = args->value_format;
  if (!format)
    format = s->unit_kind == HX_UNIT_TIME ? "cpu/microseconds" : "raw";
  *raw = strcmp(format, "raw") == 0;
  if (*raw)
    return 0;
  if (s->unit_kind != HX_UNIT_TIME) {
    snprintf(msg, msg_size,
             "-value-format %s needs a time sample type; this profile's is "
             "%s/%s (use -value-format raw)",
             format, s->sample_type.type, s->sample_type.unit);
    return -1;
  }
  if (strcmp(format, "cpu/nanoseconds") == 0)
    *mult = 1.0;
  else if (strcmp(format, "cpu/microseconds") == 0)
    *mult = 0.0001;
  else
    *mult = 0.00000001;
  return 0;
}

/* A json value of v: raw, or its nanoseconds times the format's
 * multiplier, truncated. */
static long long json_value(int64_t v, const hx_summary_t *s, bool raw,
                            double mult) {
  if (raw)
    return (long long)v;
  int64_t ns = fmt_to_ns(v < 0 ? -v : v, s);
  long long r = (long long)((double)ns * mult);
  return v < 0 ? -r : r;
}

/* A diff: whether one of the file's points has an improvement level. */
static bool file_has_drop(const hx_index_t *ix, const hx_file_t *file) {
  for (uint32_t i = 0; i < file->function_count; i++) {
    const hx_function_diff_t *fd =
        hx_index_function_diff(ix, file->first_function + i);
    if (fd && fd->min_local < 0)
      return true;
  }
  return false;
}

/* One line of a file's list: "[%u, %d, %d, %lld" and, for a diff, two
 * more values; the caller closes it. */
static void put_json_line(text_buf_t *out, bool first, uint32_t line,
                          int local, int global, long long value) {
  if (!first)
    text_buf_put(out, ",\n", 2);
  text_buf_put(out, "\t\t\t\t[", 5);
  text_buf_u64(out, line);
  text_buf_put(out, ", ", 2);
  text_buf_i64(out, local);
  text_buf_put(out, ", ", 2);
  text_buf_i64(out, global);
  text_buf_put(out, ", ", 2);
  text_buf_i64(out, value);
}

static int write_json(const cli_args_t *args, const hx_index_t *ix,
                      text_buf_t *out, char *msg, size_t msg_size) {
  const hx_summary_t *s = hx_index_summary(ix);
  bool raw = false;
  double mult = 1;
  if (json_multiplier(args, s, &raw, &mult, msg, msg_size) < 0)
    return -1;
  text_buf_str(out, "{\n\t\"files\": [\n");
  bool first_file = true;
  bool diff = hx_index_is_diff(ix);
  for (size_t f = 0; f < hx_index_file_count(ix); f++) {
    const hx_file_t *file = hx_index_file(ix, f);
    if (file->max_local == 0 && !(diff && file_has_drop(ix, file)))
      continue;
    /* As in the reference, a file with a hot line gets an entry even when
     * every value rounds to 0 and its list stays empty. */
    text_buf_str(out, first_file ? "\t\t{\n" : ",\n\t\t{\n");
    first_file = false;
    text_buf_str(out, "\t\t\t\"name\": ");
    text_buf_json_string(out, file->path);
    text_buf_str(out, ",\n\t\t\t\"lines\": [\n");
    bool first_line = true;
    for (uint32_t i = 0; i < file->function_count; i++) {
      const hx_function_t *fn =
          hx_index_function(ix, file->first_function + i);
      for (uint32_t j = 0; j < fn->point_count; j++) {
        const hx_point_t *p = hx_index_point(ix, fn->first_point + j);
        const hx_point_diff_t *d =
            hx_index_point_diff(ix, fn->first_point + j);
        if (d) {
          if (d->local == 0)
            continue;
          long long delta = json_value(d->delta_cum, s, raw, mult);
          if (delta == 0)
            continue;
          put_json_line(out, first_line, p->line, d->local, d->global, delta);
          text_buf_put(out, ", ", 2);
          text_buf_i64(out, json_value(p->cum, s, raw, mult));
          text_buf_put(out, ", ", 2);
          text_buf_i64(out, json_value(d->base_cum, s, raw, mult));
          text_buf_char(out, ']');
          first_line = false;
          continue;
        }
        if (p->local == 0)
          continue;
        long long value = json_value(p->cum, s, raw, mult);
        if (value == 0)
          continue;
        put_json_line(out, first_line, p->line, p->local, p->global, value);
        text_buf_char(out, ']');
        first_line = false;
      }
    }
    text_buf_str(out, first_line ? "\t\t\t]\n\t\t}" : "\n\t\t\t]\n\t\t}");
  }
  text_buf_str(out, first_file ? "\t]\n}\n" : "\n\t]\n}\n");
  return 0;
}

/* ---- dump ---- */

/* The base name as Go's filepath.Base gives it, which is what the key of a
 * Go function holds: "" -> ".", trailing slashes dropped, "//" -> "/". */
static void write_base_name(text_buf_t *out, const char *path) {
  size_t len = strlen(path);
  while (len > 1 && path[len - 1] == '/')
    len--;
  size_t start = len;
  while (start > 0 && path[start - 1] != '/')
    start--;
  char base[4096];
  if (len == 0)
    snprintf(base, sizeof base, ".");
  else if (len == 1 && path[0] == '/')
    snprintf(base, sizeof base, "/");
  else
    snprintf(base, sizeof base, "%.*s", (int)(len - start), path + start);
  text_buf_json_string(out, base);
}

/* Values in the dump are microseconds for time, as in the reference's. */
static long long dump_value(int64_t v, const hx_summary_t *s) {
  if (s->unit_kind == HX_UNIT_TIME) { /* truncated toward zero */
    long long us = (long long)(fmt_to_ns(v < 0 ? -v : v, s) / 1000);
    return v < 0 ? -us : us;
  }
  return (long long)v;
}

/* "\tname=" and v. */
static void put_field(text_buf_t *out, const char *name, long long v) {
  text_buf_char(out, '\t');
  text_buf_str(out, name);
  text_buf_char(out, '=');
  text_buf_i64(out, v);
}

static void write_dump(const hx_index_t *ix, text_buf_t *out) {
  const hx_summary_t *s = hx_index_summary(ix);
  bool diff = hx_index_is_diff(ix);
  text_buf_printf(out, "# funcs=%zu points=%zu files=%zu", s->functions,
                  s->points, s->files);
  if (diff)
    text_buf_printf(out, " diff regressions=%zu improvements=%zu",
                    s->regressions, s->improvements);
  text_buf_char(out, '\n');
  for (size_t i = 0; i < hx_index_function_count(ix); i++) {
    const hx_function_t *fn = hx_index_function(ix, i);
    const char *path = hx_index_file(ix, fn->file)->path;
    text_buf_put(out, "F\t", 2);
    text_buf_json_string(out, fn->package);
    text_buf_char(out, '\t');
    text_buf_json_string(out, fn->type);
    text_buf_char(out, '\t');
    text_buf_json_string(out, fn->name);
    text_buf_char(out, '\t');
    write_base_name(out, path);
    text_buf_char(out, '\t');
    text_buf_json_string(out, path);
    put_field(out, "maxL", fn->max_local);
    put_field(out, "maxG", fn->max_global);
    put_field(out, "minLine", fn->min_line);
    put_field(out, "maxLine", fn->max_line);
    put_field(out, "npoints", fn->point_count);
    const hx_function_diff_t *fd = hx_index_function_diff(ix, i);
    if (fd) {
      put_field(out, "minL", fd->min_local);
      put_field(out, "minG", fd->min_global);
    }
    text_buf_char(out, '\n');
    for (uint32_t j = 0; j < fn->point_count; j++) {
      const hx_point_t *p = hx_index_point(ix, fn->first_point + j);
      const hx_point_diff_t *d = hx_index_point_diff(ix, fn->first_point + j);
      long long values[8] = {dump_value(p->flat, s), dump_value(p->cum, s),
                             p->local, p->global};
      size_t n = 4;
      if (d) {
        long long diff_values[8] = {values[0],
                                    values[1],
                                    dump_value(d->base_flat, s),
                                    dump_value(d->base_cum, s),
                                    dump_value(d->delta_flat, s),
                                    dump_value(d->delta_cum, s),
                                    d->local,
                                    d->global};
        memcpy(values, diff_values, sizeof values);
        n = 8;
      }
      text_buf_put(out, "P\t", 2);
      text_buf_u64(out, p->line);
      for (size_t k = 0; k < n; k++) {
        text_buf_char(out, '\t');
        text_buf_i64(out, values[k]);
      }
      text_buf_char(out, '\n');
    }
  }
}

/* ---- top and info ---- */

static void write_top_diff(const cli_args_t *args, const hx_index_t *ix,
                           FILE *out) {
  const hx_summary_t *s = hx_index_summary(ix);
  const uint32_t *ids;
  size_t n = hx_index_top_changes(ix, args->top_n, args->improvements, &ids);
  char total[32], base[32], net[32], pct[32];
  fmt_value(total, sizeof total, s->total, s);
  fmt_value(base, sizeof base, s->base_total, s);
  fmt_signed_value(net, sizeof net, s->total - s->base_total, s);
  fmt_of_base(pct, sizeof pct, s->total - s->base_total, s);
  fprintf(out,
          "%s/%s, new %s, base %s%s, net %s (%s); the %zu largest %s of %zu "
          "(%zu lines):\n",
          s->sample_type.type, s->sample_type.unit, total, base,
          s->base_scale != 1 ? " (normalized)" : "", net, pct, n,
          args->improvements ? "improvements" : "regressions",
          args->improvements ? s->improvements : s->regressions, s->points);
  fprintf(out, "%5s  %2s  %2s  %10s  %8s  %7s  %10s  %10s  %-40s  %s\n",
          "rank", "G", "L", "delta", "%base", "own", "new", "base", "function",
          "line");
  for (size_t r = 0; r < n; r++) {
    const hx_point_t *p = hx_index_point(ix, ids[r]);
    const hx_point_diff_t *d = hx_index_point_diff(ix, ids[r]);
    const hx_function_t *fn = hx_index_function(ix, p->function);
    char delta[32], now[32], was[32], own[32];
    fmt_signed_value(delta, sizeof delta, d->delta_cum, s);
    fmt_of_base(pct, sizeof pct, d->delta_cum, s);
    fmt_own_change(own, sizeof own, p->cum, d->base_cum);
    fmt_value(now, sizeof now, p->cum, s);
    fmt_value(was, sizeof was, d->base_cum, s);
    fprintf(out, "%5zu  %2d  %2d  %10s  %8s  %7s  %10s  %10s  %-40s  %s:%u\n",
            r + 1, d->global, d->local, delta, pct, own, now, was, fn->display,
            hx_index_file(ix, fn->file)->path, p->line);
  }
}

static void write_top(const cli_args_t *args, const hx_index_t *ix,
                      FILE *out) {
  if (hx_index_is_diff(ix)) {
    write_top_diff(args, ix, out);
    return;
  }
  const hx_summary_t *s = hx_index_summary(ix);
  const uint32_t *ids;
  size_t n = hx_index_top(ix, args->top_n, &ids);
  char total[32], flat[32], cum[32];
  fmt_value(total, sizeof total, s->total, s);
  fprintf(out, "%s/%s, total %s; the %zu hottest of %zu lines:\n",
          s->sample_type.type, s->sample_type.unit, total, n, s->points);
  fprintf(out, "%5s  %s  %s  %10s  %10s  %-40s  %s\n", "rank", "G", "L",
          "flat", "cum", "function", "line");
  for (size_t r = 0; r < n; r++) {
    const hx_point_t *p = hx_index_point(ix, ids[r]);
    const hx_function_t *fn = hx_index_function(ix, p->function);
    fmt_value(flat, sizeof flat, p->flat, s);
    fmt_value(cum, sizeof cum, p->cum, s);
    fprintf(out, "%5zu  %d  %d  %10s  %10s  %-40s  %s:%u\n", r + 1, p->global,
            p->local, flat, cum, fn->display,
            hx_index_file(ix, fn->file)->path, p->line);
  }
}

/* A PROFILE word as given, but a URL's user and password as "***". */
static void put_source(const char *word, FILE *out) {
  const char *scheme = strstr(word, "://");
  const char *auth = scheme ? scheme + 3 : NULL;
  const char *at = NULL;
  if (auth) {
    size_t n = strcspn(auth, "/?#");
    at = memchr(auth, '@', n);
  }
  if (!at) {
    fprintf(out, " %s", word);
    return;
  }
  fprintf(out, " %.*s***%s", (int)(auth - word), word, at);
}

static void write_info(const cli_args_t *args, const hx_index_t *ix,
                       FILE *out) {
  const hx_summary_t *s = hx_index_summary(ix);
  char total[32];
  fmt_value(total, sizeof total, s->total, s);
  fputs(args->profile_count > 1 ? "profiles:     " : "profile:      ", out);
  for (size_t i = 0; i < args->profile_count; i++)
    put_source(args->profiles[i], out);
  if (args->base_count) {
    fputs("\nbase:         ", out);
    for (size_t i = 0; i < args->base_count; i++)
      put_source(args->bases[i], out);
  }
  fputs("\nsample types: ", out);
  for (size_t i = 0; i < hx_index_sample_type_count(ix); i++) {
    const hx_sample_type_t *t = hx_index_sample_type(ix, i);
    fprintf(out, " %s/%s%s", t->type, t->unit,
            i == s->sample_type_index ? " (used)" : "");
  }
  fprintf(out, "\ntotal:         %s in %zu samples", total, s->samples);
  if (s->inputs > 1)
    fprintf(out, " (%zu profiles)", s->inputs);
  fputc('\n', out);
  if (hx_index_is_diff(ix)) {
    char base[32], raw[32], net[32], pct[32];
    fmt_value(base, sizeof base, s->base_total, s);
    fmt_value(raw, sizeof raw, s->base_total_raw, s);
    fmt_signed_value(net, sizeof net, s->total - s->base_total, s);
    fmt_of_base(pct, sizeof pct, s->total - s->base_total, s);
    fprintf(out, "base total:    %s", base);
    if (s->base_scale != 1)
      fprintf(out, " (normalized from %s, x%.6g)", raw, s->base_scale);
    if (s->base_inputs > 1)
      fprintf(out, " (%zu profiles)", s->base_inputs);
    fprintf(out, "\nnet change:    %s (%s of the base)\n", net, pct);
    fprintf(out,
            "changes:       %zu regressions, %zu improvements, %zu "
            "unchanged lines\n",
            s->regressions, s->improvements,
            s->points - s->regressions - s->improvements);
  }
  fprintf(out, "symbols:       %s\n", s->go_symbols ? "go" : "raw");
  fprintf(out, "index:         %zu files, %zu functions, %zu lines\n",
          s->files, s->functions, s->points);
  fprintf(out, "levels:        threshold %g, local scope %s\n", s->threshold,
          s->local_scope == HX_LOCAL_FILE ? "file" : "function");
}

int cli_output_write(const cli_args_t *args, const hx_index_t *index,
                     FILE *out, char *msg, size_t msg_size) {
  char storage[64 * 1024];
  text_buf_t buf;
  text_buf_init_file(&buf, out, storage, sizeof storage);
  int rc = 0;
  switch (args->command) {
  case CLI_STAT: rc = write_stat(args, index, &buf, msg, msg_size); break;
  case CLI_JSON: rc = write_json(args, index, &buf, msg, msg_size); break;
  case CLI_DUMP: write_dump(index, &buf); break;
  case CLI_TOP: write_top(args, index, out); break;
  case CLI_INFO: write_info(args, index, out); break;
  }
  text_buf_flush(&buf);
  return rc;
}
