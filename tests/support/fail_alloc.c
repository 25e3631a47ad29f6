/*
 * fail_alloc.c: the linker routes malloc, calloc and realloc here
 * (-Wl,--wrap); see fail_alloc.h.
 */
#include "fail_alloc.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

/* volatile: the compiler knows what malloc does and would otherwise move
 * these around the calls it wraps. */
static volatile int armed, paused, fail_rest;
static volatile long count, fail_at, failures;
/* Armed by size: mallocs of exactly sized_bytes after the first sized_keep
 * fail. The index's worker thread allocates too, so these are atomic. */
static size_t sized_bytes;
static long sized_keep, sized_count, sized_failures;

static int sized_fail(size_t size) {
  if (!__atomic_load_n(&sized_bytes, __ATOMIC_SEQ_CST) || size != sized_bytes)
    return 0;
  if (__atomic_add_fetch(&sized_count, 1, __ATOMIC_SEQ_CST) <= sized_keep)
    return 0;
  __atomic_add_fetch(&sized_failures, 1, __ATOMIC_SEQ_CST);
  return 1;
}

static int should_fail(void) {
  if (!armed || paused)
    return 0;
  long n = ++count;
  if (fail_at && (n == fail_at || (fail_rest && n > fail_at))) {
    failures++;
    return 1;
  }
  return 0;
}

void *__wrap_malloc(size_t size) {
  return sized_fail(size) || should_fail() ? NULL : __real_malloc(size);
}
void *__wrap_calloc(size_t n, size_t size) {
  return should_fail() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t size) {
  return should_fail() ? NULL : __real_realloc(p, size);
}

void fail_alloc_arm(long at, int rest) {
  count = 0;
  failures = 0;
  fail_at = at;
  fail_rest = rest;
  paused = 0;
  armed = 1;
}
void fail_alloc_disarm(void) { armed = 0; }
void fail_alloc_pause(int on) { paused = on; }
long fail_alloc_count(void) { return count; }
long fail_alloc_failures(void) { return failures; }
int fail_alloc_failed(void) { return failures > 0; }

void fail_alloc_arm_size(size_t size, long keep) {
  __atomic_store_n(&sized_count, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n(&sized_failures, 0, __ATOMIC_SEQ_CST);
  sized_keep = keep;
  __atomic_store_n(&sized_bytes, size, __ATOMIC_SEQ_CST);
}
long fail_alloc_size_count(void) {
  return __atomic_load_n(&sized_count, __ATOMIC_SEQ_CST);
}
long fail_alloc_size_failures(void) {
  return __atomic_load_n(&sized_failures, __ATOMIC_SEQ_CST);
}
