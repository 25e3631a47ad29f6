/*
 * pyro_rpc.h: calls to a Grafana Pyroscope server's querier API.
 *
 * Connect unary over HTTP/1.1, by the HTTP driver (http.h): a POST to
 * SERVER/querier.v1.QuerierService/METHOD with Content-Type
 * application/proto, Connect-Protocol-Version: 1 and the source's
 * headers, its body a message of proto/pyroscope.proto encoded by
 * protoc-c's code. A good answer is 200 with a body of type
 * application/proto; an error is Connect's JSON {"code", "message"},
 * shown as it came.
 *
 * A profile is asked for with SelectMergeStacktraces in the pprof format
 * (PROFILE_FORMAT_PPROF, the API's current form); a server that does not
 * have that RPC (Connect "unimplemented", or HTTP 404) or that answers
 * without a pprof (a server from before the format, which sends a flame
 * graph of function names only) is asked again with SelectMergeProfile,
 * whose answer is the pprof itself. docs/protocol.md says why.
 *
 * Threading: the loop thread only.
 */
#ifndef HEATLS_SRV_PYRO_RPC_H
#define HEATLS_SRV_PYRO_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "fetch.h"
#include "http.h"
#include "source.h"

#define SRV_PYRO_SERVICE "querier.v1.QuerierService"

/* The range of q in ms since the epoch, resolved now; an unset from is
 * default_back_ms before until. 0, or SRV_EINVAL (msg: a bad time, or
 * from not before until). */
int srv_pyro_range(const srv_pyro_query_t *q, int64_t default_back_ms,
                   int64_t *start, int64_t *end, char *msg, size_t msg_size);

/* POSTs body[0..size) to method of src's server (a PYROSCOPE source; its
 * strings are copied). 0, or a negative SRV_E* code (msg says why). */
int srv_pyro_post(srv_http_t *h, const srv_source_t *src, const char *method,
                  const void *body, size_t size, uint64_t max_bytes,
                  srv_http_progress_cb progress, srv_http_done_cb done,
                  void *data, srv_http_req_t **out, char *msg,
                  size_t msg_size);

/* Judges the answer to method: 0 for a proto answer (its body may be
 * empty); else SRV_ENET (or res->rc) with msg, and *missing set when the
 * server does not have the method (Connect unimplemented, HTTP 404). */
int srv_pyro_judge(const srv_http_result_t *res, const char *method,
                   int *missing, char *msg, size_t msg_size);

/* The body as one buffer (malloc'ed, the caller's; b is emptied), or NULL
 * when out of memory (b freed). *size is its length. */
uint8_t *srv_pyro_flatten(srv_bytes_t *b, size_t *size);

/* What a chain of calls to one Pyroscope server shares: the source (a
 * copy), the range resolved once for every call, the call under way. */
typedef struct srv_pyro_call {
  srv_http_t *h;
  srv_source_t src;
  int64_t start, end;
  srv_http_req_t *req;
} srv_pyro_call_t;

/* Opens c on a copy of src with its range (default_back_ms before the
 * until when from is unset), then sends the first call with
 * ask(owner, msg, msg_size). 0, or a negative code with msg; on failure c
 * is closed. */
int srv_pyro_call_start(srv_pyro_call_t *c, srv_http_t *h,
                        const srv_source_t *src, int64_t default_back_ms,
                        int (*ask)(void *owner, char *msg, size_t msg_size),
                        void *owner, char *msg, size_t msg_size);

/* Sends request, packed, to method as c's call under way (c->req); the
 * rest as srv_pyro_post. */
int srv_pyro_call_send(srv_pyro_call_t *c, const char *method,
                       const ProtobufCMessage *request, uint64_t max_bytes,
                       srv_http_progress_cb progress, srv_http_done_cb done,
                       void *data, char *msg, size_t msg_size);

/* Cancels the call under way and frees the copy of the source. */
void srv_pyro_call_close(srv_pyro_call_t *c);

/* A merged profile of a PYROSCOPE source, fetched. */
typedef struct srv_pyro_fetch srv_pyro_fetch_t;

/* Starts it (src is copied); done gets the pprof's bytes. *out valid
 * until done runs or srv_pyro_fetch_cancel. 0, SRV_ENOMEM, SRV_EINVAL
 * (msg says why; nothing started). */
int srv_pyro_fetch_start(srv_http_t *h, const srv_source_t *src,
                         uint64_t max_bytes, srv_http_progress_cb progress,
                         srv_fetch_done_cb done, void *data,
                         srv_pyro_fetch_t **out, char *msg, size_t msg_size);

/* Stops it; done never runs. NULL is fine. */
void srv_pyro_fetch_cancel(srv_pyro_fetch_t *f);

#endif
