/*
 * levels.h: rank -> heat level, as perf-heatmap computes it (internal).
 */
#ifndef HEATLS_LEVELS_H
#define HEATLS_LEVELS_H

#include <stddef.h>
#include <stdint.h>

/* How many of count ranked points get a non-zero level at threshold:
 * (size_t)((double)count * threshold), and at least 1 when count > 0. */
size_t hx__top_n(size_t count, double threshold);

/* The level (1..5) of 0-based rank `rank` among `n` selected points
 * (rank < n): 5 - rank when n < 5, else 6 - ceil(5 * (rank + 1) / n).
 * The larger chunks fall to the lower levels. */
uint8_t hx__chunk_level(size_t rank, size_t n);

#endif
