/*
 * go_paths.h: the paths a Go profile from another machine carries, mapped
 * into this machine's Go installation without settings.
 *
 * A Go binary records its source files as the build machine had them:
 *   - the standard library under that machine's GOROOT:
 *     /usr/local/go/src/runtime/proc.go;
 *   - modules under its module cache:
 *     /root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.3/decode.go
 *     (upper-case letters of module paths and versions written as '!' and
 *     the lower-case letter, as the cache stores them);
 *   - with -trimpath, module files as module@version/file
 *     (github.com/BurntSushi/toml@v1.2.3/decode.go: not case-encoded),
 *     the main module's as module/file (example.com/app/z.go) and the
 *     standard library's as package/file (runtime/proc.go).
 * srv_go_local() finds the file of this machine that shows such a path: in
 * the local GOROOT, the local module cache, or the workspace folder whose
 * go.mod declares the main module. A candidate counts only when it is an
 * existing regular file, so a rule that guesses wrong matches nothing.
 *
 * Discovery (srv_go_env_discover) stats folders, reads go.mod files and may
 * run `go env` once per process: it blocks, so the server calls it on a
 * load's worker thread. Plain C: libc only.
 */
#ifndef HEATLS_SRV_GO_PATHS_H
#define HEATLS_SRV_GO_PATHS_H

#include <stddef.h>

/* A main module: the module path its go.mod declares, and its folder. */
typedef struct srv_go_module {
  char *path;
  char *dir;
} srv_go_module_t;

typedef struct srv_go_env {
  char *goroot;   /* the local GOROOT, NULL when none was found */
  char *modcache; /* the local module cache, NULL when none was found */
  srv_go_module_t *modules; /* from the workspace folders' go.mod */
  size_t module_count;
} srv_go_env_t;

/* What the user set; NULL members are looked up. */
typedef struct srv_go_settings {
  const char *goroot;     /* else $GOROOT, `go env GOROOT`, /usr/lib/go,
                             /usr/local/go: the first existing folder */
  const char *gomodcache; /* else $GOMODCACHE, `go env GOMODCACHE`,
                             $GOPATH/pkg/mod, ~/go/pkg/mod */
} srv_go_settings_t;

/* Fills *env for these settings and workspace folders (borrowed). 0, or
 * -ENOMEM (env empty then). Blocking. */
int srv_go_env_discover(const srv_go_settings_t *settings,
                        const char *const *roots, size_t root_count,
                        srv_go_env_t *env);

void srv_go_env_close(srv_go_env_t *env);

/* Sets *out to the local file (new, absolute) that shows the profile path
 * `path` by the rules above, or NULL when none exists. 0 or -ENOMEM. */
int srv_go_local(const srv_go_env_t *env, const char *path, char **out);

/* The module cache's spelling of a module path or version: each upper-case
 * ASCII letter becomes '!' and its lower case. New string, or NULL when
 * out of memory. */
char *srv_go_case_encode(const char *s, size_t len);

#endif
