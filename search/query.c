/*
 * query.c: raw tree-sitter queries. The C library finds the matches and
 * leaves predicates to its caller: #eq? and #not-eq? (a capture against a
 * string or another capture's text), #match? and #not-match? (a capture's
 * text against a POSIX extended regular expression, unanchored) are
 * evaluated here; any other predicate is refused when the query compiles.
 * A match spans its captures; a query without a capture is refused.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

enum { OP_EQ, OP_NOT_EQ, OP_MATCH, OP_NOT_MATCH };

typedef struct predicate {
  uint32_t pattern;
  int op;
  uint32_t capture;      /* the first argument */
  bool other_is_capture; /* #eq? @a @b */
  uint32_t other_capture;
  const char *string; /* borrowed from the query */
  uint32_t string_len;
  regex_t re; /* OP_MATCH, OP_NOT_MATCH */
  bool has_re;
} predicate_t;

struct hs_query {
  TSQuery *ts;
  TSQueryCursor *cursor;
  predicate_t *preds;
  size_t pred_count;
};

void hs__query_free(hs_query_t *q) {
  if (q == NULL)
    return;
  for (size_t i = 0; i < q->pred_count; i++)
    if (q->preds[i].has_re)
      regfree(&q->preds[i].re);
  free(q->preds);
  if (q->cursor)
    ts_query_cursor_delete(q->cursor);
  if (q->ts)
    ts_query_delete(q->ts);
  free(q);
}

static const char *error_name(TSQueryError e) {
  switch (e) {
  case TSQueryErrorSyntax: return "syntax error";
  case TSQueryErrorNodeType: return "unknown node type";
  case TSQueryErrorField: return "unknown field";
  case TSQueryErrorCapture: return "unknown capture";
  case TSQueryErrorStructure: return "impossible pattern";
  case TSQueryErrorLanguage: return "grammar ABI not supported";
  default: return "error";
  }
}

/* Line and column (1-based) of byte off in text. */
static void position(const char *text, uint32_t off, size_t *line,
                     size_t *col) {
  *line = 1;
  *col = 1;
  for (uint32_t i = 0; i < off && text[i]; i++) {
    if (text[i] == '\n') {
      ++*line;
      *col = 1;
    } else {
      ++*col;
    }
  }
}

static int parse_predicates(hs_query_t *q, uint32_t pattern, hs_error_t *err) {
  uint32_t steps = 0;
  const TSQueryPredicateStep *s =
      ts_query_predicates_for_pattern(q->ts, pattern, &steps);
  for (uint32_t i = 0; i < steps;) {
    /* One predicate: a string (its name), arguments, then Done. */
    uint32_t end = i;
    while (end < steps && s[end].type != TSQueryPredicateStepTypeDone)
      end++;
    if (s[i].type != TSQueryPredicateStepTypeString)
      return hs__fail(err, HS_EQUERY,
                      "query pattern %u: a predicate must "
                      "start with its name",
                      pattern + 1);
    uint32_t len;
    const char *name =
        ts_query_string_value_for_id(q->ts, s[i].value_id, &len);
    predicate_t p = {0};
    p.pattern = pattern;
    if (strcmp(name, "eq?") == 0)
      p.op = OP_EQ;
    else if (strcmp(name, "not-eq?") == 0)
      p.op = OP_NOT_EQ;
    else if (strcmp(name, "match?") == 0)
      p.op = OP_MATCH;
    else if (strcmp(name, "not-match?") == 0)
      p.op = OP_NOT_MATCH;
    else
      return hs__fail(err, HS_EQUERY,
                      "unsupported predicate #%s (heatls evaluates #eq?, "
                      "#not-eq?, #match? and #not-match?)",
                      name);
    if (end - i != 3 || s[i + 1].type != TSQueryPredicateStepTypeCapture)
      return hs__fail(err, HS_EQUERY, "#%s takes a capture and a %s", name,
                      p.op <= OP_NOT_EQ ? "string or a capture"
                                        : "regex string");
    p.capture = s[i + 1].value_id;
    if (s[i + 2].type == TSQueryPredicateStepTypeCapture) {
      if (p.op >= OP_MATCH)
        return hs__fail(err, HS_EQUERY,
                        "#%s takes a regex string, not a "
                        "capture",
                        name);
      p.other_is_capture = true;
      p.other_capture = s[i + 2].value_id;
    } else {
      p.string = ts_query_string_value_for_id(q->ts, s[i + 2].value_id,
                                              &p.string_len);
    }
    if (p.op >= OP_MATCH) {
      int rc = regcomp(&p.re, p.string, REG_EXTENDED | REG_NOSUB);
      if (rc != 0) {
        char why[160];
        regerror(rc, &p.re, why, sizeof why);
        return hs__fail(err, HS_EQUERY, "#%s \"%s\": %s", name, p.string, why);
      }
      p.has_re = true;
    }
    predicate_t *preds =
        realloc(q->preds, (q->pred_count + 1) * sizeof *preds);
    if (preds == NULL) {
      if (p.has_re)
        regfree(&p.re);
      return hs__fail(err, HS_ENOMEM, "out of memory");
    }
    q->preds = preds;
    q->preds[q->pred_count++] = p;
    i = end + 1;
  }
  return 0;
}

int hs__query_new(const hs_lang_t *lang, const char *text, hs_query_t **out,
                  hs_error_t *err) {
  *out = NULL;
  if (lang->ts == NULL)
    return hs__fail(err, HS_ENOGRAMMAR,
                    "no tree-sitter grammar for %s in this build", lang->name);
  hs_query_t *q = calloc(1, sizeof *q);
  if (q == NULL)
    return hs__fail(err, HS_ENOMEM, "out of memory");
  uint32_t off = 0;
  TSQueryError e = TSQueryErrorNone;
  size_t n = strlen(text);
  if (n > HS_MAX_PATTERN) {
    hs__query_free(q);
    return hs__fail(err, HS_EQUERY, "query longer than %zu bytes",
                    HS_MAX_PATTERN);
  }
  q->ts = ts_query_new(lang->ts, text, (uint32_t)n, &off, &e);
  if (q->ts == NULL) {
    size_t line, col;
    position(text, off, &line, &col);
    hs__query_free(q);
    return hs__fail(err, HS_EQUERY, "query for %s: %s at line %zu, column %zu",
                    lang->name, error_name(e), line, col);
  }
  if (ts_query_capture_count(q->ts) == 0) {
    hs__query_free(q);
    return hs__fail(err, HS_EQUERY,
                    "the query captures nothing: name what it matches "
                    "(e.g. (call_expression) @call)");
  }
  int rc = 0;
  for (uint32_t p = 0; rc == 0 && p < ts_query_pattern_count(q->ts); p++)
    rc = parse_predicates(q, p, err);
  if (rc == 0 && (q->cursor = ts_query_cursor_new()) == NULL)
    rc = hs__fail(err, HS_ENOMEM, "out of memory");
  if (rc < 0) {
    hs__query_free(q);
    return rc;
  }
  *out = q;
  return 0;
}

bool hs__query_has_capture(const hs_query_t *q, const char *name) {
  uint32_t count = ts_query_capture_count(q->ts);
  for (uint32_t i = 0; i < count; i++) {
    uint32_t len;
    const char *c = ts_query_capture_name_for_id(q->ts, i, &len);
    if (strlen(name) == len && memcmp(c, name, len) == 0)
      return true;
  }
  return false;
}

/* The index in m->captures of the k-th node of capture id (0-based), or
 * m->capture_count when it has fewer. A capture holds several nodes when
 * the pattern names it twice or quantifies it. */
static uint16_t nth_node(const TSQueryMatch *m, uint32_t id, uint16_t k) {
  for (uint16_t i = 0; i < m->capture_count; i++)
    if (m->captures[i].index == id && k-- == 0)
      return i;
  return m->capture_count;
}

static bool same_text(const char *text, TSNode a, TSNode b) {
  uint32_t as = ts_node_start_byte(a), alen = ts_node_end_byte(a) - as;
  uint32_t bs = ts_node_start_byte(b), blen = ts_node_end_byte(b) - bs;
  return alen == blen && memcmp(text + as, text + bs, alen) == 0;
}

/* Whether node's text matches p's regex; false with *oom set when the
 * scratch buffer cannot grow. */
static bool regex_finds(const predicate_t *p, TSNode node, const char *text,
                        char **scratch, size_t *scratch_cap, bool *oom) {
  uint32_t start = ts_node_start_byte(node);
  uint32_t len = ts_node_end_byte(node) - start;
  if ((size_t)len + 1 > *scratch_cap) {
    char *buf = realloc(*scratch, (size_t)len + 1);
    if (buf == NULL) {
      *oom = true;
      return false;
    }
    *scratch = buf;
    *scratch_cap = (size_t)len + 1;
  }
  memcpy(*scratch, text + start, len);
  (*scratch)[len] = '\0';
  return regexec(&p->re, *scratch, 0, NULL, 0) == 0;
}

/*
 * Whether predicate p holds for match m, as tree-sitter's own bindings
 * evaluate it: a predicate on a capture of several nodes must hold for each
 * of them (#eq? @x "a" needs every @x to be "a", #not-eq? none), and #eq?
 * @a @b pairs the nodes of a and b in order (the same count, each pair
 * equal; #not-eq?: each pair different). A capture with no node (an
 * optional one that is absent) satisfies any predicate.
 */
static bool holds(const predicate_t *p, const TSQueryMatch *m,
                  const char *text, char **scratch, size_t *scratch_cap,
                  bool *oom) {
  bool positive = p->op == OP_EQ || p->op == OP_MATCH;
  if (p->other_is_capture) {
    uint16_t first_a = nth_node(m, p->capture, 0);
    uint16_t first_b = nth_node(m, p->other_capture, 0);
    if (first_a == m->capture_count || first_b == m->capture_count)
      return true;
    for (uint16_t k = 0;; k++) {
      uint16_t a = nth_node(m, p->capture, k);
      uint16_t b = nth_node(m, p->other_capture, k);
      if (a == m->capture_count || b == m->capture_count)
        return a == b; /* both ran out together: as many nodes each */
      if (same_text(text, m->captures[a].node, m->captures[b].node) !=
          positive)
        return false;
    }
  }
  for (uint16_t k = 0;; k++) {
    uint16_t i = nth_node(m, p->capture, k);
    if (i == m->capture_count)
      return true;
    TSNode node = m->captures[i].node;
    bool found;
    if (p->op == OP_EQ || p->op == OP_NOT_EQ) {
      uint32_t start = ts_node_start_byte(node);
      uint32_t len = ts_node_end_byte(node) - start;
      found =
          len == p->string_len && memcmp(text + start, p->string, len) == 0;
    } else {
      found = regex_finds(p, node, text, scratch, scratch_cap, oom);
      if (*oom)
        return false;
    }
    if (found != positive)
      return false;
  }
}

int hs__query_run(const hs_query_t *q, TSNode root, const char *text,
                  hs_result_t *out, hs_error_t *err) {
  ts_query_cursor_exec(q->cursor, q->ts, root);
  TSQueryMatch m;
  char *scratch = NULL;
  size_t scratch_cap = 0;
  bool oom = false;
  int rc = 0;
  while (rc == 0 && ts_query_cursor_next_match(q->cursor, &m)) {
    bool ok = m.capture_count > 0;
    for (size_t i = 0; ok && i < q->pred_count; i++)
      if (q->preds[i].pattern == m.pattern_index)
        ok = holds(&q->preds[i], &m, text, &scratch, &scratch_cap, &oom);
    if (oom) {
      rc = HS_ENOMEM;
      break;
    }
    if (!ok)
      continue;
    TSNode first = m.captures[0].node, last = m.captures[0].node;
    for (uint16_t i = 1; i < m.capture_count; i++) {
      TSNode n = m.captures[i].node;
      if (ts_node_start_byte(n) < ts_node_start_byte(first))
        first = n;
      if (ts_node_end_byte(n) > ts_node_end_byte(last))
        last = n;
    }
    TSPoint s = ts_node_start_point(first);
    rc = hs__result_add(out, ts_node_start_byte(first), ts_node_end_byte(last),
                        s.row + 1, hs__last_line(s, ts_node_end_point(last)));
    for (uint16_t i = 0; rc == 0 && i < m.capture_count; i++) {
      TSNode n = m.captures[i].node;
      uint32_t len;
      TSPoint ns = ts_node_start_point(n);
      hs_capture_t cap = {
          ts_query_capture_name_for_id(q->ts, m.captures[i].index, &len),
          ts_node_start_byte(n), ts_node_end_byte(n), ns.row + 1,
          hs__last_line(ns, ts_node_end_point(n))};
      rc = hs__result_add_capture(out, &cap);
    }
  }
  free(scratch);
  if (rc == 0)
    hs__result_sort(out);
  if (rc == HS_ETOOBIG)
    return hs__fail(err, rc, "more than %zu matches in one file",
                    HS_MAX_MATCHES);
  if (rc < 0)
    return hs__fail(err, HS_ENOMEM, "out of memory");
  return 0;
}
