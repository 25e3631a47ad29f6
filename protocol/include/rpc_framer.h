/*
 * rpc_framer.h: the LSP base protocol's Content-Length framing.
 *
 * Incoming: an rpc_framer_t is fed byte chunks exactly as they come off the
 * transport (half a header, a header split inside "\r\n\r\n", several
 * messages in one chunk) and hands back one complete message body at a
 * time. It buffers at most one header section (RPC_FRAMER_MAX_HEADER bytes)
 * and one body (the configurable cap, 64 MiB by default).
 *
 * Header rules: lines end in CRLF; names are matched case-insensitively;
 * Content-Length is required, exactly once, as plain decimal digits
 * (surrounding spaces/tabs allowed); Content-Type and unknown headers are
 * ignored.
 *
 * After an error (decided here, tested in tests/protocol/test_framer.c):
 *   - RPC_ETOOBIG for a body over the cap is recoverable: the length is
 *     known, so the framer discards exactly that many body bytes without
 *     buffering them and then reads the next message as usual;
 *   - RPC_EHEADER (any other header problem, including a header section
 *     over its cap) is not: where the next message starts is unknown, so
 *     the framer stops and every later feed fails with RPC_ESTREAM. The
 *     server should then log and exit.
 *
 * Outgoing: rpc_frame_encode() puts the header in front of a body.
 */
#ifndef HEATLS_RPC_FRAMER_H
#define HEATLS_RPC_FRAMER_H

#include <stddef.h>

#include "rpc_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RPC_FRAMER_MAX_HEADER 8192 /* bytes, blank line included */
#define RPC_FRAMER_DEFAULT_MAX_BODY ((size_t)64 * 1024 * 1024)

typedef struct rpc_framer rpc_framer_t;

/* Makes a framer whose bodies may be at most max_body bytes (0 means
 * RPC_FRAMER_DEFAULT_MAX_BODY). *out is new, owned by the caller, freed
 * with rpc_framer_free(). */
int rpc_framer_new(size_t max_body, rpc_framer_t **out, rpc_error_t *err);

void rpc_framer_free(rpc_framer_t *framer); /* NULL is fine */

/* Consumes bytes of data[0..len) until one message is complete or the
 * input is used up, and sets *consumed to the number of bytes used. Call it
 * again with data + *consumed while bytes remain. Returns:
 *    1  a message is complete: *body / *body_len give it. The body is
 *       borrowed from the framer, NUL-terminated (it may also contain NUL
 *       bytes), and valid until the next rpc_framer_feed() or
 *       rpc_framer_free();
 *    0  every byte was consumed and the message is not complete yet;
 *   RPC_ETOOBIG  the header announced a body over the cap: *consumed stops
 *       right after the header, the body will be skipped, the stream goes
 *       on;
 *   RPC_ENOMEM   no memory for the announced body: skipped as above;
 *   RPC_EHEADER  the header is malformed; the framer is now unusable;
 *   RPC_ESTREAM  the framer was already unusable;
 *   RPC_EINVAL   a NULL argument (data may be NULL when len is 0). */
int rpc_framer_feed(rpc_framer_t *framer, const char *data, size_t len,
                    size_t *consumed, const char **body, size_t *body_len,
                    rpc_error_t *err);

/* 1 when the framer is between messages (nothing partial buffered and no
 * body being skipped), else 0. At end of input, 0 means the peer stopped in
 * the middle of a message. */
int rpc_framer_idle(const rpc_framer_t *framer);

/* 1 after an RPC_EHEADER, else 0. */
int rpc_framer_failed(const rpc_framer_t *framer);

/* The body cap in force. */
size_t rpc_framer_max_body(const rpc_framer_t *framer);

/* Frames an outgoing body: *out is a new malloc'd buffer (free with free())
 * holding "Content-Length: <len>\r\n\r\n" followed by the len body bytes,
 * and *out_len its length. The body is only read. */
int rpc_frame_encode(const char *body, size_t len, char **out, size_t *out_len,
                     rpc_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
