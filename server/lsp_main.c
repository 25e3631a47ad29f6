/*
 * lsp_main.c: `heatls [--stdio] [--log-level L] [--max-message BYTES]
 * [--max-output BYTES]`: the language server on stdin/stdout.
 */
#include "lsp_main.h"

#include "cli_args.h"

#include "error.h"
#include "log.h"
#include "session.h"
#include "transport.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out) {
  fputs("usage: heatls [--stdio] [--log-level error|warn|info|debug]\n"
        "              [--max-message BYTES] [--max-output BYTES]\n"
        "\n"
        "Serves the Language Server Protocol on stdin/stdout; logs go to\n"
        "stderr. See docs/protocol.md. 'heatls --help' lists the other\n"
        "commands.\n",
        out);
}

int srv_lsp_is_invocation(int argc, char **argv) {
  if (argc < 2)
    return 1;
  const char *a = argv[1];
  return strcmp(a, "--stdio") == 0 || strncmp(a, "--log-level", 11) == 0 ||
         strncmp(a, "--max-message", 13) == 0 ||
         strncmp(a, "--max-output", 12) == 0;
}

int srv_lsp_main(int argc, char **argv) {
  int level = SRV_LOG_INFO;
  size_t max_message = 0, max_output = 0;
  uint64_t size;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *value = NULL;
    if (strcmp(a, "--stdio") == 0)
      continue;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    }
    int is_level = strncmp(a, "--log-level", 11) == 0;
    int is_max = strncmp(a, "--max-message", 13) == 0;
    int is_output = strncmp(a, "--max-output", 12) == 0;
    if (is_level || is_max || is_output) {
      const char *rest = a + (is_level ? 11 : is_max ? 13 : 12);
      if (*rest == '=')
        value = rest + 1;
      else if (*rest == 0 && i + 1 < argc)
        value = argv[++i];
      else if (*rest != 0)
        is_level = is_max = is_output = 0; /* "--log-levelx": unknown */
    }
    if (is_level && value && srv_log_level_from_name(value) >= 0) {
      level = srv_log_level_from_name(value);
    } else if ((is_max || is_output) && value &&
               cli_parse_size(value, &size) && size <= SIZE_MAX) {
      *(is_max ? &max_message : &max_output) = (size_t)size;
    } else {
      fprintf(stderr, "heatls: bad argument \"%s\"%s%s\n", a, value ? " " : "",
              value ? value : "");
      usage(stderr);
      return 2;
    }
  }
  srv_log_set_level((srv_log_level_t)level);
  json_set_alloc_funcs(rpc_json_malloc, free);
  /* A client that dies leaves a broken pipe: writes fail with EPIPE and
   * the session ends, rather than the signal killing heatls. */
  signal(SIGPIPE, SIG_IGN);

  uv_loop_t loop;
  int rc = uv_loop_init(&loop);
  if (rc < 0) {
    fprintf(stderr, "heatls: cannot start: %s\n", uv_strerror(rc));
    return 1;
  }
  srv_session_t *session;
  rc = srv_session_new(&loop, 0, 1, max_message, max_output, level, &session);
  if (rc == 0)
    rc = srv_session_start(session);
  if (rc < 0) {
    fprintf(stderr, "heatls: cannot start: %s\n", srv_strerror(rc));
    if (session) {
      srv_session_finish(session, 1);
      uv_run(&loop, UV_RUN_DEFAULT);
      srv_session_free(session);
    }
    uv_loop_close(&loop);
    return 1;
  }
  srv_log(SRV_LOG_INFO, "heatls %s serving on stdio", HEATLS_VERSION);
  uv_run(&loop, UV_RUN_DEFAULT);
  int status = srv_session_exit_status(session);
  srv_session_free(session);
  rc = uv_loop_close(&loop);
  if (rc != 0) {
    /* A handle left open is a bug; say so rather than hide it. */
    srv_log(SRV_LOG_ERROR, "the event loop did not close: %s",
            uv_strerror(rc));
    return 1;
  }
  srv_log(SRV_LOG_DEBUG, "exit status %d", status);
  return status;
}
