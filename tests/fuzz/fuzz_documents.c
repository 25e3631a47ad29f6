/*
 * fuzz_documents.c: the open-document store and its line annotations
 * (server/documents.c, compiled into this target from its source) over the
 * document text and its edits (protocol/text.c).
 *
 * Input: a sequence of operations, each one byte (low 3 bits: the
 * operation, the high 4 bits modulo 6: the slot) and its arguments. Slots 0-3
 * are documents of the store with fixed URIs (two plain file URIs, an
 * "untitled:" one, one with a host and escapes); slot 4 is a malformed
 * file URI that srv_doc_new must refuse; slot 5 is a bare lsp_text_t with
 * a cap of 96 bytes, where edits can fail with RPC_ETOOBIG.
 *   0 open     version, length, bytes: srv_doc_new + srv_docs_put (an open
 *              slot is re-opened: put replaces and frees the old document),
 *              then a synthetic annotation array
 *   1 change   encoding, 4 coordinates, length, bytes: lsp_text_apply
 *   2 replace  length, bytes: lsp_text_replace_all
 *   3 json     like change, through lsp_text_apply_json (a coordinate 0xFE
 *              is -1 there, a shape error; with the low bit of the
 *              encoding byte set the change has no range: replace all)
 *   4 close    srv_docs_remove
 *   5 unlink   srv_doc_unlink
 *   6 annotate a new synthetic annotation array: count, then line steps
 *   7 (spare)  the same as 6
 * A coordinate byte 0xFF is UINT32_MAX (past any end).
 *
 * A model kept here follows every operation: which slots are open, each
 * text's bytes, version and annotations. After every operation:
 *   - the store holds exactly the open slots, sorted by URI, each found by
 *     srv_docs_find; a document's URI, decoded path and base name, version
 *     and text are what was opened and edited;
 *   - the text's bytes are the model's (an edit replaces the bytes from
 *     the clamped start to the clamped end: lsp_text.h; ranges ending
 *     before they start fail with RPC_ERANGE, texts over the cap with
 *     RPC_ETOOBIG, JSON of the wrong shape with RPC_ESHAPE, and a failed
 *     edit changes nothing), NUL-terminated, and its line count is one
 *     more than its line ends ("\n", "\r\n", "\r") counted here;
 *   - the line change an edit reports is what lsp_text.h promises: old
 *     lines [start, start + old) became new lines [start, start + new),
 *     lines before start have the same content, old line start + old + k
 *     has the content of new line start + new + k, the block is narrowed
 *     (when old and new are both non-zero its first lines differ, and so
 *     do its last lines), an edit that changes no byte reports 0 and 0,
 *     and replace-all reports {0, old line count, new line count};
 *   - srv_annos_move with that change does what documents.h says (lines
 *     before the block stay, the first min(old, new) lines of the block
 *     keep theirs, the rest of the old block is dropped, later lines shift
 *     by new - old; it returns 1 exactly when one moved or was dropped),
 *     so the array stays sorted by line, in the same relative order. What
 *     holds about lines: every annotation starts on a line of the text
 *     (line < line count) and, moved with each edit's change, stays on one:
 *     line < line count after every edit;
 *   - srv_annos_lower_bound and srv_annos_on_line agree with a scan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "documents.h"
#include "fuzz.h"

#define STORE_SLOTS 4
#define BAD_SLOT 4
#define CAPPED_SLOT 5
#define SLOTS 6
#define CAPPED_MAX 96

static const char *const uris[5] = {
    "file:///src/a.go", "file:///src/dir/b%20c.go", "untitled:Untitled-1",
    "file://localhost/src/%C3%A9t%C3%A9.c", "file:///src/bad%zz.go"};
static const char *const paths[4] = {"/src/a.go", "/src/dir/b c.go", NULL,
                                     "/src/\xC3\xA9t\xC3\xA9.c"};
static const char *const bases[4] = {"a.go", "b c.go", "",
                                     "\xC3\xA9t\xC3\xA9.c"};

typedef struct slot {
  int open;
  srv_doc_t *doc;   /* store slots: borrowed from the store */
  lsp_text_t *bare; /* the capped slot */
  char *bytes;      /* the model's text */
  size_t len;
  int64_t version;
  srv_anno_t *annos; /* the model's annotations */
  size_t nannos;
  srv_anno_t *bare_annos; /* the capped slot's real array */
  size_t bare_count;
} slot_t;

typedef struct world {
  srv_docs_t docs;
  slot_t slot[SLOTS];
  uint32_t next_point;
} world_t;

static lsp_text_t *text_of(slot_t *s) {
  return s->doc ? s->doc->text : s->bare;
}

static srv_anno_t **annos_of(slot_t *s, size_t **count) {
  if (s->doc) {
    *count = &s->doc->anno_count;
    return &s->doc->annos;
  }
  *count = &s->bare_count;
  return &s->bare_annos;
}

/* ---- a line table of the model's bytes ---- */

typedef struct lines {
  size_t *start, count;
} lines_t;

static lines_t split(const char *s, size_t len) {
  lines_t l;
  l.start = malloc((len + 2) * sizeof *l.start);
  FUZZ_CHECK(l.start != NULL, "out of memory");
  l.count = 1;
  l.start[0] = 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
      l.start[l.count++] = i + 1;
  return l;
}

/* Line i's content [*b, *e) without its terminator. */
static void bounds(const char *s, size_t len, const lines_t *l, size_t i,
                   size_t *b, size_t *e) {
  *b = l->start[i];
  if (i + 1 == l->count) {
    *e = len;
    return;
  }
  *e = l->start[i + 1] - 1;
  if (s[*e] == '\n' && *e > *b && s[*e - 1] == '\r')
    (*e)--;
}

static int same_content(const char *a, size_t alen, const lines_t *la,
                        size_t i, const char *b, size_t blen,
                        const lines_t *lb, size_t j) {
  size_t ab, ae, bb, be;
  bounds(a, alen, la, i, &ab, &ae);
  bounds(b, blen, lb, j, &bb, &be);
  return ae - ab == be - bb && memcmp(a + ab, b + bb, ae - ab) == 0;
}

/* The byte offset of a position in the model's text, clamped as
 * lsp_text.h says. */
static size_t offset_of(const char *s, size_t len, const lines_t *l,
                        lsp_position_t pos, lsp_encoding_t enc) {
  if (pos.line >= l->count)
    return len;
  size_t b, e;
  bounds(s, len, l, pos.line, &b, &e);
  return b + lsp_column_to_byte(s + b, e - b, pos.character, enc);
}

/* ---- checks ---- */

static void check_text(slot_t *s, int idx) {
  const lsp_text_t *t = text_of(s);
  const char *d = lsp_text_data(t);
  size_t n = lsp_text_size(t);
  FUZZ_CHECK(n == s->len && memcmp(d, s->bytes, n) == 0,
             "slot %d: text of %zu bytes differs from the model's %zu", idx, n,
             s->len);
  FUZZ_CHECK(d[n] == '\0', "slot %d: text not NUL-terminated", idx);
  size_t ends = 0;
  for (size_t i = 0; i < n; i++)
    if (d[i] == '\n' || (d[i] == '\r' && (i + 1 == n || d[i + 1] != '\n')))
      ends++;
  FUZZ_CHECK(lsp_text_line_count(t) == ends + 1,
             "slot %d: %zu lines, %zu line ends", idx, lsp_text_line_count(t),
             ends);
}

static void check_annos(slot_t *s, int idx) {
  size_t *count;
  srv_anno_t *a = *annos_of(s, &count);
  size_t lines = lsp_text_line_count(text_of(s));
  FUZZ_CHECK(*count == s->nannos, "slot %d: %zu annotations, model %zu", idx,
             *count, s->nannos);
  for (size_t i = 0; i < *count; i++) {
    FUZZ_CHECK(a[i].line == s->annos[i].line &&
                   a[i].point == s->annos[i].point,
               "slot %d: annotation %zu is (%u, %u), model (%u, %u)", idx, i,
               a[i].line, a[i].point, s->annos[i].line, s->annos[i].point);
    FUZZ_CHECK(a[i].line < lines, "slot %d: annotation %zu on line %u of %zu",
               idx, i, a[i].line, lines);
    if (i > 0)
      FUZZ_CHECK(a[i - 1].line < a[i].line || (a[i - 1].line == a[i].line &&
                                               a[i - 1].point < a[i].point),
                 "slot %d: annotations %zu, %zu out of order", idx, i - 1, i);
  }
  /* Lookups against a scan, on a few lines. */
  for (uint32_t line = 0; line < 3 + (uint32_t)lines && line < 40; line++) {
    size_t lb = 0, on = 0, first;
    while (lb < *count && a[lb].line < line)
      lb++;
    while (lb + on < *count && a[lb + on].line == line)
      on++;
    FUZZ_CHECK(srv_annos_lower_bound(a, *count, line) == lb, "lower_bound(%u)",
               line);
    FUZZ_CHECK(srv_annos_on_line(a, *count, line, &first) == on && first == lb,
               "on_line(%u)", line);
  }
}

static void check_store(world_t *w) {
  size_t open = 0;
  for (int i = 0; i < STORE_SLOTS; i++) {
    slot_t *s = &w->slot[i];
    srv_doc_t *d = srv_docs_find(&w->docs, uris[i]);
    FUZZ_CHECK(d == (s->open ? s->doc : NULL),
               "slot %d: find gave %p, "
               "model %p",
               i, (void *)d, (void *)(s->open ? s->doc : NULL));
    if (!s->open)
      continue;
    open++;
    FUZZ_CHECK(strcmp(d->uri, uris[i]) == 0, "slot %d: uri %s", i, d->uri);
    FUZZ_CHECK(paths[i] ? d->path && strcmp(d->path, paths[i]) == 0
                        : d->path == NULL,
               "slot %d: path %s", i, d->path ? d->path : "(null)");
    FUZZ_CHECK(d->base && strcmp(d->base, bases[i]) == 0, "slot %d: base %s",
               i, d->base ? d->base : "(null)");
    FUZZ_CHECK(d->version == s->version, "slot %d: version %lld", i,
               (long long)d->version);
    check_text(s, i);
    check_annos(s, i);
  }
  FUZZ_CHECK(srv_docs_find(&w->docs, uris[BAD_SLOT]) == NULL,
             "the malformed URI is in the store");
  FUZZ_CHECK(w->docs.count == open, "store holds %zu, model %zu",
             w->docs.count, open);
  for (size_t i = 1; i < w->docs.count; i++)
    FUZZ_CHECK(strcmp(w->docs.items[i - 1]->uri, w->docs.items[i]->uri) < 0,
               "store out of order at %zu", i);
  slot_t *c = &w->slot[CAPPED_SLOT];
  if (c->open) {
    check_text(c, CAPPED_SLOT);
    check_annos(c, CAPPED_SLOT);
  }
}

/* ---- annotations ---- */

/* A synthetic sorted annotation array on lines of the text. */
static void annotate(world_t *w, slot_t *s, fuzz_in_t *in) {
  size_t lines = lsp_text_line_count(text_of(s));
  size_t want = fuzz_u8(in) % 48, n = 0;
  srv_anno_t *a = malloc((want ? want : 1) * sizeof *a);
  FUZZ_CHECK(a != NULL, "out of memory");
  uint32_t line = 0;
  while (n < want) {
    line += fuzz_u8(in) % 3; /* several on one line, or gaps */
    if (line >= lines)
      break;
    a[n].line = line;
    a[n].point = w->next_point++;
    n++;
  }
  size_t *count;
  srv_anno_t **real = annos_of(s, &count);
  free(*real);
  free(s->annos);
  *real = n ? malloc(n * sizeof **real) : NULL;
  FUZZ_CHECK(n == 0 || *real, "out of memory");
  if (n)
    memcpy(*real, a, n * sizeof *a);
  *count = n;
  s->annos = a;
  s->nannos = n;
}

/* srv_annos_move on the real array, and documents.h's rule on the
 * model's. */
static void move_annos(slot_t *s, const lsp_line_change_t *c, int idx) {
  size_t keep = c->old_lines < c->new_lines ? c->old_lines : c->new_lines;
  size_t out = 0;
  int moved = 0;
  for (size_t i = 0; i < s->nannos; i++) {
    srv_anno_t a = s->annos[i];
    if (a.line < c->start_line + keep) {
      s->annos[out++] = a;
    } else if (a.line < c->start_line + c->old_lines) {
      moved = 1;
    } else {
      uint32_t line = (uint32_t)(a.line - c->old_lines + c->new_lines);
      moved |= line != a.line;
      a.line = line;
      s->annos[out++] = a;
    }
  }
  s->nannos = out;
  size_t *count;
  srv_anno_t **real = annos_of(s, &count);
  int r = srv_annos_move(*real, count, c);
  FUZZ_CHECK(r == moved,
             "slot %d: srv_annos_move returned %d for change "
             "{%zu, %zu, %zu}, model %d",
             idx, r, c->start_line, c->old_lines, c->new_lines, moved);
}

/* ---- edits ---- */

/* Checks the change an edit reported against the model's old and new
 * bytes. */
static void check_change(const char *old, size_t old_len, const char *now,
                         size_t now_len, const lsp_line_change_t *c,
                         int replace_all, int idx) {
  lines_t lo = split(old, old_len), ln = split(now, now_len);
  FUZZ_CHECK(c->start_line + c->old_lines <= lo.count &&
                 c->start_line + c->new_lines <= ln.count &&
                 lo.count - c->old_lines == ln.count - c->new_lines,
             "slot %d: change {%zu, %zu, %zu} with %zu lines before, %zu "
             "after",
             idx, c->start_line, c->old_lines, c->new_lines, lo.count,
             ln.count);
  if (replace_all) {
    FUZZ_CHECK(c->start_line == 0 && c->old_lines == lo.count &&
                   c->new_lines == ln.count,
               "slot %d: replace-all change {%zu, %zu, %zu}, lines %zu -> "
               "%zu",
               idx, c->start_line, c->old_lines, c->new_lines, lo.count,
               ln.count);
  } else {
    for (size_t i = 0; i < c->start_line; i++)
      FUZZ_CHECK(same_content(old, old_len, &lo, i, now, now_len, &ln, i),
                 "slot %d: line %zu before the change {%zu, %zu, %zu} "
                 "changed",
                 idx, i, c->start_line, c->old_lines, c->new_lines);
    for (size_t k = 0; c->start_line + c->old_lines + k < lo.count; k++)
      FUZZ_CHECK(same_content(old, old_len, &lo,
                              c->start_line + c->old_lines + k, now, now_len,
                              &ln, c->start_line + c->new_lines + k),
                 "slot %d: line %zu after the change {%zu, %zu, %zu} is not "
                 "new line %zu",
                 idx, c->start_line + c->old_lines + k, c->start_line,
                 c->old_lines, c->new_lines, c->start_line + c->new_lines + k);
    if (c->old_lines > 0 && c->new_lines > 0) {
      FUZZ_CHECK(!same_content(old, old_len, &lo, c->start_line, now, now_len,
                               &ln, c->start_line),
                 "slot %d: change {%zu, %zu, %zu} not narrowed at its start",
                 idx, c->start_line, c->old_lines, c->new_lines);
      FUZZ_CHECK(!same_content(old, old_len, &lo,
                               c->start_line + c->old_lines - 1, now, now_len,
                               &ln, c->start_line + c->new_lines - 1),
                 "slot %d: change {%zu, %zu, %zu} not narrowed at its end",
                 idx, c->start_line, c->old_lines, c->new_lines);
    }
    if (old_len == now_len && memcmp(old, now, old_len) == 0)
      FUZZ_CHECK(c->old_lines == 0 && c->new_lines == 0,
                 "slot %d: no byte changed, but change {%zu, %zu, %zu}", idx,
                 c->start_line, c->old_lines, c->new_lines);
  }
  free(lo.start);
  free(ln.start);
}

static size_t cap_of(const slot_t *s) {
  return s->doc ? LSP_TEXT_DEFAULT_MAX : CAPPED_MAX;
}

/* What an edit must do: the expected return code and, when 0, the new
 * bytes (*now, malloc'd). range NULL: replace all. */
static int expect_edit(const slot_t *s, const lsp_range_t *range,
                       lsp_encoding_t enc, const char *ins, size_t len,
                       char **now, size_t *now_len) {
  size_t start = 0, end = s->len;
  if (range) {
    lines_t l = split(s->bytes, s->len);
    start = offset_of(s->bytes, s->len, &l, range->start, enc);
    end = offset_of(s->bytes, s->len, &l, range->end, enc);
    free(l.start);
    if (end < start)
      return RPC_ERANGE;
  }
  size_t size = s->len - (end - start) + len;
  if (size > cap_of(s))
    return RPC_ETOOBIG;
  char *b = malloc(size + 1);
  FUZZ_CHECK(b != NULL, "out of memory");
  memcpy(b, s->bytes, start);
  if (len)
    memcpy(b + start, ins, len);
  memcpy(b + start + len, s->bytes + end, s->len - end);
  *now = b;
  *now_len = size;
  return 0;
}

/* Runs one edit (0 change, 1 replace all, 2 JSON) and checks it. */
static void edit(world_t *w, int idx, int kind, fuzz_in_t *in) {
  slot_t *s = &w->slot[idx];
  uint8_t e = 0, coord[4] = {0, 0, 0, 0};
  if (kind != 1) {
    e = fuzz_u8(in);
    for (int i = 0; i < 4; i++)
      coord[i] = fuzz_u8(in);
  }
  size_t len;
  const char *ins = fuzz_bytes(in, fuzz_u8(in), &len);
  if (!s->open)
    return;
  lsp_encoding_t enc = (lsp_encoding_t)(e % 3);
  uint32_t v[4];
  for (int i = 0; i < 4; i++)
    v[i] = coord[i] == 0xFF ? UINT32_MAX : coord[i];
  lsp_range_t range = {{v[0], v[1]}, {v[2], v[3]}};
  int whole = kind == 1 || (kind == 2 && (e & 0x80));
  int shape = kind == 2 && !whole && memchr(coord, 0xFE, 4) != NULL;

  char *now = NULL;
  size_t now_len = 0;
  int want = shape ? RPC_ESHAPE
                   : expect_edit(s, whole ? NULL : &range, enc, ins, len, &now,
                                 &now_len);
  lsp_line_change_t c = {99, 99, 99};
  rpc_error_t err;
  int rc;
  lsp_text_t *t = text_of(s);
  if (kind == 0) {
    rc = lsp_text_apply(t, &range, enc, ins, len, &c, &err);
  } else if (kind == 1) {
    rc = lsp_text_replace_all(t, ins, len, &c, &err);
  } else {
    json_t *change = json_object();
    FUZZ_CHECK(change != NULL, "out of memory");
    json_object_set_new(change, "text",
                        json_stringn_nocheck(ins ? ins : "", len));
    if (!whole) {
      json_t *r = json_object(), *a = json_object(), *b = json_object();
      json_int_t j[4];
      for (int i = 0; i < 4; i++)
        j[i] = coord[i] == 0xFE ? -1 : (json_int_t)v[i];
      json_object_set_new(a, "line", json_integer(j[0]));
      json_object_set_new(a, "character", json_integer(j[1]));
      json_object_set_new(b, "line", json_integer(j[2]));
      json_object_set_new(b, "character", json_integer(j[3]));
      json_object_set_new(r, "start", a);
      json_object_set_new(r, "end", b);
      json_object_set_new(change, "range", r);
    } else if (e & 0x40) {
      json_object_set_new(change, "range", json_null());
    }
    rc = lsp_text_apply_json(t, change, enc, &c, &err);
    json_decref(change);
  }
  FUZZ_CHECK(rc == want, "slot %d: edit kind %d returned %d, want %d (%s)",
             idx, kind, rc, want, rc < 0 ? err.message : "");
  if (rc < 0) {
    FUZZ_CHECK(err.code == rc, "error code %d", err.code);
    check_text(s, idx); /* unchanged */
    return;
  }
  check_change(s->bytes, s->len, now, now_len, &c, whole, idx);
  free(s->bytes);
  s->bytes = now;
  s->len = now_len;
  check_text(s, idx);
  move_annos(s, &c, idx);
}

/* ---- open and close ---- */

static void close_slot(world_t *w, int idx) {
  slot_t *s = &w->slot[idx];
  if (idx == CAPPED_SLOT) {
    lsp_text_free(s->bare);
    free(s->bare_annos);
    s->bare = NULL;
    s->bare_annos = NULL;
    s->bare_count = 0;
  } else if (idx < STORE_SLOTS) {
    int rc = srv_docs_remove(&w->docs, uris[idx]);
    FUZZ_CHECK(rc == (s->open ? 1 : 0),
               "slot %d: remove returned %d, "
               "open %d",
               idx, rc, s->open);
  }
  free(s->bytes);
  free(s->annos);
  s->bytes = NULL;
  s->annos = NULL;
  s->len = s->nannos = 0;
  s->doc = NULL;
  s->open = 0;
}

static void open_slot(world_t *w, int idx, fuzz_in_t *in) {
  slot_t *s = &w->slot[idx];
  int64_t version = (int64_t)fuzz_u8(in) - 1;
  size_t len;
  const char *text = fuzz_bytes(in, fuzz_u8(in), &len);
  rpc_error_t err;
  if (idx == CAPPED_SLOT) {
    lsp_text_t *t;
    int rc = lsp_text_new(text, len, CAPPED_MAX, &t, &err);
    FUZZ_CHECK(rc == (len > CAPPED_MAX ? RPC_ETOOBIG : 0),
               "capped lsp_text_new(%zu bytes) = %d", len, rc);
    if (rc < 0)
      return;
    close_slot(w, idx);
    s->bare = t;
  } else {
    srv_doc_t *doc = (srv_doc_t *)&err;
    int rc = srv_doc_new(uris[idx], version, text, len, &doc, &err);
    if (idx == BAD_SLOT) {
      FUZZ_CHECK(rc == RPC_EURI && doc == NULL && err.code == rc,
                 "srv_doc_new(%s) = %d", uris[idx], rc);
      return;
    }
    FUZZ_CHECK(rc == 0 && doc, "srv_doc_new(%s) = %d", uris[idx], rc);
    FUZZ_CHECK(doc->file == -1 && doc->annos == NULL && doc->anno_count == 0,
               "new document with a file or annotations");
    FUZZ_CHECK(srv_docs_put(&w->docs, doc) == 0, "srv_docs_put failed");
    /* put freed the document this one replaced: forget the model's. */
    free(s->bytes);
    free(s->annos);
    s->annos = NULL;
    s->nannos = 0;
    s->doc = doc;
  }
  s->open = 1;
  s->version = version;
  s->bytes = malloc(len + 1);
  FUZZ_CHECK(s->bytes != NULL, "out of memory");
  if (len)
    memcpy(s->bytes, text, len);
  s->len = len;
  annotate(w, s, in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  world_t w;
  memset(&w, 0, sizeof w);
  fuzz_in_t in = {data, size};
  while (in.left > 0) {
    uint8_t op = fuzz_u8(&in);
    int idx = (op >> 4) % SLOTS;
    slot_t *s = &w.slot[idx];
    switch (op & 7) {
    case 0: open_slot(&w, idx, &in); break;
    case 1: edit(&w, idx, 0, &in); break;
    case 2: edit(&w, idx, 1, &in); break;
    case 3: edit(&w, idx, 2, &in); break;
    case 4:
      if (idx != BAD_SLOT)
        close_slot(&w, idx);
      break;
    case 5:
      if (s->open && s->doc) {
        srv_doc_unlink(s->doc);
        FUZZ_CHECK(s->doc->annos == NULL && s->doc->anno_count == 0 &&
                       s->doc->file == -1,
                   "unlink left annotations or a file");
        s->nannos = 0;
      }
      break;
    default:
      if (s->open)
        annotate(&w, s, &in);
      break;
    }
    check_store(&w);
  }
  for (int i = 0; i < SLOTS; i++)
    if (i != BAD_SLOT)
      close_slot(&w, i);
  srv_docs_close(&w.docs);
  return 0;
}
