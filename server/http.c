/*
 * http.c: libcurl's multi-socket interface driven by the libuv loop.
 *
 * curl asks for sockets to be watched (socket_cb: a uv_poll_t per socket,
 * stopped and closed on CURL_POLL_REMOVE) and for a wake-up (timer_cb: one
 * uv_timer_t); both report back with curl_multi_socket_action, after which
 * finished transfers are collected with curl_multi_info_read. The driver
 * counts its open handles and frees itself when the last one is closed
 * after srv_http_close.
 *
 * One call into curl may read megabytes from a fast socket, and the first
 * touch of a body's new memory costs page faults: each call's writes get
 * a budget (BUDGET bytes); a transfer over it is paused and resumed from
 * an idle handle on the next loop iteration, so no iteration of the loop
 * spends long on a body.
 */
#include "http.h"

#include "error.h"

#include "curl_lib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sock_watch sock_watch_t;

#define BUDGET ((size_t)256 * 1024)

struct srv_http {
  uv_loop_t *loop;
  CURLM *multi;
  uv_timer_t timer;
  uv_idle_t resume;    /* resumes paused transfers on the next iteration */
  size_t spent;        /* bytes written in this call into curl */
  size_t open_handles; /* timer, resume and every sock_watch not closed */
  size_t running;
  int closing;
  srv_http_req_t *reqs;  /* every transfer in flight */
  sock_watch_t *watches; /* every socket watched */
};

struct sock_watch {
  uv_poll_t poll;
  srv_http_t *h;
  curl_socket_t fd;
  sock_watch_t *prev, *next;
};

struct srv_http_req {
  srv_http_t *h;
  CURL *easy;
  struct curl_slist *headers;
  srv_http_progress_cb progress;
  srv_http_done_cb done;
  void *data;
  srv_bytes_t body;
  uint64_t max_bytes;
  int over_cap, no_memory, paused;
  uint64_t start_ms;
  char errbuf[CURL_ERROR_SIZE];
  srv_http_req_t *prev, *next;
};

static void maybe_free(srv_http_t *h) {
  if (h->closing && h->open_handles == 0) {
    free(h);
  }
}

static void on_handle_closed(uv_handle_t *handle) {
  srv_http_t *h = handle->data;
  h->open_handles--;
  maybe_free(h);
}

static void on_watch_closed(uv_handle_t *handle) {
  sock_watch_t *w = (sock_watch_t *)handle;
  srv_http_t *h = w->h;
  free(w);
  h->open_handles--;
  maybe_free(h);
}

static void watch_close(sock_watch_t *w) {
  srv_http_t *h = w->h;
  if (w->prev)
    w->prev->next = w->next;
  else
    h->watches = w->next;
  if (w->next)
    w->next->prev = w->prev;
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, on_watch_closed);
}

static void req_unlink(srv_http_req_t *r) {
  srv_http_t *h = r->h;
  if (r->prev)
    r->prev->next = r->next;
  else
    h->reqs = r->next;
  if (r->next)
    r->next->prev = r->prev;
  h->running--;
}

static void req_free(srv_http_req_t *r) {
  srv_curl()->slist_free_all(r->headers);
  srv_bytes_close(&r->body);
  free(r);
}

/* Removes r from curl and the list, and frees it. */
static void req_drop(srv_http_req_t *r) {
  srv_curl()->multi_remove_handle(r->h->multi, r->easy);
  srv_curl()->easy_cleanup(r->easy);
  req_unlink(r);
  req_free(r);
}

static void result_of(srv_http_req_t *r, CURLcode code,
                      srv_http_result_t *res) {
  *res = (srv_http_result_t){.rc = 0, .body = r->body};
  r->body = (srv_bytes_t)SRV_BYTES_INIT;
  srv_curl()->easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res->status);
  char *type = NULL;
  if (srv_curl()->easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &type) ==
      CURLE_OK)
    res->content_type = type;
  if (r->no_memory) {
    res->rc = SRV_ENOMEM;
    snprintf(res->message, sizeof res->message, "out of memory");
  } else if (r->over_cap || code == CURLE_FILESIZE_EXCEEDED) {
    res->rc = SRV_ENET;
    snprintf(res->message, sizeof res->message,
             "the body is larger than the cap of %llu bytes",
             (unsigned long long)r->max_bytes);
  } else if (code != CURLE_OK) {
    res->rc = SRV_ENET;
    snprintf(res->message, sizeof res->message, "%s",
             r->errbuf[0] ? r->errbuf : srv_curl()->easy_strerror(code));
  }
}

static void collect_done(srv_http_t *h) {
  CURLMsg *msg;
  int left;
  while ((msg = srv_curl()->multi_info_read(h->multi, &left))) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    srv_http_req_t *r = NULL;
    srv_curl()->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
    if (!r)
      continue;
    CURLcode code = msg->data.result;
    srv_http_result_t res;
    result_of(r, code, &res);
    /* Out of curl and the list before the callback, which may start or
     * cancel other transfers. */
    srv_curl()->multi_remove_handle(h->multi, r->easy);
    req_unlink(r);
    r->done(r->data, &res);
    srv_bytes_close(&res.body);
    srv_curl()->easy_cleanup(r->easy);
    req_free(r);
  }
}

static void on_resume(uv_idle_t *idle) {
  srv_http_t *h = idle->data;
  uv_idle_stop(idle);
  for (srv_http_req_t *r = h->reqs; r; r = r->next) {
    if (r->paused) {
      r->paused = 0;
      h->spent = 0;
      /* Delivers what curl held back, within a new budget. */
      srv_curl()->easy_pause(r->easy, CURLPAUSE_CONT);
    }
  }
  collect_done(h);
}

static void on_poll(uv_poll_t *poll, int status, int events) {
  sock_watch_t *w = (sock_watch_t *)poll;
  srv_http_t *h = w->h;
  int flags = 0;
  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  int running;
  h->spent = 0;
  srv_curl()->multi_socket_action(h->multi, w->fd, flags, &running);
  collect_done(h);
}

static void on_timer(uv_timer_t *timer) {
  srv_http_t *h = timer->data;
  int running;
  h->spent = 0;
  srv_curl()->multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  collect_done(h);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
                     void *socketp) {
  (void)easy;
  srv_http_t *h = userp;
  sock_watch_t *w = socketp;
  if (what == CURL_POLL_REMOVE) {
    if (w) {
      srv_curl()->multi_assign(h->multi, fd, NULL);
      watch_close(w);
    }
    return 0;
  }
  if (!w) {
    w = calloc(1, sizeof *w);
    if (!w)
      return -1;
    if (uv_poll_init_socket(h->loop, &w->poll, fd) < 0) {
      free(w);
      return -1;
    }
    w->h = h;
    w->fd = fd;
    w->next = h->watches;
    if (w->next)
      w->next->prev = w;
    h->watches = w;
    h->open_handles++;
    srv_curl()->multi_assign(h->multi, fd, w);
  }
  int events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    events |= UV_READABLE;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    events |= UV_WRITABLE;
  return uv_poll_start(&w->poll, events, on_poll) < 0 ? -1 : 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp) {
  (void)multi;
  srv_http_t *h = userp;
  if (h->closing)
    return 0;
  if (timeout_ms < 0)
    return uv_timer_stop(&h->timer) < 0 ? -1 : 0;
  return uv_timer_start(&h->timer, on_timer, (uint64_t)timeout_ms, 0) < 0 ? -1
                                                                          : 0;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userp) {
  srv_http_req_t *r = userp;
  size_t n = size * nmemb;
  if (r->max_bytes && r->body.size + n > r->max_bytes) {
    r->over_cap = 1;
    return 0;
  }
  srv_http_t *h = r->h;
  if (h->spent >= BUDGET && !h->closing) {
    /* Over this call's budget: curl keeps these bytes until resumed. */
    r->paused = 1;
    uv_idle_start(&h->resume, on_resume);
    return CURL_WRITEFUNC_PAUSE;
  }
  if (srv_bytes_append(&r->body, ptr, n) < 0) {
    r->no_memory = 1;
    return 0;
  }
  h->spent += n;
  return n;
}

static int xferinfo_cb(void *userp, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow) {
  (void)ultotal;
  (void)ulnow;
  srv_http_req_t *r = userp;
  if (r->progress)
    r->progress(r->data, dlnow > 0 ? (uint64_t)dlnow : 0,
                dltotal > 0 ? (uint64_t)dltotal : 0,
                uv_now(r->h->loop) - r->start_ms);
  return 0;
}

int srv_http_new(uv_loop_t *loop, srv_http_t **out) {
  *out = NULL;
  if (!srv_curl())
    return SRV_EIO; /* libcurl cannot be opened or initialised; once it
                     * is, srv_curl() is never NULL again */
  srv_http_t *h = calloc(1, sizeof *h);
  if (!h)
    return SRV_ENOMEM;
  h->loop = loop;
  h->multi = srv_curl()->multi_init();
  if (!h->multi) {
    free(h);
    return SRV_ENOMEM;
  }
  if (uv_timer_init(loop, &h->timer) < 0) {
    srv_curl()->multi_cleanup(h->multi);
    free(h);
    return SRV_EIO;
  }
  h->timer.data = h;
  uv_idle_init(loop, &h->resume);
  h->resume.data = h;
  h->open_handles = 2;
  srv_curl()->multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  srv_curl()->multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
  srv_curl()->multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  srv_curl()->multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
  *out = h;
  return 0;
}

void srv_http_close(srv_http_t *h) {
  if (!h || h->closing)
    return;
  while (h->reqs)
    req_drop(h->reqs);
  h->closing = 1;
  srv_curl()->multi_cleanup(h->multi);
  h->multi = NULL;
  while (h->watches)
    watch_close(h->watches);
  uv_timer_stop(&h->timer);
  uv_close((uv_handle_t *)&h->timer, on_handle_closed);
  uv_close((uv_handle_t *)&h->resume, on_handle_closed);
}

/* Every option, or the first that curl refused. */
static CURLcode set_options(srv_http_req_t *r, const srv_http_opts_t *o) {
  CURL *e = r->easy;
  CURLcode c = CURLE_OK;
#define SET(opt, val)                                                         \
  do {                                                                        \
    if (c == CURLE_OK)                                                        \
      c = srv_curl()->easy_setopt(e, opt, val);                               \
  } while (0)
  SET(CURLOPT_URL, o->url);
  SET(CURLOPT_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  SET(CURLOPT_FOLLOWLOCATION, 1L);
  SET(CURLOPT_MAXREDIRS, (long)SRV_HTTP_MAX_REDIRECTS);
  SET(CURLOPT_NOSIGNAL, 1L);
  SET(CURLOPT_PRIVATE, (void *)r);
  SET(CURLOPT_ERRORBUFFER, r->errbuf);
  SET(CURLOPT_WRITEFUNCTION, write_cb);
  SET(CURLOPT_WRITEDATA, (void *)r);
  SET(CURLOPT_NOPROGRESS, 0L);
  SET(CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  SET(CURLOPT_XFERINFODATA, (void *)r);
  if (o->post) {
    /* curl copies the body; a redirect keeps it a POST. */
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_size);
    SET(CURLOPT_COPYPOSTFIELDS, o->body_size ? (const char *)o->body : "");
    SET(CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
  }
  if (o->timeout_ms)
    SET(CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
  if (o->max_bytes)
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
  if (o->insecure) {
    SET(CURLOPT_SSL_VERIFYPEER, 0L);
    SET(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (o->ca_file)
    SET(CURLOPT_CAINFO, o->ca_file);
  if (o->cert)
    SET(CURLOPT_SSLCERT, o->cert);
  if (o->key)
    SET(CURLOPT_SSLKEY, o->key);
  if (r->headers)
    SET(CURLOPT_HTTPHEADER, r->headers);
#undef SET
  return c;
}

int srv_http_get(srv_http_t *h, const srv_http_opts_t *opts,
                 srv_http_progress_cb progress, srv_http_done_cb done,
                 void *data, srv_http_req_t **out) {
  if (out)
    *out = NULL;
  srv_http_req_t *r = calloc(1, sizeof *r);
  if (!r)
    return SRV_ENOMEM;
  r->h = h;
  r->progress = progress;
  r->done = done;
  r->data = data;
  r->max_bytes = opts->max_bytes;
  r->start_ms = uv_now(h->loop);
  for (size_t i = 0; i < opts->header_count; i++) {
    struct curl_slist *l =
        srv_curl()->slist_append(r->headers, opts->headers[i]);
    if (!l) {
      req_free(r);
      return SRV_ENOMEM;
    }
    r->headers = l;
  }
  r->easy = srv_curl()->easy_init();
  if (!r->easy) {
    req_free(r);
    return SRV_ENOMEM;
  }
  CURLcode c = set_options(r, opts);
  if (c != CURLE_OK) {
    srv_curl()->easy_cleanup(r->easy);
    req_free(r);
    return c == CURLE_OUT_OF_MEMORY ? SRV_ENOMEM : SRV_EINVAL;
  }
  if (srv_curl()->multi_add_handle(h->multi, r->easy) != CURLM_OK) {
    srv_curl()->easy_cleanup(r->easy);
    req_free(r);
    return SRV_ENOMEM;
  }
  r->next = h->reqs;
  if (r->next)
    r->next->prev = r;
  h->reqs = r;
  h->running++;
  if (out)
    *out = r;
  return 0;
}

void srv_http_cancel(srv_http_req_t *req) {
  if (req)
    req_drop(req);
}

size_t srv_http_running(const srv_http_t *h) { return h->running; }
