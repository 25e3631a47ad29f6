/*
 * bytes.c: a body as a list of chunks, fed to the index's loader.
 */
#include "bytes.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int srv_bytes_append(srv_bytes_t *b, const void *data, size_t n) {
  const char *p = data;
  size_t used = b->count ? b->size - (b->count - 1) * SRV_BYTES_CHUNK : 0;
  size_t room = b->count ? SRV_BYTES_CHUNK - used : 0;
  /* Allocate every chunk this needs first, so a failure changes nothing. */
  size_t need =
      n > room ? (n - room + SRV_BYTES_CHUNK - 1) / SRV_BYTES_CHUNK : 0;
  if (b->count + need > b->slots) {
    size_t slots = b->slots ? b->slots : 16;
    while (slots < b->count + need)
      slots *= 2;
    char **chunks = realloc(b->chunks, slots * sizeof *chunks);
    if (!chunks)
      return SRV_ENOMEM;
    b->chunks = chunks;
    b->slots = slots;
  }
  for (size_t i = 0; i < need; i++) {
    b->chunks[b->count + i] = malloc(SRV_BYTES_CHUNK);
    if (!b->chunks[b->count + i]) {
      while (i-- > 0)
        free(b->chunks[b->count + i]);
      return SRV_ENOMEM;
    }
  }
  size_t take = n < room ? n : room;
  if (take)
    memcpy(b->chunks[b->count - 1] + used, p, take);
  p += take;
  n -= take;
  b->size += take;
  for (size_t i = 0; i < need; i++) {
    size_t k = n < SRV_BYTES_CHUNK ? n : SRV_BYTES_CHUNK;
    memcpy(b->chunks[b->count++], p, k);
    p += k;
    n -= k;
    b->size += k;
  }
  return 0;
}

const char *srv_bytes_head(const srv_bytes_t *b, size_t *n) {
  *n = b->size < SRV_BYTES_CHUNK ? b->size : SRV_BYTES_CHUNK;
  return b->count ? b->chunks[0] : "";
}

int srv_bytes_load(srv_bytes_t *b, const hx_options_t *opts, hx_index_t **out,
                   hx_error_t *err) {
  *out = NULL;
  hx_loader_t *loader = NULL;
  int rc = hx_loader_new(opts, &loader, err);
  for (size_t i = 0; rc == 0 && i < b->count; i++) {
    size_t k =
        i + 1 < b->count ? SRV_BYTES_CHUNK : b->size - i * SRV_BYTES_CHUNK;
    rc = hx_loader_feed(loader, b->chunks[i], k, err);
    free(b->chunks[i]);
    b->chunks[i] = NULL;
  }
  if (rc == 0)
    rc = hx_loader_finish(loader, out, err);
  hx_loader_free(loader);
  srv_bytes_close(b);
  return rc;
}

void srv_bytes_close(srv_bytes_t *b) {
  for (size_t i = 0; i < b->count; i++)
    free(b->chunks[i]);
  free(b->chunks);
  *b = (srv_bytes_t){0};
}
