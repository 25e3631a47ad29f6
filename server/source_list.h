/*
 * source_list.h: the profiles a load names, as a list of sources.
 *
 * heatls.loadProfile's "paths" and "base", and the profile and base
 * settings, are lists of arguments: files, URLs and globs, mixed. Each
 * argument becomes one source by go tool pprof's rules (source.h); a file
 * argument with a pattern character ('*', '?', '[') that names no file is
 * expanded here, sorted, as the CLI expands the globs no shell did.
 */
#ifndef HEATLS_SRV_SOURCE_LIST_H
#define HEATLS_SRV_SOURCE_LIST_H

#include <stddef.h>

#include "source.h"

typedef struct srv_sources {
  srv_source_t *items; /* owned */
  size_t count, cap;
} srv_sources_t;

#define SRV_SOURCES_INIT                                                      \
  { 0 }

/* Appends the sources arg names: one, or the files its glob matches.
 * base_dir and fetch as srv_source_parse. 0; SRV_EINVAL with msg naming
 * the argument (a bad URL, a glob that matches nothing); SRV_ENOMEM. */
int srv_sources_add(srv_sources_t *list, const char *arg, const char *base_dir,
                    const srv_fetch_t *fetch, char *msg, size_t msg_size);

/* Appends deep copies of items[0..n). 0 or SRV_ENOMEM. */
int srv_sources_add_copies(srv_sources_t *list, const srv_source_t *items,
                           size_t n);

/* Frees every source and the array; leaves the list empty. */
void srv_sources_close(srv_sources_t *list);

#endif
