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
  CHECK_DONE();
}
