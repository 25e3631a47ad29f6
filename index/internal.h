/*
 * internal.h: what the index's own files share and nobody else sees.
 *
 * The load pipeline, one file per step:
 *   index.c    hx_loader_*: the caller pushes the profile's bytes
 *   inflate.c  bytes as they arrive -> raw profile.proto bytes (gunzip
 *              by ISA-L, size cap), written into the decoder's window (by
 *              a worker thread past the first 2 MiB of a gzipped profile)
 *   gzip_header.c  a gzip member's header, read and checked for inflate.c
 *   wire.c     walks protobuf fields of a message without unpacking it
 *   message.c  reads Sample, Location, Function, ValueType from bytes
 *   decode.c   raw bytes -> hx_raw_t: tables of sample types, strings,
 *              functions, locations and the places of the samples
 *   build.c    hx_raw_t -> points and function records (the sample walk)
 *   levels.c   ranks -> local and global heat levels (sorted by radix.c)
 *   query.c    lookups on the finished index
 * and, after loads, merge.c: finished indexes summed (a merge), or two
 * sums compared (a diff).
 */
#ifndef HEATLS_INDEX_INTERNAL_H
#define HEATLS_INDEX_INTERNAL_H

#include "heat_index.h"
#include "symbol.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- errors (error.c) ---- */

/* Fills err (if any) with code and a printf-style message; returns code. */
int hx__fail(hx_error_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- a bump allocator for strings and scratch (arena.c) ---- */

typedef struct hx_arena_block hx_arena_block_t;
typedef struct hx_arena {
  hx_arena_block_t *head;
  size_t block_size;
  bool failed; /* an allocation failed since init or the last reset */
} hx_arena_t;

void hx__arena_init(hx_arena_t *arena, size_t block_size);
void hx__arena_close(hx_arena_t *arena);
/* Forgets every allocation but keeps the first block for reuse. */
void hx__arena_reset(hx_arena_t *arena);
/* 16-byte aligned memory owned by the arena, or NULL. */
void *hx__arena_alloc(hx_arena_t *arena, size_t size);
/* A NUL-terminated copy of s[0..len) owned by the arena, or NULL. */
char *hx__arena_strndup(hx_arena_t *arena, const char *s, size_t len);

/* Multiplies with an overflow check; false on overflow. */
static inline bool hx__mul_ok(size_t a, size_t b, size_t *out) {
  return !__builtin_mul_overflow(a, b, out);
}

/* Grows *items (of elem bytes each) so that it holds at least need items;
 * capacity doubles. 0 or HX_ENOMEM. */
int hx__grow_to(void **items, size_t *cap, size_t need, size_t elem);
static inline int hx__grow(void **items, size_t *cap, size_t need,
                           size_t elem) {
  /* Inline, as most calls find room: the decode makes millions of them. */
  return need <= *cap ? 0 : hx__grow_to(items, cap, need, elem);
}

/* ---- a gzip member's header (gzip_header.c) ---- */

/* Where the reading of a gzip member's header (RFC 1952) is. */
typedef enum hx_gzip_step {
  HX_GZIP_FIXED,   /* the 10 bytes every header has */
  HX_GZIP_XLEN,    /* FEXTRA: the extra field's 2-byte length */
  HX_GZIP_EXTRA,   /* FEXTRA: its bytes */
  HX_GZIP_NAME,    /* FNAME: up to a NUL byte */
  HX_GZIP_COMMENT, /* FCOMMENT: up to a NUL byte */
  HX_GZIP_HCRC,    /* FHCRC: the low 16 bits of the header's CRC-32 */
  HX_GZIP_DONE     /* the deflate data follows */
} hx_gzip_step_t;

typedef struct hx_gzip_header {
  hx_gzip_step_t step;
  uint8_t flags;
  uint8_t fixed[10]; /* the fixed part, then XLEN or the HCRC bytes */
  size_t have;       /* bytes of the current step read so far */
  size_t left;       /* HX_GZIP_EXTRA: bytes to skip */
  uint32_t crc;      /* CRC-32 of the header bytes read */
} hx_gzip_header_t;

/* Reads a member's header from the front of data[0..size), advancing past
 * what it took: 0 (h->step is HX_GZIP_DONE once the whole header is read),
 * or -1 with zlib's words for what is wrong in *why. A zeroed h starts a
 * header. */
int hx__gzip_header_take(hx_gzip_header_t *h, const uint8_t **data,
                         size_t *size, const char **why);

/* ---- the profile's bytes as they arrive (inflate.c) ---- */

typedef struct hx_decoder hx_decoder_t;
typedef struct hx_input hx_input_t;

/* Takes the profile's bytes in pieces of any size, tells gzip from raw on
 * the first two bytes, gunzips (concatenated members, trailing zero
 * padding) and writes the raw profile.proto bytes into dec's window. No
 * more than max_size raw bytes pass: one more is HX_ETOOBIG. dec is
 * borrowed and must outlive the input. */
int hx__input_new(uint64_t max_size, hx_decoder_t *dec, hx_input_t **out,
                  hx_error_t *err);
int hx__input_feed(hx_input_t *in, const uint8_t *data, size_t size,
                   hx_error_t *err);
/* The end of the bytes: "empty file" when there were none, truncated gzip
 * data when a member is unfinished. */
int hx__input_finish(hx_input_t *in, hx_error_t *err);
void hx__input_free(hx_input_t *in); /* NULL is fine */

/* ---- protobuf wire format (wire.c) ---- */

enum { HX_WIRE_VARINT = 0, HX_WIRE_I64 = 1, HX_WIRE_LEN = 2, HX_WIRE_I32 = 5 };

typedef struct hx_wire {
  const uint8_t *pos, *end;
} hx_wire_t;

typedef struct hx_field {
  uint32_t number;
  uint32_t wire_type;
  uint64_t varint;     /* HX_WIRE_VARINT, I64, I32 */
  const uint8_t *data; /* HX_WIRE_LEN */
  size_t size;         /* HX_WIRE_LEN */
} hx_field_t;

/* 1 and the next field, 0 at the end, or HX_EPROTO on malformed input. */
int hx__wire_next(hx_wire_t *w, hx_field_t *f, hx_error_t *err);

/* Like hx__wire_next, but a field cut off by the end of the data is not an
 * error: 0 is returned and w is left at the field's start, so that the
 * caller can read more and try again. */
int hx__wire_next_partial(hx_wire_t *w, hx_field_t *f, hx_error_t *err);

/* ---- the small messages, read without protobuf-c (message.c) ---- */

/* A Sample: its location ids, how many values it has and the one asked
 * for. The buffers are reused from one sample to the next. */
typedef struct hx_sample_buf {
  uint64_t *ids;
  size_t id_count, id_cap;
  size_t value_count;
  int64_t value; /* value[value_index], 0 when there are fewer values */
} hx_sample_buf_t;

/* 0, HX_EPROTO on malformed bytes, HX_ENOMEM (no message: the caller
 * names the sample). */
int hx__sample_parse(const uint8_t *data, size_t size, size_t value_index,
                     hx_sample_buf_t *s);
void hx__sample_buf_close(hx_sample_buf_t *s);

/* A Location: its id and its lines, as the profile gives them. */
typedef struct hx_location_buf {
  uint64_t id;
  struct hx_line_ref {
    uint64_t function_id;
    int64_t line;
  } * lines;
  size_t line_count, line_cap;
} hx_location_buf_t;

int hx__location_parse(const uint8_t *data, size_t size, hx_location_buf_t *l);
void hx__location_buf_close(hx_location_buf_t *l);

/* A message whose fields 1..known are all varints (Function: 5,
 * ValueType: 2): fields[i] is field i + 1 (the last one given, 0 when
 * absent) for i < field_count; other fields are skipped. */
int hx__varint_message_parse(const uint8_t *data, size_t size, uint32_t known,
                             uint64_t *fields, size_t field_count);

/* ---- decoded tables (decode.c) ---- */

typedef struct hx_str {
  const char *ptr; /* into hx_raw_t.string_arena; not NUL-terminated */
  uint32_t len;
} hx_str_t;

typedef struct hx_raw_function {
  uint64_t id;
  int64_t name, filename; /* string-table indices, checked */
} hx_raw_function_t;

/* One line of a location: 8 bytes, as there are about a million of them
 * in a large profile. */
typedef struct hx_raw_frame {
  uint32_t function; /* function index, or HX_FRAME_SKIP */
  uint32_t line;
} hx_raw_frame_t;

/* A frame whose line is negative or over 2^32 - 1: it does not count. */
#define HX_FRAME_SKIP UINT32_MAX

typedef struct hx_raw_location {
  uint32_t first_frame, frame_count; /* into hx_raw_t.frames */
} hx_raw_location_t;

/* Maps ids (uint64, never 0) to dense indices. */
typedef struct hx_id_map {
  size_t identity;  /* > 0: ids are exactly 1..identity, in order */
  uint32_t *direct; /* id -> index + 1 when ids are dense enough */
  size_t direct_size;
  uint64_t *keys; /* otherwise an open-addressing table */
  uint32_t *values;
  size_t mask;
  unsigned shift; /* slot = (id * golden ratio) >> shift */
} hx_id_map_t;

/* Builds the map from ids[0..n); HX_EPROFILE on a duplicate or a 0 id
 * (the message names `what` and the id). */
int hx__id_map_build(hx_id_map_t *map, const uint64_t *ids, size_t n,
                     size_t stride, const char *what, hx_error_t *err);
/* The index of id, or -1. */
static inline long hx__id_map_find(const hx_id_map_t *map, uint64_t id) {
  if (map->identity)
    return id - 1 < map->identity ? (long)(id - 1) : -1;
  if (map->direct) {
    if (id < map->direct_size && map->direct[id])
      return (long)map->direct[id] - 1;
    return -1;
  }
  size_t i = (size_t)((id * 0x9E3779B97F4A7C15ull) >> map->shift);
  while (map->keys[i]) {
    if (map->keys[i] == id)
      return (long)map->values[i];
    i = (i + 1) & map->mask;
  }
  return -1;
}
void hx__id_map_close(hx_id_map_t *map);

typedef struct hx_raw {
  hx_arena_t string_arena; /* the string table's bytes */
  hx_str_t *strings;
  size_t string_count;
  size_t first_string_size;   /* string 0's bytes, NUL bytes included */
  int64_t (*sample_types)[2]; /* (type, unit) string indices */
  size_t sample_type_count;
  int64_t default_sample_type; /* string index, 0 when unset */
  hx_raw_function_t *functions;
  size_t function_count;
  hx_raw_location_t *locations;
  size_t location_count;
  hx_raw_frame_t *frames;
  size_t frame_count;
  /* Ids as the profile gives them, until check_references maps them:
   * a frame's function holds its function's id less one until then
   * (what the function's index is when the ids are 1, 2, ... in order,
   * as Go writes them), unless the id is 0, does not fit there or the
   * frame does not count (HX_FRAME_SKIP): such frames' ids are listed
   * apart, in frame order. frame_function_max is the largest id held. */
  uint64_t *location_id_list;
  uint32_t frame_function_max;
  struct hx_odd_frame {
    bool counts;          /* its line is kept */
    uint64_t function_id; /* as the profile gives it */
  } * odd_frames;
  size_t odd_frame_count;
  uint8_t *sample_bytes; /* every Sample message, one after another */
  size_t sample_bytes_size;
  uint32_t *sample_sizes; /* the size of each */
  size_t sample_count;
  hx_id_map_t location_ids;
} hx_raw_t;

/* Decodes raw profile.proto bytes into raw (zeroed by the caller) through
 * a window of a few complete fields: the bytes are written into the window
 * (hx__decoder_room, hx__decoder_wrote) and decoded each time it is full,
 * so that when they are decoded does not depend on how they arrived. */
int hx__decoder_new(hx_raw_t *raw, hx_decoder_t **out, hx_error_t *err);
/* Where the next bytes go: *room > 0 bytes at *dst. A full window is
 * decoded first, and doubled when one field fills it. */
int hx__decoder_room(hx_decoder_t *d, uint8_t **dst, size_t *room,
                     hx_error_t *err);
/* n bytes were written at *dst of the last hx__decoder_room. */
void hx__decoder_wrote(hx_decoder_t *d, size_t n);
/* The end of the bytes: decodes the rest, then checks every cross-reference
 * except sample location ids (build.c checks those as it walks). */
int hx__decoder_finish(hx_decoder_t *d, hx_error_t *err);
void hx__decoder_free(hx_decoder_t *d); /* NULL is fine; raw stays */
/* Frees the samples' bytes once the sample walk has read them. */
void hx__raw_release_samples(hx_raw_t *raw);
/* Frees the samples, locations and frames, keeping strings, functions and
 * sample types. */
void hx__raw_release_walk(hx_raw_t *raw);
/* Frees everything. */
void hx__raw_close(hx_raw_t *raw);

/* ---- the index (build.c, levels.c, query.c) ---- */

struct hx_index {
  hx_arena_t strings;
  hx_summary_t summary;
  hx_sample_type_t *sample_types;
  size_t sample_type_count;
  hx_file_t *files;
  size_t file_count;
  hx_function_t *functions;
  size_t function_count;
  hx_point_t *points;
  size_t point_count;
  uint32_t *global_order;    /* point ids, hottest first */
  uint32_t *function_order;  /* function ids by rank */
  uint32_t *line_order;      /* per file: point ids by (line, hotness) */
  uint32_t *file_line_start; /* file f's slice of line_order starts here */
  uint32_t *rank_counters;   /* scratch for hx__index_apply_levels */
  /* Not for diffs: each point's rank, and its rank among its group's points
   * (its function's or its file's, as local_rank_scope says), so that a
   * relevel is one pass over the points in memory order. */
  uint32_t *point_rank, *local_rank;
  hx_local_scope_t local_rank_scope;
  bool local_ranked; /* local_rank is filled in */
  /* The full path of every kept frame, sorted bytewise, each once: more
   * than the files when keys merged (MemoryUsageApprox, merges). */
  const char **filenames;
  size_t filename_count;
  /* Diff indexes only (merge.c); NULL otherwise. */
  hx_point_diff_t *point_diffs;
  hx_function_diff_t *function_diffs;
  uint32_t *diff_counters; /* scratch: 3 per local group */
};

/* perf-heatmap's MemoryUsageApprox() of ix (its filenames set). */
uint64_t hx__memory_approx(const hx_index_t *ix);

/* Builds the index from decoded tables. It releases the tables of the
 * sample walk (hx__raw_release_walk) as soon as the walk is done. */
int hx__index_build(hx_raw_t *raw, const hx_options_t *opts, hx_index_t **out,
                    hx_error_t *err);

/* Sorts points, lays out orders and computes every level (levels.c).
 * spare (NULL for none) is memory the caller is done with and has already
 * touched, spare_size bytes, 16-byte aligned: the sorts' temporary arrays
 * go in it when it holds them, which saves faulting in fresh pages. The
 * caller still owns it. */
int hx__index_rank(hx_index_t *index, void *spare, size_t spare_size,
                   hx_error_t *err);
void hx__index_apply_levels(hx_index_t *index, double threshold,
                            hx_local_scope_t scope);

#endif
