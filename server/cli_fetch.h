/*
 * cli_fetch.h: one PROFILE argument of the CLI loaded, a file or a URL.
 *
 * A URL (by go tool pprof's rules, source.h) is fetched with the same
 * HTTP driver as the language server's, on a loop of its own that runs
 * until the transfer ends; its bytes are then indexed. A file is read
 * through profile_file.c.
 */
#ifndef HEATLS_CLI_FETCH_H
#define HEATLS_CLI_FETCH_H

#include <stddef.h>

#include "cli_args.h"
#include "heat_index.h"

/* Loads arg with opts (a URL with fetch's options) into a new index
 * (*out, the caller's). 0; or a negative HX_E* code (HX_EIO for a fetch
 * that failed) with a one-line reason in msg (naming no credential), and in
 * name what to print before it (arg, or "live: host:port ..."). Safe to call
 * from several threads at once: a URL runs a loop of its own. */
int cli_fetch_profile(const char *arg, const hx_options_t *opts,
                      const cli_fetch_args_t *fetch, hx_index_t **out,
                      char *name, size_t name_size, char *msg,
                      size_t msg_size);

#endif
