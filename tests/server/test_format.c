/*
 * test_format.c: strings as JSON text in heatls's outputs
 * (server/format.h, fmt_json_string): plain runs as they are, quotes,
 * backslashes and control bytes escaped, valid UTF-8 kept, each byte of
 * invalid UTF-8 as U+FFFD, an escape at either end of a run.
 */
#include "check.h"
#include "format.h"

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
  CHECK_DONE();
}
