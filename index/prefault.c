/*
 * prefault.c: see prefault.h.
 */
#define _DEFAULT_SOURCE /* glibc declares madvise() only with this */
#include "prefault.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Bytes faulted in by one call: each call holds the address space's lock
 * for reading, and mmap and munmap on the other thread (malloc and free of
 * large blocks) wait for it. */
#define PREFAULT_STEP ((uintptr_t)1 << 20)

void hx__prefault_range(void *start, size_t size) {
#ifdef MADV_POPULATE_WRITE
  long page = sysconf(_SC_PAGESIZE);
  if (!start || page <= 0)
    return;
  /* madvise takes whole pages: those inside the range. */
  uintptr_t first =
      ((uintptr_t)start + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  uintptr_t end = ((uintptr_t)start + size) & ~((uintptr_t)page - 1);
  for (uintptr_t at = first; at < end; at += PREFAULT_STEP) {
    size_t n = end - at < PREFAULT_STEP ? end - at : PREFAULT_STEP;
    if (madvise((void *)at, n, MADV_POPULATE_WRITE) != 0)
      return;
  }
#else
  (void)start;
  (void)size;
#endif
}

void hx__prefault_add(hx_prefault_t *pf, void *start, size_t size) {
  if (!start || size == 0 || pf->running || pf->count == HX_PREFAULT_RANGES)
    return;
  pf->ranges[pf->count].start = start;
  pf->ranges[pf->count].size = size;
  pf->count++;
  pf->bytes += size;
}

static void *prefault_main(void *arg) {
  hx_prefault_t *pf = arg;
  for (size_t i = 0; i < pf->count; i++)
    hx__prefault_range(pf->ranges[i].start, pf->ranges[i].size);
  return NULL;
}

bool hx__prefault_start(hx_prefault_t *pf, size_t min_bytes) {
  if (pf->running || pf->count == 0 || pf->bytes < min_bytes)
    return false;
  pf->running = pthread_create(&pf->thread, NULL, prefault_main, pf) == 0;
  return pf->running;
}

void hx__prefault_join(hx_prefault_t *pf) {
  if (pf->running)
    pthread_join(pf->thread, NULL);
  pf->running = false;
}
