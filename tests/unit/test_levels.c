/*
 * test_levels.c: top-N and rank -> level (SPEC.md section 7), against the
 * spec's table and against the chunk formula written out independently;
 * the radix sort of the ranking against qsort with the same order.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "levels.h"
#include "radix.h"

/* SPEC.md section 7: "levels by rank" for n = 1..13. */
static const char *const by_rank[] = {
    NULL,         "5",           "54",           "543",           "5432",
    "54321",      "543211",      "5433211",      "54432211",      "544332211",
    "5544332211", "55443322111", "554433322111", "5544433222111",
};

static void test_table(void) {
  for (size_t n = 1; n <= 13; n++) {
    const char *want = by_rank[n];
    CHECK_INT(strlen(want), n);
    for (size_t r = 0; r < n; r++) {
      int got = hx__chunk_level(r, n);
      if (got != want[r] - '0')
        fprintf(stderr, "  n=%zu rank=%zu\n", n, r);
      CHECK_INT(got, want[r] - '0');
    }
  }
}

/* Chunk sizes for levels 5..1, as the table gives them for 99 and 101. */
static void check_sizes(size_t n, const size_t want[5]) {
  size_t sizes[6] = {0};
  for (size_t r = 0; r < n; r++) {
    uint8_t level = hx__chunk_level(r, n);
    CHECK(level >= 1 && level <= 5);
    if (level >= 1 && level <= 5)
      sizes[level]++;
  }
  for (int k = 0; k < 5; k++)
    CHECK_INT(sizes[5 - k], want[k]);
}

static void test_sizes(void) {
  static const size_t n99[5] = {19, 20, 20, 20, 20};
  static const size_t n101[5] = {20, 20, 20, 20, 21};
  static const size_t n8[5] = {1, 2, 1, 2, 2};
  static const size_t n13[5] = {2, 3, 2, 3, 3};
  check_sizes(99, n99);
  check_sizes(101, n101);
  check_sizes(8, n8);
  check_sizes(13, n13);
}

/* The level of rank r among n by the chunk description: n < 5 gives 5 - r;
 * otherwise chunk k (level 5 - k) holds ranks floor(k*n/5) up to
 * floor((k+1)*n/5) - 1. */
static int chunk_formula(size_t r, size_t n) {
  if (n < 5)
    return 5 - (int)r;
  for (size_t k = 0; k < 5; k++)
    if (r >= k * n / 5 && r < (k + 1) * n / 5)
      return 5 - (int)k;
  return -1;
}

static size_t mismatches;

static void compare(size_t r, size_t n) {
  int want = chunk_formula(r, n), got = hx__chunk_level(r, n);
  if (got != want && mismatches++ < 10)
    fprintf(stderr, "  rank %zu of %zu: level %d, formula %d\n", r, n, got,
            want);
}

/* Every rank of every n up to 2000; for larger n up to 100000, the first
 * and last rank of each chunk and their neighbours (every rank of every n
 * would be 5e9 calls, too slow under valgrind). */
static void test_formula(void) {
  mismatches = 0;
  for (size_t n = 1; n <= 2000; n++)
    for (size_t r = 0; r < n; r++)
      compare(r, n);
  for (size_t n = 2001; n <= 100000; n++) {
    for (size_t k = 0; k < 5; k++) {
      size_t first = k * n / 5, last = (k + 1) * n / 5 - 1;
      compare(first, n);
      compare(first + 1, n);
      compare(last - 1, n);
      compare(last, n);
    }
  }
  CHECK_INT(mismatches, 0);
}

static void test_top_n(void) {
  /* Double math: 90 * 0.7 == 62.99999999999999 in IEEE doubles. */
  CHECK_INT(hx__top_n(90, 0.7), 62);
  CHECK_INT(hx__top_n(170, 0.7), 118); /* 118.99999999999999 */
  CHECK_INT(hx__top_n(100, 0.29), 28); /* 28.999999999999996 */
  CHECK_INT(hx__top_n(100, 0.57), 56); /* 56.99999999999999 */
  CHECK_INT(hx__top_n(100, 0.07), 7);  /* 7.000000000000001 */
  CHECK_INT(hx__top_n(10, 0.3), 3);
  CHECK_INT(hx__top_n(6, 0.9), 5); /* 5.4 truncated */
  CHECK_INT(hx__top_n(6, 0.5), 3);
  CHECK_INT(hx__top_n(100, 0.5), 50);
  /* No points, no selection. */
  CHECK_INT(hx__top_n(0, 0.5), 0);
  CHECK_INT(hx__top_n(0, 1.0), 0);
  /* topn 0 becomes 1. */
  CHECK_INT(hx__top_n(1, 0.5), 1);
  CHECK_INT(hx__top_n(3, 0.1), 1);
  CHECK_INT(hx__top_n(9, 0.1), 1);
  /* Threshold 1.0: everything. */
  CHECK_INT(hx__top_n(1, 1.0), 1);
  CHECK_INT(hx__top_n(7, 1.0), 7);
  CHECK_INT(hx__top_n(100000, 1.0), 100000);
  /* Tiny thresholds. */
  CHECK_INT(hx__top_n(1000000, 1e-9), 1);
  CHECK_INT(hx__top_n(10, 1e-300), 1);
  CHECK_INT(hx__top_n(10, 4.9e-324), 1);
  CHECK_INT(hx__top_n(1000000000, 1e-9), 1);
  CHECK_INT(hx__top_n(3000000000u, 1e-9), 3);
}

/* The order the radix sort must give when ids go in ascending: key, sub,
 * then id. */
static int by_key_sub_id(const void *pa, const void *pb) {
  const hx_sort_item_t *a = pa, *b = pb;
  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  if (a->sub != b->sub)
    return a->sub < b->sub ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id;
}

static uint64_t lcg_state = 42;
static uint64_t lcg_next(void) {
  lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
  return lcg_state >> 11 ^ lcg_state << 29;
}

/* Keys drawn so that there are ties and bytes that every item shares:
 * key_mask and sub_mask keep the varying bits, key_base and sub_base fill
 * the rest. */
static void check_radix(size_t n, uint64_t key_mask, uint64_t key_base,
                        uint32_t sub_mask, uint32_t sub_base) {
  hx_sort_item_t *items = malloc((n + 1) * sizeof *items);
  hx_sort_item_t *tmp = malloc((n + 1) * sizeof *tmp);
  hx_sort_item_t *want = malloc((n + 1) * sizeof *want);
  CHECK(items && tmp && want);
  if (!items || !tmp || !want) {
    free(items), free(tmp), free(want);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    uint64_t r = lcg_next();
    items[i] = (hx_sort_item_t){key_base | (r & key_mask),
                                sub_base | ((uint32_t)(r >> 40) & sub_mask),
                                (uint32_t)i};
  }
  memcpy(want, items, n * sizeof *items);
  qsort(want, n, sizeof *want, by_key_sub_id);
  const hx_sort_item_t *got = hx__radix_sort(items, tmp, n);
  CHECK(got == items || got == tmp);
  size_t wrong = 0;
  for (size_t i = 0; i < n; i++)
    if (memcmp(&got[i], &want[i], sizeof *got) != 0)
      wrong++;
  if (wrong)
    fprintf(stderr, "  n=%zu key_mask=%" PRIx64 " sub_mask=%" PRIx32 "\n", n,
            key_mask, sub_mask);
  CHECK_INT(wrong, 0);
  free(items), free(tmp), free(want);
}

static void test_radix(void) {
  /* Around the insertion sort's limit, and past it. */
  static const size_t sizes[] = {0, 1, 2, 5, 31, 32, 33, 64, 1000, 20000};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    size_t n = sizes[i];
    check_radix(n, 0, 7, 0, 9); /* all tied: no pass */
    check_radix(n, 3, 0, 1, 0); /* few values, many ties */
    check_radix(n, 0xff00000000000000u, 0x55, 0, 0); /* the high byte only */
    check_radix(n, 0xffff, 0xabc0000000000000u, 0xff00, 0x1000000);
    check_radix(n, UINT64_MAX, 0, UINT32_MAX, 0); /* every byte */
  }
}

/* The key helpers keep (or reverse) the order of signed values. */
static void test_keys(void) {
  static const int64_t ascending[] = {
      INT64_MIN, INT64_MIN + 1, -256, -1, 0, 1, 255, 256, INT64_MAX};
  size_t n = sizeof ascending / sizeof *ascending;
  for (size_t i = 0; i + 1 < n; i++) {
    CHECK(hx__key_signed(ascending[i]) < hx__key_signed(ascending[i + 1]));
    CHECK(hx__key_signed_desc(ascending[i]) >
          hx__key_signed_desc(ascending[i + 1]));
  }
}

int main(void) {
  test_table();
  test_sizes();
  test_formula();
  test_top_n();
  test_radix();
  test_keys();
  CHECK_DONE();
}
