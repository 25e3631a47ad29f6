/*
 * message_parse.c: one body -> a classified JSON-RPC 2.0 message (request,
 * notification, response, or invalid with the code to answer with).
 *
 * Leniency, on purpose: "params": null is taken as absent (some clients
 * send it for parameterless requests such as shutdown); unknown members
 * are ignored. Everything else follows JSON-RPC 2.0 and the LSP's integer
 * or string ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rpc_message.h"

static _Thread_local unsigned long json_alloc_failures;

void *rpc_json_malloc(size_t size) {
  void *p = malloc(size);
  if (!p)
    json_alloc_failures++;
  return p;
}

/* Marks msg invalid with a JSON-RPC code and a reason. Keeps msg->id, the
 * id to answer with when the body had a usable one. */
static int invalid(rpc_message_t *msg, int code, const char *why) {
  msg->kind = RPC_INVALID;
  msg->error_code = code;
  msg->method = NULL;
  msg->params = msg->result = msg->error = NULL;
  rpc__printable(why, strlen(why), msg->error_message,
                 sizeof msg->error_message);
  return 0;
}

/* A JSON string without NUL bytes inside (so it can be used as a C
 * string). */
static int is_plain_string(const json_t *v) {
  return json_is_string(v) &&
         strlen(json_string_value(v)) == json_string_length(v);
}

static int is_request_id(const json_t *id) {
  return json_is_integer(id) || json_is_string(id);
}

/* A JSON-RPC error object: {code: integer, message: string, data?: any}. */
static int is_error_object(const json_t *e) {
  return json_is_object(e) && json_is_integer(json_object_get(e, "code")) &&
         json_is_string(json_object_get(e, "message"));
}

int rpc_message_parse(const char *body, size_t len, rpc_message_t *msg,
                      rpc_error_t *err) {
  json_error_t jerr;
  json_t *root, *version, *method, *params, *result, *error, *id;

  if (!msg || (!body && len))
    return rpc__fail(err, RPC_EINVAL, "rpc_message_parse: NULL argument");
  memset(msg, 0, sizeof *msg);
  rpc__clear(err);

  unsigned long failures = json_alloc_failures;
  root = json_loadb(body ? body : "", len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                    &jerr);
  if (json_alloc_failures != failures) {
    /* What jansson returned (if anything) may not be what was sent. */
    json_decref(root);
    return invalid(msg, RPC_CODE_PARSE_ERROR, "out of memory");
  }
  if (!root) {
    char why[sizeof msg->error_message];
    snprintf(why, sizeof why, "invalid JSON: %.100s (line %d, column %d)",
             jerr.text, jerr.line, jerr.column);
    return invalid(msg, RPC_CODE_PARSE_ERROR, why);
  }
  msg->root = root;
  if (json_is_array(root))
    return invalid(msg, RPC_CODE_INVALID_REQUEST, "batches are not supported");
  if (!json_is_object(root))
    return invalid(msg, RPC_CODE_INVALID_REQUEST,
                   "message is not a JSON object");

  id = json_object_get(root, "id");
  if (is_request_id(id))
    msg->id = id; /* usable for the answer even if the rest is wrong */

  version = json_object_get(root, "jsonrpc");
  if (!json_is_string(version) || json_string_length(version) != 3 ||
      memcmp(json_string_value(version), "2.0", 3) != 0)
    return invalid(msg, RPC_CODE_INVALID_REQUEST,
                   "\"jsonrpc\" must be \"2.0\"");

  method = json_object_get(root, "method");
  result = json_object_get(root, "result");
  error = json_object_get(root, "error");

  if (method) {
    if (!is_plain_string(method))
      return invalid(msg, RPC_CODE_INVALID_REQUEST,
                     "\"method\" must be a string");
    if (result || error)
      return invalid(msg, RPC_CODE_INVALID_REQUEST,
                     "a message cannot have both a method and a "
                     "result or error");
    if (id && !is_request_id(id))
      return invalid(msg, RPC_CODE_INVALID_REQUEST,
                     "\"id\" must be an integer or a string");
    params = json_object_get(root, "params");
    if (json_is_null(params))
      params = NULL;
    if (params && !json_is_object(params) && !json_is_array(params))
      return invalid(msg, RPC_CODE_INVALID_REQUEST,
                     "\"params\" must be an object or an array");
    msg->kind = id ? RPC_REQUEST : RPC_NOTIFICATION;
    msg->method = json_string_value(method);
    msg->params = params;
    return 0;
  }

  if (!result && !error)
    return invalid(msg, RPC_CODE_INVALID_REQUEST,
                   "message has neither a method nor a result or error");
  if (!id)
    return invalid(msg, RPC_CODE_INVALID_REQUEST, "response without an id");
  if (!is_request_id(id) && !json_is_null(id))
    return invalid(msg, RPC_CODE_INVALID_REQUEST,
                   "\"id\" must be an integer, a string or null");
  if (result && error)
    return invalid(msg, RPC_CODE_INVALID_REQUEST,
                   "response with both a result and an error");
  if (error && !is_error_object(error))
    return invalid(msg, RPC_CODE_INVALID_REQUEST,
                   "\"error\" must be an object with an integer code and "
                   "a string message");
  msg->kind = RPC_RESPONSE;
  msg->id = id;
  msg->result = result;
  msg->error = error;
  return 0;
}

void rpc_message_close(rpc_message_t *msg) {
  if (!msg)
    return;
  json_decref(msg->root);
  memset(msg, 0, sizeof *msg);
}

int rpc_id_equal(const json_t *a, const json_t *b) {
  if (json_is_integer(a) && json_is_integer(b))
    return json_integer_value(a) == json_integer_value(b);
  if (json_is_string(a) && json_is_string(b))
    return json_string_length(a) == json_string_length(b) &&
           memcmp(json_string_value(a), json_string_value(b),
                  json_string_length(a)) == 0;
  return 0;
}
