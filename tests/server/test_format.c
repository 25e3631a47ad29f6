/*
 * test_format.c: strings as JSON text in heatls's outputs
 * (server/format.h, fmt_json_string): plain runs as they are, quotes,
 * backslashes and control bytes escaped, valid UTF-8 kept, each byte of
 * invalid UTF-8 as U+FFFD, an escape at either end of a run; and the
 * text buffer the outputs are written with (server/text_buf.h): numbers
 * as printf writes them, a FILE's buffer written out as it fills, a
 * memory buffer's cap.
 */
#include "check.h"
#include "format.h"
#include "text_buf.h"

#include <inttypes.h>
#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_json(const char *in, const char *want) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  CHECK(f != NULL);
  if (!f)
    return;
  fmt_json_string(f, in);
  CHECK_INT(fclose(f), 0);
  if (text && strcmp(text, want) != 0)
    fprintf(stderr, "  input \"%s\"\n", in);
  CHECK_STR(text, want);
  free(text);
  /* The same through a text buffer in memory. */
  text_buf_t t;
  text_buf_init_mem(&t, 1024);
  text_buf_json_string(&t, in);
  size_t n = 0;
  char *mem = text_buf_take(&t, &n);
  CHECK_STR(mem, want);
  CHECK_INT(n, strlen(want));
  free(mem);
}

static const int64_t numbers[] = {
    0,    1,     -1,         9,         10,        99,           100,
    -100, 12345, 1000000007, INT64_MAX, INT64_MIN, INT64_MIN + 1};

/* Numbers, strings and a float written into a FILE through a buffer of
 * storage_size bytes give what stdio gives. */
static void check_file_buffer(size_t storage_size) {
  char *text = NULL, want[2048];
  size_t len = 0, at = 0;
  FILE *f = open_memstream(&text, &len);
  CHECK(f != NULL);
  if (!f)
    return;
  char storage[64];
  text_buf_t t;
  text_buf_init_file(&t, f, storage, storage_size);
  for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++) {
    text_buf_i64(&t, numbers[i]);
    text_buf_char(&t, ' ');
    text_buf_u64(&t, (uint64_t)numbers[i]);
    text_buf_put(&t, ", ", 2);
    at += (size_t)snprintf(want + at, sizeof want - at,
                           "%" PRId64 " %" PRIu64 ", ", numbers[i],
                           (uint64_t)numbers[i]);
  }
  const char *words = "a run of text longer than the buffer of a few bytes";
  text_buf_str(&t, words);
  text_buf_printf(&t, "%6.2fs|%-150s|", 2.345, "x");
  at += (size_t)snprintf(want + at, sizeof want - at, "%s%6.2fs|%-150s|",
                         words, 2.345, "x");
  text_buf_flush(&t);
  CHECK_INT(fclose(f), 0);
  if (text && strcmp(text, want) != 0)
    fprintf(stderr, "  storage of %zu bytes\n", storage_size);
  CHECK_STR(text, want);
  CHECK_INT(len, at);
  free(text);
}

/* text_buf_fixed against snprintf's "%.*f" and "%+.*f". */
static size_t fixed_mismatches;
static void check_fixed(double x) {
  for (int decimals = 0; decimals <= 3; decimals++) {
    for (int plus = 0; plus <= 1; plus++) {
      char got[512], want[512];
      text_buf_t t;
      text_buf_init_array(&t, got, sizeof got);
      text_buf_fixed(&t, x, decimals, plus);
      snprintf(want, sizeof want, plus ? "%+.*f" : "%.*f", decimals, x);
      if (strcmp(text_buf_cstr(&t), want) != 0 && fixed_mismatches++ < 10)
        fprintf(stderr, "  %.17g, %d decimals: %s, printf %s\n", x, decimals,
                got, want);
    }
  }
}

static void check_fixed_values(void) {
  static const double some[] = {
      0.0,    -0.0,   0.5,      1.5,       2.5,     0.125, 0.375,
      0.005,  0.015,  0.045,    1.005,     2.675,   -0.04, -0.0004,
      0.05,   99.995, 999.9995, 1e14,      9.99e14, 1e15,  1e300,
      -1e300, 5e-324, INFINITY, -INFINITY, NAN};
  for (size_t i = 0; i < sizeof some / sizeof *some; i++)
    check_fixed(some[i]);
  /* Halves and eighths at every scale: exact ties for printf to round. */
  for (int64_t k = -5000; k <= 5000; k++) {
    check_fixed((double)k / 8);
    check_fixed((double)k / 2000); /* 0.0005 steps: ties in decimal */
    check_fixed((double)k * 0.001);
  }
  /* Seconds from nanoseconds, as the outputs compute them. */
  uint64_t state = 7;
  for (int i = 0; i < 200000; i++) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    int64_t ns = (int64_t)(state >> 20) % 100000000000;
    check_fixed(fmt_seconds(ns));
    check_fixed(100.0 * (double)(state >> 40) / 12345678.0);
    double raw;
    uint64_t bits = state ^ state >> 7;
    memcpy(&raw, &bits, sizeof raw);
    check_fixed(raw);
  }
  CHECK_INT(fixed_mismatches, 0);

  /* An array buffer cuts what does not fit, as snprintf does, and says
   * so. */
  char small[4];
  text_buf_t t;
  text_buf_init_array(&t, small, sizeof small);
  text_buf_put(&t, "ab", 2);
  CHECK(!t.failed);
  text_buf_str(&t, "cd");
  CHECK(t.failed);
  CHECK_STR(text_buf_cstr(&t), "abc");
  text_buf_char(&t, 'e');
  CHECK_STR(text_buf_cstr(&t), "abc");
}

/* A memory buffer takes max bytes and fails on one more. */
static void check_cap(void) {
  text_buf_t t;
  text_buf_init_mem(&t, 300);
  char chunk[100];
  memset(chunk, 'x', sizeof chunk);
  for (int i = 0; i < 3; i++)
    text_buf_put(&t, chunk, sizeof chunk);
  size_t n = 0;
  char *full = text_buf_take(&t, &n);
  CHECK(full != NULL);
  CHECK_INT(n, 300);
  CHECK_INT(full ? strlen(full) : 0, 300);
  free(full);

  text_buf_init_mem(&t, 300);
  for (int i = 0; i < 3; i++)
    text_buf_put(&t, chunk, sizeof chunk);
  text_buf_char(&t, 'y');
  text_buf_put(&t, "z", 1); /* dropped too */
  CHECK(t.failed);
  CHECK(text_buf_take(&t, &n) == NULL);
  CHECK(t.data == NULL);

  text_buf_init_mem(&t, 10); /* closed without taking: nothing leaks */
  text_buf_i64(&t, INT64_MIN);
  CHECK(t.failed);
  text_buf_close(&t);
}

int main(void) {
  check_json("", "\"\"");
  check_json("main.(*T).f", "\"main.(*T).f\"");
  check_json("a\"b\\c", "\"a\\\"b\\\\c\"");
  check_json("\"", "\"\\\"\"");
  check_json("x\n\t\r\b\fy", "\"x\\n\\t\\r\\b\\fy\"");
  check_json("\x01z\x1f\x7f", "\"\\u0001z\\u001f\\u007f\"");
  check_json("G5 \xc2\xb7 1.2s", "\"G5 \xc2\xb7 1.2s\"");
  check_json("\xf0\x9f\x94\xa5!", "\"\xf0\x9f\x94\xa5!\"");
  /* Invalid: a lone continuation byte, a cut sequence, an overlong form,
   * a surrogate. */
  check_json("a\x80"
             "b",
             "\"a\\ufffdb\"");
  check_json("a\xe2\x82", "\"a\\ufffd\\ufffd\"");
  check_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");
  check_json("\xed\xa0\x80.", "\"\\ufffd\\ufffd\\ufffd.\"");
  check_file_buffer(1);
  check_file_buffer(7);
  check_file_buffer(64);
  check_cap();
  check_fixed_values();
  CHECK_DONE();
}
