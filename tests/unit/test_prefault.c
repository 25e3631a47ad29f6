/*
 * test_prefault.c: memory faulted in ahead of its use (index/prefault.c).
 *
 *   - hx__prefault_range maps the whole pages of a range and changes no
 *     byte, inside the range or next to it; an unaligned range, an empty
 *     one and NULL are taken;
 *   - the helper thread maps its ranges while this thread writes to them,
 *     and every byte written is still there after the join;
 *   - the helper starts only for ranges of min_bytes or more, takes no
 *     range once running or past its last slot, and a join without a start
 *     (or twice) is harmless.
 * Whether a page is mapped is read with mincore(2); a kernel without
 * MADV_POPULATE_WRITE (before Linux 5.14) maps nothing ahead, and then
 * only the bytes are checked.
 */
#define _DEFAULT_SOURCE /* mincore() */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "prefault.h"

enum { PAGES = 64 };

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* A fresh private mapping of PAGES pages, none of them touched yet. */
static uint8_t *fresh(void) {
  void *p = mmap(NULL, PAGES * page_size(), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* How many of pages [first, first + n) of p are mapped. */
static size_t mapped(uint8_t *p, size_t first, size_t n) {
  unsigned char vec[PAGES];
  if (mincore(p, PAGES * page_size(), vec) != 0)
    return (size_t)-1;
  size_t count = 0;
  for (size_t i = first; i < first + n; i++)
    count += vec[i] & 1;
  return count;
}

static int populate_works(void) {
  uint8_t *p = fresh();
  if (!p)
    return 0;
#ifdef MADV_POPULATE_WRITE
  int ok = madvise(p, page_size(), MADV_POPULATE_WRITE) == 0;
#else
  int ok = 0;
#endif
  munmap(p, PAGES * page_size());
  return ok;
}

static void test_range(int works) {
  size_t page = page_size();
  uint8_t *p = fresh();
  CHECK(p != NULL);
  if (!p)
    return;
  /* Bytes written on pages 2 and 40; the range runs from the middle of
   * page 1 to the middle of page 50: pages 2..49 are whole in it. */
  p[2 * page + 5] = 0xAB;
  p[40 * page + page - 1] = 0xCD;
  hx__prefault_range(p + page + page / 2, 49 * page);
  CHECK_INT(p[2 * page + 5], 0xAB);
  CHECK_INT(p[40 * page + page - 1], 0xCD);
  if (works) {
    CHECK_INT(mapped(p, 2, 48), 48);
    CHECK_INT(mapped(p, 51, PAGES - 51), 0); /* past the range */
  }
  hx__prefault_range(NULL, page);
  hx__prefault_range(p, 0);
  hx__prefault_range(p + 60 * page + 1, 10); /* inside one page */
  if (works)
    CHECK_INT(mapped(p, 60, 1), 0);
  /* Last: reading a page maps it too. */
  size_t nonzero = 0;
  for (size_t i = 0; i < PAGES * page; i++)
    nonzero += p[i] != 0;
  CHECK_INT(nonzero, 2);
  munmap(p, PAGES * page);
}

static void test_helper(int works) {
  size_t page = page_size();
  uint8_t *a = fresh(), *b = fresh();
  CHECK(a != NULL && b != NULL);
  if (!a || !b)
    return;
  hx_prefault_t pf;
  memset(&pf, 0, sizeof pf);
  hx__prefault_add(&pf, a, PAGES * page);
  hx__prefault_add(&pf, b, PAGES * page);
  CHECK_INT(pf.count, 2);
  CHECK(!hx__prefault_start(&pf, 2 * PAGES * page + 1)); /* too little */
  CHECK(!pf.running);
  hx__prefault_join(&pf);
  int started = hx__prefault_start(&pf, 2 * PAGES * page);
  CHECK(started);
  hx__prefault_add(&pf, a, page); /* running: not taken */
  CHECK_INT(pf.count, 2);
  /* Written while the helper may be mapping the same pages. */
  for (size_t i = 0; i < PAGES * page; i += 61) {
    a[i] = (uint8_t)(i % 251 + 1);
    b[PAGES * page - 1 - i] = (uint8_t)(i % 241 + 1);
  }
  hx__prefault_join(&pf);
  hx__prefault_join(&pf);
  CHECK(!pf.running);
  size_t wrong = 0;
  for (size_t i = 0; i < PAGES * page; i += 61)
    wrong += a[i] != (uint8_t)(i % 251 + 1) ||
             b[PAGES * page - 1 - i] != (uint8_t)(i % 241 + 1);
  CHECK_INT(wrong, 0);
  if (works && started) {
    CHECK_INT(mapped(a, 0, PAGES), PAGES);
    CHECK_INT(mapped(b, 0, PAGES), PAGES);
  }
  munmap(a, PAGES * page);
  munmap(b, PAGES * page);
}

static void test_slots(void) {
  static uint8_t block[HX_PREFAULT_RANGES + 2];
  hx_prefault_t pf;
  memset(&pf, 0, sizeof pf);
  hx__prefault_add(&pf, NULL, 100);
  hx__prefault_add(&pf, block, 0);
  CHECK_INT(pf.count, 0);
  CHECK(!hx__prefault_start(&pf, 0)); /* no range */
  for (size_t i = 0; i < HX_PREFAULT_RANGES + 2; i++)
    hx__prefault_add(&pf, &block[i], 1);
  CHECK_INT(pf.count, HX_PREFAULT_RANGES);
  CHECK_INT(pf.bytes, HX_PREFAULT_RANGES);
  CHECK(hx__prefault_start(&pf, 1));
  hx__prefault_join(&pf);
}

int main(void) {
  int works = populate_works();
  if (!works)
    fprintf(stderr, "prefault: this kernel maps nothing ahead; only the "
                    "bytes are checked\n");
  test_range(works);
  test_helper(works);
  test_slots();
  CHECK_DONE();
}
