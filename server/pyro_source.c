/*
 * pyro_source.c: pyroscope+http(s):// sources, parsed and named.
 */
#include "pyro_source.h"

#include "error.h"
#include "pyro_time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The profile types of Pyroscope's Go SDK (pyroscope.ProfileType), by
 * their names there, plus "mutex" and "block" for the durations. */
static const struct {
  const char *name, *id;
} types[] = {
    {"cpu", "process_cpu:cpu:nanoseconds:cpu:nanoseconds"},
    {"alloc_space", "memory:alloc_space:bytes:space:bytes"},
    {"alloc_objects", "memory:alloc_objects:count:space:bytes"},
    {"inuse_space", "memory:inuse_space:bytes:space:bytes"},
    {"inuse_objects", "memory:inuse_objects:count:space:bytes"},
    {"goroutines", "goroutine:goroutine:count:goroutine:count"},
    {"mutex_count", "mutex:contentions:count:contentions:count"},
    {"mutex_duration", "mutex:delay:nanoseconds:contentions:count"},
    {"block_count", "block:contentions:count:contentions:count"},
    {"block_duration", "block:delay:nanoseconds:contentions:count"},
    {"mutex", "mutex:delay:nanoseconds:contentions:count"},
    {"block", "block:delay:nanoseconds:contentions:count"},
};

const char *srv_pyro_type_id(const char *name) {
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strcmp(types[i].name, name) == 0)
      return types[i].id;
  return NULL;
}

const char *srv_pyro_type_name(const char *id) {
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strcmp(types[i].id, id) == 0)
      return types[i].name; /* the first: the SDK's own name */
  return NULL;
}

static int bad(char *msg, size_t size, const char *fmt, const char *what) {
  snprintf(msg, size, fmt, what);
  return SRV_EINVAL;
}

static int hex(int c) {
  if (isdigit(c))
    return c - '0';
  c = tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A new string of s[0..n) with %XX decoded; NULL when out of memory or
 * *bad_escape when an escape is not two hex digits or decodes to NUL. */
static char *decode(const char *s, size_t n, int *bad_escape) {
  char *out = malloc(n + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '%') {
      out[o++] = s[i];
      continue;
    }
    int a = i + 1 < n ? hex((unsigned char)s[i + 1]) : -1;
    int b = i + 2 < n ? hex((unsigned char)s[i + 2]) : -1;
    if (a < 0 || b < 0 || (a == 0 && b == 0)) {
      *bad_escape = 1;
      free(out);
      return NULL;
    }
    out[o++] = (char)(a * 16 + b);
    i += 2;
  }
  out[o] = '\0';
  return out;
}

typedef struct params {
  char *service, *query, *type, *from, *until, *tenant;
} params_t;

static void params_free(params_t *p) {
  free(p->service);
  free(p->query);
  free(p->type);
  free(p->from);
  free(p->until);
  free(p->tenant);
}

/* Fills p from the query string q[0..n). */
static int parse_params(const char *q, size_t n, params_t *p, char *msg,
                        size_t size) {
  size_t i = 0;
  while (i < n) {
    size_t len = strcspn(q + i, "&");
    if (i + len > n)
      len = n - i;
    const char *pair = q + i;
    i += len + 1;
    if (len == 0)
      continue;
    const char *eq = memchr(pair, '=', len);
    size_t key_len = eq ? (size_t)(eq - pair) : len;
    char key[16];
    snprintf(key, sizeof key, "%.*s", (int)(key_len < 15 ? key_len : 15),
             pair);
    char **slot = NULL;
    if (key_len < 15) {
      if (strcmp(key, "service") == 0)
        slot = &p->service;
      else if (strcmp(key, "query") == 0)
        slot = &p->query;
      else if (strcmp(key, "type") == 0)
        slot = &p->type;
      else if (strcmp(key, "from") == 0)
        slot = &p->from;
      else if (strcmp(key, "until") == 0)
        slot = &p->until;
      else if (strcmp(key, "tenant") == 0)
        slot = &p->tenant;
    }
    if (!slot)
      return bad(msg, size,
                 "unknown parameter \"%s\" (a Pyroscope source takes "
                 "service, query, type, from, until and tenant)",
                 key);
    if (!eq || eq + 1 == pair + len)
      return bad(msg, size, "parameter \"%s\" has no value", key);
    if (*slot)
      return bad(msg, size, "parameter \"%s\" is given twice", key);
    int bad_escape = 0;
    *slot = decode(eq + 1, len - key_len - 1, &bad_escape);
    if (bad_escape)
      return bad(msg, size, "parameter \"%s\": a bad %%-escape", key);
    if (!*slot)
      return SRV_ENOMEM;
    if (strpbrk(*slot, "\r\n"))
      return bad(msg, size, "parameter \"%s\": a line break", key);
  }
  return 0;
}

/* A service name fit for a selector between quotes. */
static int plain_name(const char *s) {
  for (; *s; s++)
    if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
      return 0;
  return 1;
}

/* "pyroscope: checkout cpu now-1h[ to until]" */
static char *name_of(const params_t *p, const srv_pyro_query_t *q) {
  const char *what = p->service ? p->service : q->selector;
  const char *type = srv_pyro_type_name(q->type_id);
  const char *from = q->from ? q->from : "now-1h";
  const char *until =
      q->until && strcmp(q->until, "now") != 0 ? q->until : NULL;
  size_t n = strlen(what) + strlen(type ? type : q->type_id) + strlen(from) +
             (until ? strlen(until) + 4 : 0) + 16;
  char *name = malloc(n);
  if (name)
    snprintf(name, n, "pyroscope: %s %s %s%s%s", what,
             type ? type : q->type_id, from, until ? " to " : "",
             until ? until : "");
  return name;
}

/* Checks the parameters and fills q from them. */
static int make_query(params_t *p, srv_pyro_query_t *q, char *msg,
                      size_t size) {
  if (p->service && p->query)
    return bad(msg, size, "%s", "give service or query, not both");
  if (p->service) {
    if (!plain_name(p->service))
      return bad(msg, size,
                 "service \"%.100s\": quotes, backslashes and control "
                 "characters need query=",
                 p->service);
    size_t n = strlen(p->service) + 20;
    if (!(q->selector = malloc(n)))
      return SRV_ENOMEM;
    snprintf(q->selector, n, "{service_name=\"%s\"}", p->service);
  } else {
    const char *sel = p->query ? p->query : "{}";
    size_t n = strlen(sel);
    if (n < 2 || sel[0] != '{' || sel[n - 1] != '}')
      return bad(msg, size,
                 "query \"%.100s\": a label selector is written "
                 "{name=\"value\",...}",
                 sel);
    if (!(q->selector = strdup(sel)))
      return SRV_ENOMEM;
  }
  const char *type = p->type ? p->type : "cpu";
  const char *id = srv_pyro_type_id(type);
  if (!id) {
    size_t colons = 0;
    for (const char *c = type; *c; c++)
      colons += *c == ':';
    if (colons != 4)
      return bad(msg, size,
                 "type \"%.100s\": not a profile type id "
                 "(name:sample_type:sample_unit:period_type:period_unit) "
                 "nor a name heatls knows (cpu, alloc_space, "
                 "alloc_objects, inuse_space, inuse_objects, goroutines, "
                 "mutex_count, mutex_duration, block_count, "
                 "block_duration)",
                 type);
    id = type;
  }
  if (!(q->type_id = strdup(id)))
    return SRV_ENOMEM;
  int64_t from = 0, until = 1;
  if (p->from && srv_pyro_time_parse(p->from, 0, &from) < 0)
    return bad(msg, size,
               "from \"%.100s\": not a time (now, now-1h, now-30m, "
               "unix seconds or ms, RFC 3339)",
               p->from);
  if (p->until && srv_pyro_time_parse(p->until, 0, &until) < 0)
    return bad(msg, size,
               "until \"%.100s\": not a time (now, now-1h, now-30m, "
               "unix seconds or ms, RFC 3339)",
               p->until);
  q->from = p->from;
  q->until = p->until;
  p->from = p->until = NULL;
  return 0;
}

/* Adds "X-Scope-OrgID: tenant" to f's headers. */
static int add_tenant(srv_fetch_t *f, const char *tenant) {
  size_t n = strlen(tenant) + 16;
  char *line = malloc(n);
  char **headers =
      realloc(f->headers, (f->header_count + 1) * sizeof *headers);
  if (!line || !headers) {
    free(line);
    if (headers)
      f->headers = headers;
    return SRV_ENOMEM;
  }
  snprintf(line, n, "X-Scope-OrgID: %s", tenant);
  f->headers = headers;
  f->headers[f->header_count++] = line;
  return 0;
}

int srv_pyro_source_parse(const char *arg, const srv_fetch_t *fetch,
                          srv_source_t *out, char *msg, size_t msg_size) {
  *out = (srv_source_t){.kind = SRV_SOURCE_NONE};
  int https = strncmp(arg, "pyroscope+https://", 18) == 0;
  const char *rest = arg + (https ? 18 : 17);
  size_t auth_len = strcspn(rest, "/?#");
  const char *at = memchr(rest, '@', auth_len);
  const char *host = at ? at + 1 : rest;
  if (auth_len == (size_t)(host - rest))
    return bad(msg, msg_size, "%s", "a Pyroscope URL needs a host");
  size_t path_len = strcspn(rest + auth_len, "?#");
  /* The server: scheme, authority and path prefix, without a last '/'. */
  size_t server_len = auth_len + path_len;
  while (server_len > auth_len && rest[server_len - 1] == '/')
    server_len--;
  const char *query =
      rest[auth_len + path_len] == '?' ? rest + auth_len + path_len + 1 : NULL;
  params_t p = {0};
  int rc =
      query ? parse_params(query, strcspn(query, "#"), &p, msg, msg_size) : 0;
  srv_source_t s = {.kind = SRV_SOURCE_PYROSCOPE};
  if (rc == 0)
    rc = make_query(&p, &s.pyro, msg, msg_size);
  if (rc == 0) {
    size_t n = server_len + 16;
    if (!(s.pyro.server = malloc(n)))
      rc = SRV_ENOMEM;
    else
      snprintf(s.pyro.server, n, "%s://%.*s", https ? "https" : "http",
               (int)server_len, rest);
  }
  if (rc == 0 && fetch && (rc = srv_fetch_copy(fetch, &s.fetch)) == 0)
    s.fetch.seconds = 0;
  if (rc == 0 && p.tenant)
    rc = add_tenant(&s.fetch, p.tenant);
  if (rc == 0 && !(s.name = name_of(&p, &s.pyro)))
    rc = SRV_ENOMEM;
  if (rc == 0) {
    /* What makes two sources equal: the query, times as written. */
    size_t n = strlen(s.pyro.server) + strlen(s.pyro.selector) +
               strlen(s.pyro.type_id) +
               (s.pyro.from ? strlen(s.pyro.from) : 0) +
               (s.pyro.until ? strlen(s.pyro.until) : 0) +
               (p.tenant ? strlen(p.tenant) : 0) + 64;
    if (!(s.path = malloc(n)))
      rc = SRV_ENOMEM;
    else
      snprintf(s.path, n, "pyroscope+%s\n%s\n%s\n%s\n%s\n%s", s.pyro.server,
               s.pyro.selector, s.pyro.type_id, s.pyro.from ? s.pyro.from : "",
               s.pyro.until ? s.pyro.until : "", p.tenant ? p.tenant : "");
  }
  params_free(&p);
  if (rc < 0) {
    if (rc == SRV_ENOMEM)
      snprintf(msg, msg_size, "out of memory");
    srv_source_close(&s);
    return rc;
  }
  *out = s;
  return 0;
}

static int dup_or_null(const char *s, char **out) {
  *out = NULL;
  return s && !(*out = strdup(s)) ? SRV_ENOMEM : 0;
}

int srv_pyro_query_copy(const srv_pyro_query_t *src, srv_pyro_query_t *out) {
  *out = (srv_pyro_query_t){0};
  if (dup_or_null(src->server, &out->server) < 0 ||
      dup_or_null(src->selector, &out->selector) < 0 ||
      dup_or_null(src->type_id, &out->type_id) < 0 ||
      dup_or_null(src->from, &out->from) < 0 ||
      dup_or_null(src->until, &out->until) < 0) {
    srv_pyro_query_close(out);
    return SRV_ENOMEM;
  }
  return 0;
}

void srv_pyro_query_close(srv_pyro_query_t *q) {
  free(q->server);
  free(q->selector);
  free(q->type_id);
  free(q->from);
  free(q->until);
  *q = (srv_pyro_query_t){0};
}
