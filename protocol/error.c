/*
 * error.c: names for the protocol module's return codes and JSON-RPC error
 * codes, and the functions that fill an rpc_error_t with printable text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "rpc_error.h"

const char *rpc_strerror(int code) {
  switch (code) {
  case 0: return "success";
  case RPC_EINVAL: return "invalid argument";
  case RPC_ENOMEM: return "out of memory";
  case RPC_EHEADER: return "malformed message header";
  case RPC_ETOOBIG: return "input over its size cap";
  case RPC_ESTREAM: return "stream unusable after an earlier error";
  case RPC_EURI: return "malformed URI";
  case RPC_ENOTFILE: return "not a file URI";
  case RPC_EEXIST: return "already present";
  case RPC_ESHAPE: return "JSON value of the wrong shape";
  case RPC_ERANGE: return "range end before its start";
  default: return "unknown error";
  }
}

const char *rpc_code_message(int code) {
  switch (code) {
  case RPC_CODE_PARSE_ERROR: return "Parse error";
  case RPC_CODE_INVALID_REQUEST: return "Invalid Request";
  case RPC_CODE_METHOD_NOT_FOUND: return "Method not found";
  case RPC_CODE_INVALID_PARAMS: return "Invalid params";
  case RPC_CODE_INTERNAL_ERROR: return "Internal error";
  case RPC_CODE_SERVER_NOT_INITIALIZED: return "Server not initialized";
  case RPC_CODE_REQUEST_FAILED: return "Request failed";
  case RPC_CODE_SERVER_CANCELLED: return "Server cancelled";
  case RPC_CODE_CONTENT_MODIFIED: return "Content modified";
  case RPC_CODE_REQUEST_CANCELLED: return "Request cancelled";
  default: return "Unknown error";
  }
}

int rpc__fail(rpc_error_t *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

void rpc__printable(const char *s, size_t len, char *out, size_t out_size) {
  size_t i, n = len, room = out_size - 1;
  int cut = 0;
  if (n > room) {
    n = room >= 3 ? room - 3 : room;
    cut = room >= 3;
  }
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  if (cut) {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n] = '\0';
}

void rpc__clear(rpc_error_t *err) {
  if (err) {
    err->code = 0;
    err->message[0] = '\0';
  }
}
