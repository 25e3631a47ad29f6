/*
 * test_cancel.c: the pending request set behind $/cancelRequest
 * (protocol/rpc_cancel.h): integer and string ids kept apart, marks on
 * pending ids only, the cap, and the params shape.
 */
#include <string.h>

#include "check.h"
#include "rpc_cancel.h"

static void test_lifecycle(void) {
  rpc_cancel_t *set = NULL;
  json_t *one = json_integer(1), *s_one = json_string("1");
  json_t *big = json_integer(9007199254740993LL);
  json_t *big_next = json_integer(9007199254740992LL);
  json_t *nul = json_stringn("a\0b", 3), *nul2 = json_stringn("a\0c", 3);
  json_t *real = json_real(1.0), *null = json_null();
  rpc_error_t err;

  CHECK_INT(rpc_cancel_new(0, &set, NULL), 0);
  CHECK_INT(rpc_cancel_count(set), 0);
  CHECK_INT(rpc_cancel_add(set, one, &err), 0);
  CHECK_INT(err.code, 0);
  CHECK_INT(rpc_cancel_add(set, s_one, NULL), 0); /* "1" is another id */
  CHECK_INT(rpc_cancel_add(set, big, NULL), 0);
  CHECK_INT(rpc_cancel_add(set, nul, NULL), 0);
  CHECK_INT(rpc_cancel_count(set), 4);
  CHECK_INT(rpc_cancel_add(set, one, &err), RPC_EEXIST);
  CHECK_INT(err.code, RPC_EEXIST);
  CHECK_INT(rpc_cancel_add(set, real, &err), RPC_EINVAL);
  CHECK_INT(rpc_cancel_add(set, null, &err), RPC_EINVAL);
  CHECK_INT(rpc_cancel_add(set, NULL, &err), RPC_EINVAL);
  CHECK_INT(rpc_cancel_count(set), 4);

  CHECK_INT(rpc_cancel_is_pending(set, one), 1);
  CHECK_INT(rpc_cancel_is_pending(set, big_next), 0); /* exact integers */
  CHECK_INT(rpc_cancel_is_pending(set, nul2), 0);     /* bytes after NUL */
  CHECK_INT(rpc_cancel_is_cancelled(set, one), 0);

  /* Marking: only the exact pending id. */
  CHECK_INT(rpc_cancel_mark(set, s_one), 1);
  CHECK_INT(rpc_cancel_is_cancelled(set, s_one), 1);
  CHECK_INT(rpc_cancel_is_cancelled(set, one), 0);
  CHECK_INT(rpc_cancel_mark(set, big_next), 0); /* unknown: ignored */
  CHECK_INT(rpc_cancel_mark(set, real), 0);
  CHECK_INT(rpc_cancel_is_cancelled(set, real), 0);
  CHECK_INT(rpc_cancel_mark(set, nul), 1);
  CHECK_INT(rpc_cancel_mark(set, nul), 1); /* twice is harmless */

  /* Answered requests leave the set; the others stay as they were. */
  CHECK_INT(rpc_cancel_remove(set, one), 1);
  CHECK_INT(rpc_cancel_remove(set, one), 0);
  CHECK_INT(rpc_cancel_count(set), 3);
  CHECK_INT(rpc_cancel_is_cancelled(set, s_one), 1);
  CHECK_INT(rpc_cancel_is_cancelled(set, nul), 1);
  CHECK_INT(rpc_cancel_is_cancelled(set, big), 0);
  CHECK_INT(rpc_cancel_mark(set, one), 0); /* no longer pending */
  /* An id can be used again once its request is answered. */
  CHECK_INT(rpc_cancel_add(set, one, NULL), 0);
  CHECK_INT(rpc_cancel_is_cancelled(set, one), 0);
  CHECK_INT(rpc_cancel_remove(set, s_one), 1);
  CHECK_INT(rpc_cancel_remove(set, nul), 1);
  CHECK_INT(rpc_cancel_remove(set, big), 1);
  CHECK_INT(rpc_cancel_remove(set, one), 1);
  CHECK_INT(rpc_cancel_count(set), 0);
  /* Leave a string id in the set: freeing must release it. */
  CHECK_INT(rpc_cancel_add(set, nul, NULL), 0);
  rpc_cancel_free(set);
  rpc_cancel_free(NULL);

  json_decref(one);
  json_decref(s_one);
  json_decref(big);
  json_decref(big_next);
  json_decref(nul);
  json_decref(nul2);
  json_decref(real);
  json_decref(null);
}

static void test_cap(void) {
  rpc_cancel_t *set = NULL;
  rpc_error_t err;
  json_int_t i;
  CHECK_INT(rpc_cancel_new(20, &set, NULL), 0);
  for (i = 0; i < 20; i++) {
    json_t *id = json_integer(i * 3);
    CHECK_INT(rpc_cancel_add(set, id, NULL), 0);
    json_decref(id);
  }
  {
    json_t *id = json_integer(1000);
    CHECK_INT(rpc_cancel_add(set, id, &err), RPC_ETOOBIG);
    CHECK_INT(err.code, RPC_ETOOBIG);
    CHECK(strstr(err.message, "20") != NULL);
    json_decref(id);
  }
  for (i = 0; i < 20; i++) {
    json_t *id = json_integer(i * 3), *near = json_integer(i * 3 + 1);
    CHECK_INT(rpc_cancel_is_pending(set, id), 1);
    CHECK_INT(rpc_cancel_is_pending(set, near), 0);
    json_decref(id);
    json_decref(near);
  }
  rpc_cancel_free(set);
  CHECK_INT(rpc_cancel_new(0, NULL, &err), RPC_EINVAL);
}

static void test_params(void) {
  json_t *id = (json_t *)1;
  rpc_error_t err;
  json_t *ok_int = json_pack("{s:i}", "id", 12);
  json_t *ok_str = json_pack("{s:s}", "id", "abc");
  json_t *bad_real = json_pack("{s:f}", "id", 1.5);
  json_t *no_id = json_pack("{s:i}", "x", 1);
  json_t *arr = json_pack("[i]", 1);

  CHECK_INT(rpc_cancel_params_id(ok_int, &id, &err), 0);
  CHECK_INT(json_integer_value(id), 12);
  CHECK(id == json_object_get(ok_int, "id")); /* borrowed, not copied */
  CHECK_INT(rpc_cancel_params_id(ok_str, &id, NULL), 0);
  CHECK_STR(json_string_value(id), "abc");
  CHECK_INT(rpc_cancel_params_id(bad_real, &id, &err), RPC_ESHAPE);
  CHECK(id == NULL);
  CHECK_INT(err.code, RPC_ESHAPE);
  CHECK_INT(rpc_cancel_params_id(no_id, &id, NULL), RPC_ESHAPE);
  CHECK_INT(rpc_cancel_params_id(arr, &id, NULL), RPC_ESHAPE);
  CHECK_INT(rpc_cancel_params_id(NULL, &id, NULL), RPC_ESHAPE);
  CHECK_INT(rpc_cancel_params_id(ok_int, NULL, NULL), RPC_EINVAL);
  json_decref(ok_int);
  json_decref(ok_str);
  json_decref(bad_real);
  json_decref(no_id);
  json_decref(arr);
}

int main(void) {
  test_lifecycle();
  test_cap();
  test_params();
  CHECK_DONE();
}
