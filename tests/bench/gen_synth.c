/*
 * gen_synth.c: writes a synthetic Go CPU profile of the benchmark
 * profile's shape (../shared/bench/README.md: 400 packages x 8 files x 14
 * functions, 300,000 samples, stacks 6-66 frames deep, about two lines per
 * location, raw about 55 MB), scaled by a factor, gzipped. The same seed
 * and scale always give the same bytes. For tools/bench.sh's scaling
 * table; the profiles go to a temporary folder and are never committed.
 *
 * Usage: gen_synth SCALE SEED OUT.pb.gz
 *   SCALE  a factor: 0.125, 0.25, 0.5, 1, 2, 4 ... (samples, functions and
 *          locations scale with it; stack depths and shapes do not)
 *   SEED   any unsigned integer
 * Exit status: 0, 1 on a write error, 2 on a usage error.
 *
 * The profile is streamed: a top-level protobuf message is its fields one
 * after another, so each sample, location, function and string is written
 * as soon as it is made, and the generator's memory stays small.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

typedef struct out {
  gzFile gz;
  int failed;
} out_t;

static uint64_t rng_state;

static uint64_t rnd(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

/* ---- protobuf encoding into a small buffer ---- */

typedef struct buf {
  uint8_t data[4096];
  size_t len;
} buf_t;

static void put_varint(buf_t *b, uint64_t v) {
  while (v >= 0x80 && b->len < sizeof b->data) {
    b->data[b->len++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  if (b->len < sizeof b->data)
    b->data[b->len++] = (uint8_t)v;
}

static void put_key(buf_t *b, unsigned field, unsigned wire) {
  put_varint(b, (uint64_t)field << 3 | wire);
}

static void put_uint(buf_t *b, unsigned field, uint64_t v) {
  put_key(b, field, 0);
  put_varint(b, v);
}

static void put_bytes(buf_t *b, unsigned field, const void *p, size_t n) {
  put_key(b, field, 2);
  put_varint(b, n);
  if (b->len + n <= sizeof b->data) {
    memcpy(b->data + b->len, p, n);
    b->len += n;
  }
}

/* A top-level field of message Profile. */
static void emit(out_t *o, unsigned field, const buf_t *msg) {
  buf_t head = {.len = 0};
  put_key(&head, field, 2);
  put_varint(&head, msg->len);
  if (gzwrite(o->gz, head.data, (unsigned)head.len) != (int)head.len ||
      (msg->len &&
       gzwrite(o->gz, msg->data, (unsigned)msg->len) != (int)msg->len))
    o->failed = 1;
}

/* ---- the profile ---- */

enum { FILES_PER_PACKAGE = 8, FUNCS_PER_FILE = 14, MAX_DEPTH = 48 };

/* String table layout: 0 "", 1..4 the sample types, then per package its
 * files, then per function its name. */
enum { S_SAMPLES = 1, S_COUNT, S_CPU, S_NANOSECONDS, S_FIRST };

static size_t packages;

static uint64_t file_string(size_t pkg, size_t file) {
  return S_FIRST + pkg * FILES_PER_PACKAGE + file;
}

static uint64_t function_string(size_t fn) {
  return S_FIRST + packages * FILES_PER_PACKAGE + fn;
}

static void function_name(size_t fn, char *name, size_t size) {
  size_t pkg = fn / (FILES_PER_PACKAGE * FUNCS_PER_FILE);
  size_t k = fn % FUNCS_PER_FILE;
  /* Eight packages share the base name "util", as in the real profile. */
  char path[64];
  if (pkg % 50 == 7)
    snprintf(path, sizeof path, "example.com/m%zu/util", pkg);
  else
    snprintf(path, sizeof path, "example.com/app/pkg%zu", pkg);
  switch (fn % 5) {
  case 0: snprintf(name, size, "%s.(*T%zu).Method%zu", path, k % 3, fn); break;
  case 1: snprintf(name, size, "%s.Func%zu.func1", path, fn); break;
  case 2: snprintf(name, size, "%s.Gen%zu[...]", path, fn); break;
  case 3: snprintf(name, size, "%s.T%zu.Value%zu-fm", path, k % 3, fn); break;
  default: snprintf(name, size, "%s.Func%zu", path, fn); break;
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: gen_synth SCALE SEED OUT.pb.gz\n");
    return 2;
  }
  char *end;
  double scale = strtod(argv[1], &end);
  if (*end || !(scale > 0) || scale > 64) {
    fprintf(stderr, "gen_synth: SCALE must be in (0, 64]\n");
    return 2;
  }
  rng_state = strtoull(argv[2], &end, 10) * 0x9E3779B97F4A7C15ull + 1;
  if (*end) {
    fprintf(stderr, "gen_synth: SEED must be an unsigned integer\n");
    return 2;
  }
  packages = (size_t)(400 * scale + 0.5);
  if (packages < 1)
    packages = 1;
  size_t functions = packages * FILES_PER_PACKAGE * FUNCS_PER_FILE;
  size_t locations = (size_t)(868779 * scale + 0.5);
  size_t samples = (size_t)(300000 * scale + 0.5);

  out_t o = {.gz = gzopen(argv[3], "wb6"), .failed = 0};
  if (!o.gz) {
    fprintf(stderr, "gen_synth: cannot write %s\n", argv[3]);
    return 1;
  }
  buf_t m;
  /* sample_type: samples/count, cpu/nanoseconds */
  m.len = 0;
  put_uint(&m, 1, S_SAMPLES);
  put_uint(&m, 2, S_COUNT);
  emit(&o, 1, &m);
  m.len = 0;
  put_uint(&m, 1, S_CPU);
  put_uint(&m, 2, S_NANOSECONDS);
  emit(&o, 1, &m);

  /* Samples: a stack is a walk down from a root through callers that
   * stay near each other (so that stacks share prefixes and hot spots
   * exist), leaf first as pprof writes it. */
  uint64_t stack[MAX_DEPTH];
  for (size_t s = 0; s < samples && !o.failed; s++) {
    size_t depth = 6 + (size_t)below(43); /* 6..48 locations */
    uint64_t at = below(locations / 16 + 1) * 16;
    for (size_t d = 0; d < depth; d++) {
      at = (at + below(4096) * 211 + d) % locations;
      stack[depth - 1 - d] = at + 1;
    }
    if (below(4) == 0) /* a quarter of the samples share hot leaves */
      stack[0] = 1 + below(locations / 64 + 1);
    buf_t ids = {.len = 0};
    for (size_t d = 0; d < depth; d++)
      put_varint(&ids, stack[d]);
    uint64_t count = 1 + below(10);
    buf_t values = {.len = 0};
    put_varint(&values, count);
    put_varint(&values, count * 10000000);
    m.len = 0;
    put_bytes(&m, 1, ids.data, ids.len);
    put_bytes(&m, 2, values.data, values.len);
    emit(&o, 2, &m);
  }

  /* Locations: 1 to 3 lines (about 2 on average), the inlined ones from
   * the same file; line 0 now and then. */
  for (size_t l = 0; l < locations && !o.failed; l++) {
    size_t fn = (size_t)below(functions);
    size_t lines = 1 + (size_t)below(3);
    m.len = 0;
    put_uint(&m, 1, l + 1);
    put_uint(&m, 3, 0x400000 + 16 * (uint64_t)l); /* address */
    for (size_t i = 0; i < lines; i++) {
      size_t f =
          i == 0 ? fn : fn - fn % FUNCS_PER_FILE + below(FUNCS_PER_FILE);
      buf_t line = {.len = 0};
      put_uint(&line, 1, f + 1);
      /* About a dozen hot lines per function, as in real profiles. */
      put_uint(&line, 2, below(1000) == 0 ? 0 : 10 + f * 37 % 300 + below(12));
      put_bytes(&m, 4, line.data, line.len);
    }
    emit(&o, 4, &m);
  }

  /* Functions. */
  for (size_t f = 0; f < functions && !o.failed; f++) {
    size_t pkg = f / (FILES_PER_PACKAGE * FUNCS_PER_FILE);
    size_t file = f / FUNCS_PER_FILE % FILES_PER_PACKAGE;
    m.len = 0;
    put_uint(&m, 1, f + 1);
    put_uint(&m, 2, function_string(f));
    put_uint(&m, 3, function_string(f));
    put_uint(&m, 4, file_string(pkg, file));
    put_uint(&m, 5, 1 + below(300));
    emit(&o, 5, &m);
  }

  /* The string table. */
  static const char *const fixed[] = {"", "samples", "count", "cpu",
                                      "nanoseconds"};
  char text[160];
  /* A string-table entry is the string's bytes as the field's payload. */
  for (size_t i = 0; i < S_FIRST && !o.failed; i++) {
    buf_t raw = {.len = strlen(fixed[i])};
    memcpy(raw.data, fixed[i], raw.len);
    emit(&o, 6, &raw);
  }
  for (size_t p = 0; p < packages && !o.failed; p++)
    for (size_t f = 0; f < FILES_PER_PACKAGE && !o.failed; f++) {
      if (p % 50 == 7)
        snprintf(text, sizeof text,
                 "/home/ci/go/pkg/mod/example.com/m%zu/util/util%zu.go", p, f);
      else
        snprintf(text, sizeof text, "/home/ci/work/app/pkg%zu/file%zu.go", p,
                 f);
      buf_t raw = {.len = strlen(text)};
      memcpy(raw.data, text, raw.len);
      emit(&o, 6, &raw);
    }
  for (size_t f = 0; f < functions && !o.failed; f++) {
    function_name(f, text, sizeof text);
    buf_t raw = {.len = strlen(text)};
    memcpy(raw.data, text, raw.len);
    emit(&o, 6, &raw);
  }
  if (gzclose(o.gz) != Z_OK)
    o.failed = 1;
  if (o.failed) {
    fprintf(stderr, "gen_synth: write error on %s\n", argv[3]);
    return 1;
  }
  return 0;
}
