/*
 * http.h: HTTP(S) GETs on the libuv loop, by libcurl's multi-socket
 * interface.
 *
 * One srv_http_t per loop drives every transfer: curl tells it which
 * sockets to watch (one uv_poll_t each) and when to wake it (one
 * uv_timer_t), and it tells curl what happened
 * (curl_multi_socket_action). Nothing here blocks the loop: names are
 * resolved by curl's threaded resolver, bodies are appended to a capped
 * buffer. Several transfers run at once and any can be cancelled.
 *
 * Only http and https are spoken, also on redirects, and at most
 * SRV_HTTP_MAX_REDIRECTS are followed. Header values and client
 * credentials are never logged or put in a message.
 *
 * Threading: the loop thread only.
 */
#ifndef HEATLS_SRV_HTTP_H
#define HEATLS_SRV_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "bytes.h"

#define SRV_HTTP_MAX_REDIRECTS 5

typedef struct srv_http srv_http_t;
typedef struct srv_http_req srv_http_req_t;

/* What to fetch; everything is copied by srv_http_get. */
typedef struct srv_http_opts {
  const char *url; /* http:// or https:// */
  int post;        /* a POST of body[0..body_size), not a GET */
  const void *body;
  size_t body_size;
  int insecure;               /* do not verify the server's certificate */
  const char *ca_file;        /* NULL: the system's */
  const char *cert, *key;     /* client certificate and key (PEM), or NULL */
  const char *const *headers; /* "Name: value" lines */
  size_t header_count;
  uint64_t timeout_ms; /* the whole transfer; 0: none */
  uint64_t max_bytes;  /* the body's cap; 0: none */
} srv_http_opts_t;

/* How a transfer ended. The callback may take body (moving it out and
 * leaving it empty); else it is freed after the callback. */
typedef struct srv_http_result {
  int rc;                   /* 0, SRV_ENET, SRV_ENOMEM */
  long status;              /* the HTTP status, 0 when none came */
  srv_bytes_t body;         /* what came, also for a non-2xx answer */
  const char *content_type; /* borrowed for the callback, or NULL */
  char message[256];        /* why it failed (rc < 0); names no credential */
} srv_http_result_t;

/* received bytes of total (0 when unknown) so far; ms since the start. */
typedef void (*srv_http_progress_cb)(void *data, uint64_t received,
                                     uint64_t total, uint64_t ms);
/* The transfer ended (not called after srv_http_cancel). The request is
 * gone after the callback. */
typedef void (*srv_http_done_cb)(void *data, srv_http_result_t *result);

/* *out is a new driver on loop. 0, SRV_ENOMEM or SRV_EIO (curl failed). */
int srv_http_new(uv_loop_t *loop, srv_http_t **out);

/* Cancels every transfer (no callbacks), closes the handles; the driver
 * frees itself once the loop has run their close callbacks. NULL is
 * fine. */
void srv_http_close(srv_http_t *h);

/* Starts a GET (or a POST). *out (may be NULL) is the request, valid until its
 * done callback runs or it is cancelled. 0, SRV_ENOMEM, SRV_EINVAL (curl
 * refused an option). */
int srv_http_get(srv_http_t *h, const srv_http_opts_t *opts,
                 srv_http_progress_cb progress, srv_http_done_cb done,
                 void *data, srv_http_req_t **out);

/* Stops the transfer now; its done callback never runs. */
void srv_http_cancel(srv_http_req_t *req);

/* How many transfers are running (tests). */
size_t srv_http_running(const srv_http_t *h);

#endif
