/*
 * radix.c: the stable sort of levels.c (radix.h). One pass counts every
 * byte of every item; then each byte, least significant first, is a
 * counting sort from one buffer into the other, skipped when all items
 * share it (high bytes of small counts, lines under 65,536). A handful of
 * items go through an insertion sort instead, which is stable too.
 */
#include "radix.h"

#include <stdbool.h>
#include <string.h>

enum { SUB_BYTES = 4, KEY_BYTES = 8, DIGITS = SUB_BYTES + KEY_BYTES };

/* Below this many items the counting tables cost more than comparing. */
#define INSERTION_MAX 32

static bool item_less(const hx_sort_item_t *a, const hx_sort_item_t *b) {
  return a->key != b->key ? a->key < b->key : a->sub < b->sub;
}

static void insertion_sort(hx_sort_item_t *items, size_t n) {
  for (size_t i = 1; i < n; i++) {
    hx_sort_item_t x = items[i];
    size_t j = i;
    for (; j > 0 && item_less(&x, &items[j - 1]); j--)
      items[j] = items[j - 1];
    items[j] = x;
  }
}

/* Byte d of an item: 0..3 are sub's, 4..11 key's, least significant first. */
static inline unsigned digit(const hx_sort_item_t *it, unsigned d) {
  if (d < SUB_BYTES)
    return (it->sub >> (8 * d)) & 0xff;
  return (unsigned)(it->key >> (8 * (d - SUB_BYTES))) & 0xff;
}

hx_sort_item_t *hx__radix_sort(hx_sort_item_t *items, hx_sort_item_t *tmp,
                               size_t n) {
  if (n <= INSERTION_MAX) {
    insertion_sort(items, n);
    return items;
  }
  uint32_t count[DIGITS][256];
  memset(count, 0, sizeof count);
  for (size_t i = 0; i < n; i++) {
    const hx_sort_item_t *it = &items[i];
    for (unsigned d = 0; d < SUB_BYTES; d++)
      count[d][(it->sub >> (8 * d)) & 0xff]++;
    for (unsigned d = 0; d < KEY_BYTES; d++)
      count[SUB_BYTES + d][(it->key >> (8 * d)) & 0xff]++;
  }
  hx_sort_item_t *from = items, *to = tmp;
  for (unsigned d = 0; d < DIGITS; d++) {
    uint32_t *c = count[d];
    if (c[digit(&from[0], d)] == n)
      continue; /* every item has this byte: the order stays */
    uint32_t sum = 0;
    for (unsigned b = 0; b < 256; b++) {
      uint32_t k = c[b];
      c[b] = sum;
      sum += k;
    }
    for (size_t i = 0; i < n; i++)
      to[c[digit(&from[i], d)]++] = from[i];
    hx_sort_item_t *t = from;
    from = to;
    to = t;
  }
  return from;
}
