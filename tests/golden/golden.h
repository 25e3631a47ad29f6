/*
 * golden.h: the pieces of golden_check, the driver that runs the heatls
 * binary on one profile and compares what it prints with perf-heatmap's
 * output (or with heatls's own recorded output where perf-heatmap has none).
 *
 *   text.c     read expected files (plain or gzip) and split them into lines
 *   run.c      run heatls, capture stdout, stderr and the exit status
 *   dump.c     parse a `dump` listing; find full-tie groups of points
 *   compare.c  compare one output with its expected text, with the tie rule
 *   golden_check.c  the command line; running heatls for the modes
 *   reference.c  reference mode: perf-heatmap's files, with the allowances
 *   own.c      own and overflow modes: heatls's own recorded files
 */
#ifndef HEATLS_GOLDEN_H
#define HEATLS_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

/* Caps on what the driver reads: expected files and heatls's output. */
#define GD_MAX_TEXT ((size_t)1 << 30)

typedef struct gd_error {
  char message[1024];
} gd_error_t;

/* Sets err->message (err may be NULL) and returns -1. */
int gd_fail(gd_error_t *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- text.c ---------------------------------------------------------- */

typedef struct gd_line {
  const char *s; /* not NUL-terminated */
  size_t len;    /* without the '\n' */
} gd_line_t;

typedef struct gd_text {
  char *data;
  size_t size;
  gd_line_t *lines;
  size_t count;
  int final_newline; /* 1 when data is empty or ends with '\n' */
} gd_text_t;

/* Reads path (gzip or plain, up to GD_MAX_TEXT bytes) into t. */
int gd_text_load(const char *path, gd_text_t *t, gd_error_t *err);
/* Takes ownership of data (malloc'd, size bytes) and splits it. */
int gd_text_adopt(gd_text_t *t, char *data, size_t size, gd_error_t *err);
void gd_text_close(gd_text_t *t);
/* Finds dir/name or dir/name.gz; writes the path found into out (size
 * outlen). Returns 0 when one exists, -1 otherwise (out holds dir/name). */
int gd_text_find(const char *dir, const char *name, char *out, size_t outlen);
/* Writes size bytes to path, replacing it. */
int gd_text_write(const char *path, const char *data, size_t size,
                  gd_error_t *err);
/* Creates path and its missing parents (mkdir -p). */
int gd_mkdirs(const char *path, gd_error_t *err);
/* 1 when the two lines hold the same bytes. */
int gd_line_eq(gd_line_t a, gd_line_t b);
/* 1 when line starts with the NUL-terminated prefix. */
int gd_line_starts(gd_line_t line, const char *prefix);

/* ---- run.c ----------------------------------------------------------- */

typedef struct gd_output {
  char *out, *err; /* malloc'd, NUL-terminated */
  size_t out_len, err_len;
  int exit_code; /* exit status, or -1 when killed by a signal */
  int signal;    /* the signal, or 0 */
} gd_output_t;

/* Runs argv[0] with argv (NULL-terminated), stdin from /dev/null, and
 * captures its output (each stream capped at GD_MAX_TEXT). */
int gd_run(char *const argv[], gd_output_t *o, gd_error_t *err);
void gd_output_close(gd_output_t *o);

/* ---- dump.c ---------------------------------------------------------- */

enum { GD_F_PKG, GD_F_TYPE, GD_F_FUNC, GD_F_BASE, GD_F_PATH, GD_F_COUNT };

typedef struct gd_func {
  size_t text_line;        /* index of its F line in the text */
  char *field[GD_F_COUNT]; /* as printed, quotes included */
  char *plain[GD_F_COUNT]; /* the same, unquoted */
  char *id;                /* perf-heatmap's ID: "(Type).Func" or "Func" */
  int max_l, max_g;
  int64_t min_line, max_line;
  size_t first, count; /* its points */
} gd_func_t;

typedef struct gd_point {
  size_t func, text_line;
  int64_t line, flat, cum;
  int l, g;
  size_t group;      /* its full-tie group (equal cum and line) */
  size_t group_size; /* points in that group, itself included */
} gd_point_t;

typedef struct gd_dump {
  gd_func_t *funcs;
  size_t nfuncs;
  gd_point_t *points;
  size_t npoints;
  size_t ngroups;
  /* per text line: the point or function on it, or SIZE_MAX */
  size_t *line_point, *line_func;
} gd_dump_t;

/* Parses a dump listing; on a malformed line fails with its number. */
int gd_dump_parse(const gd_text_t *t, gd_dump_t *d, gd_error_t *err);
void gd_dump_close(gd_dump_t *d);
/* 1 when b has the same functions (all five fields) and the same point
 * lines in the same order as a, so that points match by index. */
int gd_dump_aligned(const gd_dump_t *a, const gd_dump_t *b);
/* Go %q unquoting of a quoted field; returns a new string or NULL. */
char *gd_unquote(const char *q);

/* ---- compare.c ------------------------------------------------------- */

typedef struct gd_stats {
  int outputs;      /* outputs compared */
  long differences; /* lines that differ beyond the allowances */
  long tie_swaps;   /* lines that differ only by an allowed tie swap */
  long headers;     /* stat headers heatls prints and the reference merges */
  int shown;        /* differences printed so far (for the whole run) */
} gd_stats_t;

/* What one comparison knows about the points at its threshold: the
 * reference's dump and heatls's, and which tie groups may be permuted. */
typedef struct gd_levels {
  const gd_dump_t *exp, *got; /* got may be NULL when it did not parse */
  int aligned;
  unsigned char *group_ok; /* per group of exp: its G multiset matches */
  size_t *by_path_line;    /* exp points sorted by (path, line) */
} gd_levels_t;

int gd_levels_init(gd_levels_t *lv, const gd_dump_t *exp, const gd_dump_t *got,
                   gd_error_t *err);
void gd_levels_close(gd_levels_t *lv);
/* 1 when point p of exp may show a different G in heatls's output. */
int gd_levels_swap_ok(const gd_levels_t *lv, size_t p);

typedef enum gd_kind {
  GD_EXACT,      /* byte for byte */
  GD_DUMP,       /* a dump: G swaps inside full-tie groups */
  GD_JSON,       /* json in the deterministic order */
  GD_JSON_CANON, /* json, rows sorted inside each file on both sides */
  GD_STAT        /* stat: G swaps, and heatls's extra headers */
} gd_kind_t;

typedef struct gd_compare {
  gd_kind_t kind;
  const char *what;     /* the command, for messages */
  const char *exp_name; /* the expected file, for messages */
  const gd_text_t *exp;
  const gd_text_t *got;
  const gd_levels_t *levels; /* NULL for GD_EXACT */
  double json_mult;          /* json value = int(cum_ns * json_mult) */
} gd_compare_t;

/* Compares, prints the first differences, adds to st (the caller counts
 * st->outputs). Returns the number of
 * differences (0 when equal under the allowances), or -1 on an error. */
long gd_compare(const gd_compare_t *c, gd_stats_t *st, gd_error_t *err);
/* Prints one difference (counts it and respects the display cap). */
void gd_report(gd_stats_t *st, const char *what, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define GD_SHOW_MAX 40       /* differences printed per run */
#define GD_SHOW_PER_OUTPUT 4 /* and per output */

/* ---- golden_check.c: what the modes share --------------------------- */

#define GD_MAX_THRESHOLDS 8
#define GD_MAX_SAMPLE_TYPES 8
#define GD_MAX_INPUTS 16

typedef enum gd_mode {
  GD_MODE_REFERENCE,
  GD_MODE_OWN,
  GD_MODE_OVERFLOW
} gd_mode_t;

typedef struct gd_opts {
  const char *heatls, *profile, *dir, *name, *hint;
  gd_mode_t mode;
  const char *thresholds[GD_MAX_THRESHOLDS];
  int nthresholds;
  const char *sample_types[GD_MAX_SAMPLE_TYPES];
  int nsample_types;
  /* --input: heatls is given these profiles (merged) instead of --profile,
   * whose folder's expected files they must print. */
  const char *inputs[GD_MAX_INPUTS];
  int ninputs;
  int value_formats, json_canon, update;
} gd_opts_t;

typedef struct gd_cmd {
  char *argv[16 + GD_MAX_INPUTS];
  int argc;
  char what[4096]; /* the command line, for messages */
} gd_cmd_t;

extern gd_stats_t gd_stats; /* the whole run's counts */

/* Builds `heatls SUB -threshold T [-value-format F] [--sample-type S] P`. */
void gd_cmd_build(gd_cmd_t *c, const gd_opts_t *o, const char *sub,
                  const char *threshold, const char *sample_type,
                  const char *value_format);
/* Runs c. Returns 0 and fills out on exit status 0 with an empty stderr;
 * otherwise reports a difference and returns -1 (out is then closed). */
int gd_run_ok(const gd_cmd_t *c, gd_output_t *out);
/* Moves heatls's stdout into t (out->out is taken). */
int gd_adopt_stdout(gd_output_t *out, gd_text_t *t);
/* Loads DIR/name (or name.gz) into t and its path into path; prints why
 * and returns -1 when it is missing or unreadable. */
int gd_load_expected(const gd_opts_t *o, const char *name, gd_text_t *t,
                     char *path, size_t pathlen);

/* ---- reference.c, own.c: the modes ------------------------------------ */

/* Reference mode at one threshold. 0, or 2 on a setup error. */
int gd_reference(const gd_opts_t *o, const char *threshold);
/* Own and overflow modes for one sample type (NULL: the default). */
int gd_own(const gd_opts_t *o, const char *sample_type);

#endif
