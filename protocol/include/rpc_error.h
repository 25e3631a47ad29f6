/*
 * rpc_error.h: error codes and the error struct shared by the protocol
 * module (framing, JSON-RPC, positions, URIs, document text).
 *
 * Two kinds of numbers live here and must not be mixed up:
 *   - RPC_E* codes (small negatives) are what this module's functions
 *     return when they fail; rpc_strerror() names them;
 *   - RPC_CODE_* are the JSON-RPC 2.0 / LSP error codes that go on the wire
 *     inside an error response (-32700 ...).
 * Every failing function fills an optional caller-owned rpc_error_t (NULL
 * is fine) with the code and a one-line message, and returns the code.
 */
#ifndef HEATLS_RPC_ERROR_H
#define HEATLS_RPC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes of this module (negative; 0 is success). */
enum {
  RPC_EINVAL = -1,   /* bad argument (NULL where one is needed, ...) */
  RPC_ENOMEM = -2,   /* allocation failure */
  RPC_EHEADER = -3,  /* malformed message header; the stream is unusable */
  RPC_ETOOBIG = -4,  /* input over one of the module's caps */
  RPC_ESTREAM = -5,  /* framer used again after an unrecoverable error */
  RPC_EURI = -6,     /* malformed URI */
  RPC_ENOTFILE = -7, /* well-formed URI whose scheme is not "file" */
  RPC_EEXIST = -8,   /* already registered / already pending */
  RPC_ESHAPE = -9,   /* JSON value of the wrong shape for an LSP type */
  RPC_ERANGE = -10   /* range whose end comes before its start */
};

/* JSON-RPC 2.0 and LSP error codes, as sent in error responses. */
enum {
  RPC_CODE_PARSE_ERROR = -32700,      /* the body is not JSON */
  RPC_CODE_INVALID_REQUEST = -32600,  /* JSON, but not a JSON-RPC message */
  RPC_CODE_METHOD_NOT_FOUND = -32601, /* no handler for a request */
  RPC_CODE_INVALID_PARAMS = -32602,   /* params of the wrong shape */
  RPC_CODE_INTERNAL_ERROR = -32603,
  RPC_CODE_SERVER_NOT_INITIALIZED = -32002, /* request before initialize */
  RPC_CODE_UNKNOWN_ERROR = -32001,
  RPC_CODE_REQUEST_FAILED = -32803,
  RPC_CODE_SERVER_CANCELLED = -32802,
  RPC_CODE_CONTENT_MODIFIED = -32801,
  RPC_CODE_REQUEST_CANCELLED = -32800 /* after $/cancelRequest */
};

typedef struct rpc_error {
  int code;          /* an RPC_E* code, 0 when no error */
  char message[256]; /* one line of printable ASCII (input bytes that are
                        not are shown as '?'), no trailing newline */
} rpc_error_t;

/* A static name for an RPC_E* code ("malformed message header", ...);
 * "unknown error" for anything else. */
const char *rpc_strerror(int code);

/* A static message for a JSON-RPC code ("Parse error", "Method not found",
 * ...); "Unknown error" for codes it does not know. */
const char *rpc_code_message(int code);

#ifdef __cplusplus
}
#endif

#endif
