/*
 * harness.c: a fake transport for the core (see harness.h).
 */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void keep(harness_t *h, const char *frame, size_t len) {
  const char *body = strstr(frame, "\r\n\r\n");
  long n = -1;
  if (!body || sscanf(frame, "Content-Length: %ld", &n) != 1 ||
      (size_t)n != len - (size_t)(body + 4 - frame)) {
    h->bad_frames++;
    return;
  }
  json_t *msg = json_loadb(body + 4, (size_t)n, 0, NULL);
  if (!msg || h->sent_count == HARNESS_MAX_SENT) {
    json_decref(msg);
    h->bad_frames++;
    return;
  }
  h->sent[h->sent_count++] = msg;
}

static int sink_write(void *ctx, char *frame, size_t len) {
  keep(ctx, frame, len);
  free(frame);
  return 0;
}

static int sink_write_copy(void *ctx, const char *frame, size_t len) {
  keep(ctx, frame, len);
  return 0;
}

static void on_finish(void *ctx, int status) {
  harness_t *h = ctx;
  h->finished = 1;
  h->status = status;
}

int harness_open(harness_t *h) {
  memset(h, 0, sizeof *h);
  if (uv_loop_init(&h->loop) < 0) {
    fprintf(stderr, "harness: no loop\n");
    return -1;
  }
  srv_sink_t sink = {
      .write = sink_write, .write_copy = sink_write_copy, .ctx = h};
  if (srv_core_new(&h->loop, &sink, 0, on_finish, h, &h->core) < 0) {
    fprintf(stderr, "harness: no core\n");
    uv_loop_close(&h->loop);
    return -1;
  }
  return 0;
}

void harness_clear(harness_t *h) {
  for (size_t i = 0; i < h->sent_count; i++)
    json_decref(h->sent[i]);
  h->sent_count = 0;
}

int harness_close(harness_t *h) {
  srv_core_finish(h->core, 1);
  uv_run(&h->loop, UV_RUN_DEFAULT);
  srv_core_free(h->core);
  harness_clear(h);
  return uv_loop_close(&h->loop);
}

void harness_send(harness_t *h, const char *fmt, ...) {
  char text[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  srv_core_receive(h->core, text, (size_t)n);
}

static long find_reply(const harness_t *h, long long id) {
  for (size_t i = 0; i < h->sent_count; i++) {
    const json_t *m = h->sent[i];
    if (!json_object_get(m, "method") &&
        json_integer_value(json_object_get(m, "id")) == id)
      return (long)i;
  }
  return -1;
}

long harness_wait_reply(harness_t *h, long long id, unsigned ms) {
  uint64_t end = uv_hrtime() + (uint64_t)ms * 1000000u;
  long at;
  while ((at = find_reply(h, id)) < 0 && uv_hrtime() < end) {
    if (!uv_run(&h->loop, UV_RUN_NOWAIT))
      uv_sleep(1);
  }
  return at;
}

void harness_spin(harness_t *h, unsigned ms) {
  uint64_t end = uv_hrtime() + (uint64_t)ms * 1000000u;
  while (uv_hrtime() < end) {
    if (!uv_run(&h->loop, UV_RUN_NOWAIT))
      uv_sleep(1);
  }
}

long harness_find(const harness_t *h, size_t from, const char *method) {
  for (size_t i = from; i < h->sent_count; i++) {
    const char *m = json_string_value(json_object_get(h->sent[i], "method"));
    if (m && strcmp(m, method) == 0)
      return (long)i;
  }
  return -1;
}
