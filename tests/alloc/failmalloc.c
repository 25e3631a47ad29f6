/*
 * failmalloc.c: an LD_PRELOAD library that makes one allocation of a
 * process fail, for the allocation failure walk of the server
 * (walk_server.mjs).
 *
 * It sits in front of the malloc family (malloc, calloc, realloc,
 * posix_memalign, aligned_alloc, memalign, valloc, pvalloc) of every
 * library in the process: heatls itself, jansson, libuv, zlib, protobuf-c
 * and glibc's own callers of malloc (strdup, fopen...; glibc routes them
 * through the interposed malloc). Allocations are counted from the start
 * of the process, across all threads (one atomic counter), and number N
 * fails with ENOMEM:
 *
 *   HEATLS_FAIL_ALLOC_AT=N        the allocation to fail (1-based); unset
 *                                 or 0: none fails, they are only counted
 *   HEATLS_FAIL_ALLOC_REPORT=PATH appended to: "fail N size S" and the
 *                                 stack of the failed allocation when it
 *                                 happens, "count C" at exit
 *
 * realloc(p, 0) (a free) is neither counted nor failed. The allocations
 * this library makes itself (dlsym's before the real functions are known,
 * served from a static buffer; backtrace's when it writes a report) are not
 * counted. Not for use with AddressSanitizer, which owns malloc itself.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

/* ---- before dlsym has answered: a bump allocator ---- */

#define BOOT_SIZE ((size_t)256 * 1024)
static _Alignas(16) unsigned char boot[BOOT_SIZE];
static atomic_size_t boot_used;
static atomic_int resolving;

/* 16 bytes of header (the size) before each block, for realloc. */
static void *boot_alloc(size_t size) {
  size_t need = ((size + 15) & ~(size_t)15) + 16;
  size_t at = atomic_fetch_add(&boot_used, need);
  if (at + need > BOOT_SIZE || need < size)
    return NULL;
  memcpy(boot + at, &size, sizeof size);
  return boot + at + 16;
}
static int is_boot(const void *p) {
  return (const unsigned char *)p >= boot &&
         (const unsigned char *)p < boot + BOOT_SIZE;
}
static size_t boot_size(const void *p) {
  size_t size;
  memcpy(&size, (const unsigned char *)p - 16, sizeof size);
  return size;
}

/* dlsym's object pointer into a function pointer: POSIX allows it, ISO C
 * only through memcpy. */
#define LOOKUP(fn, name)                                                      \
  do {                                                                        \
    void *sym_ = dlsym(RTLD_NEXT, name);                                      \
    memcpy(&(fn), &sym_, sizeof(fn));                                         \
  } while (0)

static void resolve(void) {
  if (real_free)
    return;
  atomic_store(&resolving, 1);
  LOOKUP(real_malloc, "malloc");
  LOOKUP(real_calloc, "calloc");
  LOOKUP(real_realloc, "realloc");
  LOOKUP(real_posix_memalign, "posix_memalign");
  LOOKUP(real_aligned_alloc, "aligned_alloc");
  LOOKUP(real_memalign, "memalign");
  LOOKUP(real_valloc, "valloc");
  LOOKUP(real_pvalloc, "pvalloc");
  LOOKUP(real_free, "free");
  atomic_store(&resolving, 0);
}

/* ---- counting ---- */

static atomic_long count;
static long fail_at = -1; /* -1: not read yet */
static const char *report_path;
static TLS int inside; /* this library is at work on this thread */

static void read_env(void) {
  if (fail_at >= 0)
    return;
  const char *at = getenv("HEATLS_FAIL_ALLOC_AT");
  report_path = getenv("HEATLS_FAIL_ALLOC_REPORT");
  if (report_path && !*report_path)
    report_path = NULL;
  long n = at ? strtol(at, NULL, 10) : 0;
  fail_at = n > 0 ? n : 0;
}

static void put(int fd, const char *s) {
  size_t len = strlen(s);
  while (len > 0) {
    ssize_t n = write(fd, s, len);
    if (n <= 0)
      return;
    s += n;
    len -= (size_t)n;
  }
}

static void report_failure(long n, size_t size) {
  if (!report_path)
    return;
  int fd = open(report_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  char line[96];
  snprintf(line, sizeof line, "fail %ld size %zu\n", n, size);
  put(fd, line);
  void *frames[64];
  int depth = backtrace(frames, 64);
  backtrace_symbols_fd(frames, depth, fd);
  put(fd, "end\n");
  close(fd);
}

/* 1 when this allocation is the one to fail. */
static int should_fail(size_t size) {
  if (inside)
    return 0;
  read_env();
  long n = atomic_fetch_add(&count, 1) + 1;
  if (n != fail_at)
    return 0;
  inside = 1;
  report_failure(n, size);
  inside = 0;
  errno = ENOMEM;
  return 1;
}

__attribute__((destructor)) static void at_exit(void) {
  read_env();
  if (!report_path)
    return;
  inside = 1;
  int fd = open(report_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    char line[64];
    snprintf(line, sizeof line, "count %ld\n", (long)atomic_load(&count));
    put(fd, line);
    close(fd);
  }
  inside = 0;
}

/* ---- the malloc family ---- */

EXPORT void *malloc(size_t size) {
  if (!real_malloc) {
    if (atomic_load(&resolving))
      return boot_alloc(size);
    resolve();
  }
  return !real_malloc || should_fail(size) ? NULL : real_malloc(size);
}

EXPORT void *calloc(size_t n, size_t size) {
  if (!real_calloc) {
    if (atomic_load(&resolving)) {
      size_t total;
      if (__builtin_mul_overflow(n, size, &total))
        return NULL;
      return boot_alloc(total); /* static memory: already zero */
    }
    resolve();
  }
  return !real_calloc || should_fail(n * size) ? NULL : real_calloc(n, size);
}

EXPORT void *realloc(void *p, size_t size) {
  if (!real_realloc) {
    if (atomic_load(&resolving)) {
      void *q = boot_alloc(size);
      if (q && p)
        memcpy(q, p, boot_size(p) < size ? boot_size(p) : size);
      return q;
    }
    resolve();
  }
  if (p && is_boot(p)) {
    if (size == 0)
      return NULL;
    if (!real_malloc || should_fail(size))
      return NULL;
    void *q = real_malloc(size);
    if (q)
      memcpy(q, p, boot_size(p) < size ? boot_size(p) : size);
    return q;
  }
  if (!real_realloc)
    return NULL;
  if (p && size == 0)
    return real_realloc(p, 0); /* a free: neither counted nor failed */
  return should_fail(size) ? NULL : real_realloc(p, size);
}

EXPORT void free(void *p) {
  if (!p || is_boot(p))
    return;
  if (!real_free)
    resolve();
  if (real_free)
    real_free(p);
}

/* dlsym is not known to call these; should it, 16-byte alignment is all
 * the static buffer gives. */
EXPORT int posix_memalign(void **out, size_t align, size_t size) {
  if (!real_posix_memalign && atomic_load(&resolving))
    return (*out = boot_alloc(size)) ? 0 : ENOMEM;
  resolve();
  return !real_posix_memalign || should_fail(size)
             ? ENOMEM
             : real_posix_memalign(out, align, size);
}

EXPORT void *aligned_alloc(size_t align, size_t size) {
  if (!real_aligned_alloc && atomic_load(&resolving))
    return boot_alloc(size);
  resolve();
  return !real_aligned_alloc || should_fail(size)
             ? NULL
             : real_aligned_alloc(align, size);
}

EXPORT void *memalign(size_t align, size_t size) {
  if (!real_memalign && atomic_load(&resolving))
    return boot_alloc(size);
  resolve();
  return !real_memalign || should_fail(size) ? NULL
                                             : real_memalign(align, size);
}

EXPORT void *valloc(size_t size) {
  if (!real_valloc && atomic_load(&resolving))
    return boot_alloc(size);
  resolve();
  return !real_valloc || should_fail(size) ? NULL : real_valloc(size);
}

EXPORT void *pvalloc(size_t size) {
  if (!real_pvalloc && atomic_load(&resolving))
    return boot_alloc(size);
  resolve();
  return !real_pvalloc || should_fail(size) ? NULL : real_pvalloc(size);
}
