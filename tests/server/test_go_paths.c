/*
 * test_go_paths.c: profiles from another machine whose files are Go's own
 * (GOROOT, module cache, -trimpath names) open this machine's files
 * (server/go_paths.h), first the rules alone on a GOROOT, a module cache
 * and a workspace with a go.mod made here, then through the server's core:
 * a profile with such paths lights the local files and hotspots give them
 * uris.
 */
/* realpath() is an XSI function. */
#define _XOPEN_SOURCE 700

#include "check.h"
#include "go_paths.h"
#include "harness.h"
#include "profile_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];
static char goroot[512], modcache[512], ws[512];
/* Files made under root, removed at the end. */
static char made[32][600];
static size_t made_count;

static void put(const char *rel, const char *text) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  for (char *p = path + strlen(root) + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      mkdir(path, 0755);
      *p = '/';
    }
  }
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  snprintf(made[made_count++], sizeof made[0], "%s", path);
}

/* srv_go_local(path) relative to root, or NULL. */
static char *local(const srv_go_env_t *env, const char *path) {
  char *out = (char *)1;
  CHECK_INT(srv_go_local(env, path, &out), 0);
  return out;
}

static void check_local(const srv_go_env_t *env, const char *path,
                        const char *want_rel) {
  char *got = local(env, path);
  if (!want_rel) {
    if (got)
      CHECK_FAIL_AT(__FILE__, __LINE__, "%s: want no file, got %s", path, got);
    check_count++;
  } else {
    char want[600];
    snprintf(want, sizeof want, "%s/%s", root, want_rel);
    CHECK_STR(got, want);
  }
  free(got);
}

static void rules(void) {
  srv_go_settings_t set = {.goroot = goroot, .gomodcache = modcache};
  const char *roots[] = {ws, "/nonexistent/folder"};
  srv_go_env_t env;
  CHECK_INT(srv_go_env_discover(&set, roots, 2, &env), 0);
  CHECK_INT(env.module_count, 1);
  CHECK_STR(env.module_count ? env.modules[0].path : NULL, "example.com/app");

  /* The standard library under another machine's GOROOT. */
  check_local(&env, "/usr/local/go/src/runtime/proc.go",
              "goroot/src/runtime/proc.go");
  check_local(&env, "/home/ci/sdk/go1.19/src/net/http/server.go",
              "goroot/src/net/http/server.go");
  /* A GOROOT inside a folder called src: the last /src/ that works. */
  check_local(&env, "/home/me/src/go/src/runtime/proc.go",
              "goroot/src/runtime/proc.go");
  /* GOPATH code is not the standard library. */
  check_local(&env, "/home/me/go/src/github.com/x/y/z.go", NULL);
  check_local(&env, "/usr/local/go/src/runtime/missing.go", NULL);
  /* The module cache, case-encoded already. */
  check_local(&env,
              "/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.3/decode.go",
              "modcache/github.com/!burnt!sushi/toml@v1.2.3/decode.go");
  check_local(&env, "/root/go/pkg/mod/github.com/x/y@v0.1.0/z.go", NULL);
  /* -trimpath: module@version/file, case-encoded here. */
  check_local(&env, "github.com/BurntSushi/toml@v1.2.3/decode.go",
              "modcache/github.com/!burnt!sushi/toml@v1.2.3/decode.go");
  check_local(&env, "github.com/BurntSushi/toml@v1.2.4/decode.go", NULL);
  /* -trimpath: the main module, declared by the workspace's go.mod. */
  check_local(&env, "example.com/app/z.go", "ws/z.go");
  check_local(&env, "example.com/app/internal/y.go", "ws/internal/y.go");
  check_local(&env, "example.com/application/z.go", NULL);
  /* -trimpath: the standard library as package/file. */
  check_local(&env, "runtime/proc.go", "goroot/src/runtime/proc.go");
  check_local(&env, "C:\\go\\src\\runtime\\proc.go", NULL);
  check_local(&env, "", NULL);
  srv_go_env_close(&env);

  /* Nothing set and nothing found: no rule matches. */
  srv_go_settings_t none = {.goroot = "/nonexistent/go",
                            .gomodcache = "/nonexistent/mod"};
  CHECK_INT(srv_go_env_discover(&none, NULL, 0, &env), 0);
  CHECK(env.goroot == NULL && env.modcache == NULL);
  check_local(&env, "/usr/local/go/src/runtime/proc.go", NULL);
  srv_go_env_close(&env);

  /* $GOROOT when nothing is set. */
  setenv("GOROOT", goroot, 1);
  setenv("GOMODCACHE", modcache, 1);
  CHECK_INT(srv_go_env_discover(NULL, NULL, 0, &env), 0);
  CHECK_STR(env.goroot, goroot);
  CHECK_STR(env.modcache, modcache);
  srv_go_env_close(&env);
  unsetenv("GOROOT");
  unsetenv("GOMODCACHE");

  const char *mixed = "github.com/BurntSushi/toml@v1.2.3-RC";
  char *e = srv_go_case_encode(mixed, strlen(mixed));
  CHECK_STR(e, "github.com/!burnt!sushi/toml@v1.2.3-!r!c");
  free(e);
}

/* A profile whose four functions live in Go's own files of another
 * machine, each with one hot line. */
static int write_profile(char *path, size_t size) {
  pb_builder_t *b = pb_builder_new();
  pb_add_sample_type(b, "cpu", "nanoseconds");
  const char *files[] = {
      "/usr/local/go/src/runtime/proc.go",
      "/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.3/decode.go",
      "github.com/BurntSushi/toml@v1.2.3/decode.go", "example.com/app/z.go"};
  const char *names[] = {
      "runtime.schedule", "github.com/BurntSushi/toml.Decode",
      "github.com/BurntSushi/toml.(*decoder).unify", "main.main"};
  uint64_t locs[4];
  for (int i = 0; i < 4; i++)
    locs[i] = pb_add_frame(b, pb_add_function(b, names[i], files[i]), 3 + i);
  for (int i = 0; i < 4; i++) {
    int64_t v = 1000000 * (i + 1);
    pb_add_sample(b, 1, &locs[i], 1, &v);
  }
  uint8_t *buf;
  size_t len;
  int rc = pb_build_bytes(b, 1, &buf, &len);
  pb_builder_free(b);
  if (rc < 0)
    return -1;
  rc = pb_write_temp(buf, len, path, size);
  free(buf);
  return rc;
}

static void through_the_server(void) {
  char profile[512];
  if (write_profile(profile, sizeof profile) < 0) {
    CHECK(0);
    return;
  }
  harness_t h;
  if (harness_open(&h) < 0) {
    CHECK(0);
    unlink(profile);
    return;
  }
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
               "\"params\":{\"rootUri\":\"file://%s\",\"capabilities\":{},"
               "\"initializationOptions\":{\"goroot\":\"%s\","
               "\"gomodcache\":\"%s\"}}}",
               ws, goroot, modcache);
  harness_wait_reply(&h, 1, 100);
  char uri[700];
  snprintf(uri, sizeof uri, "file://%s/src/runtime/proc.go", goroot);
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\","
               "\"params\":{\"textDocument\":{\"uri\":\"%s\",\"languageId\":"
               "\"go\",\"version\":1,\"text\":\"a\\nb\\nc\\nd\\n\"}}}",
               uri);
  harness_send(&h,
               "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":"
               "\"workspace/executeCommand\",\"params\":{\"command\":"
               "\"heatls.loadProfile\",\"arguments\":[\"%s\"]}}",
               profile);
  long answer = harness_wait_reply(&h, 2, 10000);
  long deco = harness_find(&h, 0, "heatls/decorations");
  CHECK(answer >= 0 && deco >= 0 && deco < answer);
  const json_t *params =
      deco >= 0 ? json_object_get(h.sent[deco], "params") : NULL;
  CHECK_STR(json_string_value(json_object_get(params, "uri")), uri);
  const json_t *lines = json_object_get(params, "lines");
  CHECK_INT(json_array_size(lines), 1);
  CHECK_INT(
      json_integer_value(json_object_get(json_array_get(lines, 0), "line")),
      2);
  CHECK_INT(json_integer_value(json_object_get(
                json_object_get(h.sent[answer], "result"), "documents")),
            1);

  /* Every profile file has its local file's uri. */
  harness_send(&h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
                   "\"workspace/executeCommand\",\"params\":{\"command\":"
                   "\"heatls.hotspots\",\"arguments\":[]}}");
  long at = harness_wait_reply(&h, 3, 1000);
  const json_t *list = at >= 0 ? json_object_get(h.sent[at], "result") : NULL;
  CHECK_INT(json_array_size(list), 4);
  const char *want[][2] = {
      {"/usr/local/go/src/runtime/proc.go", "goroot/src/runtime/proc.go"},
      {"/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.3/decode.go",
       "modcache/github.com/%21burnt%21sushi/toml%40v1.2.3/decode.go"},
      {"github.com/BurntSushi/toml@v1.2.3/decode.go",
       "modcache/github.com/%21burnt%21sushi/toml%40v1.2.3/decode.go"},
      {"example.com/app/z.go", "ws/z.go"}};
  for (size_t w = 0; w < 4; w++) {
    int found = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
      const char *path = json_string_value(json_object_get(item, "path"));
      if (!path || strcmp(path, want[w][0]) != 0)
        continue;
      found = 1;
      char expect[700];
      snprintf(expect, sizeof expect, "file://%s/%s", root, want[w][1]);
      CHECK_STR(json_string_value(json_object_get(item, "uri")), expect);
    }
    CHECK(found);
  }
  CHECK_INT(harness_close(&h), 0);
  unlink(profile);
}

int main(void) {
  if (pb_make_temp_dir(root, sizeof root) < 0) {
    perror("temp dir");
    return 1;
  }
  snprintf(goroot, sizeof goroot, "%s/goroot", root);
  snprintf(modcache, sizeof modcache, "%s/modcache", root);
  snprintf(ws, sizeof ws, "%s/ws", root);
  put("goroot/src/runtime/proc.go", "package runtime\n");
  put("goroot/src/net/http/server.go", "package http\n");
  put("modcache/github.com/!burnt!sushi/toml@v1.2.3/decode.go",
      "package toml\n");
  put("ws/go.mod", "// the app\nmodule example.com/app // a comment\n\n"
                   "go 1.19\n");
  put("ws/z.go", "package main\n");
  put("ws/internal/y.go", "package internal\n");
  /* The tree must be canonical for the paths to compare. */
  char *real = realpath(root, NULL);
  if (real) {
    snprintf(root, sizeof root, "%s", real);
    snprintf(goroot, sizeof goroot, "%s/goroot", root);
    snprintf(modcache, sizeof modcache, "%s/modcache", root);
    snprintf(ws, sizeof ws, "%s/ws", root);
    free(real);
  }
  rules();
  through_the_server();
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  CHECK_INT(system(cmd), 0);
  CHECK_DONE();
}
