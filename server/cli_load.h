/*
 * cli_load.h: the profiles a report command names, loaded into one index.
 *
 * One profile is read as it always was. Several (and every glob the shell
 * left unexpanded) are loaded in parallel, one index each, on up to one
 * thread per core, then summed by the index (hx_index_combine); bases
 * (-base) are loaded the same way and make the result a diff.
 */
#ifndef HEATLS_CLI_LOAD_H
#define HEATLS_CLI_LOAD_H

#include "cli_args.h"
#include "heat_index.h"

#include <stddef.h>

/* Loads args' profiles and bases. On success *out is a new index owned by
 * the caller (hx_index_free). On failure *out is NULL and msg holds one
 * line, "PATH: message", naming the input to blame (the first that failed,
 * in command-line order). */
int cli_load(const cli_args_t *args, hx_index_t **out, char *msg,
             size_t msg_size);

#endif
