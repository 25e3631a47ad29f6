/*
 * fail_alloc.h: making the Nth allocation of a test fail.
 *
 * A test that links heatls_fail_alloc (tests/support/CMakeLists.txt) has
 * its malloc, calloc and realloc routed through fail_alloc.c by the
 * linker's --wrap, its own and those of the static libraries it links
 * (not those of shared libraries such as jansson or zlib, which a test can
 * route here through their own allocator hooks). Nothing is counted or
 * failed until the test arms it.
 */
#ifndef HEATLS_FAIL_ALLOC_H
#define HEATLS_FAIL_ALLOC_H

#include <stddef.h>

/* Starts counting from 0: allocation number `at` (1-based) fails, and with
 * `rest` every one after it too; at 0 counts without failing. */
void fail_alloc_arm(long at, int rest);

/* Stops counting and failing. */
void fail_alloc_disarm(void);

/* While paused (1), allocations are neither counted nor failed: for the
 * test's own allocations in the middle of a scenario. */
void fail_alloc_pause(int paused);

long fail_alloc_count(void);    /* allocations counted since armed */
long fail_alloc_failures(void); /* allocations failed since armed */
int fail_alloc_failed(void);    /* fail_alloc_failures() > 0 */

/* Armed by size instead, from any thread: every malloc of exactly `size`
 * bytes after the first `keep` of them fails (size 0 disarms). Counted
 * apart from the above. */
void fail_alloc_arm_size(size_t size, long keep);
long fail_alloc_size_count(void);    /* mallocs of that size since armed */
long fail_alloc_size_failures(void); /* how many of them failed */

/* The wrapped malloc, for a library's allocator hook
 * (json_set_alloc_funcs). */
void *__wrap_malloc(size_t size);

#endif
