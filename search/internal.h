/*
 * internal.h: what the search module's files share (prefix hs__).
 *
 *   error.c     hs_strerror, hs__fail
 *   lang.c      the built-in languages: names, extensions, the contexts a
 *               code pattern is parsed in, their node-type rules
 *   grammar.c   the language set and user grammars (dlopen, ABI check)
 *   nodes.c     a node's children as the matcher sees them
 *   pattern.c   code pattern -> pattern tree (metavariables, contexts)
 *   match.c     the structural matcher over a syntax tree
 *   query.c     tree-sitter queries and their predicates
 *   regex.c     line regexes
 *   result.c    the growing match list of one file
 *   searcher.c  one pattern, compiled per language; parse and dispatch
 *   walk.c      files and directories
 *   heat.c      the heat of a line range, from the index
 */
#ifndef HEATLS_SEARCH_INTERNAL_H
#define HEATLS_SEARCH_INTERNAL_H

#include "heat_search.h"

#include <regex.h>
#include <stdbool.h>
#include <tree_sitter/api.h>

#if defined(__GNUC__)
#define HS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HS_PRINTF(a, b)
#endif

/* Fills err (when not NULL) and returns code. */
int hs__fail(hs_error_t *err, int code, const char *fmt, ...) HS_PRINTF(3, 4);

/* Caps on what grows from input. */
#define HS_MAX_LANGS 32
#define HS_MAX_MATCHES ((size_t)1 << 24) /* per file */
#define HS_MAX_PATTERN ((size_t)1 << 16) /* pattern text, bytes */
#define HS_MAX_DEPTH 256                 /* directory nesting */

/* ---- languages ---- */
/* A context a code pattern is parsed in: prefix + pattern + suffix. */
typedef struct hs_context {
  const char *what; /* "expression", "statements", ... (messages) */
  const char *prefix;
  const char *suffix;
} hs_context_t;

/* What the matcher knows of a language beyond its grammar. */
typedef struct hs_lang_info {
  const char *name;
  const char *exts[4];                /* ".go"; NULL-terminated */
  const TSLanguage *(*grammar)(void); /* NULL when not compiled in */
  hs_context_t contexts[4];           /* tried in order; what NULL ends */
  /* Node types whose children count as their parent's: lists that
   * separate nothing the matcher needs (Go's expression_list). */
  const char *transparent[4];
  /* Pairs (node type, child type): a node of the first type with a named
   * child of the second is a kind of its own, as go/ast tells ForStmt
   * with an Init or Post, and RangeStmt, from a bare `for cond {}`. */
  const char *split_kind[4][2];
  /* Pairs (node type, kind): the grammar's names for what the language's
   * own syntax tree has as one kind (Go's type_identifier is an identifier
   * there, a generic_type with one argument an index expression). */
  const char *alias[8][2];
  /* Node types in which $*x stands for exactly one child, as in go/ast
   * a for loop's condition is one expression, not a list. */
  const char *single_slot[4];
  /* (node type, field, field): a node of that type without either field
   * is no node: Go's `for ; c; {}` is go/ast's `for c {}`. */
  const char *empty_clause[3];
} hs_lang_info_t;

#define HS_KIND_SPLIT 0x10000u /* times (pair + 1), added to the symbol */

struct hs_lang {
  const hs_lang_info_t *info; /* contexts, extensions */
  char *name;                 /* owned */
  char *ext;                  /* owned ".name" of a user grammar, or NULL */
  const TSLanguage *ts;       /* NULL: no grammar */
  size_t id;                  /* index in its set */
  TSSymbol transparent[4];
  size_t transparent_count;
  TSSymbol split_node[4], split_child[4];
  size_t split_count;
  TSSymbol alias_from[8], alias_to[8];
  size_t alias_count;
  TSSymbol single_slot[4];
  size_t single_slot_count;
  TSSymbol clause; /* 0: none */
  TSFieldId clause_fields[2];
};

struct hs_langs {
  hs_lang_t *items[HS_MAX_LANGS];
  size_t count;
  void *handles[HS_MAX_LANGS]; /* dlopen handles of user grammars */
  size_t handle_count;
};

/* The built-in table (lang.c) and the generic info of user languages. */
const hs_lang_info_t *hs__builtin(size_t i);
size_t hs__builtin_total(void);
const hs_lang_info_t *hs__generic_info(void);
/* Resolves the node-type rules of lang->info in lang->ts. */
void hs__lang_resolve(hs_lang_t *lang);

/* ---- nodes ---- */
/* A stack of nodes: child lists are pushed and popped by the matcher. */
typedef struct hs_nodes {
  TSNode *items;
  size_t count, cap;
} hs_nodes_t;

void hs__nodes_close(hs_nodes_t *s);
/* Pushes the children of n as the matcher sees them: extras (comments)
 * and separators (",", ";", newlines) dropped, transparent lists opened.
 * Returns how many were pushed, or -1 when out of memory. */
long hs__children(const hs_lang_t *lang, TSNode n, hs_nodes_t *s);
/* The node's kind: its symbol, plus HS_KIND_SPLIT for a split loop. */
uint32_t hs__kind(const hs_lang_t *lang, TSNode n);
/* Whether the matcher skips the node as a child (extra or separator). */
bool hs__skipped(TSNode n);
bool hs__transparent(const hs_lang_t *lang, TSNode n);
/* Whether $*x directly under n stands for one node. */
bool hs__single_slot(const hs_lang_t *lang, TSNode n);
/* 1-based last line of a node range ending at end. */
uint32_t hs__last_line(TSPoint start, TSPoint end);

/* ---- results ---- */
int hs__result_add(hs_result_t *r, uint32_t start, uint32_t end,
                   uint32_t first_line, uint32_t last_line);
int hs__result_add_capture(hs_result_t *r, const hs_capture_t *c);
/* Sorts the matches by start, then end descending (captures follow). */
void hs__result_sort(hs_result_t *r);

/* ---- code patterns ---- */
typedef struct hs_code hs_code_t;
int hs__code_new(const hs_lang_t *lang, TSParser *parser, const char *text,
                 hs_code_t **out, hs_error_t *err);
void hs__code_free(hs_code_t *c);
bool hs__code_has_var(const hs_code_t *c, const char *name);
/* Whether text can hold a match: every name and literal of the pattern
 * must appear in it byte for byte, so a file without one of them needs no
 * parse. */
bool hs__code_may_match(const hs_code_t *c, const char *text, size_t len);
int hs__code_run(const hs_code_t *c, const hs_lang_t *lang, TSNode root,
                 const char *text, hs_nodes_t *scratch, hs_result_t *out,
                 hs_error_t *err);

/* ---- queries ---- */
typedef struct hs_query hs_query_t;
int hs__query_new(const hs_lang_t *lang, const char *text, hs_query_t **out,
                  hs_error_t *err);
void hs__query_free(hs_query_t *q);
bool hs__query_has_capture(const hs_query_t *q, const char *name);
int hs__query_run(const hs_query_t *q, TSNode root, const char *text,
                  hs_result_t *out, hs_error_t *err);

/* ---- regexes ---- */
typedef struct hs_regex hs_regex_t;
int hs__regex_new(const char *text, hs_regex_t **out, hs_error_t *err);
void hs__regex_free(hs_regex_t *re);
int hs__regex_run(const hs_regex_t *re, const char *text, size_t len,
                  hs_result_t *out, hs_error_t *err);

/* ---- the searcher, as the walk needs it ---- */
const hs_options_t *hs__searcher_options(const hs_searcher_t *s);
/* 1 when the pattern is compiled for lang, 0 when it fails to (err set),
 * negative on out of memory. */
int hs__searcher_prepare(hs_searcher_t *s, const hs_lang_t *lang,
                         hs_error_t *err);

#endif
