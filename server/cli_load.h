/*
 * cli_load.h: one PROFILE argument of the CLI loaded, a file or a URL.
 *
 * A URL (by go tool pprof's rules, source.h) is fetched with the same
 * HTTP driver as the language server's, on a loop of its own that runs
 * until the transfer ends; its bytes are then indexed. A file is read
 * through profile_file.c.
 */
#ifndef HEATLS_CLI_LOAD_H
#define HEATLS_CLI_LOAD_H

#include <stddef.h>

#include "cli_args.h"
#include "heat_index.h"

/* Loads arg with args's options into a new index (*out, the caller's).
 * 0; or -1 with a one-line reason in msg (naming no credential), and the
 * name to print before it in *name (arg, or "live: host:port ..."; a
 * static or argv string, borrowed). */
int cli_load_profile(const char *arg, const cli_args_t *args,
                     hx_index_t **out, char *name, size_t name_size,
                     char *msg, size_t msg_size);

#endif
