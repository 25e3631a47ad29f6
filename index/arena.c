/*
 * arena.c: a bump allocator (strings of the index, protobuf-c scratch) and
 * the doubling array growth every table of the index uses.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct hx_arena_block {
  hx_arena_block_t *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
};

void hx__arena_init(hx_arena_t *arena, size_t block_size) {
  arena->head = NULL;
  arena->block_size = block_size ? block_size : 64 * 1024;
  arena->failed = false;
}

void hx__arena_close(hx_arena_t *arena) {
  hx_arena_block_t *b = arena->head;
  while (b) {
    hx_arena_block_t *next = b->next;
    free(b);
    b = next;
  }
  arena->head = NULL;
}

void hx__arena_reset(hx_arena_t *arena) {
  arena->failed = false;
  hx_arena_block_t *b = arena->head;
  if (!b)
    return;
  /* Keep the newest block for reuse and drop the others. */
  hx_arena_block_t *rest = b->next;
  b->next = NULL;
  b->used = 0;
  while (rest) {
    hx_arena_block_t *next = rest->next;
    free(rest);
    rest = next;
  }
}

void *hx__arena_alloc(hx_arena_t *arena, size_t size) {
  size_t need = (size + 15) & ~(size_t)15;
  if (need < size) {
    arena->failed = true;
    return NULL;
  }
  hx_arena_block_t *b = arena->head;
  if (!b || b->size - b->used < need) {
    size_t block = arena->block_size;
    while (block < need) {
      if (block > SIZE_MAX / 2) {
        arena->failed = true;
        return NULL;
      }
      block *= 2;
    }
    b = malloc(sizeof *b + block);
    if (!b) {
      arena->failed = true;
      return NULL;
    }
    b->size = block;
    b->used = 0;
    b->next = arena->head;
    arena->head = b;
  }
  void *p = b->data + b->used;
  b->used += need;
  return p;
}

char *hx__arena_strndup(hx_arena_t *arena, const char *s, size_t len) {
  if (len == SIZE_MAX)
    return NULL;
  char *p = hx__arena_alloc(arena, len + 1);
  if (!p)
    return NULL;
  if (len)
    memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

int hx__grow_to(void **items, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap : 16;
  while (n < need) {
    if (n > SIZE_MAX / 2)
      return HX_ENOMEM;
    n *= 2;
  }
  size_t bytes;
  if (!hx__mul_ok(n, elem, &bytes))
    return HX_ENOMEM;
  void *p = realloc(*items, bytes);
  if (!p)
    return HX_ENOMEM;
  *items = p;
  *cap = n;
  return 0;
}
