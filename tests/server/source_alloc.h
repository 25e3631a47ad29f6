/*
 * source_alloc.h: a parse of a source argument and a copy of the source,
 * with every allocation of theirs failed in turn. Static, so that its
 * checks count in the test that includes it (check.h's count is a file's).
 */
#ifndef HEATLS_TEST_SOURCE_ALLOC_H
#define HEATLS_TEST_SOURCE_ALLOC_H

#include "check.h"
#include "error.h"
#include "fail_alloc.h"
#include "source.h"

/* Each failure is SRV_ENOMEM from the parse or the copy, and frees what it
 * made (LeakSanitizer); once no allocation fails both succeed. */
static void check_parse_copy_failures(const char *arg,
                                      const srv_fetch_t *fetch) {
  char msg[256];
  for (long at = 1;; at++) {
    fail_alloc_arm(at, 0);
    srv_source_t e, c;
    int prc = srv_source_parse(arg, NULL, fetch, &e, msg, sizeof msg);
    int crc = prc == 0 ? srv_source_copy(&e, &c) : SRV_ENOMEM;
    int failed = fail_alloc_failed();
    fail_alloc_disarm();
    if (prc == 0)
      srv_source_close(&e);
    if (crc == 0)
      srv_source_close(&c);
    if (!failed) {
      CHECK_INT(prc, 0);
      CHECK_INT(crc, 0);
      break;
    }
    CHECK(prc == SRV_ENOMEM || crc == SRV_ENOMEM);
  }
}

#endif
