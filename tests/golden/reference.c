/*
 * reference.c: golden_check's reference mode. At each threshold, runs heatls
 * `dump`, `json` and `stat` (and at 0.5 `json` with -value-format
 * cpu/nanoseconds and cpu/milliseconds) and compares them with
 * perf-heatmap's files under the allowances of compare.c. The two dumps
 * decide which global levels may be permuted.
 */
#include "golden.h"

#include <stdio.h>
#include <string.h>

/* Runs one json or stat command and compares it; 2 on a setup error. */
static int check_text(const gd_opts_t *o, const char *sub,
                      const char *threshold, const char *value_format,
                      const char *exp_file, gd_kind_t kind, double mult,
                      const gd_levels_t *lv) {
  char path[4096];
  gd_text_t exp, got;
  if (gd_load_expected(o, exp_file, &exp, path, sizeof path) != 0)
    return 2;
  gd_cmd_t c;
  gd_cmd_build(&c, o, sub, threshold, NULL, value_format);
  gd_output_t out;
  gd_stats.outputs++;
  if (gd_run_ok(&c, &out) != 0) {
    gd_text_close(&exp);
    return 0;
  }
  int rc = gd_adopt_stdout(&out, &got);
  gd_output_close(&out);
  if (rc == 0) {
    gd_compare_t cmp = {kind, c.what, path, &exp, &got, lv, mult};
    gd_error_t err;
    if (gd_compare(&cmp, &gd_stats, &err) < 0) {
      fprintf(stderr, "golden %s: %s\n", o->name, err.message);
      rc = -1;
    }
    gd_text_close(&got);
  }
  gd_text_close(&exp);
  return rc ? 2 : 0;
}

int gd_reference(const gd_opts_t *o, const char *t) {
  char name[256], path[4096];
  gd_text_t exp_text, got_text = {0};
  gd_dump_t exp, got;
  gd_error_t err;
  int have_got = 0, rc = 0;

  snprintf(name, sizeof name, "dump.t%s.tsv", t);
  if (gd_load_expected(o, name, &exp_text, path, sizeof path) != 0)
    return 2;
  if (gd_dump_parse(&exp_text, &exp, &err) != 0) {
    fprintf(stderr, "golden %s: %s: %s\n", o->name, path, err.message);
    gd_text_close(&exp_text);
    return 2;
  }
  gd_cmd_t c;
  gd_cmd_build(&c, o, "dump", t, NULL, NULL);
  gd_output_t out;
  if (gd_run_ok(&c, &out) == 0) {
    rc = gd_adopt_stdout(&out, &got_text) ? 2 : 0;
    gd_output_close(&out);
    if (rc == 0) {
      have_got = gd_dump_parse(&got_text, &got, &err) == 0;
      if (!have_got)
        gd_report(&gd_stats, c.what, "  heatls's dump does not parse: %s\n",
                  err.message);
    }
  }
  gd_levels_t lv;
  if (rc == 0 && gd_levels_init(&lv, &exp, have_got ? &got : NULL, &err)) {
    fprintf(stderr, "golden %s: %s\n", o->name, err.message);
    rc = 2;
  }
  if (rc == 0) {
    gd_stats.outputs++;
    if (got_text.data) {
      gd_compare_t cmp = {GD_DUMP, c.what, path, &exp_text, &got_text, &lv, 0};
      if (gd_compare(&cmp, &gd_stats, &err) < 0)
        rc = 2;
    }
    snprintf(name, sizeof name,
             o->json_canon ? "json.t%s.canon.json" : "json.t%s.json", t);
    if (!rc)
      rc = check_text(o, "json", t, NULL, name,
                      o->json_canon ? GD_JSON_CANON : GD_JSON, 0.0001, &lv);
    snprintf(name, sizeof name, "stat.t%s.txt", t);
    if (!rc)
      rc = check_text(o, "stat", t, NULL, name, GD_STAT, 0, &lv);
    if (!rc && o->value_formats && !strcmp(t, "0.5")) {
      rc = check_text(o, "json", t, "cpu/nanoseconds",
                      "json.t0.5.nanoseconds.json", GD_JSON, 1.0, &lv);
      if (!rc)
        rc = check_text(o, "json", t, "cpu/milliseconds",
                        "json.t0.5.milliseconds.json", GD_JSON, 0.00000001,
                        &lv);
    }
    gd_levels_close(&lv);
  }
  if (have_got)
    gd_dump_close(&got);
  gd_text_close(&got_text);
  gd_dump_close(&exp);
  gd_text_close(&exp_text);
  return rc;
}
