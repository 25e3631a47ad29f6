/*
 * cli_output.h: the report subcommands' outputs on a loaded index.
 */
#ifndef HEATLS_CLI_OUTPUT_H
#define HEATLS_CLI_OUTPUT_H

#include "cli_args.h"
#include "heat_index.h"

#include <stdio.h>

/* Writes the report args->command asks for. 0 on success; -1 with a
 * one-line reason in msg when the request does not fit the profile. */
int cli_output_write(const cli_args_t *args, const hx_index_t *index,
                     FILE *out, char *msg, size_t msg_size);

#endif
