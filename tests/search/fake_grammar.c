/*
 * fake_grammar.c: a shared object that looks like a tree-sitter grammar
 * of ABI 99 (tree_sitter_fake), for the test of heatls's ABI check. The
 * check reads the version field, the first of the language struct, and
 * must refuse it before anything else is read.
 */
#include <stdint.h>

typedef struct fake_language {
  uint32_t version;
  uint32_t rest[64];
} fake_language_t;

static const fake_language_t fake = {99, {0}};

const void *tree_sitter_fake(void);

const void *tree_sitter_fake(void) { return &fake; }
