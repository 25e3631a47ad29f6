/*
 * pattern.c: a code pattern with gogrep's metavariables, compiled into a
 * pattern tree for one language.
 *
 * 1. Each metavariable ($x, $_, $*x, $*_) becomes an identifier of its own
 *    (__hsmv<N>, N numbering the occurrences), so the grammar can parse the
 *    pattern as ordinary code.
 * 2. The text is parsed in the language's contexts in turn (Go: an
 *    expression, statements, declarations, a type); the first without a
 *    syntax error wins. Its root is the largest node that spans exactly the
 *    pattern, unwrapped while it has a single child of the same span (a Go
 *    expression_statement is its expression); a span made of several
 *    statements is a sequence pattern.
 * 3. The tree below the root becomes pattern nodes: a node whose text is a
 *    placeholder is a metavariable (the largest such node: an
 *    expression_statement made of `$*_` is the sequence variable itself,
 *    and so is one of `$*_;`: a node whose only child is a placeholder);
 *    any other node keeps its kind, its children as nodes.c sees them, and
 *    its text, which a leaf must match exactly.
 */
#include "pattern.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLACEHOLDER "__hsmv"
#define MAX_DEPTH 512

/* One metavariable occurrence in the pattern text. */
typedef struct occurrence {
  uint32_t var;    /* HS_NOVAR for $_ and $*_ */
  bool seq;        /* $*x */
  size_t orig_off; /* where "$..." starts in the user's text */
  size_t orig_len;
  size_t new_off; /* where the placeholder starts in the rewritten text */
  size_t new_len;
} occurrence_t;

typedef struct builder {
  hs_code_t *code;
  const hs_lang_t *lang;
  occurrence_t *occ;
  size_t occ_count;
  size_t base; /* offset of the pattern in code->src */
  hs_nodes_t stack;
  hs_error_t *err;
} builder_t;

static bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c) {
  return ident_start(c) || (c >= '0' && c <= '9');
}

void hs__code_free(hs_code_t *c) {
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->var_count; i++)
    free(c->vars[i]);
  free(c->vars);
  free(c->nodes);
  free(c->kids);
  free(c->src);
  free(c);
}

static int var_id(hs_code_t *c, const char *name, size_t n, uint32_t *out) {
  for (size_t i = 0; i < c->var_count; i++)
    if (strlen(c->vars[i]) == n && memcmp(c->vars[i], name, n) == 0) {
      *out = (uint32_t)i;
      return 0;
    }
  char **vars = realloc(c->vars, (c->var_count + 1) * sizeof *vars);
  if (vars == NULL)
    return HS_ENOMEM;
  c->vars = vars;
  char *copy = malloc(n + 1);
  if (copy == NULL)
    return HS_ENOMEM;
  memcpy(copy, name, n);
  copy[n] = '\0';
  c->vars[c->var_count] = copy;
  *out = (uint32_t)c->var_count++;
  return 0;
}

/* Rewrites the metavariables of text into placeholders: *out is the new
 * text (malloc'd), b->occ the occurrences. */
static int rewrite(builder_t *b, const char *text, char **out) {
  /* Each metavariable takes at least 2 bytes ("$x") and becomes at most
   * 6 + 5 (the pattern's cap allows under 10^5 of them): 6 times its size
   * is enough. */
  size_t n = strlen(text);
  size_t cap = n * 6 + 64, len = 0;
  char *buf = malloc(cap);
  if (buf == NULL)
    return hs__fail(b->err, HS_ENOMEM, "out of memory");
  for (size_t i = 0; i < n;) {
    if (text[i] != '$') {
      buf[len++] = text[i++];
      continue;
    }
    size_t start = i++;
    if (start > 0 && ident_char(text[start - 1])) {
      free(buf);
      return hs__fail(b->err, HS_EPATTERN,
                      "bad metavariable at column %zu: it follows a name "
                      "without a space",
                      start + 1);
    }
    bool seq = false;
    if (i < n && text[i] == '*') {
      seq = true;
      i++;
    }
    size_t name = i;
    if (i >= n || !ident_start(text[i])) {
      free(buf);
      return hs__fail(b->err, HS_EPATTERN,
                      "bad metavariable at column %zu: '$' must be followed "
                      "by a name ($x, $_, $*x or $*_)",
                      start + 1);
    }
    while (i < n && ident_char(text[i]))
      i++;
    occurrence_t *occ = realloc(b->occ, (b->occ_count + 1) * sizeof *occ);
    if (occ == NULL) {
      free(buf);
      return hs__fail(b->err, HS_ENOMEM, "out of memory");
    }
    b->occ = occ;
    occurrence_t *o = &occ[b->occ_count];
    o->seq = seq;
    o->var = HS_NOVAR;
    if (!(i - name == 1 && text[name] == '_') &&
        var_id(b->code, text + name, i - name, &o->var) < 0) {
      free(buf);
      return hs__fail(b->err, HS_ENOMEM, "out of memory");
    }
    o->orig_off = start;
    o->orig_len = i - start;
    o->new_off = len;
    int w = snprintf(buf + len, cap - len, PLACEHOLDER "%zu", b->occ_count);
    o->new_len = (size_t)w;
    len += (size_t)w;
    b->occ_count++;
  }
  buf[len] = '\0';
  *out = buf;
  return 0;
}

/* The occurrence whose placeholder is exactly src[start, end), or -1. */
static long placeholder(const builder_t *b, uint32_t start, uint32_t end) {
  const char *src = b->code->src;
  size_t n = end - start, p = sizeof PLACEHOLDER - 1;
  if (n <= p || memcmp(src + start, PLACEHOLDER, p) != 0)
    return -1;
  size_t k = 0;
  for (size_t i = start + p; i < end; i++) {
    if (src[i] < '0' || src[i] > '9')
      return -1;
    k = k * 10 + (size_t)(src[i] - '0');
    if (k >= b->occ_count)
      return -1;
  }
  return (long)k;
}

static int add_node(hs_code_t *c, const hs_pnode_t *node, uint32_t *out) {
  if (c->node_count == c->node_cap) {
    size_t cap = c->node_cap ? c->node_cap * 2 : 64;
    hs_pnode_t *nodes = realloc(c->nodes, cap * sizeof *nodes);
    if (nodes == NULL)
      return HS_ENOMEM;
    c->nodes = nodes;
    c->node_cap = cap;
  }
  c->nodes[c->node_count] = *node;
  *out = (uint32_t)c->node_count++;
  return 0;
}

static int add_kids(hs_code_t *c, size_t n, uint32_t *first) {
  if (c->kid_count + n > c->kid_cap) {
    size_t cap = c->kid_cap ? c->kid_cap : 64;
    while (cap < c->kid_count + n)
      cap *= 2;
    uint32_t *kids = realloc(c->kids, cap * sizeof *kids);
    if (kids == NULL)
      return HS_ENOMEM;
    c->kids = kids;
    c->kid_cap = cap;
  }
  *first = (uint32_t)c->kid_count;
  c->kid_count += n;
  return 0;
}

static int build(builder_t *b, TSNode n, int depth, uint32_t *out);

/* Builds the pattern nodes of b->stack[from, from + count) into kids. */
static int build_list(builder_t *b, size_t from, size_t count, int depth,
                      uint32_t *first) {
  int rc = add_kids(b->code, count, first);
  for (size_t i = 0; rc == 0 && i < count; i++) {
    uint32_t id;
    rc = build(b, b->stack.items[from + i], depth + 1, &id);
    if (rc == 0)
      b->code->kids[*first + i] = id;
  }
  return rc;
}

static int build(builder_t *b, TSNode n, int depth, uint32_t *out) {
  if (depth > MAX_DEPTH)
    return hs__fail(b->err, HS_EPATTERN, "pattern nested too deeply");
  uint32_t start = ts_node_start_byte(n), end = ts_node_end_byte(n);
  hs_pnode_t node = {0};
  node.off = start;
  node.len = end - start;
  long occ = placeholder(b, start, end);
  if (occ >= 0) {
    TSNode parent = ts_node_parent(n);
    bool one = !ts_node_is_null(parent) && hs__single_slot(b->lang, parent);
    node.type = b->occ[occ].seq && !one ? HS_P_SEQ : HS_P_VAR;
    node.var = b->occ[occ].var;
    if (add_node(b->code, &node, out) < 0)
      return hs__fail(b->err, HS_ENOMEM, "out of memory");
    return 0;
  }
  node.type = HS_P_NODE;
  node.kind = hs__kind(b->lang, n);
  node.named = ts_node_is_named(n);
  size_t from = b->stack.count;
  long count = hs__children(b->lang, n, &b->stack);
  if (count < 0)
    return hs__fail(b->err, HS_ENOMEM, "out of memory");
  /* A statement made of a metavariable and a separator (C's `$body;`) is
   * the metavariable, as one without a separator is. */
  if (count == 1 && node.named && depth > 0) {
    TSNode only = b->stack.items[from];
    if (placeholder(b, ts_node_start_byte(only), ts_node_end_byte(only)) >=
        0) {
      b->stack.count = from;
      return build(b, only, depth, out);
    }
  }
  node.count = (uint32_t)count;
  int rc = build_list(b, from, (size_t)count, depth, &node.first);
  b->stack.count = from;
  if (rc < 0)
    return rc == HS_ENOMEM ? hs__fail(b->err, rc, "out of memory") : rc;
  if (add_node(b->code, &node, out) < 0)
    return hs__fail(b->err, HS_ENOMEM, "out of memory");
  return 0;
}

static bool covers(TSNode n, uint32_t start, uint32_t end) {
  return ts_node_start_byte(n) <= start && ts_node_end_byte(n) >= end;
}

static bool spans(TSNode n, uint32_t start, uint32_t end) {
  return ts_node_start_byte(n) == start && ts_node_end_byte(n) == end;
}

/* The first syntax error (an ERROR or MISSING node) under n, as a byte. */
static uint32_t first_error(TSNode n) {
  for (;;) {
    if (ts_node_is_missing(n) || strcmp(ts_node_type(n), "ERROR") == 0)
      return ts_node_start_byte(n);
    uint32_t count = ts_node_child_count(n);
    bool found = false;
    for (uint32_t i = 0; i < count; i++) {
      TSNode k = ts_node_child(n, i);
      if (ts_node_has_error(k)) {
        n = k;
        found = true;
        break;
      }
    }
    if (!found)
      return ts_node_start_byte(n);
  }
}

/* Chooses the root in a tree that parsed without error: 0 and the root
 * built, 1 when the pattern's span is not a node or a run of nodes. */
static int choose_root(builder_t *b, TSNode top, uint32_t start,
                       uint32_t end) {
  hs_code_t *c = b->code;
  TSNode n = top;
  bool exact = spans(n, start, end);
  while (!exact) {
    TSNode next = {{0}, NULL, NULL};
    uint32_t count = ts_node_child_count(n);
    for (uint32_t i = 0; i < count; i++) {
      TSNode k = ts_node_child(n, i);
      if (covers(k, start, end)) {
        next = k;
        break;
      }
    }
    if (ts_node_is_null(next))
      break;
    n = next;
    exact = spans(n, start, end);
  }
  /* Several statements, or a node that only holds a list. */
  if (!exact || ts_node_eq(n, top) || hs__transparent(b->lang, n)) {
    size_t from = b->stack.count;
    long count = hs__children(b->lang, n, &b->stack);
    if (count < 0)
      return hs__fail(b->err, HS_ENOMEM, "out of memory");
    size_t first = from, last = from + (size_t)count;
    while (first < last && ts_node_start_byte(b->stack.items[first]) < start)
      first++;
    while (last > first && ts_node_end_byte(b->stack.items[last - 1]) > end)
      last--;
    if (first == last || ts_node_start_byte(b->stack.items[first]) != start ||
        ts_node_end_byte(b->stack.items[last - 1]) != end) {
      b->stack.count = from;
      return 1;
    }
    if (last - first == 1) {
      n = b->stack.items[first];
      b->stack.count = from;
    } else {
      c->list = true;
      c->list_count = (uint32_t)(last - first);
      int rc = build_list(b, first, last - first, 0, &c->list_first);
      b->stack.count = from;
      return rc;
    }
  }
  /* Unwrap a node whose only child has its span. */
  for (;;) {
    size_t from = b->stack.count;
    long count = hs__children(b->lang, n, &b->stack);
    if (count < 0)
      return hs__fail(b->err, HS_ENOMEM, "out of memory");
    if (count != 1) {
      b->stack.count = from;
      break;
    }
    TSNode only = b->stack.items[from];
    b->stack.count = from;
    if (!ts_node_is_named(only) ||
        !spans(only, ts_node_start_byte(n), ts_node_end_byte(n)))
      break;
    n = only;
  }
  c->list = false;
  return build(b, n, 0, &c->root);
}

static void reset_tree(hs_code_t *c) {
  c->node_count = 0;
  c->kid_count = 0;
  c->list = false;
}

/* Maps a byte of the rewritten pattern back to a column of the user's. */
static size_t user_column(const builder_t *b, size_t off) {
  size_t shift = 0;
  for (size_t i = 0; i < b->occ_count; i++) {
    const occurrence_t *o = &b->occ[i];
    if (off < o->new_off)
      break;
    if (off < o->new_off + o->new_len)
      return o->orig_off + 1;
    shift = (o->new_off + o->new_len) - (o->orig_off + o->orig_len);
  }
  return off - shift + 1;
}

int hs__code_new(const hs_lang_t *lang, TSParser *parser, const char *text,
                 hs_code_t **out, hs_error_t *err) {
  *out = NULL;
  if (lang->ts == NULL)
    return hs__fail(err, HS_ENOGRAMMAR,
                    "no tree-sitter grammar for %s in this build", lang->name);
  if (strlen(text) > HS_MAX_PATTERN)
    return hs__fail(err, HS_EPATTERN, "pattern longer than %zu bytes",
                    HS_MAX_PATTERN);
  hs_code_t *c = calloc(1, sizeof *c);
  if (c == NULL)
    return hs__fail(err, HS_ENOMEM, "out of memory");
  builder_t b = {c, lang, NULL, 0, 0, {NULL, 0, 0}, err};
  char *rewritten = NULL;
  int rc = rewrite(&b, text, &rewritten);
  size_t lead = 0, plen = rewritten ? strlen(rewritten) : 0;
  if (rc == 0) {
    while (lead < plen && strchr(" \t\r\n", rewritten[lead]))
      lead++;
    while (plen > lead && strchr(" \t\r\n", rewritten[plen - 1]))
      plen--;
    if (plen == lead)
      rc = hs__fail(err, HS_EPATTERN, "empty pattern");
  }
  if (rc == 0 && !ts_parser_set_language(parser, lang->ts))
    rc = hs__fail(err, HS_EGRAMMAR, "grammar of %s: ABI %u not supported",
                  lang->name, ts_language_version(lang->ts));
  size_t best_error = 0;
  bool parsed = false;
  for (size_t i = 0;
       rc == 0 && !parsed && i < 4 && lang->info->contexts[i].what; i++) {
    const hs_context_t *ctx = &lang->info->contexts[i];
    size_t pre = strlen(ctx->prefix), post = strlen(ctx->suffix);
    size_t total = pre + strlen(rewritten) + post;
    free(c->src);
    c->src = malloc(total + 1);
    if (c->src == NULL) {
      rc = hs__fail(err, HS_ENOMEM, "out of memory");
      break;
    }
    snprintf(c->src, total + 1, "%s%s%s", ctx->prefix, rewritten, ctx->suffix);
    TSTree *tree =
        ts_parser_parse_string(parser, NULL, c->src, (uint32_t)total);
    if (tree == NULL) {
      rc = hs__fail(err, HS_ENOMEM, "out of memory");
      break;
    }
    TSNode top = ts_tree_root_node(tree);
    b.base = pre;
    if (ts_node_has_error(top)) {
      uint32_t at = first_error(top);
      size_t rel = at > pre ? at - pre : 0;
      if (rel > best_error)
        best_error = rel;
    } else {
      int r =
          choose_root(&b, top, (uint32_t)(pre + lead), (uint32_t)(pre + plen));
      if (r < 0)
        rc = r;
      else if (r == 0) {
        parsed = true;
        c->context = ctx->what;
      } else
        reset_tree(c);
    }
    ts_tree_delete(tree);
  }
  if (rc == 0 && !parsed) {
    size_t col = user_column(
        &b, best_error < strlen(rewritten) ? best_error : strlen(rewritten));
    rc = hs__fail(err, HS_EPATTERN,
                  "pattern does not parse as %s code: syntax error at column "
                  "%zu",
                  lang->name, col);
  }
  free(rewritten);
  free(b.occ);
  hs__nodes_close(&b.stack);
  if (rc < 0) {
    hs__code_free(c);
    return rc;
  }
  *out = c;
  return 0;
}

bool hs__code_has_var(const hs_code_t *c, const char *name) {
  for (size_t i = 0; i < c->var_count; i++)
    if (strcmp(c->vars[i], name) == 0)
      return true;
  return false;
}

/* Whether needle[0, n) occurs in text[0, len). */
static bool contains(const char *text, size_t len, const char *needle,
                     size_t n) {
  if (n == 0)
    return true;
  for (const char *p = text, *end = text + len; (size_t)(end - p) >= n; p++) {
    p = memchr(p, needle[0], (size_t)(end - p) - n + 1);
    if (p == NULL)
      return false;
    if (memcmp(p, needle, n) == 0)
      return true;
  }
  return false;
}

bool hs__code_may_match(const hs_code_t *c, const char *text, size_t len) {
  /* Named leaves are matched by their text (match.c), so each must be in
   * the file. Keywords and operators are matched by kind: not used. */
  for (size_t i = 0; i < c->node_count; i++) {
    const hs_pnode_t *p = &c->nodes[i];
    if (p->type == HS_P_NODE && p->named && p->count == 0 && p->len > 0 &&
        !contains(text, len, c->src + p->off, p->len))
      return false;
  }
  return true;
}
