/*
 * test_messages.c: the readers of a profile's small messages
 * (index/message.c: Sample, Location with its Lines, Function, ValueType)
 * on hand-written bytes: packed and unpacked repeated fields, repeated
 * fields in several pieces, a scalar given twice, unknown fields of every
 * wire type skipped, long varints, and every malformed form they refuse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__})
#define SIZE(...) sizeof((const uint8_t[]){__VA_ARGS__})
#define SAMPLE(s, want, ...)                                                  \
  hx__sample_parse(BYTES(__VA_ARGS__), SIZE(__VA_ARGS__), want, s)

static void test_sample(void) {
  hx_sample_buf_t s;
  memset(&s, 0, sizeof s);
  /* Packed ids (1, 300, 2^35) and packed values (5, -1), value 1 asked. */
  CHECK_INT(SAMPLE(&s, 1, 0x0a, 0x09, 0x01, 0xac, 0x02, 0x80, 0x80, 0x80, 0x80,
                   0x80, 0x01, 0x12, 0x0b, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff,
                   0xff, 0xff, 0xff, 0xff, 0x01),
            0);
  CHECK_INT(s.id_count, 3);
  CHECK_INT(s.ids[0], 1);
  CHECK_INT(s.ids[1], 300);
  CHECK(s.ids[2] == (uint64_t)1 << 35);
  CHECK_INT(s.value_count, 2);
  CHECK_INT(s.value, -1);
  /* Unpacked, in several pieces, with unknown fields of each wire type
   * (varint 3, fixed64 4, bytes 5, fixed32 6) between them. */
  CHECK_INT(SAMPLE(&s, 0, 0x08, 0x07, 0x18, 0x96, 0x01, 0x10, 0x09, 0x21, 1, 2,
                   3, 4, 5, 6, 7, 8, 0x0a, 0x01, 0x08, 0x2a, 0x02, 0x61, 0x62,
                   0x35, 1, 2, 3, 4, 0x10, 0x04),
            0);
  CHECK_INT(s.id_count, 2);
  CHECK_INT(s.ids[0], 7);
  CHECK_INT(s.ids[1], 8);
  CHECK_INT(s.value_count, 2);
  CHECK_INT(s.value, 9);
  /* Empty: no ids, no values; a value index past the values gives 0. */
  CHECK_INT(hx__sample_parse(NULL, 0, 0, &s), 0);
  CHECK_INT(s.id_count, 0);
  CHECK_INT(s.value_count, 0);
  CHECK_INT(SAMPLE(&s, 3, 0x10, 0x05), 0);
  CHECK_INT(s.value, 0);
  CHECK_INT(s.value_count, 1);
  /* A buffer reused for a larger sample grows. */
  uint8_t big[3 + 200];
  big[0] = 0x0a;
  big[1] = 0xc8; /* 200 */
  big[2] = 0x01;
  for (size_t i = 0; i < 200; i++)
    big[3 + i] = (uint8_t)(i % 100 + 1);
  CHECK_INT(hx__sample_parse(big, sizeof big, 0, &s), 0);
  CHECK_INT(s.id_count, 200);
  CHECK_INT(s.ids[199], 100);

  /* Malformed. */
  CHECK_INT(SAMPLE(&s, 0, 0x0a, 0x03, 0x01), HX_EPROTO); /* cut short */
  CHECK_INT(SAMPLE(&s, 0, 0x0a, 0x01, 0x81), HX_EPROTO); /* id cut */
  CHECK_INT(SAMPLE(&s, 0, 0x12, 0x01, 0x81), HX_EPROTO); /* value cut */
  CHECK_INT(SAMPLE(&s, 0, 0x08), HX_EPROTO);             /* no value */
  CHECK_INT(SAMPLE(&s, 0, 0x10, 0x80), HX_EPROTO);       /* value cut */
  CHECK_INT(SAMPLE(&s, 0, 0x09, 1, 2, 3, 4, 5, 6, 7, 8), HX_EPROTO);
  CHECK_INT(SAMPLE(&s, 0, 0x15, 1, 2, 3, 4), HX_EPROTO); /* value fixed32 */
  CHECK_INT(SAMPLE(&s, 0, 0x1b), HX_EPROTO);             /* group */
  CHECK_INT(SAMPLE(&s, 0, 0x00, 0x01), HX_EPROTO);       /* field 0 */
  CHECK_INT(SAMPLE(&s, 0, 0x80), HX_EPROTO);             /* key cut */
  CHECK_INT(SAMPLE(&s, 0, 0x21, 1, 2, 3), HX_EPROTO);    /* fixed64 cut */
  CHECK_INT(SAMPLE(&s, 0, 0x2d, 1, 2, 3), HX_EPROTO);    /* fixed32 cut */
  CHECK_INT(SAMPLE(&s, 0, 0x2a, 0x05, 1), HX_EPROTO);    /* bytes cut */
  CHECK_INT(SAMPLE(&s, 0, 0x18, 0x80), HX_EPROTO);       /* unknown cut */
  /* Eleven bytes of varint. */
  CHECK_INT(SAMPLE(&s, 0, 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                   0x80, 0x80, 0x01),
            HX_EPROTO);
  hx__sample_buf_close(&s);
  hx__sample_buf_close(&s); /* twice is fine */
}

/* Puts v as a varint at p; returns its length. */
static size_t put_varint(uint8_t *p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

/* Packed ids of every varint length, in random order and runs of random
 * length, so that a varint of each length falls at every distance from the
 * end of the field: every one must be read back as written. */
static void test_sample_id_lengths(void) {
  static const uint64_t widths[] = {1, 7, 8, 14, 15, 21, 22, 28, 35, 64};
  hx_sample_buf_t s;
  memset(&s, 0, sizeof s);
  uint64_t want[64];
  uint8_t bytes[3 + 64 * 10];
  uint64_t seed = 42;
  for (int round = 0; round < 2000; round++) {
    size_t count = (size_t)(round % 64) + 1, size = 0;
    uint8_t ids[64 * 10];
    for (size_t i = 0; i < count; i++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      /* Mostly short ids, as in a profile, sometimes long ones. */
      size_t w = (seed >> 33) % 16;
      uint64_t bits = widths[w < 10 ? w : w % 6];
      uint64_t mask = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
      want[i] = (seed ^ (seed >> 29)) & mask;
      size += put_varint(ids + size, want[i]);
    }
    bytes[0] = 0x0a;
    size_t head = 1 + put_varint(bytes + 1, size);
    memcpy(bytes + head, ids, size);
    CHECK_INT(hx__sample_parse(bytes, head + size, 0, &s), 0);
    CHECK_INT(s.id_count, count);
    for (size_t i = 0; i < count && i < s.id_count; i++)
      if (s.ids[i] != want[i]) {
        CHECK(s.ids[i] == want[i]);
        break;
      }
    /* The same field one byte short ends inside its last varint, or
     * drops an id: never a wrong id without an error. */
    bytes[1] = (uint8_t)(bytes[1] - 1);
    if (head == 2 && size > 1 &&
        hx__sample_parse(bytes, head + size - 1, 0, &s) == 0)
      CHECK(s.id_count == count - 1);
  }
  /* Three bytes with continuation bits and more: the general reader's. */
  CHECK_INT(SAMPLE(&s, 0, 0x0a, 0x05, 0x81, 0x81, 0x81, 0x81, 0x01), 0);
  CHECK_INT(s.id_count, 1);
  CHECK(s.ids[0] == (1u | 1u << 7 | 1u << 14 | 1u << 21 | 1u << 28));
  CHECK_INT(SAMPLE(&s, 0, 0x0a, 0x05, 0x81, 0x81, 0x81, 0x81, 0x81),
            HX_EPROTO);
  CHECK_INT(SAMPLE(&s, 0, 0x0a, 0x04, 0x01, 0x01, 0x01, 0x81), HX_EPROTO);
  hx__sample_buf_close(&s);
}

/* Varint fields of every length, each at several distances from the
 * message's end: every one is read back as written, and one cut in its
 * last byte is refused. */
static void test_varint_lengths(void) {
  uint64_t seed = 7;
  for (int round = 0; round < 3000; round++) {
    uint8_t msg[4 * 11 + 11];
    uint64_t want[4];
    size_t size = 0;
    for (uint32_t f = 0; f < 4; f++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      unsigned bits = (unsigned)((seed >> 33) % 65);
      uint64_t v = seed ^ (seed << 17) ^ (seed >> 21);
      want[f] = bits == 64 ? v : v & (((uint64_t)1 << bits) - 1);
      msg[size++] = (uint8_t)((f + 1) << 3); /* field f + 1, varint */
      size += put_varint(msg + size, want[f]);
    }
    /* An unknown varint field (6) of another length after them, or none. */
    if (round % 3) {
      msg[size++] = 6 << 3;
      size += put_varint(msg + size, seed >> (round % 64));
    }
    uint64_t got[4];
    CHECK_INT(hx__varint_message_parse(msg, size, 5, got, 4), 0);
    for (int f = 0; f < 4; f++)
      if (got[f] != want[f]) {
        CHECK(got[f] == want[f]);
        break;
      }
    /* Cut in its last varint: refused. */
    if (msg[size - 1] < 0x80 && size > 1 && msg[size - 2] >= 0x80)
      CHECK_INT(hx__varint_message_parse(msg, size - 1, 5, got, 4), HX_EPROTO);
  }
}

#define LOCATION(l, ...)                                                      \
  hx__location_parse(BYTES(__VA_ARGS__), SIZE(__VA_ARGS__), l)

static void test_location(void) {
  hx_location_buf_t l;
  memset(&l, 0, sizeof l);
  /* id 5 given twice (the last wins), mapping 2 and address skipped, two
   * lines (function 3 line 10 with a column; function 4 line -1), a
   * folded flag skipped. */
  CHECK_INT(LOCATION(&l, 0x08, 0x01, 0x10, 0x02, 0x18, 0xff, 0x01, 0x22, 0x06,
                     0x08, 0x03, 0x10, 0x0a, 0x18, 0x02, 0x22, 0x0d, 0x08,
                     0x04, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                     0xff, 0xff, 0x01, 0x28, 0x01, 0x08, 0x05),
            0);
  CHECK_INT(l.id, 5);
  CHECK_INT(l.line_count, 2);
  CHECK_INT(l.lines[0].function_id, 3);
  CHECK_INT(l.lines[0].line, 10);
  CHECK_INT(l.lines[1].function_id, 4);
  CHECK_INT(l.lines[1].line, -1);
  /* An empty line and no id. */
  CHECK_INT(LOCATION(&l, 0x22, 0x00), 0);
  CHECK_INT(l.id, 0);
  CHECK_INT(l.line_count, 1);
  CHECK_INT(l.lines[0].function_id, 0);
  /* Many lines grow the buffer. */
  uint8_t many[2 * 40];
  for (size_t i = 0; i < 40; i++) {
    many[2 * i] = 0x22;
    many[2 * i + 1] = 0x00;
  }
  CHECK_INT(hx__location_parse(many, sizeof many, &l), 0);
  CHECK_INT(l.line_count, 40);

  CHECK_INT(LOCATION(&l, 0x0a, 0x00), HX_EPROTO);             /* id as bytes */
  CHECK_INT(LOCATION(&l, 0x08, 0x80), HX_EPROTO);             /* id cut */
  CHECK_INT(LOCATION(&l, 0x20, 0x01), HX_EPROTO);             /* line varint */
  CHECK_INT(LOCATION(&l, 0x22, 0x05, 0x08), HX_EPROTO);       /* line cut */
  CHECK_INT(LOCATION(&l, 0x22, 0x02, 0x0a, 0x00), HX_EPROTO); /* fn bytes */
  CHECK_INT(LOCATION(&l, 0x22, 0x01, 0x10), HX_EPROTO); /* line no value */
  CHECK_INT(LOCATION(&l, 0x22, 0x02, 0x00, 0x00), HX_EPROTO); /* field 0 */
  CHECK_INT(LOCATION(&l, 0x22, 0x01, 0x1b), HX_EPROTO); /* group in line */
  CHECK_INT(LOCATION(&l, 0x00), HX_EPROTO);             /* field 0 */
  CHECK_INT(LOCATION(&l, 0x2b), HX_EPROTO);             /* group */
  hx__location_buf_close(&l);
}

static void test_varint_message(void) {
  uint64_t f[4];
  /* Function: id 7, name 2, system_name 3, filename 4, start_line 9, an
   * unknown bytes field 6; the name given twice. */
  const uint8_t fn[] = {0x08, 0x07, 0x10, 0x01, 0x18, 0x03, 0x20, 0x04,
                        0x28, 0x09, 0x32, 0x01, 0x00, 0x10, 0x02};
  CHECK_INT(hx__varint_message_parse(fn, sizeof fn, 5, f, 4), 0);
  CHECK_INT(f[0], 7);
  CHECK_INT(f[1], 2);
  CHECK_INT(f[2], 3);
  CHECK_INT(f[3], 4);
  CHECK_INT(hx__varint_message_parse(NULL, 0, 5, f, 4), 0);
  CHECK_INT(f[0] | f[1] | f[2] | f[3], 0);
  const uint8_t start_line_bytes[] = {0x2a, 0x00}; /* known field, LEN */
  CHECK_INT(hx__varint_message_parse(start_line_bytes, sizeof start_line_bytes,
                                     5, f, 4),
            HX_EPROTO);
  const uint8_t cut[] = {0x08};
  CHECK_INT(hx__varint_message_parse(cut, sizeof cut, 5, f, 4), HX_EPROTO);
  const uint8_t bad_key[] = {0x07};
  CHECK_INT(hx__varint_message_parse(bad_key, sizeof bad_key, 2, f, 2),
            HX_EPROTO);
  const uint8_t unknown_cut[] = {0x3a, 0x04, 0x00};
  CHECK_INT(hx__varint_message_parse(unknown_cut, sizeof unknown_cut, 2, f, 2),
            HX_EPROTO);
}

int main(void) {
  test_sample();
  test_sample_id_lengths();
  test_varint_lengths();
  test_location();
  test_varint_message();
  CHECK_DONE();
}
