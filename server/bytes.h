/*
 * bytes.h: a downloaded body, kept as a list of fixed-size chunks.
 *
 * Appending never moves what is there (no realloc of a growing buffer, so
 * no copy of tens of megabytes on the loop thread when a body's length is
 * not announced), and the chunks are fed to an index loader one by one,
 * each freed once fed, so a body and the raw profile it inflates to are
 * never both whole in memory. The cap on the size is the caller's.
 *
 * Plain C on the index's public API. Threading: one thread at a time.
 */
#ifndef HEATLS_SRV_BYTES_H
#define HEATLS_SRV_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "heat_index.h"

#define SRV_BYTES_CHUNK ((size_t)1 << 20)

typedef struct srv_bytes {
  char **chunks; /* each SRV_BYTES_CHUNK bytes; the last holds the rest */
  size_t count, slots;
  size_t size; /* bytes in all */
} srv_bytes_t;

#define SRV_BYTES_INIT                                                        \
  { 0 }

/* Appends n bytes of data. 0 or SRV_ENOMEM (b unchanged then). */
int srv_bytes_append(srv_bytes_t *b, const void *data, size_t n);

/* The first min(size, SRV_BYTES_CHUNK) bytes (borrowed; "" when empty),
 * for a look at what a body starts with; *n is their count. */
const char *srv_bytes_head(const srv_bytes_t *b, size_t *n);

/* Feeds every chunk to a loader with opts, freeing each once fed, and
 * builds the index: a new index in *out (the caller's), or a negative
 * HX_E* code with err. b is empty afterwards either way. */
int srv_bytes_load(srv_bytes_t *b, const hx_options_t *opts, hx_index_t **out,
                   hx_error_t *err);

/* Frees what b holds and leaves it empty. */
void srv_bytes_close(srv_bytes_t *b);

#endif
