/*
 * test_message.c: JSON-RPC 2.0 parsing and classification, and the
 * builders and serializers (protocol/rpc_message.h). Expected codes come
 * from the JSON-RPC 2.0 specification: -32700 when the body is not JSON,
 * -32600 when it is JSON but not a valid message.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rpc_message.h"

/* Parses a C-string body. */
static void parse(const char *body, rpc_message_t *msg) {
  rpc_error_t err;
  CHECK_INT(rpc_message_parse(body, strlen(body), msg, &err), 0);
  CHECK_INT(err.code, 0);
}

static void test_requests(void) {
  rpc_message_t m;

  parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
        "\"params\":{\"processId\":42}}",
        &m);
  CHECK_INT(m.kind, RPC_REQUEST);
  CHECK(json_is_integer(m.id));
  CHECK_INT(json_integer_value(m.id), 1);
  CHECK_STR(m.method, "initialize");
  CHECK(json_is_object(m.params));
  CHECK_INT(json_integer_value(json_object_get(m.params, "processId")), 42);
  CHECK(m.result == NULL && m.error == NULL);
  rpc_message_close(&m);
  CHECK(m.root == NULL);

  /* A string id, array params, members in another order. */
  parse("{\"params\":[1,2],\"method\":\"m\",\"id\":\"req-7\","
        "\"jsonrpc\":\"2.0\"}",
        &m);
  CHECK_INT(m.kind, RPC_REQUEST);
  CHECK_STR(json_string_value(m.id), "req-7");
  CHECK_INT(json_array_size(m.params), 2);
  rpc_message_close(&m);

  /* No params, and params: null (taken as absent). */
  parse("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\"}", &m);
  CHECK_INT(m.kind, RPC_REQUEST);
  CHECK(m.params == NULL);
  rpc_message_close(&m);
  parse("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\","
        "\"params\":null}",
        &m);
  CHECK_INT(m.kind, RPC_REQUEST);
  CHECK(m.params == NULL);
  rpc_message_close(&m);

  /* Ids beyond 2^53 stay exact; negative and zero ids are integers too. */
  parse("{\"jsonrpc\":\"2.0\",\"id\":9007199254740993,\"method\":\"m\"}", &m);
  CHECK_INT(m.kind, RPC_REQUEST);
  CHECK(json_integer_value(m.id) == 9007199254740993LL);
  rpc_message_close(&m);
  parse("{\"jsonrpc\":\"2.0\",\"id\":-1,\"method\":\"m\"}", &m);
  CHECK_INT(m.kind, RPC_REQUEST);
  CHECK_INT(json_integer_value(m.id), -1);
  rpc_message_close(&m);
}

static void test_notifications(void) {
  rpc_message_t m;
  parse("{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}", &m);
  CHECK_INT(m.kind, RPC_NOTIFICATION);
  CHECK(m.id == NULL);
  CHECK_STR(m.method, "initialized");
  rpc_message_close(&m);

  /* A NUL escaped in a string is allowed inside params (document text
   * may contain one). */
  parse("{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didChange\","
        "\"params\":{\"text\":\"a\\u0000b\"}}",
        &m);
  CHECK_INT(m.kind, RPC_NOTIFICATION);
  CHECK_INT(json_string_length(json_object_get(m.params, "text")), 3);
  rpc_message_close(&m);
}

static void test_responses(void) {
  rpc_message_t m;
  parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":null}", &m);
  CHECK_INT(m.kind, RPC_RESPONSE);
  CHECK_INT(json_integer_value(m.id), 3);
  CHECK(json_is_null(m.result));
  CHECK(m.error == NULL);
  CHECK(m.method == NULL);
  rpc_message_close(&m);

  parse("{\"jsonrpc\":\"2.0\",\"id\":\"c1\",\"result\":[{\"a\":1}]}", &m);
  CHECK_INT(m.kind, RPC_RESPONSE);
  CHECK_INT(json_array_size(m.result), 1);
  rpc_message_close(&m);

  parse("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
        "\"message\":\"no\",\"data\":[1]}}",
        &m);
  CHECK_INT(m.kind, RPC_RESPONSE);
  CHECK(json_is_null(m.id));
  CHECK(m.result == NULL);
  CHECK_INT(json_integer_value(json_object_get(m.error, "code")), -32600);
  rpc_message_close(&m);
}

/* body must classify as RPC_INVALID with code; has_id says whether the
 * answer can carry the message's id (then it is the integer id_value). */
static void expect_invalid(const char *body, size_t len, int code, int has_id,
                           long long id_value, const char *why) {
  rpc_message_t m;
  CHECK_INT(rpc_message_parse(body, len, &m, NULL), 0);
  CHECK_INT(m.kind, RPC_INVALID);
  CHECK_INT(m.error_code, code);
  CHECK(m.method == NULL && m.params == NULL);
  CHECK(m.result == NULL && m.error == NULL);
  if (!strstr(m.error_message, why))
    fprintf(stderr, "body %.60s: expected \"%s\" in \"%s\"\n", body, why,
            m.error_message);
  CHECK(strstr(m.error_message, why) != NULL);
  if (has_id) {
    CHECK(json_is_integer(m.id));
    CHECK_INT(json_integer_value(m.id), id_value);
  } else {
    CHECK(m.id == NULL);
  }
  rpc_message_close(&m);
}

#define PARSE_ERROR(s)                                                        \
  expect_invalid(s, sizeof(s) - 1, -32700, 0, 0, "invalid JSON")
#define INVALID(s, why) expect_invalid(s, sizeof(s) - 1, -32600, 0, 0, why)
#define INVALID_ID(s, id, why)                                                \
  expect_invalid(s, sizeof(s) - 1, -32600, 1, id, why)

static void test_invalid(void) {
  rpc_message_t m;

  PARSE_ERROR("");
  PARSE_ERROR("{");
  PARSE_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"m\",}");
  PARSE_ERROR("{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}"); /* not UTF-8 */
  PARSE_ERROR("{\"a\":1} {\"b\":2}"); /* two values in one body */
  PARSE_ERROR("{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,"
              "\"method\":\"m\"}"); /* id too large for an integer */

  INVALID("[{\"jsonrpc\":\"2.0\",\"method\":\"m\"}]", "batches");
  INVALID("[]", "batches");
  INVALID("5", "not a JSON object");
  INVALID("\"s\"", "not a JSON object");
  INVALID("null", "not a JSON object");

  INVALID("{\"method\":\"m\"}", "\"jsonrpc\" must be");
  INVALID("{\"jsonrpc\":\"1.0\",\"method\":\"m\"}", "\"jsonrpc\" must be");
  INVALID("{\"jsonrpc\":2.0,\"method\":\"m\"}", "\"jsonrpc\" must be");
  INVALID("{\"jsonrpc\":\"2.0\\u0000\",\"method\":\"m\"}",
          "\"jsonrpc\" must be");

  /* Ids of the wrong type: answered with a null id. */
  INVALID("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"m\"}",
          "\"id\" must be an integer or a string");
  INVALID("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"m\"}",
          "\"id\" must be an integer or a string");
  INVALID("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"m\"}",
          "\"id\" must be an integer or a string");
  INVALID("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}",
          "\"id\" must be an integer or a string");

  /* Otherwise broken messages with a good id: answered with that id. */
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":5}", 7,
             "\"method\" must be a string");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"a\\u0000b\"}", 7,
             "\"method\" must be a string");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"m\",\"params\":3}", 8,
             "\"params\" must be an object or an array");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"m\","
             "\"params\":\"x\"}",
             8, "\"params\" must be");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"m\",\"result\":1}", 9,
             "both a method and a result");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":9}", 9, "neither a method");
  INVALID_ID("{\"id\":10,\"method\":\"m\"}", 10, "\"jsonrpc\" must be");
  INVALID("{\"jsonrpc\":\"2.0\",\"method\":null}", "\"method\" must be");

  /* Broken responses. */
  INVALID("{\"jsonrpc\":\"2.0\",\"result\":1}", "response without an id");
  INVALID("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"result\":1}",
          "\"id\" must be an integer, a string or null");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":1,\"error\":"
             "{\"code\":1,\"message\":\"m\"}}",
             4, "both a result and an error");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":\"oops\"}", 4,
             "\"error\" must be an object");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":\"1\","
             "\"message\":\"m\"}}",
             4, "\"error\" must be an object");
  INVALID_ID("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":1}}", 4,
             "\"error\" must be an object");

  /* A string id is kept for the answer as well. */
  {
    const char *b = "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":1}";
    CHECK_INT(rpc_message_parse(b, strlen(b), &m, NULL), 0);
  }
  CHECK_INT(m.kind, RPC_INVALID);
  CHECK_STR(json_string_value(m.id), "s");
  rpc_message_close(&m);

  /* The reason is printable ASCII, whatever the body held, so it can go
   * into the error response as it is. */
  {
    const char *b = "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":"
                    "{\"a\":\xc3\xa9\xc3\xa9\xc3\xa9}}";
    json_t *answer;
    size_t i;
    CHECK_INT(rpc_message_parse(b, strlen(b), &m, NULL), 0);
    CHECK_INT(m.error_code, RPC_CODE_PARSE_ERROR);
    for (i = 0; m.error_message[i]; i++)
      CHECK(m.error_message[i] >= 0x20 && m.error_message[i] < 0x7f);
    answer = rpc_error_response_new(m.id, m.error_code, m.error_message, NULL);
    CHECK(answer != NULL);
    json_decref(answer);
    rpc_message_close(&m);
  }

  /* A parse error keeps nothing. */
  CHECK_INT(rpc_message_parse("{", 1, &m, NULL), 0);
  CHECK(m.root == NULL);
  rpc_message_close(&m);
  rpc_message_close(&m); /* twice is fine */
  rpc_message_close(NULL);
}

static void test_parse_arguments(void) {
  rpc_message_t m;
  rpc_error_t err;
  CHECK_INT(rpc_message_parse("{}", 2, NULL, &err), RPC_EINVAL);
  CHECK_INT(err.code, RPC_EINVAL);
  CHECK_INT(rpc_message_parse(NULL, 3, &m, NULL), RPC_EINVAL);
  /* NULL with length 0 is an empty body: not JSON. */
  CHECK_INT(rpc_message_parse(NULL, 0, &m, NULL), 0);
  CHECK_INT(m.kind, RPC_INVALID);
  CHECK_INT(m.error_code, RPC_CODE_PARSE_ERROR);
  rpc_message_close(&m);
}

static void test_id_equal(void) {
  json_t *one = json_integer(1), *one_b = json_integer(1);
  json_t *two = json_integer(2), *s1 = json_string("1");
  json_t *a = json_stringn("a\0b", 3), *a2 = json_stringn("a\0b", 3);
  json_t *a3 = json_stringn("a\0c", 3), *null = json_null();
  CHECK_INT(rpc_id_equal(one, one_b), 1);
  CHECK_INT(rpc_id_equal(one, two), 0);
  CHECK_INT(rpc_id_equal(one, s1), 0); /* 1 and "1" differ */
  CHECK_INT(rpc_id_equal(s1, one), 0);
  CHECK_INT(rpc_id_equal(a, a2), 1);
  CHECK_INT(rpc_id_equal(a, a3), 0);
  CHECK_INT(rpc_id_equal(null, null), 0); /* null is no request id */
  CHECK_INT(rpc_id_equal(NULL, one), 0);
  json_decref(one);
  json_decref(one_b);
  json_decref(two);
  json_decref(s1);
  json_decref(a);
  json_decref(a2);
  json_decref(a3);
  json_decref(null);
}

/* Checks that msg serializes to exactly `want`, then releases msg. */
static void expect_dump(json_t *msg, const char *want) {
  char *s = NULL;
  size_t len = 0;
  CHECK(msg != NULL);
  if (!msg)
    return;
  CHECK_INT(rpc_message_dump(msg, &s, &len, NULL), 0);
  CHECK_MEM(s, len, want);
  free(s);
  json_decref(msg);
}

static void test_builders(void) {
  json_t *id1 = json_integer(1), *idx = json_string("x");
  json_t *bad_id = json_real(1.5);
  char *s;
  size_t len;

  expect_dump(
      rpc_response_new(id1, json_pack("{s:{}}", "capabilities")),
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"capabilities\":{}}}");
  expect_dump(rpc_response_new(idx, NULL),
              "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":null}");
  expect_dump(rpc_response_new(NULL, json_true()),
              "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":true}");
  CHECK_INT(id1->refcount, 1); /* borrowed ids are not kept */

  expect_dump(rpc_error_response_new(NULL, RPC_CODE_PARSE_ERROR, NULL, NULL),
              "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
              "\"message\":\"Parse error\"}}");
  expect_dump(rpc_error_response_new(id1, RPC_CODE_INVALID_PARAMS, "bad uri",
                                     json_string("untitled:1")),
              "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,"
              "\"message\":\"bad uri\",\"data\":\"untitled:1\"}}");
  expect_dump(
      rpc_error_response_new(idx, RPC_CODE_REQUEST_CANCELLED, NULL, NULL),
      "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-32800,"
      "\"message\":\"Request cancelled\"}}");

  expect_dump(rpc_request_new(id1, "workspace/configuration",
                              json_pack("{s:[]}", "items")),
              "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
              "\"workspace/configuration\",\"params\":{\"items\":[]}}");
  expect_dump(rpc_request_new(idx, "m", NULL),
              "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"m\"}");
  /* Bad arguments: NULL, and the stolen params are released (the leak
   * checkers would see them otherwise). */
  CHECK(rpc_request_new(bad_id, "m", json_object()) == NULL);
  CHECK(rpc_request_new(NULL, "m", json_object()) == NULL);
  CHECK(rpc_request_new(id1, NULL, json_object()) == NULL);

  expect_dump(rpc_notification_new(
                  "window/logMessage",
                  json_pack("{s:i,s:s}", "type", 3, "message", "caf\xc3\xa9")),
              "{\"jsonrpc\":\"2.0\",\"method\":\"window/logMessage\","
              "\"params\":{\"type\":3,\"message\":\"caf\xc3\xa9\"}}");
  expect_dump(rpc_notification_new("exit", NULL),
              "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
  CHECK(rpc_notification_new(NULL, json_object()) == NULL);

  /* Framed: the header counts the bytes of the JSON text. */
  {
    json_t *n = rpc_notification_new("exit", NULL);
    const char *json = "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}";
    char want[128];
    snprintf(want, sizeof want, "Content-Length: %zu\r\n\r\n%s", strlen(json),
             json);
    CHECK_INT(rpc_message_frame(n, &s, &len, NULL), 0);
    CHECK_MEM(s, len, want);
    CHECK_STR(want, "Content-Length: 33\r\n\r\n"
                    "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
    free(s);
    json_decref(n);
  }

  /* Round trip: what we build parses back to the same message. */
  {
    json_t *r = rpc_request_new(idx, "textDocument/hover",
                                json_pack("{s:i}", "line", 4));
    rpc_message_t m;
    CHECK_INT(rpc_message_dump(r, &s, &len, NULL), 0);
    CHECK_INT(rpc_message_parse(s, len, &m, NULL), 0);
    CHECK_INT(m.kind, RPC_REQUEST);
    CHECK_INT(rpc_id_equal(m.id, idx), 1);
    CHECK_STR(m.method, "textDocument/hover");
    CHECK_INT(json_integer_value(json_object_get(m.params, "line")), 4);
    rpc_message_close(&m);
    free(s);
    json_decref(r);
  }

  {
    rpc_error_t err;
    s = (char *)&err;
    CHECK_INT(rpc_message_dump(NULL, &s, &len, &err), RPC_EINVAL);
    CHECK_INT(err.code, RPC_EINVAL);
    CHECK(s == (char *)&err); /* untouched: nothing to report into */
    CHECK_INT(rpc_message_frame(NULL, &s, &len, NULL), RPC_EINVAL);
    CHECK(s == NULL);
  }
  json_decref(id1);
  json_decref(idx);
  json_decref(bad_id);
}

static void test_names(void) {
  /* Every return code has a name of its own. */
  int a, b;
  for (a = RPC_ERANGE; a <= RPC_EINVAL; a++) {
    CHECK(strcmp(rpc_strerror(a), "unknown error") != 0);
    for (b = RPC_ERANGE; b < a; b++)
      CHECK(strcmp(rpc_strerror(a), rpc_strerror(b)) != 0);
  }
  {
    static const int codes[] = {-32700, -32600, -32601, -32602, -32603,
                                -32002, -32803, -32802, -32801, -32800};
    size_t i, j, n = sizeof codes / sizeof codes[0];
    for (i = 0; i < n; i++) {
      CHECK(strcmp(rpc_code_message(codes[i]), "Unknown error") != 0);
      for (j = 0; j < i; j++)
        CHECK(strcmp(rpc_code_message(codes[i]), rpc_code_message(codes[j])) !=
              0);
    }
  }
  CHECK_STR(rpc_strerror(0), "success");
  CHECK_STR(rpc_strerror(RPC_EHEADER), "malformed message header");
  CHECK_STR(rpc_strerror(RPC_ENOTFILE), "not a file URI");
  CHECK_STR(rpc_strerror(12345), "unknown error");
  CHECK_STR(rpc_code_message(-32601), "Method not found");
  CHECK_STR(rpc_code_message(-32002), "Server not initialized");
  CHECK_STR(rpc_code_message(-32600), "Invalid Request");
  CHECK_STR(rpc_code_message(1), "Unknown error");
  CHECK_INT(RPC_CODE_PARSE_ERROR, -32700);
  CHECK_INT(RPC_CODE_INVALID_REQUEST, -32600);
  CHECK_INT(RPC_CODE_METHOD_NOT_FOUND, -32601);
  CHECK_INT(RPC_CODE_INVALID_PARAMS, -32602);
  CHECK_INT(RPC_CODE_SERVER_NOT_INITIALIZED, -32002);
  CHECK_INT(RPC_CODE_REQUEST_CANCELLED, -32800);
}

int main(void) {
  test_requests();
  test_notifications();
  test_responses();
  test_invalid();
  test_parse_arguments();
  test_id_equal();
  test_builders();
  test_names();
  CHECK_DONE();
}
