/*
 * transport.h: the language server's stdio transport on libuv.
 *
 * Reads the client's bytes from stdin, whatever stdin is: a pipe (an
 * editor), a terminal, or a regular file (`heatls < session.txt`; libuv
 * 1.44 aborts when a regular file is opened as a pipe, so files are read
 * with uv_fs_read). The bytes go through the protocol module's framer and
 * each complete body is handed to on_message.
 *
 * Writes go out in the order they are sent, without ever blocking the
 * loop: on a pipe or terminal, as libuv writes that own their buffer until
 * their callback runs; to a regular file (or /dev/null), with write(2),
 * which does not wait on a reader. Output the client has not read yet is
 * capped (max_output): a client that stops reading while that much waits
 * is taken as gone, and the session ends (SRV_END_STALLED) instead of the
 * server growing without bound. Closing flushes what waits, for at most
 * SRV_FLUSH_TIMEOUT_MS.
 */
#ifndef HEATLS_SRV_TRANSPORT_H
#define HEATLS_SRV_TRANSPORT_H

#include <stddef.h>

#include <uv.h>

#include "lsp_protocol.h"

#define SRV_DEFAULT_MAX_OUTPUT ((size_t)64 << 20) /* 64 MiB */
#define SRV_FLUSH_TIMEOUT_MS 2000
#define SRV_SPARE_WRITES 16 /* writes that need no allocation */
#define SRV_SPARE_BYTES 256 /* bytes each can copy */

/* Why reading stopped, as passed to on_end. */
typedef enum srv_end_reason {
  SRV_END_EOF = 0,     /* the client closed stdin */
  SRV_END_READ_ERROR,  /* reading stdin failed */
  SRV_END_BAD_FRAMING, /* a malformed header: the stream is unusable */
  SRV_END_WRITE_ERROR, /* stdout is gone (the client died) */
  SRV_END_STALLED      /* the client stopped reading its output */
} srv_end_reason_t;

typedef void (*srv_message_cb)(void *ctx, const char *body, size_t len);
typedef void (*srv_end_cb)(void *ctx, srv_end_reason_t reason);

typedef struct srv_write srv_write_t; /* transport.c */

typedef union srv_stream {
  uv_pipe_t pipe;
  uv_tty_t tty;
} srv_stream_t;

typedef struct srv_transport {
  uv_loop_t *loop;
  /* Input. */
  int in_kind; /* how stdin is read: see transport.c */
  srv_stream_t in;
  uv_fs_t file_req;
  int in_fd;
  long long file_offset;
  char *file_buf; /* regular-file reads (owned) */
  rpc_framer_t *framer;
  int reading; /* 1 while more input is wanted */
  int in_open; /* the input handle needs uv_close */
  /* Output. */
  int out_kind;
  srv_stream_t out;
  int out_fd;                /* -1 once stdout is gone */
  int out_open;              /* the output handle needs uv_close */
  size_t queued, max_output; /* bytes handed to libuv and not yet written */
  uv_timer_t flush_timer;
  int flush_open, closing;
  srv_write_t *spare; /* SRV_SPARE_WRITES of them (owned) */
  /* Callbacks. */
  srv_message_cb on_message;
  srv_end_cb on_end;
  void *ctx;
  int ended; /* on_end was called */
} srv_transport_t;

/* Sets up reading in_fd and writing out_fd on loop, with bodies capped at
 * max_body bytes and waiting output at max_output bytes (0: the
 * defaults). Nothing is read before srv_transport_start(). 0 or an SRV_E*
 * code. */
int srv_transport_init(srv_transport_t *t, uv_loop_t *loop, int in_fd,
                       int out_fd, size_t max_body, size_t max_output,
                       srv_message_cb on_message, srv_end_cb on_end,
                       void *ctx);

int srv_transport_start(srv_transport_t *t);

/* Queues frame (malloc'd, taken in every case) of len bytes. 0, or
 * SRV_ECLOSED / SRV_ESTALLED (reported once through on_end). */
int srv_transport_write(srv_transport_t *t, char *frame, size_t len);

/* The same for bytes only valid during the call; allocates nothing (a
 * spare write holds them), for answers when memory is exhausted. */
int srv_transport_write_copy(srv_transport_t *t, const char *data, size_t len);

/* Stops reading, flushes what waits (at most SRV_FLUSH_TIMEOUT_MS), then
 * closes the handles; on_end is not called after this. */
void srv_transport_close(srv_transport_t *t);

/* Frees what the transport owns. Call it after the loop has run dry. */
void srv_transport_dispose(srv_transport_t *t);

#endif
