/*
 * test_workspace.c: the workspace's folders under allocation failure: a
 * load takes a copy of them that is whole or nothing (a copy with a NULL
 * gap once reached opendir(NULL) in the scan).
 */
#include "check.h"
#include "fail_alloc.h"
#include "workspace.h"

#include <stdlib.h>

int main(void) {
  srv_workspace_t *ws;
  CHECK_INT(srv_workspace_new(&ws), 0);
  CHECK_INT(srv_workspace_add_root(ws, "file:///home/me/one"), 0);
  CHECK_INT(srv_workspace_add_root(ws, "file:///home/me/two"), 0);
  CHECK_INT(srv_workspace_add_root(ws, "file:///home/me/three"), 0);
  CHECK_INT(srv_workspace_add_root(ws, "untitled:Untitled-1"), 0);
  CHECK_INT(srv_workspace_root_count(ws), 3);
  CHECK_STR(srv_workspace_first_root(ws), "/home/me/one");

  int whole = 0;
  for (long n = 1; n < 50 && !whole; n++) {
    char **roots = (char **)1;
    size_t count = 99;
    fail_alloc_arm(n, 0);
    int rc = srv_workspace_roots_copy(ws, &roots, &count);
    int failed = fail_alloc_failed();
    fail_alloc_disarm();
    if (failed) {
      CHECK_INT(rc, -1); /* SRV_ENOMEM */
      CHECK(roots == NULL);
      CHECK_INT(count, 0);
    } else {
      whole = 1;
      CHECK_INT(rc, 0);
      CHECK_INT(count, 3);
      for (size_t i = 0; i < count; i++)
        CHECK(roots[i] != NULL);
      CHECK_STR(roots[2], "/home/me/three");
    }
    srv_workspace_roots_free(rc == 0 ? roots : NULL, rc == 0 ? count : 0);
  }
  CHECK(whole);

  srv_workspace_remove_root(ws, "file:///home/me/one");
  srv_workspace_remove_root(ws, "file:///home/me/none");
  CHECK_INT(srv_workspace_root_count(ws), 2);
  srv_workspace_free(ws);
  CHECK_DONE();
}
