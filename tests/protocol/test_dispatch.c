/*
 * test_dispatch.c: the method table and the LSP routing rules
 * (protocol/rpc_dispatch.h): -32601 for unknown requests, silence for
 * unknown and "$/" notifications, -32002 before initialize, -32600 after
 * shutdown, handlers called with the caller's context.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rpc_dispatch.h"

typedef struct calls {
  int count;
  char last[64];
} calls_t;

static int record(void *ctx, const rpc_message_t *msg) {
  calls_t *c = ctx;
  c->count++;
  snprintf(c->last, sizeof c->last, "%s", msg->method);
  return 42;
}

static int other(void *ctx, const rpc_message_t *msg) {
  (void)ctx;
  (void)msg;
  return -7;
}

static void parse(const char *body, rpc_message_t *m) {
  CHECK_INT(rpc_message_parse(body, strlen(body), m, NULL), 0);
}

/* A request or notification for `method` (id 1 when request). */
static void make(rpc_message_t *m, const char *method, int request) {
  char body[256];
  if (request)
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\"}", method);
  else
    snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"method\":\"%s\"}",
             method);
  parse(body, m);
}

static rpc_dispatch_t *lsp_table(void) {
  rpc_dispatch_t *t = NULL;
  CHECK_INT(rpc_dispatch_new(&t, NULL), 0);
  CHECK_INT(rpc_dispatch_add(t, "initialize", record,
                             RPC_METHOD_REQUEST | RPC_METHOD_BEFORE_INIT,
                             NULL),
            0);
  CHECK_INT(rpc_dispatch_add(t, "initialized", record, RPC_METHOD_NOTIFICATION,
                             NULL),
            0);
  CHECK_INT(rpc_dispatch_add(t, "shutdown", record, RPC_METHOD_REQUEST, NULL),
            0);
  CHECK_INT(rpc_dispatch_add(t, "exit", record,
                             RPC_METHOD_NOTIFICATION | RPC_METHOD_BEFORE_INIT |
                                 RPC_METHOD_AFTER_SHUTDOWN,
                             NULL),
            0);
  CHECK_INT(rpc_dispatch_add(t, "textDocument/hover", other,
                             RPC_METHOD_REQUEST, NULL),
            0);
  CHECK_INT(rpc_dispatch_add(t, "$/cancelRequest", record,
                             RPC_METHOD_NOTIFICATION | RPC_METHOD_BEFORE_INIT,
                             NULL),
            0);
  CHECK_INT(rpc_dispatch_add(t, "both", record,
                             RPC_METHOD_REQUEST | RPC_METHOD_NOTIFICATION,
                             NULL),
            0);
  return t;
}

/* Routes `method` as a request or notification in `life` and checks the
 * action (and the code when it is RPC_ROUTE_ERROR). */
static void expect_route(const rpc_dispatch_t *t, const char *method,
                         int request, rpc_lifecycle_t life,
                         rpc_route_action_t action, int code) {
  rpc_message_t m;
  rpc_route_t r;
  make(&m, method, request);
  rpc_dispatch_route(t, &m, life, &r);
  if ((int)r.action != (int)action)
    fprintf(stderr, "%s (%s, life %d): action %d\n", method,
            request ? "request" : "notification", (int)life, (int)r.action);
  CHECK_INT(r.action, action);
  if (action == RPC_ROUTE_ERROR) {
    CHECK_INT(r.code, code);
    CHECK(r.message != NULL && r.message[0] != '\0');
  }
  if (action == RPC_ROUTE_CALL) {
    CHECK(r.method != NULL);
    if (r.method)
      CHECK_STR(r.method->name, method);
  } else {
    CHECK(r.method == NULL);
  }
  rpc_message_close(&m);
}

static void test_table(void) {
  rpc_dispatch_t *t = lsp_table();
  const rpc_method_t *m;
  rpc_error_t err;
  char name[32];
  int i;

  CHECK_INT(rpc_dispatch_count(t), 7);
  m = rpc_dispatch_find(t, "shutdown");
  CHECK(m != NULL);
  if (m) {
    CHECK_STR(m->name, "shutdown");
    CHECK(m->handler == record);
    CHECK_INT(m->flags, RPC_METHOD_REQUEST);
  }
  m = rpc_dispatch_find(t, "textDocument/hover");
  CHECK(m && m->handler == other);
  CHECK(rpc_dispatch_find(t, "textDocument/hove") == NULL);
  CHECK(rpc_dispatch_find(t, "") == NULL);
  CHECK(rpc_dispatch_find(t, NULL) == NULL);
  CHECK(rpc_dispatch_find(NULL, "exit") == NULL);

  /* Registration errors leave the table as it was. */
  CHECK_INT(rpc_dispatch_add(t, "shutdown", other, RPC_METHOD_REQUEST, &err),
            RPC_EEXIST);
  CHECK_INT(err.code, RPC_EEXIST);
  CHECK(strstr(err.message, "shutdown") != NULL);
  CHECK(rpc_dispatch_find(t, "shutdown")->handler == record);
  CHECK_INT(rpc_dispatch_add(t, "x", other, RPC_METHOD_BEFORE_INIT, &err),
            RPC_EINVAL);
  CHECK_INT(rpc_dispatch_add(t, "", other, RPC_METHOD_REQUEST, &err),
            RPC_EINVAL);
  CHECK_INT(rpc_dispatch_add(t, NULL, other, RPC_METHOD_REQUEST, &err),
            RPC_EINVAL);
  CHECK_INT(rpc_dispatch_add(t, "x", NULL, RPC_METHOD_REQUEST, &err),
            RPC_EINVAL);
  CHECK_INT(rpc_dispatch_add(NULL, "x", other, RPC_METHOD_REQUEST, &err),
            RPC_EINVAL);
  CHECK_INT(rpc_dispatch_count(t), 7);

  /* The table is bounded; names stay findable as it fills, in any order
   * of insertion. */
  for (i = 0; rpc_dispatch_count(t) < RPC_DISPATCH_MAX_METHODS; i++) {
    snprintf(name, sizeof name, "m/%d", (i * 7919) % 5000);
    CHECK_INT(rpc_dispatch_add(t, name, other, RPC_METHOD_REQUEST, NULL), 0);
  }
  CHECK_INT(rpc_dispatch_add(t, "one/more", other, RPC_METHOD_REQUEST, &err),
            RPC_ETOOBIG);
  CHECK_INT(err.code, RPC_ETOOBIG);
  for (i = 0; i < RPC_DISPATCH_MAX_METHODS - 7; i++) {
    snprintf(name, sizeof name, "m/%d", (i * 7919) % 5000);
    m = rpc_dispatch_find(t, name);
    CHECK(m != NULL);
    if (m)
      CHECK_STR(m->name, name);
  }
  CHECK(rpc_dispatch_find(t, "initialize") != NULL);
  CHECK(rpc_dispatch_find(t, "m/1") == NULL); /* 1 is not 7919*i mod 5000 */
  rpc_dispatch_free(t);
  rpc_dispatch_free(NULL);
  CHECK_INT(rpc_dispatch_new(NULL, &err), RPC_EINVAL);
}

static void test_routes(void) {
  rpc_dispatch_t *t = lsp_table();
  const rpc_lifecycle_t S = RPC_LIFE_STARTING, R = RPC_LIFE_RUNNING,
                        D = RPC_LIFE_SHUTDOWN;

  /* Before initialize: only methods flagged BEFORE_INIT. */
  expect_route(t, "initialize", 1, S, RPC_ROUTE_CALL, 0);
  expect_route(t, "shutdown", 1, S, RPC_ROUTE_ERROR, -32002);
  expect_route(t, "textDocument/hover", 1, S, RPC_ROUTE_ERROR, -32002);
  expect_route(t, "no/such", 1, S, RPC_ROUTE_ERROR, -32002);
  expect_route(t, "initialized", 0, S, RPC_ROUTE_IGNORE, 0);
  expect_route(t, "exit", 0, S, RPC_ROUTE_CALL, 0);
  expect_route(t, "$/cancelRequest", 0, S, RPC_ROUTE_CALL, 0);

  /* Running. */
  expect_route(t, "textDocument/hover", 1, R, RPC_ROUTE_CALL, 0);
  expect_route(t, "initialized", 0, R, RPC_ROUTE_CALL, 0);
  expect_route(t, "no/such", 1, R, RPC_ROUTE_ERROR, -32601);
  expect_route(t, "no/such", 0, R, RPC_ROUTE_IGNORE, 0);
  /* "$/" notifications nobody handles are dropped; "$/" requests are
   * answered -32601 like any unknown request. */
  expect_route(t, "$/setTrace", 0, R, RPC_ROUTE_IGNORE, 0);
  expect_route(t, "$/progress", 0, R, RPC_ROUTE_IGNORE, 0);
  expect_route(t, "$/cancelRequest", 0, R, RPC_ROUTE_CALL, 0);
  expect_route(t, "$/unknownRequest", 1, R, RPC_ROUTE_ERROR, -32601);
  /* A method of the other kind: a notification-only method sent as a
   * request is not found; a request-only method sent as a notification
   * is dropped (it cannot be answered). */
  expect_route(t, "initialized", 1, R, RPC_ROUTE_ERROR, -32601);
  expect_route(t, "textDocument/hover", 0, R, RPC_ROUTE_IGNORE, 0);
  expect_route(t, "both", 1, R, RPC_ROUTE_CALL, 0);
  expect_route(t, "both", 0, R, RPC_ROUTE_CALL, 0);
  /* Case matters in method names. */
  expect_route(t, "Shutdown", 1, R, RPC_ROUTE_ERROR, -32601);

  /* After shutdown: requests are invalid, exit still goes through. */
  expect_route(t, "textDocument/hover", 1, D, RPC_ROUTE_ERROR, -32600);
  expect_route(t, "shutdown", 1, D, RPC_ROUTE_ERROR, -32600);
  expect_route(t, "no/such", 1, D, RPC_ROUTE_ERROR, -32600);
  expect_route(t, "initialized", 0, D, RPC_ROUTE_IGNORE, 0);
  expect_route(t, "exit", 0, D, RPC_ROUTE_CALL, 0);
  rpc_dispatch_free(t);
}

static void test_invalid_and_responses(void) {
  rpc_dispatch_t *t = lsp_table();
  rpc_message_t m;
  rpc_route_t r;

  parse("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":7}", &m);
  rpc_dispatch_route(t, &m, RPC_LIFE_RUNNING, &r);
  CHECK_INT(r.action, RPC_ROUTE_ERROR);
  CHECK_INT(r.code, -32600);
  CHECK_STR(r.message, m.error_message);
  rpc_message_close(&m);

  parse("{not json", &m);
  rpc_dispatch_route(t, &m, RPC_LIFE_STARTING, &r);
  CHECK_INT(r.action, RPC_ROUTE_ERROR);
  CHECK_INT(r.code, -32700);
  rpc_message_close(&m);

  parse("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}", &m);
  rpc_dispatch_route(t, &m, RPC_LIFE_RUNNING, &r);
  CHECK_INT(r.action, RPC_ROUTE_RESPONSE);
  CHECK(r.method == NULL);
  rpc_message_close(&m);
  rpc_dispatch_free(t);
}

static void test_call(void) {
  rpc_dispatch_t *t = lsp_table();
  rpc_message_t m;
  rpc_route_t r;
  calls_t calls = {0};

  make(&m, "initialize", 1);
  CHECK_INT(rpc_dispatch_call(t, &m, RPC_LIFE_STARTING, &calls, &r), 42);
  CHECK_INT(r.action, RPC_ROUTE_CALL);
  CHECK_INT(calls.count, 1);
  CHECK_STR(calls.last, "initialize");
  rpc_message_close(&m);

  make(&m, "textDocument/hover", 1);
  CHECK_INT(rpc_dispatch_call(t, &m, RPC_LIFE_RUNNING, &calls, NULL), -7);
  CHECK_INT(calls.count, 1); /* `other` does not count */
  rpc_message_close(&m);

  /* Not routed to a handler: nothing is called and 0 comes back. */
  make(&m, "shutdown", 1);
  CHECK_INT(rpc_dispatch_call(t, &m, RPC_LIFE_STARTING, &calls, &r), 0);
  CHECK_INT(r.action, RPC_ROUTE_ERROR);
  CHECK_INT(r.code, -32002);
  CHECK_INT(calls.count, 1);
  rpc_message_close(&m);

  make(&m, "$/setTrace", 0);
  CHECK_INT(rpc_dispatch_call(t, &m, RPC_LIFE_RUNNING, &calls, &r), 0);
  CHECK_INT(r.action, RPC_ROUTE_IGNORE);
  CHECK_INT(calls.count, 1);
  rpc_message_close(&m);
  rpc_dispatch_free(t);
}

int main(void) {
  test_table();
  test_routes();
  test_invalid_and_responses();
  test_call();
  CHECK_DONE();
}
