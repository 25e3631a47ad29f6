/*
 * framer.c: incremental Content-Length framing of incoming messages, and
 * framing of outgoing bodies (see rpc_framer.h for the rules).
 *
 * The framer is a small state machine over the bytes it is fed: it copies
 * header bytes into a fixed buffer, checking CRLF line ends as they come,
 * parses the section when the blank line arrives, then copies exactly
 * Content-Length body bytes into a buffer sized once for that body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rpc_framer.h"

/* A body buffer bigger than this is released once its message is done, so
 * that one large message does not pin its memory until the client exits. */
#define KEEP_BODY_CAPACITY ((size_t)1024 * 1024)

typedef enum state {
  STATE_HEADER, /* collecting header bytes */
  STATE_BODY,   /* collecting body bytes */
  STATE_SKIP,   /* discarding the body of an over-cap message */
  STATE_FAILED  /* malformed header seen: unusable */
} state_t;

struct rpc_framer {
  state_t state;
  size_t max_body;
  char header[RPC_FRAMER_MAX_HEADER];
  size_t header_len;
  char *body; /* body_need + 1 bytes at least while in STATE_BODY */
  size_t body_cap;
  size_t body_need; /* Content-Length of the current message */
  size_t body_got;
  size_t skip_left;  /* bytes still to discard in STATE_SKIP */
  char failure[200]; /* why the framer failed, for later calls */
};

int rpc_framer_new(size_t max_body, rpc_framer_t **out, rpc_error_t *err) {
  rpc_framer_t *f;
  if (!out)
    return rpc__fail(err, RPC_EINVAL, "rpc_framer_new: out is NULL");
  *out = NULL;
  f = calloc(1, sizeof *f);
  if (!f)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a framer");
  f->state = STATE_HEADER;
  f->max_body = max_body ? max_body : RPC_FRAMER_DEFAULT_MAX_BODY;
  *out = f;
  rpc__clear(err);
  return 0;
}

void rpc_framer_free(rpc_framer_t *framer) {
  if (!framer)
    return;
  free(framer->body);
  free(framer);
}

int rpc_framer_idle(const rpc_framer_t *framer) {
  return framer->state == STATE_HEADER && framer->header_len == 0;
}

int rpc_framer_failed(const rpc_framer_t *framer) {
  return framer->state == STATE_FAILED;
}

size_t rpc_framer_max_body(const rpc_framer_t *framer) {
  return framer->max_body;
}

/* Up to 40 bytes of header text, made printable, for a message. */
static void printable(const char *s, size_t len, char out[48]) {
  rpc__printable(s, len, out, 44);
}

/* An RFC 7230 token character, which is what a header name is made of. */
static int is_token_char(unsigned char c) {
  if (c >= '0' && c <= '9')
    return 1;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
    return 1;
  return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* ASCII case-insensitive comparison of s[0..len) with the lowercase word. */
static int name_is(const char *s, size_t len, const char *word) {
  size_t i;
  if (strlen(word) != len)
    return 0;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c + ('a' - 'A'));
    if (c != (unsigned char)word[i])
      return 0;
  }
  return 1;
}

/* Marks the framer unusable with a message kept for later calls. */
static int fail_header(rpc_framer_t *f, rpc_error_t *err, const char *why) {
  f->state = STATE_FAILED;
  snprintf(f->failure, sizeof f->failure, "%s", why);
  return rpc__fail(err, RPC_EHEADER, "%s", why);
}

/* Parses a Content-Length value (already trimmed) into *out. Returns NULL
 * or the reason it is not acceptable. */
static const char *parse_length(const char *v, size_t len, uint64_t *out) {
  uint64_t n = 0;
  size_t i;
  if (len == 0)
    return "empty Content-Length value";
  if (v[0] == '-')
    return "negative Content-Length";
  for (i = 0; i < len; i++) {
    unsigned d;
    if (v[i] < '0' || v[i] > '9')
      return "Content-Length is not a decimal number";
    d = (unsigned)(v[i] - '0');
    if (n > (UINT64_MAX - d) / 10)
      return "Content-Length overflows";
    n = n * 10 + d;
  }
  *out = n;
  return NULL;
}

/* Parses the complete header section in f->header (ending in the blank
 * line). Returns 0 with f->body_need set, RPC_ETOOBIG, or RPC_EHEADER. */
static int parse_header(rpc_framer_t *f, rpc_error_t *err) {
  const char *p = f->header;
  const char *end = f->header + f->header_len - 2; /* the blank line */
  int have_length = 0;
  uint64_t length = 0;
  char why[160], shown[48];

  while (p < end) {
    const char *eol = p, *colon, *v, *ve;
    while (eol[0] != '\r') /* CR only occurs in CRLF here */
      eol++;
    colon = memchr(p, ':', (size_t)(eol - p));
    if (!colon) {
      printable(p, (size_t)(eol - p), shown);
      snprintf(why, sizeof why, "header line without a colon: \"%s\"", shown);
      return fail_header(f, err, why);
    }
    if (colon == p) {
      printable(p, (size_t)(eol - p), shown);
      snprintf(why, sizeof why, "header line with an empty name: \"%s\"",
               shown);
      return fail_header(f, err, why);
    }
    for (v = p; v < colon; v++) {
      if (!is_token_char((unsigned char)*v)) {
        printable(p, (size_t)(colon - p), shown);
        snprintf(why, sizeof why, "malformed header name \"%s\"", shown);
        return fail_header(f, err, why);
      }
    }
    v = colon + 1;
    ve = eol;
    while (v < ve && (*v == ' ' || *v == '\t'))
      v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
      ve--;
    if (name_is(p, (size_t)(colon - p), "content-length")) {
      const char *bad;
      if (have_length)
        return fail_header(f, err, "duplicate Content-Length header");
      bad = parse_length(v, (size_t)(ve - v), &length);
      if (bad) {
        printable(v, (size_t)(ve - v), shown);
        snprintf(why, sizeof why, "%s: \"%s\"", bad, shown);
        return fail_header(f, err, why);
      }
      have_length = 1;
    }
    p = eol + 2;
  }
  if (!have_length)
    return fail_header(f, err, "missing Content-Length header");
  if (length > (uint64_t)f->max_body) {
    f->state = STATE_SKIP;
    f->skip_left = (size_t)length;
    return rpc__fail(err, RPC_ETOOBIG,
                     "message body of %llu bytes is over the cap of %zu "
                     "bytes; skipped",
                     (unsigned long long)length, f->max_body);
  }
  f->body_need = (size_t)length;
  return 0;
}

/* Makes room for the current body (body_need + 1 bytes). */
static int reserve_body(rpc_framer_t *f, rpc_error_t *err) {
  size_t want = f->body_need + 1;
  if (want > f->body_cap || f->body_cap > KEEP_BODY_CAPACITY) {
    char *b = malloc(want);
    if (!b) {
      /* Out of memory with a known length: skip this body like an over-cap
       * one so the stream stays usable. */
      f->state = f->body_need ? STATE_SKIP : STATE_HEADER;
      f->skip_left = f->body_need;
      return rpc__fail(err, RPC_ENOMEM,
                       "cannot allocate %zu bytes for a message body; skipped",
                       want);
    }
    free(f->body);
    f->body = b;
    f->body_cap = want;
  }
  f->body_got = 0;
  f->state = STATE_BODY;
  return 0;
}

/* Hands the finished body to the caller and readies the next header. */
static int deliver(rpc_framer_t *f, const char **body, size_t *body_len) {
  f->body[f->body_need] = '\0';
  *body = f->body;
  *body_len = f->body_need;
  f->state = STATE_HEADER;
  f->header_len = 0;
  return 1;
}

int rpc_framer_feed(rpc_framer_t *framer, const char *data, size_t len,
                    size_t *consumed, const char **body, size_t *body_len,
                    rpc_error_t *err) {
  rpc_framer_t *f = framer;
  size_t i = 0;

  if (!f || !consumed || !body || !body_len || (!data && len))
    return rpc__fail(err, RPC_EINVAL, "rpc_framer_feed: NULL argument");
  *consumed = 0;
  *body = NULL;
  *body_len = 0;
  rpc__clear(err);
  if (f->state == STATE_FAILED)
    return rpc__fail(err, RPC_ESTREAM, "stream unusable after: %s",
                     f->failure);

  while (i < len) {
    if (f->state == STATE_HEADER) {
      char c = data[i++];
      char prev = f->header_len ? f->header[f->header_len - 1] : '\0';
      int r;
      if (f->header_len == RPC_FRAMER_MAX_HEADER) {
        char why[96];
        *consumed = i;
        snprintf(why, sizeof why,
                 "header section over %d bytes without a blank line",
                 RPC_FRAMER_MAX_HEADER);
        return fail_header(f, err, why);
      }
      if (c == '\n' && prev != '\r') {
        *consumed = i;
        return fail_header(f, err, "bare LF in header (lines end in CRLF)");
      }
      if (prev == '\r' && c != '\n') {
        *consumed = i;
        return fail_header(f, err, "bare CR in header (lines end in CRLF)");
      }
      f->header[f->header_len++] = c;
      if (c != '\n')
        continue;
      /* A line just ended: the section ends at an empty line. */
      if (!(f->header_len == 2 ||
            (f->header_len >= 4 &&
             memcmp(f->header + f->header_len - 4, "\r\n\r\n", 4) == 0)))
        continue;
      *consumed = i;
      r = parse_header(f, err);
      f->header_len = 0;
      if (r < 0)
        return r;
      r = reserve_body(f, err);
      if (r < 0)
        return r;
      if (f->body_need == 0)
        return deliver(f, body, body_len);
    } else if (f->state == STATE_BODY) {
      size_t n = f->body_need - f->body_got;
      if (n > len - i)
        n = len - i;
      memcpy(f->body + f->body_got, data + i, n);
      f->body_got += n;
      i += n;
      if (f->body_got == f->body_need) {
        *consumed = i;
        return deliver(f, body, body_len);
      }
    } else { /* STATE_SKIP */
      size_t n = f->skip_left;
      if (n > len - i)
        n = len - i;
      f->skip_left -= n;
      i += n;
      if (f->skip_left == 0) {
        f->state = STATE_HEADER;
        f->header_len = 0;
      }
    }
  }
  *consumed = i;
  return 0;
}

int rpc_frame_encode(const char *body, size_t len, char **out, size_t *out_len,
                     rpc_error_t *err) {
  char head[64];
  int n;
  char *buf;
  if (out)
    *out = NULL;
  if (out_len)
    *out_len = 0;
  if (!out || !out_len || (!body && len))
    return rpc__fail(err, RPC_EINVAL, "rpc_frame_encode: NULL argument");
  n = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", len);
  if (n < 0 || len > SIZE_MAX - (size_t)n - 1)
    return rpc__fail(err, RPC_ETOOBIG, "body too large to frame");
  buf = malloc((size_t)n + len + 1);
  if (!buf)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a %zu-byte frame",
                     (size_t)n + len);
  memcpy(buf, head, (size_t)n);
  if (len)
    memcpy(buf + n, body, len);
  buf[(size_t)n + len] = '\0';
  *out = buf;
  *out_len = (size_t)n + len;
  rpc__clear(err);
  return 0;
}
