/*
 * fuzz.h: what the fuzz targets share: the libFuzzer entry point's
 * prototype, a check that aborts (so that libFuzzer, and the replay
 * programs under ctest, report a broken invariant as a crash), and a
 * cursor that reads the fuzzer's bytes as small integers.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput(); replay_main.c
 * gives it a main() for builds without libFuzzer (tests/fuzz/README.md).
 */
#ifndef HEATLS_FUZZ_H
#define HEATLS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints file:line, the condition and a message with both sides, then
 * aborts. */
#define FUZZ_CHECK(cond, ...)                                                 \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__,    \
              #cond);                                                         \
      fprintf(stderr, __VA_ARGS__);                                           \
      fputc('\n', stderr);                                                    \
      abort();                                                                \
    }                                                                         \
  } while (0)

/* The fuzzer's bytes, read front to back; reads past the end give 0. */
typedef struct fuzz_in {
  const uint8_t *p;
  size_t left;
} fuzz_in_t;

static inline uint8_t fuzz_u8(fuzz_in_t *in) {
  if (!in->left)
    return 0;
  in->left--;
  return *in->p++;
}

/* Up to `want` bytes (fewer at the end of the input): *len gets the count
 * and the pointer into the input is returned (NULL when *len is 0). */
static inline const char *fuzz_bytes(fuzz_in_t *in, size_t want, size_t *len) {
  const char *s = (const char *)in->p;
  if (want > in->left)
    want = in->left;
  in->p += want;
  in->left -= want;
  *len = want;
  return want ? s : NULL;
}

/* A small deterministic generator for choices derived from one seed. */
static inline uint32_t fuzz_next(uint32_t *state) {
  uint32_t x = *state ? *state : 0x9e3779b9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

#endif
