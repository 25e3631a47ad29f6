/*
 * transport.c: stdin through libuv into the framer; framed messages out
 * through libuv writes that never block the loop.
 */
#include "transport.h"

#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { IO_STREAM = 0, IO_TTY, IO_FILE };

#define FILE_CHUNK (64 * 1024)

/* One write handed to libuv. A spare one (from t->spare) is reused rather
 * than freed, and can hold a copy of up to SRV_SPARE_BYTES itself. */
struct srv_write {
  uv_write_t req;
  srv_transport_t *t;
  char *frame; /* owned, or NULL when the bytes are in `copy` */
  size_t len;  /* bytes this write accounts for in t->queued */
  int spare, busy;
  char copy[SRV_SPARE_BYTES];
};

static void end(srv_transport_t *t, srv_end_reason_t reason) {
  t->reading = 0;
  if (t->ended)
    return;
  t->ended = 1;
  t->on_end(t->ctx, reason);
}

/* ---- input ---- */

/* Feeds data[0..len) to the framer and hands out every complete body,
 * stopping early when the handler stops the transport. */
static void consume(srv_transport_t *t, const char *data, size_t len) {
  while (len > 0 && t->reading) {
    size_t used = 0;
    const char *body;
    size_t body_len;
    rpc_error_t err;
    int rc =
        rpc_framer_feed(t->framer, data, len, &used, &body, &body_len, &err);
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
  int rc = uv_fs_read(t->loop, &t->file_req, t->in_fd, &buf, 1, t->file_offset,
                      on_file_read);
  if (rc < 0) {
    srv_log(SRV_LOG_ERROR, "cannot read stdin: %s", uv_strerror(rc));
    end(t, SRV_END_READ_ERROR);
  }
}

/* Opens fd as a libuv stream when it is a pipe or a terminal; *kind says
 * what it is. readable: for uv_tty_init. */
static int open_stream(srv_transport_t *t, srv_stream_t *s, int fd,
                       int readable, int *kind, int *open) {
  int rc = 0;
  switch (uv_guess_handle(fd)) {
  case UV_NAMED_PIPE:
    *kind = IO_STREAM;
    rc = uv_pipe_init(t->loop, &s->pipe, 0);
    if (rc == 0) {
      *open = 1;
      rc = uv_pipe_open(&s->pipe, fd);
    }
    break;
  case UV_TTY:
    *kind = IO_TTY;
    rc = uv_tty_init(t->loop, &s->tty, fd, readable);
    *open = rc == 0;
    break;
  default:
    /* Regular files, /dev/null and anything else libuv cannot stream. */
    *kind = IO_FILE;
  }
  if (*open)
    s->pipe.data = t; /* the same member for both handle types */
  return srv_error_from_uv(rc);
}

int srv_transport_init(srv_transport_t *t, uv_loop_t *loop, int in_fd,
                       int out_fd, size_t max_body, size_t max_output,
                       srv_message_cb on_message, srv_end_cb on_end,
                       void *ctx) {
  *t = (srv_transport_t){.loop = loop,
                         .in_fd = in_fd,
                         .out_fd = out_fd,
                         .max_output =
                             max_output ? max_output : SRV_DEFAULT_MAX_OUTPUT,
                         .on_message = on_message,
                         .on_end = on_end,
                         .ctx = ctx};
  int rc = srv_error_from_rpc(rpc_framer_new(max_body, &t->framer, NULL));
  if (rc < 0)
    return rc;
  t->spare = calloc(SRV_SPARE_WRITES, sizeof *t->spare);
  if (!t->spare)
    return SRV_ENOMEM;
  for (size_t i = 0; i < SRV_SPARE_WRITES; i++)
    t->spare[i] = (srv_write_t){.t = t, .spare = 1};
  rc = srv_error_from_uv(uv_timer_init(loop, &t->flush_timer));
  if (rc < 0)
    return rc;
  t->flush_open = 1;
  t->flush_timer.data = t;
  rc = open_stream(t, &t->in, in_fd, 1, &t->in_kind, &t->in_open);
  if (rc == 0 && t->in_kind == IO_FILE) {
    t->file_buf = malloc(FILE_CHUNK);
    rc = t->file_buf ? 0 : SRV_ENOMEM;
  }
  if (rc == 0)
    rc = open_stream(t, &t->out, out_fd, 0, &t->out_kind, &t->out_open);
  return rc;
}

int srv_transport_start(srv_transport_t *t) {
  t->reading = 1;
  if (t->in_kind == IO_FILE) {
    read_file_chunk(t);
    return 0;
  }
  return srv_error_from_uv(
      uv_read_start((uv_stream_t *)&t->in, on_alloc, on_read));
}

static void stop_reading(srv_transport_t *t) {
  t->reading = 0;
  if (t->in_open)
    uv_read_stop((uv_stream_t *)&t->in);
}

/* ---- output ---- */

static void on_closed(uv_handle_t *handle) { (void)handle; }

static void close_output(srv_transport_t *t) {
  if (t->out_open) {
    t->out_open = 0;
    uv_close((uv_handle_t *)&t->out, on_closed);
  }
  if (t->flush_open) {
    t->flush_open = 0;
    uv_close((uv_handle_t *)&t->flush_timer, on_closed);
  }
}

static void output_gone(srv_transport_t *t, srv_end_reason_t reason) {
  t->out_fd = -1;
  end(t, reason);
}

static void on_written(uv_write_t *req, int status) {
  srv_write_t *w = (srv_write_t *)req;
  srv_transport_t *t = w->t;
  t->queued -= w->len;
  free(w->frame);
  if (w->spare)
    w->busy = 0;
  else
    free(w);
  if (status < 0 && status != UV_ECANCELED && t->out_fd >= 0) {
    srv_log(SRV_LOG_ERROR, "cannot write to stdout: %s", uv_strerror(status));
    output_gone(t, SRV_END_WRITE_ERROR);
  }
  if (t->closing && t->queued == 0)
    close_output(t);
}

static srv_write_t *spare_write(srv_transport_t *t) {
  for (size_t i = 0; i < SRV_SPARE_WRITES; i++)
    if (!t->spare[i].busy)
      return &t->spare[i];
  return NULL;
}

/* Writes data[0..len) (owned `frame` when not NULL, freed here) to a
 * regular file, all of it now: such writes never wait on a reader. */
static int write_file(srv_transport_t *t, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(t->out_fd, data, len);
    if (n > 0) {
      data += n;
      len -= (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      srv_log(SRV_LOG_ERROR, "cannot write to stdout: client gone");
      output_gone(t, SRV_END_WRITE_ERROR);
      return SRV_ECLOSED;
    }
  }
  return 0;
}

/* The common path: what libuv can take at once is written now, the rest
 * is queued with a write that owns it. frame is the owned buffer holding
 * data (or NULL: data is the caller's, copied into a spare write). */
static int send_bytes(srv_transport_t *t, char *frame, const char *data,
                      size_t len) {
  if (t->out_fd < 0 || t->closing) {
    free(frame);
    return SRV_ECLOSED;
  }
  if (t->out_kind == IO_FILE) {
    int rc = write_file(t, data, len);
    free(frame);
    return rc;
  }
  uv_stream_t *stream = (uv_stream_t *)&t->out;
  uv_buf_t buf = uv_buf_init((char *)data, (unsigned)len);
  if (t->queued == 0) {
    int n = uv_try_write(stream, &buf, 1);
    if (n > 0) {
      buf.base += n;
      buf.len -= (size_t)n;
    } else if (n < 0 && n != UV_EAGAIN) {
      free(frame);
      srv_log(SRV_LOG_ERROR, "cannot write to stdout: %s", uv_strerror(n));
      output_gone(t, SRV_END_WRITE_ERROR);
      return SRV_ECLOSED;
    }
  }
  if (buf.len == 0) {
    free(frame);
    return 0;
  }
  if (t->queued + buf.len > t->max_output) {
    free(frame);
    srv_log(SRV_LOG_ERROR,
            "the client stopped reading: over %zu bytes of output wait for "
            "it; ending the session",
            t->max_output);
    output_gone(t, SRV_END_STALLED);
    return SRV_ESTALLED;
  }
  srv_write_t *w = frame ? malloc(sizeof *w) : NULL;
  if (w) {
    *w = (srv_write_t){.t = t, .frame = frame};
  } else {
    w = spare_write(t);
    if (!w || (!frame && buf.len > SRV_SPARE_BYTES)) {
      free(frame);
      srv_log(SRV_LOG_ERROR, "out of memory: a message to the client is lost");
      return SRV_ENOMEM;
    }
    w->busy = 1;
    w->frame = frame;
    if (!frame) {
      memcpy(w->copy, buf.base, buf.len);
      buf.base = w->copy;
    }
  }
  w->len = buf.len;
  int rc = uv_write(&w->req, stream, &buf, 1, on_written);
  if (rc < 0) {
    free(w->frame);
    if (w->spare)
      w->busy = 0;
    else
      free(w);
    srv_log(SRV_LOG_ERROR, "cannot write to stdout: %s", uv_strerror(rc));
    output_gone(t, SRV_END_WRITE_ERROR);
    return SRV_ECLOSED;
  }
  t->queued += buf.len;
  return 0;
}

int srv_transport_write(srv_transport_t *t, char *frame, size_t len) {
  return send_bytes(t, frame, frame, len);
}

int srv_transport_write_copy(srv_transport_t *t, const char *data,
                             size_t len) {
  return send_bytes(t, NULL, data, len);
}

static void on_flush_timeout(uv_timer_t *timer) {
  srv_transport_t *t = timer->data;
  srv_log(SRV_LOG_WARN,
          "%zu bytes of output not taken by the client: "
          "dropped",
          t->queued);
  close_output(t); /* pending writes end with UV_ECANCELED */
}

void srv_transport_close(srv_transport_t *t) {
  stop_reading(t);
  if (t->in_open) {
    t->in_open = 0;
    if (t->in_kind == IO_TTY)
      uv_tty_reset_mode();
    uv_close((uv_handle_t *)&t->in, on_closed);
  }
  /* No on_end after this. A regular-file read in flight finishes on its
   * own; its callback sees reading == 0 and issues no other. */
  t->ended = 1;
  if (t->closing)
    return;
  t->closing = 1;
  if (t->queued == 0 || t->out_fd < 0)
    close_output(t);
  else
    uv_timer_start(&t->flush_timer, on_flush_timeout, SRV_FLUSH_TIMEOUT_MS, 0);
}

void srv_transport_dispose(srv_transport_t *t) {
  rpc_framer_free(t->framer);
  t->framer = NULL;
  free(t->file_buf);
  t->file_buf = NULL;
  free(t->spare);
  t->spare = NULL;
}
