/*
 * cli_fetch.c: one of the CLI's PROFILE arguments, from a file or a URL.
 */
#include "cli_fetch.h"

#include "error.h"
#include "fetch.h"
#include "http.h"
#include "profile_file.h"
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cli_fetch {
  int done, rc;
  srv_bytes_t body;
  char msg[512];
} cli_fetch_t;

static void on_done(void *data, int rc, srv_bytes_t *body, const char *msg) {
  cli_fetch_t *f = data;
  f->done = 1;
  f->rc = rc;
  snprintf(f->msg, sizeof f->msg, "%s", msg);
  if (f->rc == 0) {
    f->body = *body;
    *body = (srv_bytes_t)SRV_BYTES_INIT;
  }
}

/* Runs a loop of its own until the transfer of src ends; every handle is
 * closed before it returns. */
static int fetch_url(const srv_source_t *src, uint64_t max_decompressed,
                     cli_fetch_t *f) {
  uv_loop_t loop;
  if (uv_loop_init(&loop) < 0) {
    snprintf(f->msg, sizeof f->msg, "cannot start an event loop");
    return -1;
  }
  srv_http_t *http = NULL;
  int rc = srv_http_new(&loop, &http);
  if (rc == 0)
    rc = srv_fetch_start(http, src, max_decompressed, NULL, on_done, f, NULL,
                         f->msg, sizeof f->msg);
  else
    snprintf(f->msg, sizeof f->msg, "cannot start the transfer: %s",
             srv_strerror(rc));
  if (rc == 0)
    while (!f->done && uv_run(&loop, UV_RUN_ONCE))
      ;
  srv_http_close(http);
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0 && rc == 0 && f->done && f->rc == 0) {
    snprintf(f->msg, sizeof f->msg, "a handle was left open");
    return -1;
  }
  if (rc < 0 || !f->done)
    return -1;
  return f->rc < 0 ? -1 : 0;
}

int cli_fetch_profile(const char *arg, const hx_options_t *opts,
                      const cli_fetch_args_t *a, hx_index_t **out, char *name,
                      size_t name_size, char *msg, size_t msg_size) {
  *out = NULL;
  snprintf(name, name_size, "%s", arg);
  srv_fetch_t fetch = {.seconds = a->seconds,
                       .timeout = a->timeout,
                       .ca_file = (char *)a->ca_file,
                       .cert = (char *)a->cert,
                       .key = (char *)a->key,
                       .headers = (char **)a->headers,
                       .header_count = a->header_count};
  srv_source_t src;
  hx_error_t err = {0};
  int rc = srv_source_parse(arg, NULL, &fetch, &src, msg, msg_size);
  if (rc < 0) {
    if (rc == SRV_ENOMEM)
      snprintf(msg, msg_size, "out of memory");
    return -1;
  }
  if (src.kind == SRV_SOURCE_FILE) {
    srv_source_close(&src);
    if (srv_profile_file_read(arg, opts, out, NULL, &err) < 0) {
      snprintf(msg, msg_size, "%s", err.message);
      return err.code < 0 ? err.code : HX_EIO;
    }
    return 0;
  }
  snprintf(name, name_size, "%s", srv_source_name(&src));
  cli_fetch_t f = {0};
  rc = fetch_url(&src, opts->max_decompressed, &f);
  srv_source_close(&src);
  if (rc < 0) {
    srv_bytes_close(&f.body);
    snprintf(msg, msg_size, "%s", f.msg);
    return -1;
  }
  rc = srv_bytes_load(&f.body, opts, out, &err);
  if (rc < 0) {
    snprintf(msg, msg_size, "%s", err.message);
    return err.code < 0 ? err.code : HX_EIO;
  }
  return 0;
}
