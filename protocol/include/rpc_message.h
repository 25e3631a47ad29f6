/*
 * rpc_message.h: JSON-RPC 2.0 messages (parsed with jansson) as the LSP
 * uses them: one message per body, no batches.
 *
 * Reference counts follow jansson's documentation conventions:
 *   "new reference"      the caller owns it and must json_decref() it;
 *   "borrowed reference" valid while its owner lives; json_incref() to keep;
 *   "stolen"             the function takes over the caller's reference,
 *                        on success and on failure alike (like
 *                        json_object_set_new()).
 */
#ifndef HEATLS_RPC_MESSAGE_H
#define HEATLS_RPC_MESSAGE_H

#include <stddef.h>

#include <jansson.h>

#include "rpc_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rpc_kind {
  RPC_INVALID = 0,  /* not a usable JSON-RPC message: see error_code */
  RPC_REQUEST,      /* method + id: must be answered */
  RPC_NOTIFICATION, /* method, no id: never answered */
  RPC_RESPONSE      /* id + result or error: the answer to our request */
} rpc_kind_t;

/* A classified message. Everything in it is borrowed from root, which the
 * message owns; rpc_message_close() releases it. */
typedef struct rpc_message {
  rpc_kind_t kind;
  json_t *root; /* the parsed body (owned); NULL when it was not JSON */
  /* RPC_REQUEST: an integer or a string. RPC_RESPONSE: an integer, a
   * string or null. RPC_INVALID: the id to answer with if the body had a
   * valid one (integer or string), else NULL, meaning answer with null. */
  json_t *id;
  const char *method; /* requests and notifications; no NUL inside */
  json_t *params;     /* object or array; NULL when absent */
  json_t *result;     /* RPC_RESPONSE on success (any JSON value) */
  json_t *error;      /* RPC_RESPONSE on failure: {code, message, data?} */
  /* RPC_INVALID: the JSON-RPC code to answer with (RPC_CODE_PARSE_ERROR or
   * RPC_CODE_INVALID_REQUEST) and a short reason for the error message, in
   * printable ASCII (fit for a JSON string as it is). */
  int error_code;
  char error_message[160];
} rpc_message_t;

/* Parses body[0..len) and classifies it into *msg (which the caller then
 * closes with rpc_message_close(), whatever the kind). A body that is not
 * a valid message is not a failure: it comes back as RPC_INVALID with
 *   RPC_CODE_PARSE_ERROR      the body is not JSON (or not UTF-8);
 *   RPC_CODE_INVALID_REQUEST  a batch (array), a non-object, a missing or
 *       wrong "jsonrpc", an id that is not an integer or a string (null is
 *       allowed only in responses), a method that is not a string, params
 *       that are neither object nor array, both method and result/error,
 *       a response with both or neither of result and error, or an error
 *       object without an integer code and a string message.
 * Leniency: "params": null counts as absent, unknown members are ignored,
 * and strings may hold NUL bytes (escaped as \u0000) except the method.
 * Returns 0, or RPC_EINVAL for a NULL msg or body (with len > 0). */
int rpc_message_parse(const char *body, size_t len, rpc_message_t *msg,
                      rpc_error_t *err);

/* Releases msg->root and clears msg. Safe on a cleared or closed message. */
void rpc_message_close(rpc_message_t *msg);

/* 1 when a and b are the same JSON-RPC id: both integers with the same
 * value or both strings with the same bytes (1 and "1" differ). */
int rpc_id_equal(const json_t *a, const json_t *b);

/* Builders. Each returns a new reference to the message object, or NULL
 * when out of memory or given a bad argument. `id` is borrowed (copied by
 * reference count); NULL means JSON null where null is allowed. Arguments
 * marked "stolen" are released even when NULL is returned. */

/* {"jsonrpc":"2.0","id":id,"result":result}. result is stolen; NULL means
 * a null result (as the LSP's shutdown response). */
json_t *rpc_response_new(json_t *id, json_t *result);

/* {"jsonrpc":"2.0","id":id,"error":{"code":code,"message":message,
 * "data":data}}. id NULL means null. message NULL means
 * rpc_code_message(code). data is stolen and omitted when NULL. */
json_t *rpc_error_response_new(json_t *id, int code, const char *message,
                               json_t *data);

/* {"jsonrpc":"2.0","id":id,"method":method,"params":params}. id must be an
 * integer or a string. params is stolen and omitted when NULL. */
json_t *rpc_request_new(json_t *id, const char *method, json_t *params);

/* {"jsonrpc":"2.0","method":method,"params":params}. params is stolen and
 * omitted when NULL. */
json_t *rpc_notification_new(const char *method, json_t *params);

/* jansson's malloc, counting the allocations that fail. The server
 * installs it with json_set_alloc_funcs(rpc_json_malloc, free): jansson
 * 2.14 does not always report a failed allocation (its lexer drops a
 * character, its dumper a piece of an object key), and rpc_message_parse
 * uses the count to refuse a value parsed while one failed. */
void *rpc_json_malloc(size_t size);

/* Serializes msg (borrowed) as compact JSON, members in insertion order:
 * *out is a new NUL-terminated malloc'd string (free with free()) and
 * *out_len its length. */
int rpc_message_dump(const json_t *msg, char **out, size_t *out_len,
                     rpc_error_t *err);

/* The same, framed for the wire ("Content-Length: N\r\n\r\n" + JSON);
 * *out is malloc'd (free with free()). */
int rpc_message_frame(const json_t *msg, char **out, size_t *out_len,
                      rpc_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
