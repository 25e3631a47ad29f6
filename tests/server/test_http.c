/*
 * test_http.c: the HTTP driver (server/http.h) on a real loop, against a
 * small HTTP/1.1 server of the test's own on 127.0.0.1 that answers by
 * path: /ok (5 bytes), /big (3 MiB and a bit, with a length), /500 (a
 * text error), /hang (never answers). Every scenario ends with the loop
 * run dry and uv_loop_close() returning 0.
 */
#include "check.h"
#include "error.h"
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG (3 * 1024 * 1024 + 777)

typedef struct conn {
  uv_tcp_t tcp;
  char req[2048];
  size_t len;
  int answered;
} conn_t;

static uv_loop_t loop;
static uv_tcp_t server;
static int port;
static char *big_body;

static void on_conn_closed(uv_handle_t *h) { free(h); }

typedef struct write_req {
  uv_write_t req;
  conn_t *conn;
  char *buf; /* libuv's until the callback */
} write_req_t;

static void on_written(uv_write_t *w, int status) {
  (void)status;
  write_req_t *wr = (write_req_t *)w;
  conn_t *c = wr->conn;
  free(wr->buf);
  free(wr);
  if (!uv_is_closing((uv_handle_t *)&c->tcp))
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void send_text(conn_t *c, const char *head, const char *body,
                      size_t body_len) {
  size_t hl = strlen(head);
  char *buf = malloc(hl + body_len);
  memcpy(buf, head, hl);
  memcpy(buf + hl, body, body_len);
  write_req_t *w = malloc(sizeof *w);
  w->conn = c;
  w->buf = buf;
  uv_buf_t b = uv_buf_init(buf, (unsigned)(hl + body_len));
  if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0)
    on_written(&w->req, -1);
}

static void answer(conn_t *c) {
  char head[256];
  c->answered = 1;
  if (strncmp(c->req, "GET /ok ", 8) == 0) {
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
             "Connection: close\r\n\r\n");
    send_text(c, head, "hello", 5);
  } else if (strncmp(c->req, "GET /big ", 9) == 0) {
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
             "Connection: close\r\n\r\n",
             BIG);
    send_text(c, head, big_body, BIG);
  } else if (strncmp(c->req, "GET /500 ", 9) == 0) {
    snprintf(head, sizeof head,
             "HTTP/1.1 500 Internal Server Error\r\n"
             "Content-Type: text/plain\r\n"
             "Content-Length: 5\r\nConnection: close\r\n"
             "\r\n");
    send_text(c, head, "busy\n", 5);
  }
  /* /hang: nothing, until the client goes. */
}

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf) {
  (void)size;
  conn_t *c = (conn_t *)h;
  buf->base = c->req + c->len;
  buf->len = sizeof c->req - 1 - c->len;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  (void)buf;
  conn_t *c = (conn_t *)s;
  if (n < 0) {
    if (!uv_is_closing((uv_handle_t *)s))
      uv_close((uv_handle_t *)s, on_conn_closed);
    return;
  }
  c->len += (size_t)n;
  c->req[c->len] = '\0';
  if (!c->answered && strstr(c->req, "\r\n\r\n"))
    answer(c);
}

static void on_connection(uv_stream_t *s, int status) {
  if (status < 0)
    return;
  conn_t *c = calloc(1, sizeof *c);
  uv_tcp_init(&loop, &c->tcp);
  if (uv_accept(s, (uv_stream_t *)&c->tcp) == 0)
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
  else
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void server_start(void) {
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  uv_tcp_init(&loop, &server);
  uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0);
  uv_listen((uv_stream_t *)&server, 16, on_connection);
  struct sockaddr_storage name;
  int len = sizeof name;
  uv_tcp_getsockname(&server, (struct sockaddr *)&name, &len);
  port = ntohs(((struct sockaddr_in *)&name)->sin_port);
}

/* Closes every handle still open (the server, connections left). */
static void close_all(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, h == (uv_handle_t *)&server ? NULL : on_conn_closed);
}

typedef struct outcome {
  int done, rc;
  long status;
  size_t size;
  int same;
  char message[256];
  uint64_t progress_calls;
} outcome_t;

static void on_progress(void *data, uint64_t received, uint64_t total,
                        uint64_t ms) {
  (void)received;
  (void)total;
  (void)ms;
  ((outcome_t *)data)->progress_calls++;
}

static void on_done(void *data, srv_http_result_t *res) {
  outcome_t *o = data;
  o->done = 1;
  o->rc = res->rc;
  o->status = res->status;
  o->size = res->body.size;
  snprintf(o->message, sizeof o->message, "%s", res->message);
  o->same = 1;
  for (size_t i = 0; i < res->body.size && i < BIG; i++)
    if (res->body.chunks[i / SRV_BYTES_CHUNK][i % SRV_BYTES_CHUNK] !=
        big_body[i])
      o->same = 0;
}

static int get(srv_http_t *h, const char *path, uint64_t cap,
               uint64_t timeout_ms, outcome_t *o, srv_http_req_t **req) {
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
  const char *headers[] = {"X-Test: 1"};
  srv_http_opts_t opts = {.url = url,
                          .headers = headers,
                          .header_count = 1,
                          .max_bytes = cap,
                          .timeout_ms = timeout_ms};
  return srv_http_get(h, &opts, on_progress, on_done, o, req);
}

static void run_until(const outcome_t *const *all, size_t n) {
  for (int i = 0; i < 2000; i++) {
    size_t done = 0;
    for (size_t k = 0; k < n; k++)
      done += (size_t)all[k]->done;
    if (done == n)
      return;
    uv_run(&loop, UV_RUN_ONCE);
  }
}

static void finish(srv_http_t *h) {
  srv_http_close(h);
  uv_walk(&loop, close_all, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK_INT(uv_loop_close(&loop), 0);
}

/* Several at once: /ok, /big, /500 and /hang with a short timeout. */
static void test_several(void) {
  uv_loop_init(&loop);
  server_start();
  srv_http_t *h;
  CHECK_INT(srv_http_new(&loop, &h), 0);
  outcome_t ok = {0}, big = {0}, err = {0}, hang = {0};
  CHECK_INT(get(h, "/ok", 0, 5000, &ok, NULL), 0);
  CHECK_INT(get(h, "/big", 0, 5000, &big, NULL), 0);
  CHECK_INT(get(h, "/500", 0, 5000, &err, NULL), 0);
  CHECK_INT(get(h, "/hang", 0, 300, &hang, NULL), 0);
  CHECK_INT(srv_http_running(h), 4);
  const outcome_t *all[] = {&ok, &big, &err, &hang};
  run_until(all, 4);
  CHECK_INT(srv_http_running(h), 0);
  CHECK_INT(ok.rc, 0);
  CHECK_INT(ok.status, 200);
  CHECK_INT(ok.size, 5);
  CHECK_INT(big.rc, 0);
  CHECK_INT(big.size, BIG);
  CHECK(big.same);
  CHECK(big.progress_calls > 0);
  CHECK_INT(err.rc, 0); /* a status is the caller's to judge */
  CHECK_INT(err.status, 500);
  CHECK_INT(hang.rc, SRV_ENET);
  CHECK(strstr(hang.message, "timed out") != NULL);
  finish(h);
}

/* A cap below the announced length, and below a body's running size. */
static void test_cap(void) {
  uv_loop_init(&loop);
  server_start();
  srv_http_t *h;
  CHECK_INT(srv_http_new(&loop, &h), 0);
  outcome_t a = {0};
  CHECK_INT(get(h, "/big", 1024 * 1024, 5000, &a, NULL), 0);
  const outcome_t *all[] = {&a};
  run_until(all, 1);
  CHECK_INT(a.rc, SRV_ENET);
  CHECK_STR(a.message, "the body is larger than the cap of 1048576 bytes");
  finish(h);
}

/* A cancel stops a transfer without its callback; closing the driver
 * with transfers in flight ends them all. */
static void test_cancel_and_close(void) {
  uv_loop_init(&loop);
  server_start();
  srv_http_t *h;
  CHECK_INT(srv_http_new(&loop, &h), 0);
  outcome_t a = {0}, b = {0}, c = {0};
  srv_http_req_t *ra;
  CHECK_INT(get(h, "/hang", 0, 0, &a, &ra), 0);
  CHECK_INT(get(h, "/hang", 0, 0, &b, NULL), 0);
  CHECK_INT(get(h, "/ok", 0, 5000, &c, NULL), 0);
  const outcome_t *all[] = {&c};
  run_until(all, 1);
  CHECK_INT(c.rc, 0);
  srv_http_cancel(ra);
  CHECK_INT(srv_http_running(h), 1);
  for (int i = 0; i < 20; i++)
    uv_run(&loop, UV_RUN_NOWAIT);
  CHECK_INT(a.done, 0);
  finish(h); /* b is still hanging */
  CHECK_INT(b.done, 0);
}

/* Refused connections and a URL curl will not take. */
static void test_refused(void) {
  uv_loop_init(&loop);
  srv_http_t *h;
  CHECK_INT(srv_http_new(&loop, &h), 0);
  outcome_t a = {0};
  srv_http_opts_t opts = {.url = "http://127.0.0.1:1/x", .timeout_ms = 5000};
  CHECK_INT(srv_http_get(h, &opts, NULL, on_done, &a, NULL), 0);
  const outcome_t *all[] = {&a};
  run_until(all, 1);
  CHECK_INT(a.rc, SRV_ENET);
  CHECK(a.message[0] != '\0');
  outcome_t b = {0};
  opts.url = "ftp://127.0.0.1/x";
  int rc = srv_http_get(h, &opts, NULL, on_done, &b, NULL);
  if (rc == 0) {
    const outcome_t *all2[] = {&b};
    run_until(all2, 1);
    CHECK_INT(b.rc, SRV_ENET);
  }
  srv_http_close(NULL);
  finish(h);
}

int main(void) {
  big_body = malloc(BIG);
  for (size_t i = 0; i < BIG; i++)
    big_body[i] = (char)(i * 31 + 7);
  test_several();
  test_cap();
  test_cancel_and_close();
  test_refused();
  free(big_body);
  CHECK_DONE();
}
