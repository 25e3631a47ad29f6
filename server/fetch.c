/*
 * fetch.c: URL sources to HTTP GETs, answers to bytes or messages.
 */
#include "fetch.h"

#include "error.h"
#include "pyro_rpc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
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
void srv_fetch_text(const char *body, size_t size, char *out, size_t cap) {
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

int srv_fetch_is_html(const srv_http_result_t *res, const char *head,
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

int srv_fetch_answered(const srv_http_result_t *res, const char *head,
                       size_t head_size, const char *method, char *msg,
                       size_t msg_size) {
  char text[320];
  srv_fetch_text(head, head_size, text, sizeof text);
  snprintf(msg, msg_size, "the server answered %ld%s%s%s%s", res->status,
           method ? " to " : "", method ? method : "", text[0] ? ": " : "",
           text);
  return SRV_ENET;
}

int srv_fetch_check(const srv_http_result_t *res, char *msg, size_t msg_size) {
  if (res->rc < 0) {
    snprintf(msg, msg_size, "%s", res->message);
    return res->rc;
  }
  size_t head_size;
  const char *head = srv_bytes_head(&res->body, &head_size);
  if (res->status < 200 || res->status > 299)
    return srv_fetch_answered(res, head, head_size, NULL, msg, msg_size);
  if (srv_fetch_is_html(res, head, head_size)) {
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

struct srv_fetch_req {
  srv_http_req_t *http;   /* a URL's GET */
  srv_pyro_fetch_t *pyro; /* or a Pyroscope query's calls */
  srv_http_progress_cb progress;
  srv_fetch_done_cb done;
  void *data;
};

/* The transfer's progress, to the caller's callback with its data. */
static void on_progress(void *data, uint64_t received, uint64_t total,
                        uint64_t ms) {
  srv_fetch_req_t *f = data;
  f->progress(f->data, received, total, ms);
}

static void on_get_done(void *data, srv_http_result_t *res) {
  srv_fetch_req_t *f = data;
  char msg[512];
  int rc = srv_fetch_check(res, msg, sizeof msg);
  srv_fetch_done_cb done = f->done;
  void *done_data = f->data;
  free(f);
  done(done_data, rc, &res->body, rc < 0 ? msg : "");
}

static void on_pyro_done(void *data, int rc, srv_bytes_t *body,
                         const char *msg) {
  srv_fetch_req_t *f = data;
  srv_fetch_done_cb done = f->done;
  void *done_data = f->data;
  free(f);
  done(done_data, rc, body, msg);
}

int srv_fetch_start(srv_http_t *h, const srv_source_t *src,
                    uint64_t max_decompressed, srv_http_progress_cb progress,
                    srv_fetch_done_cb done, void *data, srv_fetch_req_t **out,
                    char *msg, size_t msg_size) {
  if (out)
    *out = NULL;
  srv_fetch_req_t *f = calloc(1, sizeof *f);
  if (!f) {
    snprintf(msg, msg_size, "out of memory");
    return SRV_ENOMEM;
  }
  f->progress = progress;
  f->done = done;
  f->data = data;
  srv_http_progress_cb relay = progress ? on_progress : NULL;
  int rc;
  if (src->kind == SRV_SOURCE_PYROSCOPE) {
    rc = srv_pyro_fetch_start(h, src, max_decompressed, relay, on_pyro_done, f,
                              &f->pyro, msg, msg_size);
  } else {
    srv_http_opts_t opts;
    srv_fetch_http_opts(src, max_decompressed, &opts);
    rc = srv_http_get(h, &opts, relay, on_get_done, f, &f->http);
    if (rc < 0)
      snprintf(msg, msg_size, "cannot start the transfer: %s",
               srv_strerror(rc));
  }
  if (rc < 0) {
    free(f);
    return rc;
  }
  if (out)
    *out = f;
  return 0;
}

void srv_fetch_cancel(srv_fetch_req_t *req) {
  if (!req)
    return;
  srv_http_cancel(req->http);
  srv_pyro_fetch_cancel(req->pyro);
  free(req);
}
