/*
 * test_text.c: document text, line table and edits (protocol/lsp_text.h).
 * Fixed cases check the LSP's rules (line ends "\n", "\r\n", "\r";
 * clamping; code units per encoding) and the line change reports; a
 * randomized check compares every edit against a plain splice and a
 * naive line split written here, independently of the module.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lsp_text.h"

#define U8 LSP_ENCODING_UTF8
#define U16 LSP_ENCODING_UTF16
#define U32 LSP_ENCODING_UTF32

static lsp_range_t range(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2) {
  lsp_range_t r;
  r.start.line = l1;
  r.start.character = c1;
  r.end.line = l2;
  r.end.character = c2;
  return r;
}

static lsp_text_t *text_of(const char *s) {
  lsp_text_t *t = NULL;
  CHECK_INT(lsp_text_new(s, strlen(s), 0, &t, NULL), 0);
  return t;
}

/* Checks the whole text and its lines ('|'-separated in `lines`). */
static void expect_text(const lsp_text_t *t, const char *whole,
                        const char *lines) {
  size_t i = 0, n = 1;
  const char *p;
  CHECK_MEM(lsp_text_data(t), lsp_text_size(t), whole);
  CHECK_INT(lsp_text_data(t)[lsp_text_size(t)], '\0');
  for (p = lines; *p; p++)
    n += *p == '|';
  CHECK_INT(lsp_text_line_count(t), n);
  p = lines;
  for (i = 0; i < n; i++) {
    const char *bar = strchr(p, '|'), *ptr = NULL;
    size_t want = bar ? (size_t)(bar - p) : strlen(p), len = 0;
    char buf[64];
    CHECK_INT(lsp_text_line(t, i, &ptr, &len), 0);
    snprintf(buf, sizeof buf, "%.*s", (int)want, p);
    CHECK_MEM(ptr, len, buf);
    p = bar ? bar + 1 : p + want;
  }
}

static void expect_change(const lsp_line_change_t *c, size_t start,
                          size_t old_lines, size_t new_lines) {
  CHECK_INT(c->start_line, start);
  CHECK_INT(c->old_lines, old_lines);
  CHECK_INT(c->new_lines, new_lines);
}

static void test_lines(void) {
  lsp_text_t *t = text_of("");
  const char *p;
  size_t len;
  expect_text(t, "", "");
  lsp_text_free(t);

  t = text_of("a\r\nb\rc\n");
  expect_text(t, "a\r\nb\rc\n", "a|b|c|");
  CHECK_INT(lsp_text_line(t, 4, &p, &len), RPC_EINVAL);
  lsp_text_free(t);

  t = text_of("\n\n\r\r\n");
  expect_text(t, "\n\n\r\r\n", "||||");
  lsp_text_free(t);

  t = text_of("no end");
  expect_text(t, "no end", "no end");
  lsp_text_free(t);

  /* NUL bytes are ordinary bytes. */
  CHECK_INT(lsp_text_new("a\0b\nc", 5, 0, &t, NULL), 0);
  CHECK_INT(lsp_text_line_count(t), 2);
  CHECK_INT(lsp_text_line(t, 0, &p, &len), 0);
  CHECK_INT(len, 3);
  CHECK(memcmp(p, "a\0b", 3) == 0);
  lsp_text_free(t);
}

static void test_offsets(void) {
  lsp_text_t *t = text_of("ab\r\ncd");
  lsp_position_t p;
  lsp_position_t pos = {0, 0};
  CHECK_INT(lsp_text_offset(t, pos, U16), 0);
  pos.character = 2;
  CHECK_INT(lsp_text_offset(t, pos, U16), 2);
  pos.character = 9; /* past the line: its end, before "\r\n" */
  CHECK_INT(lsp_text_offset(t, pos, U16), 2);
  pos.line = 1;
  pos.character = 0;
  CHECK_INT(lsp_text_offset(t, pos, U16), 4);
  pos.character = 2;
  CHECK_INT(lsp_text_offset(t, pos, U16), 6);
  pos.line = 2; /* past the last line: the end of the document */
  pos.character = 0;
  CHECK_INT(lsp_text_offset(t, pos, U16), 6);
  pos.line = UINT32_MAX;
  CHECK_INT(lsp_text_offset(t, pos, U16), 6);

  p = lsp_text_position(t, 2, U16);
  CHECK_INT(p.line, 0);
  CHECK_INT(p.character, 2);
  p = lsp_text_position(t, 3, U16); /* between "\r" and "\n" */
  CHECK_INT(p.line, 0);
  CHECK_INT(p.character, 2);
  p = lsp_text_position(t, 4, U16);
  CHECK_INT(p.line, 1);
  CHECK_INT(p.character, 0);
  p = lsp_text_position(t, 99, U16);
  CHECK_INT(p.line, 1);
  CHECK_INT(p.character, 2);
  lsp_text_free(t);

  /* Encodings: "x" U+1F600 "y" then U+00E9. */
  t = text_of("x\xf0\x9f\x98\x80y\n\xc3\xa9");
  pos.line = 0;
  pos.character = 3;
  CHECK_INT(lsp_text_offset(t, pos, U16), 5);
  CHECK_INT(lsp_text_offset(t, pos, U32), 6);
  CHECK_INT(lsp_text_offset(t, pos, U8), 1); /* inside the emoji */
  pos.character = 2;                         /* between the surrogates */
  CHECK_INT(lsp_text_offset(t, pos, U16), 1);
  p = lsp_text_position(t, 5, U16);
  CHECK_INT(p.character, 3);
  p = lsp_text_position(t, 5, U32);
  CHECK_INT(p.character, 2);
  p = lsp_text_position(t, 3, U8); /* inside the emoji: its start */
  CHECK_INT(p.character, 1);
  p = lsp_text_position(t, 8, U16); /* inside e-acute */
  CHECK_INT(p.line, 1);
  CHECK_INT(p.character, 0);
  p = lsp_text_position(t, 10, U8);
  CHECK_INT(p.character, 2);
  lsp_text_free(t);
}

/* Applies one edit given in UTF-16 and checks the result and report. */
static void edit(const char *before, lsp_range_t r, const char *ins,
                 const char *after, const char *lines, size_t start,
                 size_t old_lines, size_t new_lines) {
  lsp_text_t *t = text_of(before);
  lsp_line_change_t c = {99, 99, 99};
  rpc_error_t err;
  CHECK_INT(lsp_text_apply(t, &r, U16, ins, strlen(ins), &c, &err), 0);
  CHECK_INT(err.code, 0);
  expect_text(t, after, lines);
  expect_change(&c, start, old_lines, new_lines);
  if (c.start_line != start || c.old_lines != old_lines ||
      c.new_lines != new_lines)
    fprintf(stderr, "  (edit of \"%s\" by \"%s\": {%zu,%zu,%zu})\n", before,
            ins, c.start_line, c.old_lines, c.new_lines);
  lsp_text_free(t);
}

static void test_edits(void) {
  /* Typing inside a line. */
  edit("ab\ncd", range(1, 1, 1, 1), "X", "ab\ncXd", "ab|cXd", 1, 1, 1);
  /* Replacing a word. */
  edit("one two\nx", range(0, 4, 0, 7), "2", "one 2\nx", "one 2|x", 0, 1, 1);
  /* Deleting whole lines 1..2. */
  edit("a\nb\nc\nd", range(1, 0, 3, 0), "", "a\nd", "a|d", 1, 2, 0);
  /* Inserting two whole lines before line 1. */
  edit("a\nb", range(1, 0, 1, 0), "x\ny\n", "a\nx\ny\nb", "a|x|y|b", 1, 0, 2);
  /* Enter at the end of line 0, with "\n" and with "\r\n". */
  edit("ab\ncd", range(0, 2, 0, 2), "\n", "ab\n\ncd", "ab||cd", 1, 0, 1);
  edit("ab\r\ncd", range(0, 2, 0, 2), "\r\n", "ab\r\n\r\ncd", "ab||cd", 1, 0,
       1);
  /* Enter in the middle of a line splits it. */
  edit("abcd", range(0, 2, 0, 2), "\n", "ab\ncd", "ab|cd", 0, 1, 2);
  /* Joining lines 0 and 1 (backspace at the start of line 1). */
  edit("ab\ncd\nef", range(0, 2, 1, 0), "", "abcd\nef", "abcd|ef", 0, 2, 1);
  /* Deleting from the end of line 0 to the end of line 1 removes line 1. */
  edit("ab\ncd\nef", range(0, 2, 1, 2), "", "ab\nef", "ab|ef", 1, 1, 0);
  /* A deletion that joins a "\r" and a "\n" into one line end: the line
   * "b" goes away and "c" moves up. */
  edit("a\rb\nc", range(1, 0, 1, 1), "", "a\r\nc", "a|c", 1, 1, 0);
  /* An insertion that splits nothing but adds a "\r" before a "\n". */
  edit("ab\ncd", range(0, 1, 0, 2), "x\r", "ax\r\ncd", "ax|cd", 0, 1, 1);
  /* Replacing text by the same text changes no line: an empty block
   * (after line 1, the last line it compared equal). */
  edit("ab\ncd", range(1, 0, 1, 1), "c", "ab\ncd", "ab|cd", 2, 0, 0);
  /* At the very start and end. */
  edit("ab", range(0, 0, 0, 0), "\n", "\nab", "|ab", 0, 0, 1);
  edit("ab", range(0, 2, 0, 2), "\n", "ab\n", "ab|", 1, 0, 1);
  edit("", range(0, 0, 0, 0), "x\ny", "x\ny", "x|y", 0, 1, 2);
  edit("ab\ncd", range(0, 0, 1, 2), "", "", "", 0, 2, 1);
  /* Clamping: past the line end, past the last line. */
  edit("ab\ncd", range(0, 99, 0, 99), "X", "abX\ncd", "abX|cd", 0, 1, 1);
  edit("ab", range(5, 0, 9, 9), "X", "abX", "abX", 0, 1, 1);
  edit("ab\ncd", range(0, 1, 7, 0), "", "a", "a", 0, 2, 1);
  /* A reversed range that clamps to an empty one is fine. */
  edit("ab", range(0, 5, 0, 3), "X", "abX", "abX", 0, 1, 1);
  /* UTF-16 ranges over non-ASCII text: replace the emoji by "z". */
  edit("x\xf0\x9f\x98\x80y", range(0, 1, 0, 3), "z", "xzy", "xzy", 0, 1, 1);
  /* A start between two surrogates rounds down: the emoji goes. */
  edit("x\xf0\x9f\x98\x80y", range(0, 2, 0, 3), "", "xy", "xy", 0, 1, 1);
  edit("\xc3\xa9t\xc3\xa9\n", range(0, 2, 0, 3), "\xe2\x82\xac",
       "\xc3\xa9t\xe2\x82\xac\n", "\xc3\xa9t\xe2\x82\xac|", 0, 1, 1);
}

static void test_encodings_in_edits(void) {
  lsp_text_t *t = text_of("x\xf0\x9f\x98\x80y");
  lsp_range_t r = range(0, 1, 0, 5); /* the emoji in UTF-8 bytes */
  CHECK_INT(lsp_text_apply(t, &r, U8, "z", 1, NULL, NULL), 0);
  CHECK_MEM(lsp_text_data(t), lsp_text_size(t), "xzy");
  lsp_text_free(t);
  t = text_of("x\xf0\x9f\x98\x80y");
  r = range(0, 1, 0, 2); /* the emoji in code points */
  CHECK_INT(lsp_text_apply(t, &r, U32, "z", 1, NULL, NULL), 0);
  CHECK_MEM(lsp_text_data(t), lsp_text_size(t), "xzy");
  lsp_text_free(t);
}

static void test_errors(void) {
  lsp_text_t *t = NULL;
  lsp_range_t r = range(1, 0, 0, 0);
  lsp_line_change_t c = {7, 7, 7};
  rpc_error_t err;

  CHECK_INT(lsp_text_new("12345678901", 11, 10, &t, &err), RPC_ETOOBIG);
  CHECK(t == NULL);
  CHECK_INT(err.code, RPC_ETOOBIG);
  CHECK_INT(lsp_text_new(NULL, 1, 0, &t, &err), RPC_EINVAL);
  CHECK_INT(lsp_text_new("x", 1, 0, NULL, &err), RPC_EINVAL);

  CHECK_INT(lsp_text_new("ab\ncd", 5, 10, &t, NULL), 0);
  /* Reversed range: refused, nothing changes. */
  CHECK_INT(lsp_text_apply(t, &r, U16, "x", 1, &c, &err), RPC_ERANGE);
  CHECK_INT(err.code, RPC_ERANGE);
  CHECK(strstr(err.message, "1:0") != NULL);
  CHECK_INT(c.start_line, 7);
  expect_text(t, "ab\ncd", "ab|cd");
  /* Over the cap: refused, nothing changes; exactly at the cap is fine. */
  r = range(1, 2, 1, 2);
  CHECK_INT(lsp_text_apply(t, &r, U16, "123456", 6, &c, &err), RPC_ETOOBIG);
  CHECK_INT(err.code, RPC_ETOOBIG);
  expect_text(t, "ab\ncd", "ab|cd");
  CHECK_INT(lsp_text_apply(t, &r, U16, "12345", 5, &c, NULL), 0);
  expect_text(t, "ab\ncd12345", "ab|cd12345");
  /* At the cap, a same-size replacement still fits. */
  r = range(0, 0, 0, 2);
  CHECK_INT(lsp_text_apply(t, &r, U16, "XY", 2, &c, NULL), 0);
  expect_text(t, "XY\ncd12345", "XY|cd12345");
  CHECK_INT(lsp_text_replace_all(t, "12345678901", 11, &c, &err), RPC_ETOOBIG);
  expect_text(t, "XY\ncd12345", "XY|cd12345");
  CHECK_INT(lsp_text_apply(t, NULL, U16, "", 0, &c, &err), RPC_EINVAL);
  CHECK_INT(lsp_text_apply(t, &r, U16, NULL, 1, &c, &err), RPC_EINVAL);
  CHECK_INT(lsp_text_apply(NULL, &r, U16, "", 0, &c, &err), RPC_EINVAL);
  CHECK_INT(lsp_text_replace_all(t, NULL, 1, &c, &err), RPC_EINVAL);
  CHECK_INT(lsp_text_replace_all(NULL, "", 0, &c, &err), RPC_EINVAL);
  lsp_text_free(t);
  lsp_text_free(NULL);
}

static void test_replace_all(void) {
  lsp_text_t *t = text_of("a\nb\nc");
  lsp_line_change_t c;
  CHECK_INT(lsp_text_replace_all(t, "x\r\ny", 4, &c, NULL), 0);
  expect_text(t, "x\r\ny", "x|y");
  expect_change(&c, 0, 3, 2);
  CHECK_INT(lsp_text_replace_all(t, NULL, 0, &c, NULL), 0);
  expect_text(t, "", "");
  expect_change(&c, 0, 2, 1);
  lsp_text_free(t);
}

static void test_json_changes(void) {
  lsp_text_t *t = text_of("hello\nworld");
  lsp_line_change_t c;
  rpc_error_t err;
  json_t *v;

  v = json_loads("{\"range\":{\"start\":{\"line\":1,\"character\":0},"
                 "\"end\":{\"line\":1,\"character\":5}},\"rangeLength\":99,"
                 "\"text\":\"there\"}",
                 0, NULL);
  CHECK_INT(lsp_text_apply_json(t, v, U16, &c, &err), 0);
  expect_text(t, "hello\nthere", "hello|there");
  expect_change(&c, 1, 1, 1);
  json_decref(v);

  v = json_loads("{\"text\":\"a\\u0000b\\nc\"}", JSON_ALLOW_NUL, NULL);
  CHECK_INT(lsp_text_apply_json(t, v, U16, &c, NULL), 0);
  CHECK_INT(lsp_text_size(t), 5);
  CHECK(memcmp(lsp_text_data(t), "a\0b\nc", 5) == 0);
  expect_change(&c, 0, 2, 2);
  json_decref(v);

  v = json_loads("{\"range\":null,\"text\":\"full\"}", 0, NULL);
  CHECK_INT(lsp_text_apply_json(t, v, U16, NULL, NULL), 0);
  expect_text(t, "full", "full");
  json_decref(v);

  v = json_loads("{\"text\":5}", 0, NULL);
  CHECK_INT(lsp_text_apply_json(t, v, U16, &c, &err), RPC_ESHAPE);
  CHECK_INT(err.code, RPC_ESHAPE);
  json_decref(v);
  v = json_loads("{\"range\":{\"start\":{}},\"text\":\"x\"}", 0, NULL);
  CHECK_INT(lsp_text_apply_json(t, v, U16, &c, &err), RPC_ESHAPE);
  json_decref(v);
  v = json_loads("{\"range\":{\"start\":{\"line\":0,\"character\":3},"
                 "\"end\":{\"line\":0,\"character\":1}},\"text\":\"x\"}",
                 0, NULL);
  CHECK_INT(lsp_text_apply_json(t, v, U16, &c, &err), RPC_ERANGE);
  json_decref(v);
  v = json_loads("[]", 0, NULL);
  CHECK_INT(lsp_text_apply_json(t, v, U16, &c, &err), RPC_ESHAPE);
  CHECK_INT(lsp_text_apply_json(NULL, v, U16, &c, &err), RPC_EINVAL);
  json_decref(v);
  CHECK_INT(lsp_text_apply_json(t, NULL, U16, &c, &err), RPC_ESHAPE);
  expect_text(t, "full", "full");
  lsp_text_free(t);
}

/* Many small appends: the buffer grows, the content stays right. */
static void test_growth(void) {
  lsp_text_t *t = text_of("");
  int i;
  for (i = 0; i < 2000; i++) {
    lsp_line_change_t c;
    lsp_range_t r = range((uint32_t)i, 0, (uint32_t)i, 0);
    CHECK_INT(lsp_text_apply(t, &r, U16, "line\n", 5, &c, NULL), 0);
    if (c.start_line != (size_t)i || c.old_lines != 0 || c.new_lines != 1) {
      expect_change(&c, (size_t)i, 0, 1);
      break;
    }
  }
  CHECK_INT(lsp_text_size(t), 10000);
  CHECK_INT(lsp_text_line_count(t), 2001);
  {
    const char *p;
    size_t len;
    CHECK_INT(lsp_text_line(t, 1999, &p, &len), 0);
    CHECK_MEM(p, len, "line");
    CHECK_INT(lsp_text_line(t, 2000, &p, &len), 0);
    CHECK_INT(len, 0);
  }
  lsp_text_free(t);
}

/* ---- randomized comparison with a naive model ---- */

typedef struct span {
  size_t begin, len;
} span_t;

/* LSP line split of s[0..n): contents without terminators. Returns the
 * number of lines written to out (at most max). */
static size_t naive_lines(const char *s, size_t n, span_t *out, size_t max) {
  size_t count = 0, begin = 0, i = 0;
  while (i <= n && count < max) {
    if (i == n) {
      out[count].begin = begin;
      out[count++].len = i - begin;
      break;
    }
    if (s[i] == '\n' || s[i] == '\r') {
      out[count].begin = begin;
      out[count++].len = i - begin;
      i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
      begin = i;
    } else {
      i++;
    }
  }
  return count;
}

/* Byte length of the character that starts with byte c (valid UTF-8). */
static size_t char_len(unsigned char c) {
  return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static size_t char_units(size_t len, lsp_encoding_t e) {
  if (e == U8)
    return len;
  if (e == U16)
    return len == 4 ? 2 : 1;
  return 1;
}

/* The byte offset of (line, col) by the rules, from the naive split. */
static size_t naive_offset(const char *s, const span_t *lines, size_t count,
                           size_t size, uint32_t line, uint32_t col,
                           lsp_encoding_t e) {
  size_t b, units = 0;
  if (line >= count)
    return size;
  b = lines[line].begin;
  while (b < lines[line].begin + lines[line].len) {
    size_t n = char_len((unsigned char)s[b]), u = char_units(n, e);
    if (units + u > col)
      break;
    units += u;
    b += n;
  }
  return b;
}

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n) {
  rnd_state = rnd_state * 1103515245u + 12345u;
  return (rnd_state >> 16) % n;
}

static size_t random_text(char *out, unsigned tokens) {
  static const char *const alphabet[] = {
      "a",    "b",        "\n",           "\r",
      "\r\n", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  size_t n = 0;
  unsigned i;
  for (i = 0; i < tokens; i++) {
    const char *tok = alphabet[rnd(8)];
    memcpy(out + n, tok, strlen(tok));
    n += strlen(tok);
  }
  return n;
}

#define MAXL 512

static void test_random_edits(void) {
  int round;
  for (round = 0; round < 4000; round++) {
    char doc[256], ins[64], want[512];
    span_t old_lines[MAXL], new_lines[MAXL];
    size_t dn = random_text(doc, rnd(20)), in = random_text(ins, rnd(6));
    size_t oc = naive_lines(doc, dn, old_lines, MAXL), nc, s, e, wn, k;
    lsp_encoding_t enc = (lsp_encoding_t)rnd(3);
    lsp_range_t r =
        range(rnd((unsigned)oc + 2), rnd(8), rnd((unsigned)oc + 2), rnd(8));
    lsp_line_change_t c;
    lsp_text_t *t = NULL;
    int rc, bad = 0;

    CHECK_INT(lsp_text_new(doc, dn, 0, &t, NULL), 0);
    s = naive_offset(doc, old_lines, oc, dn, r.start.line, r.start.character,
                     enc);
    e = naive_offset(doc, old_lines, oc, dn, r.end.line, r.end.character, enc);
    rc = lsp_text_apply(t, &r, enc, ins, in, &c, NULL);
    if (e < s) {
      CHECK_INT(rc, RPC_ERANGE);
      CHECK(lsp_text_size(t) == dn && memcmp(lsp_text_data(t), doc, dn) == 0);
      lsp_text_free(t);
      continue;
    }
    CHECK_INT(rc, 0);
    memcpy(want, doc, s);
    memcpy(want + s, ins, in);
    memcpy(want + s + in, doc + e, dn - e);
    wn = dn - (e - s) + in;
    nc = naive_lines(want, wn, new_lines, MAXL);

    /* The text and its lines. */
    bad |= lsp_text_size(t) != wn || memcmp(lsp_text_data(t), want, wn) != 0;
    bad |= lsp_text_line_count(t) != nc;
    for (k = 0; !bad && k < nc; k++) {
      const char *p;
      size_t len;
      lsp_text_line(t, k, &p, &len);
      bad |= p != lsp_text_data(t) + new_lines[k].begin ||
             len != new_lines[k].len;
    }
    /* The report: counts add up, the lines outside the block match. */
    bad |= c.start_line + c.old_lines > oc || c.start_line + c.new_lines > nc;
    bad |= oc - c.old_lines + c.new_lines != nc;
    for (k = 0; !bad && k < c.start_line; k++)
      bad |= old_lines[k].len != new_lines[k].len ||
             memcmp(doc + old_lines[k].begin, want + new_lines[k].begin,
                    old_lines[k].len) != 0;
    for (k = 0; !bad && c.start_line + c.old_lines + k < oc; k++) {
      const span_t *o = &old_lines[c.start_line + c.old_lines + k];
      const span_t *w = &new_lines[c.start_line + c.new_lines + k];
      bad |= o->len != w->len ||
             memcmp(doc + o->begin, want + w->begin, o->len) != 0;
    }
    /* Positions: every character start survives offset -> position ->
     * offset in the edited text. */
    for (k = 0; !bad && k < nc; k++) {
      size_t b = new_lines[k].begin;
      while (!bad) {
        lsp_position_t p = lsp_text_position(t, b, enc);
        bad |= p.line != k || lsp_text_offset(t, p, enc) != b;
        if (b >= new_lines[k].begin + new_lines[k].len)
          break;
        b += char_len((unsigned char)want[b]);
      }
    }
    if (bad) {
      CHECK_INT(bad, 0); /* the edit below disagrees with the model */
      fprintf(stderr,
              "round %d: doc %zu bytes, range %u:%u-%u:%u enc %d, insert "
              "%zu bytes; report {%zu,%zu,%zu}, lines %zu -> %zu\n",
              round, dn, (unsigned)r.start.line, (unsigned)r.start.character,
              (unsigned)r.end.line, (unsigned)r.end.character, (int)enc, in,
              c.start_line, c.old_lines, c.new_lines, oc, nc);
      lsp_text_free(t);
      break;
    }
    check_count++;
    lsp_text_free(t);
  }
}

int main(void) {
  test_lines();
  test_offsets();
  test_edits();
  test_encodings_in_edits();
  test_errors();
  test_replace_all();
  test_json_changes();
  test_growth();
  test_random_edits();
  CHECK_DONE();
}
