/*
 * transport.h: the language server's stdio transport on libuv.
 *
 * Reads the client's bytes from stdin, whatever stdin is: a pipe (an
 * editor), a terminal, or a regular file (`heatls < session.txt`; libuv
 * 1.44 aborts when a regular file is opened as a pipe, so files are read
 * with uv_fs_read). The bytes go through the protocol module's framer and
 * each complete body is handed to on_message. Replies are framed and
 * written to stdout synchronously, in the order they are sent: an LSP
 * client reads its stdin continuously, and ordering is what matters
 * (decorations before the answer that follows them).
 */
#ifndef HEATLS_SRV_TRANSPORT_H
#define HEATLS_SRV_TRANSPORT_H

#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "lsp_protocol.h"

/* Why reading stopped, as passed to on_end. */
typedef enum srv_end_reason {
  SRV_END_EOF = 0,      /* the client closed stdin */
  SRV_END_READ_ERROR,   /* reading stdin failed */
  SRV_END_BAD_FRAMING,  /* a malformed header: the stream is unusable */
  SRV_END_WRITE_ERROR   /* stdout is gone (the client died) */
} srv_end_reason_t;

typedef void (*srv_message_cb)(void *ctx, const char *body, size_t len);
typedef void (*srv_end_cb)(void *ctx, srv_end_reason_t reason);

typedef struct srv_transport {
  uv_loop_t *loop;
  int kind; /* how stdin is read: see transport.c */
  union {
    uv_pipe_t pipe;
    uv_tty_t tty;
  } in;
  uv_fs_t file_req;
  int in_fd, out_fd;
  long long file_offset;
  char *file_buf; /* regular-file reads (owned) */
  rpc_framer_t *framer;
  srv_message_cb on_message;
  srv_end_cb on_end;
  void *ctx;
  int reading;     /* 1 while more input is wanted */
  int handle_open; /* the pipe/tty handle needs uv_close */
  int ended;       /* on_end was called */
} srv_transport_t;

/* Sets up reading in_fd and writing out_fd on loop, with bodies capped at
 * max_body bytes (0: the protocol module's default). Nothing is read
 * before srv_transport_start(). 0 or a negative libuv/RPC code. */
int srv_transport_init(srv_transport_t *t, uv_loop_t *loop, int in_fd,
                       int out_fd, size_t max_body, srv_message_cb on_message,
                       srv_end_cb on_end, void *ctx);

int srv_transport_start(srv_transport_t *t);

/* Stops reading; a message being handled finishes, none after it is. */
void srv_transport_stop(srv_transport_t *t);

/* Frames msg (borrowed) and writes it to out_fd. 0; -1 when stdout is
 * gone (reported once through on_end with SRV_END_WRITE_ERROR); -2 when
 * the message could not be encoded (out of memory), nothing written. */
int srv_transport_send(srv_transport_t *t, const json_t *msg);

/* Writes an already framed message; allocates nothing. 0 or -1 as above. */
int srv_transport_send_raw(srv_transport_t *t, const char *data, size_t len);

/* Stops reading and closes the handles (their close callbacks run on the
 * loop); on_end is not called after this. */
void srv_transport_close(srv_transport_t *t);

/* Frees what the transport owns. Call it after the loop has run dry (no
 * read can be in flight then). */
void srv_transport_dispose(srv_transport_t *t);

#endif
