/*
 * cli_args.h: the command line of heatls's report subcommands.
 *
 * Flags follow Go's flag package, as perf-heatmap's do (`-threshold 0.1`,
 * `-threshold=0.1`, `--threshold 0.1`), and may also come after the profile
 * path; `--` ends the flags.
 */
#ifndef HEATLS_CLI_ARGS_H
#define HEATLS_CLI_ARGS_H

#include "heat_index.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum cli_command {
  CLI_STAT,
  CLI_JSON,
  CLI_DUMP,
  CLI_TOP,
  CLI_INFO
} cli_command_t;

#define CLI_MAX_HEADERS 32

/* How a PROFILE that is a URL is fetched (all borrowed from argv). */
typedef struct cli_fetch_args {
  int seconds;    /* --seconds; 0: none */
  double timeout; /* --timeout in seconds; 0: the default */
  const char *ca_file, *cert, *key;
  const char *headers[CLI_MAX_HEADERS]; /* --header "Name: value" */
  size_t header_count;
} cli_fetch_args_t;

typedef struct cli_args {
  cli_command_t command;
  const char *command_name;
  const char *profile; /* the first profile */
  /* Every profile and base as given (words of argv, borrowed; globs not yet
   * expanded): profiles[0..profile_count), bases[0..base_count). */
  const char **profiles;
  size_t profile_count;
  const char **bases;
  size_t base_count;
  int normalize;    /* --normalize (needs --base) */
  int improvements; /* top: the largest drops (needs --base) */
  hx_options_t opts;
  const char *filename_regexp; /* stat; NULL = every file */
  const char *value_format;    /* json; NULL = the default for the unit */
  size_t top_n;                /* top */
  int help;                    /* -h / --help was given */
  cli_fetch_args_t fetch;      /* for a PROFILE that is a URL */
} cli_args_t;

/* The subcommand named `name`, or -1. */
int cli_command_from_name(const char *name);

/* Parses argv[0..argc) (the words after the subcommand) for `command`.
 * 0 on success; -1 on a usage error, with a one-line reason in msg, or
 * when out of memory. Either way free out with cli_args_close. */
int cli_args_parse(cli_command_t command, const char *name, int argc,
                   char **argv, cli_args_t *out, char *msg, size_t msg_size);

/* Frees the lists of a parsed cli_args_t (the words stay argv's). */
void cli_args_close(cli_args_t *args);

/* The usage text of one subcommand. */
void cli_print_usage(cli_command_t command, FILE *out);

/* A positive size with an optional binary suffix (K, M, G, either case):
 * "64M", "1G", "4096". false for anything else, zero, or an overflow. */
bool cli_parse_size(const char *s, uint64_t *out);

#endif
