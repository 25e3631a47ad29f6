/*
 * profile_builder.c: a pprof profile built in memory and packed with
 * protobuf-c, plus gzip and temporary-file helpers for tests. See
 * profile_builder.h for the contract.
 */
#include "profile_builder.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "profile.pb-c.h"

typedef Perftools__Profiles__ValueType value_type_msg_t;
typedef Perftools__Profiles__Function function_msg_t;
typedef Perftools__Profiles__Location location_msg_t;
typedef Perftools__Profiles__Line line_msg_t;
typedef Perftools__Profiles__Sample sample_msg_t;
typedef Perftools__Profiles__Profile profile_msg_t;

/* A location message and the storage its line pointers point into. */
typedef struct location {
  location_msg_t msg;
  line_msg_t *lines;
} location_t;

struct pb_builder {
  int failed;
  char **strings;
  size_t n_strings, cap_strings;
  value_type_msg_t *types;
  size_t n_types, cap_types;
  function_msg_t *functions;
  size_t n_functions, cap_functions;
  location_t *locations;
  size_t n_locations, cap_locations;
  sample_msg_t *samples;
  size_t n_samples, cap_samples;
  int64_t default_sample_type;
};

/* Makes room for one more item in an array of `count` items of `size`
 * bytes. Returns the (possibly moved) array, or NULL with the builder marked
 * failed and the array left as it was. */
static void *reserve(pb_builder_t *b, void *items, size_t *cap, size_t count,
                     size_t size) {
  if (b->failed)
    return NULL;
  if (count < *cap)
    return items;
  if (count >= PB_MAX_ENTRIES) {
    b->failed = 1;
    return NULL;
  }
  size_t n = *cap ? *cap * 2 : 16;
  if (n > PB_MAX_ENTRIES)
    n = PB_MAX_ENTRIES;
  void *p = realloc(items, n * size);
  if (!p) {
    b->failed = 1;
    return NULL;
  }
  *cap = n;
  return p;
}

/* malloc(n * size) for a copy; never NULL for n == 0 when memory allows. */
static void *copy_array(pb_builder_t *b, const void *src, size_t n,
                        size_t size) {
  void *p = malloc(n ? n * size : 1);
  if (!p) {
    b->failed = 1;
    return NULL;
  }
  if (n)
    memcpy(p, src, n * size);
  return p;
}

pb_builder_t *pb_builder_new(void) {
  pb_builder_t *b = calloc(1, sizeof *b);
  if (!b)
    return NULL;
  if (pb_intern(b, "") != 0) {
    pb_builder_free(b);
    return NULL;
  }
  return b;
}

void pb_builder_free(pb_builder_t *b) {
  if (!b)
    return;
  for (size_t i = 0; i < b->n_strings; i++)
    free(b->strings[i]);
  for (size_t i = 0; i < b->n_locations; i++) {
    free(b->locations[i].msg.line);
    free(b->locations[i].lines);
  }
  for (size_t i = 0; i < b->n_samples; i++) {
    free(b->samples[i].location_id);
    free(b->samples[i].value);
  }
  free(b->strings);
  free(b->types);
  free(b->functions);
  free(b->locations);
  free(b->samples);
  free(b);
}

int pb_failed(const pb_builder_t *b) { return b->failed; }

int64_t pb_intern(pb_builder_t *b, const char *s) {
  for (size_t i = 0; i < b->n_strings; i++)
    if (strcmp(b->strings[i], s) == 0)
      return (int64_t)i;
  char **strings = reserve(b, b->strings, &b->cap_strings, b->n_strings,
                           sizeof *b->strings);
  if (!strings)
    return -1;
  b->strings = strings;
  char *copy = copy_array(b, s, strlen(s) + 1, 1);
  if (!copy)
    return -1;
  b->strings[b->n_strings] = copy;
  return (int64_t)b->n_strings++;
}

size_t pb_string_count(const pb_builder_t *b) { return b->n_strings; }

void pb_add_sample_type(pb_builder_t *b, const char *type, const char *unit) {
  int64_t t = pb_intern(b, type), u = pb_intern(b, unit);
  value_type_msg_t *types =
      reserve(b, b->types, &b->cap_types, b->n_types, sizeof *b->types);
  if (!types)
    return;
  b->types = types;
  value_type_msg_t msg = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
  msg.type = t;
  msg.unit = u;
  b->types[b->n_types++] = msg;
}

void pb_set_default_sample_type(pb_builder_t *b, const char *type) {
  int64_t t = pb_intern(b, type);
  if (t >= 0)
    b->default_sample_type = t;
}

uint64_t pb_add_function(pb_builder_t *b, const char *name,
                         const char *filename) {
  int64_t n = pb_intern(b, name), f = pb_intern(b, filename);
  function_msg_t *functions = reserve(b, b->functions, &b->cap_functions,
                                      b->n_functions, sizeof *b->functions);
  if (!functions)
    return 0;
  b->functions = functions;
  function_msg_t msg = PERFTOOLS__PROFILES__FUNCTION__INIT;
  msg.id = b->n_functions + 1;
  msg.name = n;
  msg.system_name = n;
  msg.filename = f;
  b->functions[b->n_functions++] = msg;
  return msg.id;
}

uint64_t pb_add_location(pb_builder_t *b, size_t n_lines,
                         const pb_line_t *lines) {
  location_t *locations = reserve(b, b->locations, &b->cap_locations,
                                  b->n_locations, sizeof *b->locations);
  if (!locations)
    return 0;
  b->locations = locations;
  if (n_lines > PB_MAX_ENTRIES) {
    b->failed = 1;
    return 0;
  }
  location_t loc = {.msg = PERFTOOLS__PROFILES__LOCATION__INIT};
  size_t n = n_lines ? n_lines : 1; /* calloc(0) may give NULL */
  loc.lines = calloc(n, sizeof *loc.lines);
  loc.msg.line = calloc(n, sizeof *loc.msg.line);
  if (!loc.lines || !loc.msg.line) {
    b->failed = 1;
    free(loc.lines);
    free(loc.msg.line);
    return 0;
  }
  for (size_t i = 0; i < n_lines; i++) {
    line_msg_t line = PERFTOOLS__PROFILES__LINE__INIT;
    line.function_id = lines[i].function_id;
    line.line = lines[i].line;
    loc.lines[i] = line;
    loc.msg.line[i] = &loc.lines[i];
  }
  loc.msg.n_line = n_lines;
  loc.msg.id = b->n_locations + 1;
  b->locations[b->n_locations++] = loc;
  return loc.msg.id;
}

uint64_t pb_add_frame(pb_builder_t *b, uint64_t function_id, int64_t line) {
  pb_line_t l = {function_id, line};
  return pb_add_location(b, 1, &l);
}

void pb_add_sample(pb_builder_t *b, size_t n_locs, const uint64_t *loc_ids,
                   size_t n_values, const int64_t *values) {
  sample_msg_t *samples = reserve(b, b->samples, &b->cap_samples, b->n_samples,
                                  sizeof *b->samples);
  if (!samples)
    return;
  b->samples = samples;
  if (n_locs > PB_MAX_ENTRIES || n_values > PB_MAX_ENTRIES) {
    b->failed = 1;
    return;
  }
  sample_msg_t msg = PERFTOOLS__PROFILES__SAMPLE__INIT;
  msg.location_id = copy_array(b, loc_ids, n_locs, sizeof *loc_ids);
  msg.value = copy_array(b, values, n_values, sizeof *values);
  if (!msg.location_id || !msg.value) {
    free(msg.location_id);
    free(msg.value);
    return;
  }
  msg.n_location_id = n_locs;
  msg.n_value = n_values;
  b->samples[b->n_samples++] = msg;
}

static function_msg_t *function_at(pb_builder_t *b, uint64_t handle) {
  if (handle == 0 || handle > b->n_functions) {
    b->failed = 1;
    return NULL;
  }
  return &b->functions[handle - 1];
}

void pb_set_function_id(pb_builder_t *b, uint64_t handle, uint64_t id) {
  function_msg_t *f = function_at(b, handle);
  if (f)
    f->id = id;
}

void pb_set_function_name_index(pb_builder_t *b, uint64_t handle,
                                int64_t index) {
  function_msg_t *f = function_at(b, handle);
  if (f)
    f->name = f->system_name = index;
}

void pb_set_function_filename_index(pb_builder_t *b, uint64_t handle,
                                    int64_t index) {
  function_msg_t *f = function_at(b, handle);
  if (f)
    f->filename = index;
}

void pb_set_location_id(pb_builder_t *b, uint64_t handle, uint64_t id) {
  if (handle == 0 || handle > b->n_locations) {
    b->failed = 1;
    return;
  }
  b->locations[handle - 1].msg.id = id;
}

void pb_set_default_sample_type_index(pb_builder_t *b, int64_t index) {
  b->default_sample_type = index;
}

/* The profile message needs arrays of pointers to its submessages. */
static int pack(pb_builder_t *b, uint8_t **buf, size_t *len) {
  profile_msg_t msg = PERFTOOLS__PROFILES__PROFILE__INIT;
  value_type_msg_t **types = calloc(b->n_types + 1, sizeof *types);
  function_msg_t **functions = calloc(b->n_functions + 1, sizeof *functions);
  location_msg_t **locations = calloc(b->n_locations + 1, sizeof *locations);
  sample_msg_t **samples = calloc(b->n_samples + 1, sizeof *samples);
  uint8_t *out = NULL;
  int rc = -1;
  if (!types || !functions || !locations || !samples)
    goto done;
  for (size_t i = 0; i < b->n_types; i++)
    types[i] = &b->types[i];
  for (size_t i = 0; i < b->n_functions; i++)
    functions[i] = &b->functions[i];
  for (size_t i = 0; i < b->n_locations; i++)
    locations[i] = &b->locations[i].msg;
  for (size_t i = 0; i < b->n_samples; i++)
    samples[i] = &b->samples[i];
  msg.n_sample_type = b->n_types;
  msg.sample_type = types;
  msg.n_function = b->n_functions;
  msg.function = functions;
  msg.n_location = b->n_locations;
  msg.location = locations;
  msg.n_sample = b->n_samples;
  msg.sample = samples;
  msg.n_string_table = b->n_strings;
  msg.string_table = b->strings;
  msg.default_sample_type = b->default_sample_type;

  size_t size = perftools__profiles__profile__get_packed_size(&msg);
  out = malloc(size ? size : 1);
  if (!out)
    goto done;
  if (perftools__profiles__profile__pack(&msg, out) != size) {
    free(out);
    goto done;
  }
  *buf = out;
  *len = size;
  rc = 0;
done:
  free(types);
  free(functions);
  free(locations);
  free(samples);
  return rc;
}

int pb_build_bytes(pb_builder_t *b, int gzip, uint8_t **buf, size_t *len) {
  uint8_t *raw;
  size_t raw_len;
  *buf = NULL;
  *len = 0;
  if (b->failed || pack(b, &raw, &raw_len) != 0)
    return -1;
  if (!gzip) {
    *buf = raw;
    *len = raw_len;
    return 0;
  }
  int rc = pb_gzip(raw, raw_len, buf, len);
  free(raw);
  return rc;
}

/* Shrinks a malloc'd buffer to exactly len bytes (len > 0). */
static uint8_t *fit(uint8_t *p, size_t len) {
  uint8_t *q = realloc(p, len);
  return q ? q : p;
}

/* Deflates `total` bytes into *out: data[0..len) once (total == len), or,
 * when repeat is set, data[0..len) over and over until total bytes. */
static int deflate_gzip(const uint8_t *data, size_t len, int repeat,
                        uint64_t total, uint8_t **out, size_t *out_len) {
  z_stream z;
  memset(&z, 0, sizeof z);
  *out = NULL;
  *out_len = 0;
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 9,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  size_t cap = 4096;
  uint8_t *buf = malloc(cap);
  uint64_t fed = 0;
  int rc = -1, status = Z_OK;
  while (buf && status != Z_STREAM_END) {
    if (z.avail_in == 0 && fed < total) {
      uint64_t chunk = total - fed;
      uint64_t most = repeat ? len : UINT32_MAX;
      if (chunk > most)
        chunk = most;
      z.next_in = (Bytef *)(repeat ? data : data + fed);
      z.avail_in = (uInt)chunk;
      fed += chunk;
    }
    if (z.total_out == cap) {
      if (cap >= PB_MAX_OUTPUT)
        goto done;
      uint8_t *bigger = realloc(buf, cap * 2);
      if (!bigger)
        goto done;
      buf = bigger;
      cap *= 2;
    }
    z.next_out = buf + z.total_out;
    z.avail_out = (uInt)(cap - z.total_out);
    status = deflate(&z, fed == total ? Z_FINISH : Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
      goto done;
  }
  if (buf) {
    *out_len = z.total_out;
    *out = fit(buf, z.total_out);
    buf = NULL;
    rc = 0;
  }
done:
  free(buf);
  deflateEnd(&z);
  return rc;
}

int pb_gzip(const void *data, size_t len, uint8_t **out, size_t *out_len) {
  return deflate_gzip(data ? data : (const void *)"", len, 0, len, out,
                      out_len);
}

int pb_gzip_repeat(const void *unit, size_t unit_len, uint64_t size,
                   uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (unit_len == 0 || unit_len > PB_REPEAT_BLOCK)
    return -1;
  /* Feed zlib whole blocks of whole units. */
  size_t block_len = PB_REPEAT_BLOCK / unit_len * unit_len;
  uint8_t *block = malloc(block_len);
  if (!block)
    return -1;
  for (size_t i = 0; i < block_len; i += unit_len)
    memcpy(block + i, unit, unit_len);
  int rc = deflate_gzip(block, block_len, 1, size, out, out_len);
  free(block);
  return rc;
}

int pb_gzip_zeros(uint64_t size, uint8_t **out, size_t *out_len) {
  static const uint8_t zero = 0;
  return pb_gzip_repeat(&zero, 1, size, out, out_len);
}

int pb_gzip_flip_crc(uint8_t *gz, size_t len) {
  /* 10-byte header ... CRC-32 (4 bytes, little-endian), ISIZE (4 bytes). */
  if (len < 18)
    return -1;
  gz[len - 8] ^= 0xff;
  return 0;
}

int pb_truncate(const void *data, size_t len, size_t keep, uint8_t **out) {
  *out = NULL;
  if (keep > len)
    return -1;
  *out = malloc(keep ? keep : 1);
  if (!*out)
    return -1;
  if (keep)
    memcpy(*out, data, keep);
  return 0;
}

int pb_random_bytes(uint64_t seed, size_t len, uint8_t **out) {
  uint64_t x = seed ? seed : 0x9e3779b97f4a7c15u;
  *out = malloc(len ? len : 1);
  if (!*out)
    return -1;
  for (size_t i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (*out)[i] = (uint8_t)(x >> 24);
  }
  return 0;
}

/* path = "$TMPDIR/heatls-test-XXXXXX", ready for mkstemp/mkdtemp. */
static int temp_template(char *path, size_t size) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  static const char name[] = "/heatls-test-XXXXXX";
  size_t n = strlen(dir);
  if (n + sizeof name > size)
    return -1;
  memcpy(path, dir, n);
  memcpy(path + n, name, sizeof name);
  return 0;
}

int pb_write_temp(const void *data, size_t len, char *path, size_t size) {
  if (temp_template(path, size) != 0)
    return -1;
  int fd = mkstemp(path);
  if (fd < 0)
    return -1;
  const uint8_t *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n <= 0) {
      close(fd);
      unlink(path);
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return close(fd) == 0 ? 0 : -1;
}

int pb_make_temp_dir(char *path, size_t size) {
  if (temp_template(path, size) != 0)
    return -1;
  return mkdtemp(path) ? 0 : -1;
}
