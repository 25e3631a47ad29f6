/*
 * source.c: profile sources: files, and URLs by go tool pprof's rules.
 */
#include "source.h"

#include "error.h"
#include "pyro_source.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int srv_source_file(const char *path, const char *base_dir,
                    srv_source_t *out) {
  *out = (srv_source_t){.kind = SRV_SOURCE_NONE};
  const char *base = NULL;
  char cwd[4096];
  if (path[0] == '~' && path[1] == '/') {
    base = getenv("HOME");
    path += 2;
  } else if (path[0] != '/') {
    base = base_dir ? base_dir : getcwd(cwd, sizeof cwd);
  }
  char *full;
  if (!base) {
    full = strdup(path);
  } else {
    size_t n = strlen(base) + strlen(path) + 2;
    full = malloc(n);
    if (full)
      snprintf(full, n, "%s%s%s", base,
               base[0] && base[strlen(base) - 1] == '/' ? "" : "/", path);
  }
  if (!full)
    return SRV_ENOMEM;
  *out = (srv_source_t){.kind = SRV_SOURCE_FILE, .path = full};
  return 0;
}

/* The length of a "scheme://" prefix (letters, digits, '+', '-', '.'
 * after a letter), or 0. */
static size_t scheme_length(const char *s) {
  if (!isalpha((unsigned char)s[0]))
    return 0;
  size_t i = 1;
  while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
         s[i] == '.')
    i++;
  return strncmp(s + i, "://", 3) == 0 ? i + 3 : 0;
}

/* host:port[/path]: a host name, an IPv4 address or [IPv6], a colon,
 * digits, then the end or '/'. */
static int looks_like_host_port(const char *s) {
  size_t i = 0;
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (!close)
      return 0;
    i = (size_t)(close - s) + 1;
  } else {
    while (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '-')
      i++;
  }
  if (i == 0 || s[i] != ':' || !isdigit((unsigned char)s[i + 1]))
    return 0;
  i++;
  while (isdigit((unsigned char)s[i]))
    i++;
  return s[i] == '\0' || s[i] == '/';
}

static int bad(char *msg, size_t size, const char *what, const char *arg) {
  snprintf(msg, size, "%s: %.200s", what, arg);
  return SRV_EINVAL;
}

/* What a URL's path asks for, for its name: "cpu" for .../profile, else
 * the last segment ("heap", "allocs", "mutex"...). */
static void kind_of(const char *path, size_t len, char *out, size_t size) {
  size_t start = len;
  while (start > 0 && path[start - 1] != '/')
    start--;
  size_t n = len - start;
  if (n == 7 && strncmp(path + start, "profile", 7) == 0)
    snprintf(out, size, "cpu");
  else
    snprintf(out, size, "%.*s", (int)(n > 40 ? 40 : n), path + start);
}

/* The URL source for rest (after "scheme://"), with https and insecure as
 * the scheme said. */
static int url_source(const char *rest, int https, int insecure,
                      const srv_fetch_t *fetch, srv_source_t *out, char *msg,
                      size_t size) {
  size_t auth_len = strcspn(rest, "/?#");
  const char *auth = rest;
  /* Credentials in the URL go to curl, never into the name. */
  const char *at = memchr(auth, '@', auth_len);
  const char *host = at ? at + 1 : auth;
  size_t host_len = auth_len - (size_t)(host - auth);
  if (host_len == 0)
    return bad(msg, size, "a URL needs a host", "(none)");
  const char *path = rest + auth_len;
  size_t path_len = strcspn(path, "?#");
  const char *query = path[path_len] == '?' ? path + path_len + 1 : NULL;
  size_t query_len = query ? strcspn(query, "#") : 0;
  const char *pp = path;
  if (path_len == 0 || (path_len == 1 && path[0] == '/')) {
    pp = "/debug/pprof/profile";
    path_len = strlen(pp);
  }
  int seconds = fetch ? fetch->seconds : 0;
  char secs[32] = "";
  if (seconds > 0)
    snprintf(secs, sizeof secs, "seconds=%d", seconds);
  size_t n = 8 + auth_len + path_len + query_len + strlen(secs) + 3;
  char *url = malloc(n);
  char *name = malloc(host_len + 96);
  if (!url || !name) {
    free(url);
    free(name);
    return SRV_ENOMEM;
  }
  snprintf(url, n, "%s://%.*s%.*s%s%.*s%s%s", https ? "https" : "http",
           (int)auth_len, auth, (int)path_len, pp, query || secs[0] ? "?" : "",
           (int)query_len, query ? query : "", query_len && secs[0] ? "&" : "",
           secs);
  char kind[48];
  kind_of(pp, path_len, kind, sizeof kind);
  int len = snprintf(name, host_len + 96, "live: %.*s %s", (int)host_len, host,
                     kind);
  if (seconds > 0 && len > 0)
    snprintf(name + len, host_len + 96 - (size_t)len, " %ds", seconds);
  *out = (srv_source_t){
      .kind = SRV_SOURCE_URL, .path = url, .name = name, .insecure = insecure};
  if (fetch && srv_fetch_copy(fetch, &out->fetch) < 0) {
    srv_source_close(out);
    return SRV_ENOMEM;
  }
  return 0;
}

int srv_source_parse(const char *arg, const char *base_dir,
                     const srv_fetch_t *fetch, srv_source_t *out, char *msg,
                     size_t msg_size) {
  *out = (srv_source_t){.kind = SRV_SOURCE_NONE};
  size_t scheme = scheme_length(arg);
  if (scheme) {
    if (strncmp(arg, "http://", scheme) == 0 && scheme == 7)
      return url_source(arg + 7, 0, 0, fetch, out, msg, msg_size);
    if (strncmp(arg, "https://", scheme) == 0 && scheme == 8)
      return url_source(arg + 8, 1, 0, fetch, out, msg, msg_size);
    if (scheme == 17 && strncmp(arg, "https+insecure://", scheme) == 0)
      return url_source(arg + 17, 1, 1, fetch, out, msg, msg_size);
    if (strncmp(arg, "pyroscope+", 10) == 0 && (scheme == 17 || scheme == 18))
      return srv_pyro_source_parse(arg, fetch, out, msg, msg_size);
    snprintf(msg, msg_size,
             "unsupported scheme \"%.*s\" (heatls fetches http://, "
             "https://, https+insecure://, pyroscope+http:// and "
             "pyroscope+https://)",
             (int)(scheme - 3), arg);
    return SRV_EINVAL;
  }
  int rc = srv_source_file(arg, base_dir, out);
  if (rc < 0)
    return rc;
  struct stat st;
  if (stat(out->path, &st) == 0 || !looks_like_host_port(arg))
    return 0;
  srv_source_close(out);
  return url_source(arg, 0, 0, fetch, out, msg, msg_size);
}

uint64_t srv_source_timeout_ms(const srv_source_t *src) {
  double t = src->fetch.timeout;
  if (t <= 0)
    t = src->fetch.seconds > 0 ? 1.5 * src->fetch.seconds
                               : SRV_FETCH_DEFAULT_TIMEOUT;
  return (uint64_t)(t * 1000.0);
}

static int dup_string(const char *s, char **out) {
  *out = NULL;
  return s && !(*out = strdup(s)) ? SRV_ENOMEM : 0;
}

int srv_fetch_copy(const srv_fetch_t *src, srv_fetch_t *out) {
  *out = (srv_fetch_t){.seconds = src->seconds,
                       .timeout = src->timeout,
                       .max_bytes = src->max_bytes};
  if (dup_string(src->ca_file, &out->ca_file) < 0 ||
      dup_string(src->cert, &out->cert) < 0 ||
      dup_string(src->key, &out->key) < 0)
    goto oom;
  if (src->header_count) {
    out->headers = calloc(src->header_count, sizeof *out->headers);
    if (!out->headers)
      goto oom;
    out->header_count = src->header_count;
    for (size_t i = 0; i < src->header_count; i++)
      if (dup_string(src->headers[i], &out->headers[i]) < 0)
        goto oom;
  }
  return 0;
oom:
  srv_fetch_close(out);
  return SRV_ENOMEM;
}

void srv_fetch_close(srv_fetch_t *f) {
  free(f->ca_file);
  free(f->cert);
  free(f->key);
  for (size_t i = 0; i < f->header_count; i++)
    free(f->headers[i]);
  free(f->headers);
  *f = (srv_fetch_t){0};
}

int srv_source_copy(const srv_source_t *src, srv_source_t *out) {
  *out = (srv_source_t){.kind = src->kind, .insecure = src->insecure};
  if (dup_string(src->path, &out->path) < 0 ||
      dup_string(src->name, &out->name) < 0 ||
      (src->kind != SRV_SOURCE_FILE &&
       srv_fetch_copy(&src->fetch, &out->fetch) < 0) ||
      srv_pyro_query_copy(&src->pyro, &out->pyro) < 0) {
    srv_source_close(out);
    return SRV_ENOMEM;
  }
  return 0;
}

int srv_source_equal(const srv_source_t *a, const srv_source_t *b) {
  if (a->kind != b->kind || a->insecure != b->insecure)
    return 0;
  if (!a->path || !b->path)
    return a->path == b->path;
  return strcmp(a->path, b->path) == 0;
}

const char *srv_source_name(const srv_source_t *src) {
  if (src->name)
    return src->name;
  return src->path ? src->path : "(no profile)";
}

const char *srv_source_watch_path(const srv_source_t *src) {
  return src->kind == SRV_SOURCE_FILE ? src->path : NULL;
}

void srv_source_close(srv_source_t *src) {
  free(src->path);
  free(src->name);
  srv_fetch_close(&src->fetch);
  srv_pyro_query_close(&src->pyro);
  *src = (srv_source_t){.kind = SRV_SOURCE_NONE};
}
