/*
 * cli_search.h: `heatls search`, the profile-guided code search of the
 * command line (docs/search.md). Prints and chooses its exit status like
 * main.c's other commands, with gogrep's statuses: 0 when something
 * matched, 1 when nothing did, 2 on an error.
 */
#ifndef HEATLS_CLI_SEARCH_H
#define HEATLS_CLI_SEARCH_H

#include <stdio.h>

/* Runs `heatls search` on argv[0..argc) (the words after "search"). */
int cli_search_main(int argc, char **argv);

/* The flags of `heatls search`. */
void cli_search_usage(FILE *out);

/* One line naming the languages whose grammar is compiled in. */
void cli_search_languages(FILE *out);

#endif
