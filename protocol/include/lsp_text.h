/*
 * lsp_text.h: the text of one open document and its edits.
 *
 * An lsp_text_t owns the document as UTF-8 bytes (kept NUL-terminated; it
 * may contain NUL bytes) and a table of line starts. Lines end at "\n",
 * "\r\n" or "\r", as the LSP defines them; the text has one more line than
 * it has line ends (the empty text has one empty line). A line's content
 * excludes its terminator, and columns never point into a terminator.
 *
 * Positions arrive in the negotiated encoding and are clamped (rules in
 * lsp_position.h): a character past the end of its line means the end of
 * that line; a line past the last line means the end of the document.
 *
 * Invariants: line_starts[0] == 0, strictly increasing, each one just
 * after a line end; size <= the cap given at creation. A failed call
 * leaves the text and its table as they were.
 *
 * Each edit reports the lines it touched as an lsp_line_change_t: the old
 * lines [start_line, start_line + old_lines) were replaced by the new lines
 * [start_line, start_line + new_lines); lines before start_line are
 * untouched, and old line start_line + old_lines + k is now line
 * start_line + new_lines + k, with the same content. Things attached to
 * lines (annotations, diagnostics) can be moved with it. The block is
 * narrowed to lines whose content changed: typing within line n reports
 * {n, 1, 1}; deleting whole lines n..n+k-1 reports {n, k, 0}; inserting k
 * whole lines before line n, or pressing Enter at the end of line n-1,
 * reports {n, 0, k}; joining lines n and n+1 reports {n, 2, 1}. A change
 * that leaves every line as it was (replacing "x" by "x") reports old and
 * new counts of 0.
 */
#ifndef HEATLS_LSP_TEXT_H
#define HEATLS_LSP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "lsp_position.h"
#include "rpc_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LSP_TEXT_DEFAULT_MAX ((size_t)64 * 1024 * 1024) /* bytes */

typedef struct lsp_text lsp_text_t;

typedef struct lsp_line_change {
  size_t start_line; /* first line replaced (0-based) */
  size_t old_lines;  /* lines replaced (0 for a pure insertion) */
  size_t new_lines;  /* lines that replace them (0 for a deletion) */
} lsp_line_change_t;

/* *out is a new text holding a copy of data[0..len) (data may be NULL when
 * len is 0), owned by the caller (lsp_text_free). max_size caps the text
 * now and after every edit (0 means LSP_TEXT_DEFAULT_MAX); RPC_ETOOBIG
 * when len is over it. */
int lsp_text_new(const char *data, size_t len, size_t max_size,
                 lsp_text_t **out, rpc_error_t *err);

void lsp_text_free(lsp_text_t *text); /* NULL is fine */

/* The bytes (borrowed until the next edit or free) and their count. */
const char *lsp_text_data(const lsp_text_t *text);
size_t lsp_text_size(const lsp_text_t *text);

size_t lsp_text_line_count(const lsp_text_t *text);

/* Line `line`'s content without its terminator (borrowed until the next
 * edit). RPC_EINVAL when line >= lsp_text_line_count(). */
int lsp_text_line(const lsp_text_t *text, size_t line, const char **ptr,
                  size_t *len);

/* The byte offset of pos (clamped). */
size_t lsp_text_offset(const lsp_text_t *text, lsp_position_t pos,
                       lsp_encoding_t enc);

/* The position of a byte offset: clamped to the size, and an offset inside
 * a line terminator or a character moves back to the end of that line or
 * the start of that character. */
lsp_position_t lsp_text_position(const lsp_text_t *text, size_t offset,
                                 lsp_encoding_t enc);

/* Replaces the whole text (a didChange event without a range). *change
 * (may be NULL) is {0, old line count, new line count}. */
int lsp_text_replace_all(lsp_text_t *text, const char *data, size_t len,
                         lsp_line_change_t *change, rpc_error_t *err);

/* Replaces the clamped range with data[0..len) (a didChange event with a
 * range); data is copied and must not point into the text. RPC_ERANGE when the
 * range ends before it starts (after clamping), RPC_ETOOBIG when the result
 * would be over the cap; the text is unchanged then. *change (may be NULL) is
 * filled on success. */
int lsp_text_apply(lsp_text_t *text, const lsp_range_t *range,
                   lsp_encoding_t enc, const char *data, size_t len,
                   lsp_line_change_t *change, rpc_error_t *err);

/* One TextDocumentContentChangeEvent (borrowed JSON): {"text": string}
 * (or a null "range") replaces everything, {"range": Range, "text":
 * string} applies an edit ("rangeLength" is ignored, as the LSP deprecates
 * it). RPC_ESHAPE for
 * any other shape; other failures as above. */
int lsp_text_apply_json(lsp_text_t *text, const json_t *change,
                        lsp_encoding_t enc, lsp_line_change_t *out,
                        rpc_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
