/*
 * idmap.c: profile ids (uint64, never 0) -> dense table indices.
 *
 * Go writes ids 1..n, so a direct table is the usual case; ids that are
 * too sparse for one go into an open-addressing hash table instead. Either
 * way a duplicate or a zero id is an error, as in pprof's own validation.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t id_at(const void *ids, size_t i, size_t stride) {
  uint64_t id;
  memcpy(&id, (const char *)ids + i * stride, sizeof id);
  return id;
}

int hx__id_map_build(hx_id_map_t *map, const uint64_t *ids, size_t n,
                     size_t stride, const char *what, hx_error_t *err) {
  memset(map, 0, sizeof *map);
  if (n > UINT32_MAX - 1)
    return hx__fail(err, HX_ETOOBIG, "too many %ss (%zu)", what, n);
  uint64_t max_id = 0;
  bool in_order = true;
  for (size_t i = 0; i < n; i++) {
    uint64_t id = id_at(ids, i, stride);
    if (id == 0)
      return hx__fail(err, HX_EPROFILE, "%s %zu has id 0", what, i);
    if (id > max_id)
      max_id = id;
    in_order = in_order && id == i + 1;
  }
  if (in_order && n > 0) {
    map->identity = n; /* what Go writes: no table needed */
    return 0;
  }
  /* Dense enough: one uint32 per possible id costs at most 4x a table. */
  if (max_id <= 4 * (uint64_t)n + 64) {
    map->direct_size = (size_t)max_id + 1;
    map->direct = calloc(map->direct_size, sizeof *map->direct);
    if (!map->direct)
      return hx__fail(err, HX_ENOMEM, "out of memory for %s ids", what);
    for (size_t i = 0; i < n; i++) {
      uint64_t id = id_at(ids, i, stride);
      if (map->direct[id]) {
        hx__id_map_close(map);
        return hx__fail(err, HX_EPROFILE, "duplicate %s id %llu", what,
                        (unsigned long long)id);
      }
      map->direct[id] = (uint32_t)i + 1;
    }
    return 0;
  }
  size_t size = 16;
  unsigned bits = 4;
  while (size < 2 * n) {
    size *= 2;
    bits++;
  }
  map->keys = calloc(size, sizeof *map->keys);
  map->values = malloc(size * sizeof *map->values);
  if (!map->keys || !map->values) {
    hx__id_map_close(map);
    return hx__fail(err, HX_ENOMEM, "out of memory for %s ids", what);
  }
  map->mask = size - 1;
  map->shift = 64 - bits;
  for (size_t i = 0; i < n; i++) {
    uint64_t id = id_at(ids, i, stride);
    size_t slot = (size_t)((id * 0x9E3779B97F4A7C15ull) >> map->shift);
    while (map->keys[slot] && map->keys[slot] != id)
      slot = (slot + 1) & map->mask;
    if (map->keys[slot] == id) {
      hx__id_map_close(map);
      return hx__fail(err, HX_EPROFILE, "duplicate %s id %llu", what,
                      (unsigned long long)id);
    }
    map->keys[slot] = id;
    map->values[slot] = (uint32_t)i;
  }
  return 0;
}

void hx__id_map_close(hx_id_map_t *map) {
  free(map->direct);
  free(map->keys);
  free(map->values);
  memset(map, 0, sizeof *map);
}
