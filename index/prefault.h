/*
 * prefault.h: memory faulted in ahead of its use, on a thread of its own
 * (internal).
 *
 * A fresh page costs a fault the first time it is written (about 2 us on
 * the machines this was measured on). The build knows, once the profile
 * is decoded, which large arrays its next phases will write; a helper
 * thread has the kernel map them while the caller's thread is busy with
 * other work, so that the phases find them in memory. Mapping a page does
 * not change what it holds, so the caller may write to a range while it
 * is being faulted in: the helper only saves it faults, and nothing waits
 * for it but the join.
 */
#ifndef HEATLS_PREFAULT_H
#define HEATLS_PREFAULT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define HX_PREFAULT_RANGES 8

typedef struct hx_prefault {
  struct {
    void *start;
    size_t size;
  } ranges[HX_PREFAULT_RANGES];
  size_t count;
  size_t bytes; /* in all ranges */
  pthread_t thread;
  bool running;
} hx_prefault_t;

/* Adds a range, faulted in after those added before it. NULL or an empty
 * range is ignored, and so is a range past the last slot. */
void hx__prefault_add(hx_prefault_t *pf, void *start, size_t size);

/* Starts the helper when the ranges hold at least min_bytes; false when it
 * did not start (too little to be worth a thread, or no thread). Either way
 * hx__prefault_join may be called. */
bool hx__prefault_start(hx_prefault_t *pf, size_t min_bytes);

/* Waits for the helper, if it runs. Call it before any range is freed. */
void hx__prefault_join(hx_prefault_t *pf);

/* Faults in the whole pages of [start, start + size) on the calling
 * thread; a kernel that cannot (before Linux 5.14) leaves them as they
 * are. */
void hx__prefault_range(void *start, size_t size);

#endif
