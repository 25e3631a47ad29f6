/*
 * fetch.c: URL sources to HTTP GETs, answers to bytes or messages.
 */
#include "fetch.h"

#include "error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void srv_fetch_http_opts(const srv_source_t *src, uint64_t max_decompressed,
                         srv_http_opts_t *out) {
  const srv_fetch_t *f = &src->fetch;
  uint64_t cap = f->max_bytes;
  if (!cap)
    cap = max_decompressed ? max_decompressed : SRV_FETCH_MAX_BYTES;
  *out = (srv_http_opts_t){.url = src->path,
                           .insecure = src->insecure,
                           .ca_file = f->ca_file,
                           .cert = f->cert,
                           .key = f->key,
                           .headers = (const char *const *)f->headers,
                           .header_count = f->header_count,
                           .timeout_ms = srv_source_timeout_ms(src),
                           .max_bytes = cap};
}

/* The body as one line of text: control characters become spaces, runs
 * of spaces one, trimmed, at most 300 characters. */
static void text_of(const char *body, size_t size, char *out, size_t cap) {
  size_t n = 0;
  int space = 1;
  for (size_t i = 0; i < size && n + 4 < cap && n < 300; i++) {
    unsigned char c = (unsigned char)body[i];
    if (c < 0x20 || c == 0x7f || c == ' ') {
      if (!space)
        out[n++] = ' ';
      space = 1;
      continue;
    }
    out[n++] = (char)c;
    space = 0;
  }
  while (n > 0 && out[n - 1] == ' ')
    n--;
  out[n] = '\0';
}

static int starts_with_ci(const char *s, size_t size, const char *prefix) {
  size_t n = strlen(prefix);
  return size >= n && strncasecmp(s, prefix, n) == 0;
}

static int looks_like_html(const srv_http_result_t *res, const char *head,
                           size_t size) {
  if (res->content_type &&
      starts_with_ci(res->content_type, strlen(res->content_type),
                     "text/html"))
    return 1;
  size_t i = 0;
  while (i < size && isspace((unsigned char)head[i]))
    i++;
  const char *b = head + i;
  size_t left = size - i;
  return starts_with_ci(b, left, "<!doctype html") ||
         starts_with_ci(b, left, "<html");
}

int srv_fetch_check(const srv_http_result_t *res, char *msg, size_t msg_size) {
  if (res->rc < 0) {
    snprintf(msg, msg_size, "%s", res->message);
    return res->rc;
  }
  size_t head_size;
  const char *head = srv_bytes_head(&res->body, &head_size);
  if (res->status < 200 || res->status > 299) {
    char text[320];
    text_of(head, head_size, text, sizeof text);
    snprintf(msg, msg_size, "the server answered %ld%s%s", res->status,
             text[0] ? ": " : "", text);
    return SRV_ENET;
  }
  if (looks_like_html(res, head, head_size)) {
    snprintf(msg, msg_size,
             "the server answered with an HTML page, not a "
             "profile (is the URL's path right?)");
    return SRV_ENET;
  }
  if (res->body.size == 0) {
    snprintf(msg, msg_size, "the server answered with an empty body");
    return SRV_ENET;
  }
  return 0;
}
