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

#endif
