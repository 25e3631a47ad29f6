/*
 * transport.c: stdin through libuv into the framer; framed replies to
 * stdout with plain write(2).
 */
#include "transport.h"

#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

enum { IN_PIPE = 0, IN_TTY, IN_FILE };

#define FILE_CHUNK (64 * 1024)

static void end(srv_transport_t *t, srv_end_reason_t reason) {
  t->reading = 0;
  if (t->ended)
    return;
  t->ended = 1;
  t->on_end(t->ctx, reason);
}

/* Feeds data[0..len) to the framer and hands out every complete body,
 * stopping early when the handler stops the transport. */
static void consume(srv_transport_t *t, const char *data, size_t len) {
  while (len > 0 && t->reading) {
    size_t used = 0;
    const char *body;
    size_t body_len;
    rpc_error_t err;
    int rc = rpc_framer_feed(t->framer, data, len, &used, &body, &body_len,
                             &err);
    data += used;
    len -= used;
    if (rc == 1) {
      t->on_message(t->ctx, body, body_len);
    } else if (rc == RPC_ETOOBIG || rc == RPC_ENOMEM) {
      srv_log(SRV_LOG_WARN, "message skipped: %s", err.message);
    } else if (rc < 0) {
      srv_log(SRV_LOG_ERROR, "cannot read the input: %s", err.message);
      end(t, SRV_END_BAD_FRAMING);
      return;
    }
  }
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  (void)handle;
  buf->base = malloc(suggested);
  buf->len = buf->base ? suggested : 0;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  srv_transport_t *t = stream->data;
  if (nread > 0)
    consume(t, buf->base, (size_t)nread);
  free(buf->base);
  if (nread == UV_EOF) {
    uv_read_stop(stream);
    end(t, SRV_END_EOF);
  } else if (nread == UV_ENOBUFS) {
    /* on_alloc found no memory: nothing was read, and libuv tries again
     * when the stream is next readable. */
    srv_log(SRV_LOG_ERROR, "no memory to read stdin: retrying");
  } else if (nread < 0) {
    srv_log(SRV_LOG_ERROR, "cannot read stdin: %s", uv_strerror((int)nread));
    uv_read_stop(stream);
    end(t, SRV_END_READ_ERROR);
  }
  if (!t->reading)
    uv_read_stop(stream);
}

static void read_file_chunk(srv_transport_t *t);

static void on_file_read(uv_fs_t *req) {
  srv_transport_t *t = req->data;
  ssize_t n = req->result;
  uv_fs_req_cleanup(req);
  if (n > 0) {
    t->file_offset += n;
    consume(t, t->file_buf, (size_t)n);
    if (t->reading)
      read_file_chunk(t);
  } else if (n == 0) {
    end(t, SRV_END_EOF);
  } else {
    srv_log(SRV_LOG_ERROR, "cannot read stdin: %s", uv_strerror((int)n));
    end(t, SRV_END_READ_ERROR);
  }
}

static void read_file_chunk(srv_transport_t *t) {
  uv_buf_t buf = uv_buf_init(t->file_buf, FILE_CHUNK);
  t->file_req.data = t;
  int rc = uv_fs_read(t->loop, &t->file_req, t->in_fd, &buf, 1,
                      t->file_offset, on_file_read);
  if (rc < 0) {
    srv_log(SRV_LOG_ERROR, "cannot read stdin: %s", uv_strerror(rc));
    end(t, SRV_END_READ_ERROR);
    return;
  }
}

int srv_transport_init(srv_transport_t *t, uv_loop_t *loop, int in_fd,
                       int out_fd, size_t max_body, srv_message_cb on_message,
                       srv_end_cb on_end, void *ctx) {
  *t = (srv_transport_t){.loop = loop,
                         .in_fd = in_fd,
                         .out_fd = out_fd,
                         .on_message = on_message,
                         .on_end = on_end,
                         .ctx = ctx};
  int rc = rpc_framer_new(max_body, &t->framer, NULL);
  if (rc < 0)
    return rc == RPC_ENOMEM ? UV_ENOMEM : UV_EINVAL; /* libuv's codes */
  switch (uv_guess_handle(in_fd)) {
  case UV_NAMED_PIPE:
    t->kind = IN_PIPE;
    rc = uv_pipe_init(loop, &t->in.pipe, 0);
    if (rc == 0) {
      t->handle_open = 1;
      rc = uv_pipe_open(&t->in.pipe, in_fd);
    }
    break;
  case UV_TTY:
    t->kind = IN_TTY;
    rc = uv_tty_init(loop, &t->in.tty, in_fd, 1);
    t->handle_open = rc == 0;
    break;
  default:
    /* Regular files, /dev/null and anything else libuv cannot stream. */
    t->kind = IN_FILE;
    t->file_buf = malloc(FILE_CHUNK);
    rc = t->file_buf ? 0 : UV_ENOMEM;
  }
  if (t->handle_open)
    t->in.pipe.data = t; /* the same member for both handle types */
  return rc;
}

int srv_transport_start(srv_transport_t *t) {
  t->reading = 1;
  if (t->kind == IN_FILE) {
    read_file_chunk(t);
    return 0;
  }
  uv_stream_t *stream = (uv_stream_t *)&t->in;
  return uv_read_start(stream, on_alloc, on_read);
}

void srv_transport_stop(srv_transport_t *t) {
  t->reading = 0;
  if (t->handle_open)
    uv_read_stop((uv_stream_t *)&t->in);
}

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n > 0) {
      data += n;
      len -= (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      /* stdout shares a non-blocking file description (a terminal, a
       * socket): wait until it takes more. */
      struct pollfd p = {.fd = fd, .events = POLLOUT};
      if (poll(&p, 1, -1) < 0 && errno != EINTR)
        return -1;
    } else {
      return -1;
    }
  }
  return 0;
}

int srv_transport_send(srv_transport_t *t, const json_t *msg) {
  if (t->out_fd < 0)
    return -1;
  char *frame;
  size_t frame_len;
  rpc_error_t err;
  if (rpc_message_frame(msg, &frame, &frame_len, &err) < 0) {
    srv_log(SRV_LOG_ERROR, "cannot encode a message: %s", err.message);
    return -2;
  }
  int rc = srv_transport_send_raw(t, frame, frame_len);
  free(frame);
  return rc;
}

int srv_transport_send_raw(srv_transport_t *t, const char *data, size_t len) {
  if (t->out_fd < 0)
    return -1;
  if (write_all(t->out_fd, data, len) < 0) {
    srv_log(SRV_LOG_ERROR, "cannot write to stdout: client gone");
    t->out_fd = -1;
    end(t, SRV_END_WRITE_ERROR);
    return -1;
  }
  return 0;
}

static void on_closed(uv_handle_t *handle) { (void)handle; }

void srv_transport_close(srv_transport_t *t) {
  srv_transport_stop(t);
  if (t->handle_open) {
    t->handle_open = 0;
    if (t->kind == IN_TTY)
      uv_tty_reset_mode();
    uv_close((uv_handle_t *)&t->in, on_closed);
  }
  /* No on_end after this. A regular-file read in flight finishes on its
   * own; its callback sees reading == 0 and issues no other. */
  t->ended = 1;
}

void srv_transport_dispose(srv_transport_t *t) {
  rpc_framer_free(t->framer);
  t->framer = NULL;
  free(t->file_buf);
  t->file_buf = NULL;
}
