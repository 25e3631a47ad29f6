/*
 * test_match.c: the structural matcher through the public API: code
 * patterns with metavariables, in Go (and C and Python when their
 * grammars are compiled in), matched against small sources.
 */
#include "check.h"
#include "search_util.h"

static hs_langs_t *langs;

#define FIND_EQ(lang, pattern, text, want)                                    \
  do {                                                                        \
    char *got_ = find(langs, lang, pattern, text);                            \
    CHECK_STR(got_, want);                                                    \
    free(got_);                                                               \
  } while (0)

#define GO(body) "package p\n\nfunc f() {\n" body "}\n"

static void test_binding(void) {
  /* $x binds once; the same name must match the same code again. */
  FIND_EQ("go", "$x = append($x, $*_)",
          GO("\ta = append(a, 1)\n\tb = append(c, 2)\n\ts.f = append(s.f)\n"),
          "4-4:a = append(a, 1) | 6-6:s.f = append(s.f)");
  /* Structure, not spelling: spacing and comments do not count. */
  FIND_EQ("go", "$x + $x", GO("\t_ = a.b + a. /* c */ b\n\t_ = a + b\n"),
          "4-4:a.b + a. /* c */ b");
  /* $_ is a new wildcard at each use. */
  FIND_EQ("go", "$_ + $_", GO("\t_ = a + b\n"), "4-4:a + b");
  /* A literal leaf must have the same text. */
  FIND_EQ("go", "f(1)", GO("\tf(1)\n\tf(2)\n\tg(1)\n"), "4-4:f(1)");
}

static void test_captures(void) {
  hs_options_t opts;
  hs_options_init(&opts);
  opts.pattern = "copy($dst, $*rest)";
  opts.langs = langs;
  opts.lang = hs_langs_find(langs, "go");
  hs_searcher_t *s = NULL;
  hs_error_t err = {0};
  CHECK_INT(hs_searcher_new(&opts, &s, &err), 0);
  CHECK_INT(hs_searcher_check_capture(s, "$dst", &err), 0);
  CHECK_INT(hs_searcher_check_capture(s, "rest", &err), 0);
  CHECK_INT(hs_searcher_check_capture(s, "$nope", &err), HS_ECAPTURE);
  CHECK_STR(err.message, "the pattern has no capture named $nope");
  CHECK_INT(hs_searcher_check_capture(s, "$_", &err), HS_ECAPTURE);
  const char *text = GO("\tcopy(b[1:], c, d)\n\tcopy(x)\n");
  hs_result_t r;
  hs_result_init(&r);
  CHECK_INT(hs_searcher_run(s, opts.lang, text, strlen(text), &r, &err), 0);
  CHECK_INT(r.count, 2);
  if (r.count == 2) {
    CHECK_INT(r.matches[0].capture_count, 2);
    const hs_capture_t *c = &r.captures[r.matches[0].first_capture];
    CHECK_STR(c[0].name, "dst");
    CHECK_MEM(text + c[0].start, c[0].end - c[0].start, "b[1:]");
    CHECK_STR(c[1].name, "rest");
    CHECK_MEM(text + c[1].start, c[1].end - c[1].start, "c, d");
    CHECK_INT(c[1].first_line, 4);
    /* An empty $*rest: a capture without lines. */
    const hs_capture_t *e = &r.captures[r.matches[1].first_capture + 1];
    CHECK_STR(e->name, "rest");
    CHECK_INT(e->first_line, 0);
    CHECK_INT(e->end - e->start, 0);
  }
  hs_result_close(&r);
  hs_searcher_free(s);
}

static void test_sequences(void) {
  const char *calls = GO("\tf()\n\tf(1)\n\tf(1, 2)\n\tf(1, 2, 3)\n");
  FIND_EQ("go", "f($*_)", calls,
          "4-4:f() | 5-5:f(1) | 6-6:f(1, 2) | 7-7:f(1, 2, 3)");
  FIND_EQ("go", "f($x, $*_)", calls,
          "5-5:f(1) | 6-6:f(1, 2) | 7-7:f(1, 2, 3)");
  FIND_EQ("go", "f($*_, 3)", calls, "7-7:f(1, 2, 3)");
  FIND_EQ("go", "f($*a, 2, $*b)", calls, "6-6:f(1, 2) | 7-7:f(1, 2, 3)");
  /* The same sequence twice. */
  FIND_EQ("go", "g($*a, $*a)", GO("\tg(1, 2, 1, 2)\n\tg(1, 2, 2, 1)\n\tg()\n"),
          "4-4:g(1, 2, 1, 2) | 6-6:g()");
  /* Returns: the values as a list, none included. */
  FIND_EQ("go", "return $*_",
          "package p\nfunc f() {\n\treturn\n}\nfunc g() (int, int) "
          "{\n\treturn 1, 2\n}\n",
          "3-3:return | 6-6:return 1, 2");
  FIND_EQ("go", "return $x",
          "package p\nfunc f() {\n\treturn\n}\nfunc g() (int, int) "
          "{\n\treturn 1, 2\n}\nfunc h() int { return 3 }\n",
          "8-8:return 3");
  /* Blocks: { $*_ } is any block, { $x } a block of one statement. */
  FIND_EQ("go", "if $c { $x }",
          GO("\tif a {\n\t}\n\tif b {\n\t\tx()\n\t}\n\tif c "
             "{\n\t\tx()\n\t\ty()\n\t}\n"),
          "6-8:if b {");
}

static void test_statements(void) {
  /* An expression pattern matches inside statements and other
   * expressions; a statement pattern only statements. */
  FIND_EQ("go", "$x.String()", GO("\tprintln(a.String())\n\tb.c.String()\n"),
          "4-4:a.String() | 5-5:b.c.String()");
  FIND_EQ("go", "$x++", GO("\ti++\n\tfor j := 0; j < 2; j++ {\n\t}\n"),
          "4-4:i++ | 5-5:j++");
  /* Several statements: a run of consecutive statements of one block. */
  FIND_EQ("go", "$x := $_; return $x",
          GO("\tv := 1\n\treturn v\n\tw := 2\n\tprint(w)\n\treturn w\n"),
          "4-5:v := 1");
  /* Declarations. */
  FIND_EQ(
      "go", "func $name() { $*_ }",
      "package p\n\nfunc a() {}\n\nfunc b(x int) {}\n\nfunc c() {\n\tx()\n}\n",
      "3-3:func a() {} | 7-9:func c() {");
  /* for: a bare condition, a three-clause loop and a range are three
   * kinds, as in go/ast; `for $*_` stands for the condition only. */
  const char *loops = GO("\tfor {\n\t}\n\tfor a {\n\t}\n"
                         "\tfor i := 0; i < n; i++ {\n\t}\n"
                         "\tfor _, v := range s {\n\t}\n"
                         "\tfor k := range m {\n\t}\n");
  FIND_EQ("go", "for $*_ { $*_ }", loops, "6-7:for a {");
  FIND_EQ("go", "for $_, $_ := range $_ { $*_ }", loops,
          "10-11:for _, v := range s {");
  FIND_EQ("go", "for $k := range $_ { $*_ }", loops,
          "12-13:for k := range m {");
  FIND_EQ("go", "for $i := 0; $i < $_; $i++ { $*_ }", loops,
          "8-9:for i := 0; i < n; i++ {");
  /* if without an else is not an if with one. */
  FIND_EQ("go", "if $c { $*_ }",
          GO("\tif a {\n\t} else {\n\t}\n\tif b {\n\t}\n"), "7-8:if b {");
  /* Index expressions the grammar reads as generic types. */
  FIND_EQ("go", "$x[$_]", GO("\tfor i < n && t[s[i]] != 0 {\n\t}\n"),
          "4-4:t[s[i]] | 4-4:s[i]");
}

static void test_nested(void) {
  FIND_EQ("go", "append($*_)", GO("\tx = append(append(a, 1), append(b))\n"),
          "4-4:append(append(a, 1), append(b)) | 4-4:append(a, 1) | "
          "4-4:append(b)");
  FIND_EQ("go", "if $c { $*_ }", GO("\tif a {\n\t\tif b {\n\t\t}\n\t}\n"),
          "4-7:if a { | 5-6:if b {");
}

/* The deliberate differences from gogrep of docs/search.md. */
static void test_gogrep_differences(void) {
  /* Two equal matches on one line are two matches (gogrep's recorded
   * rows in ../shared/search hold one row per file, lines and text). */
  FIND_EQ("go", "len($_)", GO("\t_ = len(s) + len(s)\n"),
          "4-4:len(s) | 4-4:len(s)");
  /* `for ; c; {}` is `for c {}`, as in go/ast (and `for ;; {}` is
   * `for {}`): not a difference any more. */
  FIND_EQ("go", "for $*_ { $*_ }",
          GO("\tfor ; c; {\n\t}\n\tfor ;; {\n\t}\n\tfor ; c; i++ {\n\t}\n"),
          "4-5:for ; c; {");
  FIND_EQ("go", "for ; $c; { $*_ }", GO("\tfor c {\n\t}\n\tfor ; d; {\n\t}\n"),
          "4-5:for c { | 6-7:for ; d; {");
  /* Several type arguments: not one index. */
  FIND_EQ("go", "$x[$_]", GO("\t_ = f[int, string]\n\t_ = g[int]\n"),
          "5-5:g[int]");
  /* A lone metavariable matches each span once, not each of the grammar's
   * wrapper nodes that share it. */
  FIND_EQ("go", "$x", "package p\nvar v = f(a)\n",
          "1-2:package p | 1-1:package p | 1-1:p | 2-2:var v = f(a) | "
          "2-2:v = f(a) | 2-2:v | 2-2:f(a) | 2-2:f | 2-2:(a) | 2-2:a");
}

/* Many metavariables: the rewritten pattern is much longer than the
 * user's. */
static void test_many_variables(void) {
  char pattern[40000], text[40000];
  size_t p = 0, t = 0;
  p += (size_t)snprintf(pattern + p, sizeof pattern - p, "f(");
  t += (size_t)snprintf(text + t, sizeof text - t, "package p\nvar _ = f(");
  for (int i = 0; i < 5000; i++) {
    p += (size_t)snprintf(pattern + p, sizeof pattern - p, "%s$a",
                          i ? "," : "");
    t += (size_t)snprintf(text + t, sizeof text - t, "%s1", i ? "," : "");
  }
  snprintf(pattern + p, sizeof pattern - p, ")");
  snprintf(text + t, sizeof text - t, ")\n");
  char *got = find(langs, "go", pattern, text);
  CHECK(strncmp(got, "2-2:f(1,1,1", 11) == 0);
  free(got);
  /* The densest: "$a" after "$a", 2 bytes each, 5.5 times longer. */
  for (p = 0; p + 2 < 30000; p += 2)
    memcpy(pattern + p, "$a", 2);
  pattern[p] = '\0';
  got = find(langs, "go", pattern, "package p\n");
  CHECK_STR(got, "ERROR bad metavariable at column 3: it follows a name "
                 "without a space");
  free(got);
}

/* Patterns made of random Go tokens and metavariables, over a real
 * source: each compiles or is refused with HS_EPATTERN, and runs without
 * a crash (the sanitizer build checks memory). */
static void test_random_patterns(void) {
  static const char *tokens[] = {"$x",     "$_",  "$*_", "$*y",   "f",
                                 "(",      ")",   "{",   "}",     "[",
                                 "]",      ",",   ";",   "\n",    "=",
                                 ":=",     "+",   "if",  "for",   "range",
                                 "return", "x",   "1",   "\"s\"", ".",
                                 "func",   "var", "go",  "&&",    "!",
                                 "*",      "..."};
  const char *text = "package p\n\nfunc f(x []int) (r int) {\n"
                     "\tfor _, v := range x {\n\t\tif v > 1 && !g(v) {\n"
                     "\t\t\tr += v\n\t\t}\n\t}\n\tgo f(x[1:]...)\n"
                     "\treturn r\n}\n";
  hs_options_t opts;
  hs_options_init(&opts);
  opts.langs = langs;
  opts.lang = hs_langs_find(langs, "go");
  unsigned state = 12345;
  int compiled = 0, refused = 0, bad = 0;
  for (int round = 0; round < 3000; round++) {
    char pattern[256] = "";
    int n = 1 + (int)((state = state * 1103515245u + 12345u) >> 16) % 8;
    for (int i = 0; i < n; i++) {
      state = state * 1103515245u + 12345u;
      const char *t = tokens[(state >> 16) % (sizeof tokens / sizeof *tokens)];
      strncat(pattern, t, sizeof pattern - strlen(pattern) - 2);
      strcat(pattern, " ");
    }
    opts.pattern = pattern;
    hs_searcher_t *s = NULL;
    hs_error_t err = {0};
    int rc = hs_searcher_new(&opts, &s, &err);
    if (rc == 0) {
      hs_result_t r;
      hs_result_init(&r);
      rc = hs_searcher_run(s, opts.lang, text, strlen(text), &r, &err);
      hs_result_close(&r);
      compiled++;
    } else {
      refused++;
    }
    if (rc != 0 && rc != HS_EPATTERN) {
      fprintf(stderr, "pattern \"%s\": %d %s\n", pattern, rc, err.message);
      bad++;
    }
    hs_searcher_free(s);
  }
  CHECK_INT(bad, 0);
  CHECK(compiled > 100);
  CHECK(refused > 100);
}

/* Sources made of random tokens (syntax errors, missing nodes) under
 * patterns of every shape: no crash, no error. */
static void test_random_sources(void) {
  static const char *tokens[] = {
      "f",      "(",   ")",   "{",     "}",    "[",       "]",   ",",
      ";",      "\n",  "=",   ":=",    "+",    "if",      "for", "range",
      "return", "x",   "1",   "\"s\"", ".",    "func",    "var", "append",
      "len",    "err", "nil", "!=",    "else", "/* c */", "`r`", "'c'"};
  static const char *patterns[] = {"append($*_)",
                                   "for $*_ { $*_ }",
                                   "$x = append($x, $*_)",
                                   "$x[$_]",
                                   "if err != nil { return $*_ }",
                                   "$x := $_; return $x",
                                   "$x",
                                   "for $_, $_ := range $_ { $*_ }",
                                   "f($*a, $*a)"};
  unsigned state = 777;
  int bad = 0;
  for (size_t k = 0; k < sizeof patterns / sizeof *patterns; k++) {
    hs_options_t opts;
    hs_options_init(&opts);
    opts.langs = langs;
    opts.lang = hs_langs_find(langs, "go");
    opts.pattern = patterns[k];
    hs_searcher_t *s = NULL;
    hs_error_t err = {0};
    CHECK_INT(hs_searcher_new(&opts, &s, &err), 0);
    for (int round = 0; s && round < 300; round++) {
      char text[1024] = "package p\nfunc g() {\n";
      int n = 1 + (int)((state = state * 1103515245u + 12345u) >> 16) % 60;
      for (int i = 0; i < n; i++) {
        state = state * 1103515245u + 12345u;
        strcat(text, tokens[(state >> 16) % (sizeof tokens / sizeof *tokens)]);
        strcat(text, (state >> 8) & 1 ? " " : "");
      }
      hs_result_t r;
      hs_result_init(&r);
      if (hs_searcher_run(s, opts.lang, text, strlen(text), &r, &err) != 0)
        bad++;
      for (size_t i = 0; i < r.count; i++)
        if (r.matches[i].end > strlen(text) ||
            r.matches[i].start > r.matches[i].end ||
            r.matches[i].first_line > r.matches[i].last_line)
          bad++;
      hs_result_close(&r);
    }
    hs_searcher_free(s);
  }
  CHECK_INT(bad, 0);
}

static void test_parse_errors(void) {
  FIND_EQ("go", "for (", GO(""),
          "ERROR pattern does not parse as go code: syntax error at column 1");
  FIND_EQ("go", "f(1, )) + ", GO(""),
          "ERROR pattern does not parse as go code: syntax error at column 7");
  FIND_EQ("go", "f($)", GO(""),
          "ERROR bad metavariable at column 3: '$' must be followed by a name "
          "($x, $_, $*x or $*_)");
  FIND_EQ("go", "$1 + 2", GO(""),
          "ERROR bad metavariable at column 1: '$' must be followed by a name "
          "($x, $_, $*x or $*_)");
  FIND_EQ("go", "  \n ", GO(""), "ERROR empty pattern");
  /* A metavariable's column counts in the user's text. */
  FIND_EQ(
      "go", "f($longname) )", GO(""),
      "ERROR pattern does not parse as go code: syntax error at column 14");
}

static void test_other_languages(void) {
  if (hs_lang_has_grammar(hs_langs_find(langs, "c")))
    FIND_EQ("c", "$p = malloc($n * $m)",
            "void f(void) {\n  p = malloc(n * 8);\n  q = malloc(4);\n"
            "  r = calloc(n * 8);\n}\n",
            "2-2:p = malloc(n * 8)");
  if (hs_lang_has_grammar(hs_langs_find(langs, "c")))
    /* `$body;` is any statement, braces or not. */
    FIND_EQ(
        "c", "while ($c) $body;",
        "void f(void) {\n  while (a) b++;\n  while (c) {\n    d();\n  }\n}\n",
        "2-2:while (a) b++; | 3-5:while (c) {");
  if (hs_lang_has_grammar(hs_langs_find(langs, "python")))
    FIND_EQ("python", "len($x) == 0",
            "if len(a) == 0:\n    pass\nif len(b) > 0:\n    pass\n",
            "1-1:len(a) == 0");
}

int main(void) {
  langs = util_langs();
  if (!hs_lang_has_grammar(hs_langs_find(langs, "go"))) {
    fprintf(stderr, "no Go grammar compiled in (tools/deps-grammars.sh)\n");
    hs_langs_free(langs);
    return 1;
  }
  test_binding();
  test_captures();
  test_sequences();
  test_statements();
  test_nested();
  test_gogrep_differences();
  test_many_variables();
  test_random_patterns();
  test_random_sources();
  test_parse_errors();
  test_other_languages();
  hs_langs_free(langs);
  CHECK_DONE();
}
