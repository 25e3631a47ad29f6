/*
 * check.h: assertions for heatls's C tests. Each failed check prints
 * file:line, the expression and both sides, and marks the test failed; the
 * test goes on so that one run shows every failure. CHECK_DONE() ends main()
 * with a summary line and the exit status ctest reads.
 */
#ifndef HEATLS_CHECK_H
#define HEATLS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK_FAIL_AT(file, line, ...)                                        \
  do {                                                                        \
    fprintf(stderr, "%s:%d: ", file, line);                                   \
    fprintf(stderr, __VA_ARGS__);                                             \
    fputc('\n', stderr);                                                      \
    check_failures++;                                                         \
  } while (0)

#define CHECK(cond)                                                           \
  do {                                                                        \
    check_count++;                                                            \
    if (!(cond))                                                              \
      CHECK_FAIL_AT(__FILE__, __LINE__, "check failed: %s", #cond);           \
  } while (0)

#define CHECK_INT(a, b)                                                       \
  do {                                                                        \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);           \
    check_count++;                                                            \
    if (check_a_ != check_b_)                                                 \
      CHECK_FAIL_AT(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b,     \
                    check_a_, check_b_);                                      \
  } while (0)

#define CHECK_STR(a, b)                                                       \
  do {                                                                        \
    const char *check_a_ = (a), *check_b_ = (b);                              \
    check_count++;                                                            \
    if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0)            \
      CHECK_FAIL_AT(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
                    check_a_ ? check_a_ : "(null)",                           \
                    check_b_ ? check_b_ : "(null)");                          \
  } while (0)

/* Compares a (pointer, length) slice with a C string. */
#define CHECK_MEM(ptr, len, str)                                              \
  do {                                                                        \
    const char *check_p_ = (ptr), *check_s_ = (str);                          \
    size_t check_n_ = (len);                                                  \
    check_count++;                                                            \
    if (check_n_ != strlen(check_s_) ||                                       \
        (check_n_ && memcmp(check_p_, check_s_, check_n_) != 0))              \
      CHECK_FAIL_AT(__FILE__, __LINE__, "%s == \"%s\": \"%.*s\"", #ptr,       \
                    check_s_, (int)check_n_, check_p_ ? check_p_ : "");       \
  } while (0)

/* Ends main(): prints "N passed, M failed" and returns the status. */
#define CHECK_DONE()                                                          \
  do {                                                                        \
    printf("%d passed, %d failed\n", check_count - check_failures,            \
           check_failures);                                                   \
    return check_failures ? 1 : 0;                                            \
  } while (0)

#endif
