/*
 * lang.c: the built-in languages: their names and file extensions, the
 * contexts a code pattern is tried in (in order, as gogrep tries an
 * expression, then statements, then declarations), and the few node-type
 * rules the matcher needs beyond the grammar. A grammar is compiled in
 * when CMake found it (HS_HAVE_<LANG>).
 */
#include "internal.h"

#include <string.h>

#ifdef HS_HAVE_GO
const TSLanguage *tree_sitter_go(void);
#define GO_GRAMMAR tree_sitter_go
#else
#define GO_GRAMMAR NULL
#endif
#ifdef HS_HAVE_C
const TSLanguage *tree_sitter_c(void);
#define C_GRAMMAR tree_sitter_c
#else
#define C_GRAMMAR NULL
#endif
#ifdef HS_HAVE_PYTHON
const TSLanguage *tree_sitter_python(void);
#define PYTHON_GRAMMAR tree_sitter_python
#else
#define PYTHON_GRAMMAR NULL
#endif

static const hs_lang_info_t builtins[] = {
    {"go",
     {".go", NULL},
     GO_GRAMMAR,
     {{"expression", "package p\nvar _ = ", "\n"},
      {"statements", "package p\nfunc _() {\n", "\n}\n"},
      {"declarations", "package p\n", "\n"},
      {"type", "package p\nvar _ ", "\n"}},
     {"expression_list", "statement_list", "type_arguments", "type_elem"},
     {{"for_statement", "range_clause"}, {"for_statement", "for_clause"}},
     {{"type_identifier", "identifier"},
      {"field_identifier", "identifier"},
      {"package_identifier", "identifier"},
      {"qualified_type", "selector_expression"},
      {"generic_type", "index_expression"},
      {"type_instantiation_expression", "index_expression"}},
     {"for_statement", NULL},
     {"for_clause", "initializer", "update"}},
    {"c",
     {".c", ".h", NULL},
     C_GRAMMAR,
     {{"expression", "int _ = ", ";\n"},
      {"statements", "void _(void) {\n", "\n}\n"},
      {"declarations", "", "\n"},
      {NULL, NULL, NULL}},
     {NULL},
     {{NULL, NULL}},
     {{NULL, NULL}},
     {NULL},
     {NULL, NULL, NULL}},
    {"python",
     {".py", ".pyi", NULL},
     PYTHON_GRAMMAR,
     {{"expression", "_ = ", "\n"},
      {"statements", "", "\n"},
      {NULL, NULL, NULL},
      {NULL, NULL, NULL}},
     {NULL},
     {{NULL, NULL}},
     {{NULL, NULL}},
     {NULL},
     {NULL, NULL, NULL}},
};

/* A user grammar of another language: the pattern is the whole file. */
static const hs_lang_info_t generic = {
    NULL,
    {NULL},
    NULL,
    {{"source", "", "\n"}, {NULL, NULL, NULL}},
    {NULL},
    {{NULL, NULL}},
    {{NULL, NULL}},
    {NULL},
    {NULL, NULL, NULL}};

const hs_lang_info_t *hs__builtin(size_t i) {
  return i < hs__builtin_total() ? &builtins[i] : NULL;
}

size_t hs__builtin_total(void) { return sizeof builtins / sizeof builtins[0]; }

const hs_lang_info_t *hs__generic_info(void) { return &generic; }

size_t hs_builtin_count(void) { return hs__builtin_total(); }

const char *hs_builtin_name(size_t i) {
  return i < hs__builtin_total() ? builtins[i].name : NULL;
}

int hs_builtin_has_grammar(size_t i) {
  return i < hs__builtin_total() && builtins[i].grammar != NULL;
}

static TSSymbol symbol_named(const TSLanguage *ts, const char *name) {
  return ts_language_symbol_for_name(ts, name, (uint32_t)strlen(name), true);
}

/* The grammar's symbols for names[0..max) (a NULL ends the list); names
 * the grammar lacks are left out. Returns how many went into out. */
static size_t resolve(const TSLanguage *ts, const char *const *names,
                      size_t max, TSSymbol *out) {
  size_t n = 0;
  for (size_t i = 0; i < max && names[i]; i++) {
    TSSymbol sym = symbol_named(ts, names[i]);
    if (sym != 0)
      out[n++] = sym;
  }
  return n;
}

/* The same for pairs of names; a pair is kept when both are known. */
static size_t resolve_pairs(const TSLanguage *ts,
                            const char *const (*pairs)[2], size_t max,
                            TSSymbol *first, TSSymbol *second) {
  size_t n = 0;
  for (size_t i = 0; i < max && pairs[i][0]; i++) {
    TSSymbol a = symbol_named(ts, pairs[i][0]);
    TSSymbol b = symbol_named(ts, pairs[i][1]);
    if (a != 0 && b != 0) {
      first[n] = a;
      second[n++] = b;
    }
  }
  return n;
}

void hs__lang_resolve(hs_lang_t *lang) {
  lang->transparent_count = 0;
  lang->split_count = 0;
  lang->alias_count = 0;
  lang->single_slot_count = 0;
  lang->clause = 0;
  if (lang->ts == NULL)
    return;
  lang->transparent_count =
      resolve(lang->ts, lang->info->transparent, 4, lang->transparent);
  lang->alias_count = resolve_pairs(lang->ts, lang->info->alias, 8,
                                    lang->alias_from, lang->alias_to);
  const char *const *clause = lang->info->empty_clause;
  if (clause[0]) {
    lang->clause = symbol_named(lang->ts, clause[0]);
    for (size_t i = 0; i < 2; i++)
      lang->clause_fields[i] = ts_language_field_id_for_name(
          lang->ts, clause[i + 1], (uint32_t)strlen(clause[i + 1]));
  }
  lang->single_slot_count =
      resolve(lang->ts, lang->info->single_slot, 4, lang->single_slot);
  lang->split_count = resolve_pairs(lang->ts, lang->info->split_kind, 4,
                                    lang->split_node, lang->split_child);
}
