/*
 * cli_pyroscope.c: the pyroscope subcommand, on a loop of its own.
 */
#include "cli_pyroscope.h"

#include "error.h"
#include "pyro_list.h"
#include "pyro_source.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADERS 32

static void usage(FILE *out) {
  fputs("usage: heatls pyroscope --list [flags] URL\n"
        "\n"
        "List the service names and profile types a Grafana Pyroscope\n"
        "server has (over the URL's range, default the last 24 hours):\n"
        "one line \"service<TAB>NAME\" per service, then one line\n"
        "\"type<TAB>ID<TAB>NAME\" per profile type (NAME: the Go SDK's,\n"
        "or -). URL is pyroscope+http://[user:password@]host:port[/prefix]\n"
        "with optional ?from=&until=&tenant= (docs/cli.md).\n"
        "\n"
        "flags:\n"
        "  -list                       list (the only action)\n"
        "  -header 'NAME: VALUE'       send a header (repeatable; values\n"
        "                              are never printed)\n"
        "  -timeout SECONDS            each call's limit (default 60)\n"
        "  -cacert FILE                verify https with this CA bundle\n"
        "  -cert FILE, -key FILE       a client certificate and its key\n",
        out);
}

static int usage_error(const char *fmt, const char *what) {
  fprintf(stderr, "heatls pyroscope: ");
  fprintf(stderr, fmt, what);
  fprintf(stderr, " (run 'heatls pyroscope --help')\n");
  return 2;
}

typedef struct listing {
  int done, rc;
  char msg[512];
} listing_t;

static void on_list(void *data, int rc, const srv_pyro_list_t *list,
                    const char *msg) {
  listing_t *l = data;
  l->done = 1;
  l->rc = rc;
  snprintf(l->msg, sizeof l->msg, "%s", msg);
  if (rc < 0)
    return;
  for (size_t i = 0; i < list->service_count; i++)
    printf("service\t%s\n", list->services[i]);
  for (size_t i = 0; i < list->type_count; i++) {
    const char *name = srv_pyro_type_name(list->type_ids[i]);
    printf("type\t%s\t%s\n", list->type_ids[i], name ? name : "-");
  }
}

static int run(const srv_source_t *src, listing_t *l) {
  uv_loop_t loop;
  if (uv_loop_init(&loop) < 0) {
    snprintf(l->msg, sizeof l->msg, "cannot start an event loop");
    return -1;
  }
  srv_http_t *http = NULL;
  srv_pyro_lister_t *lister;
  int rc = srv_http_new(&loop, &http);
  if (rc == 0)
    rc = srv_pyro_list_start(http, src, on_list, l, &lister, l->msg,
                             sizeof l->msg);
  else
    snprintf(l->msg, sizeof l->msg, "cannot start the transfer: %s",
             srv_strerror(rc));
  while (rc == 0 && !l->done && uv_run(&loop, UV_RUN_ONCE))
    ;
  srv_http_close(http);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return rc < 0 || !l->done || l->rc < 0 ? -1 : 0;
}

int cli_pyroscope_main(int argc, char **argv) {
  srv_fetch_t fetch = {0};
  char *headers[MAX_HEADERS];
  int list = 0;
  const char *url = NULL;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (arg[0] != '-' || arg[1] == '\0') {
      if (url)
        return usage_error("one URL only, got also %s", arg);
      url = arg;
      continue;
    }
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    if ((len == 4 && strncmp(name, "help", 4) == 0) ||
        (len == 1 && name[0] == 'h')) {
      usage(stdout);
      return 0;
    }
    if (len == 4 && strncmp(name, "list", 4) == 0 && !eq) {
      list = 1;
      continue;
    }
    const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
    if (!value)
      return usage_error("flag needs an argument: %s", arg);
    if (len == 6 && strncmp(name, "header", 6) == 0) {
      const char *colon = strchr(value, ':');
      if (!colon || colon == value || strpbrk(value, "\r\n"))
        return usage_error("%s", "-header: expected 'NAME: VALUE'");
      if (fetch.header_count == MAX_HEADERS)
        return usage_error("%s", "-header: at most 32");
      headers[fetch.header_count++] = (char *)value;
    } else if (len == 7 && strncmp(name, "timeout", 7) == 0) {
      char *end;
      errno = 0;
      double t = strtod(value, &end);
      if (errno || end == value || *end || !isfinite(t) || t <= 0 || t > 86400)
        return usage_error("-timeout %s: not a number of seconds in "
                           "(0, 86400]",
                           value);
      fetch.timeout = t;
    } else if (len == 6 && strncmp(name, "cacert", 6) == 0) {
      fetch.ca_file = (char *)value;
    } else if (len == 4 && strncmp(name, "cert", 4) == 0) {
      fetch.cert = (char *)value;
    } else if (len == 3 && strncmp(name, "key", 3) == 0) {
      fetch.key = (char *)value;
    } else {
      return usage_error("flag provided but not defined: %s", arg);
    }
  }
  fetch.headers = headers;
  if (!list)
    return usage_error("%s", "-list is the only action; give it");
  if (!url)
    return usage_error("%s", "expected a pyroscope+http(s):// URL");
  if (strncmp(url, "pyroscope+http://", 17) != 0 &&
      strncmp(url, "pyroscope+https://", 18) != 0)
    return usage_error("%s: not a pyroscope+http(s):// URL", url);
  srv_source_t src;
  char msg[512];
  if (srv_pyro_source_parse(url, &fetch, &src, msg, sizeof msg) < 0) {
    fprintf(stderr, "heatls: %s\n", msg);
    return 1;
  }
  listing_t l = {0};
  int rc = run(&src, &l);
  if (rc < 0)
    fprintf(stderr, "heatls: %s\n", l.msg);
  srv_source_close(&src);
  if (fflush(stdout) != 0)
    return 1;
  return rc < 0 ? 1 : 0;
}
