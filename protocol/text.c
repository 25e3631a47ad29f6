/*
 * text.c: a document's bytes and line-start table, and edits to them
 * (rules and invariants in lsp_text.h).
 *
 * An edit replaces bytes [start, end) of the old text by `len` new bytes.
 * Whether byte offset q starts a line depends only on bytes q-1 and q, so
 * the new table is: the old starts before `start`, the starts found by
 * scanning the new bytes around the edit ([start, start + len]), and the
 * old starts after `end` shifted by the change in size. Nothing else is
 * rescanned. The line change report comes from the same counts, narrowed
 * by comparing the lines at either end of the touched block, old against
 * new, before any byte moves.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lsp_text.h"

struct lsp_text {
  char *data; /* size bytes + NUL */
  size_t size, capacity, max;
  size_t *starts; /* line starts, line_count of them */
  size_t line_count;
};

/* Counts the line starts of data[0..size) after offset 0, writing them to
 * out when it is not NULL. */
static size_t scan_starts(const char *data, size_t size, size_t *out) {
  size_t i, n = 0;
  for (i = 0; i < size; i++) {
    if (data[i] == '\n' ||
        (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'))) {
      if (out)
        out[n] = i + 1;
      n++;
    }
  }
  return n;
}

/* A new table for data[0..size): *starts and *count. */
static int build_table(const char *data, size_t size, size_t **starts,
                       size_t *count, rpc_error_t *err) {
  size_t n = scan_starts(data, size, NULL) + 1;
  size_t *t = malloc(n * sizeof *t);
  if (!t)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a line table");
  t[0] = 0;
  scan_starts(data, size, t + 1);
  *starts = t;
  *count = n;
  return 0;
}

/* Makes room for `need` bytes plus the NUL; never beyond max + 1. */
static int reserve(lsp_text_t *t, size_t need, rpc_error_t *err) {
  size_t cap;
  char *d;
  if (need + 1 <= t->capacity)
    return 0;
  cap = t->capacity > t->max / 2 ? t->max + 1 : t->capacity * 2;
  if (cap < need + 1)
    cap = need + 1;
  d = realloc(t->data, cap);
  if (!d)
    return rpc__fail(err, RPC_ENOMEM, "cannot grow a document to %zu bytes",
                     need);
  t->data = d;
  t->capacity = cap;
  return 0;
}

int lsp_text_new(const char *data, size_t len, size_t max_size,
                 lsp_text_t **out, rpc_error_t *err) {
  lsp_text_t *t;
  int r;
  if (!out || (!data && len))
    return rpc__fail(err, RPC_EINVAL, "lsp_text_new: NULL argument");
  *out = NULL;
  if (!max_size)
    max_size = LSP_TEXT_DEFAULT_MAX;
  if (len > max_size)
    return rpc__fail(err, RPC_ETOOBIG,
                     "document of %zu bytes is over the cap of %zu", len,
                     max_size);
  t = calloc(1, sizeof *t);
  if (!t)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a document");
  t->max = max_size;
  if ((r = reserve(t, len, err)) < 0 ||
      (r = build_table(data, len, &t->starts, &t->line_count, err)) < 0) {
    lsp_text_free(t);
    return r;
  }
  if (len)
    memcpy(t->data, data, len);
  t->data[len] = '\0';
  t->size = len;
  *out = t;
  rpc__clear(err);
  return 0;
}

void lsp_text_free(lsp_text_t *text) {
  if (!text)
    return;
  free(text->data);
  free(text->starts);
  free(text);
}

const char *lsp_text_data(const lsp_text_t *text) { return text->data; }
size_t lsp_text_size(const lsp_text_t *text) { return text->size; }
size_t lsp_text_line_count(const lsp_text_t *text) { return text->line_count; }

/* [*begin, *end): line i's content without its terminator. */
static void line_bounds(const lsp_text_t *t, size_t i, size_t *begin,
                        size_t *end) {
  size_t b = t->starts[i], e;
  if (i + 1 == t->line_count) {
    e = t->size;
  } else {
    e = t->starts[i + 1] - 1; /* drop "\n" or "\r" */
    if (t->data[e] == '\n' && e > b && t->data[e - 1] == '\r')
      e--;
  }
  *begin = b;
  *end = e;
}

int lsp_text_line(const lsp_text_t *text, size_t line, const char **ptr,
                  size_t *len) {
  size_t b, e;
  if (!text || !ptr || !len || line >= text->line_count)
    return RPC_EINVAL;
  line_bounds(text, line, &b, &e);
  *ptr = text->data + b;
  *len = e - b;
  return 0;
}

size_t lsp_text_offset(const lsp_text_t *text, lsp_position_t pos,
                       lsp_encoding_t enc) {
  size_t b, e;
  if (pos.line >= text->line_count)
    return text->size;
  line_bounds(text, pos.line, &b, &e);
  return b + lsp_column_to_byte(text->data + b, e - b, pos.character, enc);
}

/* The number of entries of starts[0..n) that are < offset. */
static size_t count_below(const size_t *starts, size_t n, size_t offset) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (starts[mid] < offset)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

lsp_position_t lsp_text_position(const lsp_text_t *text, size_t offset,
                                 lsp_encoding_t enc) {
  lsp_position_t pos;
  size_t line, b, e;
  if (offset > text->size)
    offset = text->size;
  /* The last line whose start is <= offset. */
  line = count_below(text->starts, text->line_count, offset + 1) - 1;
  line_bounds(text, line, &b, &e);
  if (offset > e)
    offset = e;
  pos.line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
  pos.character = lsp_byte_to_column(text->data + b, e - b, offset - b, enc);
  return pos;
}

int lsp_text_replace_all(lsp_text_t *text, const char *data, size_t len,
                         lsp_line_change_t *change, rpc_error_t *err) {
  size_t *starts, count;
  int r;
  if (!text || (!data && len))
    return rpc__fail(err, RPC_EINVAL, "lsp_text_replace_all: NULL argument");
  if (len > text->max)
    return rpc__fail(err, RPC_ETOOBIG,
                     "document of %zu bytes is over the cap of %zu", len,
                     text->max);
  if ((r = build_table(data, len, &starts, &count, err)) < 0)
    return r;
  if ((r = reserve(text, len, err)) < 0) {
    free(starts);
    return r;
  }
  if (change) {
    change->start_line = 0;
    change->old_lines = text->line_count;
    change->new_lines = count;
  }
  if (len)
    memmove(text->data, data, len); /* data may be the text's own bytes */
  text->data[len] = '\0';
  text->size = len;
  free(text->starts);
  text->starts = starts;
  text->line_count = count;
  rpc__clear(err);
  return 0;
}

/* The text as it will be after replacing [start, end) by ins[0..len),
 * read one byte at a time without building it. */
typedef struct edit_view {
  const char *old;
  size_t start, end, size; /* size: of the new text */
  const char *ins;
  size_t len;
} edit_view_t;

static char view_byte(const edit_view_t *v, size_t q) {
  if (q < v->start)
    return v->old[q];
  if (q < v->start + v->len)
    return v->ins[q - v->start];
  return v->old[q - v->start - v->len + v->end];
}

static int view_starts_line(const edit_view_t *v, size_t q) {
  char before;
  if (q == 0)
    return 1;
  before = view_byte(v, q - 1);
  return before == '\n' ||
         (before == '\r' && (q == v->size || view_byte(v, q) != '\n'));
}

/* Line j of the new text, whose table is ns[0..n): [*begin, *end) without
 * its terminator. */
static void view_line_bounds(const edit_view_t *v, const size_t *ns, size_t n,
                             size_t j, size_t *begin, size_t *end) {
  size_t b = ns[j], e;
  if (j + 1 == n) {
    e = v->size;
  } else {
    e = ns[j + 1] - 1;
    if (view_byte(v, e) == '\n' && e > b && view_byte(v, e - 1) == '\r')
      e--;
  }
  *begin = b;
  *end = e;
}

/* 1 when old line i and new line j have the same content. */
static int same_line(const lsp_text_t *t, size_t i, const edit_view_t *v,
                     const size_t *ns, size_t n, size_t j) {
  size_t ob, oe, nb, ne, k;
  line_bounds(t, i, &ob, &oe);
  view_line_bounds(v, ns, n, j, &nb, &ne);
  if (oe - ob != ne - nb)
    return 0;
  for (k = 0; k < oe - ob; k++)
    if (t->data[ob + k] != view_byte(v, nb + k))
      return 0;
  return 1;
}

/* Narrows *c to the lines whose content really changed: an old and a new
 * line that match at either end of the replaced block are left out of it
 * (pressing Enter at the end of line n then reports {n + 1, 0, 1}). */
static void trim_change(const lsp_text_t *t, const edit_view_t *v,
                        const size_t *ns, size_t n, lsp_line_change_t *c) {
  while (c->old_lines > 0 && c->new_lines > 0 &&
         same_line(t, c->start_line, v, ns, n, c->start_line)) {
    c->start_line++;
    c->old_lines--;
    c->new_lines--;
  }
  while (c->old_lines > 0 && c->new_lines > 0 &&
         same_line(t, c->start_line + c->old_lines - 1, v, ns, n,
                   c->start_line + c->new_lines - 1)) {
    c->old_lines--;
    c->new_lines--;
  }
}

int lsp_text_apply(lsp_text_t *text, const lsp_range_t *range,
                   lsp_encoding_t enc, const char *data, size_t len,
                   lsp_line_change_t *change, rpc_error_t *err) {
  edit_view_t v;
  size_t start, end, new_size, new_end, below, upto, after, q, i, n;
  size_t found = 0, *starts;
  lsp_line_change_t lc;
  int keep_start; /* offset `start` begins a line before and after */
  int r;

  if (!text || !range || (!data && len))
    return rpc__fail(err, RPC_EINVAL, "lsp_text_apply: NULL argument");
  start = lsp_text_offset(text, range->start, enc);
  end = lsp_text_offset(text, range->end, enc);
  if (end < start)
    return rpc__fail(
        err, RPC_ERANGE, "range end %u:%u comes before its start %u:%u",
        (unsigned)range->end.line, (unsigned)range->end.character,
        (unsigned)range->start.line, (unsigned)range->start.character);
  if (len > text->max || text->size - (end - start) > text->max - len)
    return rpc__fail(err, RPC_ETOOBIG,
                     "edit would make the document larger than %zu bytes",
                     text->max);
  new_size = text->size - (end - start) + len;
  new_end = start + len;

  v.old = text->data;
  v.start = start;
  v.end = end;
  v.size = new_size;
  v.ins = data;
  v.len = len;

  /* Old starts: [0, below) are < start, [below, upto) in [start, end],
   * [upto, line_count) after end. */
  below = count_below(text->starts, text->line_count, start);
  upto = count_below(text->starts, text->line_count, end + 1);
  after = text->line_count - upto;
  keep_start = below < upto && text->starts[below] == start &&
               view_starts_line(&v, start);
  for (q = start; q <= new_end; q++)
    if (view_starts_line(&v, q))
      found++;

  n = below + found + after;
  starts = malloc(n * sizeof *starts);
  if (!starts)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a line table");
  memcpy(starts, text->starts, below * sizeof *starts);
  i = below;
  for (q = start; q <= new_end; q++)
    if (view_starts_line(&v, q))
      starts[i++] = q;
  for (q = upto; q < text->line_count; q++)
    starts[i++] = text->starts[q] - end + new_end;

  /* The lines touched run from the one holding `start` to the one holding
   * `end` (old) or `new_end` (new); trimming then drops the lines at
   * either end whose content did not change. */
  lc.start_line = below - 1 + (size_t)keep_start;
  lc.old_lines = upto - lc.start_line;
  lc.new_lines = below + found - lc.start_line;
  trim_change(text, &v, starts, n, &lc);

  if ((r = reserve(text, new_size, err)) < 0) {
    free(starts);
    return r;
  }
  /* reserve() may have moved the bytes; data is the caller's, not ours. */
  memmove(text->data + new_end, text->data + end, text->size - end);
  if (len)
    memcpy(text->data + start, data, len);
  text->data[new_size] = '\0';
  text->size = new_size;
  free(text->starts);
  text->starts = starts;
  text->line_count = n;

  if (change)
    *change = lc;
  rpc__clear(err);
  return 0;
}

int lsp_text_apply_json(lsp_text_t *text, const json_t *change,
                        lsp_encoding_t enc, lsp_line_change_t *out,
                        rpc_error_t *err) {
  const json_t *s, *range;
  lsp_range_t r;
  int rc;
  if (!text)
    return rpc__fail(err, RPC_EINVAL, "lsp_text_apply_json: text is NULL");
  s = json_object_get(change, "text");
  if (!json_is_object(change) || !json_is_string(s))
    return rpc__fail(err, RPC_ESHAPE,
                     "a content change needs a string \"text\"");
  range = json_object_get(change, "range");
  if (!range || json_is_null(range))
    return lsp_text_replace_all(text, json_string_value(s),
                                json_string_length(s), out, err);
  if ((rc = lsp_range_from_json(range, &r, err)) < 0)
    return rc;
  return lsp_text_apply(text, &r, enc, json_string_value(s),
                        json_string_length(s), out, err);
}
