/*
 * pattern.h: the compiled form of a code pattern, shared by pattern.c
 * (which builds it) and match.c (which runs it).
 */
#ifndef HEATLS_SEARCH_PATTERN_H
#define HEATLS_SEARCH_PATTERN_H

#include "internal.h"

#define HS_NOVAR UINT32_MAX

enum { HS_P_NODE = 0, HS_P_VAR, HS_P_SEQ };

/* A pattern node: a syntax node to match, or a metavariable. */
typedef struct hs_pnode {
  uint8_t type;  /* HS_P_* */
  bool named;    /* HS_P_NODE: a named node (else a keyword or operator) */
  uint32_t kind; /* HS_P_NODE: hs__kind() */
  uint32_t var;  /* HS_P_VAR, HS_P_SEQ: index in vars, or HS_NOVAR ($_) */
  uint32_t first, count; /* HS_P_NODE: children, in kids[] */
  uint32_t off, len;     /* its text in src */
} hs_pnode_t;

struct hs_code {
  char *src;           /* the parsed text: context + rewritten pattern */
  const char *context; /* "expression", "statements", ... */
  hs_pnode_t *nodes;
  size_t node_count, node_cap;
  uint32_t *kids;
  size_t kid_count, kid_cap;
  bool list; /* a run of statements: kids[list_first..+count) */
  uint32_t list_first, list_count;
  uint32_t root; /* !list: the root node */
  char **vars;   /* names of the named metavariables */
  size_t var_count;
};

#endif
