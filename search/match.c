/*
 * match.c: the structural matcher. Every named node of the syntax tree, in
 * source order (outer before inner, so nested matches are all found), is
 * tried against the pattern's root; a sequence pattern is tried at each
 * position of each node's children.
 *
 * A pattern node matches a syntax node of the same kind whose children (as
 * nodes.c lists them) match its children in order; a leaf matches a leaf
 * of the same text. $x and $_ match one named node; $*x and $*_ any run of
 * named nodes, the empty run too, found by backtracking. A name met again
 * must match a node of the same structure and text as its first binding
 * (comments and spacing aside). Each attempt has a step budget, so a
 * pattern with several sequence variables cannot take exponential time.
 */
#include "pattern.h"

#include <stdlib.h>
#include <string.h>

#define STEP_BUDGET 1000000

typedef struct binding {
  uint32_t var;
  uint32_t first, count; /* in m->bound */
} binding_t;

typedef struct matcher {
  const hs_code_t *p;
  const hs_lang_t *lang;
  const char *text;
  hs_nodes_t *stack; /* target children, pushed and popped */
  hs_nodes_t bound;  /* the nodes of the bindings */
  binding_t *binds;
  size_t bind_count, bind_cap;
  size_t steps;
  bool oom;
} matcher_t;

static bool match_node(matcher_t *m, uint32_t pi, TSNode t);

static bool push_node(hs_nodes_t *s, TSNode n) {
  if (s->count == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    TSNode *items = realloc(s->items, cap * sizeof *items);
    if (items == NULL)
      return false;
    s->items = items;
    s->cap = cap;
  }
  s->items[s->count++] = n;
  return true;
}

static bool same_text(const char *a, uint32_t alen, const char *b,
                      uint32_t blen) {
  return alen == blen && memcmp(a, b, alen) == 0;
}

static uint32_t node_len(TSNode n) {
  return ts_node_end_byte(n) - ts_node_start_byte(n);
}

/* Two syntax nodes of the file with the same structure and leaf texts. */
static bool equal_nodes(matcher_t *m, TSNode a, TSNode b, int depth) {
  if (hs__kind(m->lang, a) != hs__kind(m->lang, b) ||
      ts_node_is_named(a) != ts_node_is_named(b) || depth > 4096)
    return false;
  size_t from = m->stack->count;
  long na = hs__children(m->lang, a, m->stack);
  long nb = na < 0 ? -1 : hs__children(m->lang, b, m->stack);
  bool eq;
  if (na < 0 || nb < 0) {
    m->oom = true;
    eq = false;
  } else if (na != nb) {
    eq = false;
  } else if (na == 0) {
    eq = same_text(m->text + ts_node_start_byte(a), node_len(a),
                   m->text + ts_node_start_byte(b), node_len(b));
  } else {
    eq = true;
    for (long i = 0; eq && i < na; i++) {
      TSNode x = m->stack->items[from + (size_t)i];
      TSNode y = m->stack->items[from + (size_t)na + (size_t)i];
      eq = equal_nodes(m, x, y, depth + 1);
    }
  }
  m->stack->count = from;
  return eq;
}

/* The k-th node of a binding candidate: `one`, or the target stack from
 * `from` (read afresh each time: equal_nodes may move the stack). */
static TSNode candidate(const matcher_t *m, const TSNode *one, size_t from,
                        uint32_t k) {
  return one ? *one : m->stack->items[from + k];
}

/* Binds var to the candidate nodes (one, or count from the stack at
 * `from`), or checks them against its binding. */
static bool bind(matcher_t *m, uint32_t var, const TSNode *one, size_t from,
                 uint32_t count) {
  if (var == HS_NOVAR)
    return true;
  for (size_t i = m->bind_count; i-- > 0;) {
    const binding_t *b = &m->binds[i];
    if (b->var != var)
      continue;
    if (b->count != count)
      return false;
    for (uint32_t k = 0; k < count; k++) {
      TSNode prev = m->bound.items[b->first + k];
      if (!equal_nodes(m, prev, candidate(m, one, from, k), 0))
        return false;
    }
    return true;
  }
  if (m->bind_count == m->bind_cap) {
    size_t cap = m->bind_cap ? m->bind_cap * 2 : 16;
    binding_t *binds = realloc(m->binds, cap * sizeof *binds);
    if (binds == NULL) {
      m->oom = true;
      return false;
    }
    m->binds = binds;
    m->bind_cap = cap;
  }
  uint32_t first = (uint32_t)m->bound.count;
  for (uint32_t k = 0; k < count; k++)
    if (!push_node(&m->bound, candidate(m, one, from, k))) {
      m->bound.count = first;
      m->oom = true;
      return false;
    }
  m->binds[m->bind_count++] = (binding_t){var, first, count};
  return true;
}

typedef struct mark {
  size_t binds, bound;
} mark_t;

static mark_t save(const matcher_t *m) {
  return (mark_t){m->bind_count, m->bound.count};
}

static void restore(matcher_t *m, mark_t k) {
  m->bind_count = k.binds;
  m->bound.count = k.bound;
}

/* Pattern kids[pk .. pk+pn) against target stack[tf .. tf+tn). With used
 * NULL the whole target run must be matched; else a prefix, its length in
 * *used. */
static bool match_list(matcher_t *m, uint32_t pk, uint32_t pn, size_t tf,
                       size_t tn, size_t *used) {
  if (++m->steps > STEP_BUDGET || m->oom)
    return false;
  if (pn == 0) {
    if (used) {
      *used = 0;
      return true;
    }
    return tn == 0;
  }
  const hs_pnode_t *p = &m->p->nodes[m->p->kids[pk]];
  if (p->type == HS_P_SEQ) {
    for (size_t k = 0; k <= tn; k++) {
      if (k > 0 && !ts_node_is_named(m->stack->items[tf + k - 1]))
        break;
      mark_t mk = save(m);
      size_t rest = 0;
      if (bind(m, p->var, NULL, tf, (uint32_t)k) &&
          match_list(m, pk + 1, pn - 1, tf + k, tn - k, used ? &rest : NULL)) {
        if (used)
          *used = k + rest;
        return true;
      }
      restore(m, mk);
      if (m->oom || m->steps > STEP_BUDGET)
        return false;
    }
    return false;
  }
  if (tn == 0)
    return false;
  mark_t mk = save(m);
  TSNode t = m->stack->items[tf];
  size_t rest = 0;
  if (match_node(m, m->p->kids[pk], t) &&
      match_list(m, pk + 1, pn - 1, tf + 1, tn - 1, used ? &rest : NULL)) {
    if (used)
      *used = 1 + rest;
    return true;
  }
  restore(m, mk);
  return false;
}

static bool match_node(matcher_t *m, uint32_t pi, TSNode t) {
  const hs_pnode_t *p = &m->p->nodes[pi];
  if (++m->steps > STEP_BUDGET)
    return false;
  if (p->type != HS_P_NODE)
    return ts_node_is_named(t) && bind(m, p->var, &t, 0, 1);
  if (p->named != ts_node_is_named(t) || p->kind != hs__kind(m->lang, t))
    return false;
  size_t from = m->stack->count;
  long n = hs__children(m->lang, t, m->stack);
  bool ok;
  if (n < 0) {
    m->oom = true;
    ok = false;
  } else if (p->count == 0 && n == 0) {
    ok = same_text(m->p->src + p->off, p->len, m->text + ts_node_start_byte(t),
                   node_len(t));
  } else {
    ok = match_list(m, p->first, p->count, from, (size_t)n, NULL);
  }
  m->stack->count = from;
  return ok;
}

static int report(matcher_t *m, hs_result_t *out, TSNode first, TSNode last) {
  TSPoint start = ts_node_start_point(first);
  int rc = hs__result_add(out, ts_node_start_byte(first),
                          ts_node_end_byte(last), start.row + 1,
                          hs__last_line(start, ts_node_end_point(last)));
  for (size_t i = 0; rc == 0 && i < m->bind_count; i++) {
    const binding_t *b = &m->binds[i];
    hs_capture_t cap = {m->p->vars[b->var], 0, 0, 0, 0};
    if (b->count > 0) {
      TSNode a = m->bound.items[b->first];
      TSNode z = m->bound.items[b->first + b->count - 1];
      TSPoint s = ts_node_start_point(a);
      cap.start = ts_node_start_byte(a);
      cap.end = ts_node_end_byte(z);
      cap.first_line = s.row + 1;
      cap.last_line = hs__last_line(s, ts_node_end_point(z));
    }
    rc = hs__result_add_capture(out, &cap);
  }
  return rc;
}

static void begin(matcher_t *m) {
  m->bind_count = 0;
  m->bound.count = 0;
  m->steps = 0;
}

/* Tries the pattern at node n; 0 or a negative code. */
static int visit(matcher_t *m, TSNode n, hs_result_t *out) {
  const hs_code_t *p = m->p;
  if (!p->list) {
    const hs_pnode_t *root = &p->nodes[p->root];
    if (root->type != HS_P_NODE) {
      /* A lone metavariable: every named node, once per span. */
      if (out->count > 0) {
        const hs_match_t *last = &out->matches[out->count - 1];
        if (last->start == ts_node_start_byte(n) &&
            last->end == ts_node_end_byte(n))
          return 0;
      }
    } else if (root->kind != hs__kind(m->lang, n)) {
      return 0;
    }
    begin(m);
    if (match_node(m, p->root, n))
      return report(m, out, n, n);
    return m->oom ? HS_ENOMEM : 0;
  }
  size_t from = m->stack->count;
  long count = hs__children(m->lang, n, m->stack);
  if (count < 0)
    return HS_ENOMEM;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < (size_t)count; i++) {
    begin(m);
    size_t used = 0;
    if (match_list(m, p->list_first, p->list_count, from + i,
                   (size_t)count - i, &used) &&
        used > 0)
      rc = report(m, out, m->stack->items[from + i],
                  m->stack->items[from + i + used - 1]);
    else if (m->oom)
      rc = HS_ENOMEM;
  }
  m->stack->count = from;
  return rc;
}

int hs__code_run(const hs_code_t *c, const hs_lang_t *lang, TSNode root,
                 const char *text, hs_nodes_t *scratch, hs_result_t *out,
                 hs_error_t *err) {
  matcher_t m = {c, lang, text, scratch, {NULL, 0, 0}, NULL, 0, 0, 0, false};
  scratch->count = 0;
  int rc = 0;
  TSTreeCursor cur = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    if (ts_node_is_named(n) && (rc = visit(&m, n, out)) < 0)
      break;
    if (ts_tree_cursor_goto_first_child(&cur))
      continue;
    bool next = false;
    do {
      if (ts_tree_cursor_goto_next_sibling(&cur)) {
        next = true;
        break;
      }
    } while (ts_tree_cursor_goto_parent(&cur));
    if (!next)
      break;
  }
  ts_tree_cursor_delete(&cur);
  hs__nodes_close(&m.bound);
  free(m.binds);
  if (rc == HS_ETOOBIG)
    return hs__fail(err, rc, "more than %zu matches in one file",
                    HS_MAX_MATCHES);
  if (rc < 0)
    return hs__fail(err, HS_ENOMEM, "out of memory");
  return 0;
}
