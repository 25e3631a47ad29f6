/*
 * golden_check.c: runs heatls on one golden profile and compares its
 * `json`, `stat` and `dump` output with the expected files of that folder.
 *
 *   --mode reference  the folder holds perf-heatmap's output (reference.c)
 *   --mode own        perf-heatmap rejects the profile: heatls must either
 *                     fail cleanly, or print what DIR/heatls/ records (own.c)
 *   --mode overflow   as own, plus a check of perf-heatmap's wrapped values
 *
 * With HEATLS_UPDATE_GOLDEN=1, own and overflow rewrite DIR/heatls/ instead
 * of comparing (perf-heatmap's files are never rewritten). Exit status: 0
 * when everything matches, 1 on a difference, 2 on a usage or setup error.
 */
#include "golden.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

gd_stats_t gd_stats;

static void usage(void) {
  fprintf(stderr,
          "usage: golden_check --heatls BIN --profile FILE --expected DIR\n"
          "         [--name NAME] [--mode reference|own|overflow]\n"
          "         [--thresholds 0.1,0.5,0.9,1.0] [--no-value-formats]\n"
          "         [--json-canon] [--sample-type NAME]... [--hint TEXT]\n"
          "         [--input FILE]... (heatls merges these instead)\n"
          "HEATLS_UPDATE_GOLDEN=1 rewrites DIR/heatls/ (own, overflow).\n");
}

static int parse_args(int argc, char **argv, gd_opts_t *o) {
  static char tbuf[256];
  memset(o, 0, sizeof *o);
  o->value_formats = 1;
  const char *thresholds = "0.1,0.5,0.9,1.0";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--no-value-formats")) {
      o->value_formats = 0;
      continue;
    }
    if (!strcmp(a, "--json-canon")) {
      o->json_canon = 1;
      continue;
    }
    if (!v) {
      fprintf(stderr, "golden_check: %s needs a value\n", a);
      return -1;
    }
    i++;
    if (!strcmp(a, "--heatls"))
      o->heatls = v;
    else if (!strcmp(a, "--profile"))
      o->profile = v;
    else if (!strcmp(a, "--expected"))
      o->dir = v;
    else if (!strcmp(a, "--name"))
      o->name = v;
    else if (!strcmp(a, "--hint"))
      o->hint = v;
    else if (!strcmp(a, "--thresholds"))
      thresholds = v;
    else if (!strcmp(a, "--input") && o->ninputs < GD_MAX_INPUTS)
      o->inputs[o->ninputs++] = v;
    else if (!strcmp(a, "--sample-type") &&
             o->nsample_types < GD_MAX_SAMPLE_TYPES)
      o->sample_types[o->nsample_types++] = v;
    else if (!strcmp(a, "--mode") && !strcmp(v, "reference"))
      o->mode = GD_MODE_REFERENCE;
    else if (!strcmp(a, "--mode") && !strcmp(v, "own"))
      o->mode = GD_MODE_OWN;
    else if (!strcmp(a, "--mode") && !strcmp(v, "overflow"))
      o->mode = GD_MODE_OVERFLOW;
    else {
      fprintf(stderr, "golden_check: bad option %s %s\n", a, v);
      return -1;
    }
  }
  if (!o->heatls || !o->profile || !o->dir)
    return -1;
  if (!o->name)
    o->name = o->dir;
  snprintf(tbuf, sizeof tbuf, "%s", thresholds);
  for (char *t = strtok(tbuf, ","); t; t = strtok(NULL, ",")) {
    if (o->nthresholds == GD_MAX_THRESHOLDS)
      return -1;
    o->thresholds[o->nthresholds++] = t;
  }
  const char *up = getenv("HEATLS_UPDATE_GOLDEN");
  o->update = up && *up && strcmp(up, "0") != 0;
  return o->nthresholds ? 0 : -1;
}

/* ---- running heatls -------------------------------------------------- */

void gd_cmd_build(gd_cmd_t *c, const gd_opts_t *o, const char *sub,
                  const char *threshold, const char *sample_type,
                  const char *value_format) {
  c->argc = 0;
  c->argv[c->argc++] = (char *)o->heatls;
  c->argv[c->argc++] = (char *)sub;
  c->argv[c->argc++] = "-threshold";
  c->argv[c->argc++] = (char *)threshold;
  if (value_format) {
    c->argv[c->argc++] = "-value-format";
    c->argv[c->argc++] = (char *)value_format;
  }
  if (sample_type) {
    c->argv[c->argc++] = "--sample-type";
    c->argv[c->argc++] = (char *)sample_type;
  }
  if (o->ninputs == 0)
    c->argv[c->argc++] = (char *)o->profile;
  for (int i = 0; i < o->ninputs; i++)
    c->argv[c->argc++] = (char *)o->inputs[i];
  c->argv[c->argc] = NULL;
  size_t n = 0;
  c->what[0] = '\0';
  for (int i = 0; i < c->argc && n < sizeof c->what; i++)
    n += (size_t)snprintf(c->what + n, sizeof c->what - n, "%s%s",
                          i ? " " : "", i ? c->argv[i] : "heatls");
}

int gd_run_ok(const gd_cmd_t *c, gd_output_t *out) {
  gd_error_t err;
  if (gd_run(c->argv, out, &err) != 0) {
    gd_report(&gd_stats, c->what, "  %s\n", err.message);
    return -1;
  }
  if (out->exit_code == 0 && out->err_len == 0)
    return 0;
  if (out->signal)
    gd_report(&gd_stats, c->what, "  killed by signal %d; stderr: %.*s\n",
              out->signal, (int)(out->err_len > 2000 ? 2000 : out->err_len),
              out->err);
  else
    gd_report(&gd_stats, c->what, "  exit status %d (want 0); stderr: %.*s\n",
              out->exit_code, (int)(out->err_len > 2000 ? 2000 : out->err_len),
              out->err);
  gd_output_close(out);
  return -1;
}

int gd_adopt_stdout(gd_output_t *out, gd_text_t *t) {
  gd_error_t err;
  char *data = out->out;
  out->out = NULL;
  if (gd_text_adopt(t, data, out->out_len, &err) != 0) {
    fprintf(stderr, "golden_check: %s\n", err.message);
    return -1;
  }
  return 0;
}

int gd_load_expected(const gd_opts_t *o, const char *name, gd_text_t *t,
                     char *path, size_t pathlen) {
  gd_error_t err;
  if (gd_text_find(o->dir, name, path, pathlen) != 0) {
    fprintf(stderr, "golden %s: expected file %s is missing\n", o->name, path);
    return -1;
  }
  if (gd_text_load(path, t, &err) != 0) {
    fprintf(stderr, "golden %s: %s\n", o->name, err.message);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  gd_opts_t o;
  if (parse_args(argc, argv, &o) != 0) {
    usage();
    return 2;
  }
  struct stat sb;
  if (stat(o.profile, &sb) != 0) {
    fprintf(stderr, "golden %s: FAIL: the profile %s is missing (%s)%s%s\n",
            o.name, o.profile, strerror(errno), o.hint ? "; " : "",
            o.hint ? o.hint : "");
    return 1;
  }
  if (access(o.heatls, X_OK) != 0) {
    fprintf(stderr, "golden %s: FAIL: cannot run %s (%s)\n", o.name, o.heatls,
            strerror(errno));
    return 1;
  }
  int rc = 0;
  if (o.mode == GD_MODE_REFERENCE) {
    for (int i = 0; i < o.nthresholds && !rc; i++)
      rc = gd_reference(&o, o.thresholds[i]);
  } else {
    rc = gd_own(&o, NULL);
    for (int i = 0; i < o.nsample_types && !rc; i++)
      rc = gd_own(&o, o.sample_types[i]);
  }
  printf("golden %s: %d outputs, %ld differences, %ld tie swaps allowed, "
         "%ld stat headers merged%s\n",
         o.name, gd_stats.outputs, gd_stats.differences, gd_stats.tie_swaps,
         gd_stats.headers,
         o.update && o.mode != GD_MODE_REFERENCE ? " (update)" : "");
  if (rc)
    return rc;
  return gd_stats.differences ? 1 : 0;
}
