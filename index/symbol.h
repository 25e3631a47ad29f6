/*
 * symbol.h: Go symbol names -> perf-heatmap's key parts (internal).
 *
 * Splits "net/http.(*conn).serve.func1" into package "http", type "conn",
 * function "serve", exactly as perf-heatmap's pprofutil.ParseFuncName does,
 * quirks included (docs/levels.md). Names on which the reference
 * panics ("pkg.", "pkg.(T)", "pkg.123", ...) are reported as having no
 * package, so the frame is skipped instead of crashing.
 */
#ifndef HEATLS_SYMBOL_H
#define HEATLS_SYMBOL_H

#include <stddef.h>

/* A slice of the input name: [ptr, ptr + len). */
typedef struct hx_slice {
  const char *ptr;
  size_t len;
} hx_slice_t;

typedef struct hx_symbol {
  hx_slice_t package; /* len 0: no package, the frame does not count */
  hx_slice_t type;
  hx_slice_t func;
} hx_symbol_t;

/* Parses name[0..len). The slices point into name. Never fails: a name the
 * reference cannot parse comes back with an empty package. */
void hx__symbol_parse(const char *name, size_t len, hx_symbol_t *out);

/* The base name of a path as Go's path/filepath.Base on Unix: "" -> ".",
 * trailing slashes dropped, "///" -> "/". Points into path, except for the
 * two constant results "." and "/". */
hx_slice_t hx__path_base(const char *path, size_t len);

#endif
