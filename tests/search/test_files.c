/*
 * test_files.c: the walk and bad input. A folder is made under TMP with
 * sources, a vendor/ and a .git/ folder, a binary file, a dangling link
 * and (when not root) a file without read permission; a 50 MB generated
 * source is searched in bounded time; languages without a grammar; user
 * grammars; and the heat of line ranges on a real profile.
 *
 * usage: test_search_files TMP PROFILE FAKE_GRAMMAR_SO [GO_GRAMMAR_SO]
 */
#include "check.h"
#include "internal.h"
#include "search_util.h"

#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static hs_langs_t *langs;
static char tmp[4096];

static void put_n(const char *rel, const char *text, size_t n) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", tmp, rel);
  FILE *f = fopen(path, "wb");
  if (f == NULL) {
    fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
    exit(1);
  }
  fwrite(text, 1, n, f);
  fclose(f);
}

static void put(const char *rel, const char *text) {
  put_n(rel, text, strlen(text));
}

static void sub(const char *rel) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", tmp, rel);
  mkdir(path, 0755);
}

/* What a walk reported: files with their match lines, and warnings. */
typedef struct log {
  char text[8192];
  size_t len;
} log_t;

static void logf_(log_t *l, const char *fmt, const char *a, const char *b) {
  int n = snprintf(l->text + l->len, sizeof l->text - l->len, fmt, a, b);
  if (n > 0 && (size_t)n < sizeof l->text - l->len)
    l->len += (size_t)n;
}

/* Paths relative to tmp. */
static const char *rel(const char *path) {
  size_t n = strlen(tmp);
  return strncmp(path, tmp, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

static int on_file(void *data, const hs_file_t *f) {
  log_t *l = data;
  char lines[64];
  snprintf(lines, sizeof lines, "%zu", f->result->count);
  logf_(l, "%s:%s ", rel(f->path), lines);
  return 0;
}

static void on_warning(void *data, const char *path, const hs_error_t *err) {
  log_t *l = data;
  logf_(l, "warn[%s: %s] ", path ? rel(path) : "-", err->message);
}

static int walk(hs_kind_t kind, const char *lang, const char *pattern,
                const char *const *paths, size_t n, log_t *l,
                hs_error_t *err) {
  hs_options_t opts;
  hs_options_init(&opts);
  opts.kind = kind;
  opts.pattern = pattern;
  opts.langs = langs;
  opts.lang = lang ? hs_langs_find(langs, lang) : NULL;
  hs_searcher_t *s = NULL;
  memset(l, 0, sizeof *l);
  int rc = hs_searcher_new(&opts, &s, err);
  if (rc == 0)
    rc = hs_searcher_walk(s, paths, n, on_file, on_warning, l, NULL, err);
  hs_searcher_free(s);
  return rc;
}

static void test_walk(void) {
  sub("src");
  sub("src/vendor");
  sub("src/.git");
  sub("src/sub");
  put("src/a.go", "package p\n\nfunc f() { g(1); g(2) }\n");
  put("src/sub/b.go", "package p\n\nfunc h() { g(3) }\n");
  put("src/vendor/v.go", "package v\n\nfunc f() { g(4) }\n");
  put("src/.git/x.go", "package x\n\nfunc f() { g(5) }\n");
  put("src/notes.txt", "g(6) in a text file\n");
  put_n("src/bin.go", "package p\n\x00\x01g(7)\n", 17);
  char path[8192];
  snprintf(path, sizeof path, "%s/src/broken.go", tmp);
  unlink(path);
  CHECK_INT(symlink("no-such-target.go", path), 0);
  bool root = geteuid() == 0;
  if (!root) {
    put("src/locked.go", "package p\n\nfunc f() { g(8) }\n");
    snprintf(path, sizeof path, "%s/src/locked.go", tmp);
    chmod(path, 0);
  }
  snprintf(path, sizeof path, "%s/src", tmp);
  const char *paths[] = {path};
  log_t l;
  hs_error_t err = {0};
  CHECK_INT(walk(HS_KIND_PATTERN, NULL, "g($_)", paths, 1, &l, &err), 0);
  /* Sorted by name; vendor/ and .git/ skipped, the binary file quietly,
   * the dangling link and the locked file with a warning; the walk goes
   * on after them. */
  if (root)
    CHECK_STR(l.text, "src/a.go:2 warn[src/broken.go: cannot open: No such "
                      "file or directory] src/sub/b.go:1 ");
  else
    CHECK_STR(l.text, "src/a.go:2 warn[src/broken.go: cannot open: No such "
                      "file or directory] warn[src/locked.go: cannot open: "
                      "Permission denied] src/sub/b.go:1 ");
  /* vendor/ and a binary file named explicitly are searched / warned. */
  char vendor[8192], bin[8192];
  snprintf(vendor, sizeof vendor, "%s/src/vendor", tmp);
  snprintf(bin, sizeof bin, "%s/src/bin.go", tmp);
  const char *named[] = {vendor, bin};
  CHECK_INT(walk(HS_KIND_PATTERN, NULL, "g($_)", named, 2, &l, &err), 0);
  CHECK_STR(l.text, "src/vendor/v.go:1 warn[src/bin.go: binary file: "
                    "skipped] ");
  /* A regex reads every text file. */
  CHECK_INT(walk(HS_KIND_REGEX, NULL, "g\\([0-9]\\)", paths, 1, &l, &err), 0);
  CHECK(strstr(l.text, "src/notes.txt:1 ") != NULL);
  CHECK(strstr(l.text, "bin.go") == NULL);
  /* A missing path is a warning too. */
  char missing[8192];
  snprintf(missing, sizeof missing, "%s/nope", tmp);
  const char *gone[] = {missing};
  CHECK_INT(walk(HS_KIND_PATTERN, NULL, "g($_)", gone, 1, &l, &err), 0);
  CHECK_STR(l.text, "warn[nope: cannot stat: No such file or directory] ");
  /* --lang: a named file is read as that language whatever its name. */
  char txt[8192];
  snprintf(txt, sizeof txt, "%s/src/other.txt", tmp);
  put("src/other.txt", "package p\nfunc f() { g(9) }\n");
  const char *as_go[] = {txt};
  CHECK_INT(walk(HS_KIND_PATTERN, "go", "g($_)", as_go, 1, &l, &err), 0);
  CHECK_STR(l.text, "src/other.txt:1 ");
  /* A pattern that parses in no language met is an error. */
  CHECK_INT(walk(HS_KIND_PATTERN, NULL, "g(", paths, 1, &l, &err),
            HS_EPATTERN);
  CHECK_STR(err.message,
            "pattern does not parse as go code: syntax error at column 2");
  /* The dangling link would warn in every walk below. */
  snprintf(path, sizeof path, "%s/src/broken.go", tmp);
  unlink(path);
}

static void test_large_file(void) {
  /* 50 MB of generated Go: searched or skipped, in bounded time. */
  char path[8192];
  snprintf(path, sizeof path, "%s/large.go", tmp);
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f == NULL)
    return;
  fputs("package p\n\nvar table = []int{\n", f);
  size_t written = 0;
  for (unsigned i = 0; written < ((size_t)50 << 20); i++) {
    int n = fprintf(f, "\t%u, %u, %u, %u, %u, %u, %u, %u,\n", i, i + 1, i + 2,
                    i + 3, i + 4, i + 5, i + 6, i + 7);
    written += (size_t)n;
  }
  fputs("}\n\nfunc f() { g(1) }\n", f);
  fclose(f);
  const char *paths[] = {path};
  log_t l;
  hs_error_t err = {0};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_INT(walk(HS_KIND_PATTERN, NULL, "g($_)", paths, 1, &l, &err), 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) +
             (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("50 MB file: %.2fs: %s\n", s, l.text);
  CHECK(strcmp(l.text, "large.go:1 ") == 0 ||
        strstr(l.text, "warn[large.go: parsing took over") != NULL);
  CHECK(s < 240); /* parse timeout 30 s, then the walk of the tree; a loaded
                     machine */
  /* With a smaller cap the same file is skipped at once. */
  hs_options_t opts;
  hs_options_init(&opts);
  opts.pattern = "g($_)";
  opts.langs = langs;
  opts.max_file_size = 1 << 20;
  hs_searcher_t *sr = NULL;
  CHECK_INT(hs_searcher_new(&opts, &sr, &err), 0);
  memset(&l, 0, sizeof l);
  CHECK_INT(
      hs_searcher_walk(sr, paths, 1, on_file, on_warning, &l, NULL, &err), 0);
  CHECK(strstr(l.text, "over the limit of 1048576: skipped") != NULL);
  hs_searcher_free(sr);
  /* A parse timeout turns into a warning, not a hang. */
  hs_options_init(&opts);
  opts.pattern = "g($_)";
  opts.langs = langs;
  opts.parse_timeout_us = 1000;
  CHECK_INT(hs_searcher_new(&opts, &sr, &err), 0);
  memset(&l, 0, sizeof l);
  CHECK_INT(
      hs_searcher_walk(sr, paths, 1, on_file, on_warning, &l, NULL, &err), 0);
  CHECK_STR(l.text, "warn[large.go: parsing took over 0.0s, skipped] ");
  hs_searcher_free(sr);
  unlink(path);
}

static void test_no_grammar(void) {
  /* A language whose grammar is not compiled in (as in a build without
   * tools/deps-grammars.sh): its files are skipped, and a search that
   * found nothing else is an error. */
  hs_lang_t *go = (hs_lang_t *)hs_langs_find(langs, "go");
  const TSLanguage *saved = go->ts;
  go->ts = NULL;
  char path[8192];
  snprintf(path, sizeof path, "%s/src", tmp);
  const char *paths[] = {path};
  log_t l;
  hs_error_t err = {0};
  CHECK_INT(walk(HS_KIND_PATTERN, NULL, "g($_)", paths, 1, &l, &err),
            HS_ENOGRAMMAR);
  CHECK_STR(l.text, "");
  CHECK_STR(err.message, "no tree-sitter grammar in this build for the files "
                         "searched (heatls --version lists the languages)");
  CHECK_INT(walk(HS_KIND_PATTERN, "go", "g($_)", paths, 1, &l, &err),
            HS_ENOGRAMMAR);
  CHECK_STR(err.message, "no tree-sitter grammar for go in this build");
  /* With a file of another language searched: a warning. */
  if (hs_lang_has_grammar(hs_langs_find(langs, "python"))) {
    put("src/sub/c.py", "g(1)\n");
    CHECK_INT(walk(HS_KIND_PATTERN, NULL, "g($_)", paths, 1, &l, &err), 0);
    CHECK_STR(l.text, "src/sub/c.py:1 warn[-: no tree-sitter grammar for go "
                      "in this build: its files are skipped] ");
    char py[8192];
    snprintf(py, sizeof py, "%s/src/sub/c.py", tmp);
    unlink(py);
  }
  /* A regex needs no grammar. */
  CHECK_INT(walk(HS_KIND_REGEX, NULL, "g\\(1\\)", paths, 1, &l, &err), 0);
  CHECK_STR(l.text, "src/a.go:1 ");
  go->ts = saved;
  CHECK(hs_langs_find(langs, "rust") == NULL);
  CHECK(hs_langs_for_path(langs, "x.rs") == NULL);
  CHECK_STR(hs_lang_name(hs_langs_for_path(langs, "dir/x.go")), "go");
  CHECK(hs_langs_for_path(langs, ".go") == NULL);
}

static void test_grammars(const char *fake, const char *go_so) {
  hs_langs_t *set = util_langs();
  hs_error_t err = {0};
  CHECK_INT(hs_langs_load_grammar(set, "/no/such/dir/go.so", NULL, &err),
            HS_EGRAMMAR);
  CHECK_STR(err.message, "grammar /no/such/dir/go.so: no such file");
  CHECK_INT(hs_langs_load_grammar(set, tmp, "go", &err), HS_EGRAMMAR);
  CHECK(strstr(err.message, ": not a regular file") != NULL);
  CHECK_INT(hs_langs_load_grammar(set, fake, NULL, &err), HS_EGRAMMAR);
  char want[8192];
  snprintf(want, sizeof want,
           "grammar %s: ABI 99, this tree-sitter reads ABI 13 to 14", fake);
  CHECK_STR(err.message, want);
  CHECK_INT(hs_langs_load_grammar(set, fake, "nosuch", &err), HS_EGRAMMAR);
  snprintf(want, sizeof want, "grammar %s: no function tree_sitter_nosuch",
           fake);
  CHECK_STR(err.message, want);
  CHECK_INT(hs_langs_load_grammar(set, fake, "bad-name!", &err), HS_EGRAMMAR);
  /* A file that is not a shared object. */
  char notso[8192];
  snprintf(notso, sizeof notso, "%s/src/a.go", tmp);
  CHECK_INT(hs_langs_load_grammar(set, notso, "go", &err), HS_EGRAMMAR);
  CHECK(strstr(err.message, "cannot load") != NULL);
  CHECK(hs_langs_find(set, "fake") == NULL);
  if (go_so) {
    /* libtree-sitter-go.so: the name says "go"; it replaces the built-in
     * grammar and searches as well. */
    hs_lang_t *go = (hs_lang_t *)hs_langs_find(set, "go");
    go->ts = NULL;
    CHECK_INT(hs_langs_load_grammar(set, go_so, NULL, &err), 0);
    CHECK(hs_lang_has_grammar(go));
    char *got = find(set, "go", "f($x)", "package p\nvar _ = f(1)\n");
    CHECK_STR(got, "2-2:f(1)");
    free(got);
    /* Under another name: a language of its own, files ".name". */
    CHECK_INT(hs_langs_load_grammar(set, go_so, "go2", &err), HS_EGRAMMAR);
    CHECK_STR(hs_lang_name(hs_langs_for_path(set, "x.go")), "go");
  }
  hs_langs_free(set);
}

static void test_heat(const char *profile) {
  hx_index_t *index = NULL;
  hx_options_t o;
  hx_options_init(&o);
  hx_error_t herr = {0};
  /* The whole file in memory: the index reads no files itself. */
  FILE *f = fopen(profile, "rb");
  static char bytes[1 << 20];
  size_t size = f ? fread(bytes, 1, sizeof bytes, f) : 0;
  if (f)
    fclose(f);
  CHECK_INT(hx_index_load_buffer(bytes, size, &o, &index, &herr), 0);
  if (index == NULL)
    return;
  long file =
      hx_index_find_file(index, "/usr/lib/go-1.19/src/unicode/utf8/utf8.go");
  CHECK(file >= 0);
  hs_heat_t heat = {index, NULL, NULL, 1, 0};
  hs_line_heat_t h;
  /* Every line on its own: the highest level of its points. */
  size_t lines = 0;
  for (uint32_t line = 1; line < 600; line++) {
    const uint32_t *ids = NULL;
    size_t n = hx_index_file_lines(index, (size_t)file, line, line, &ids);
    uint8_t g = 0, lo = 0;
    for (size_t i = 0; i < n; i++) {
      const hx_point_t *p = hx_index_point(index, ids[i]);
      g = p->global > g ? p->global : g;
      lo = p->local > lo ? p->local : lo;
    }
    int hot = hs_heat_range(&heat, file, line, line, &h);
    CHECK_INT(hot, g >= 1);
    CHECK_INT(h.global, g);
    CHECK_INT(h.local, lo);
    CHECK_INT(h.line, n ? line : 0);
    lines += n > 0;
  }
  CHECK(lines > 10);
  /* docs/cli.md: line 380 is G4, 151 G2, 157 and 158 G0 (L0). */
  CHECK_INT(hs_heat_range(&heat, file, 380, 380, &h), 1);
  CHECK_INT(h.global, 4);
  CHECK_INT(hs_heat_range(&heat, file, 157, 158, &h), 0);
  CHECK_INT(h.global, 0);
  CHECK_INT(hs_heat_range(&heat, file, 150, 158, &h), 1);
  CHECK_INT(h.line, 151);
  heat.min_level = 3;
  CHECK_INT(hs_heat_range(&heat, file, 150, 158, &h), 0);
  heat.local = 1;
  CHECK_INT(hs_heat_range(&heat, file, 150, 158, &h), 1);
  CHECK_INT(h.local, 4);
  /* Nothing: no file, a range without points, a bad range. */
  CHECK_INT(hs_heat_range(&heat, -1, 1, 10, &h), 0);
  CHECK_INT(h.line, 0);
  CHECK_INT(hs_heat_range(&heat, file, 1, 2, &h), 0);
  CHECK_INT(hs_heat_range(&heat, file, 10, 2, &h), 0);
  hx_index_free(index);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: test_search_files TMP PROFILE FAKE_SO [GO_SO]\n");
    return 2;
  }
  snprintf(tmp, sizeof tmp, "%s", argv[1]);
  mkdir(tmp, 0755);
  langs = util_langs();
  if (!hs_lang_has_grammar(hs_langs_find(langs, "go"))) {
    fprintf(stderr, "no Go grammar compiled in (tools/deps-grammars.sh)\n");
    hs_langs_free(langs);
    return 1;
  }
  test_walk();
  test_large_file();
  test_no_grammar();
  test_grammars(argv[3], argc > 4 ? argv[4] : NULL);
  test_heat(argv[2]);
  hs_langs_free(langs);
  CHECK_DONE();
}
