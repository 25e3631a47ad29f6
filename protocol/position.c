/*
 * position.c: UTF-8 decoding and the conversion between a column in a
 * position encoding and a byte offset within one line (rules in
 * lsp_position.h).
 */
#include "lsp_position.h"

/* Continuation byte in [lo, hi]. */
static int cont(unsigned char c, unsigned char lo, unsigned char hi) {
  return c >= lo && c <= hi;
}

size_t lsp_utf8_next(const char *str, size_t len, int32_t *cp) {
  const unsigned char *s = (const unsigned char *)str;
  unsigned char c = s[0];
  /* Well-formed sequences, as in the Unicode standard's table 3-7. */
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    if (len >= 2 && cont(s[1], 0x80, 0xBF)) {
      *cp = (int32_t)(((c & 0x1Fu) << 6) | (s[1] & 0x3Fu));
      return 2;
    }
  } else if (c >= 0xE0 && c <= 0xEF) {
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
    unsigned char hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    if (len >= 3 && cont(s[1], lo, hi) && cont(s[2], 0x80, 0xBF)) {
      *cp = (int32_t)(((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) |
                      (s[2] & 0x3Fu));
      return 3;
    }
  } else if (c >= 0xF0 && c <= 0xF4) {
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80; /* no overlongs */
    unsigned char hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing over U+10FFFF */
    if (len >= 4 && cont(s[1], lo, hi) && cont(s[2], 0x80, 0xBF) &&
        cont(s[3], 0x80, 0xBF)) {
      *cp = (int32_t)(((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
                      ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu));
      return 4;
    }
  }
  *cp = -1;
  return 1;
}

/* Code units of one decoded character of byte length n. */
static size_t units_of(int32_t cp, size_t n, lsp_encoding_t enc) {
  if (cp < 0)
    return 1; /* an invalid byte: one unit whatever the encoding */
  switch (enc) {
  case LSP_ENCODING_UTF8: return n;
  case LSP_ENCODING_UTF32: return 1;
  case LSP_ENCODING_UTF16:
  default: return cp >= 0x10000 ? 2 : 1;
  }
}

size_t lsp_line_units(const char *line, size_t len, lsp_encoding_t enc) {
  size_t pos = 0, units = 0;
  while (pos < len) {
    int32_t cp;
    size_t n = lsp_utf8_next(line + pos, len - pos, &cp);
    units += units_of(cp, n, enc);
    pos += n;
  }
  return units;
}

size_t lsp_column_to_byte(const char *line, size_t len, uint32_t column,
                          lsp_encoding_t enc) {
  size_t pos = 0, units = 0;
  while (pos < len) {
    int32_t cp;
    size_t n = lsp_utf8_next(line + pos, len - pos, &cp);
    size_t u = units_of(cp, n, enc);
    if (units + u > column) /* column is here or inside this character */
      return pos;
    units += u;
    pos += n;
  }
  return len;
}

uint32_t lsp_byte_to_column(const char *line, size_t len, size_t byte,
                            lsp_encoding_t enc) {
  size_t pos = 0, units = 0;
  while (pos < len) {
    int32_t cp;
    size_t n = lsp_utf8_next(line + pos, len - pos, &cp);
    if (byte < pos + n) /* byte is here or inside this character */
      break;
    units += units_of(cp, n, enc);
    pos += n;
  }
  return units > UINT32_MAX ? UINT32_MAX : (uint32_t)units;
}
