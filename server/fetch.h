/*
 * fetch.h: a URL source fetched by the HTTP driver, and its answer judged.
 *
 * The one place that turns a URL source's options into an HTTP GET
 * (timeout, body cap, certificates, headers) and an answer into the bytes
 * of a profile or a message for people: a non-2xx answer shows the
 * server's own text (Go's "cpu profiling already in use"), an HTML page
 * says so instead of failing to decode. The language server's loads and
 * the CLI both fetch through it.
 */
#ifndef HEATLS_SRV_FETCH_H
#define HEATLS_SRV_FETCH_H

#include <stddef.h>

#include "http.h"
#include "source.h"

/* *out borrows from src (a URL source) for a srv_http_get call.
 * max_decompressed (0: none) caps the body too when the source sets no
 * cap of its own. */
void srv_fetch_http_opts(const srv_source_t *src, uint64_t max_decompressed,
                         srv_http_opts_t *out);

/* 0 when res holds a body to decode; else res->rc or SRV_ENET with a
 * message in msg (the server's text for a non-2xx status, printable
 * characters only, at most 300 of them). */
int srv_fetch_check(const srv_http_result_t *res, char *msg, size_t msg_size);

/* body[0..size) as one line for a message: control characters become
 * spaces, runs of spaces one, at most 300 characters, into out[cap]. */
void srv_fetch_text(const char *body, size_t size, char *out, size_t cap);

/* 1 when an answer is an HTML page (its type, or how head starts). */
int srv_fetch_is_html(const srv_http_result_t *res, const char *head,
                      size_t size);

/* "the server answered STATUS[ to METHOD][: the body's head as text]"
 * into msg (method may be NULL); returns SRV_ENET. */
int srv_fetch_answered(const srv_http_result_t *res, const char *head,
                       size_t head_size, const char *method, char *msg,
                       size_t msg_size);

/* A fetch of any remote source: a URL's GET, or a Pyroscope query's
 * calls (pyro_rpc.h). */
typedef struct srv_fetch_req srv_fetch_req_t;

/* The fetch ended: rc 0 with the profile's bytes in *body (the callback
 * may move them out; else they are freed after it), or a negative SRV_E*
 * code with a message for people in msg (naming no credential). */
typedef void (*srv_fetch_done_cb)(void *data, int rc, srv_bytes_t *body,
                                  const char *msg);

/* Starts fetching src (a URL or PYROSCOPE source, copied) on h.
 * max_decompressed as for srv_fetch_http_opts. *out (may be NULL) is
 * valid until done runs or srv_fetch_cancel. 0, SRV_ENOMEM, SRV_EINVAL
 * (with nothing started; msg says why). */
int srv_fetch_start(srv_http_t *h, const srv_source_t *src,
                    uint64_t max_decompressed, srv_http_progress_cb progress,
                    srv_fetch_done_cb done, void *data, srv_fetch_req_t **out,
                    char *msg, size_t msg_size);

/* Stops a fetch now; its done callback never runs. NULL is fine. */
void srv_fetch_cancel(srv_fetch_req_t *req);

#endif
