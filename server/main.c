/*
 * main.c: the heatls executable: subcommand dispatch, exit statuses.
 *
 * Exit status: 0 on success, 1 when a profile cannot be used (one line on
 * stderr naming the file), 2 on a usage error.
 */
#include "cli_args.h"
#include "cli_load.h"
#include "cli_output.h"
#include "cli_pyroscope.h"
#include "cli_search.h"
#include "heat_index.h"
#include "lsp_main.h"

#include <stdio.h>
#include <string.h>

#ifndef HEATLS_VERSION
#define HEATLS_VERSION "0.0.0"
#endif

static void print_usage(FILE *out) {
  fputs("usage: heatls [--stdio] [--log-level L] [--max-message BYTES]\n"
        "       heatls COMMAND [flags] PROFILE... [-base BASE]...\n"
        "       (a PROFILE or BASE is a file, a glob or a URL)\n"
        "\n"
        "With no command, heatls is a language server on stdin/stdout\n"
        "(docs/protocol.md).\n"
        "\n"
        "heatls reads pprof profiles (profile.proto, gzipped or not) and\n"
        "ranks every profiled source line by heat, as perf-heatmap does.\n"
        "\n"
        "commands:\n"
        "  stat   every profiled line with its values and levels\n"
        "  json   the hot lines of every file as JSON\n"
        "  dump   every point of the index as TSV\n"
        "  top    the hottest lines\n"
        "  info   sample types, totals and sizes of a profile\n"
        "  search the hot matches of a code pattern, a query or a regex\n"
        "  pyroscope --list URL  the services and profile types of a\n"
        "         Grafana Pyroscope server\n"
        "\n"
        "Run 'heatls COMMAND --help' for the flags of a command.\n",
        out);
}

static int run_report(cli_command_t command, const char *name, int argc,
                      char **argv) {
  cli_args_t args;
  char msg[512];
  if (cli_args_parse(command, name, argc, argv, &args, msg, sizeof msg) < 0) {
    fprintf(stderr, "heatls %s: %s (run 'heatls %s --help')\n", name, msg,
            name);
    cli_args_close(&args);
    return 2;
  }
  if (args.help) {
    cli_print_usage(command, stdout);
    cli_args_close(&args);
    return 0;
  }
  hx_index_t *index;
  if (cli_load(&args, &index, msg, sizeof msg) < 0) {
    fprintf(stderr, "heatls: %s\n", msg);
    cli_args_close(&args);
    return 1;
  }
  int status = 0;
  if (cli_output_write(&args, index, stdout, msg, sizeof msg) < 0) {
    fprintf(stderr, "heatls: %s: %s\n", args.profile, msg);
    status = 1;
  }
  hx_index_free(index);
  cli_args_close(&args);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "heatls: cannot write the output\n");
    status = 1;
  }
  return status;
}

int main(int argc, char **argv) {
  if (srv_lsp_is_invocation(argc, argv))
    return srv_lsp_main(argc, argv);
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    print_usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("heatls %s\n", HEATLS_VERSION);
    cli_search_languages(stdout);
    return 0;
  }
  if (strcmp(cmd, "search") == 0)
    return cli_search_main(argc - 2, argv + 2);
  if (strcmp(cmd, "pyroscope") == 0)
    return cli_pyroscope_main(argc - 2, argv + 2);
  int command = cli_command_from_name(cmd);
  if (command < 0) {
    fprintf(stderr, "heatls: unknown command \"%s\" (run 'heatls --help')\n",
            cmd);
    return 2;
  }
  return run_report((cli_command_t)command, cmd, argc - 2, argv + 2);
}
