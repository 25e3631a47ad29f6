/*
 * nodes.c: a node's children as the matcher sees them. Comments and other
 * extras are not structure; separators (",", ";", newlines) are implied by
 * the nodes they separate, so `append($x, $*_)` also matches `append(x)`;
 * transparent lists (Go's expression_list) are opened in place, so that
 * `return $*_` sees the returned values one by one, as go/ast's
 * ReturnStmt.Results does.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void hs__nodes_close(hs_nodes_t *s) {
  free(s->items);
  s->items = NULL;
  s->count = s->cap = 0;
}

static int push(hs_nodes_t *s, TSNode n) {
  if (s->count == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    TSNode *items = realloc(s->items, cap * sizeof *items);
    if (items == NULL)
      return -1;
    s->items = items;
    s->cap = cap;
  }
  s->items[s->count++] = n;
  return 0;
}

bool hs__skipped(TSNode n) {
  if (ts_node_is_extra(n))
    return true;
  if (ts_node_is_named(n))
    return false;
  const char *type = ts_node_type(n);
  return strcmp(type, ",") == 0 || strcmp(type, ";") == 0 ||
         strcmp(type, "\n") == 0 || strcmp(type, "\r\n") == 0 ||
         ts_node_start_byte(n) == ts_node_end_byte(n);
}

/* A clause without its optional parts (Go's `for ; c; {}`). */
static bool empty_clause(const hs_lang_t *lang, TSNode n) {
  return lang->clause != 0 && ts_node_symbol(n) == lang->clause &&
         ts_node_is_null(
             ts_node_child_by_field_id(n, lang->clause_fields[0])) &&
         ts_node_is_null(ts_node_child_by_field_id(n, lang->clause_fields[1]));
}

bool hs__transparent(const hs_lang_t *lang, TSNode n) {
  if (empty_clause(lang, n))
    return true;
  TSSymbol sym = ts_node_symbol(n);
  for (size_t i = 0; i < lang->transparent_count; i++)
    if (lang->transparent[i] == sym)
      return true;
  return false;
}

static long add_children(const hs_lang_t *lang, TSNode n, hs_nodes_t *s,
                         int depth) {
  long added = 0;
  TSTreeCursor c = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&c)) {
    do {
      TSNode k = ts_tree_cursor_current_node(&c);
      if (hs__skipped(k))
        continue;
      if (depth < 8 && hs__transparent(lang, k)) {
        long more = add_children(lang, k, s, depth + 1);
        if (more < 0) {
          added = -1;
          break;
        }
        added += more;
        continue;
      }
      if (push(s, k) < 0) {
        added = -1;
        break;
      }
      added++;
    } while (ts_tree_cursor_goto_next_sibling(&c));
  }
  ts_tree_cursor_delete(&c);
  return added;
}

long hs__children(const hs_lang_t *lang, TSNode n, hs_nodes_t *s) {
  size_t before = s->count;
  long added = add_children(lang, n, s, 0);
  if (added < 0)
    s->count = before;
  return added;
}

bool hs__single_slot(const hs_lang_t *lang, TSNode n) {
  TSSymbol sym = ts_node_symbol(n);
  for (size_t i = 0; i < lang->single_slot_count; i++)
    if (lang->single_slot[i] == sym)
      return true;
  return false;
}

uint32_t hs__kind(const hs_lang_t *lang, TSNode n) {
  TSSymbol sym = ts_node_symbol(n);
  for (size_t k = 0; k < lang->split_count; k++) {
    if (sym != lang->split_node[k])
      continue;
    uint32_t count = ts_node_named_child_count(n);
    for (uint32_t i = 0; i < count; i++) {
      TSNode child = ts_node_named_child(n, i);
      if (ts_node_symbol(child) == lang->split_child[k] &&
          !empty_clause(lang, child))
        return (uint32_t)sym + (uint32_t)(k + 1) * HS_KIND_SPLIT;
    }
  }
  for (size_t k = 0; k < lang->alias_count; k++)
    if (sym == lang->alias_from[k])
      return lang->alias_to[k];
  return sym;
}

uint32_t hs__last_line(TSPoint start, TSPoint end) {
  if (end.row > start.row && end.column == 0)
    return end.row; /* ends at the start of a line: the one before it */
  return end.row + 1;
}
