/*
 * gzip_header.c: a gzip member's header (RFC 1952), read as its bytes
 * arrive, in pieces of any size, and checked as zlib checks it: the magic
 * bytes, the method (deflate), no reserved flag, and the header's CRC when
 * FHCRC asks for one; the optional extra field, name and comment are
 * skipped. inflate.c reads headers here and gives ISA-L the deflate data
 * and the trailer: ISA-L's own header reader forgets a header's flags when
 * the header arrives in more than one piece.
 */
#include "internal.h"

#include <isa-l/crc.h>
#include <stdint.h>
#include <string.h>

enum {
  GZIP_FTEXT = 1,
  GZIP_FHCRC = 2,
  GZIP_FEXTRA = 4,
  GZIP_FNAME = 8,
  GZIP_FCOMMENT = 16,
  GZIP_RESERVED = 0xe0
};

/* The first step after `after` that the header's flags ask for. */
static hx_gzip_step_t step_after(const hx_gzip_header_t *h,
                                 hx_gzip_step_t after) {
  if (after < HX_GZIP_XLEN && (h->flags & GZIP_FEXTRA))
    return HX_GZIP_XLEN;
  if (after < HX_GZIP_NAME && (h->flags & GZIP_FNAME))
    return HX_GZIP_NAME;
  if (after < HX_GZIP_COMMENT && (h->flags & GZIP_FCOMMENT))
    return HX_GZIP_COMMENT;
  if (after < HX_GZIP_HCRC && (h->flags & GZIP_FHCRC))
    return HX_GZIP_HCRC;
  return HX_GZIP_DONE;
}

static void header_next(hx_gzip_header_t *h, hx_gzip_step_t after) {
  h->step = step_after(h, after);
  h->have = 0;
}

int hx__gzip_header_take(hx_gzip_header_t *h, const uint8_t **data,
                         size_t *size, const char **why) {
  while (*size > 0 && h->step != HX_GZIP_DONE) {
    const uint8_t *p = *data;
    size_t n = 1; /* bytes taken by this step */
    const uint8_t *nul;
    bool in_crc = h->step != HX_GZIP_HCRC;
    switch (h->step) {
    case HX_GZIP_FIXED:
      h->fixed[h->have++] = *p;
      if (h->have == 2 && (h->fixed[0] != 0x1f || h->fixed[1] != 0x8b))
        return *why = "incorrect header check", -1;
      if (h->have == 3 && h->fixed[2] != 8)
        return *why = "unknown compression method", -1;
      if (h->have == 4 && (h->fixed[3] & GZIP_RESERVED))
        return *why = "unknown header flags set", -1;
      if (h->have == 4)
        h->flags = h->fixed[3];
      if (h->have == sizeof h->fixed)
        header_next(h, HX_GZIP_FIXED);
      break;
    case HX_GZIP_XLEN:
      h->fixed[h->have++] = *p;
      if (h->have == 2) {
        h->left = (size_t)h->fixed[0] | (size_t)h->fixed[1] << 8;
        h->step = HX_GZIP_EXTRA;
        if (h->left == 0)
          header_next(h, HX_GZIP_EXTRA);
      }
      break;
    case HX_GZIP_EXTRA:
      n = *size < h->left ? *size : h->left;
      if ((h->left -= n) == 0)
        header_next(h, HX_GZIP_EXTRA);
      break;
    case HX_GZIP_NAME:
    case HX_GZIP_COMMENT:
      nul = memchr(p, 0, *size);
      n = nul ? (size_t)(nul - p) + 1 : *size;
      if (nul)
        header_next(h, h->step);
      break;
    case HX_GZIP_HCRC:
      h->fixed[h->have++] = *p;
      if (h->have == 2) {
        if ((h->crc & 0xffff) !=
            ((uint32_t)h->fixed[0] | (uint32_t)h->fixed[1] << 8))
          return *why = "header crc mismatch", -1;
        h->step = HX_GZIP_DONE;
      }
      break;
    case HX_GZIP_DONE: break;
    }
    if (in_crc)
      h->crc = crc32_gzip_refl(h->crc, (uint8_t *)(uintptr_t)p, n);
    *data += n;
    *size -= n;
  }
  return 0;
}
