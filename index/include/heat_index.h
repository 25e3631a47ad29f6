/*
 * heat_index.h: the public API of heatls's index module.
 *
 * Reads a pprof profile (profile.proto, gzipped or raw) and builds a heat
 * index: one point per (function, source line) with its flat and cum values
 * and two heat levels, local and global (0 = cold, 1..5 = hot), computed
 * exactly as perf-heatmap computes them (see docs/levels.md).
 *
 * Conventions (as in libuv/jansson):
 *   - functions return 0 on success or a negative HX_E* code; details go to
 *     an optional caller-owned hx_error_t (may be NULL);
 *   - lines are 1-based, as in the profile; indices are 0-based;
 *   - everything returned by a query is borrowed from the index and lives
 *     until hx_index_free() or hx_index_relevel() (levels only).
 * The module does no printing, no exiting and no IO: the caller reads the
 * profile and pushes its bytes into a loader (hx_loader_feed).
 */
#ifndef HEATLS_HEAT_INDEX_H
#define HEATLS_HEAT_INDEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes (negative). */
enum {
  HX_EIO = -1,         /* cannot open or read the file (the callers' IO) */
  HX_EGZIP = -2,       /* corrupt or truncated gzip stream */
  HX_ETOOBIG = -3,     /* decompressed size or a count over its cap */
  HX_EPROTO = -4,      /* not a valid profile.proto message */
  HX_EPROFILE = -5,    /* valid protobuf, but an inconsistent profile */
  HX_ESAMPLETYPE = -6, /* the requested sample type is not in the profile */
  HX_ENOSAMPLES = -7,  /* no sample gave a single point */
  HX_EINVAL = -8,      /* bad argument (threshold out of range, ...) */
  HX_ENOMEM = -9       /* allocation failure */
};

typedef struct hx_error {
  int code;          /* the HX_E* code, 0 when no error */
  char message[256]; /* one line, no trailing newline */
} hx_error_t;

/* A static name for an HX_E* code ("corrupt gzip data", ...). */
const char *hx_strerror(int code);

/* Fills err (NULL is fine) with code and a printf-style one-line message
 * (newlines become spaces); returns code. For callers that report their
 * own failures in the index's terms (reading a profile's bytes, say). */
int hx_error_set(hx_error_t *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* How function names become keys (docs/levels.md). */
typedef enum hx_symbols {
  HX_SYMBOLS_AUTO = 0, /* Go rules if any function's file ends in ".go" */
  HX_SYMBOLS_GO, /* perf-heatmap's key; frames without a package skipped */
  HX_SYMBOLS_RAW /* key = (full file path, raw function name) */
} hx_symbols_t;

/* What "local" ranks a line among. */
typedef enum hx_local_scope {
  HX_LOCAL_FUNCTION = 0, /* among the lines of its function (perf-heatmap) */
  HX_LOCAL_FILE          /* among all profiled lines of its file */
} hx_local_scope_t;

#define HX_DEFAULT_THRESHOLD 0.5
#define HX_DEFAULT_MAX_DECOMPRESSED ((uint64_t)1 << 30) /* 1 GiB */

typedef struct hx_options {
  /* Sample type by name: "alloc_space", or "type/unit" ("delay/nanoseconds").
   * NULL or "": cpu/nanoseconds if present, else the profile's
   * default_sample_type, else the last sample type. */
  const char *sample_type;
  double threshold; /* fraction of points that get a level; 0 means 0.5 */
  hx_local_scope_t local_scope;
  hx_symbols_t symbols;
  uint64_t max_decompressed; /* cap on the raw profile size; 0 = default */
  /* Threads of the sample walk: 0 = two when the samples fill at least
   * 2 MiB (and 4 bytes a location), else one; 1 = one; 2 = two at any
   * size. Two fall back to one when a sample is over 64 KiB or the second
   * thread or its memory cannot be had. The index is the same. */
  unsigned walk_threads;
} hx_options_t;

/* Fills in the defaults above. */
void hx_options_init(hx_options_t *opts);

/* What a sample value measures, for display. */
typedef enum hx_unit_kind {
  HX_UNIT_COUNT = 0, /* "count", or a unit heatls does not know */
  HX_UNIT_TIME,      /* nanoseconds ... seconds; see ns_per_unit */
  HX_UNIT_BYTES      /* "bytes" */
} hx_unit_kind_t;

typedef struct hx_sample_type {
  const char *type; /* "cpu", "alloc_space", ... ("" when absent) */
  const char *unit; /* "nanoseconds", "bytes", "count", ... */
} hx_sample_type_t;

typedef struct hx_summary {
  hx_sample_type_t sample_type; /* the one the index was built from */
  size_t sample_type_index;     /* its position in the profile */
  hx_unit_kind_t unit_kind;
  int64_t ns_per_unit; /* HX_UNIT_TIME: nanoseconds per unit; else 0 */
  int64_t total;       /* sum of the chosen value over all samples */
  size_t samples;      /* samples in the profile */
  size_t files;        /* distinct files of function records */
  size_t functions;    /* function records */
  size_t points;       /* (function, line) points */
  int go_symbols;      /* 1 when Go symbol rules were used */
  double threshold;    /* as applied (0 replaced by 0.5) */
  hx_local_scope_t local_scope;
  /* perf-heatmap's MemoryUsageApprox(), which `stat` prints. */
  uint64_t reference_memory_approx;
  /* Several profiles (hx_index_combine; a single load: 1, 0, ...). */
  size_t inputs;          /* profiles summed on the new side */
  size_t base_inputs;     /* profiles summed on the base side; 0: not a diff */
  int64_t base_total;     /* diff: the base's total, after normalisation */
  int64_t base_total_raw; /* diff: the base's total before it */
  double base_scale;      /* diff: 1, or new total / base total (normalize) */
  size_t regressions;     /* diff: points whose delta_cum > 0 */
  size_t improvements;    /* diff: points whose delta_cum < 0 */
} hx_summary_t;

/* One (function, line) point. */
typedef struct hx_point {
  int64_t flat;  /* value where this line was the leaf frame */
  int64_t cum;   /* value of every frame on this line (perf-heatmap's sum) */
  uint32_t line; /* 1-based source line (0 = unknown line) */
  uint32_t function; /* index of its hx_function_t */
  uint8_t local;     /* local level 0..5 (scope as configured) */
  uint8_t global;    /* global level 0..5 */
} hx_point_t;

/* A function record: one key (see docs/levels.md), its points contiguous. */
typedef struct hx_function {
  const char *package; /* Go package name ("" for raw symbols) */
  const char *type;    /* receiver type, pointer dropped ("" when none) */
  const char *name;    /* function name (closures folded into it) */
  const char *display; /* "pkg.(Type).Func", "pkg.Func", or the raw name */
  const char *symbol;  /* the first full symbol name seen for this key */
  uint32_t file;       /* index of its hx_file_t */
  uint32_t first_point, point_count; /* its points, by line ascending */
  uint32_t min_line, max_line;
  uint8_t max_local, max_global;
  int64_t flat;  /* sum of its points' flat */
  int64_t cum;   /* value of samples with this function on the stack, once
                    per sample (pprof's cum, unlike a point's cum) */
  uint32_t rank; /* 0-based rank among functions by cum, flat, then order */
} hx_function_t;

/* A source file of the profile, as its full path in the profile. */
typedef struct hx_file {
  const char *path;
  uint32_t first_function, function_count; /* contiguous functions */
  uint32_t point_count;
  uint8_t max_local, max_global;
} hx_file_t;

typedef struct hx_index hx_index_t;

/* A load in progress. The index does no IO: the caller pushes the
 * profile's bytes (gzipped or raw, from a file, a socket, memory) as they
 * arrive, in pieces of any size, and the loader decodes them through a
 * window of a few fields, so neither the whole input nor the whole raw
 * profile is kept. The result does not depend on how the bytes were split.
 * A loader is used by one thread at a time. */
typedef struct hx_loader hx_loader_t;

/* Starts a load with opts (NULL: defaults; opts and its sample_type string
 * are copied). On success *out is a new loader owned by the caller (free
 * with hx_loader_free); on failure (HX_EINVAL for bad options, HX_ENOMEM)
 * *out is NULL. */
int hx_loader_new(const hx_options_t *opts, hx_loader_t **out,
                  hx_error_t *err);

/* The next size bytes of the profile; data is only borrowed (size 0 is
 * fine). Gzip is told from raw on the first two bytes. An error (corrupt
 * gzip, over max_decompressed, not a profile.proto message, out of memory)
 * can come as soon as the bytes show it; the loader then stays failed:
 * every later hx_loader_feed and hx_loader_finish returns the same code
 * and message, and the memory of the load is freed at once. */
int hx_loader_feed(hx_loader_t *loader, const void *data, size_t size,
                   hx_error_t *err);

/* The end of the input: decodes what is left and builds the index. On
 * success *out is a new index owned by the caller (free with
 * hx_index_free). On failure *out is NULL and err says why; no input at
 * all is HX_EPROTO "empty file". Either way the loader is done: free it
 * with hx_loader_free (later feeds are HX_EINVAL, or the failure). */
int hx_loader_finish(hx_loader_t *loader, hx_index_t **out, hx_error_t *err);

/* Frees a load at any stage. NULL is fine. */
void hx_loader_free(hx_loader_t *loader);

/* A whole profile in memory (gzipped or raw), through a loader: a new
 * index in *out as for hx_loader_finish; data is only borrowed. Messages
 * name no file: callers add it. */
int hx_index_load_buffer(const void *data, size_t size,
                         const hx_options_t *opts, hx_index_t **out,
                         hx_error_t *err);

void hx_index_free(hx_index_t *index); /* NULL is fine */

/* Recomputes every level for a new threshold and local scope without
 * reloading. On error the index is unchanged. */
int hx_index_relevel(hx_index_t *index, double threshold,
                     hx_local_scope_t scope, hx_error_t *err);

const hx_summary_t *hx_index_summary(const hx_index_t *index);

/* All sample types of the profile, in profile order. */
size_t hx_index_sample_type_count(const hx_index_t *index);
const hx_sample_type_t *hx_index_sample_type(const hx_index_t *index,
                                             size_t i);

/* Files are sorted by path bytewise. Functions are sorted by (file path,
 * type, name, package): the functions of a file are contiguous. Points are
 * in function order, each function's by line ascending. */
size_t hx_index_file_count(const hx_index_t *index);
const hx_file_t *hx_index_file(const hx_index_t *index, size_t i);
size_t hx_index_function_count(const hx_index_t *index);
const hx_function_t *hx_index_function(const hx_index_t *index, size_t i);
size_t hx_index_point_count(const hx_index_t *index);
const hx_point_t *hx_index_point(const hx_index_t *index, size_t i);

/* The index of the file with exactly this path, or -1. O(log files). */
long hx_index_find_file(const hx_index_t *index, const char *path);

/* The points of file `file` whose line is in [from, to], ordered by line
 * ascending and, on one line, hottest first (several functions can share a
 * line). Sets *ids to a borrowed array of point indices and returns its
 * length (0 when none). O(log points). */
size_t hx_index_file_lines(const hx_index_t *index, size_t file, uint32_t from,
                           uint32_t to, const uint32_t **ids);

/* The hottest point of (file, line), or -1. */
long hx_index_line(const hx_index_t *index, size_t file, uint32_t line);

/* Points in global rank order, hottest first: sets *ids to a borrowed array
 * of min(n, point count) point indices and returns its length. */
size_t hx_index_top(const hx_index_t *index, size_t n, const uint32_t **ids);

/* Functions in rank order (hx_function_t.rank), as for hx_index_top. */
size_t hx_index_top_functions(const hx_index_t *index, size_t n,
                              const uint32_t **ids);

/* ---- several profiles: merge and diff (docs/levels.md) ----
 *
 * The index does no IO, and loads one profile per loader: a caller loads
 * each profile into an index (in parallel if it likes: indexes share
 * nothing), then combines them. The inputs are only read, and the result
 * shares nothing with them: free them as soon as it is made. */

typedef struct hx_combine_options {
  double threshold; /* as hx_options_t: 0 means 0.5, else (0, 1] */
  hx_local_scope_t local_scope;
  int normalize; /* diff: scale the base by new total / base total */
} hx_combine_options_t;

/* Threshold 0.5, local scope function, no normalisation. */
void hx_combine_options_init(hx_combine_options_t *opts);

/* Sums the indexes inputs[0..n_inputs) (at least one) into one index: the
 * index of the profile `go tool pprof -proto` makes of them. With
 * n_bases > 0, also sums bases[0..n_bases) and makes a diff index: every
 * point of either side, the new values in hx_point_t, the base's and the
 * deltas in hx_index_point_diff(), signed levels. Every input must have
 * been built with the same sample type (time units may differ: values are
 * converted to the finest) and the same symbol rule. On success *out is a
 * new index owned by the caller. On failure *out is NULL, err says why,
 * and when one input is to blame *culprit (if not NULL) is its position:
 * i for inputs[i], n_inputs + j for bases[j]; else SIZE_MAX. */
int hx_index_combine(const hx_index_t *const *inputs, size_t n_inputs,
                     const hx_index_t *const *bases, size_t n_bases,
                     const hx_combine_options_t *opts, hx_index_t **out,
                     size_t *culprit, hx_error_t *err);

/* The same, one index at a time, so that a caller can free (or not yet
 * have loaded) the others: a merge of N profiles need not hold N indexes.
 * The merger copies what it keeps; each added index is only read and may
 * be freed as soon as hx_merger_add returns. Add the profiles in their
 * order (a key shows the path of the first that has it), then the bases
 * (base != 0). A failed add names no input (the caller knows which it
 * added) and leaves the merger failed: every later add and the finish
 * return the same code and message, and its memory is freed at once. */
typedef struct hx_merger hx_merger_t;

/* A new merger (opts NULL: defaults), owned by the caller
 * (hx_merger_free); HX_EINVAL for bad options, HX_ENOMEM. */
int hx_merger_new(const hx_combine_options_t *opts, hx_merger_t **out,
                  hx_error_t *err);
int hx_merger_add(hx_merger_t *merger, const hx_index_t *index, int base,
                  hx_error_t *err);
/* The sum (a diff if a base was added) as a new index owned by the caller;
 * the merger is done either way (free it). */
int hx_merger_finish(hx_merger_t *merger, hx_index_t **out, hx_error_t *err);
void hx_merger_free(hx_merger_t *merger); /* NULL is fine */

/* 1 when the index is a diff (hx_index_combine with bases). */
int hx_index_is_diff(const hx_index_t *index);

/* A point's base side and its change, in a diff index. */
typedef struct hx_point_diff {
  int64_t base_flat, base_cum;   /* after normalisation; 0 when absent */
  int64_t delta_flat, delta_cum; /* new minus base */
  int8_t local, global;          /* 1..5 regressions, -1..-5 improvements, 0 */
} hx_point_diff_t;

/* A function's base side and its change, in a diff index. Its
 * hx_function_t max_local/max_global are the regression levels. */
typedef struct hx_function_diff {
  int64_t base_flat, base_cum; /* pprof's cum, as hx_function_t.cum */
  int64_t delta_flat, delta_cum;
  int8_t min_local, min_global; /* the deepest improvement level, <= 0 */
} hx_function_diff_t;

/* Borrowed, as hx_index_point (levels: until a relevel); NULL when the
 * index is not a diff or i is out of range. In a diff index, hx_point_t's
 * local and global are the signed levels clipped at 0. */
const hx_point_diff_t *hx_index_point_diff(const hx_index_t *index, size_t i);
const hx_function_diff_t *hx_index_function_diff(const hx_index_t *index,
                                                 size_t i);

/* A diff's largest changes: the regressions by delta_cum descending, or
 * (improvements != 0) the improvements by the size of the drop, each then
 * by line descending and record order. As hx_index_top; 0 when the index
 * is not a diff. (hx_index_top of a diff lists the regressions, then the
 * unchanged points, then the improvements.) */
size_t hx_index_top_changes(const hx_index_t *index, size_t n,
                            int improvements, const uint32_t **ids);

#ifdef __cplusplus
}
#endif

#endif
