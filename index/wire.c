/*
 * wire.c: walks the fields of a protobuf message one at a time.
 *
 * Used for the top-level Profile message, whose repeated fields are far
 * too many to unpack at once: each sample, location and function is read
 * on its own instead (message.c, called from decode.c and build.c).
 */
#include "internal.h"

#define CUT_OFF 1 /* the data ends inside the field */

static int read_varint(hx_wire_t *w, uint64_t *out, hx_error_t *err) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (w->pos == w->end)
      return CUT_OFF;
    uint8_t b = *w->pos++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return 0;
    }
  }
  return hx__fail(err, HX_EPROTO, "protobuf: varint longer than 10 bytes");
}

/* 0 and the field, CUT_OFF, or a negative error. */
static int next_field(hx_wire_t *w, hx_field_t *f, hx_error_t *err) {
  uint64_t key = 0;
  int rc = read_varint(w, &key, err);
  if (rc != 0)
    return rc;
  f->wire_type = (uint32_t)(key & 7);
  uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffff)
    return hx__fail(err, HX_EPROTO, "protobuf: invalid field number %llu",
                    (unsigned long long)number);
  f->number = (uint32_t)number;
  f->data = NULL;
  f->size = 0;
  f->varint = 0;
  switch (f->wire_type) {
  case HX_WIRE_VARINT: return read_varint(w, &f->varint, err);
  case HX_WIRE_I64:
  case HX_WIRE_I32: {
    size_t n = f->wire_type == HX_WIRE_I64 ? 8 : 4;
    if ((size_t)(w->end - w->pos) < n)
      return CUT_OFF;
    for (size_t i = 0; i < n; i++)
      f->varint |= (uint64_t)w->pos[i] << (8 * i);
    w->pos += n;
    return 0;
  }
  case HX_WIRE_LEN: {
    uint64_t len = 0;
    if ((rc = read_varint(w, &len, err)) != 0)
      return rc;
    if (len > (uint64_t)(w->end - w->pos))
      return CUT_OFF;
    f->data = w->pos;
    f->size = (size_t)len;
    w->pos += len;
    return 0;
  }
  default:
    /* Groups (3, 4) are long deprecated; profile.proto never had them. */
    return hx__fail(err, HX_EPROTO, "protobuf: unsupported wire type %u",
                    f->wire_type);
  }
}

int hx__wire_next(hx_wire_t *w, hx_field_t *f, hx_error_t *err) {
  if (w->pos == w->end)
    return 0;
  int rc = next_field(w, f, err);
  if (rc == CUT_OFF)
    return hx__fail(err, HX_EPROTO, "protobuf: truncated message");
  return rc < 0 ? rc : 1;
}

int hx__wire_next_partial(hx_wire_t *w, hx_field_t *f, hx_error_t *err) {
  const uint8_t *start = w->pos;
  if (w->pos == w->end)
    return 0;
  int rc = next_field(w, f, err);
  if (rc == CUT_OFF) {
    w->pos = start;
    return 0;
  }
  return rc < 0 ? rc : 1;
}
