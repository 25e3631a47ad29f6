/*
 * cli_output.c: stat, json, dump, top and info.
 *
 * stat and json print exactly what perf-heatmap prints (docs/cli.md has
 * the formats), in a deterministic order: files bytewise, functions by
 * (type, name, package), lines ascending, which is the index's own order.
 */
#include "cli_output.h"
#include "format.h"

#include <regex.h>
#include <stdbool.h>
#include <string.h>

/* ---- stat ---- */

/* A stat column for one value: perf-heatmap's "%6.2fs" for time. */
static void stat_value(FILE *out, int64_t v, const hx_summary_t *s,
                       double bytes_scale, const char *bytes_unit) {
  switch (s->unit_kind) {
  case HX_UNIT_TIME:
    fprintf(out, "%6.2fs", fmt_seconds(fmt_to_ns(v, s)));
    break;
  case HX_UNIT_BYTES:
    fprintf(out, "%6.2f%s", (double)v / bytes_scale, bytes_unit);
    break;
  default:
    fprintf(out, "%6lld", (long long)v);
  }
}

static int write_stat(const cli_args_t *args, const hx_index_t *ix, FILE *out,
                      char *msg, size_t msg_size) {
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
    for (size_t u = 0; u < 3 && (double)s->total >= scale * 1024 * 100; u++) {
      scale *= 1024;
      unit = units[u];
    }
  }
  fprintf(out, "index size approx: %.2f MB (%llu bytes)\n",
          (double)s->reference_memory_approx * 0.000001,
          (unsigned long long)s->reference_memory_approx);
  for (size_t f = 0; f < hx_index_file_count(ix); f++) {
    const hx_file_t *file = hx_index_file(ix, f);
    if (filter && regexec(&re, file->path, 0, NULL, 0) != 0)
      continue;
    for (uint32_t i = 0; i < file->function_count; i++) {
      const hx_function_t *fn =
          hx_index_function(ix, file->first_function + i);
      fprintf(out, "  func %s (%s):\n", fn->display, file->path);
      for (uint32_t j = 0; j < fn->point_count; j++) {
        const hx_point_t *p = hx_index_point(ix, fn->first_point + j);
        fprintf(out, "    line %4u: ", p->line);
        stat_value(out, p->flat, s, scale, unit);
        fputs(" flat ", out);
        stat_value(out, p->cum, s, scale, unit);
        fprintf(out, " cum L=%d G=%d\n", p->local, p->global);
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

static int write_json(const cli_args_t *args, const hx_index_t *ix, FILE *out,
                      char *msg, size_t msg_size) {
  const hx_summary_t *s = hx_index_summary(ix);
  bool raw = false;
  double mult = 1;
  if (json_multiplier(args, s, &raw, &mult, msg, msg_size) < 0)
    return -1;
  fputs("{\n\t\"files\": [\n", out);
  bool first_file = true;
  for (size_t f = 0; f < hx_index_file_count(ix); f++) {
    const hx_file_t *file = hx_index_file(ix, f);
    if (file->max_local == 0)
      continue;
    /* As in the reference, a file with a hot line gets an entry even when
     * every value rounds to 0 and its list stays empty. */
    fputs(first_file ? "\t\t{\n" : ",\n\t\t{\n", out);
    first_file = false;
    fputs("\t\t\t\"name\": ", out);
    fmt_json_string(out, file->path);
    fputs(",\n\t\t\t\"lines\": [\n", out);
    bool first_line = true;
    for (uint32_t i = 0; i < file->function_count; i++) {
      const hx_function_t *fn =
          hx_index_function(ix, file->first_function + i);
      for (uint32_t j = 0; j < fn->point_count; j++) {
        const hx_point_t *p = hx_index_point(ix, fn->first_point + j);
        if (p->local == 0)
          continue;
        long long value = raw ? (long long)p->cum
                              : (long long)((double)fmt_to_ns(p->cum, s) *
                                            mult);
        if (value == 0)
          continue;
        fprintf(out, "%s\t\t\t\t[%u, %d, %d, %lld]", first_line ? "" : ",\n",
                p->line, p->local, p->global, value);
        first_line = false;
      }
    }
    fputs(first_line ? "\t\t\t]\n\t\t}" : "\n\t\t\t]\n\t\t}", out);
  }
  fputs(first_file ? "\t]\n}\n" : "\n\t]\n}\n", out);
  return 0;
}

/* ---- dump ---- */

/* The base name as Go's filepath.Base gives it, which is what the key of a
 * Go function holds: "" -> ".", trailing slashes dropped, "//" -> "/". */
static void write_base_name(FILE *out, const char *path) {
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
  fmt_json_string(out, base);
}

/* Values in the dump are microseconds for time, as in the reference's. */
static long long dump_value(int64_t v, const hx_summary_t *s) {
  if (s->unit_kind == HX_UNIT_TIME)
    return (long long)(fmt_to_ns(v, s) / 1000);
  return (long long)v;
}

static void write_dump(const hx_index_t *ix, FILE *out) {
  const hx_summary_t *s = hx_index_summary(ix);
  fprintf(out, "# funcs=%zu points=%zu files=%zu\n", s->functions, s->points,
          s->files);
  for (size_t i = 0; i < hx_index_function_count(ix); i++) {
    const hx_function_t *fn = hx_index_function(ix, i);
    const char *path = hx_index_file(ix, fn->file)->path;
    fputs("F\t", out);
    fmt_json_string(out, fn->package);
    fputc('\t', out);
    fmt_json_string(out, fn->type);
    fputc('\t', out);
    fmt_json_string(out, fn->name);
    fputc('\t', out);
    write_base_name(out, path);
    fputc('\t', out);
    fmt_json_string(out, path);
    fprintf(out, "\tmaxL=%d\tmaxG=%d\tminLine=%u\tmaxLine=%u\tnpoints=%u\n",
            fn->max_local, fn->max_global, fn->min_line, fn->max_line,
            fn->point_count);
    for (uint32_t j = 0; j < fn->point_count; j++) {
      const hx_point_t *p = hx_index_point(ix, fn->first_point + j);
      fprintf(out, "P\t%u\t%lld\t%lld\t%d\t%d\n", p->line,
              dump_value(p->flat, s), dump_value(p->cum, s), p->local,
              p->global);
    }
  }
}

/* ---- top and info ---- */

static void write_top(const cli_args_t *args, const hx_index_t *ix,
                      FILE *out) {
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

static void write_info(const cli_args_t *args, const hx_index_t *ix,
                       FILE *out) {
  const hx_summary_t *s = hx_index_summary(ix);
  char total[32];
  fmt_value(total, sizeof total, s->total, s);
  fprintf(out, "profile:       %s\nsample types: ", args->profile);
  for (size_t i = 0; i < hx_index_sample_type_count(ix); i++) {
    const hx_sample_type_t *t = hx_index_sample_type(ix, i);
    fprintf(out, " %s/%s%s", t->type, t->unit,
            i == s->sample_type_index ? " (used)" : "");
  }
  fprintf(out, "\ntotal:         %s in %zu samples\n", total, s->samples);
  fprintf(out, "symbols:       %s\n", s->go_symbols ? "go" : "raw");
  fprintf(out, "index:         %zu files, %zu functions, %zu lines\n",
          s->files, s->functions, s->points);
  fprintf(out, "levels:        threshold %g, local scope %s\n", s->threshold,
          s->local_scope == HX_LOCAL_FILE ? "file" : "function");
}

int cli_output_write(const cli_args_t *args, const hx_index_t *index,
                     FILE *out, char *msg, size_t msg_size) {
  switch (args->command) {
  case CLI_STAT: return write_stat(args, index, out, msg, msg_size);
  case CLI_JSON: return write_json(args, index, out, msg, msg_size);
  case CLI_DUMP: write_dump(index, out); return 0;
  case CLI_TOP: write_top(args, index, out); return 0;
  case CLI_INFO: write_info(args, index, out); return 0;
  }
  return 0;
}
