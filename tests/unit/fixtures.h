/*
 * fixtures.h: profiles and helpers shared by the index module's unit tests.
 * Nothing here asserts: the tests do (check.h keeps its counters per test).
 */
#ifndef HEATLS_UNIT_FIXTURES_H
#define HEATLS_UNIT_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "heat_index.h"
#include "profile_builder.h"

#define FX_MS ((int64_t)1000000) /* nanoseconds per millisecond */

/* A builder with the two sample types of a Go CPU profile:
 * samples/count, cpu/nanoseconds. NULL when out of memory. */
pb_builder_t *fx_go_cpu_builder(void);

/* A Go CPU sample of `ms` milliseconds: values {1, ms * 1e6 ns}, over the
 * stack locs[0..n) (leaf first). */
void fx_cpu_stack(pb_builder_t *b, size_t n, const uint64_t *locs, int64_t ms);

/* The same for a one-frame stack at (function, line). */
void fx_cpu_sample(pb_builder_t *b, uint64_t function, int64_t line,
                   int64_t ms);

/* The worked example of the unit tests (test_example.c describes it) as
 * profile bytes, gzipped or raw. Caller frees *buf. Returns 0 or -1. */
int fx_worked_example(int gzip, uint8_t **buf, size_t *len);

/* Serializes b (raw) and loads it with opts (NULL: defaults). Returns the
 * load's code, or -100 when the builder failed. */
int fx_load(pb_builder_t *b, const hx_options_t *opts, hx_index_t **out,
            hx_error_t *err);

/* Everything an index answers (summary, sample types, points, functions,
 * files, their strings, the line, rank and function orders) as bytes, so
 * that two indexes can be compared byte for byte. Caller frees *out.
 * Returns 0 or -1 (out of memory). */
int fx_index_dump(const hx_index_t *index, uint8_t **out, size_t *len);

/* What a load came to: its code, its message and the dump of its index
 * (fx_index_dump; NULL on failure), so that loads made in different ways
 * compare byte for byte. */
typedef struct fx_outcome {
  int rc;
  char message[256];
  uint8_t *dump;
  size_t dump_len;
} fx_outcome_t;

/* Sets o from a load's code, index (freed here) and error. Returns 0, or
 * -1 when the dump ran out of memory (o->dump is then NULL). */
int fx_outcome_set(fx_outcome_t *o, int rc, hx_index_t *index,
                   const hx_error_t *err);

/* Frees o's dump and clears it. */
void fx_outcome_free(fx_outcome_t *o);

/* Reads a whole file. Caller frees *out. Returns 0 or -1. */
int fx_read_file(const char *path, uint8_t **out, size_t *len);

/* 1 when word occurs in text, ignoring ASCII case. */
int fx_has_word(const char *text, const char *word);

/* The index of the point of (path, line) with the highest cum, -1 if none. */
long fx_point(const hx_index_t *index, const char *path, uint32_t line);

/* The index of the function whose display name is `display`, -1 if none. */
long fx_function(const hx_index_t *index, const char *display);

#endif
