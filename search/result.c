/*
 * result.c: the matches of one file and their captures, in arrays that
 * grow (up to HS_MAX_MATCHES) and are reused from file to file.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void hs_result_init(hs_result_t *r) { memset(r, 0, sizeof *r); }

void hs_result_clear(hs_result_t *r) {
  r->count = 0;
  r->capture_total = 0;
}

void hs_result_close(hs_result_t *r) {
  if (r == NULL)
    return;
  free(r->matches);
  free(r->captures);
  hs_result_init(r);
}

static int grow(void **items, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return 0;
  if (need > HS_MAX_MATCHES)
    return HS_ETOOBIG;
  size_t n = *cap ? *cap * 2 : 64;
  while (n < need)
    n *= 2;
  void *p = realloc(*items, n * size);
  if (p == NULL)
    return HS_ENOMEM;
  *items = p;
  *cap = n;
  return 0;
}

int hs__result_add(hs_result_t *r, uint32_t start, uint32_t end,
                   uint32_t first_line, uint32_t last_line) {
  void *items = r->matches;
  int rc = grow(&items, &r->cap, r->count + 1, sizeof *r->matches);
  r->matches = items;
  if (rc < 0)
    return rc;
  hs_match_t *m = &r->matches[r->count++];
  m->start = start;
  m->end = end;
  m->first_line = first_line;
  m->last_line = last_line;
  m->first_capture = (uint32_t)r->capture_total;
  m->capture_count = 0;
  return 0;
}

int hs__result_add_capture(hs_result_t *r, const hs_capture_t *c) {
  void *items = r->captures;
  int rc =
      grow(&items, &r->capture_cap, r->capture_total + 1, sizeof *r->captures);
  r->captures = items;
  if (rc < 0)
    return rc;
  r->captures[r->capture_total++] = *c;
  r->matches[r->count - 1].capture_count++;
  return 0;
}

static int by_position(const void *a, const void *b) {
  const hs_match_t *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1;
  return x->first_capture < y->first_capture
             ? -1
             : x->first_capture > y->first_capture;
}

void hs__result_sort(hs_result_t *r) {
  if (r->count > 1)
    qsort(r->matches, r->count, sizeof *r->matches, by_position);
}
