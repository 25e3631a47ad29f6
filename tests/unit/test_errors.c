/*
 * test_errors.c: bad input. Each case checks the error code, that *out
 * comes back NULL (it is set to a non-NULL sentinel before the call), and
 * that the message is one non-empty line holding a given word.
 */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "fixtures.h"

static const char sentinel_object;
#define SENTINEL ((hx_index_t *)(void *)&sentinel_object)

/* Checks the outcome of a failed load; word may be NULL. */
static void check_error(const char *what, int rc, hx_index_t *index,
                        const hx_error_t *err, int code, const char *word) {
  int message_ok = memchr(err->message, '\0', sizeof err->message) != NULL;
  if (rc != code || (word && message_ok && !fx_has_word(err->message, word)))
    fprintf(stderr, "  %s: got %d \"%s\", want %d \"%s\"\n", what, rc,
            message_ok ? err->message : "(unterminated)", code,
            word ? word : "");
  CHECK_INT(rc, code);
  CHECK_INT(err->code, code);
  CHECK(index == NULL);
  CHECK(message_ok);
  if (!message_ok)
    return;
  CHECK(err->message[0] != '\0');
  CHECK(strchr(err->message, '\n') == NULL);
  if (word)
    CHECK(fx_has_word(err->message, word));
  if (index && index != SENTINEL)
    hx_index_free(index);
}

static void expect_buffer(const char *what, const void *data, size_t len,
                          const hx_options_t *opts, int code,
                          const char *word) {
  hx_options_t defaults;
  hx_options_init(&defaults);
  hx_index_t *index = SENTINEL;
  hx_error_t err;
  memset(&err, 'x', sizeof err);
  int rc =
      hx_index_load_buffer(data, len, opts ? opts : &defaults, &index, &err);
  check_error(what, rc, index, &err, code, word);
  /* Without an error struct: the same code, no crash. */
  index = SENTINEL;
  CHECK_INT(
      hx_index_load_buffer(data, len, opts ? opts : &defaults, &index, NULL),
      code);
  CHECK(index == NULL);
}

/* Serializes b (raw) and expects the load to fail; frees b. */
static void expect_profile(const char *what, pb_builder_t *b,
                           const hx_options_t *opts, int code,
                           const char *word) {
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK(b != NULL);
  if (b)
    CHECK_INT(pb_build_bytes(b, 0, &buf, &len), 0);
  pb_builder_free(b);
  if (buf)
    expect_buffer(what, buf, len, opts, code, word);
  free(buf);
}

/* Files are the server's (tests/server/test_profile_file.c); an empty
 * input is the index's error. */
static void test_empty(void) {
  static const uint8_t one = 0x0a;
  expect_buffer("empty buffer", &one, 0, NULL, HX_EPROTO, "empty");
  expect_buffer("no buffer", NULL, 0, NULL, HX_EPROTO, "empty");
}

static void test_gzip(void) {
  uint8_t *gz = NULL, *cut = NULL;
  size_t len = 0;
  CHECK_INT(fx_worked_example(1, &gz, &len), 0);
  if (!gz || len < 40)
    goto done;
  /* Cut inside the deflate data, inside and before the trailer, after the
   * 10-byte header and right after the magic. */
  const size_t keep[] = {len / 2, len - 1, len - 4, len - 8, 10, 2};
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
    CHECK_INT(pb_truncate(gz, len, keep[i], &cut), 0);
    if (cut)
      expect_buffer("truncated gzip", cut, keep[i], NULL, HX_EGZIP,
                    "truncated");
    free(cut);
    cut = NULL;
  }

  CHECK_INT(pb_gzip_flip_crc(gz, len), 0);
  expect_buffer("bad CRC", gz, len, NULL, HX_EGZIP, "check");
  pb_gzip_flip_crc(gz, len);
  gz[len - 4] ^= 0x01; /* ISIZE, the length modulo 2^32 */
  expect_buffer("bad length", gz, len, NULL, HX_EGZIP, "check");
  gz[len - 4] ^= 0x01;
  gz[10] = 0xff; /* first deflate block: reserved block type 3 */
  expect_buffer("bad deflate data", gz, len, NULL, HX_EGZIP, NULL);
done:
  free(gz);
}

/* Gzip bombs against a 1 MiB limit. The honest bomb is a valid profile
 * prefix all the way (empty string-table entries, bytes 32 00, over and
 * over): nothing but the limit can stop it. */
static void test_bomb(void) {
  static const uint8_t empty_string[2] = {0x32, 0x00};
  const uint64_t limit = (uint64_t)1 << 20;
  hx_options_t opts;
  hx_options_init(&opts);
  opts.max_decompressed = limit;
  const uint64_t sizes[] = {(uint64_t)64 << 20, limit + 1};
  for (size_t i = 0; i < 2; i++) {
    uint8_t *bomb = NULL;
    size_t len = 0;
    CHECK_INT(pb_gzip_repeat(empty_string, 2, sizes[i], &bomb, &len), 0);
    CHECK(len < sizes[i] / 100);
    if (bomb)
      expect_buffer("gzip bomb", bomb, len, &opts, HX_ETOOBIG, "limit");
    free(bomb);
  }
  /* Exactly at the limit is not too big: 2^19 empty strings and no
   * sample type. */
  uint8_t *at = NULL;
  size_t len = 0;
  CHECK_INT(pb_gzip_repeat(empty_string, 2, limit, &at, &len), 0);
  if (at)
    expect_buffer("bomb at the limit", at, len, &opts, HX_EPROFILE,
                  "sample type");
  free(at);

  /* A bomb of zeros is not a profile from its first byte: a decoder that
   * parses as it inflates may say so before it reaches the limit. Either
   * way it must stop early. */
  const uint64_t zero_sizes[] = {(uint64_t)64 << 20, limit + 1, limit};
  for (size_t i = 0; i < 3; i++) {
    uint8_t *zeros = NULL;
    CHECK_INT(pb_gzip_zeros(zero_sizes[i], &zeros, &len), 0);
    if (!zeros)
      continue;
    hx_index_t *index = SENTINEL;
    hx_error_t err;
    memset(&err, 'x', sizeof err);
    int rc = hx_index_load_buffer(zeros, len, &opts, &index, &err);
    free(zeros);
    if (zero_sizes[i] > limit) {
      CHECK(rc == HX_ETOOBIG || rc == HX_EPROTO);
      check_error("zero bomb", rc, index, &err, rc,
                  rc == HX_ETOOBIG ? "limit" : NULL);
    } else {
      check_error("zeros at the limit", rc, index, &err, HX_EPROTO, NULL);
    }
  }
}

static void test_random_bytes(void) {
  hx_options_t opts;
  hx_options_init(&opts);
  for (uint64_t seed = 1; seed <= 200; seed++) {
    size_t len = (size_t)(seed * 37 % 4096) + 1;
    uint8_t *buf = NULL;
    CHECK_INT(pb_random_bytes(seed, len, &buf), 0);
    if (!buf)
      continue;
    if (buf[0] == 0x1f) /* keep it off the gzip path */
      buf[0] = 0x20;
    hx_index_t *index = SENTINEL;
    hx_error_t err;
    memset(&err, 'x', sizeof err);
    int rc = hx_index_load_buffer(buf, len, &opts, &index, &err);
    free(buf);
    if (rc != HX_EPROTO && rc != HX_EPROFILE)
      fprintf(stderr, "  random bytes, seed %llu: %d\n",
              (unsigned long long)seed, rc);
    CHECK(rc == HX_EPROTO || rc == HX_EPROFILE);
    check_error("random bytes", rc, index, &err, rc, NULL);
  }
}

/* A valid Go CPU profile to break: main.f in /src/f.go, one sample. */
static pb_builder_t *small_profile(uint64_t *function, uint64_t *location) {
  pb_builder_t *b = fx_go_cpu_builder();
  if (!b)
    return NULL;
  uint64_t f = pb_add_function(b, "main.f", "/src/f.go");
  uint64_t loc = pb_add_frame(b, f, 3);
  fx_cpu_stack(b, 1, &loc, 10);
  if (function)
    *function = f;
  if (location)
    *location = loc;
  return b;
}

static void test_inconsistent(void) {
  pb_builder_t *b;
  uint64_t f, loc;

  /* The untouched profile loads: the cases below fail for their change. */
  hx_index_t *index = NULL;
  b = small_profile(NULL, NULL);
  CHECK_INT(fx_load(b, NULL, &index, NULL), 0);
  hx_index_free(index);
  pb_builder_free(b);

  b = small_profile(NULL, NULL);
  uint64_t unknown = 99;
  fx_cpu_stack(b, 1, &unknown, 10);
  expect_profile("unknown location", b, NULL, HX_EPROFILE, "location");

  b = small_profile(NULL, NULL);
  uint64_t dangling = pb_add_frame(b, 77, 4);
  fx_cpu_stack(b, 1, &dangling, 10);
  expect_profile("unknown function", b, NULL, HX_EPROFILE, "function");

  /* Function ids the frames keep apart from the others: on a frame that
   * does not count, and past 32 bits. */
  b = small_profile(NULL, NULL);
  dangling = pb_add_frame(b, 77, -4);
  fx_cpu_stack(b, 1, &dangling, 10);
  expect_profile("unknown function on a skipped frame", b, NULL, HX_EPROFILE,
                 "77");
  b = small_profile(NULL, NULL);
  dangling = pb_add_frame(b, (uint64_t)1 << 40, 4);
  fx_cpu_stack(b, 1, &dangling, 10);
  expect_profile("unknown function past 32 bits", b, NULL, HX_EPROFILE,
                 "1099511627776");
  /* Id 0, which no function has, is kept apart too (the others are held
   * less one). */
  b = small_profile(NULL, NULL);
  dangling = pb_add_frame(b, 0, 4);
  fx_cpu_stack(b, 1, &dangling, 10);
  expect_profile("a frame of function id 0", b, NULL, HX_EPROFILE,
                 "function id 0");

  b = small_profile(&f, NULL);
  pb_set_function_name_index(b, f, (int64_t)pb_string_count(b));
  expect_profile("name past the string table", b, NULL, HX_EPROFILE, "string");
  b = small_profile(&f, NULL);
  pb_set_function_name_index(b, f, (int64_t)pb_string_count(b) + 1000);
  expect_profile("name far past the string table", b, NULL, HX_EPROFILE,
                 "string");
  b = small_profile(&f, NULL);
  pb_set_function_name_index(b, f, -1);
  expect_profile("negative name index", b, NULL, HX_EPROFILE, "string");
  b = small_profile(&f, NULL);
  pb_set_function_filename_index(b, f, (int64_t)pb_string_count(b));
  expect_profile("filename past the string table", b, NULL, HX_EPROFILE,
                 "string");

  b = small_profile(&f, &loc);
  uint64_t loc2 = pb_add_frame(b, f, 5);
  pb_set_location_id(b, loc2, loc);
  expect_profile("duplicate location", b, NULL, HX_EPROFILE, "duplicate");

  b = small_profile(&f, NULL);
  uint64_t g = pb_add_function(b, "main.g", "/src/g.go");
  pb_set_function_id(b, g, f);
  expect_profile("duplicate function", b, NULL, HX_EPROFILE, "duplicate");

  /* Id 0, referenced as 0 so that only the id itself is wrong. */
  b = small_profile(&f, NULL);
  uint64_t zero_loc = pb_add_frame(b, f, 6), zero = 0;
  pb_set_location_id(b, zero_loc, 0);
  fx_cpu_stack(b, 1, &zero, 10);
  expect_profile("location id 0", b, NULL, HX_EPROFILE, "id");

  b = small_profile(NULL, NULL);
  uint64_t h = pb_add_function(b, "main.h", "/src/h.go");
  pb_set_function_id(b, h, 0);
  uint64_t h_loc = pb_add_frame(b, 0, 7);
  fx_cpu_stack(b, 1, &h_loc, 10);
  expect_profile("function id 0", b, NULL, HX_EPROFILE, "id");

  static const size_t counts[] = {0, 1, 3};
  for (size_t i = 0; i < 3; i++) {
    const int64_t values[3] = {1, 10 * FX_MS, 5};
    b = small_profile(NULL, &loc);
    pb_add_sample(b, 1, &loc, counts[i], values);
    expect_profile("value count", b, NULL, HX_EPROFILE, "value");
  }

  b = pb_builder_new();
  loc = pb_add_frame(b, pb_add_function(b, "main.f", "/src/f.go"), 3);
  pb_add_sample(b, 1, &loc, 0, NULL);
  expect_profile("no sample types", b, NULL, HX_EPROFILE, "sample type");
}

static void test_no_samples(void) {
  pb_builder_t *b = fx_go_cpu_builder();
  pb_add_frame(b, pb_add_function(b, "main.f", "/src/f.go"), 3);
  expect_profile("no samples", b, NULL, HX_ENOSAMPLES, NULL);

  /* Go rules apply (".go" files), but no frame has a package. */
  b = fx_go_cpu_builder();
  uint64_t stack[] = {
      pb_add_frame(b, pb_add_function(b, "noDotSymbol", "/src/x.go"), 1),
      pb_add_frame(b, pb_add_function(b, "example.com/nodot/x", "/src/y.go"),
                   2),
      pb_add_frame(b, pb_add_function(b, "pkg.(T)", "/src/z.go"), 3)};
  fx_cpu_stack(b, 3, stack, 10);
  fx_cpu_stack(b, 1, stack + 2, 10);
  expect_profile("no Go package", b, NULL, HX_ENOSAMPLES, NULL);
}

static void test_threshold(void) {
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(fx_worked_example(1, &buf, &len), 0);
  if (!buf)
    return;
  hx_options_t opts;
  hx_options_init(&opts);
  static const double bad[] = {1.5, -1, 1.0000001, -0.0001, INFINITY};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    opts.threshold = bad[i];
    expect_buffer("threshold", buf, len, &opts, HX_EINVAL, "threshold");
  }
  opts.threshold = NAN;
  expect_buffer("threshold NaN", buf, len, &opts, HX_EINVAL, "threshold");

  /* 0 means 0.5; 1 is allowed. */
  static const double good[] = {0, 1.0, 1e-9};
  static const double applied[] = {0.5, 1.0, 1e-9};
  for (size_t i = 0; i < 3; i++) {
    hx_index_t *index = NULL;
    opts.threshold = good[i];
    CHECK_INT(hx_index_load_buffer(buf, len, &opts, &index, NULL), 0);
    if (index)
      CHECK(hx_index_summary(index)->threshold == applied[i]);
    hx_index_free(index);
  }
  free(buf);
}

static void test_options_and_names(void) {
  hx_options_t opts;
  memset(&opts, 0x5a, sizeof opts);
  hx_options_init(&opts);
  CHECK(opts.sample_type == NULL);
  CHECK(opts.threshold == HX_DEFAULT_THRESHOLD);
  CHECK(opts.threshold == 0.5);
  CHECK_INT(opts.local_scope, HX_LOCAL_FUNCTION);
  CHECK_INT(opts.symbols, HX_SYMBOLS_AUTO);
  CHECK_INT(opts.max_decompressed, (uint64_t)1 << 30);

  for (int code = HX_ENOMEM; code <= HX_EIO; code++) {
    const char *s = hx_strerror(code);
    CHECK(s != NULL);
    if (s) {
      CHECK(s[0] != '\0');
      CHECK(strchr(s, '\n') == NULL);
    }
  }
  hx_index_free(NULL);
}

int main(void) {
  test_empty();
  test_gzip();
  test_bomb();
  test_random_bytes();
  test_inconsistent();
  test_no_samples();
  test_threshold();
  test_options_and_names();
  CHECK_DONE();
}
