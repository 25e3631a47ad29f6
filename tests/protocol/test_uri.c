/*
 * test_uri.c: file URIs <-> paths (protocol/lsp_uri.h), after RFC 8089
 * (file scheme) and RFC 3986 (percent-encoding, unreserved characters).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lsp_uri.h"

static void expect_path(const char *uri, const char *want) {
  char *path = NULL;
  rpc_error_t err;
  int r = lsp_uri_to_path(uri, &path, &err);
  if (r != 0)
    fprintf(stderr, "%s: %s\n", uri, err.message);
  CHECK_INT(r, 0);
  CHECK_INT(err.code, 0);
  CHECK_STR(path, want);
  free(path);
}

static void expect_error(const char *uri, int code, const char *why) {
  char *path = (char *)"untouched";
  rpc_error_t err;
  CHECK_INT(lsp_uri_to_path(uri, &path, &err), code);
  CHECK(path == NULL);
  CHECK_INT(err.code, code);
  if (!strstr(err.message, why))
    fprintf(stderr, "%s: expected \"%s\" in \"%s\"\n", uri, why, err.message);
  CHECK(strstr(err.message, why) != NULL);
}

static void expect_uri(const char *path, const char *want) {
  char *uri = NULL;
  CHECK_INT(lsp_uri_from_path(path, &uri, NULL), 0);
  CHECK_STR(uri, want);
  free(uri);
}

static void test_decode(void) {
  expect_path("file:///home/me/a%20b/x.go", "/home/me/a b/x.go");
  expect_path("file:///home/me/plain.go", "/home/me/plain.go");
  expect_path("file:///", "/");
  /* Escapes in either case; escaped slashes and percent signs. */
  expect_path("file:///a%2fb%2Fc", "/a/b/c");
  expect_path("file:///100%25/x", "/100%/x");
  expect_path("file:///%7e/%41", "/~/A");
  /* Non-ASCII: encoded or raw UTF-8 give the same bytes. */
  expect_path("file:///tmp/caf%C3%A9.go", "/tmp/caf\xc3\xa9.go");
  expect_path("file:///tmp/caf\xc3\xa9.go", "/tmp/caf\xc3\xa9.go");
  expect_path("file:///%E2%82%AC/%F0%9F%98%80",
              "/\xe2\x82\xac/\xf0\x9f\x98\x80");
  /* Characters some clients leave raw. */
  expect_path("file:///a:b/c@d/e+f/g=h;i,j!k'(l)*m&n$o",
              "/a:b/c@d/e+f/g=h;i,j!k'(l)*m&n$o");
  /* Authority forms and scheme case. */
  expect_path("file://localhost/etc/hosts", "/etc/hosts");
  expect_path("file://LocalHost/etc/hosts", "/etc/hosts");
  expect_path("FILE:///etc/hosts", "/etc/hosts");
  expect_path("File:///etc/hosts", "/etc/hosts");
  expect_path("file:/etc/hosts", "/etc/hosts");
  /* Windows drive letters are left as they are. */
  expect_path("file:///c%3A/x", "/c:/x");
  expect_path("file:///C:/Users/me/x.go", "/C:/Users/me/x.go");
}

static void test_decode_errors(void) {
  char *path;
  rpc_error_t err;
  expect_error("untitled:Untitled-1", RPC_ENOTFILE, "not a file URI");
  expect_error("https://example.com/x.go", RPC_ENOTFILE, "\"https\"");
  expect_error("files:///x", RPC_ENOTFILE, "not a file URI");
  expect_error("fil:///x", RPC_ENOTFILE, "not a file URI");
  expect_error("fild:///x", RPC_ENOTFILE, "not a file URI");
  expect_error("git+ssh://host/x", RPC_ENOTFILE, "\"git+ssh\"");
  expect_error("/home/me/x.go", RPC_EURI, "without a scheme");
  expect_error("", RPC_EURI, "without a scheme");
  expect_error(":///x", RPC_EURI, "without a scheme");
  expect_error("1file:///x", RPC_EURI, "without a scheme");
  expect_error("file://server/share/x", RPC_EURI, "host \"server\"");
  expect_error("file://localhost.example/x", RPC_EURI, "host");
  expect_error("file://h\xc3\xa9st/x", RPC_EURI, "host \"h??st\"");
  expect_error("file://", RPC_EURI, "without an absolute path");
  expect_error("file://localhost", RPC_EURI, "without an absolute path");
  expect_error("file:", RPC_EURI, "without an absolute path");
  expect_error("file:relative/x", RPC_EURI, "without an absolute path");
  expect_error("file:///a%00b", RPC_EURI, "NUL");
  expect_error("file:///a%zzb", RPC_EURI, "bad percent escape");
  expect_error("file:///a%2", RPC_EURI, "bad percent escape");
  expect_error("file:///a%", RPC_EURI, "bad percent escape");
  expect_error("file:///a%g0", RPC_EURI, "bad percent escape");
  expect_error("file:///a?x=1", RPC_EURI, "query or fragment");
  expect_error("file:///a#frag", RPC_EURI, "query or fragment");

  CHECK_INT(lsp_uri_to_path(NULL, &path, &err), RPC_EINVAL);
  CHECK_INT(lsp_uri_to_path("file:///x", NULL, &err), RPC_EINVAL);
  {
    /* Over the length cap. */
    size_t n = LSP_URI_MAX + 1;
    char *long_uri = malloc(n + 1);
    memcpy(long_uri, "file:///", 8);
    memset(long_uri + 8, 'a', n - 8);
    long_uri[n] = '\0';
    expect_error(long_uri, RPC_ETOOBIG, "longer than");
    long_uri[n - 1] = '\0'; /* exactly at the cap: fine */
    CHECK_INT(lsp_uri_to_path(long_uri, &path, NULL), 0);
    CHECK_INT(strlen(path), LSP_URI_MAX - 7);
    free(path);
    free(long_uri);
  }
}

static void test_encode(void) {
  char *uri;
  rpc_error_t err;
  expect_uri("/home/me/a b/x.go", "file:///home/me/a%20b/x.go");
  expect_uri("/", "file:///");
  expect_uri("/AZaz09-._~/x", "file:///AZaz09-._~/x");
  /* Everything outside unreserved and '/' is escaped, uppercase hex. */
  expect_uri("/a:b@c+d=e;f,g!h'(i)*j&k$l%m?n#o[p]q",
             "file:///a%3Ab%40c%2Bd%3De%3Bf%2Cg%21h%27%28i%29%2Aj%26k%24l"
             "%25m%3Fn%23o%5Bp%5Dq");
  expect_uri("/tmp/caf\xc3\xa9.go", "file:///tmp/caf%C3%A9.go");
  expect_uri("/\xf0\x9f\x98\x80", "file:///%F0%9F%98%80");
  expect_uri("/tab\there\nnl", "file:///tab%09here%0Anl");
  expect_uri("/\x7f\xff", "file:///%7F%FF");

  CHECK_INT(lsp_uri_from_path("relative/x", &uri, &err), RPC_EINVAL);
  CHECK(uri == NULL);
  CHECK(strstr(err.message, "not absolute") != NULL);
  CHECK_INT(lsp_uri_from_path("", &uri, &err), RPC_EINVAL);
  CHECK_INT(lsp_uri_from_path(NULL, &uri, &err), RPC_EINVAL);
  CHECK_INT(lsp_uri_from_path("/x", NULL, &err), RPC_EINVAL);
  {
    char *long_path = malloc(LSP_URI_MAX + 2);
    long_path[0] = '/';
    memset(long_path + 1, 'a', LSP_URI_MAX);
    long_path[LSP_URI_MAX + 1] = '\0';
    CHECK_INT(lsp_uri_from_path(long_path, &uri, &err), RPC_ETOOBIG);
    free(long_path);
  }
}

/* path -> URI -> path gives the path back, whatever bytes it holds. */
static void test_round_trip(void) {
  char path[300];
  int c;
  path[0] = '/';
  for (c = 1; c < 256; c++)
    path[c] = (char)c;
  path[256] = '\0';
  {
    char *uri = NULL, *back = NULL;
    CHECK_INT(lsp_uri_from_path(path, &uri, NULL), 0);
    CHECK_INT(lsp_uri_to_path(uri, &back, NULL), 0);
    CHECK_STR(back, path);
    free(uri);
    free(back);
  }
}

int main(void) {
  test_decode();
  test_decode_errors();
  test_encode();
  test_round_trip();
  CHECK_DONE();
}
