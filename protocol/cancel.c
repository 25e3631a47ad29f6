/*
 * cancel.c: the bounded set of pending request ids that $/cancelRequest
 * flags (see rpc_cancel.h).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rpc_cancel.h"

typedef struct entry {
  int is_string;
  json_int_t number; /* when !is_string */
  char *string;      /* when is_string: a copy, length `len` */
  size_t len;
  int cancelled;
} entry_t;

struct rpc_cancel {
  entry_t *entries;
  size_t count, capacity, max;
};

int rpc_cancel_new(size_t max_pending, rpc_cancel_t **out, rpc_error_t *err) {
  rpc_cancel_t *s;
  if (!out)
    return rpc__fail(err, RPC_EINVAL, "rpc_cancel_new: out is NULL");
  s = calloc(1, sizeof *s);
  *out = s;
  if (!s)
    return rpc__fail(err, RPC_ENOMEM, "cannot allocate a cancel set");
  s->max = max_pending ? max_pending : RPC_CANCEL_DEFAULT_MAX;
  rpc__clear(err);
  return 0;
}

void rpc_cancel_free(rpc_cancel_t *set) {
  size_t i;
  if (!set)
    return;
  for (i = 0; i < set->count; i++)
    free(set->entries[i].string);
  free(set->entries);
  free(set);
}

static int matches(const entry_t *e, const json_t *id) {
  if (json_is_integer(id))
    return !e->is_string && e->number == json_integer_value(id);
  return e->is_string && e->len == json_string_length(id) &&
         memcmp(e->string, json_string_value(id), e->len) == 0;
}

/* The entry for id, or NULL (also for ids of the wrong type). */
static entry_t *find(const rpc_cancel_t *set, const json_t *id) {
  size_t i;
  if (!set || !(json_is_integer(id) || json_is_string(id)))
    return NULL;
  for (i = 0; i < set->count; i++)
    if (matches(&set->entries[i], id))
      return &set->entries[i];
  return NULL;
}

int rpc_cancel_add(rpc_cancel_t *set, const json_t *id, rpc_error_t *err) {
  entry_t e;
  if (!set || !(json_is_integer(id) || json_is_string(id)))
    return rpc__fail(err, RPC_EINVAL,
                     "a request id is an integer or a string");
  if (find(set, id))
    return rpc__fail(err, RPC_EEXIST, "request id already pending");
  if (set->count == set->max)
    return rpc__fail(err, RPC_ETOOBIG, "more than %zu pending requests",
                     set->max);
  if (set->count == set->capacity) {
    size_t cap = set->capacity ? set->capacity * 2 : 16;
    entry_t *grown;
    if (cap > set->max)
      cap = set->max;
    grown = realloc(set->entries, cap * sizeof *grown);
    if (!grown)
      return rpc__fail(err, RPC_ENOMEM, "cannot grow the cancel set");
    set->entries = grown;
    set->capacity = cap;
  }
  memset(&e, 0, sizeof e);
  if (json_is_integer(id)) {
    e.number = json_integer_value(id);
  } else {
    e.is_string = 1;
    e.len = json_string_length(id);
    e.string = malloc(e.len + 1);
    if (!e.string)
      return rpc__fail(err, RPC_ENOMEM, "cannot copy a request id");
    memcpy(e.string, json_string_value(id), e.len + 1);
  }
  set->entries[set->count++] = e;
  rpc__clear(err);
  return 0;
}

int rpc_cancel_mark(rpc_cancel_t *set, const json_t *id) {
  entry_t *e = find(set, id);
  if (!e)
    return 0;
  e->cancelled = 1;
  return 1;
}

int rpc_cancel_is_cancelled(const rpc_cancel_t *set, const json_t *id) {
  const entry_t *e = find(set, id);
  return e && e->cancelled;
}

int rpc_cancel_is_pending(const rpc_cancel_t *set, const json_t *id) {
  return find(set, id) != NULL;
}

int rpc_cancel_remove(rpc_cancel_t *set, const json_t *id) {
  entry_t *e = find(set, id);
  if (!e)
    return 0;
  free(e->string);
  *e = set->entries[--set->count]; /* order does not matter */
  return 1;
}

size_t rpc_cancel_count(const rpc_cancel_t *set) { return set->count; }

int rpc_cancel_params_id(const json_t *params, json_t **id, rpc_error_t *err) {
  json_t *v;
  if (!id)
    return rpc__fail(err, RPC_EINVAL, "rpc_cancel_params_id: id is NULL");
  *id = NULL;
  if (!json_is_object(params))
    return rpc__fail(err, RPC_ESHAPE,
                     "$/cancelRequest params must be an object");
  v = json_object_get(params, "id");
  if (!(json_is_integer(v) || json_is_string(v)))
    return rpc__fail(err, RPC_ESHAPE,
                     "$/cancelRequest id must be an integer or a string");
  *id = v;
  rpc__clear(err);
  return 0;
}
