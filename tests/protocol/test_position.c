/*
 * test_position.c: position encodings (protocol/lsp_position.h). Expected
 * values are worked out from the encodings themselves: U+00E9 is 2 UTF-8
 * bytes and 1 UTF-16 unit, U+20AC is 3 bytes and 1 unit, U+1F600 is 4
 * bytes and 2 UTF-16 units (a surrogate pair), every code point is 1
 * UTF-32 unit, and an invalid byte counts as 1 unit everywhere.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lsp_position.h"

#define U8 LSP_ENCODING_UTF8
#define U16 LSP_ENCODING_UTF16
#define U32 LSP_ENCODING_UTF32

/* Byte offset of `col` in the C-string line. */
static size_t c2b(const char *line, uint32_t col, lsp_encoding_t enc) {
  return lsp_column_to_byte(line, strlen(line), col, enc);
}

static uint32_t b2c(const char *line, size_t byte, lsp_encoding_t enc) {
  return lsp_byte_to_column(line, strlen(line), byte, enc);
}

static size_t units(const char *line, lsp_encoding_t enc) {
  return lsp_line_units(line, strlen(line), enc);
}

static void test_decoder(void) {
  int32_t cp;
  CHECK_INT(lsp_utf8_next("A", 1, &cp), 1);
  CHECK_INT(cp, 0x41);
  CHECK_INT(lsp_utf8_next("\xc3\xa9", 2, &cp), 2);
  CHECK_INT(cp, 0xE9);
  CHECK_INT(lsp_utf8_next("\xe2\x82\xac", 3, &cp), 3);
  CHECK_INT(cp, 0x20AC);
  CHECK_INT(lsp_utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
  CHECK_INT(cp, 0x1F600);
  CHECK_INT(lsp_utf8_next("\xf4\x8f\xbf\xbf", 4, &cp), 4);
  CHECK_INT(cp, 0x10FFFF);
  CHECK_INT(lsp_utf8_next("\xef\xbf\xbf", 3, &cp), 3);
  CHECK_INT(cp, 0xFFFF);
  CHECK_INT(lsp_utf8_next("\xed\x9f\xbf", 3, &cp), 3); /* U+D7FF */
  CHECK_INT(cp, 0xD7FF);

  /* Invalid: one byte each. */
  CHECK_INT(lsp_utf8_next("\x80", 1, &cp), 1); /* stray continuation */
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xc0\xaf", 2, &cp), 1); /* overlong '/' */
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xc1\xbf", 2, &cp), 1);
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xe0\x80\xaf", 3, &cp), 1); /* overlong */
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xed\xa0\x80", 3, &cp), 1); /* U+D800 */
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xf0\x80\x80\xaf", 4, &cp), 1); /* overlong */
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xf4\x90\x80\x80", 4, &cp), 1); /* > 10FFFF */
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xf5\x80\x80\x80", 4, &cp), 1);
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xff", 1, &cp), 1);
  CHECK_INT(cp, -1);
  /* Truncated by the end of the buffer or by a non-continuation byte. */
  CHECK_INT(lsp_utf8_next("\xc3\xa9", 1, &cp), 1);
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xe2\x82\xac", 2, &cp), 1);
  CHECK_INT(cp, -1);
  CHECK_INT(lsp_utf8_next("\xe2\x82x", 3, &cp), 1);
  CHECK_INT(cp, -1);
}

static void test_ascii(void) {
  const char *l = "hello";
  lsp_encoding_t e;
  for (e = LSP_ENCODING_UTF16; e <= LSP_ENCODING_UTF32; e++) {
    CHECK_INT(units(l, e), 5);
    CHECK_INT(c2b(l, 0, e), 0);
    CHECK_INT(c2b(l, 3, e), 3);
    CHECK_INT(c2b(l, 5, e), 5);
    CHECK_INT(c2b(l, 6, e), 5); /* past the end: clamped */
    CHECK_INT(c2b(l, UINT32_MAX, e), 5);
    CHECK_INT(b2c(l, 4, e), 4);
    CHECK_INT(b2c(l, 99, e), 5);
    CHECK_INT(c2b("", 3, e), 0);
    CHECK_INT(b2c("", 3, e), 0);
  }
}

static void test_two_and_three_bytes(void) {
  /* "a\u00e9b\u20acc": a(0) e-acute(1,2) b(3) euro(4,5,6) c(7), 8 bytes. */
  const char *l = "a\xc3\xa9"
                  "b\xe2\x82\xac"
                  "c";
  CHECK_INT(strlen(l), 8);
  CHECK_INT(units(l, U8), 8);
  CHECK_INT(units(l, U16), 5);
  CHECK_INT(units(l, U32), 5);

  CHECK_INT(c2b(l, 1, U16), 1);
  CHECK_INT(c2b(l, 2, U16), 3);
  CHECK_INT(c2b(l, 3, U16), 4);
  CHECK_INT(c2b(l, 4, U16), 7);
  CHECK_INT(c2b(l, 5, U16), 8);
  CHECK_INT(c2b(l, 4, U32), 7);
  CHECK_INT(c2b(l, 3, U8), 3);
  /* Inside a character under UTF-8: down to its start. */
  CHECK_INT(c2b(l, 2, U8), 1);
  CHECK_INT(c2b(l, 5, U8), 4);
  CHECK_INT(c2b(l, 6, U8), 4);

  CHECK_INT(b2c(l, 3, U16), 2);
  CHECK_INT(b2c(l, 7, U16), 4);
  CHECK_INT(b2c(l, 7, U8), 7);
  CHECK_INT(b2c(l, 2, U16), 1); /* inside e-acute: its start */
  CHECK_INT(b2c(l, 6, U32), 3); /* inside the euro sign */
  CHECK_INT(b2c(l, 6, U8), 4);
}

static void test_surrogate_pairs(void) {
  /* "a\U0001F600b": a(0) grinning face(1..4) b(5). UTF-16: a=0, the face
   * is units 1 and 2, b=3. */
  const char *l = "a\xf0\x9f\x98\x80"
                  "b";
  CHECK_INT(units(l, U8), 6);
  CHECK_INT(units(l, U16), 4);
  CHECK_INT(units(l, U32), 3);
  CHECK_INT(c2b(l, 1, U16), 1);
  CHECK_INT(c2b(l, 2, U16), 1); /* between the two surrogates */
  CHECK_INT(c2b(l, 3, U16), 5);
  CHECK_INT(c2b(l, 4, U16), 6);
  CHECK_INT(c2b(l, 2, U32), 5);
  CHECK_INT(c2b(l, 3, U8), 1);
  CHECK_INT(b2c(l, 5, U16), 3);
  CHECK_INT(b2c(l, 5, U32), 2);
  CHECK_INT(b2c(l, 3, U16), 1);

  /* Two in a row, U+1D11E (musical symbol G clef) then U+1F600. */
  l = "\xf0\x9d\x84\x9e\xf0\x9f\x98\x80";
  CHECK_INT(units(l, U16), 4);
  CHECK_INT(c2b(l, 2, U16), 4);
  CHECK_INT(c2b(l, 3, U16), 4);
  CHECK_INT(c2b(l, 1, U16), 0);
  CHECK_INT(b2c(l, 4, U16), 2);
  CHECK_INT(b2c(l, 8, U16), 4);

  /* U+10FFFF is still a pair in UTF-16; U+FFFF is not. */
  CHECK_INT(units("\xf4\x8f\xbf\xbf", U16), 2);
  CHECK_INT(units("\xef\xbf\xbf", U16), 1);
}

static void test_combining_marks(void) {
  /* "e\u0301x": e, combining acute accent (2 bytes), x. A combining mark
   * is a code point of its own: columns count code units, not what the
   * reader sees as one letter. */
  const char *l = "e\xcc\x81x";
  CHECK_INT(units(l, U16), 3);
  CHECK_INT(units(l, U32), 3);
  CHECK_INT(units(l, U8), 4);
  CHECK_INT(c2b(l, 1, U16), 1);
  CHECK_INT(c2b(l, 2, U16), 3);
  CHECK_INT(b2c(l, 3, U32), 2);
}

static void test_invalid_bytes(void) {
  /* Each invalid byte is one unit in every encoding. */
  const char *l = "a\xff"
                  "b";
  lsp_encoding_t e;
  for (e = LSP_ENCODING_UTF16; e <= LSP_ENCODING_UTF32; e++) {
    CHECK_INT(units(l, e), 3);
    CHECK_INT(c2b(l, 2, e), 2);
    CHECK_INT(b2c(l, 2, e), 2);
  }
  /* A truncated euro sign before 'x': two invalid bytes, then x. */
  l = "\xe2\x82x\xc3\xa9";
  CHECK_INT(units(l, U16), 4);
  CHECK_INT(units(l, U8), 5);
  CHECK_INT(c2b(l, 2, U16), 2);
  CHECK_INT(c2b(l, 3, U16), 3);
  CHECK_INT(c2b(l, 4, U16), 5);
  CHECK_INT(b2c(l, 1, U16), 1); /* a lone invalid byte is a character */
  /* An encoded surrogate (ED A0 80) is three invalid bytes. */
  CHECK_INT(units("\xed\xa0\x80", U16), 3);
  CHECK_INT(units("\xed\xa0\x80", U32), 3);
  /* A line cut in the middle of a character at its end. */
  CHECK_INT(lsp_line_units("ab\xf0\x9f\x98\x80", 4, U16), 4);
  CHECK_INT(lsp_column_to_byte("ab\xf0\x9f\x98\x80", 4, 3, U16), 3);
}

/* Every character boundary survives byte -> column -> byte. */
static void test_round_trip(void) {
  const char *l = "x\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff"
                  "e\xcc\x81\xf0\x9d\x84\x9e"
                  "z";
  size_t len = strlen(l), b = 0;
  while (b <= len) {
    lsp_encoding_t e;
    int32_t cp;
    for (e = LSP_ENCODING_UTF16; e <= LSP_ENCODING_UTF32; e++) {
      uint32_t col = lsp_byte_to_column(l, len, b, e);
      CHECK_INT(lsp_column_to_byte(l, len, col, e), b);
    }
    if (b == len)
      break;
    b += lsp_utf8_next(l + b, len - b, &cp);
  }
}

static void test_names(void) {
  lsp_encoding_t e = U32;
  CHECK_STR(lsp_encoding_name(U8), "utf-8");
  CHECK_STR(lsp_encoding_name(U16), "utf-16");
  CHECK_STR(lsp_encoding_name(U32), "utf-32");
  CHECK_INT(lsp_encoding_from_name("utf-8", &e), 0);
  CHECK_INT(e, U8);
  CHECK_INT(lsp_encoding_from_name("utf-16", &e), 0);
  CHECK_INT(e, U16);
  CHECK_INT(lsp_encoding_from_name("utf-32", &e), 0);
  CHECK_INT(e, U32);
  CHECK_INT(lsp_encoding_from_name("UTF-8", &e), RPC_EINVAL);
  CHECK_INT(lsp_encoding_from_name("utf8", &e), RPC_EINVAL);
  CHECK_INT(lsp_encoding_from_name(NULL, &e), RPC_EINVAL);
  CHECK_INT(lsp_encoding_from_name("utf-8", NULL), RPC_EINVAL);
}

static lsp_encoding_t negotiate(const char *json) {
  json_t *v = json ? json_loads(json, JSON_DECODE_ANY, NULL) : NULL;
  lsp_encoding_t e = lsp_encoding_negotiate(v);
  json_decref(v);
  return e;
}

static void test_negotiation(void) {
  CHECK_INT(negotiate(NULL), U16); /* absent: the default */
  CHECK_INT(negotiate("[]"), U16);
  CHECK_INT(negotiate("[\"utf-16\"]"), U16);
  CHECK_INT(negotiate("[\"utf-8\"]"), U8);
  CHECK_INT(negotiate("[\"utf-16\",\"utf-8\"]"), U8); /* order aside */
  CHECK_INT(negotiate("[\"utf-32\",\"utf-8\",\"utf-16\"]"), U8);
  CHECK_INT(negotiate("[\"utf-32\",\"utf-16\"]"), U16);
  CHECK_INT(negotiate("[\"utf-32\"]"), U32);
  CHECK_INT(negotiate("[\"latin-1\",\"utf-32\"]"), U32);
  CHECK_INT(negotiate("[\"latin-1\"]"), U16);
  CHECK_INT(negotiate("[\"UTF-8\",\"Utf-32\"]"), U16); /* case-sensitive */
  CHECK_INT(negotiate("[\"utf-8\\u0000\"]"), U16);
  CHECK_INT(negotiate("[8,null,{}]"), U16);
  CHECK_INT(negotiate("[8,\"utf-32\"]"), U32);
  CHECK_INT(negotiate("\"utf-8\""), U16); /* not an array */
  CHECK_INT(negotiate("{\"utf-8\":true}"), U16);

  {
    json_t *caps = json_loads("{\"general\":{\"positionEncodings\":"
                              "[\"utf-16\",\"utf-8\"]}}",
                              0, NULL);
    json_t *none = json_loads("{\"textDocument\":{}}", 0, NULL);
    json_t *odd = json_loads("{\"general\":[1]}", 0, NULL);
    CHECK_INT(lsp_encoding_from_capabilities(caps), U8);
    CHECK_INT(lsp_encoding_from_capabilities(none), U16);
    CHECK_INT(lsp_encoding_from_capabilities(odd), U16);
    CHECK_INT(lsp_encoding_from_capabilities(NULL), U16);
    json_decref(caps);
    json_decref(none);
    json_decref(odd);
  }
}

static int position_from(const char *json, lsp_position_t *p,
                         rpc_error_t *err) {
  json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
  int r = lsp_position_from_json(v, p, err);
  json_decref(v);
  return r;
}

static void test_json(void) {
  lsp_position_t p = {7, 7};
  lsp_range_t r;
  rpc_error_t err;
  json_t *v;
  char *s;

  CHECK_INT(position_from("{\"line\":3,\"character\":14}", &p, &err), 0);
  CHECK_INT(p.line, 3);
  CHECK_INT(p.character, 14);
  CHECK_INT(position_from("{\"line\":0,\"character\":4294967296}", &p, NULL),
            0);
  CHECK_INT(p.character, UINT32_MAX); /* clamped, then clamps again later */
  CHECK_INT(position_from("{\"line\":-1,\"character\":0}", &p, &err),
            RPC_ESHAPE);
  CHECK(strstr(err.message, "negative") != NULL);
  CHECK_INT(position_from("{\"line\":1}", &p, &err), RPC_ESHAPE);
  CHECK(strstr(err.message, "character") != NULL);
  CHECK_INT(position_from("{\"line\":1.0,\"character\":0}", &p, NULL),
            RPC_ESHAPE);
  CHECK_INT(position_from("{\"line\":\"1\",\"character\":0}", &p, NULL),
            RPC_ESHAPE);
  CHECK_INT(position_from("[1,2]", &p, NULL), RPC_ESHAPE);
  CHECK_INT(lsp_position_from_json(NULL, &p, NULL), RPC_ESHAPE);
  CHECK_INT(p.line, 0); /* failures leave *out as it was */
  CHECK_INT(lsp_position_from_json(NULL, NULL, NULL), RPC_EINVAL);

  v = json_loads("{\"start\":{\"line\":1,\"character\":2},"
                 "\"end\":{\"line\":3,\"character\":4}}",
                 0, NULL);
  CHECK_INT(lsp_range_from_json(v, &r, NULL), 0);
  CHECK_INT(r.start.line, 1);
  CHECK_INT(r.start.character, 2);
  CHECK_INT(r.end.line, 3);
  CHECK_INT(r.end.character, 4);
  json_decref(v);
  v = json_loads("{\"start\":{\"line\":1,\"character\":2}}", 0, NULL);
  CHECK_INT(lsp_range_from_json(v, &r, NULL), RPC_ESHAPE);
  json_decref(v);
  v = json_loads("[]", 0, NULL);
  CHECK_INT(lsp_range_from_json(v, &r, NULL), RPC_ESHAPE);
  CHECK_INT(lsp_range_from_json(v, NULL, NULL), RPC_EINVAL);
  json_decref(v);

  v = lsp_range_to_json(&r);
  s = json_dumps(v, JSON_COMPACT);
  CHECK_STR(s, "{\"start\":{\"line\":1,\"character\":2},"
               "\"end\":{\"line\":3,\"character\":4}}");
  free(s);
  json_decref(v);
  p.line = UINT32_MAX;
  p.character = 0;
  v = lsp_position_to_json(p);
  s = json_dumps(v, JSON_COMPACT);
  CHECK_STR(s, "{\"line\":4294967295,\"character\":0}");
  free(s);
  json_decref(v);
  CHECK(lsp_range_to_json(NULL) == NULL);
}

int main(void) {
  test_decoder();
  test_ascii();
  test_two_and_three_bytes();
  test_surrogate_pairs();
  test_combining_marks();
  test_invalid_bytes();
  test_round_trip();
  test_names();
  test_negotiation();
  test_json();
  CHECK_DONE();
}
