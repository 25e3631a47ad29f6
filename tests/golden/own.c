/*
 * own.c: golden_check's own and overflow modes, for the profiles
 * perf-heatmap rejects. heatls either fails cleanly (exit 1, one stderr
 * line) as DIR/heatls/error.txt records, or prints exactly the recorded
 * json, stat and dump files; HEATLS_UPDATE_GOLDEN=1 records them instead.
 * Overflow mode also checks perf-heatmap's uint32 wrapping against heatls.
 */
#include "golden.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* perf-heatmap keeps uint32 microseconds and wraps; heatls does not. */
static void wrap_check(const gd_opts_t *o, const char *t, const gd_cmd_t *c,
                       const gd_text_t *got_text) {
  char name[256], path[4096];
  gd_text_t ref_text;
  gd_dump_t ref, got;
  gd_error_t err;
  gd_stats.outputs++;
  snprintf(name, sizeof name, "dump.t%s.tsv", t);
  if (gd_load_expected(o, name, &ref_text, path, sizeof path) != 0) {
    gd_report(&gd_stats, c->what, "  no reference dump to check wrapping\n");
    return;
  }
  if (gd_dump_parse(&ref_text, &ref, &err) != 0) {
    gd_report(&gd_stats, c->what, "  %s: %s\n", path, err.message);
    gd_text_close(&ref_text);
    return;
  }
  if (gd_dump_parse(got_text, &got, &err) != 0) {
    gd_report(&gd_stats, c->what, "  heatls's dump does not parse: %s\n",
              err.message);
  } else {
    if (!gd_dump_aligned(&ref, &got)) {
      gd_report(&gd_stats, c->what,
                "  heatls's functions or lines differ from %s\n", path);
    } else {
      const int64_t wrap = (int64_t)1 << 32;
      size_t over = 0;
      for (size_t p = 0; p < got.npoints; p++) {
        const gd_point_t *r = &ref.points[p], *g = &got.points[p];
        int cum_over = g->cum >= wrap;
        over += (size_t)cum_over;
        int cum_ok = cum_over ? r->cum == g->cum % wrap && r->cum != g->cum
                              : r->cum == g->cum;
        int flat_ok =
            g->flat >= wrap ? r->flat == g->flat % wrap : r->flat == g->flat;
        if (!cum_ok || !flat_ok || g->cum < 0 || g->flat < 0)
          gd_report(&gd_stats, c->what,
                    "  %s:%zu: line %lld: reference flat %lld cum %lld, "
                    "heatls flat %lld cum %lld: %s\n",
                    path, r->text_line + 1, (long long)r->line,
                    (long long)r->flat, (long long)r->cum, (long long)g->flat,
                    (long long)g->cum,
                    cum_over ? "want the reference = heatls mod 2^32"
                             : "want equal values below 2^32 us");
      }
      if (over == 0)
        gd_report(&gd_stats, c->what,
                  "  no point's cum reaches 2^32 us: nothing is checked\n");
    }
    gd_dump_close(&got);
  }
  gd_dump_close(&ref);
  gd_text_close(&ref_text);
}

/* "exit=N\n" and stderr with the profile's path replaced by PROFILE. */
static char *failure_text(const gd_opts_t *o, const gd_output_t *out) {
  size_t plen = strlen(o->profile), cap = out->err_len + 64, n = 0;
  char *s = malloc(cap);
  if (!s)
    return NULL;
  n = (size_t)snprintf(s, cap, "exit=%d\n", out->exit_code);
  for (size_t i = 0; i < out->err_len;) {
    if (plen && i + plen <= out->err_len &&
        memcmp(out->err + i, o->profile, plen) == 0) {
      n += (size_t)snprintf(s + n, cap - n, "PROFILE");
      i += plen;
    } else {
      s[n++] = out->err[i++];
    }
    if (cap - n < 16) {
      char *b = realloc(s, cap *= 2);
      if (!b) {
        free(s);
        return NULL;
      }
      s = b;
    }
  }
  s[n] = '\0';
  return s;
}

/* A clean failure: exit 1, nothing on stdout, "heatls: PATH: why\n". */
static void check_failure_shape(const gd_opts_t *o, const gd_cmd_t *c,
                                const gd_output_t *out) {
  char prefix[4200];
  snprintf(prefix, sizeof prefix, "heatls: %s: ", o->profile);
  size_t pl = strlen(prefix);
  const char *nl = memchr(out->err, '\n', out->err_len);
  int one_line = nl && (size_t)(nl - out->err) + 1 == out->err_len;
  if (out->exit_code != 1 || out->out_len != 0 || !one_line ||
      out->err_len <= pl + 1 || memcmp(out->err, prefix, pl) != 0)
    gd_report(&gd_stats, c->what,
              "  a failure must be exit status 1, no stdout and one stderr "
              "line \"%s<why>\"; got exit %d (signal %d), %zu bytes of "
              "stdout, stderr: %.*s\n",
              prefix, out->exit_code, out->signal, out->out_len,
              (int)(out->err_len > 2000 ? 2000 : out->err_len), out->err);
}

static const char *const subs[3] = {"json", "stat", "dump"};
static const char *const exts[3] = {"json", "txt", "tsv"};

int gd_own(const gd_opts_t *o, const char *sample_type) {
  char dir[4096], path[4200], errpath[4200];
  gd_error_t err;
  if (sample_type)
    snprintf(dir, sizeof dir, "%s/heatls/%s", o->dir, sample_type);
  else
    snprintf(dir, sizeof dir, "%s/heatls", o->dir);
  snprintf(errpath, sizeof errpath, "%s/error.txt", dir);
  if (o->update && gd_mkdirs(dir, &err) != 0) {
    fprintf(stderr, "golden %s: %s\n", o->name, err.message);
    return 2;
  }
  gd_text_t want_err = {0};
  struct stat sb;
  int expect_failure = !o->update && stat(errpath, &sb) == 0;
  if (expect_failure && gd_text_load(errpath, &want_err, &err) != 0) {
    fprintf(stderr, "golden %s: %s\n", o->name, err.message);
    return 2;
  }
  char *first_failure = NULL;
  int successes = 0, failures = 0, rc = 0;
  for (int ti = 0; ti < o->nthresholds && !rc; ti++) {
    for (int s = 0; s < 3 && !rc; s++) {
      const char *t = o->thresholds[ti];
      gd_cmd_t c;
      gd_cmd_build(&c, o, subs[s], t, sample_type, NULL);
      gd_output_t out;
      if (gd_run(c.argv, &out, &err) != 0) {
        fprintf(stderr, "golden %s: %s\n", o->name, err.message);
        rc = 2;
        break;
      }
      snprintf(path, sizeof path, "%s/%s.t%s.%s", dir, subs[s], t, exts[s]);
      gd_stats.outputs++;
      if (out.exit_code != 0 || out.signal) {
        failures++;
        check_failure_shape(o, &c, &out);
        char *ft = failure_text(o, &out);
        if (!ft) {
          rc = 2;
        } else if (o->update) {
          if (!first_failure)
            first_failure = ft, ft = NULL;
          else if (strcmp(first_failure, ft) != 0)
            gd_report(&gd_stats, c.what, "  fails differently: %s", ft);
        } else if (!expect_failure) {
          gd_report(&gd_stats, c.what,
                    "  heatls failed, but %s expects output:\n  %s", path, ft);
        } else {
          gd_text_t got;
          int adopted = gd_text_adopt(&got, ft, strlen(ft), &err) == 0;
          ft = NULL; /* owned by got now, or freed */
          if (!adopted) {
            rc = 2;
          } else {
            gd_compare_t cmp = {GD_EXACT, c.what, errpath, &want_err,
                                &got,     NULL,   0};
            if (gd_compare(&cmp, &gd_stats, &err) < 0)
              rc = 2;
            gd_text_close(&got);
          }
        }
        free(ft);
      } else {
        successes++;
        if (out.err_len)
          gd_report(&gd_stats, c.what, "  unexpected stderr: %.*s\n",
                    (int)(out.err_len > 2000 ? 2000 : out.err_len), out.err);
        gd_text_t got;
        if (gd_adopt_stdout(&out, &got) != 0) {
          rc = 2;
        } else {
          if (o->mode == GD_MODE_OVERFLOW && s == 2)
            wrap_check(o, t, &c, &got);
          if (o->update) {
            if (gd_text_write(path, got.data, got.size, &err) != 0) {
              fprintf(stderr, "golden %s: %s\n", o->name, err.message);
              rc = 2;
            }
          } else if (expect_failure) {
            gd_report(&gd_stats, c.what,
                      "  heatls succeeded, but %s says it fails\n", errpath);
          } else {
            gd_text_t exp;
            if (gd_text_load(path, &exp, &err) != 0) {
              gd_report(&gd_stats, c.what,
                        "  %s (run with HEATLS_UPDATE_GOLDEN=1 to record "
                        "heatls's output)\n",
                        err.message);
            } else {
              gd_compare_t cmp = {GD_EXACT, c.what, path, &exp, &got, NULL, 0};
              if (gd_compare(&cmp, &gd_stats, &err) < 0)
                rc = 2;
              gd_text_close(&exp);
            }
          }
          gd_text_close(&got);
        }
      }
      gd_output_close(&out);
    }
  }
  if (o->update && !rc) {
    if (successes && failures) {
      gd_report(&gd_stats, o->name,
                "  heatls succeeds on some commands and fails on others: "
                "nothing recorded for %s\n",
                dir);
    } else if (failures) {
      if (gd_text_write(errpath, first_failure, strlen(first_failure), &err))
        rc = 2;
      for (int ti = 0; ti < o->nthresholds; ti++)
        for (int s = 0; s < 3; s++) {
          snprintf(path, sizeof path, "%s/%s.t%s.%s", dir, subs[s],
                   o->thresholds[ti], exts[s]);
          unlink(path);
        }
    } else {
      unlink(errpath);
    }
    if (!rc)
      printf("golden %s: recorded %s\n", o->name, dir);
  }
  free(first_failure);
  gd_text_close(&want_err);
  return rc;
}
