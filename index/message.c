/*
 * message.c: the small messages of a profile (Sample, Location with its
 * Lines, Function, ValueType) read straight from their bytes.
 *
 * There are millions of them in a large profile, and protobuf-c's generic
 * unpack (a descriptor walk, an allocation per message and per repeated
 * field) cost more than the walk over them. These readers know the few
 * fields heatls uses and write them into caller-owned buffers that are
 * reused from one message to the next. They accept what protobuf-c
 * accepts for these fields: repeated fields packed or not, in any number
 * of pieces; a scalar given twice keeps the last; unknown fields skipped.
 * A known field with the wrong wire type, a varint longer than 10 bytes, a
 * field cut short or an unsupported wire type is HX_EPROTO.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* 0 and *out, or -1 when the varint runs past end or over 10 bytes. */
static inline int varint(const uint8_t **p, const uint8_t *end,
                         uint64_t *out) {
  const uint8_t *q = *p;
  if (q < end && *q < 0x80) { /* the common case: one byte */
    *out = *q;
    *p = q + 1;
    return 0;
  }
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (q == end)
      return -1;
    uint8_t b = *q++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      *p = q;
      return 0;
    }
  }
  return -1;
}

/* Skips the value of a field of an unknown number. */
static int skip(const uint8_t **p, const uint8_t *end, uint32_t wire_type) {
  uint64_t v;
  switch (wire_type) {
  case HX_WIRE_VARINT: return varint(p, end, &v);
  case HX_WIRE_I64:
  case HX_WIRE_I32: {
    size_t n = wire_type == HX_WIRE_I64 ? 8 : 4;
    if ((size_t)(end - *p) < n)
      return -1;
    *p += n;
    return 0;
  }
  case HX_WIRE_LEN:
    if (varint(p, end, &v) < 0 || v > (uint64_t)(end - *p))
      return -1;
    *p += v;
    return 0;
  default: return -1;
  }
}

/* The next field's number and wire type; -1 on a bad key. */
static int key(const uint8_t **p, const uint8_t *end, uint32_t *number,
               uint32_t *wire_type) {
  uint64_t k;
  if (varint(p, end, &k) < 0 || (k >> 3) == 0 || (k >> 3) > 0x1fffffff)
    return -1;
  *number = (uint32_t)(k >> 3);
  *wire_type = (uint32_t)(k & 7);
  return 0;
}

/* The bytes of a LEN field: [*start, *stop). */
static int len_field(const uint8_t **p, const uint8_t *end,
                     const uint8_t **start, const uint8_t **stop) {
  uint64_t n;
  if (varint(p, end, &n) < 0 || n > (uint64_t)(end - *p))
    return -1;
  *start = *p;
  *stop = *p + n;
  *p += n;
  return 0;
}

/* ---- Sample ---- */

static int add_id(hx_sample_buf_t *s, uint64_t id) {
  if (s->id_count == s->id_cap &&
      hx__grow((void **)&s->ids, &s->id_cap, s->id_count + 1, sizeof *s->ids) <
          0)
    return HX_ENOMEM;
  s->ids[s->id_count++] = id;
  return 0;
}

/* Reads the varints of [q, stop) into ids[*n ...] while each is at most
 * three bytes long and four bytes are left to load, without a branch per
 * byte: the ids of a large profile mix one-, two- and three-byte varints
 * in no order a branch predictor could learn. Returns where it stopped:
 * stop, or a varint it leaves to the general reader. */
static const uint8_t *short_ids(const uint8_t *q, const uint8_t *stop,
                                uint64_t *ids, size_t *n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  size_t k = *n;
  while (stop - q >= 4) {
    uint32_t x;
    memcpy(&x, q, sizeof x);
    uint32_t last = ~x & 0x808080u; /* bytes without a continuation bit */
    if (!last)
      break;
    unsigned bytes = (unsigned)__builtin_ctz(last) / 8 + 1;
    uint32_t v = (x & 0x7fu) | ((x >> 1) & 0x3f80u) | ((x >> 2) & 0x1fc000u);
    ids[k++] = v & ((1u << (7 * bytes)) - 1);
    q += bytes;
  }
  *n = k;
#else
  (void)stop;
  (void)ids;
  (void)n;
#endif
  return q;
}

static void add_value(hx_sample_buf_t *s, size_t want, uint64_t v) {
  if (s->value_count == want)
    s->value = (int64_t)v;
  s->value_count++;
}

int hx__sample_parse(const uint8_t *data, size_t size, size_t value_index,
                     hx_sample_buf_t *s) {
  /* data may be NULL when size is 0 */
  const uint8_t *p = data, *end = size ? data + size : data;
  s->id_count = 0;
  s->value_count = 0;
  s->value = 0;
  while (p < end) {
    uint32_t number, wt;
    uint64_t v;
    if (key(&p, end, &number, &wt) < 0)
      return HX_EPROTO;
    if (number == 1 && wt == HX_WIRE_LEN) { /* packed location_id */
      const uint8_t *q, *stop;
      if (len_field(&p, end, &q, &stop) < 0)
        return HX_EPROTO;
      /* At most one id per byte: one check instead of one per id. */
      if (hx__grow((void **)&s->ids, &s->id_cap,
                   s->id_count + (size_t)(stop - q), sizeof *s->ids) < 0)
        return HX_ENOMEM;
      uint64_t *ids = s->ids;
      size_t n = s->id_count;
      while (q < stop) {
        q = short_ids(q, stop, ids, &n);
        if (q == stop)
          break;
        if (varint(&q, stop, &v) < 0)
          return HX_EPROTO;
        ids[n++] = v;
      }
      s->id_count = n;
    } else if (number == 1 && wt == HX_WIRE_VARINT) {
      if (varint(&p, end, &v) < 0)
        return HX_EPROTO;
      if (add_id(s, v) < 0)
        return HX_ENOMEM;
    } else if (number == 2 && wt == HX_WIRE_LEN) { /* packed value */
      const uint8_t *q, *stop;
      if (len_field(&p, end, &q, &stop) < 0)
        return HX_EPROTO;
      while (q < stop) {
        if (varint(&q, stop, &v) < 0)
          return HX_EPROTO;
        add_value(s, value_index, v);
      }
    } else if (number == 2 && wt == HX_WIRE_VARINT) {
      if (varint(&p, end, &v) < 0)
        return HX_EPROTO;
      add_value(s, value_index, v);
    } else if (number == 1 || number == 2) {
      return HX_EPROTO; /* a known field with a wrong wire type */
    } else if (skip(&p, end, wt) < 0) {
      return HX_EPROTO;
    }
  }
  return 0;
}

void hx__sample_buf_close(hx_sample_buf_t *s) {
  free(s->ids);
  s->ids = NULL;
  s->id_count = s->id_cap = 0;
}

/* ---- Location and Line ---- */

static int parse_line(const uint8_t *p, const uint8_t *end,
                      hx_location_buf_t *l) {
  uint64_t function_id = 0, line = 0;
  while (p < end) {
    uint32_t number, wt;
    if (key(&p, end, &number, &wt) < 0)
      return HX_EPROTO;
    if (number == 1 || number == 2) {
      if (wt != HX_WIRE_VARINT)
        return HX_EPROTO;
      if (varint(&p, end, number == 1 ? &function_id : &line) < 0)
        return HX_EPROTO;
    } else if (skip(&p, end, wt) < 0) {
      return HX_EPROTO;
    }
  }
  if (l->line_count == l->line_cap &&
      hx__grow((void **)&l->lines, &l->line_cap, l->line_count + 1,
               sizeof *l->lines) < 0)
    return HX_ENOMEM;
  l->lines[l->line_count].function_id = function_id;
  l->lines[l->line_count].line = (int64_t)line;
  l->line_count++;
  return 0;
}

int hx__location_parse(const uint8_t *data, size_t size,
                       hx_location_buf_t *l) {
  /* data may be NULL when size is 0 */
  const uint8_t *p = data, *end = size ? data + size : data;
  l->id = 0;
  l->line_count = 0;
  while (p < end) {
    uint32_t number, wt;
    if (key(&p, end, &number, &wt) < 0)
      return HX_EPROTO;
    if (number == 1) {
      if (wt != HX_WIRE_VARINT || varint(&p, end, &l->id) < 0)
        return HX_EPROTO;
    } else if (number == 4) {
      const uint8_t *q, *stop;
      if (wt != HX_WIRE_LEN || len_field(&p, end, &q, &stop) < 0)
        return HX_EPROTO;
      int rc = parse_line(q, stop, l);
      if (rc < 0)
        return rc;
    } else if (skip(&p, end, wt) < 0) {
      return HX_EPROTO;
    }
  }
  return 0;
}

void hx__location_buf_close(hx_location_buf_t *l) {
  free(l->lines);
  l->lines = NULL;
  l->line_count = l->line_cap = 0;
}

/* ---- messages of varint fields only: Function, ValueType ---- */

int hx__varint_message_parse(const uint8_t *data, size_t size, uint32_t known,
                             uint64_t *fields, size_t field_count) {
  /* data may be NULL when size is 0 */
  const uint8_t *p = data, *end = size ? data + size : data;
  for (size_t i = 0; i < field_count; i++)
    fields[i] = 0;
  while (p < end) {
    uint32_t number, wt;
    if (key(&p, end, &number, &wt) < 0)
      return HX_EPROTO;
    if (number <= known) {
      uint64_t v;
      if (wt != HX_WIRE_VARINT || varint(&p, end, &v) < 0)
        return HX_EPROTO;
      if (number <= field_count)
        fields[number - 1] = v;
    } else if (skip(&p, end, wt) < 0) {
      return HX_EPROTO;
    }
  }
  return 0;
}
