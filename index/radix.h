/*
 * radix.h: a stable sort of (key, sub, id) items by key, then sub, both
 * unsigned ascending (internal).
 *
 * Callers turn their own orders into unsigned keys: descending by
 * complementing, signed by flipping the sign bit. Items that tie on both
 * keep their order, so ids given in ascending order break ties by id.
 */
#ifndef HEATLS_RADIX_H
#define HEATLS_RADIX_H

#include <stddef.h>
#include <stdint.h>

typedef struct hx_sort_item {
  uint64_t key;
  uint32_t sub;
  uint32_t id;
} hx_sort_item_t;

/* An int64 as an unsigned key in the same order. */
static inline uint64_t hx__key_signed(int64_t v) {
  return (uint64_t)v ^ (UINT64_C(1) << 63);
}

/* An int64 as an unsigned key in the opposite order (largest first). */
static inline uint64_t hx__key_signed_desc(int64_t v) {
  return ~hx__key_signed(v);
}

/* Sorts items[0..n) with tmp[0..n) as scratch and returns whichever of the
 * two holds the result; n is below 2^32, as ids are. An LSD radix sort on
 * bytes: a byte that is the same in every item costs no pass. */
hx_sort_item_t *hx__radix_sort(hx_sort_item_t *items, hx_sort_item_t *tmp,
                               size_t n);

#endif
