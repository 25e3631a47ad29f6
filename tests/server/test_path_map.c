/*
 * test_path_map.c: profile file paths <-> local paths (server/path_map.h),
 * rule by rule. The local side is a directory tree the test makes under
 * mkdtemp() and removes at the end. The linker routes the module's malloc,
 * calloc and realloc through this file, which counts them and can fail
 * each in turn (test_allocation_failures).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fail_alloc.h"
#include "path_map.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *kind_name(srv_match_kind_t kind) {
  static const char *const names[] = {"NONE", "EXACT", "MAPPING", "SUFFIX",
                                      "AMBIGUOUS"};
  return (unsigned)kind < N(names) ? names[kind] : "?";
}

static srv_path_map_t *make_map(const char *const *paths, size_t count) {
  srv_path_map_t *m = NULL;
  CHECK_INT(srv_path_map_new(paths, count, &m), 0);
  CHECK(m != NULL);
  return m;
}

/* to_profile(local) must give kind, file and components. */
#define TO_PROFILE(m, local, ctx, kind, file, comps)                          \
  expect_profile(__LINE__, m, local, ctx, kind, file, comps)
static void expect_profile(int line, const srv_path_map_t *m,
                           const char *local, const srv_path_context_t *ctx,
                           srv_match_kind_t kind, long file, size_t comps) {
  srv_match_t r = srv_path_map_to_profile(m, local, ctx);
  check_count++;
  if (r.kind != kind || r.file != file || r.components != comps)
    CHECK_FAIL_AT(__FILE__, line,
                  "to_profile(%.80s): %s file %ld components %zu, "
                  "want %s file %ld components %zu",
                  local ? local : "(null)", kind_name(r.kind), r.file,
                  r.components, kind_name(kind), file, comps);
}

/* to_local(file) must give kind, components and the path want (NULL:
 * none, and then match.file is -1). */
#define TO_LOCAL(m, file, ctx, kind, want, comps)                             \
  expect_local(__LINE__, m, file, ctx, kind, want, comps)
static void expect_local(int line, const srv_path_map_t *m, size_t file,
                         const srv_path_context_t *ctx, srv_match_kind_t kind,
                         const char *want, size_t comps) {
  char *out = (char *)"untouched";
  srv_match_t r;
  int rc = srv_path_map_to_local(m, file, ctx, &out, &r);
  long want_file = want ? (long)file : -1;
  check_count++;
  if (rc != 0 || r.kind != kind || r.file != want_file ||
      r.components != comps || (want == NULL) != (out == NULL) ||
      (want && strcmp(out, want) != 0))
    CHECK_FAIL_AT(__FILE__, line,
                  "to_local(%zu): rc %d %s file %ld components %zu \"%s\", "
                  "want %s file %ld components %zu \"%s\"",
                  file, rc, kind_name(r.kind), r.file, r.components,
                  out ? out : "(null)", kind_name(kind), want_file, comps,
                  want ? want : "(null)");
  free(out);
}

/* ---- the local tree ---- */

#define T_MAX 1024
static struct {
  char root[T_MAX];
  char ws[T_MAX], ws2[T_MAX], ws3[T_MAX], ws4[T_MAX], ws5[T_MAX];
  char ws_app[T_MAX];   /* ws/app */
  char ws_x[T_MAX];     /* ws/app/pkg/x.go */
  char ws_bmain[T_MAX]; /* ws/app/cmd/b/main.go */
  char ws_main[T_MAX];  /* ws/main.go */
  char ws_dirgo[T_MAX]; /* ws/app/dir.go, a directory */
  char ws2_x[T_MAX];    /* ws2/app/pkg/x.go */
  char ws4_x[T_MAX];    /* ws4/x.go */
  char ws4_util[T_MAX]; /* ws4/util.go */
  char nowhere[T_MAX];  /* not made */
} T;
static char made[32][T_MAX]; /* in order of making, removed in reverse */
static int made_count;

static const char *at(char *buf, const char *rel) {
  int n = snprintf(buf, T_MAX, "%s/%s", T.root, rel);
  CHECK(n > 0 && n < T_MAX); /* TMPDIR is not that long */
  return buf;
}

static void make(const char *rel, int dir) {
  char path[T_MAX];
  FILE *f;
  at(path, rel);
  if (dir) {
    CHECK_INT(mkdir(path, 0700), 0);
  } else {
    CHECK((f = fopen(path, "w")) != NULL);
    if (f)
      fclose(f);
  }
  memcpy(made[made_count++], path, T_MAX);
}

static int make_tree(void) {
  const char *tmp = getenv("TMPDIR");
  static const char *const dirs[] = {"ws",
                                     "ws/app",
                                     "ws/app/pkg",
                                     "ws/app/cmd",
                                     "ws/app/cmd/b",
                                     "ws/app/dir.go",
                                     "ws2",
                                     "ws2/app",
                                     "ws2/app/pkg",
                                     "ws3",
                                     "ws3/app",
                                     "ws3/app/pkg",
                                     "ws3/app/pkg/x.go",
                                     "ws4",
                                     "ws5",
                                     "ws5/pkg"};
  static const char *const files[] = {
      "ws/app/pkg/x.go", "ws/app/cmd/b/main.go",
      "ws/main.go",      "ws2/app/pkg/x.go",
      "ws4/x.go",        "ws4/util.go",
      "ws5/pkg/x.go"};
  size_t i;
  snprintf(T.root, T_MAX, "%s/heatls-pathmap-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(T.root)) {
    CHECK_FAIL_AT(__FILE__, __LINE__, "%s failed", "mkdtemp");
    return -1;
  }
  for (i = 0; i < N(dirs); i++)
    make(dirs[i], 1);
  for (i = 0; i < N(files); i++)
    make(files[i], 0);
  at(T.ws, "ws");
  at(T.ws2, "ws2");
  at(T.ws3, "ws3");
  at(T.ws4, "ws4");
  at(T.ws5, "ws5");
  at(T.ws_app, "ws/app");
  at(T.ws_x, "ws/app/pkg/x.go");
  at(T.ws_bmain, "ws/app/cmd/b/main.go");
  at(T.ws_main, "ws/main.go");
  at(T.ws_dirgo, "ws/app/dir.go");
  at(T.ws2_x, "ws2/app/pkg/x.go");
  at(T.ws4_x, "ws4/x.go");
  at(T.ws4_util, "ws4/util.go");
  at(T.nowhere, "nowhere");
  return 0;
}

static void remove_tree(void) {
  struct stat st;
  while (made_count > 0) {
    const char *p = made[--made_count];
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
      CHECK_INT(rmdir(p), 0);
    else
      CHECK_INT(unlink(p), 0);
  }
  CHECK_INT(rmdir(T.root), 0);
}

/* ---- to_profile ---- */

static void test_exact(void) {
  const char *paths[] = {"/home/ci/app/x.go", "/home/me/app/x.go"};
  srv_path_map_t *m = make_map(paths, N(paths));
  TO_PROFILE(m, "/home/me/app/x.go", NULL, SRV_MATCH_EXACT, 1, 0);
  TO_PROFILE(m, "/home/ci/app/x.go", NULL, SRV_MATCH_EXACT, 0, 0);
  /* Byte-equal only: a spelling with "//" is no exact match, but the
   * best suffix match. */
  TO_PROFILE(m, "/home/me//app/x.go", NULL, SRV_MATCH_SUFFIX, 1, 4);
  srv_path_map_free(m);
}

static void test_suffix_forms(void) {
  const char *paths[] = {
      "/home/ci/work/app/pkg/x.go",                  /* 0 CI checkout */
      "/home/ci/work/app/other/x.go",                /* 1 */
      "/usr/lib/go-1.19/src/bytes/buffer.go",        /* 2 stdlib */
      "/usr/lib/go-1.19/src/bufio/buffer.go",        /* 3 */
      "/root/go/pkg/mod/github.com/a/b@v1.2.3/c.go", /* 4 module cache */
      "/root/go/pkg/mod/github.com/a/b@v1.2.4/c.go", /* 5 */
      "github.com/foo/app/svc/y.go",                 /* 6 trimpath */
      "github.com/foo/app/y.go",                     /* 7 */
      "C:\\Users\\ci\\app\\win\\z.go",               /* 8 Windows */
      "C:\\Users\\ci\\app\\z.go",                    /* 9 */
      "/ci/x/util.go",                               /* 10 */
  };
  srv_path_map_t *m = make_map(paths, N(paths));
  TO_PROFILE(m, "/home/me/app/pkg/x.go", NULL, SRV_MATCH_SUFFIX, 0, 3);
  TO_PROFILE(m, "/home/me/app/other/x.go", NULL, SRV_MATCH_SUFFIX, 1, 3);
  TO_PROFILE(m, "/usr/share/go-1.19/src/bytes/buffer.go", NULL,
             SRV_MATCH_SUFFIX, 2, 4);
  TO_PROFILE(m, "/home/me/go/pkg/mod/github.com/a/b@v1.2.3/c.go", NULL,
             SRV_MATCH_SUFFIX, 4, 7);
  TO_PROFILE(m, "/home/me/go/pkg/mod/github.com/a/b@v1.2.4/c.go", NULL,
             SRV_MATCH_SUFFIX, 5, 7);
  TO_PROFILE(m, "/home/me/app/svc/y.go", NULL, SRV_MATCH_SUFFIX, 6, 3);
  TO_PROFILE(m, "/home/me/app/y.go", NULL, SRV_MATCH_SUFFIX, 7, 2);
  TO_PROFILE(m, "/home/me/app/win/z.go", NULL, SRV_MATCH_SUFFIX, 8, 3);
  TO_PROFILE(m, "/home/me/app/z.go", NULL, SRV_MATCH_SUFFIX, 9, 2);
  /* The base name alone is enough when it is unique. */
  TO_PROFILE(m, "/me/y/util.go", NULL, SRV_MATCH_SUFFIX, 10, 1);
  /* No profile file has this base name, though "app" and "pkg" agree. */
  TO_PROFILE(m, "/home/me/app/pkg/w.go", NULL, SRV_MATCH_NONE, -1, 0);
  srv_path_map_free(m);
}

static void test_components(void) {
  const char *paths[] = {
      "/ci/./app//pkg/x.go", /* 0: "." and empty components drop out */
      "/ci/App/y.go",        /* 1: case matters */
      "C:\\w.go",            /* 2: "C:" is a component */
      "/ci/app/v.go/",       /* 3: a trailing separator */
      "/ci/mixed\\dir/u.go", /* 4: both separators in one path */
  };
  srv_path_map_t *m = make_map(paths, N(paths));
  TO_PROFILE(m, "/me/app/pkg/x.go", NULL, SRV_MATCH_SUFFIX, 0, 3);
  TO_PROFILE(m, "/me/app/./pkg//x.go", NULL, SRV_MATCH_SUFFIX, 0, 3);
  TO_PROFILE(m, "/me/app/y.go", NULL, SRV_MATCH_SUFFIX, 1, 1);
  TO_PROFILE(m, "/me/ci/App/y.go", NULL, SRV_MATCH_SUFFIX, 1, 3);
  TO_PROFILE(m, "/me/Y.go", NULL, SRV_MATCH_NONE, -1, 0);
  TO_PROFILE(m, "/me/C:/w.go", NULL, SRV_MATCH_SUFFIX, 2, 2);
  TO_PROFILE(m, "/me/c:/w.go", NULL, SRV_MATCH_SUFFIX, 2, 1);
  TO_PROFILE(m, "/me/app/v.go", NULL, SRV_MATCH_SUFFIX, 3, 2);
  TO_PROFILE(m, "/me/mixed/dir/u.go", NULL, SRV_MATCH_SUFFIX, 4, 3);
  srv_path_map_free(m);
}

static void test_ambiguous(void) {
  const char *paths[] = {"/ci/cmd/a/main.go", "/ci/cmd/b/main.go",
                         "/ci2/cmd/b/main.go"};
  srv_path_map_t *m = make_map(paths, N(paths));
  /* main.go alone: three files tie at 1. */
  TO_PROFILE(m, "/me/main.go", NULL, SRV_MATCH_AMBIGUOUS, -1, 0);
  /* cmd/main.go: still a tie at 1. */
  TO_PROFILE(m, "/me/cmd/main.go", NULL, SRV_MATCH_AMBIGUOUS, -1, 0);
  /* a/main.go: one file shares 3, the others 1. */
  TO_PROFILE(m, "/me/cmd/a/main.go", NULL, SRV_MATCH_SUFFIX, 0, 3);
  /* b/main.go: two files share 3; ci2 settles it. */
  TO_PROFILE(m, "/me/cmd/b/main.go", NULL, SRV_MATCH_AMBIGUOUS, -1, 0);
  TO_PROFILE(m, "/me/ci2/cmd/b/main.go", NULL, SRV_MATCH_SUFFIX, 2, 4);
  srv_path_map_free(m);
}

static void test_reverse_check(void) {
  const char *paths[] = {"/ci/app/pkg/x.go"};
  const char *open1[] = {"/me/app/pkg/x.go", "/me/other/x.go"};
  const char *open2[] = {"/me/one/x.go", "/me/two/x.go"};
  const char *open3[] = {"/me/one/x.go", "/me/one/x.go"};
  srv_path_context_t c1 = {NULL, 0, open1, N(open1), NULL, 0};
  srv_path_context_t c2 = {NULL, 0, open2, N(open2), NULL, 0};
  srv_path_context_t c3 = {NULL, 0, open3, N(open3), NULL, 0};
  srv_path_map_t *m = make_map(paths, N(paths));
  /* The other open document shares 3 with the file, this one 1: it is
   * the other's. */
  TO_PROFILE(m, "/me/other/x.go", &c1, SRV_MATCH_NONE, -1, 0);
  TO_PROFILE(m, "/me/app/pkg/x.go", &c1, SRV_MATCH_SUFFIX, 0, 3);
  /* A document not open yet is checked against all open ones. */
  TO_PROFILE(m, "/me/third/x.go", &c1, SRV_MATCH_NONE, -1, 0);
  TO_PROFILE(m, "/else/app/pkg/x.go", &c1, SRV_MATCH_AMBIGUOUS, -1, 0);
  /* Two documents share 1 each: neither can tell. */
  TO_PROFILE(m, "/me/one/x.go", &c2, SRV_MATCH_AMBIGUOUS, -1, 0);
  TO_PROFILE(m, "/me/two/x.go", &c2, SRV_MATCH_AMBIGUOUS, -1, 0);
  /* The document itself, even listed twice, is not another one. */
  TO_PROFILE(m, "/me/one/x.go", &c3, SRV_MATCH_SUFFIX, 0, 1);
  /* Without open documents, the suffix stands. */
  TO_PROFILE(m, "/me/one/x.go", NULL, SRV_MATCH_SUFFIX, 0, 1);
  srv_path_map_free(m);
}

static void test_mappings(void) {
  const char *paths[] = {
      "/ci/src/app/x.go",              /* 0 */
      "/ci/app-special/x.go",          /* 1 */
      "/ci/app/y.go",                  /* 2 */
      "/ci/appx/y.go",                 /* 3 */
      "/ci/me/app/w.go",               /* 4 */
      "C:\\Users\\ci\\app\\pkg\\v.go", /* 5 */
      "github.com/foo/app/pkg/u.go",   /* 6 */
      "/ci/trail/t.go",                /* 7 */
      "/ci/whole",                     /* 8 */
      "/ci/odd//s.go",                 /* 9: kept as recorded */
  };
  /* Longest `to` first, whatever the setting order. */
  srv_path_mapping_t longest[] = {{"/ci/src", "/home/me"},
                                  {"/ci/app-special", "/home/me/app"}};
  srv_path_mapping_t longest_rev[] = {{"/ci/app-special", "/home/me/app"},
                                      {"/ci/src", "/home/me"}};
  /* The prefix must end at a component boundary. */
  srv_path_mapping_t boundary[] = {{"/ci/app", "/home/me/app"}};
  /* A result that is no profile path falls through to the next. */
  srv_path_mapping_t fall[] = {{"/nowhere", "/home/me"}, {"/ci", "/home"}};
  srv_path_mapping_t none_hit[] = {{"/nowhere", "/home/me"}};
  srv_path_mapping_t windows[] = {{"C:\\Users\\ci\\app", "/home/me/app"}};
  srv_path_mapping_t trimpath[] = {{"github.com/foo/app", "/home/me/app"}};
  srv_path_mapping_t trailing[] = {{"/ci/trail/", "/home/me/t//"}};
  srv_path_mapping_t whole[] = {{"/ci/whole", "/home/me/whole"}};
  srv_path_mapping_t odd[] = {{"/ci/odd", "/home/me/odd"}};
  srv_path_mapping_t broken[] = {{NULL, "/home/me"}, {"/ci", NULL}};
  srv_path_context_t c = {longest, N(longest), NULL, 0, NULL, 0};
  srv_path_map_t *m = make_map(paths, N(paths));

  /* Without mappings the suffix would pick file 0 (it shares app/x.go). */
  TO_PROFILE(m, "/home/me/app/x.go", NULL, SRV_MATCH_SUFFIX, 0, 2);
  TO_PROFILE(m, "/home/me/app/x.go", &c, SRV_MATCH_MAPPING, 1, 0);
  c.mappings = longest_rev;
  TO_PROFILE(m, "/home/me/app/x.go", &c, SRV_MATCH_MAPPING, 1, 0);
  /* Only the shorter one covers this path, and gives no profile path;
   * ".." is a component like any other. */
  TO_PROFILE(m, "/home/me/src/../app/x.go", &c, SRV_MATCH_SUFFIX, 0, 2);

  c.mappings = boundary;
  c.mapping_count = N(boundary);
  TO_PROFILE(m, "/home/me/app/y.go", &c, SRV_MATCH_MAPPING, 2, 0);
  /* "/home/me/app" is not a prefix of "/home/me/appx/...": the suffix
   * decides (a plain string prefix would have given "/ci/appx/y.go" as a
   * mapping). */
  TO_PROFILE(m, "/home/me/appx/y.go", &c, SRV_MATCH_SUFFIX, 3, 2);

  c.mappings = fall;
  c.mapping_count = N(fall);
  TO_PROFILE(m, "/home/me/app/w.go", &c, SRV_MATCH_MAPPING, 4, 0);
  c.mappings = none_hit;
  c.mapping_count = N(none_hit);
  TO_PROFILE(m, "/home/me/app/w.go", &c, SRV_MATCH_SUFFIX, 4, 3);

  c.mappings = windows;
  c.mapping_count = N(windows);
  TO_PROFILE(m, "/home/me/app/pkg/v.go", &c, SRV_MATCH_MAPPING, 5, 0);
  c.mappings = trimpath;
  TO_PROFILE(m, "/home/me/app/pkg/u.go", &c, SRV_MATCH_MAPPING, 6, 0);
  c.mappings = trailing;
  TO_PROFILE(m, "/home/me/t/t.go", &c, SRV_MATCH_MAPPING, 7, 0);
  /* A mapping of one file to another. */
  c.mappings = whole;
  TO_PROFILE(m, "/home/me/whole", &c, SRV_MATCH_MAPPING, 8, 0);
  /* The rest as it is finds "//"; rejoined, it would not. */
  c.mappings = odd;
  TO_PROFILE(m, "/home/me/odd//s.go", &c, SRV_MATCH_MAPPING, 9, 0);
  TO_PROFILE(m, "/home/me/odd/s.go", &c, SRV_MATCH_SUFFIX, 9, 2);

  c.mappings = broken;
  c.mapping_count = N(broken);
  TO_PROFILE(m, "/home/me/app/w.go", &c, SRV_MATCH_SUFFIX, 4, 3);
  c.mappings = NULL; /* a count without mappings: none */
  TO_PROFILE(m, "/home/me/app/w.go", &c, SRV_MATCH_SUFFIX, 4, 3);
  srv_path_map_free(m);
}

static void test_mappings_equal_length(void) {
  const char *paths[] = {"/a/x.go", "/b/x.go"};
  srv_path_mapping_t ab[] = {{"/a", "/me"}, {"/b", "/me"}};
  srv_path_mapping_t ba[] = {{"/b", "/me"}, {"/a", "/me"}};
  srv_path_mapping_t miss[] = {{"/none", "/me"}, {"/b", "/me"}};
  srv_path_context_t c = {ab, 2, NULL, 0, NULL, 0};
  srv_path_map_t *m = make_map(paths, N(paths));
  /* Equal lengths: setting order, and a miss does not end the search. */
  TO_PROFILE(m, "/me/x.go", &c, SRV_MATCH_MAPPING, 0, 0);
  c.mappings = ba;
  TO_PROFILE(m, "/me/x.go", &c, SRV_MATCH_MAPPING, 1, 0);
  c.mappings = miss;
  TO_PROFILE(m, "/me/x.go", &c, SRV_MATCH_MAPPING, 1, 0);
  TO_PROFILE(m, "/me/x.go", NULL, SRV_MATCH_AMBIGUOUS, -1, 0);
  srv_path_map_free(m);
}

/* ---- to_local ---- */

static void test_local_mapping(void) {
  const char *paths[] = {"/ci/app/pkg/x.go", "/ci/app/dir.go",
                         "C:\\Users\\ci\\app\\pkg\\x.go",
                         "/ci/app/./pkg//x.go"};
  const char *open[] = {"/virtual/app/pkg/x.go"};
  srv_path_mapping_t direct[] = {{"/ci/app", T.ws_app}};
  srv_path_mapping_t longest[] = {{"/ci", T.ws2}, {"/ci/app", T.ws_app}};
  srv_path_mapping_t fall[] = {{"/ci/app", T.nowhere}, {"/ci", T.ws2}};
  srv_path_mapping_t virt[] = {{"/ci/app", "/virtual/app"}};
  srv_path_mapping_t windows[] = {{"C:\\Users\\ci\\app\\", T.ws_app}};
  srv_path_mapping_t boundary[] = {{"/ci/ap", T.ws_app}};
  srv_path_mapping_t relative[] = {{"/ci/app", "ws/app"}};
  srv_path_context_t c = {direct, N(direct), NULL, 0, NULL, 0};
  srv_path_map_t *m = make_map(paths, N(paths));

  TO_LOCAL(m, 0, &c, SRV_MATCH_MAPPING, T.ws_x, 0);
  /* The rest is rejoined without "." and empty components. */
  TO_LOCAL(m, 3, &c, SRV_MATCH_MAPPING, T.ws_x, 0);
  /* dir.go maps to a directory: no file, and nothing else matches. */
  TO_LOCAL(m, 1, &c, SRV_MATCH_NONE, NULL, 0);
  c.mappings = longest;
  c.mapping_count = N(longest);
  TO_LOCAL(m, 0, &c, SRV_MATCH_MAPPING, T.ws_x, 0);
  c.mappings = fall;
  TO_LOCAL(m, 0, &c, SRV_MATCH_MAPPING, T.ws2_x, 0);
  /* An open document counts even where no file is. */
  c.mappings = virt;
  c.mapping_count = N(virt);
  TO_LOCAL(m, 0, &c, SRV_MATCH_NONE, NULL, 0);
  c.open_paths = open;
  c.open_count = N(open);
  TO_LOCAL(m, 0, &c, SRV_MATCH_MAPPING, "/virtual/app/pkg/x.go", 0);
  c.open_paths = NULL;
  c.open_count = 0;
  /* Windows profile paths come out with '/'. */
  c.mappings = windows;
  TO_LOCAL(m, 2, &c, SRV_MATCH_MAPPING, T.ws_x, 0);
  c.mappings = boundary;
  TO_LOCAL(m, 0, &c, SRV_MATCH_NONE, NULL, 0);
  /* A relative `to` is skipped, even where it names a file from the
   * current directory. */
  c.mappings = relative;
  {
    char cwd[T_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_INT(chdir(T.root), 0);
    TO_LOCAL(m, 0, &c, SRV_MATCH_NONE, NULL, 0);
    CHECK_INT(chdir(cwd), 0);
  }
  srv_path_map_free(m);
}

static void test_local_exact(void) {
  const char *paths[] = {T.ws_x, T.ws_dirgo, "/virtual/y.go", "app/pkg/x.go"};
  const char *open[] = {"/virtual/y.go"};
  srv_path_context_t c = {NULL, 0, open, N(open), NULL, 0};
  char cwd[T_MAX];
  srv_path_map_t *m = make_map(paths, N(paths));

  TO_LOCAL(m, 0, NULL, SRV_MATCH_EXACT, T.ws_x, 0);
  TO_LOCAL(m, 1, NULL, SRV_MATCH_NONE, NULL, 0); /* a directory */
  TO_LOCAL(m, 2, NULL, SRV_MATCH_NONE, NULL, 0);
  TO_LOCAL(m, 2, &c, SRV_MATCH_EXACT, "/virtual/y.go", 0);
  /* A relative profile path is never an answer of its own, even where it
   * names a file from the current directory. */
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  CHECK_INT(chdir(T.ws), 0);
  TO_LOCAL(m, 3, NULL, SRV_MATCH_NONE, NULL, 0);
  CHECK_INT(chdir(cwd), 0);
  srv_path_map_free(m);
}

static void test_local_open(void) {
  const char *paths[] = {"/ci/app/pkg/x.go", "/ci/cmd/a/main.go",
                         "/ci/cmd/b/main.go"};
  const char *two[] = {"/ci/a/main.go", "/ci/b/main.go"};
  const char *xy[] = {"/ci/x/pkg/x.go", "/ci/y/a/x.go"};
  const char *open_xy[] = {"/y/a/x.go", "/z/b/x.go"};
  const char *open_best[] = {"/me/x.go", "/me/app/pkg/x.go"};
  const char *open_tie[] = {"/a/pkg/x.go", "/b/pkg/x.go"};
  const char *open_twice[] = {"/a/pkg/x.go", "/a/pkg/x.go"};
  const char *open_rel[] = {"me/app/pkg/x.go"};
  const char *open_a[] = {"/me/cmd/a/main.go"};
  const char *open_main[] = {"/me/main.go"};
  const char *roots_ws[] = {T.ws};
  const char *roots_app[] = {T.ws_app};
  srv_path_context_t c = {NULL, 0, open_best, N(open_best), NULL, 0};
  srv_path_map_t *m = make_map(paths, N(paths));
  srv_path_map_t *m2 = make_map(two, N(two));
  srv_path_map_t *m3 = make_map(xy, N(xy));

  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, "/me/app/pkg/x.go", 3);
  /* (c) before (d): ws/app/pkg/x.go shares as much, but is not open. */
  c.roots = roots_ws;
  c.root_count = N(roots_ws);
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, "/me/app/pkg/x.go", 3);
  c.roots = NULL;
  c.root_count = 0;
  c.open_paths = open_tie;
  TO_LOCAL(m, 0, &c, SRV_MATCH_AMBIGUOUS, NULL, 0);
  c.open_paths = open_twice;
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, "/a/pkg/x.go", 2);
  c.open_paths = open_rel;
  c.open_count = N(open_rel);
  TO_LOCAL(m, 0, &c, SRV_MATCH_NONE, NULL, 0);

  /* The only open main.go shows cmd/a/main.go, not b's. */
  c.open_paths = open_a;
  c.open_count = N(open_a);
  TO_LOCAL(m, 1, &c, SRV_MATCH_SUFFIX, "/me/cmd/a/main.go", 3);
  TO_LOCAL(m, 2, &c, SRV_MATCH_NONE, NULL, 0);
  /* A file under a root that shares more with b's than that document
   * does is b's; ws/main.go, which shares as little, is not. */
  c.roots = roots_app;
  c.root_count = N(roots_app);
  TO_LOCAL(m, 2, &c, SRV_MATCH_SUFFIX, T.ws_bmain, 3);
  c.roots = roots_ws;
  TO_LOCAL(m, 2, &c, SRV_MATCH_NONE, NULL, 0);
  c.open_paths = NULL;
  c.open_count = 0;
  TO_LOCAL(m, 2, &c, SRV_MATCH_SUFFIX, T.ws_main, 1);

  /* The open document's own lookup is a tie: so is this one. */
  c.open_paths = open_main;
  c.open_count = N(open_main);
  c.roots = NULL;
  c.root_count = 0;
  TO_LOCAL(m2, 0, &c, SRV_MATCH_AMBIGUOUS, NULL, 0);
  TO_LOCAL(m2, 1, &c, SRV_MATCH_AMBIGUOUS, NULL, 0);

  /* Two open documents tie for x/pkg/x.go (x.go alone): AMBIGUOUS, though
   * the first of them would only have said it shows y/a/x.go. */
  c.open_paths = open_xy;
  c.open_count = N(open_xy);
  TO_LOCAL(m3, 0, &c, SRV_MATCH_AMBIGUOUS, NULL, 0);
  TO_LOCAL(m3, 1, &c, SRV_MATCH_SUFFIX, "/y/a/x.go", 3);
  srv_path_map_free(m);
  srv_path_map_free(m2);
  srv_path_map_free(m3);
}

static void test_local_roots(void) {
  const char *paths[] = {
      "/home/ci/work/app/pkg/x.go",    /* 0 */
      "github.com/foo/app/pkg/x.go",   /* 1 */
      "C:\\Users\\ci\\app\\pkg\\x.go", /* 2 */
      "/ci/app/dir.go",                /* 3 */
      "/x.go",                         /* 4: one component: no probe */
      "/ci/lib/util.go",               /* 5 */
  };
  char ws_slash[T_MAX];
  const char *r_ws[] = {T.ws};
  const char *r_slash[] = {ws_slash};
  const char *r_5_ws[] = {T.ws5, T.ws};
  const char *r_ws_5[] = {T.ws, T.ws5};
  const char *r_ws_ws2[] = {T.ws, T.ws2};
  const char *r_ws_ws[] = {T.ws, ws_slash};
  const char *r_ws3[] = {T.ws3};
  const char *r_ws4[] = {T.ws4};
  const char *r_rel[] = {"ws", NULL};
  char ws5_x[T_MAX];
  srv_path_context_t c = {NULL, 0, NULL, 0, r_ws, N(r_ws)};
  srv_path_map_t *m = make_map(paths, N(paths));

  CHECK(snprintf(ws_slash, sizeof ws_slash, "%s//", T.ws) < T_MAX);
  at(ws5_x, "ws5/pkg/x.go");
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, T.ws_x, 3);
  TO_LOCAL(m, 1, &c, SRV_MATCH_SUFFIX, T.ws_x, 3);
  TO_LOCAL(m, 2, &c, SRV_MATCH_SUFFIX, T.ws_x, 3);
  TO_LOCAL(m, 3, &c, SRV_MATCH_NONE, NULL, 0); /* ws/app/dir.go: a dir */
  c.roots = r_slash;
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, T.ws_x, 3);
  /* The largest k wins, in either order of the roots. */
  c.roots = r_5_ws;
  c.root_count = 2;
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, T.ws_x, 3);
  c.roots = r_ws_5;
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, T.ws_x, 3);
  c.roots = r_5_ws;
  c.root_count = 1;
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, ws5_x, 2);
  /* Two roots at the same k. The same root twice is one. */
  c.roots = r_ws_ws2;
  c.root_count = 2;
  TO_LOCAL(m, 0, &c, SRV_MATCH_AMBIGUOUS, NULL, 0);
  c.roots = r_ws_ws;
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, T.ws_x, 3);
  /* ws3/app/pkg/x.go is a directory. */
  c.roots = r_ws3;
  c.root_count = 1;
  TO_LOCAL(m, 0, &c, SRV_MATCH_NONE, NULL, 0);
  /* The base name alone; never all of F's components. */
  c.roots = r_ws4;
  TO_LOCAL(m, 5, &c, SRV_MATCH_SUFFIX, T.ws4_util, 1);
  TO_LOCAL(m, 4, &c, SRV_MATCH_NONE, NULL, 0);
  /* Relative and NULL roots are skipped: "ws" would name a root here. */
  c.roots = r_rel;
  c.root_count = 2;
  {
    char cwd[T_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_INT(chdir(T.root), 0);
    TO_LOCAL(m, 0, &c, SRV_MATCH_NONE, NULL, 0);
    CHECK_INT(chdir(cwd), 0);
  }
  srv_path_map_free(m);
}

/* ---- edges ---- */

static void test_null_and_empty(void) {
  const char *paths[] = {NULL, "", "/", "/ci/x.go", "/ci/x.go"};
  const char *open[] = {NULL, "/me/other/x.go"};
  const char *roots[] = {NULL};
  srv_path_context_t empty = {NULL, 5, NULL, 5, NULL, 5};
  srv_path_context_t nulls = {NULL, 0, open, N(open), roots, N(roots)};
  static int not_a_map;
  srv_path_map_t *m = (srv_path_map_t *)&not_a_map;
  char *out = (char *)"untouched";
  srv_match_t r;

  CHECK_INT(srv_path_map_new(NULL, 1, &m), -EINVAL);
  CHECK(m == NULL);
  CHECK_INT(srv_path_map_new(paths, 1, NULL), -EINVAL);
  /* A count no table can hold fails before touching the paths. */
  CHECK_INT(srv_path_map_new(paths, (size_t)-1, &m), -ENOMEM);
  CHECK(m == NULL);
  srv_path_map_free(NULL);

  m = make_map(NULL, 0);
  TO_PROFILE(m, "/x.go", NULL, SRV_MATCH_NONE, -1, 0);
  TO_LOCAL(m, 0, NULL, SRV_MATCH_NONE, NULL, 0);
  srv_path_map_free(m);

  m = make_map(paths, N(paths));
  TO_PROFILE(m, NULL, NULL, SRV_MATCH_NONE, -1, 0);
  TO_PROFILE(m, "", NULL, SRV_MATCH_NONE, -1, 0);
  TO_PROFILE(m, "/", NULL, SRV_MATCH_EXACT, 2, 0);
  TO_PROFILE(m, "//", NULL, SRV_MATCH_NONE, -1, 0); /* no base name */
  TO_PROFILE(m, "/ci/x.go", NULL, SRV_MATCH_EXACT, 3, 0);
  /* A duplicate path is the first one, and no tie with itself. */
  TO_PROFILE(m, "/me/ci/x.go", &empty, SRV_MATCH_SUFFIX, 3, 2);
  TO_PROFILE(m, "/me/ci/x.go", &nulls, SRV_MATCH_SUFFIX, 3, 2);
  TO_PROFILE(NULL, "/ci/x.go", NULL, SRV_MATCH_NONE, -1, 0);
  TO_LOCAL(m, 0, &nulls, SRV_MATCH_NONE, NULL, 0);
  TO_LOCAL(m, 1, &nulls, SRV_MATCH_NONE, NULL, 0);
  TO_LOCAL(m, 5, &nulls, SRV_MATCH_NONE, NULL, 0); /* out of range */
  TO_LOCAL(m, (size_t)-1, &empty, SRV_MATCH_NONE, NULL, 0);
  TO_LOCAL(NULL, 0, NULL, SRV_MATCH_NONE, NULL, 0);
  CHECK_INT(srv_path_map_to_local(m, 3, NULL, NULL, &r), -EINVAL);
  CHECK_INT(srv_path_map_to_local(m, 3, NULL, &out, NULL), 0);
  CHECK(out == NULL);
  srv_path_map_free(m);
}

/* "/a" reps times, then "/" base. */
static char *long_path(size_t reps, const char *base) {
  size_t blen = strlen(base), i;
  char *p = malloc(2 * reps + blen + 2);
  if (!p)
    return NULL;
  for (i = 0; i < reps; i++) {
    p[2 * i] = '/';
    p[2 * i + 1] = 'a';
  }
  p[2 * reps] = '/';
  memcpy(p + 2 * reps + 1, base, blen + 1);
  return p;
}

static void test_long_paths(void) {
  enum { REPS = (SRV_PATH_MAX - 6) / 2 }; /* "/a"... "/xy.go" */
  char *at_max = long_path(REPS, "xy.go");
  char *over = long_path(REPS + 1, "y.go");
  char *local_x = long_path(REPS, "xy.go");
  char *local_y = long_path(REPS + 1, "y.go");
  const char *paths[3];
  const char *open[1];
  srv_path_context_t c = {NULL, 0, open, 1, NULL, 0};
  srv_path_map_t *m;
  if (!at_max || !over || !local_x || !local_y) {
    CHECK_FAIL_AT(__FILE__, __LINE__, "%s failed", "malloc");
    goto done;
  }
  CHECK_INT(strlen(at_max), SRV_PATH_MAX);
  CHECK_INT(strlen(over), SRV_PATH_MAX + 1);
  paths[0] = at_max;
  paths[1] = over;
  paths[2] = "/ci/y.go";
  m = make_map(paths, 3);
  /* Paths of SRV_PATH_MAX bytes work; longer ones match nothing. */
  TO_PROFILE(m, local_x, NULL, SRV_MATCH_EXACT, 0, 0);
  local_x[1] = 'b'; /* "/b/a/a.../xy.go": all but the first in common */
  TO_PROFILE(m, local_x, NULL, SRV_MATCH_SUFFIX, 0, REPS);
  TO_PROFILE(m, local_y, NULL, SRV_MATCH_NONE, -1, 0);
  TO_PROFILE(m, "/me/y.go", NULL, SRV_MATCH_SUFFIX, 2, 1);
  /* A too long open document takes part in nothing. */
  open[0] = local_y;
  TO_PROFILE(m, "/me/y.go", &c, SRV_MATCH_SUFFIX, 2, 1);
  TO_LOCAL(m, 1, &c, SRV_MATCH_NONE, NULL, 0);
  TO_LOCAL(m, 2, &c, SRV_MATCH_NONE, NULL, 0);
  /* An open document of SRV_PATH_MAX bytes does. */
  open[0] = local_x;
  TO_LOCAL(m, 0, &c, SRV_MATCH_SUFFIX, local_x, REPS);
  srv_path_map_free(m);
done:
  free(at_max);
  free(over);
  free(local_x);
  free(local_y);
}

static void test_big_inputs(void) {
  enum { DIRS = 100000, MAINS = 20000, ALL = DIRS + MAINS };
  char **paths = calloc(ALL, sizeof *paths);
  srv_path_map_t *m;
  size_t i;
  if (!paths) {
    CHECK_FAIL_AT(__FILE__, __LINE__, "%s failed", "calloc");
    return;
  }
  for (i = 0; i < ALL; i++) {
    paths[i] = malloc(32);
    if (!paths[i]) {
      CHECK_FAIL_AT(__FILE__, __LINE__, "%s failed", "malloc");
      goto done;
    }
    if (i < DIRS)
      snprintf(paths[i], 32, "/ci/d%05zu/f%05zu.go", i, i);
    else
      snprintf(paths[i], 32, "/ci/m%05zu/main.go", i - DIRS);
  }
  m = make_map((const char *const *)paths, ALL);
  TO_PROFILE(m, "/ci/d12345/f12345.go", NULL, SRV_MATCH_EXACT, 12345, 0);
  TO_PROFILE(m, "/ci/m19999/main.go", NULL, SRV_MATCH_EXACT, ALL - 1, 0);
  TO_PROFILE(m, "/me/d00077/f00077.go", NULL, SRV_MATCH_SUFFIX, 77, 2);
  TO_PROFILE(m, "/me/f99999.go", NULL, SRV_MATCH_SUFFIX, 99999, 1);
  /* 20000 files named main.go: the chain holds them all. */
  TO_PROFILE(m, "/me/m00123/main.go", NULL, SRV_MATCH_SUFFIX, DIRS + 123, 2);
  TO_PROFILE(m, "/me/main.go", NULL, SRV_MATCH_AMBIGUOUS, -1, 0);
  TO_PROFILE(m, "/me/d00077/f00078.go", NULL, SRV_MATCH_SUFFIX, 78, 1);
  TO_PROFILE(m, "/me/nothing.go", NULL, SRV_MATCH_NONE, -1, 0);
  srv_path_map_free(m);
done:
  for (i = 0; i < ALL; i++)
    free(paths[i]);
  free(paths);
}

/* to_profile never allocates; the others fail cleanly at each allocation
 * in turn, and the leak checkers see that nothing is lost. */
static void scenario(void) {
  const char *paths[] = {"/ci/app/pkg/x.go", T.ws_x, "/ci/d.go",
                         "/home/ci/work/app/pkg/x.go"};
  srv_path_mapping_t maps[] = {{"/ci/app", T.ws_app}};
  const char *open[] = {"/me/d.go"};
  const char *roots[] = {T.ws};
  srv_path_context_t c = {maps, 1, open, 1, roots, 1};
  const char *want[] = {T.ws_x, T.ws_x, "/me/d.go", T.ws_x};
  srv_path_map_t *m = NULL;
  char *out;
  srv_match_t r;
  size_t i;
  int rc = srv_path_map_new(paths, N(paths), &m);
  if (rc == -ENOMEM) {
    CHECK(m == NULL && fail_alloc_failed());
    return;
  }
  CHECK_INT(rc, 0);
  for (i = 0; i < N(paths); i++) {
    out = (char *)"untouched";
    rc = srv_path_map_to_local(m, i, &c, &out, &r);
    if (rc == -ENOMEM) {
      CHECK(out == NULL && fail_alloc_failed());
      CHECK_INT(r.kind, SRV_MATCH_NONE);
      continue;
    }
    CHECK_INT(rc, 0);
    CHECK_STR(out, want[i]);
    free(out);
  }
  srv_path_map_free(m);
}

static void test_allocation_failures(void) {
  const char *paths[] = {"/ci/app/pkg/x.go", "/ci/d.go"};
  srv_path_mapping_t maps[] = {{"/nowhere", "/me"}, {"/ci/app", "/me/app"}};
  const char *open[] = {"/me/d.go", "/me/app/pkg/x.go"};
  srv_path_context_t c = {maps, 2, open, 2, NULL, 0};
  srv_path_map_t *m = make_map(paths, N(paths));
  long n;

  fail_alloc_arm(0, 0); /* count, fail nothing */
  TO_PROFILE(m, "/me/app/pkg/x.go", &c, SRV_MATCH_MAPPING, 0, 0);
  TO_PROFILE(m, "/me/d.go", &c, SRV_MATCH_SUFFIX, 1, 1);
  TO_PROFILE(m, "/ci/d.go", &c, SRV_MATCH_EXACT, 1, 0);
  CHECK_INT(fail_alloc_count(), 0);
  fail_alloc_disarm();
  srv_path_map_free(m);

  /* Each allocation of the scenario fails in turn, until a run needs
   * fewer allocations than the one meant to fail. */
  for (n = 1; n < 1000; n++) {
    int before_failures = check_failures;
    fail_alloc_arm(n, 0);
    scenario();
    fail_alloc_disarm();
    if (check_failures != before_failures)
      fprintf(stderr, "  (with allocation %ld failing)\n", n);
    if (!fail_alloc_failed())
      break;
  }
  CHECK(n > 5); /* new() alone makes five */
  CHECK(n < 1000);
}

int main(void) {
  if (make_tree() == 0) {
    test_exact();
    test_suffix_forms();
    test_components();
    test_ambiguous();
    test_reverse_check();
    test_mappings();
    test_mappings_equal_length();
    test_local_mapping();
    test_local_exact();
    test_local_open();
    test_local_roots();
    test_null_and_empty();
    test_long_paths();
    test_big_inputs();
    test_allocation_failures();
    remove_tree();
  }
  CHECK_DONE();
}
