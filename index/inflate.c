/*
 * inflate.c: a profile file or buffer as a stream of raw profile.proto
 * bytes.
 *
 * Gzip is recognised by its magic bytes 1f 8b, anything else is taken as a
 * raw message. Concatenated gzip members are read one after another, as Go's
 * gzip reader does. The stream never yields more than max_size bytes: a
 * gzip bomb stops with HX_ETOOBIG there instead of exhausting memory. The
 * decoder reads the stream through a small window (decode.c), so the whole
 * raw profile is never in memory at once.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK (1u << 18)

struct hx_stream {
  int fd;                 /* -1 when reading from a buffer */
  const uint8_t *buf;     /* the buffer, or chunk for fd */
  size_t buf_size;        /* bytes in buf */
  size_t buf_pos;         /* next unread byte of buf */
  bool input_done;        /* no more compressed (or raw) input */
  bool gzip;
  bool member_done;       /* a gzip member ended; another may follow */
  z_stream z;
  uint64_t produced, max_size;
  uint8_t *chunk;         /* owned read buffer for fd */
};

static int fill_input(hx_stream_t *s, hx_error_t *err) {
  if (s->buf_pos < s->buf_size || s->input_done)
    return 0;
  if (s->fd < 0) {
    s->input_done = true;
    return 0;
  }
  ssize_t n;
  do
    n = read(s->fd, s->chunk, READ_CHUNK);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return hx__fail(err, HX_EIO, "read: %s", strerror(errno));
  s->buf = s->chunk;
  s->buf_size = (size_t)n;
  s->buf_pos = 0;
  s->input_done = n == 0;
  return 0;
}

static int over_limit(const hx_stream_t *s, hx_error_t *err) {
  return hx__fail(err, HX_ETOOBIG,
                  "decompressed profile is over the limit of %llu bytes",
                  (unsigned long long)s->max_size);
}

/* Copies raw input to dst. */
static int read_plain(hx_stream_t *s, uint8_t *dst, size_t cap, size_t *got,
                      hx_error_t *err) {
  *got = 0;
  while (*got < cap) {
    int rc = fill_input(s, err);
    if (rc < 0)
      return rc;
    if (s->buf_pos == s->buf_size)
      break;
    size_t n = s->buf_size - s->buf_pos;
    if (n > cap - *got)
      n = cap - *got;
    memcpy(dst + *got, s->buf + s->buf_pos, n);
    s->buf_pos += n;
    *got += n;
  }
  return 0;
}

/* Inflates into dst until it is full or the input ends. */
static int read_gzip(hx_stream_t *s, uint8_t *dst, size_t cap, size_t *got,
                     hx_error_t *err) {
  *got = 0;
  while (*got < cap) {
    int rc = fill_input(s, err);
    if (rc < 0)
      return rc;
    if (s->member_done) {
      /* Another member follows only if input remains; trailing zero
       * padding (some tools write it) ends the stream too. */
      while (s->buf_pos < s->buf_size && s->buf[s->buf_pos] == 0)
        s->buf_pos++;
      if (s->buf_pos == s->buf_size) {
        if (s->input_done)
          return 0;
        continue;
      }
      if (inflateReset(&s->z) != Z_OK)
        return hx__fail(err, HX_EGZIP, "gzip: cannot start the next member");
      s->member_done = false;
    }
    if (s->buf_pos == s->buf_size && s->input_done)
      return hx__fail(err, HX_EGZIP, "truncated gzip data");
    size_t room = cap - *got;
    s->z.next_in = (Bytef *)(s->buf + s->buf_pos);
    s->z.avail_in = (uInt)(s->buf_size - s->buf_pos);
    s->z.next_out = dst + *got;
    s->z.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
    uInt out_before = s->z.avail_out;
    uInt in_before = s->z.avail_in;
    int zr = inflate(&s->z, Z_NO_FLUSH);
    s->buf_pos += in_before - s->z.avail_in;
    *got += out_before - s->z.avail_out;
    if (zr == Z_STREAM_END) {
      s->member_done = true;
      continue;
    }
    if (zr == Z_BUF_ERROR || zr == Z_OK)
      continue; /* wants more input or more room; the loop provides both */
    return hx__fail(err, HX_EGZIP, "corrupt gzip data: %s",
                    s->z.msg ? s->z.msg : "inflate failed");
  }
  return 0;
}

int hx__stream_read(hx_stream_t *s, uint8_t *dst, size_t cap, size_t *got,
                    hx_error_t *err) {
  /* Never hand out more than max_size in all, but look one byte further
   * so that "over the limit" can be told from "exactly at it". */
  uint64_t allowed = s->max_size - s->produced; /* produced <= max_size */
  if (allowed < UINT64_MAX)
    allowed++;
  if (cap > allowed)
    cap = (size_t)allowed;
  int rc = s->gzip ? read_gzip(s, dst, cap, got, err)
                   : read_plain(s, dst, cap, got, err);
  if (rc < 0)
    return rc;
  s->produced += *got;
  if (s->produced > s->max_size)
    return over_limit(s, err);
  return 0;
}

static bool is_gzip(const uint8_t *p, size_t n) {
  return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static int stream_new(uint64_t max_size, hx_stream_t **out, hx_error_t *err) {
  hx_stream_t *s = calloc(1, sizeof *s);
  if (!s)
    return hx__fail(err, HX_ENOMEM, "out of memory");
  s->fd = -1;
  s->max_size = max_size;
  *out = s;
  return 0;
}

static int start_gzip(hx_stream_t *s, hx_error_t *err) {
  if (inflateInit2(&s->z, 15 + 16) != Z_OK)
    return hx__fail(err, HX_ENOMEM, "cannot start zlib");
  s->gzip = true;
  return 0;
}

int hx__stream_open_buffer(const void *data, size_t size, uint64_t max_size,
                           hx_stream_t **out, hx_error_t *err) {
  *out = NULL;
  if (size == 0)
    return hx__fail(err, HX_EPROTO, "empty file");
  hx_stream_t *s = NULL;
  int rc = stream_new(max_size, &s, err);
  if (rc < 0)
    return rc;
  s->buf = data;
  s->buf_size = size;
  s->input_done = true;
  if (is_gzip(data, size) && (rc = start_gzip(s, err)) < 0) {
    hx__stream_close(s);
    return rc;
  }
  *out = s;
  return 0;
}

int hx__stream_open_file(const char *path, uint64_t max_size,
                         hx_stream_t **out, hx_error_t *err) {
  *out = NULL;
  int fd;
  do
    fd = open(path, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return hx__fail(err, HX_EIO, "%s", strerror(errno));
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0)
    rc = hx__fail(err, HX_EIO, "%s", strerror(errno));
  else if (S_ISDIR(st.st_mode))
    rc = hx__fail(err, HX_EIO, "is a directory");
  else if (!S_ISREG(st.st_mode))
    rc = hx__fail(err, HX_EIO, "not a regular file");
  else if (st.st_size == 0)
    rc = hx__fail(err, HX_EPROTO, "empty file");
  hx_stream_t *s = NULL;
  if (rc == 0)
    rc = stream_new(max_size, &s, err);
  if (rc < 0) {
    close(fd);
    return rc;
  }
  s->fd = fd;
  s->chunk = malloc(READ_CHUNK);
  if (!s->chunk) {
    hx__stream_close(s);
    return hx__fail(err, HX_ENOMEM, "out of memory");
  }
  if ((rc = fill_input(s, err)) < 0 ||
      (is_gzip(s->buf, s->buf_size) && (rc = start_gzip(s, err)) < 0)) {
    hx__stream_close(s);
    return rc;
  }
  *out = s;
  return 0;
}

void hx__stream_close(hx_stream_t *s) {
  if (!s)
    return;
  if (s->gzip)
    inflateEnd(&s->z);
  if (s->fd >= 0)
    close(s->fd);
  free(s->chunk);
  free(s);
}
