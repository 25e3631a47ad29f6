/*
 * lsp_position.h: LSP positions and the three position encodings.
 *
 * An LSP position is (line, character), both 0-based; "character" counts
 * code units of the encoding negotiated at initialize: UTF-8 bytes, UTF-16
 * code units (the LSP default) or UTF-32 code points. Documents are kept
 * in UTF-8, so every conversion here is between such a column and a byte
 * offset within one line of UTF-8 text (the line without its terminator).
 *
 * Conversion rules (decided here, tested in test_position.c):
 *   - a column past the end of the line clamps to the line's end (the LSP
 *     says so), and so does a byte offset past the end;
 *   - a column that falls inside a character (the second half of a UTF-16
 *     surrogate pair, or inside a multi-byte character under UTF-8) rounds
 *     down to the start of that character; so does a byte offset inside a
 *     UTF-8 sequence;
 *   - an invalid UTF-8 byte (stray continuation byte, truncated or overlong
 *     sequence, encoded surrogate, value over U+10FFFF) counts as one
 *     character of one code unit in every encoding;
 *   - characters are code points: a combining mark is a column of its own.
 *
 * Negotiation (lsp_encoding_negotiate): utf-8 if the client offers it, else
 * utf-16 if offered, else utf-32 if offered, else utf-16 (the LSP default,
 * which every client must support: an absent, empty or non-array list, or
 * one naming only unknown encodings, gives utf-16). The client's order is
 * not a factor: utf-8 is preferred because it costs no conversion here.
 */
#ifndef HEATLS_LSP_POSITION_H
#define HEATLS_LSP_POSITION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rpc_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lsp_encoding {
  LSP_ENCODING_UTF16 = 0, /* "utf-16", the default */
  LSP_ENCODING_UTF8,      /* "utf-8" */
  LSP_ENCODING_UTF32      /* "utf-32" */
} lsp_encoding_t;

typedef struct lsp_position {
  uint32_t line;      /* 0-based */
  uint32_t character; /* 0-based, in code units of the encoding */
} lsp_position_t;

typedef struct lsp_range {
  lsp_position_t start;
  lsp_position_t end; /* exclusive */
} lsp_range_t;

/* "utf-8", "utf-16" or "utf-32" (static). */
const char *lsp_encoding_name(lsp_encoding_t enc);

/* The encoding named exactly `name` (the LSP's PositionEncodingKind
 * strings are case-sensitive). RPC_EINVAL for anything else. */
int lsp_encoding_from_name(const char *name, lsp_encoding_t *out);

/* The server's choice from the client's general.positionEncodings value
 * (borrowed; NULL or not an array is treated as absent). See the rule at
 * the top of this file. */
lsp_encoding_t lsp_encoding_negotiate(const json_t *encodings);

/* The same, from the initialize request's params.capabilities object
 * (borrowed; reads capabilities.general.positionEncodings). */
lsp_encoding_t lsp_encoding_from_capabilities(const json_t *capabilities);

/* The length of line[0..len) in code units of enc. */
size_t lsp_line_units(const char *line, size_t len, lsp_encoding_t enc);

/* The byte offset in line[0..len) of column `column` in enc (clamped to
 * len, rounded down to a character start). */
size_t lsp_column_to_byte(const char *line, size_t len, uint32_t column,
                          lsp_encoding_t enc);

/* The column in enc of byte offset `byte` in line[0..len) (clamped to len,
 * rounded down to a character start). Saturates at UINT32_MAX. */
uint32_t lsp_byte_to_column(const char *line, size_t len, size_t byte,
                            lsp_encoding_t enc);

/* Decodes one character at s[0..len) (len > 0): returns its byte length
 * (1..4) and sets *cp to the code point, or to -1 for an invalid byte,
 * which always has length 1. */
size_t lsp_utf8_next(const char *s, size_t len, int32_t *cp);

/* JSON shapes. Positions and ranges are read from LSP JSON, borrowed:
 * {"line": n, "character": n} with non-negative integers (values over
 * UINT32_MAX become UINT32_MAX, which then clamps like any position past
 * the end), and {"start": position, "end": position}. RPC_ESHAPE otherwise
 * (a request answers it with -32602). */
int lsp_position_from_json(const json_t *json, lsp_position_t *out,
                           rpc_error_t *err);
int lsp_range_from_json(const json_t *json, lsp_range_t *out,
                        rpc_error_t *err);

/* New references ({"line":..,"character":..} / {"start":..,"end":..}), or
 * NULL when out of memory. */
json_t *lsp_position_to_json(lsp_position_t pos);
json_t *lsp_range_to_json(const lsp_range_t *range);

#ifdef __cplusplus
}
#endif

#endif
