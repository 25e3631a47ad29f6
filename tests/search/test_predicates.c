/*
 * test_predicates.c: the query predicates that heatls evaluates, checked
 * against the same query without them. For each Go text below, the matches
 * of a query with a predicate must be exactly those of the query without it
 * whose capture texts satisfy the predicate, computed here from the
 * captures: #eq? between two captures over texts where some calls match
 * and most do not, text predicates over many matches of one pattern (the
 * regex's scratch buffer reused from a longer capture to a shorter one),
 * predicates kept to their own pattern in a query of several, and
 * quantified captures, where a predicate must hold for every node of the
 * capture (and #eq? @a @b pairs the nodes of a and b in order), as the
 * tree-sitter library's own bindings evaluate them.
 */
#include "check.h"
#include "search_util.h"

#include <regex.h>
#include <stdbool.h>

static hs_langs_t *langs;

/* One match as "line:text@cap1=t1,cap2=t2;" with its captures in order. */
static void describe(const char *text, const hs_result_t *r, size_t i,
                     char *out, size_t cap) {
  const hs_match_t *m = &r->matches[i];
  size_t len = (size_t)snprintf(out, cap, "%u:%.*s@", m->first_line,
                                (int)(m->end - m->start), text + m->start);
  for (uint32_t c = 0; c < m->capture_count && len < cap; c++) {
    const hs_capture_t *k = &r->captures[m->first_capture + c];
    len +=
        (size_t)snprintf(out + len, cap - len, "%s%s=%.*s", c ? "," : "",
                         k->name, (int)(k->end - k->start), text + k->start);
  }
}

/* Runs query over text into r; 0 or the error code. The capture names of r
 * are the searcher's: *s is new (hs_searcher_free) after the results are
 * read, even on an error. */
static int run_query(const char *query, const char *text, hs_result_t *r,
                     hs_searcher_t **s) {
  hs_options_t opts;
  hs_options_init(&opts);
  opts.kind = HS_KIND_QUERY;
  opts.pattern = query;
  opts.langs = langs;
  opts.lang = hs_langs_find(langs, "go");
  *s = NULL;
  hs_error_t err = {0};
  int rc = hs_searcher_new(&opts, s, &err);
  if (rc == 0)
    rc = hs_searcher_run(*s, opts.lang, text, strlen(text), r, &err);
  if (rc < 0)
    fprintf(stderr, "query failed: %s\n", err.message);
  return rc;
}

/* The texts of capture name in match i, in order (at most 8). */
static size_t nodes_of(const char *text, const hs_result_t *r, size_t i,
                       const char *name, const char **starts, size_t *lens) {
  const hs_match_t *m = &r->matches[i];
  size_t n = 0;
  for (uint32_t c = 0; c < m->capture_count && n < 8; c++) {
    const hs_capture_t *k = &r->captures[m->first_capture + c];
    if (strcmp(k->name, name) == 0) {
      starts[n] = text + k->start;
      lens[n++] = k->end - k->start;
    }
  }
  return n;
}

typedef bool (*keep_fn)(const char *text, const hs_result_t *r, size_t i);

/* Checks that query_with finds exactly the matches of query_without that
 * keep() keeps, and that there are some of each kind when asked. */
static void check_filter(const char *query_with, const char *query_without,
                         keep_fn keep, const char *text, int want_kept,
                         int want_dropped, int line) {
  hs_result_t with, without;
  hs_result_init(&with);
  hs_result_init(&without);
  hs_searcher_t *s_with = NULL, *s_without = NULL;
  if (run_query(query_with, text, &with, &s_with) < 0 ||
      run_query(query_without, text, &without, &s_without) < 0) {
    CHECK_FAIL_AT(__FILE__, line, "a query failed");
    check_count++;
    goto done;
  }
  char got[4096] = "", want[4096] = "", one[512];
  int kept = 0, dropped = 0;
  for (size_t i = 0; i < without.count; i++) {
    if (!keep(text, &without, i)) {
      dropped++;
      continue;
    }
    kept++;
    describe(text, &without, i, one, sizeof one);
    strncat(want, one, sizeof want - strlen(want) - 2);
    strcat(want, ";");
  }
  for (size_t i = 0; i < with.count; i++) {
    describe(text, &with, i, one, sizeof one);
    strncat(got, one, sizeof got - strlen(got) - 2);
    strcat(got, ";");
  }
  check_count++;
  if (strcmp(got, want) != 0)
    CHECK_FAIL_AT(__FILE__, line, "%s\n  got:  %s\n  want: %s", query_with,
                  got, want);
  check_count++;
  if ((want_kept && kept == 0) || (want_dropped && dropped == 0))
    CHECK_FAIL_AT(__FILE__, line,
                  "the text does not test the predicate: %d kept, %d dropped",
                  kept, dropped);
done:
  hs_result_close(&with);
  hs_result_close(&without);
  hs_searcher_free(s_with);
  hs_searcher_free(s_without);
}

static bool same_texts(const char *a, size_t alen, const char *b,
                       size_t blen) {
  return alen == blen && memcmp(a, b, alen) == 0;
}

/* @a and @b pairwise: whether the texts of every pair are equal (want)
 * or all differ; true when either has no node, false when their counts
 * differ. */
static bool pairs_are(const char *text, const hs_result_t *r, size_t i,
                      bool want) {
  const char *as[8], *bs[8];
  size_t al[8], bl[8];
  size_t na = nodes_of(text, r, i, "a", as, al);
  size_t nb = nodes_of(text, r, i, "b", bs, bl);
  if (na == 0 || nb == 0)
    return true;
  if (na != nb)
    return false;
  for (size_t k = 0; k < na; k++)
    if (same_texts(as[k], al[k], bs[k], bl[k]) != want)
      return false;
  return true;
}

/* #eq? @a @b, pairwise over the nodes of each. */
static bool a_eq_b(const char *text, const hs_result_t *r, size_t i) {
  return pairs_are(text, r, i, true);
}

static bool a_not_eq_b(const char *text, const hs_result_t *r, size_t i) {
  return pairs_are(text, r, i, false);
}

/* Whether every node of capture name is literal (want) or none is. */
static bool nodes_are(const char *text, const hs_result_t *r, size_t i,
                      const char *name, const char *literal, bool want) {
  const char *starts[8];
  size_t lens[8];
  size_t n = nodes_of(text, r, i, name, starts, lens);
  for (size_t k = 0; k < n; k++)
    if (same_texts(starts[k], lens[k], literal, strlen(literal)) != want)
      return false;
  return true;
}

/* Every node of @x is "a". */
static bool all_x_are_a(const char *text, const hs_result_t *r, size_t i) {
  return nodes_are(text, r, i, "x", "a", true);
}

/* No node of @x is "a". */
static bool no_x_is_a(const char *text, const hs_result_t *r, size_t i) {
  return nodes_are(text, r, i, "x", "a", false);
}

/* Every node of @fn matches ^(Errorf|New)$. */
static bool fn_matches(const char *text, const hs_result_t *r, size_t i) {
  const char *fs[8];
  size_t fl[8];
  size_t n = nodes_of(text, r, i, "fn", fs, fl);
  regex_t re;
  if (regcomp(&re, "^(Errorf|New)$", REG_EXTENDED | REG_NOSUB) != 0)
    return false;
  bool ok = true;
  for (size_t k = 0; k < n && ok; k++) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*s", (int)fl[k], fs[k]);
    ok = regexec(&re, buf, 0, NULL, 0) == 0;
  }
  regfree(&re);
  return ok;
}

static bool fn_is_errorf(const char *text, const hs_result_t *r, size_t i) {
  return nodes_are(text, r, i, "fn", "Errorf", true);
}

/* Files where a few calls are x.x(...) and most are not. */
static const char *files[] = {
    "package p\n\nfunc f() {\n\tfmt.Println(a)\n\tlog.log(b)\n"
    "\tstrings.Index(s, t)\n\tx.y(z.z(q))\n}\n",
    "package p\n\nfunc g() {\n\tos.Exit(1)\n\tbytes.Equal(a, b)\n"
    "\tsort.Slice(v, func(i, j int) bool { return v[i] < v[j] })\n}\n",
    "package p\n\nvar _ = m.m(n.o(p.p(), q.r()), s.s)\n"
    "var _ = strconv.Itoa(len.len(x))\n",
};

static void test_eq_captures(void) {
  const char *sel = "(call_expression function: (selector_expression "
                    "operand: (identifier) @a field: (field_identifier) @b))";
  char with[512], without[512], not_eq [512];
  snprintf(with, sizeof with, "(%s (#eq? @a @b))", sel);
  snprintf(not_eq, sizeof not_eq, "(%s (#not-eq? @a @b))", sel);
  snprintf(without, sizeof without, "(%s)", sel);
  int kept_somewhere = 0;
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    check_filter(with, without, a_eq_b, files[f], 0, 1, __LINE__);
    check_filter(not_eq, without, a_not_eq_b, files[f], 1, 0, __LINE__);
    hs_result_t r;
    hs_result_init(&r);
    hs_searcher_t *s;
    if (run_query(with, files[f], &r, &s) == 0)
      kept_somewhere += (int)r.count;
    hs_result_close(&r);
    hs_searcher_free(s);
  }
  CHECK_INT(kept_somewhere, 5); /* log.log, z.z, m.m, p.p, len.len */
  /* The predicate inside the node's parentheses is the same predicate. */
  snprintf(with, sizeof with,
           "(call_expression function: (selector_expression operand: "
           "(identifier) @a field: (field_identifier) @b) (#eq? @a @b))");
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
    check_filter(with, without, a_eq_b, files[f], 0, 1, __LINE__);
}

static void test_many_matches(void) {
  /* Long and short captures in turn: the regex runs on each one's text. */
  const char *text = "package p\n\nfunc f() {\n"
                     "\tfmt.Errorf(\"a\")\n\terrors.New(\"b\")\n"
                     "\tfmt.Printlnxxxxxxxxxxxxxxxx(c)\n\tfmt.Errorf(\"d\")\n"
                     "\tlog.New(e)\n\tfmt.Errorfx(f)\n\tfmt.E(g)\n"
                     "\tfmt.Errorf(\"h\")\n}\n";
  const char *call = "(call_expression function: (selector_expression "
                     "field: (field_identifier) @fn)) @call";
  char with[512], without[512];
  snprintf(without, sizeof without, "(%s)", call);
  snprintf(with, sizeof with, "(%s (#match? @fn \"^(Errorf|New)$\"))", call);
  check_filter(with, without, fn_matches, text, 1, 1, __LINE__);
  snprintf(with, sizeof with, "(%s (#eq? @fn \"Errorf\"))", call);
  check_filter(with, without, fn_is_errorf, text, 1, 1, __LINE__);
}

static void test_patterns(void) {
  /* Two patterns, each with its own predicate: neither applies to the
   * other's matches. */
  const char *text = "package p\n\nfunc f() {\n\tlen(a)\n\tcap(b)\n"
                     "\tfmt.Println(c)\n\tfmt.Print(d)\n\tlen(e)\n}\n";
  hs_result_t r;
  hs_result_init(&r);
  hs_searcher_t *s;
  CHECK_INT(run_query("((call_expression function: (identifier) @f) @c "
                      "(#eq? @f \"len\"))\n"
                      "((call_expression function: (selector_expression "
                      "field: (field_identifier) @g)) @c "
                      "(#match? @g \"ln$\"))",
                      text, &r, &s),
            0);
  char got[1024] = "", one[256];
  for (size_t i = 0; i < r.count; i++) {
    describe(text, &r, i, one, sizeof one);
    strcat(got, one);
    strcat(got, ";");
  }
  CHECK_STR(got, "4:len(a)@c=len(a),f=len;6:fmt.Println(c)@c=fmt.Println(c),"
                 "g=Println;8:len(e)@c=len(e),f=len;");
  hs_searcher_free(s);
  /* A pattern without a predicate keeps every match of its own. */
  CHECK_INT(run_query("((call_expression function: (identifier) @f) @c "
                      "(#eq? @f \"cap\"))\n"
                      "((call_expression function: (selector_expression)) "
                      "@s)",
                      text, &r, &s),
            0);
  CHECK_INT(r.count, 3);
  hs_result_close(&r);
  hs_searcher_free(s);
}

/* #eq?, #not-eq?, #match? and #not-match? of @x against "a" added to
 * pattern, each over text against pattern alone. */
static void check_x_is_a(const char *pattern, const char *text, int line) {
  char with[256], without[256];
  snprintf(without, sizeof without, "(%s)", pattern);
  snprintf(with, sizeof with, "(%s (#eq? @x \"a\"))", pattern);
  check_filter(with, without, all_x_are_a, text, 1, 1, line);
  snprintf(with, sizeof with, "(%s (#not-eq? @x \"a\"))", pattern);
  check_filter(with, without, no_x_is_a, text, 1, 1, line);
  snprintf(with, sizeof with, "(%s (#match? @x \"^a$\"))", pattern);
  check_filter(with, without, all_x_are_a, text, 1, 1, line);
  snprintf(with, sizeof with, "(%s (#not-match? @x \"^a$\"))", pattern);
  check_filter(with, without, no_x_is_a, text, 1, 1, line);
}

static void test_quantified(void) {
  const char *text = "package p\n\nvar _ = f(a, a)\nvar _ = f(a, b)\n"
                     "var _ = f(b, a)\nvar _ = f(b, c)\nvar _ = f(a)\n"
                     "var _ = f()\n";
  const char *args = "(argument_list (identifier)+ @x) @args";
  char with[256], without[256];
  check_x_is_a(args, text, __LINE__);
  /* Two quantified captures, compared node by node. */
  const char *pairs = "package p\n\nvar _ = g([]int{a, b}, []int{a, b})\n"
                      "var _ = g([]int{a, b}, []int{a, c})\n"
                      "var _ = g([]int{a}, []int{a, b})\n"
                      "var _ = g([]int{b}, []int{c})\n";
  const char *two =
      "(argument_list (composite_literal body: (literal_value "
      "(literal_element (identifier) @a)+)) (composite_literal body: "
      "(literal_value (literal_element (identifier) @b)+)))";
  snprintf(without, sizeof without, "(%s)", two);
  snprintf(with, sizeof with, "(%s (#eq? @a @b))", two);
  check_filter(with, without, a_eq_b, pairs, 1, 1, __LINE__);
  /* One name captured twice in a pattern: the predicate holds for both. */
  const char *sums =
      "package p\n\nvar _ = a + a\nvar _ = a + b\nvar _ = b + a\n"
      "var _ = b + b\n";
  const char *twice =
      "(binary_expression left: (identifier) @x right: (identifier) @x) @sum";
  check_x_is_a(twice, sums, __LINE__);
  /* Two captures of two nodes each, paired in order. */
  const char *calls = "package p\n\nvar _ = h(a+b, a+b)\nvar _ = h(a+b, a+c)\n"
                      "var _ = h(a+b, c+b)\nvar _ = h(a+b, b+a)\n";
  const char *pairwise =
      "(argument_list (binary_expression left: (identifier) @a right: "
      "(identifier) @a) (binary_expression left: (identifier) @b right: "
      "(identifier) @b))";
  snprintf(without, sizeof without, "(%s)", pairwise);
  snprintf(with, sizeof with, "(%s (#eq? @a @b))", pairwise);
  check_filter(with, without, a_eq_b, calls, 1, 1, __LINE__);
  snprintf(with, sizeof with, "(%s (#not-eq? @a @b))", pairwise);
  check_filter(with, without, a_not_eq_b, calls, 1, 1, __LINE__);
}

int main(void) {
  langs = util_langs();
  if (!hs_lang_has_grammar(hs_langs_find(langs, "go"))) {
    fprintf(stderr, "no Go grammar in this build (tools/deps-grammars.sh)\n");
    hs_langs_free(langs);
    return getenv("CI") ? 1 : 77;
  }
  test_eq_captures();
  test_many_matches();
  test_patterns();
  test_quantified();
  hs_langs_free(langs);
  CHECK_DONE();
}
