/*
 * fuzz_position.c: column <-> byte offset conversion (protocol/position.c)
 * and positions in a document (protocol/text.c), against a reference
 * written here from the rules of lsp_position.h and lsp_text.h.
 *
 * Input: byte 0 seeds the choice of columns and offsets to try on long
 * inputs; the rest is the text (any bytes: multi-byte UTF-8, characters
 * outside the BMP, invalid bytes, line ends). It is used twice: whole as
 * one line for lsp_line_units / lsp_column_to_byte / lsp_byte_to_column /
 * lsp_utf8_next, and as a document for lsp_text_position / lsp_text_offset.
 *
 * Checked, in each of utf-8, utf-16 and utf-32:
 *   - lsp_utf8_next at every byte agrees with the reference decoder
 *     (Unicode table 3-7; any other byte is one invalid character);
 *   - lsp_line_units is the reference count; in utf-8 it is the length;
 *   - column -> byte: the offset is <= len, at a character start, and the
 *     start of the character holding the column (len past the end);
 *   - byte -> column: the column of the character holding the offset
 *     (offsets past len clamp to len);
 *   - column -> byte -> column never increases the column, and stays put
 *     on a column at a character start; byte -> column -> byte gives the
 *     offset rounded down to its character start;
 *   - in a document: lsp_text_position of an offset is the line holding it
 *     and the column of the offset clamped to that line's content, and
 *     lsp_text_offset of a position is the start of that line plus the
 *     byte of the column (the document's end past the last line);
 *     offset -> position -> offset and back are stable.
 * Lines up to EXHAUSTIVE bytes try every column and offset; longer ones a
 * sample.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lsp_protocol.h"

#define EXHAUSTIVE 64
#define SAMPLES 32

static const lsp_encoding_t encodings[3] = {
    LSP_ENCODING_UTF8, LSP_ENCODING_UTF16, LSP_ENCODING_UTF32};

/* The reference decoder: the byte length of the character at s[0..len)
 * (len > 0) and its code point, -1 for an invalid byte (length 1). Written
 * from the sequence length of the lead byte, then the minimum value for
 * that length, the surrogate range and U+10FFFF. */
static size_t ref_next(const uint8_t *s, size_t len, int32_t *cp) {
  uint8_t c = s[0];
  size_t n;
  uint32_t v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if ((c & 0xE0) == 0xC0) {
    n = 2, v = c & 0x1Fu, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, v = c & 0x0Fu, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, v = c & 0x07u, min = 0x10000;
  } else {
    *cp = -1;
    return 1;
  }
  if (len < n) {
    *cp = -1;
    return 1;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = -1;
      return 1;
    }
    v = v << 6 | (s[i] & 0x3Fu);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
    *cp = -1;
    return 1;
  }
  *cp = (int32_t)v;
  return n;
}

static size_t ref_units(int32_t cp, size_t n, lsp_encoding_t enc) {
  if (cp < 0)
    return 1;
  if (enc == LSP_ENCODING_UTF8)
    return n;
  if (enc == LSP_ENCODING_UTF16)
    return cp >= 0x10000 ? 2 : 1;
  return 1;
}

/* One line, decoded by the reference: chars + 1 character starts (the
 * last is len) and, per encoding, the units before each. */
typedef struct ref_line {
  const uint8_t *s;
  size_t len, chars;
  size_t *start;     /* [chars + 1] */
  size_t *units[3];  /* [chars + 1] each, indexed like encodings[] */
  uint8_t *is_start; /* [len + 1]: 1 at a character start or at len */
} ref_line_t;

static int ref_line_init(ref_line_t *r, const uint8_t *s, size_t len) {
  memset(r, 0, sizeof *r);
  r->s = s;
  r->len = len;
  r->start = malloc((len + 1) * sizeof *r->start);
  r->is_start = calloc(len + 1, 1);
  for (int e = 0; e < 3; e++)
    r->units[e] = malloc((len + 1) * sizeof *r->units[e]);
  if (!r->start || !r->is_start || !r->units[0] || !r->units[1] ||
      !r->units[2])
    return -1;
  size_t pos = 0, k = 0, u[3] = {0, 0, 0};
  while (pos < len) {
    int32_t cp;
    size_t n = ref_next(s + pos, len - pos, &cp);
    r->start[k] = pos;
    r->is_start[pos] = 1;
    for (int e = 0; e < 3; e++) {
      r->units[e][k] = u[e];
      u[e] += ref_units(cp, n, encodings[e]);
    }
    k++;
    pos += n;
  }
  r->start[k] = len;
  r->is_start[len] = 1;
  for (int e = 0; e < 3; e++)
    r->units[e][k] = u[e];
  r->chars = k;
  return 0;
}

static void ref_line_close(ref_line_t *r) {
  free(r->start);
  free(r->is_start);
  for (int e = 0; e < 3; e++)
    free(r->units[e]);
}

/* The index of the character holding column col (chars when past the
 * end): the last k with units[k] <= col. */
static size_t ref_char_of_column(const ref_line_t *r, int e, uint64_t col) {
  size_t lo = 0, hi = r->chars; /* units[lo] <= col always (units[0] = 0) */
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    if (r->units[e][mid] <= col)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

/* The index of the character holding byte offset b (clamped to len). */
static size_t ref_char_of_byte(const ref_line_t *r, size_t b) {
  if (b > r->len)
    b = r->len;
  size_t lo = 0, hi = r->chars;
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    if (r->start[mid] <= b)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

static uint32_t sat32(size_t v) {
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void check_column(const ref_line_t *r, int e, uint32_t col) {
  const char *s = (const char *)r->s;
  lsp_encoding_t enc = encodings[e];
  size_t b = lsp_column_to_byte(s, r->len, col, enc);
  FUZZ_CHECK(b <= r->len, "column %u (%s) -> byte %zu, len %zu", (unsigned)col,
             lsp_encoding_name(enc), b, r->len);
  FUZZ_CHECK(r->is_start[b], "column %u (%s) -> byte %zu inside a character",
             (unsigned)col, lsp_encoding_name(enc), b);
  size_t want = r->start[ref_char_of_column(r, e, col)];
  FUZZ_CHECK(b == want, "column %u (%s) -> byte %zu, reference %zu",
             (unsigned)col, lsp_encoding_name(enc), b, want);
  uint32_t back = lsp_byte_to_column(s, r->len, b, enc);
  FUZZ_CHECK(back <= col, "column %u (%s) -> byte %zu -> column %u",
             (unsigned)col, lsp_encoding_name(enc), b, (unsigned)back);
  size_t again = lsp_column_to_byte(s, r->len, back, enc);
  FUZZ_CHECK(again == b, "column %u -> byte %zu -> column %u -> byte %zu (%s)",
             (unsigned)col, b, (unsigned)back, again, lsp_encoding_name(enc));
  /* A column at a character start comes back unchanged. */
  size_t k = ref_char_of_column(r, e, col);
  if (r->units[e][k] == col)
    FUZZ_CHECK(back == col,
               "column %u at a character start came back as %u "
               "(%s)",
               (unsigned)col, (unsigned)back, lsp_encoding_name(enc));
}

static void check_byte(const ref_line_t *r, int e, size_t byte) {
  const char *s = (const char *)r->s;
  lsp_encoding_t enc = encodings[e];
  uint32_t col = lsp_byte_to_column(s, r->len, byte, enc);
  size_t k = ref_char_of_byte(r, byte);
  uint32_t want = sat32(r->units[e][k]);
  FUZZ_CHECK(col == want, "byte %zu (%s) -> column %u, reference %u", byte,
             lsp_encoding_name(enc), (unsigned)col, (unsigned)want);
  size_t b = lsp_column_to_byte(s, r->len, col, enc);
  FUZZ_CHECK(b == r->start[k],
             "byte %zu -> column %u -> byte %zu, the "
             "character starts at %zu (%s)",
             byte, (unsigned)col, b, r->start[k], lsp_encoding_name(enc));
}

static void check_line(const uint8_t *s, size_t len, uint32_t seed) {
  ref_line_t r;
  if (ref_line_init(&r, s, len) < 0) {
    ref_line_close(&r);
    return;
  }
  /* lsp_utf8_next at every byte, not only at character starts. */
  for (size_t i = 0; i < len; i++) {
    int32_t cp, want_cp;
    size_t n = lsp_utf8_next((const char *)s + i, len - i, &cp);
    size_t want = ref_next(s + i, len - i, &want_cp);
    FUZZ_CHECK(n == want && cp == want_cp,
               "lsp_utf8_next at byte %zu: length %zu cp %ld, reference "
               "length %zu cp %ld",
               i, n, (long)cp, want, (long)want_cp);
  }
  for (int e = 0; e < 3; e++) {
    lsp_encoding_t enc = encodings[e];
    size_t units = lsp_line_units((const char *)s, len, enc);
    FUZZ_CHECK(units == r.units[e][r.chars], "%s units %zu, reference %zu",
               lsp_encoding_name(enc), units, r.units[e][r.chars]);
    if (enc == LSP_ENCODING_UTF8)
      FUZZ_CHECK(units == len, "utf-8 units %zu, length %zu", units, len);
    uint32_t state = seed;
    if (len <= EXHAUSTIVE) {
      for (size_t c = 0; c <= units + 2; c++)
        check_column(&r, e, (uint32_t)c);
      for (size_t b = 0; b <= len + 2; b++)
        check_byte(&r, e, b);
    } else {
      for (int i = 0; i < SAMPLES; i++) {
        check_column(&r, e, fuzz_next(&state) % (uint32_t)(units + 3));
        check_byte(&r, e, fuzz_next(&state) % (len + 3));
      }
      check_column(&r, e, (uint32_t)units);
      check_byte(&r, e, len);
    }
    check_column(&r, e, UINT32_MAX);
    check_byte(&r, e, SIZE_MAX);
  }
  ref_line_close(&r);
}

/* Line starts of a document by the rules of lsp_text.h ("\n", "\r\n" or
 * "\r" end a line); *count = line ends + 1. */
static size_t *ref_starts(const uint8_t *s, size_t len, size_t *count) {
  size_t *t = malloc((len + 2) * sizeof *t), n = 1;
  if (!t)
    return NULL;
  t[0] = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
      t[n++] = i + 1;
  }
  *count = n;
  return t;
}

/* [*b, *e): line l's content without its terminator. */
static void ref_bounds(const uint8_t *s, size_t len, const size_t *t, size_t n,
                       size_t l, size_t *b, size_t *e) {
  *b = t[l];
  if (l + 1 == n) {
    *e = len;
    return;
  }
  *e = t[l + 1] - 1;
  if (s[*e] == '\n' && *e > *b && s[*e - 1] == '\r')
    (*e)--;
}

static void check_offset(const lsp_text_t *text, const uint8_t *s, size_t len,
                         const size_t *t, size_t n, size_t q,
                         lsp_encoding_t enc) {
  lsp_position_t pos = lsp_text_position(text, q, enc);
  size_t c = q > len ? len : q;
  size_t l = n - 1;
  while (t[l] > c)
    l--;
  size_t b, e;
  ref_bounds(s, len, t, n, l, &b, &e);
  if (c > e)
    c = e;
  uint32_t col = lsp_byte_to_column((const char *)s + b, e - b, c - b, enc);
  FUZZ_CHECK(pos.line == l && pos.character == col,
             "offset %zu (%s) -> %u:%u, reference %zu:%u", q,
             lsp_encoding_name(enc), (unsigned)pos.line,
             (unsigned)pos.character, l, (unsigned)col);
  size_t off = lsp_text_offset(text, pos, enc);
  size_t want = b + lsp_column_to_byte((const char *)s + b, e - b, col, enc);
  FUZZ_CHECK(off == want && off <= (q > len ? len : q),
             "offset %zu -> %u:%u -> offset %zu, reference %zu (%s)", q,
             (unsigned)pos.line, (unsigned)pos.character, off, want,
             lsp_encoding_name(enc));
  lsp_position_t again = lsp_text_position(text, off, enc);
  FUZZ_CHECK(again.line == pos.line && again.character == pos.character,
             "offset %zu -> %u:%u -> offset %zu -> %u:%u (%s)", q,
             (unsigned)pos.line, (unsigned)pos.character, off,
             (unsigned)again.line, (unsigned)again.character,
             lsp_encoding_name(enc));
}

static void check_position(const lsp_text_t *text, const uint8_t *s,
                           size_t len, const size_t *t, size_t n,
                           lsp_position_t pos, lsp_encoding_t enc) {
  size_t off = lsp_text_offset(text, pos, enc), want;
  if (pos.line >= n) {
    want = len;
  } else {
    size_t b, e;
    ref_bounds(s, len, t, n, pos.line, &b, &e);
    want =
        b + lsp_column_to_byte((const char *)s + b, e - b, pos.character, enc);
  }
  FUZZ_CHECK(off == want, "%u:%u (%s) -> offset %zu, reference %zu",
             (unsigned)pos.line, (unsigned)pos.character,
             lsp_encoding_name(enc), off, want);
  lsp_position_t p2 = lsp_text_position(text, off, enc);
  size_t off2 = lsp_text_offset(text, p2, enc);
  FUZZ_CHECK(off2 == off, "%u:%u -> %zu -> %u:%u -> %zu (%s)",
             (unsigned)pos.line, (unsigned)pos.character, off,
             (unsigned)p2.line, (unsigned)p2.character, off2,
             lsp_encoding_name(enc));
}

static void check_document(const uint8_t *s, size_t len, uint32_t seed) {
  lsp_text_t *text;
  size_t n, *t = ref_starts(s, len, &n);
  if (!t)
    return;
  if (lsp_text_new((const char *)s, len, 0, &text, NULL) < 0) {
    free(t);
    return;
  }
  FUZZ_CHECK(lsp_text_line_count(text) == n, "line count %zu, reference %zu",
             lsp_text_line_count(text), n);
  for (size_t l = 0; l < n; l++) {
    const char *p;
    size_t plen, b, e;
    FUZZ_CHECK(lsp_text_line(text, l, &p, &plen) == 0, "line %zu of %zu", l,
               n);
    ref_bounds(s, len, t, n, l, &b, &e);
    FUZZ_CHECK(p == lsp_text_data(text) + b && plen == e - b,
               "line %zu at %td+%zu, reference %zu+%zu", l,
               p - lsp_text_data(text), plen, b, e - b);
  }
  uint32_t state = seed;
  for (int ei = 0; ei < 3; ei++) {
    lsp_encoding_t enc = encodings[ei];
    if (len <= EXHAUSTIVE) {
      for (size_t q = 0; q <= len + 1; q++)
        check_offset(text, s, len, t, n, q, enc);
    } else {
      for (int i = 0; i < SAMPLES; i++)
        check_offset(text, s, len, t, n, fuzz_next(&state) % (len + 2), enc);
    }
    check_offset(text, s, len, t, n, SIZE_MAX, enc);
    for (int i = 0; i < SAMPLES; i++) {
      lsp_position_t pos;
      pos.line = fuzz_next(&state) % (uint32_t)(n + 1);
      pos.character = fuzz_next(&state) % 16;
      if (i % 8 == 7)
        pos.character = UINT32_MAX;
      check_position(text, s, len, t, n, pos, enc);
    }
  }
  lsp_text_free(text);
  free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  uint32_t seed = (uint32_t)data[0] * 2654435761u + (uint32_t)size;
  check_line(data + 1, size - 1, seed);
  check_document(data + 1, size - 1, seed);
  return 0;
}
