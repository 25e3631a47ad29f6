/*
 * dispatch.c: the method table (names kept sorted for binary search) and
 * the LSP routing rules documented in rpc_dispatch.h.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rpc_dispatch.h"

struct rpc_dispatch {
  rpc_method_t *methods; /* sorted by strcmp of name */
  size_t count, capacity;
};

int rpc_dispatch_new(rpc_dispatch_t **out, rpc_error_t *err) {
  rpc_dispatch_t *t;
  if (!out)
    return rpc__fail(err, RPC_EINVAL, "rpc_dispatch_new: out is NULL");
  t = calloc(1, sizeof *t);
  *out = t;
  if (!t)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a dispatch table");
  rpc__clear(err);
  return 0;
}

void rpc_dispatch_free(rpc_dispatch_t *table) {
  size_t i;
  if (!table)
    return;
  for (i = 0; i < table->count; i++)
    free((char *)table->methods[i].name);
  free(table->methods);
  free(table);
}

size_t rpc_dispatch_count(const rpc_dispatch_t *table) { return table->count; }

/* The index of name if present (*found = 1), else where it would go. */
static size_t search(const rpc_dispatch_t *t, const char *name, int *found) {
  size_t lo = 0, hi = t->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(t->methods[mid].name, name);
    if (c == 0) {
      *found = 1;
      return mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = 0;
  return lo;
}

int rpc_dispatch_add(rpc_dispatch_t *table, const char *name,
                     rpc_handler_fn handler, unsigned flags,
                     rpc_error_t *err) {
  size_t at, len;
  int found;
  char *copy;
  if (!table || !name || !name[0] || !handler)
    return rpc__fail(err, RPC_EINVAL,
                     "rpc_dispatch_add: a name and a handler are needed");
  if (!(flags & (RPC_METHOD_REQUEST | RPC_METHOD_NOTIFICATION)))
    return rpc__fail(err, RPC_EINVAL,
                     "flags say neither request nor notification");
  at = search(table, name, &found);
  if (found) {
    char shown[84];
    rpc__printable(name, strlen(name), shown, sizeof shown);
    return rpc__fail(err, RPC_EEXIST, "method %s registered twice", shown);
  }
  if (table->count == RPC_DISPATCH_MAX_METHODS)
    return rpc__fail(err, RPC_ETOOBIG, "more than %d methods",
                     RPC_DISPATCH_MAX_METHODS);
  if (table->count == table->capacity) {
    /* Doubling from 16 reaches the cap (a power of two) exactly. */
    size_t cap = table->capacity ? table->capacity * 2 : 16;
    rpc_method_t *m;
    m = realloc(table->methods, cap * sizeof *m);
    if (!m)
      return rpc__fail(err, RPC_ENOMEM, "cannot grow the dispatch table");
    table->methods = m;
    table->capacity = cap;
  }
  len = strlen(name);
  copy = malloc(len + 1);
  if (!copy)
    return rpc__fail(err, RPC_ENOMEM, "cannot copy a method name");
  memcpy(copy, name, len + 1);
  memmove(table->methods + at + 1, table->methods + at,
          (table->count - at) * sizeof *table->methods);
  table->methods[at].name = copy;
  table->methods[at].handler = handler;
  table->methods[at].flags = flags;
  table->count++;
  rpc__clear(err);
  return 0;
}

const rpc_method_t *rpc_dispatch_find(const rpc_dispatch_t *table,
                                      const char *name) {
  int found;
  size_t at;
  if (!table || !name)
    return NULL;
  at = search(table, name, &found);
  return found ? &table->methods[at] : NULL;
}

static void route_error(rpc_route_t *route, int code, const char *message) {
  route->action = RPC_ROUTE_ERROR;
  route->code = code;
  route->message = message;
}

void rpc_dispatch_route(const rpc_dispatch_t *table, const rpc_message_t *msg,
                        rpc_lifecycle_t life, rpc_route_t *route) {
  const rpc_method_t *m;
  int is_request;
  unsigned kind_flag;

  memset(route, 0, sizeof *route);
  route->action = RPC_ROUTE_IGNORE;
  if (msg->kind == RPC_INVALID) {
    route_error(route, msg->error_code, msg->error_message);
    return;
  }
  if (msg->kind == RPC_RESPONSE) {
    route->action = RPC_ROUTE_RESPONSE;
    return;
  }
  is_request = msg->kind == RPC_REQUEST;
  kind_flag = is_request ? RPC_METHOD_REQUEST : RPC_METHOD_NOTIFICATION;
  m = rpc_dispatch_find(table, msg->method);

  if (life == RPC_LIFE_STARTING &&
      !(m && (m->flags & RPC_METHOD_BEFORE_INIT))) {
    if (is_request)
      route_error(route, RPC_CODE_SERVER_NOT_INITIALIZED,
                  "server not initialized");
    return;
  }
  if (life == RPC_LIFE_SHUTDOWN &&
      !(m && (m->flags & RPC_METHOD_AFTER_SHUTDOWN))) {
    if (is_request)
      route_error(route, RPC_CODE_INVALID_REQUEST, "server is shutting down");
    return;
  }
  if (!m || !(m->flags & kind_flag)) {
    if (is_request)
      route_error(route, RPC_CODE_METHOD_NOT_FOUND, "method not found");
    return;
  }
  route->action = RPC_ROUTE_CALL;
  route->method = m;
}

int rpc_dispatch_call(const rpc_dispatch_t *table, const rpc_message_t *msg,
                      rpc_lifecycle_t life, void *ctx, rpc_route_t *route) {
  rpc_route_t local;
  rpc_route_t *r = route ? route : &local;
  rpc_dispatch_route(table, msg, life, r);
  if (r->action != RPC_ROUTE_CALL)
    return 0;
  return r->method->handler(ctx, msg);
}
