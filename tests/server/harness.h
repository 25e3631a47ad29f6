/*
 * harness.h: the server's core driven through a fake transport, for the
 * unit tests of tests/server. Messages go in as JSON text; what the server
 * sends is kept, parsed, in order; the loop runs (bounded in time) until a
 * condition holds.
 */
#ifndef HEATLS_TEST_HARNESS_H
#define HEATLS_TEST_HARNESS_H

#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "core.h"

#define HARNESS_MAX_SENT 4096

typedef struct harness {
  uv_loop_t loop;
  srv_core_t *core;
  json_t *sent[HARNESS_MAX_SENT]; /* parsed bodies, in order (owned) */
  size_t sent_count;
  size_t bad_frames; /* frames that were not Content-Length + JSON */
  int finished, status;
} harness_t;

/* Starts a core on a fresh loop. 0, or -1 (a message on stderr). */
int harness_open(harness_t *h);
/* Ends the session, runs the loop dry and frees everything; returns what
 * uv_loop_close said (0 when every handle was closed). */
int harness_close(harness_t *h);

/* Sends one message (printf-style JSON text) to the core. */
void harness_send(harness_t *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Runs the loop until a message with this integer id has been sent by the
 * server (or ms milliseconds pass): its index in sent[], or -1. */
long harness_wait_reply(harness_t *h, long long id, unsigned ms);
/* Runs the loop for ms milliseconds (bounded by when it has nothing to do). */
void harness_spin(harness_t *h, unsigned ms);

/* The first message at or after index `from` whose method is `method`, or
 * -1. */
long harness_find(const harness_t *h, size_t from, const char *method);

/* Forgets what was sent so far. */
void harness_clear(harness_t *h);

#endif
