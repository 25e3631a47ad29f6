/*
 * internal.h: functions shared by the protocol module's files (private; not
 * installed, not included by other modules). Cross-file private names use
 * the rpc__ prefix (public names use rpc_ / lsp_).
 */
#ifndef HEATLS_PROTOCOL_INTERNAL_H
#define HEATLS_PROTOCOL_INTERNAL_H

#include <stddef.h>

#include "rpc_error.h"

#if defined(__GNUC__)
#define RPC__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RPC__PRINTF(f, a)
#endif

/* Fills err (when not NULL) with code and a printf-style message and
 * returns code, so that callers can write `return rpc__fail(err, ...)`. */
int rpc__fail(rpc_error_t *err, int code, const char *fmt, ...)
    RPC__PRINTF(3, 4);

/* Copies s[0..len) into out (out_size > 0 bytes, NUL-terminated) for an
 * error message: bytes outside printable ASCII become '?', and text that
 * does not fit is cut and ends in "...". Messages stay ASCII, so they can
 * go into JSON strings as they are. */
void rpc__printable(const char *s, size_t len, char *out, size_t out_size);

/* Clears err (when not NULL): code 0, empty message. */
void rpc__clear(rpc_error_t *err);

#endif
