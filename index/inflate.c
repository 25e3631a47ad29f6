/*
 * inflate.c: the profile's bytes as the caller pushes them -> raw
 * profile.proto bytes in the decoder's window.
 *
 * Gzip is recognised by its magic bytes 1f 8b, anything else is taken as a
 * raw message; a lone first byte 1f waits for the second. Concatenated gzip
 * members are read one after another, as Go's gzip reader does, and
 * trailing zero padding ends the stream. No more than max_size raw bytes
 * pass: the input looks one byte further, so that "over the limit" can be
 * told from "exactly at it", and a gzip bomb stops with HX_ETOOBIG there
 * instead of exhausting memory. The bytes go straight into the decoder's
 * window (decode.c), so the whole raw profile is never in memory at once,
 * and neither is the caller's input beyond the piece it is feeding.
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST /* next_in points to const bytes */
#include <zlib.h>

typedef enum format { FORMAT_UNKNOWN, FORMAT_RAW, FORMAT_GZIP } format_t;

struct hx_input {
  hx_decoder_t *dec;
  uint64_t produced, max_size;
  format_t format;
  bool have_first;  /* first holds a lone first byte 1f */
  uint8_t first;
  bool z_started;   /* z is initialised (inflateEnd owed) */
  bool member_done; /* a gzip member ended; another may follow */
  bool fed;         /* some byte arrived */
  z_stream z;
};

int hx__input_new(uint64_t max_size, hx_decoder_t *dec, hx_input_t **out,
                  hx_error_t *err) {
  *out = NULL;
  hx_input_t *in = calloc(1, sizeof *in);
  if (!in)
    return hx__fail(err, HX_ENOMEM, "out of memory");
  in->dec = dec;
  in->max_size = max_size;
  *out = in;
  return 0;
}

void hx__input_free(hx_input_t *in) {
  if (!in)
    return;
  if (in->z_started)
    inflateEnd(&in->z);
  free(in);
}

static int over_limit(const hx_input_t *in, hx_error_t *err) {
  return hx__fail(err, HX_ETOOBIG,
                  "decompressed profile is over the limit of %llu bytes",
                  (unsigned long long)in->max_size);
}

/* Room in the decoder's window, cut to what the size cap still allows
 * (one byte past it). */
static int next_room(hx_input_t *in, uint8_t **dst, size_t *room,
                     hx_error_t *err) {
  int rc = hx__decoder_room(in->dec, dst, room, err);
  if (rc < 0)
    return rc;
  uint64_t allowed = in->max_size - in->produced; /* produced <= max_size */
  if (allowed < UINT64_MAX)
    allowed++;
  if (*room > allowed)
    *room = (size_t)allowed;
  return 0;
}

static int wrote(hx_input_t *in, size_t n, hx_error_t *err) {
  hx__decoder_wrote(in->dec, n);
  in->produced += n;
  return in->produced > in->max_size ? over_limit(in, err) : 0;
}

/* Raw input: copied into the window. */
static int feed_raw(hx_input_t *in, const uint8_t *data, size_t size,
                    hx_error_t *err) {
  while (size > 0) {
    uint8_t *dst;
    size_t room;
    int rc = next_room(in, &dst, &room, err);
    if (rc < 0)
      return rc;
    size_t n = size < room ? size : room;
    memcpy(dst, data, n);
    data += n;
    size -= n;
    if ((rc = wrote(in, n, err)) < 0)
      return rc;
  }
  return 0;
}

static int gzip_failed(const hx_input_t *in, hx_error_t *err) {
  return hx__fail(err, HX_EGZIP, "corrupt gzip data: %s",
                  in->z.msg ? in->z.msg : "inflate failed");
}

/* Gzip input: inflated into the window until zlib has taken all of it and
 * given all it can. */
static int feed_gzip(hx_input_t *in, const uint8_t *data, size_t size,
                     hx_error_t *err) {
  bool pending = false; /* zlib filled the room it had: it may hold more */
  for (;;) {
    if (in->member_done) {
      /* Another member follows only if input remains; zero padding (some
       * tools write it) is skipped, and ends the stream if nothing else
       * comes. */
      while (size > 0 && *data == 0) {
        data++;
        size--;
      }
      if (size == 0)
        return 0;
      if (inflateReset(&in->z) != Z_OK)
        return hx__fail(err, HX_EGZIP, "gzip: cannot start the next member");
      in->member_done = false;
    }
    if (size == 0 && !pending)
      return 0;
    uint8_t *dst;
    size_t room;
    int rc = next_room(in, &dst, &room, err);
    if (rc < 0)
      return rc;
    in->z.next_in = data;
    in->z.avail_in = size > UINT_MAX ? UINT_MAX : (uInt)size;
    in->z.next_out = dst;
    in->z.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
    uInt in_before = in->z.avail_in, out_before = in->z.avail_out;
    int zr = inflate(&in->z, Z_NO_FLUSH);
    size_t used = in_before - in->z.avail_in;
    size_t out = out_before - in->z.avail_out;
    data += used;
    size -= used;
    if ((rc = wrote(in, out, err)) < 0)
      return rc;
    pending = in->z.avail_out == 0;
    if (zr == Z_STREAM_END) {
      in->member_done = true;
      pending = false;
      continue;
    }
    if (zr == Z_BUF_ERROR && used == 0 && out == 0) {
      if (size == 0)
        return 0; /* all input taken, nothing held back: wants more */
      return gzip_failed(in, err); /* no progress with input and room */
    }
    if (zr == Z_OK || zr == Z_BUF_ERROR)
      continue; /* wants more input or more room */
    /* zlib reads on past a full window to the next block header or the
     * trailer; when that is where it failed, the window is decoded first,
     * as it is when the input happens to stop right there. */
    if (pending && (rc = hx__decoder_room(in->dec, &dst, &room, err)) < 0)
      return rc;
    return gzip_failed(in, err);
  }
}

static int feed_known(hx_input_t *in, const uint8_t *data, size_t size,
                      hx_error_t *err) {
  return in->format == FORMAT_GZIP ? feed_gzip(in, data, size, err)
                                   : feed_raw(in, data, size, err);
}

/* The format is known from the first two bytes. */
static int start(hx_input_t *in, bool gzip, hx_error_t *err) {
  in->format = gzip ? FORMAT_GZIP : FORMAT_RAW;
  if (!gzip)
    return 0;
  if (inflateInit2(&in->z, 15 + 16) != Z_OK)
    return hx__fail(err, HX_ENOMEM, "cannot start zlib");
  in->z_started = true;
  return 0;
}

int hx__input_feed(hx_input_t *in, const uint8_t *data, size_t size,
                   hx_error_t *err) {
  if (size == 0)
    return 0;
  in->fed = true;
  if (in->format != FORMAT_UNKNOWN)
    return feed_known(in, data, size, err);
  int rc;
  if (in->have_first) {
    in->have_first = false;
    if ((rc = start(in, data[0] == 0x8b, err)) < 0 ||
        (rc = feed_known(in, &in->first, 1, err)) < 0)
      return rc;
    return feed_known(in, data, size, err);
  }
  if (data[0] == 0x1f && size == 1) {
    in->first = data[0];
    in->have_first = true;
    return 0;
  }
  if ((rc = start(in, size >= 2 && data[0] == 0x1f && data[1] == 0x8b,
                  err)) < 0)
    return rc;
  return feed_known(in, data, size, err);
}

int hx__input_finish(hx_input_t *in, hx_error_t *err) {
  if (!in->fed)
    return hx__fail(err, HX_EPROTO, "empty file");
  int rc;
  if (in->have_first) { /* one byte, 1f: not gzip */
    in->have_first = false;
    if ((rc = start(in, false, err)) < 0 ||
        (rc = feed_known(in, &in->first, 1, err)) < 0)
      return rc;
  }
  if (in->format == FORMAT_GZIP && !in->member_done)
    return hx__fail(err, HX_EGZIP, "truncated gzip data");
  return 0;
}
