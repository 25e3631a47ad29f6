/*
 * uri.c: file URI decoding and encoding (rules in lsp_uri.h).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lsp_uri.h"

static int lower(int c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* 1 when s[0..n) equals the lowercase word, ignoring ASCII case. */
static int ascii_iequal(const char *s, size_t n, const char *word) {
  size_t i;
  if (strlen(word) != n)
    return 0;
  for (i = 0; i < n; i++)
    if (lower((unsigned char)s[i]) != word[i])
      return 0;
  return 1;
}

static int hex_value(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* The end of a URI scheme at the start of s, or NULL when s has none:
 * ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
static const char *scheme_end(const char *s) {
  const char *p = s;
  if (!((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
    return NULL;
  while ((((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')) ||
         (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
    p++;
  return *p == ':' ? p : NULL;
}

int lsp_uri_to_path(const char *uri, char **path, rpc_error_t *err) {
  const char *colon, *p;
  size_t len;
  char *out, *o;

  if (!uri || !path)
    return rpc__fail(err, RPC_EINVAL, "lsp_uri_to_path: NULL argument");
  *path = NULL;
  len = strlen(uri);
  if (len > LSP_URI_MAX)
    return rpc__fail(err, RPC_ETOOBIG, "URI longer than %d bytes",
                     LSP_URI_MAX);
  colon = scheme_end(uri);
  if (!colon)
    return rpc__fail(err, RPC_EURI, "URI without a scheme");
  if (!ascii_iequal(uri, (size_t)(colon - uri), "file"))
    return rpc__fail(err, RPC_ENOTFILE, "not a file URI (scheme \"%.*s\")",
                     (int)((colon - uri) > 40 ? 40 : (colon - uri)), uri);
  p = colon + 1;
  if (p[0] == '/' && p[1] == '/') { /* an authority */
    const char *host = p + 2, *slash = strchr(host, '/');
    size_t host_len = slash ? (size_t)(slash - host) : strlen(host);
    if (host_len != 0 && !ascii_iequal(host, host_len, "localhost")) {
      char shown[48];
      rpc__printable(host, host_len, shown, 44);
      return rpc__fail(err, RPC_EURI,
                       "file URI with host \"%s\" (only local files)", shown);
    }
    p = host + host_len;
  }
  if (*p != '/')
    return rpc__fail(err, RPC_EURI, "file URI without an absolute path");

  out = malloc(strlen(p) + 1); /* decoding never lengthens */
  if (!out)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a path");
  for (o = out; *p; p++) {
    if (*p == '%') {
      int hi = hex_value((unsigned char)p[1]);
      int lo = hi < 0 ? -1 : hex_value((unsigned char)p[2]);
      if (hi < 0 || lo < 0) {
        free(out);
        return rpc__fail(err, RPC_EURI, "bad percent escape in URI");
      }
      if (hi == 0 && lo == 0) {
        free(out);
        return rpc__fail(err, RPC_EURI, "URI encodes a NUL byte (%%00)");
      }
      *o++ = (char)(hi * 16 + lo);
      p += 2;
    } else if (*p == '?' || *p == '#') {
      free(out);
      return rpc__fail(err, RPC_EURI, "file URI with a query or fragment");
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
  *path = out;
  rpc__clear(err);
  return 0;
}

static int unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

int lsp_uri_from_path(const char *path, char **uri, rpc_error_t *err) {
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p;
  size_t len, need = sizeof "file://"; /* with the NUL */
  char *out, *o;

  if (!path || !uri)
    return rpc__fail(err, RPC_EINVAL, "lsp_uri_from_path: NULL argument");
  *uri = NULL;
  if (path[0] != '/')
    return rpc__fail(err, RPC_EINVAL, "path is not absolute");
  len = strlen(path);
  if (len > LSP_URI_MAX)
    return rpc__fail(err, RPC_ETOOBIG, "path longer than %d bytes",
                     LSP_URI_MAX);
  for (p = (const unsigned char *)path; *p; p++)
    need += (unreserved(*p) || *p == '/') ? 1 : 3;
  out = malloc(need);
  if (!out)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a URI");
  memcpy(out, "file://", 7);
  o = out + 7;
  for (p = (const unsigned char *)path; *p; p++) {
    if (unreserved(*p) || *p == '/') {
      *o++ = (char)*p;
    } else {
      *o++ = '%';
      *o++ = hex[*p >> 4];
      *o++ = hex[*p & 15];
    }
  }
  *o = '\0';
  *uri = out;
  rpc__clear(err);
  return 0;
}
