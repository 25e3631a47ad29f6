/*
 * test_alloc.c: the search module under allocation failure. A scenario
 * (a language set, code, query and regex searchers, one text and a walk
 * over a folder) runs again and again with allocation N failing, for every
 * N until one run sees no failure: each run must end with 0 or HS_ENOMEM
 * at every step, free everything (ASan, valgrind), and a run without a
 * failure must give the answer of the first, unarmed, run. Only the
 * module's own allocations fail (tests/support/fail_alloc.h); tree-sitter
 * is a shared library with its own allocator.
 *
 * usage: test_search_alloc TMP
 */
#include "check.h"
#include "fail_alloc.h"
#include "heat_search.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char tmp[4096];

static const char *src = "package p\n\n"
                         "func f() {\n"
                         "\ta = append(a, 1)\n"
                         "\tfor i := 0; i < n; i++ {\n"
                         "\t\tb = append(b, a[i])\n"
                         "\t}\n"
                         "}\n";

/* One step: appends "rc:count;" to out. */
static int step(hs_langs_t *langs, hs_kind_t kind, const char *pattern,
                bool walk, char *out, size_t size) {
  hs_options_t opts;
  hs_options_init(&opts);
  opts.kind = kind;
  opts.pattern = pattern;
  opts.langs = langs;
  opts.lang = kind == HS_KIND_REGEX ? NULL : hs_langs_find(langs, "go");
  hs_searcher_t *s = NULL;
  hs_error_t err = {0};
  int rc = hs_searcher_new(&opts, &s, &err);
  size_t count = 0;
  if (rc == 0 && kind != HS_KIND_REGEX)
    rc = hs_searcher_check_capture(s, kind == HS_KIND_QUERY ? "@c" : "$x",
                                   &err);
  if (rc == 0 && !walk) {
    hs_result_t r;
    hs_result_init(&r);
    rc = hs_searcher_run(s, opts.lang, src, strlen(src), &r, &err);
    count = r.count + r.capture_total;
    hs_result_close(&r);
  } else if (rc == 0) {
    const char *paths[] = {tmp};
    hs_walk_stats_t stats = {0};
    rc = hs_searcher_walk(s, paths, 1, NULL, NULL, NULL, &stats, &err);
    count = stats.files * 1000 + stats.matches;
  }
  hs_searcher_free(s);
  size_t len = strlen(out);
  snprintf(out + len, size - len, "%d:%zu;", rc, count);
  return rc;
}

static int scenario(char *out, size_t size) {
  out[0] = '\0';
  hs_langs_t *langs = NULL;
  int rc = hs_langs_new(&langs, NULL);
  if (rc < 0)
    return rc;
  int worst = 0;
  int r[] = {
      step(langs, HS_KIND_PATTERN, "$x = append($x, $*_)", false, out, size),
      step(langs, HS_KIND_PATTERN, "for $*_; $x < $_; $*_ { $*_ }", false, out,
           size),
      step(langs, HS_KIND_QUERY,
           "((call_expression function: (identifier) @f) @c "
           "(#eq? @f \"append\") (#match? @f \"^ap\"))",
           false, out, size),
      step(langs, HS_KIND_REGEX, "append\\(", false, out, size),
      step(langs, HS_KIND_PATTERN, "$x = append($x, $*_)", true, out, size),
      step(langs, HS_KIND_REGEX, "append", true, out, size),
  };
  for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
    if (r[i] != 0 && r[i] != HS_ENOMEM) {
      fprintf(stderr, "step %zu: unexpected code %d\n", i, r[i]);
      worst = -100;
    } else if (r[i] != 0 && worst == 0) {
      worst = r[i];
    }
  }
  hs_langs_free(langs);
  return worst;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_search_alloc TMP\n");
    return 2;
  }
  snprintf(tmp, sizeof tmp, "%s", argv[1]);
  mkdir(tmp, 0755);
  char path[8192];
  snprintf(path, sizeof path, "%s/a.go", tmp);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return 2;
  fputs(src, f);
  fclose(f);
  snprintf(path, sizeof path, "%s/b.txt", tmp);
  f = fopen(path, "w");
  if (f == NULL)
    return 2;
  fputs("append\n", f);
  fclose(f);

  char want[1024], got[1024];
  CHECK_INT(scenario(want, sizeof want), 0);
  printf("unarmed: %s\n", want);
  long n;
  for (n = 1; n < 100000; n++) {
    fail_alloc_arm(n, 0);
    int rc = scenario(got, sizeof got);
    int failed = fail_alloc_failed();
    fail_alloc_disarm();
    if (!failed) {
      CHECK_INT(rc, 0);
      CHECK_STR(got, want);
      break;
    }
    CHECK(rc == 0 || rc == HS_ENOMEM);
    if (rc == 0) /* a failure must not be swallowed into a wrong answer */
      CHECK_STR(got, want);
  }
  printf("%ld allocations failed in turn\n", n - 1);
  CHECK(n > 50);
  CHECK_DONE();
}
