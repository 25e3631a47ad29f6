/*
 * test_framer.c: Content-Length framing (protocol/rpc_framer.h): partial
 * and coalesced reads, header rules, every error path, recovery after an
 * over-cap body, and framing of outgoing bodies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rpc_framer.h"

#define MAX_BODIES 8

typedef struct collected {
  int count;
  char *body[MAX_BODIES];
  size_t len[MAX_BODIES];
  int last_error; /* first negative return seen, 0 if none */
  rpc_error_t err;
} collected_t;

static void collected_free(collected_t *c) {
  int i;
  for (i = 0; i < c->count; i++)
    free(c->body[i]);
  memset(c, 0, sizeof *c);
}

/* Feeds data to f in chunks of `chunk` bytes (0: all at once), looping on
 * *consumed as a transport would, and copies out every body. Stops at the
 * first error unless keep_going. */
static void feed(rpc_framer_t *f, const char *data, size_t len, size_t chunk,
                 int keep_going, collected_t *c) {
  size_t off = 0;
  if (chunk == 0)
    chunk = len ? len : 1;
  while (off < len) {
    size_t n = len - off < chunk ? len - off : chunk;
    const char *p = data + off;
    while (n > 0) {
      size_t used = 0, blen = 0;
      const char *body = NULL;
      rpc_error_t err;
      int r = rpc_framer_feed(f, p, n, &used, &body, &blen, &err);
      CHECK(used <= n);
      p += used;
      n -= used;
      off += used;
      if (r == 1 && c->count < MAX_BODIES) {
        c->body[c->count] = malloc(blen + 1);
        memcpy(c->body[c->count], body, blen + 1);
        CHECK_INT(body[blen], '\0'); /* NUL-terminated */
        c->len[c->count] = blen;
        c->count++;
      } else if (r < 0) {
        if (!c->last_error) {
          c->last_error = r;
          c->err = err;
        }
        if (!keep_going || rpc_framer_failed(f))
          return;
      } else if (r == 0) {
        CHECK_INT(n, 0); /* 0 means everything was consumed */
      }
    }
  }
}

static void test_single_and_coalesced(void) {
  rpc_framer_t *f = NULL;
  collected_t c = {0};
  const char *stream = "Content-Length: 7\r\n\r\n{\"a\":1}"
                       "Content-Length: 2\r\n\r\n[]"
                       "Content-Length: 11\r\n\r\n{\"b\":\"xyz\"}";
  CHECK_INT(rpc_framer_new(0, &f, NULL), 0);
  CHECK_INT(rpc_framer_max_body(f), 64 * 1024 * 1024);
  CHECK_INT(rpc_framer_idle(f), 1);
  feed(f, stream, strlen(stream), 0, 0, &c);
  CHECK_INT(c.last_error, 0);
  CHECK_INT(c.count, 3);
  CHECK_MEM(c.body[0], c.len[0], "{\"a\":1}");
  CHECK_MEM(c.body[1], c.len[1], "[]");
  CHECK_MEM(c.body[2], c.len[2], "{\"b\":\"xyz\"}");
  CHECK_INT(rpc_framer_idle(f), 1);
  collected_free(&c);
  rpc_framer_free(f);
}

/* The same stream cut at every byte, and fed one byte at a time. */
static void test_every_split(void) {
  const char *stream = "Content-Length: 5\r\n\r\nhello"
                       "Content-Length: 3\r\n\r\nabc";
  size_t len = strlen(stream), cut;
  for (cut = 0; cut <= len; cut++) {
    rpc_framer_t *f = NULL;
    collected_t c = {0};
    rpc_framer_new(0, &f, NULL);
    feed(f, stream, cut, 0, 0, &c);
    feed(f, stream + cut, len - cut, 0, 0, &c);
    CHECK_INT(c.last_error, 0);
    CHECK_INT(c.count, 2);
    if (c.count == 2) {
      CHECK_MEM(c.body[0], c.len[0], "hello");
      CHECK_MEM(c.body[1], c.len[1], "abc");
    }
    collected_free(&c);
    rpc_framer_free(f);
  }
  {
    rpc_framer_t *f = NULL;
    collected_t c = {0};
    rpc_framer_new(0, &f, NULL);
    feed(f, stream, len, 1, 0, &c);
    CHECK_INT(c.count, 2);
    CHECK_MEM(c.body[0], c.len[0], "hello");
    CHECK_MEM(c.body[1], c.len[1], "abc");
    collected_free(&c);
    rpc_framer_free(f);
  }
}

static void test_idle_tracking(void) {
  rpc_framer_t *f = NULL;
  size_t used;
  const char *body;
  size_t blen;
  rpc_framer_new(0, &f, NULL);
  CHECK_INT(rpc_framer_feed(f, "Content-Len", 11, &used, &body, &blen, NULL),
            0);
  CHECK_INT(used, 11);
  CHECK_INT(rpc_framer_idle(f), 0);
  CHECK_INT(
      rpc_framer_feed(f, "gth: 3\r\n\r\nab", 12, &used, &body, &blen, NULL),
      0);
  CHECK_INT(rpc_framer_idle(f), 0); /* in the middle of a body */
  CHECK_INT(rpc_framer_feed(f, "cContent", 8, &used, &body, &blen, NULL), 1);
  CHECK_INT(used, 1); /* stops right after the body */
  CHECK_MEM(body, blen, "abc");
  CHECK_INT(rpc_framer_idle(f), 1);
  /* Feeding nothing is fine and changes nothing. */
  CHECK_INT(rpc_framer_feed(f, NULL, 0, &used, &body, &blen, NULL), 0);
  CHECK_INT(used, 0);
  CHECK(body == NULL);
  CHECK_INT(rpc_framer_idle(f), 1);
  rpc_framer_free(f);
}

static void test_header_variants(void) {
  /* Header names in any case, Content-Type and unknown headers ignored,
   * spaces and tabs around the value, no space after the colon. */
  static const char *const streams[] = {
      "content-length: 2\r\n\r\nok",
      "CONTENT-LENGTH:2\r\n\r\nok",
      ("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
       "Content-Length: 2\r\n\r\nok"),
      "Content-Length: 2\r\nContent-Type: x\r\nX-Unknown: y\r\n\r\nok",
      "Content-Length: \t 2 \t\r\n\r\nok",
      "Content-Length: 0002\r\n\r\nok",
  };
  size_t i;
  for (i = 0; i < sizeof streams / sizeof streams[0]; i++) {
    rpc_framer_t *f = NULL;
    collected_t c = {0};
    rpc_framer_new(0, &f, NULL);
    feed(f, streams[i], strlen(streams[i]), 0, 0, &c);
    if (c.last_error)
      fprintf(stderr, "stream %zu: %s\n", i, c.err.message);
    CHECK_INT(c.last_error, 0);
    CHECK_INT(c.count, 1);
    if (c.count == 1)
      CHECK_MEM(c.body[0], c.len[0], "ok");
    collected_free(&c);
    rpc_framer_free(f);
  }
}

static void test_body_bytes(void) {
  /* A body is bytes: CRLFs, a NUL and multi-byte UTF-8 pass through, and
   * Content-Length counts bytes ("\xc3\xa9" is one character, 2 bytes). */
  static const char stream[] = "Content-Length: 9\r\n\r\na\r\n\r\n\0b\xc3\xa9"
                               "Content-Length: 0\r\n\r\n";
  rpc_framer_t *f = NULL;
  collected_t c = {0};
  rpc_framer_new(0, &f, NULL);
  feed(f, stream, sizeof stream - 1, 0, 0, &c);
  CHECK_INT(c.last_error, 0);
  CHECK_INT(c.count, 2);
  CHECK_INT(c.len[0], 9);
  CHECK(memcmp(c.body[0], "a\r\n\r\n\0b\xc3\xa9", 9) == 0);
  CHECK_INT(c.len[1], 0); /* an empty body is still a message */
  CHECK_STR(c.body[1], "");
  collected_free(&c);
  rpc_framer_free(f);
}

/* A malformed header: RPC_EHEADER with a message containing `why`, then
 * the framer is unusable. */
static void expect_fatal(const char *stream, size_t len, const char *why) {
  rpc_framer_t *f = NULL;
  collected_t c = {0};
  size_t used = 99, blen;
  const char *body;
  rpc_error_t err;
  rpc_framer_new(0, &f, NULL);
  feed(f, stream, len, 0, 0, &c);
  CHECK_INT(c.count, 0);
  CHECK_INT(c.last_error, RPC_EHEADER);
  CHECK_INT(c.err.code, RPC_EHEADER);
  if (!strstr(c.err.message, why))
    fprintf(stderr, "expected \"%s\" in \"%s\"\n", why, c.err.message);
  CHECK(strstr(c.err.message, why) != NULL);
  CHECK_INT(rpc_framer_failed(f), 1);
  /* Even a perfectly good message is refused now. */
  CHECK_INT(rpc_framer_feed(f, "Content-Length: 2\r\n\r\nok", 23, &used, &body,
                            &blen, &err),
            RPC_ESTREAM);
  CHECK_INT(used, 0);
  CHECK_INT(err.code, RPC_ESTREAM);
  CHECK(strstr(err.message, why) != NULL);
  collected_free(&c);
  rpc_framer_free(f);
}

#define FATAL(s, why) expect_fatal(s, sizeof(s) - 1, why)

static void test_fatal_headers(void) {
  FATAL("Content-Type: x\r\n\r\n{}", "missing Content-Length");
  FATAL("\r\n{}", "missing Content-Length");
  FATAL("Content-Length: abc\r\n\r\n", "not a decimal number");
  FATAL("Content-Length: 12a\r\n\r\n", "not a decimal number");
  FATAL("Content-Length: +5\r\n\r\n", "not a decimal number");
  FATAL("Content-Length: 1 2\r\n\r\n", "not a decimal number");
  FATAL("Content-Length: 0x10\r\n\r\n", "not a decimal number");
  FATAL("Content-Length: -1\r\n\r\n", "negative Content-Length");
  FATAL("Content-Length: \r\n\r\n", "empty Content-Length");
  /* 2^64 is one more than the largest 64-bit value. */
  FATAL("Content-Length: 18446744073709551616\r\n\r\n", "overflows");
  FATAL("Content-Length: 99999999999999999999999\r\n\r\n", "overflows");
  FATAL("Content-Length: 2\r\ncontent-length: 2\r\n\r\nok", "duplicate");
  FATAL("Content-Length 2\r\n\r\nok", "without a colon");
  FATAL(": 2\r\nContent-Length: 2\r\n\r\nok", "empty name");
  FATAL("Content Length: 2\r\n\r\nok", "malformed header name");
  FATAL(" Content-Length: 2\r\n\r\nok", "malformed header name");
  FATAL("Content-Length: 2\n\nok", "bare LF");
  FATAL("Content-Length: 2\r\r\n\r\nok", "bare CR");
  FATAL("Content-Length: 2\r\n\n", "bare LF");
  /* A name of the same length as Content-Length is not it. */
  FATAL("Content-Lengtx: 2\r\n\r\nok", "missing Content-Length");
  /* Long or binary lines are cut and made printable in the message. */
  FATAL(
      "X-1234567890123456789012345678901234567890123456789 1\r\n\r\n",
      "line without a colon: \"X-12345678901234567890123456789012345678...\"");
  FATAL("\x01\xff: 1\r\n\r\n", "malformed header name \"??\"");
}

/* The header section may be RPC_FRAMER_MAX_HEADER bytes, blank line
 * included, and not one more. */
static void test_header_cap(void) {
  char *s = malloc(RPC_FRAMER_MAX_HEADER + 16);
  const char *head = "Content-Length: 1\r\nX-Pad: ";
  size_t hl = strlen(head), pad, total;
  rpc_framer_t *f = NULL;
  collected_t c = {0};

  /* head + pad + "\r\n\r\n" == MAX_HEADER, then a 1-byte body. */
  pad = RPC_FRAMER_MAX_HEADER - hl - 4;
  memcpy(s, head, hl);
  memset(s + hl, 'p', pad);
  memcpy(s + hl + pad, "\r\n\r\nZ", 5);
  total = hl + pad + 5;
  rpc_framer_new(0, &f, NULL);
  feed(f, s, total, 1000, 0, &c);
  CHECK_INT(c.last_error, 0);
  CHECK_INT(c.count, 1);
  if (c.count)
    CHECK_MEM(c.body[0], c.len[0], "Z");
  collected_free(&c);
  rpc_framer_free(f);

  /* One pad byte more: the section does not fit. */
  memcpy(s, head, hl);
  memset(s + hl, 'p', pad + 1);
  memcpy(s + hl + pad + 1, "\r\n\r\nZ", 5);
  expect_fatal(s, total + 1, "header section over 8192 bytes");
  /* A stream that never ends its header fails once the cap is passed,
   * not when the stream ends. */
  memset(s, 'a', RPC_FRAMER_MAX_HEADER + 1);
  expect_fatal(s, RPC_FRAMER_MAX_HEADER + 1, "header section over");
  free(s);
}

static void test_over_cap_body(void) {
  const char *stream = "Content-Length: 11\r\n\r\nhello world"
                       "Content-Length: 10\r\n\r\n0123456789";
  size_t header = strlen("Content-Length: 11\r\n\r\n");
  size_t chunk;
  rpc_framer_t *f = NULL;
  size_t used, blen;
  const char *body;
  rpc_error_t err;

  rpc_framer_new(10, &f, NULL);
  CHECK_INT(rpc_framer_max_body(f), 10);
  CHECK_INT(
      rpc_framer_feed(f, stream, strlen(stream), &used, &body, &blen, &err),
      RPC_ETOOBIG);
  CHECK_INT(used, header); /* stops right after the header */
  CHECK_INT(err.code, RPC_ETOOBIG);
  CHECK(strstr(err.message, "11 bytes") != NULL);
  CHECK(strstr(err.message, "cap of 10") != NULL);
  CHECK_INT(rpc_framer_failed(f), 0);
  CHECK_INT(rpc_framer_idle(f), 0); /* skipping */
  /* The rest: the skipped body, then a message exactly at the cap. */
  CHECK_INT(rpc_framer_feed(f, stream + used, strlen(stream) - used, &used,
                            &body, &blen, &err),
            1);
  CHECK_MEM(body, blen, "0123456789");
  CHECK_INT(rpc_framer_idle(f), 1);
  rpc_framer_free(f);

  /* The same in chunks of every size: one error, one message. */
  for (chunk = 1; chunk <= strlen(stream); chunk++) {
    collected_t c = {0};
    rpc_framer_new(10, &f, NULL);
    feed(f, stream, strlen(stream), chunk, 1, &c);
    CHECK_INT(c.last_error, RPC_ETOOBIG);
    CHECK_INT(c.count, 1);
    if (c.count)
      CHECK_MEM(c.body[0], c.len[0], "0123456789");
    CHECK_INT(rpc_framer_idle(f), 1);
    collected_free(&c);
    rpc_framer_free(f);
  }
}

static void test_bad_arguments(void) {
  rpc_framer_t *f = NULL;
  rpc_error_t err;
  size_t used, blen;
  const char *body;
  char *out = (char *)&err;
  size_t out_len = 5;
  CHECK_INT(rpc_framer_new(0, NULL, &err), RPC_EINVAL);
  CHECK_INT(err.code, RPC_EINVAL);
  rpc_framer_new(0, &f, NULL);
  CHECK_INT(rpc_framer_feed(NULL, "x", 1, &used, &body, &blen, NULL),
            RPC_EINVAL);
  CHECK_INT(rpc_framer_feed(f, "x", 1, NULL, &body, &blen, NULL), RPC_EINVAL);
  CHECK_INT(rpc_framer_feed(f, "x", 1, &used, NULL, &blen, NULL), RPC_EINVAL);
  CHECK_INT(rpc_framer_feed(f, "x", 1, &used, &body, NULL, NULL), RPC_EINVAL);
  CHECK_INT(rpc_framer_feed(f, NULL, 1, &used, &body, &blen, &err),
            RPC_EINVAL);
  CHECK_INT(rpc_framer_idle(f), 1); /* nothing was taken */
  CHECK_INT(rpc_frame_encode(NULL, 1, &out, &out_len, NULL), RPC_EINVAL);
  CHECK(out == NULL);
  CHECK_INT(out_len, 0);
  CHECK_INT(rpc_frame_encode("x", 1, NULL, &out_len, NULL), RPC_EINVAL);
  CHECK_INT(rpc_frame_encode("x", 1, &out, NULL, NULL), RPC_EINVAL);
  /* A length that cannot be framed without overflowing (nothing is read
   * before the check). */
  CHECK_INT(rpc_frame_encode("x", SIZE_MAX, &out, &out_len, NULL),
            RPC_ETOOBIG);
  CHECK(out == NULL);
  rpc_framer_free(f);
  rpc_framer_free(NULL);
}

static void test_encode(void) {
  char *out = NULL;
  size_t len = 0;
  rpc_framer_t *f = NULL;
  collected_t c = {0};
  const char *body = "{\"m\":\"\xc3\xa9\"}"; /* 10 bytes, 9 characters */

  CHECK_INT(rpc_frame_encode("{\"a\":1}", 7, &out, &len, NULL), 0);
  CHECK_MEM(out, len, "Content-Length: 7\r\n\r\n{\"a\":1}");
  free(out);
  CHECK_INT(rpc_frame_encode(NULL, 0, &out, &len, NULL), 0);
  CHECK_MEM(out, len, "Content-Length: 0\r\n\r\n");
  free(out);
  CHECK_INT(rpc_frame_encode(body, strlen(body), &out, &len, NULL), 0);
  CHECK_MEM(out, len, "Content-Length: 10\r\n\r\n{\"m\":\"\xc3\xa9\"}");
  /* And back through a framer. */
  rpc_framer_new(0, &f, NULL);
  feed(f, out, len, 3, 0, &c);
  CHECK_INT(c.count, 1);
  if (c.count)
    CHECK_MEM(c.body[0], c.len[0], body);
  collected_free(&c);
  rpc_framer_free(f);
  free(out);
}

int main(void) {
  test_single_and_coalesced();
  test_every_split();
  test_idle_tracking();
  test_header_variants();
  test_body_bytes();
  test_fatal_headers();
  test_header_cap();
  test_over_cap_body();
  test_bad_arguments();
  test_encode();
  CHECK_DONE();
}
