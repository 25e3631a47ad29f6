/*
 * test_query.c: raw tree-sitter queries with each predicate heatls
 * evaluates, query errors, and line regexes.
 */
#include "check.h"
#include "search_util.h"

static hs_langs_t *langs;

static char *run(hs_kind_t kind, const char *lang, const char *pattern,
                 const char *text) {
  int code;
  hs_error_t err = {0};
  char *out = find_kind(langs, lang, kind, pattern, text, &code, &err);
  if (out == NULL) {
    size_t n = strlen(err.message) + 32;
    out = malloc(n);
    snprintf(out, n, "ERROR %d %s", code, err.message);
  }
  return out;
}

#define QUERY_EQ(pattern, text, want)                                         \
  do {                                                                        \
    char *got_ = run(HS_KIND_QUERY, "go", pattern, text);                     \
    CHECK_STR(got_, want);                                                    \
    free(got_);                                                               \
  } while (0)

#define REGEX_EQ(pattern, text, want)                                         \
  do {                                                                        \
    char *got_ = run(HS_KIND_REGEX, NULL, pattern, text);                     \
    CHECK_STR(got_, want);                                                    \
    free(got_);                                                               \
  } while (0)

static const char *src = "package p\n"
                         "\n"
                         "func f() {\n"
                         "\tfmt.Errorf(\"x\")\n"
                         "\terrors.New(\"y\")\n"
                         "\tfmt.Println(a, a)\n"
                         "\tfmt.Println(a, b)\n"
                         "}\n";

static void test_predicates(void) {
  const char *call =
      "(call_expression function: (selector_expression operand: (identifier) "
      "@pkg field: (field_identifier) @fn)) @call";
  char q[512];
  /* No predicate: every call with a selector. */
  QUERY_EQ(call, src,
           "4-4:fmt.Errorf(\"x\") | 5-5:errors.New(\"y\") | "
           "6-6:fmt.Println(a, a) | 7-7:fmt.Println(a, b)");
  snprintf(q, sizeof q, "(%s (#eq? @pkg \"fmt\"))", call);
  QUERY_EQ(q, src,
           "4-4:fmt.Errorf(\"x\") | 6-6:fmt.Println(a, a) | "
           "7-7:fmt.Println(a, b)");
  snprintf(q, sizeof q, "(%s (#not-eq? @pkg \"fmt\"))", call);
  QUERY_EQ(q, src, "5-5:errors.New(\"y\")");
  snprintf(q, sizeof q, "(%s (#match? @fn \"^(Errorf|New)$\"))", call);
  QUERY_EQ(q, src, "4-4:fmt.Errorf(\"x\") | 5-5:errors.New(\"y\")");
  snprintf(q, sizeof q, "(%s (#not-match? @fn \"ln$\"))", call);
  QUERY_EQ(q, src, "4-4:fmt.Errorf(\"x\") | 5-5:errors.New(\"y\")");
  /* Capture against capture. */
  QUERY_EQ("((argument_list (identifier) @a (identifier) @b) "
           "(#eq? @a @b)) @args",
           src, "6-6:(a, a)");
  QUERY_EQ("((argument_list (identifier) @a (identifier) @b) "
           "(#not-eq? @a @b)) @args",
           src, "7-7:(a, b)");
}

static void test_query_errors(void) {
  QUERY_EQ("(call_expression", src,
           "ERROR -7 query for go: syntax error at line 1, column 17");
  QUERY_EQ("(no_such_node) @x", src,
           "ERROR -7 query for go: unknown node type at line 1, column 2");
  QUERY_EQ("(call_expression nosuchfield: (identifier)) @x", src,
           "ERROR -7 query for go: unknown field at line 1, column 18");
  QUERY_EQ("(call_expression)", src,
           "ERROR -7 the query captures nothing: name what it matches "
           "(e.g. (call_expression) @call)");
  QUERY_EQ("((identifier) @i (#any-of? @i \"a\" \"b\"))", src,
           "ERROR -7 unsupported predicate #any-of? (heatls evaluates #eq?, "
           "#not-eq?, #match? and #not-match?)");
  QUERY_EQ("((identifier) @i (#match? @i \"(\"))", src,
           "ERROR -7 #match? \"(\": Unmatched ( or \\(");
  QUERY_EQ("((identifier) @i (#eq? @i))", src,
           "ERROR -7 #eq? takes a capture and a string or a capture");
  QUERY_EQ("((identifier) @i (#match? @i @i))", src,
           "ERROR -7 #match? takes a regex string, not a capture");
}

static void test_regex(void) {
  const char *text = "alpha\nbeta\r\n\ngamma beta\nlast";
  /* A line's "\r\n" ends it: the match (and $) stop before the "\r". */
  REGEX_EQ("beta", text, "2-2:beta | 4-4:gamma beta");
  REGEX_EQ("^beta$", text, "2-2:beta");
  REGEX_EQ("^$", text, "3-3:");
  REGEX_EQ("a$", text, "1-1:alpha | 2-2:beta | 4-4:gamma beta");
  REGEX_EQ("st$", text, "5-5:last");
  REGEX_EQ("x{2,}", text, "");
  REGEX_EQ("(", text, "ERROR -8 regex does not compile: Unmatched ( or \\(");
  REGEX_EQ("a{2,1}", text,
           "ERROR -8 regex does not compile: Invalid content of \\{\\}");
}

int main(void) {
  langs = util_langs();
  if (!hs_lang_has_grammar(hs_langs_find(langs, "go"))) {
    fprintf(stderr, "no Go grammar compiled in (tools/deps-grammars.sh)\n");
    hs_langs_free(langs);
    return 1;
  }
  test_predicates();
  test_query_errors();
  test_regex();
  hs_langs_free(langs);
  CHECK_DONE();
}
