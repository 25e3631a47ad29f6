/*
 * go_paths.c: Go's own paths (GOROOT, module cache, -trimpath names) into
 * this machine's files.
 */
/* realpath() is an XSI function. */
#define _XOPEN_SOURCE 700

#include "go_paths.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* `go env` is asked at most once per process, whatever the thread. */
static pthread_once_t go_env_once = PTHREAD_ONCE_INIT;
static char go_env_goroot[4096], go_env_modcache[4096];

/* One line of `go env` output into buf, without its newline. */
static void read_line(FILE *f, char *buf, size_t size) {
  buf[0] = 0;
  if (!fgets(buf, (int)size, f))
    return;
  buf[strcspn(buf, "\n")] = 0;
}

static void ask_go(void) {
  /* Without go on PATH the shell prints nothing to stdout. */
  FILE *f = popen("go env GOROOT GOMODCACHE 2>/dev/null", "r");
  if (!f)
    return;
  read_line(f, go_env_goroot, sizeof go_env_goroot);
  read_line(f, go_env_modcache, sizeof go_env_modcache);
  pclose(f);
}

static int is_dir(const char *path) {
  struct stat st;
  return path && *path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* a + "/" + b (b of length blen), new; NULL when out of memory. */
static char *join(const char *a, const char *b, size_t blen) {
  size_t alen = strlen(a);
  while (alen > 1 && a[alen - 1] == '/')
    alen--;
  char *out = malloc(alen + 1 + blen + 1);
  if (!out)
    return NULL;
  memcpy(out, a, alen);
  out[alen] = '/';
  memcpy(out + alen + 1, b, blen);
  out[alen + 1 + blen] = 0;
  return out;
}

/* The first existing folder among the candidates, its links resolved
 * (editors open /usr/lib/go-1.19/src/..., not the /usr/lib/go link), new;
 * NULL when none exists, or with *oom set when no copy could be made. */
static char *first_dir(const char *const *candidates, size_t n, int *oom) {
  for (size_t i = 0; i < n; i++) {
    if (is_dir(candidates[i])) {
      char *copy = realpath(candidates[i], NULL);
      if (!copy && errno == ENOMEM)
        *oom = 1;
      return copy;
    }
  }
  return NULL;
}

static char *find_goroot(const char *setting, int *oom) {
  if (setting)
    return first_dir(&setting, 1, oom);
  const char *env = getenv("GOROOT");
  if (is_dir(env))
    return first_dir(&env, 1, oom);
  pthread_once(&go_env_once, ask_go);
  const char *const fallback[] = {go_env_goroot, "/usr/lib/go",
                                  "/usr/local/go"};
  return first_dir(fallback, 3, oom);
}

static char *find_modcache(const char *setting, int *oom) {
  if (setting)
    return first_dir(&setting, 1, oom);
  const char *env = getenv("GOMODCACHE");
  if (is_dir(env))
    return first_dir(&env, 1, oom);
  pthread_once(&go_env_once, ask_go);
  char gopath[4096] = "", home[4096] = "";
  const char *gp = getenv("GOPATH"), *h = getenv("HOME");
  if (gp && *gp)
    snprintf(gopath, sizeof gopath, "%.*s/pkg/mod", (int)strcspn(gp, ":"), gp);
  if (h && *h)
    snprintf(home, sizeof home, "%s/go/pkg/mod", h);
  const char *const fallback[] = {go_env_modcache, gopath, home};
  return first_dir(fallback, 3, oom);
}

/* The module path a go.mod declares ("module example.com/app"), new, or
 * NULL when the file is missing or declares none. */
static char *read_module(const char *dir, int *oom) {
  char *gomod = join(dir, "go.mod", 6);
  if (!gomod) {
    *oom = 1;
    return NULL;
  }
  FILE *f = fopen(gomod, "r");
  free(gomod);
  if (!f)
    return NULL;
  char line[4096];
  char *found = NULL;
  while (!found && fgets(line, sizeof line, f)) {
    char *p = line + strspn(line, " \t");
    if (strncmp(p, "module", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
      continue;
    p += 6 + strspn(p + 6, " \t");
    int quoted = *p == '"';
    p += quoted;
    size_t n = strcspn(p, quoted ? "\"" : " \t\r\n/");
    /* A module path ends without a slash; "// comment" is not part of it. */
    while (!quoted && n > 0 && p[n] == '/' && p[n + 1] != '/')
      n += 1 + strcspn(p + n + 1, " \t\r\n/");
    if (n > 0 && !(found = strndup(p, n)))
      *oom = 1;
  }
  fclose(f);
  return found;
}

int srv_go_env_discover(const srv_go_settings_t *settings,
                        const char *const *roots, size_t root_count,
                        srv_go_env_t *env) {
  *env = (srv_go_env_t){0};
  int oom = 0;
  env->goroot = find_goroot(settings ? settings->goroot : NULL, &oom);
  env->modcache = find_modcache(settings ? settings->gomodcache : NULL, &oom);
  if (root_count > 0 && !oom) {
    env->modules = calloc(root_count, sizeof *env->modules);
    oom = !env->modules;
  }
  for (size_t i = 0; i < root_count && !oom; i++) {
    if (!roots[i])
      continue;
    char *module = read_module(roots[i], &oom);
    char *dir = module ? strdup(roots[i]) : NULL;
    if (module && !dir)
      oom = 1;
    if (!module || !dir) {
      free(module);
      continue;
    }
    env->modules[env->module_count++] = (srv_go_module_t){module, dir};
  }
  if (oom) {
    srv_go_env_close(env);
    return -ENOMEM;
  }
  return 0;
}

void srv_go_env_close(srv_go_env_t *env) {
  free(env->goroot);
  free(env->modcache);
  for (size_t i = 0; i < env->module_count; i++) {
    free(env->modules[i].path);
    free(env->modules[i].dir);
  }
  free(env->modules);
  *env = (srv_go_env_t){0};
}

char *srv_go_case_encode(const char *s, size_t len) {
  size_t upper = 0;
  for (size_t i = 0; i < len; i++)
    upper += s[i] >= 'A' && s[i] <= 'Z';
  char *out = malloc(len + upper + 1);
  if (!out)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] >= 'A' && s[i] <= 'Z') {
      out[k++] = '!';
      out[k++] = (char)(s[i] - 'A' + 'a');
    } else {
      out[k++] = s[i];
    }
  }
  out[k] = 0;
  return out;
}

/* *out = base + "/" + rest when that is an existing file. 0 or -ENOMEM. */
static int probe(const char *base, const char *rest, size_t len, char **out) {
  if (!base || *out)
    return 0;
  char *candidate = join(base, rest, len);
  if (!candidate)
    return -ENOMEM;
  if (is_file(candidate))
    *out = candidate;
  else
    free(candidate);
  return 0;
}

/* The length of the first component of s. */
static size_t first_len(const char *s) { return strcspn(s, "/"); }

/* A standard-library package path starts with an element without a dot
 * ("runtime", "net/http", "cmd/go"); a module path's first element is a
 * domain ("github.com", "example.com"). */
static int std_like(const char *rest) {
  size_t n = first_len(rest);
  return n > 0 && memchr(rest, '.', n) == NULL && memchr(rest, '@', n) == NULL;
}

/* Absolute paths: <anything>/pkg/mod/<module>@<version>/<file> and
 * <anything>/src/<std package>/<file>, the last such marker first. */
static int absolute(const srv_go_env_t *env, const char *path, char **out) {
  const char *p = NULL;
  for (const char *q = strstr(path, "/pkg/mod/"); q;
       q = strstr(q + 1, "/pkg/mod/"))
    p = q;
  if (p && strchr(p + 9, '@')) {
    const char *rest = p + 9;
    if (probe(env->modcache, rest, strlen(rest), out) < 0)
      return -ENOMEM;
  }
  /* Every "/src/", from the last: a GOROOT inside a folder named src
   * (/home/me/src/go/src/runtime) is tried at its own src as well. */
  size_t len = strlen(path);
  for (size_t i = len; i-- > 0 && !*out;) {
    if (strncmp(path + i, "/src/", 5) != 0)
      continue;
    const char *rest = path + i + 5;
    if (std_like(rest)) {
      char *sub = join("src", rest, strlen(rest));
      if (!sub)
        return -ENOMEM;
      int rc = probe(env->goroot, sub, strlen(sub), out);
      free(sub);
      if (rc < 0)
        return rc;
    }
  }
  return 0;
}

/* -trimpath names: module@version/file, main module/file, package/file. */
static int trimmed(const srv_go_env_t *env, const char *path, char **out) {
  const char *at = strchr(path, '@');
  if (at && env->modcache) {
    /* The module@version prefix ends at the component holding the '@'. */
    size_t prefix = (size_t)(at - path) + first_len(at);
    if (path[prefix] == '/') {
      char *encoded = srv_go_case_encode(path, prefix);
      if (!encoded)
        return -ENOMEM;
      const char *rest = path + prefix;
      size_t n = strlen(encoded) + strlen(rest);
      char *full = malloc(n + 1);
      if (full)
        snprintf(full, n + 1, "%s%s", encoded, rest);
      free(encoded);
      if (!full)
        return -ENOMEM;
      int rc = probe(env->modcache, full, n, out);
      free(full);
      if (rc < 0 || *out)
        return rc;
    }
  }
  /* The main module whose path is the longest prefix of path. */
  const srv_go_module_t *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; i < env->module_count; i++) {
    size_t n = strlen(env->modules[i].path);
    if (n > best_len && strncmp(path, env->modules[i].path, n) == 0 &&
        path[n] == '/') {
      best = &env->modules[i];
      best_len = n;
    }
  }
  if (best) {
    const char *rest = path + best_len + 1;
    if (probe(best->dir, rest, strlen(rest), out) < 0)
      return -ENOMEM;
  }
  if (!*out && std_like(path)) {
    char *sub = join("src", path, strlen(path));
    if (!sub)
      return -ENOMEM;
    int rc = probe(env->goroot, sub, strlen(sub), out);
    free(sub);
    return rc;
  }
  return 0;
}

int srv_go_local(const srv_go_env_t *env, const char *path, char **out) {
  *out = NULL;
  if (!path || !*path || strchr(path, '\\'))
    return 0; /* Windows paths are path_map's business */
  return path[0] == '/' ? absolute(env, path, out) : trimmed(env, path, out);
}
