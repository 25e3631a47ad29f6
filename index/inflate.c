/*
 * inflate.c: the profile's bytes as the caller pushes them -> raw
 * profile.proto bytes in the decoder's window.
 *
 * Gzip is recognised by its magic bytes 1f 8b, anything else is taken as a
 * raw message; a lone first byte 1f waits for the second. Each gzip
 * member's header is read and checked by gzip_header.c (magic, method,
 * flags, header CRC), its deflate data inflated and its trailer (CRC-32
 * and size) checked by ISA-L, about twice as fast as zlib. Concatenated
 * members are read one after another, as Go's gzip reader does, and trailing
 * zero padding ends the stream. No more than max_size raw bytes pass: the
 * input looks one byte further, so that "over the limit" can be told from
 * "exactly at it", and a gzip bomb stops with HX_ETOOBIG there instead of
 * exhausting memory. The bytes go straight into the decoder's window
 * (decode.c), so the whole raw profile is never in memory at once, and neither
 * is the caller's input beyond the piece it is feeding.
 *
 * Past the first THREAD_AFTER raw bytes of a gzipped profile, decoding
 * moves to a worker thread so that it runs beside inflate on a second
 * core: the caller's thread inflates into chunks that it hands over in
 * order, and the worker copies each full one into the decoder's window,
 * which it alone touches from then on. Over a whole profile, reading the
 * input (the caller's, between feeds) and inflating take longer than
 * decoding, but not evenly: the samples, the first half of a Go profile,
 * are only copied, while the locations after them cost the worker more
 * than inflating them costs the caller. So the chunks are not a fixed
 * ring: a new one is made whenever the worker is behind (up to CHUNKS),
 * and inflate runs ahead instead of waiting. The window is
 * decoded at the same bytes as on one thread, so the result, and which
 * error wins, do not change: a failure of the worker is found at the next
 * hand-over and returned by that feed (or the finish); a failure of
 * inflate first gives out every byte inflated before the bad spot and lets
 * the worker decode them, so that an earlier decoding error wins as it
 * would on one thread. The worker is joined before any feed or finish
 * returns an error, at the finish and in hx__input_free, so no thread
 * outlives the call that ends the load. If the thread or its buffers
 * cannot be had, the load simply stays on one thread.
 */
#include "internal.h"

#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef enum format { FORMAT_UNKNOWN, FORMAT_RAW, FORMAT_GZIP } format_t;

#define THREAD_AFTER ((uint64_t)2 << 20) /* raw bytes before the worker */
/* On the benchmark profile the worker falls up to about 7 MB behind in
 * the locations: with at most four chunks the caller waited 30-55 ms for
 * it, with up to 32 not at all (and the load ends 8-20 ms sooner). A
 * chunk is made only when none is free, so a worker that keeps up keeps
 * the memory at a few chunks. */
#define CHUNK_SIZE ((size_t)256 << 10)
#define CHUNKS 32

/* The worker and the chunks it shares with the caller's thread. Full
 * chunks wait in a queue, full[tail, head) (mod CHUNKS), with their
 * lengths; the worker puts each one it has decoded on the free stack
 * (free_chunks), where the caller takes the next one to fill (filling,
 * which only the caller touches), or makes one while fewer than CHUNKS
 * exist. mu guards everything but filling, filled and error; error is the
 * worker's until it has set failed (or exited). */
typedef struct worker {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  uint8_t *full[CHUNKS];
  size_t len[CHUNKS];
  size_t head, tail;
  uint8_t *free_chunks[CHUNKS];
  size_t free_count;
  size_t made;      /* chunks that exist */
  uint8_t *filling; /* the caller's */
  size_t filled;    /* bytes in it */
  bool end;         /* no more chunks will come */
  bool decode_full; /* at the end: decode a full window first */
  bool abort;       /* stop at once (the load is freed) */
  bool failed;      /* error holds the worker's failure */
  hx_decoder_t *dec;
  hx_error_t error;
} worker_t;

struct hx_input {
  hx_decoder_t *dec;
  uint64_t produced, max_size;
  format_t format;
  bool have_first; /* first holds a lone first byte 1f */
  uint8_t first;
  bool member_done;        /* a gzip member ended; another may follow */
  bool fed;                /* some byte arrived */
  bool no_thread;          /* the worker could not be started: stay on one */
  worker_t *worker;        /* running (joined when set back to NULL) */
  hx_gzip_header_t header; /* the current member's */
  uint8_t tail[8]; /* the last 8 bytes inflate took: the trailer at its end */
  struct inflate_state *isal; /* the gzip stream's; NULL for raw input */
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

static int worker_stop(hx_input_t *in, bool abort, bool decode_full,
                       hx_error_t *err);

void hx__input_free(hx_input_t *in) {
  if (!in)
    return;
  worker_stop(in, true, false, NULL);
  free(in->isal);
  free(in);
}

static int over_limit(const hx_input_t *in, hx_error_t *err) {
  return hx__fail(err, HX_ETOOBIG,
                  "decompressed profile is over the limit of %llu bytes",
                  (unsigned long long)in->max_size);
}

/* ---- the worker ---- */

/* n bytes into the decoder's window, decoded each time it is full. */
static int copy_into(hx_decoder_t *dec, const uint8_t *data, size_t n,
                     hx_error_t *err) {
  while (n > 0) {
    uint8_t *dst;
    size_t room;
    int rc = hx__decoder_room(dec, &dst, &room, err);
    if (rc < 0)
      return rc;
    size_t k = n < room ? n : room;
    memcpy(dst, data, k);
    hx__decoder_wrote(dec, k);
    data += k;
    n -= k;
  }
  return 0;
}

static void *worker_main(void *arg) {
  worker_t *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (w->tail == w->head && !w->end && !w->abort)
      pthread_cond_wait(&w->cv, &w->mu);
    if (w->abort)
      break;
    if (w->tail == w->head) { /* the end, every chunk decoded */
      if (w->decode_full) {
        uint8_t *dst;
        size_t room;
        pthread_mutex_unlock(&w->mu);
        int rc = hx__decoder_room(w->dec, &dst, &room, &w->error);
        pthread_mutex_lock(&w->mu);
        w->failed = rc < 0;
      }
      break;
    }
    size_t i = w->tail % CHUNKS;
    uint8_t *chunk = w->full[i];
    size_t len = w->len[i];
    pthread_mutex_unlock(&w->mu);
    int rc = copy_into(w->dec, chunk, len, &w->error);
    pthread_mutex_lock(&w->mu);
    w->free_chunks[w->free_count++] = chunk;
    w->tail++;
    if (rc < 0) {
      w->failed = true;
      break;
    }
    pthread_cond_broadcast(&w->cv); /* a chunk is free */
  }
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* Every chunk is in one place: queued, free or being filled. */
static void worker_free(worker_t *w) {
  for (size_t i = w->tail; i != w->head; i++)
    free(w->full[i % CHUNKS]);
  for (size_t i = 0; i < w->free_count; i++)
    free(w->free_chunks[i]);
  free(w->filling);
  free(w);
}

/* Starts the worker; on any failure the load stays on one thread. */
static void worker_start(hx_input_t *in) {
  in->no_thread = true; /* one attempt */
  worker_t *w = calloc(1, sizeof *w);
  if (!w)
    return;
  w->dec = in->dec;
  w->filling = malloc(CHUNK_SIZE);
  if (!w->filling) {
    worker_free(w);
    return;
  }
  w->made = 1;
  if (pthread_mutex_init(&w->mu, NULL) != 0) {
    worker_free(w);
    return;
  }
  if (pthread_cond_init(&w->cv, NULL) != 0) {
    pthread_mutex_destroy(&w->mu);
    worker_free(w);
    return;
  }
  if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    worker_free(w);
    return;
  }
  in->worker = w;
}

/* Queues the chunk being filled for the worker (under w->mu). */
static void queue_filling(worker_t *w) {
  w->full[w->head % CHUNKS] = w->filling;
  w->len[w->head % CHUNKS] = w->filled;
  w->head++;
  w->filling = NULL;
  w->filled = 0;
}

/* Hands the chunk being filled to the worker and takes another: a free
 * one, a new one while fewer than CHUNKS exist, or else the next one the
 * worker frees. HX_E* when the worker has failed (after joining it: its
 * error in err). */
static int worker_push(hx_input_t *in, hx_error_t *err) {
  worker_t *w = in->worker;
  pthread_mutex_lock(&w->mu);
  queue_filling(w);
  pthread_cond_broadcast(&w->cv);
  bool make = w->free_count == 0 && w->made < CHUNKS;
  if (make)
    w->made++; /* counted now: only this thread makes chunks */
  pthread_mutex_unlock(&w->mu);
  uint8_t *fresh = make ? malloc(CHUNK_SIZE) : NULL;
  pthread_mutex_lock(&w->mu);
  if (make && !fresh)
    w->made--; /* no memory: wait for a free one instead */
  while (!fresh && w->free_count == 0 && !w->failed)
    pthread_cond_wait(&w->cv, &w->mu);
  bool failed = w->failed;
  if (fresh)
    w->filling = fresh; /* freed with the worker if it failed */
  else if (!failed)
    w->filling = w->free_chunks[--w->free_count];
  pthread_mutex_unlock(&w->mu);
  return failed ? worker_stop(in, false, false, err) : 0;
}

/* Ends the worker: unless abort, hands it the chunk being filled and
 * waits until it has decoded every byte (and, with decode_full, a window
 * left full, as one thread would before reporting a gzip failure). Joins
 * and frees it. Returns 0, or the worker's failure with its message in
 * err. */
static int worker_stop(hx_input_t *in, bool abort, bool decode_full,
                       hx_error_t *err) {
  worker_t *w = in->worker;
  if (!w)
    return 0;
  pthread_mutex_lock(&w->mu);
  if (abort) {
    w->abort = true;
  } else {
    if (!w->failed && w->filled > 0)
      queue_filling(w); /* there is room: at most CHUNKS exist */
    w->end = true;
    w->decode_full = decode_full;
  }
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
  int rc = 0;
  if (w->failed && !abort) {
    rc = w->error.code;
    if (err)
      *err = w->error;
  }
  worker_free(w);
  in->worker = NULL;
  return rc;
}

/* rc, a failure of the caller's side, unless the worker, stopped first,
 * failed on earlier bytes: then its failure. */
static int stop_after(hx_input_t *in, int rc, bool decode_full,
                      hx_error_t *err) {
  if (!in->worker)
    return rc;
  int wrc = worker_stop(in, false, decode_full, err);
  return wrc < 0 ? wrc : rc;
}

/* ---- the caller's side ---- */

/* Room for the next raw bytes: in the decoder's window, or in the chunk
 * being filled once the worker runs; cut to what the size cap still
 * allows (one byte past it). */
static int next_room(hx_input_t *in, uint8_t **dst, size_t *room,
                     hx_error_t *err) {
  if (!in->worker && !in->no_thread && in->format == FORMAT_GZIP &&
      in->produced >= THREAD_AFTER)
    worker_start(in);
  int rc;
  worker_t *w = in->worker;
  if (w) {
    /* filling and filled are this thread's: read without the lock. */
    if (w->filled == CHUNK_SIZE && (rc = worker_push(in, err)) < 0)
      return rc;
    *dst = w->filling + w->filled;
    *room = CHUNK_SIZE - w->filled;
  } else if ((rc = hx__decoder_room(in->dec, dst, room, err)) < 0) {
    return rc;
  }
  uint64_t allowed = in->max_size - in->produced; /* produced <= max_size */
  if (allowed < UINT64_MAX)
    allowed++;
  if (*room > allowed)
    *room = (size_t)allowed;
  return 0;
}

static int wrote(hx_input_t *in, size_t n, hx_error_t *err) {
  if (in->worker)
    in->worker->filled += n;
  else
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

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* A member starts: its header is read by gzip_header.c, its deflate data
 * and trailer by ISA-L, which checks the CRC-32 and the size the trailer
 * gives. */
static void start_member(hx_input_t *in) {
  memset(&in->header, 0, sizeof in->header);
  isal_inflate_reset(in->isal);
  in->isal->crc_flag = ISAL_GZIP_NO_HDR_VER;
  in->member_done = false;
}

/* The last 8 bytes inflate took, after it took the n bytes ending at end. */
static void keep_tail(uint8_t tail[8], const uint8_t *end, size_t n) {
  if (n >= 8) {
    memcpy(tail, end - 8, 8);
    return;
  }
  memmove(tail, tail + n, 8 - n);
  memcpy(tail + 8 - n, end - n, n);
}

/* zlib's words for ISA-L's failures. */
static const char *inflate_error(const hx_input_t *in, int code) {
  switch (code) {
  case ISAL_INVALID_BLOCK: return "invalid block";
  case ISAL_INVALID_SYMBOL: return "invalid code";
  case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
  case ISAL_INCORRECT_CHECKSUM: /* the trailer is the last 8 bytes taken */
    return le32(in->tail) != in->isal->crc ? "incorrect data check"
                                           : "incorrect length check";
  default: return "inflate failed";
  }
}

/* The gzip stream is corrupt. What inflate decoded before the bad bytes
 * is given out first (ISA-L decodes ahead into a buffer of its own and
 * keeps there what had no room: [tmp_out_processed, tmp_out_valid)), and
 * decoded as far as a full window, so that an earlier decoding failure
 * wins, as it would if the input had stopped right there; the worker
 * does the same with the window it has. */
static int gzip_failed(hx_input_t *in, const char *why, hx_error_t *err) {
  struct inflate_state *st = in->isal;
  uint8_t *dst;
  size_t room;
  int rc;
  while (st->tmp_out_processed < st->tmp_out_valid) {
    if ((rc = next_room(in, &dst, &room, err)) < 0)
      return rc;
    size_t held = (size_t)(st->tmp_out_valid - st->tmp_out_processed);
    size_t n = held < room ? held : room;
    memcpy(dst, st->tmp_out_buffer + st->tmp_out_processed, n);
    st->tmp_out_processed += (int32_t)n;
    if ((rc = wrote(in, n, err)) < 0)
      return rc;
  }
  if (!in->worker && (rc = hx__decoder_room(in->dec, &dst, &room, err)) < 0)
    return rc;
  rc = hx__fail(err, HX_EGZIP, "corrupt gzip data: %s", why);
  return in->worker ? stop_after(in, rc, true, err) : rc;
}

/* Gzip input: headers read, deflate data inflated into the window
 * until ISA-L has taken all of it and given all it can. */
static int feed_gzip(hx_input_t *in, const uint8_t *data, size_t size,
                     hx_error_t *err) {
  struct inflate_state *st = in->isal;
  bool again = false; /* ISA-L may give more without more input */
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
      start_member(in);
    }
    if (in->header.step != HX_GZIP_DONE) {
      const char *why;
      if (hx__gzip_header_take(&in->header, &data, &size, &why) < 0)
        return gzip_failed(in, why, err);
    }
    if (size == 0 && !again)
      return 0; /* all taken, nothing held back */
    uint8_t *dst;
    size_t room;
    int rc = next_room(in, &dst, &room, err);
    if (rc < 0)
      return rc;
    st->next_in = (uint8_t *)(uintptr_t)data; /* only read */
    st->avail_in = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    st->next_out = dst;
    st->avail_out = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
    uint32_t in_before = st->avail_in, out_before = st->avail_out;
    int code = isal_inflate(st);
    /* After a failure ISA-L may leave avail_in wrapped below 0 (it counts
     * bits it read ahead): no more than all of it was taken. */
    uint32_t in_left = st->avail_in <= in_before ? st->avail_in : 0;
    uint32_t out_left = st->avail_out <= out_before ? st->avail_out : 0;
    size_t used = in_before - in_left, out = out_before - out_left;
    keep_tail(in->tail, data + used, used);
    data += used;
    size -= used;
    if ((rc = wrote(in, out, err)) < 0)
      return rc;
    if (code != ISAL_DECOMP_OK)
      return gzip_failed(in, inflate_error(in, code), err);
    if (st->block_state == ISAL_BLOCK_FINISH) { /* trailer checked */
      in->member_done = true;
      again = false;
      continue;
    }
    if (used == 0 && out == 0 && size > 0) /* input and room: nothing */
      return gzip_failed(in, "inflate made no progress", err);
    /* Without more input it gives more only when the room ran out, or it
     * holds bytes it decoded and had no room for; calling it for nothing
     * is not free (it moves its 32 KiB of history each time). */
    again = st->avail_out == 0 || st->tmp_out_valid > st->tmp_out_processed;
  }
}

static int feed_known(hx_input_t *in, const uint8_t *data, size_t size,
                      hx_error_t *err) {
  int rc = in->format == FORMAT_GZIP ? feed_gzip(in, data, size, err)
                                     : feed_raw(in, data, size, err);
  /* Whatever failed, no worker outlives the failure. */
  return rc < 0 ? stop_after(in, rc, false, err) : rc;
}

/* The format is known from the first two bytes. */
static int start(hx_input_t *in, bool gzip, hx_error_t *err) {
  in->format = gzip ? FORMAT_GZIP : FORMAT_RAW;
  if (!gzip)
    return 0;
  /* About 90 KiB (tables and a buffer of twice the 32 KiB history), owned
   * here; ISA-L itself allocates nothing. */
  if (!(in->isal = malloc(sizeof *in->isal)))
    return hx__fail(err, HX_ENOMEM, "out of memory");
  isal_inflate_init(in->isal);
  start_member(in);
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
  if ((rc = start(in, size >= 2 && data[0] == 0x1f && data[1] == 0x8b, err)) <
      0)
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
    return stop_after(in, hx__fail(err, HX_EGZIP, "truncated gzip data"),
                      false, err);
  /* Every raw byte decoded but the window's rest, which the decoder's
   * finish takes on the caller's thread. */
  return worker_stop(in, false, false, err);
}
