/*
 * profile_builder.h: builds pprof profiles in memory for heatls's tests.
 *
 * A builder collects a string table, sample types, functions, locations and
 * samples, then serializes them with protobuf-c's generated code, raw or
 * gzipped. Ids are handed out in order (1, 2, ...); the id an add function
 * returns is also the handle the raw setters take, even after the id written
 * to the profile has been changed with them. The raw setters exist to make
 * broken profiles: dangling or duplicate ids, string indices past the table.
 * Dangling references and wrong value counts need no setter: pass them to
 * pb_add_location() / pb_add_sample() directly.
 *
 * Errors are sticky, in the manner of a stream: an add that cannot allocate
 * (or that would pass PB_MAX_ENTRIES) marks the builder failed and returns 0;
 * pb_build_bytes() then fails. Meant for small profiles: strings are interned
 * by a linear search.
 *
 * The rest of the file: gzip helpers (compress, corrupt, a cheap gzip bomb)
 * and temporary files. Every buffer handed out is malloc'd to its exact size,
 * so that a reader overrunning it trips AddressSanitizer; free it with free().
 */
#ifndef HEATLS_PROFILE_BUILDER_H
#define HEATLS_PROFILE_BUILDER_H

#include <stddef.h>
#include <stdint.h>

/* Cap on each table of a builder (strings, functions, locations, ...). */
#define PB_MAX_ENTRIES ((size_t)1 << 22)
/* Most bytes pb_gzip_repeat() takes as its unit. */
#define PB_REPEAT_BLOCK ((size_t)64 * 1024)
/* Cap on any compressed output produced here. */
#define PB_MAX_OUTPUT ((size_t)256 << 20)

typedef struct pb_builder pb_builder_t;

/* One line of a location: function id and 1-based source line. */
typedef struct pb_line {
  uint64_t function_id;
  int64_t line;
} pb_line_t;

/* A new, empty builder whose string table holds "" at index 0; NULL when
 * out of memory. Free it with pb_builder_free(). */
pb_builder_t *pb_builder_new(void);
void pb_builder_free(pb_builder_t *b); /* NULL is fine */

/* 1 when an earlier add failed (out of memory or a table full). */
int pb_failed(const pb_builder_t *b);

/* The string-table index of s, adding it on first use; -1 on failure. */
int64_t pb_intern(pb_builder_t *b, const char *s);
size_t pb_string_count(const pb_builder_t *b);

void pb_add_sample_type(pb_builder_t *b, const char *type, const char *unit);

/* Sets default_sample_type to the index of the string `type`. */
void pb_set_default_sample_type(pb_builder_t *b, const char *type);

/* Adds a function (system_name = name) and returns its id, 0 on failure. */
uint64_t pb_add_function(pb_builder_t *b, const char *name,
                         const char *filename);

/* Adds a location with n_lines lines (innermost inlined function first) and
 * returns its id, 0 on failure. The lines are copied. */
uint64_t pb_add_location(pb_builder_t *b, size_t n_lines,
                         const pb_line_t *lines);

/* The common case: a location with the single line (function_id, line). */
uint64_t pb_add_frame(pb_builder_t *b, uint64_t function_id, int64_t line);

/* Adds a sample: a stack (loc_ids[0] is the leaf) and its values. Both
 * arrays are copied; either count may be 0. */
void pb_add_sample(pb_builder_t *b, size_t n_locs, const uint64_t *loc_ids,
                   size_t n_values, const int64_t *values);

/* Raw setters, by the handle an add function returned. An unknown handle
 * marks the builder failed. */
void pb_set_function_id(pb_builder_t *b, uint64_t handle, uint64_t id);
void pb_set_function_name_index(pb_builder_t *b, uint64_t handle,
                                int64_t index);
void pb_set_function_filename_index(pb_builder_t *b, uint64_t handle,
                                    int64_t index);
void pb_set_location_id(pb_builder_t *b, uint64_t handle, uint64_t id);
void pb_set_default_sample_type_index(pb_builder_t *b, int64_t index);

/* Serializes the profile, gzipped when gzip is non-zero. On success *buf is
 * a new buffer of *len bytes owned by the caller. Returns 0, or -1 when the
 * builder failed earlier or memory runs out. */
int pb_build_bytes(pb_builder_t *b, int gzip, uint8_t **buf, size_t *len);

/* Gzips data[0..len) as Go does (zlib, windowBits 31). Caller frees *out. */
int pb_gzip(const void *data, size_t len, uint8_t **out, size_t *out_len);

/* A gzip stream that inflates to `size` bytes: `unit` (1 to PB_REPEAT_BLOCK
 * bytes) repeated, the last copy cut short. Made by deflating one block
 * over and over, so a gzip bomb costs a few KiB per MiB. With a valid
 * protobuf field as the unit (say an empty string-table entry, 32 00) the
 * bomb is a valid profile prefix all the way. Caller frees *out. */
int pb_gzip_repeat(const void *unit, size_t unit_len, uint64_t size,
                   uint8_t **out, size_t *out_len);

/* pb_gzip_repeat() of a single zero byte. */
int pb_gzip_zeros(uint64_t size, uint8_t **out, size_t *out_len);

/* Flips every bit of the first byte of the CRC-32 in a gzip trailer.
 * Returns -1 when len is too short to hold a header and a trailer. */
int pb_gzip_flip_crc(uint8_t *gz, size_t len);

/* A new exact-size copy of data[0..keep) (keep <= len): a truncated stream.
 * Caller frees *out. */
int pb_truncate(const void *data, size_t len, size_t keep, uint8_t **out);

/* `len` bytes from a xorshift generator seeded with `seed` (0 is replaced
 * by a fixed constant). Caller frees *out. */
int pb_random_bytes(uint64_t seed, size_t len, uint8_t **out);

/* Writes data to a new file under $TMPDIR (or /tmp) and stores its path in
 * path[0..size). The caller removes it (unlink). Returns 0 or -1. */
int pb_write_temp(const void *data, size_t len, char *path, size_t size);

/* Creates a new empty directory the same way. The caller removes it. */
int pb_make_temp_dir(char *path, size_t size);

#endif
