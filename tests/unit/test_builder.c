/*
 * test_builder.c: the test profile builder itself (tests/support). Its
 * output is unpacked with protobuf-c and inflated with zlib, so that the
 * index tests can trust what they feed the index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <zlib.h>

#include "check.h"
#include "profile.pb-c.h"
#include "profile_builder.h"

typedef Perftools__Profiles__Profile profile_t;

static profile_t *unpack(pb_builder_t *b) {
  uint8_t *buf = NULL;
  size_t len = 0;
  CHECK_INT(pb_build_bytes(b, 0, &buf, &len), 0);
  if (!buf)
    return NULL;
  profile_t *p = perftools__profiles__profile__unpack(NULL, len, buf);
  free(buf);
  CHECK(p != NULL);
  return p;
}

/* Inflates a gzip stream whole; returns the size or -1 (-2 on a data
 * error such as a bad CRC). */
static long gunzip(const uint8_t *gz, size_t len, uint8_t *out, size_t cap) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, 31) != Z_OK)
    return -1;
  z.next_in = (Bytef *)gz;
  z.avail_in = (uInt)len;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rc = inflate(&z, Z_FINISH);
  long n = (long)z.total_out;
  inflateEnd(&z);
  if (rc == Z_DATA_ERROR)
    return -2;
  return rc == Z_STREAM_END ? n : -1;
}

static void test_tables(void) {
  pb_builder_t *b = pb_builder_new();
  CHECK(b != NULL);
  if (!b)
    return;
  CHECK_INT(pb_string_count(b), 1);
  CHECK_INT(pb_intern(b, ""), 0);
  pb_add_sample_type(b, "samples", "count");
  pb_add_sample_type(b, "cpu", "nanoseconds");
  pb_set_default_sample_type(b, "cpu");
  CHECK_INT(pb_intern(b, "cpu"), 3);
  uint64_t f = pb_add_function(b, "main.f", "/src/f.go");
  uint64_t g = pb_add_function(b, "main.g", "/src/f.go");
  CHECK_INT(f, 1);
  CHECK_INT(g, 2);
  const pb_line_t lines[] = {{g, 7}, {f, -3}};
  uint64_t l1 = pb_add_location(b, 2, lines);
  uint64_t l2 = pb_add_frame(b, f, 9);
  CHECK_INT(l1, 1);
  CHECK_INT(l2, 2);
  const uint64_t stack[] = {l1, l2};
  const int64_t values[] = {1, 10000000};
  pb_add_sample(b, 2, stack, 2, values);
  pb_add_sample(b, 0, NULL, 1, values);
  CHECK_INT(pb_failed(b), 0);

  profile_t *p = unpack(b);
  pb_builder_free(b);
  if (!p)
    return;
  /* "", samples, count, cpu, nanoseconds, main.f, /src/f.go, main.g */
  CHECK_INT(p->n_string_table, 8);
  if (p->n_string_table == 8) {
    CHECK_STR(p->string_table[0], "");
    CHECK_STR(p->string_table[3], "cpu");
    CHECK_STR(p->string_table[6], "/src/f.go");
  }
  CHECK_INT(p->default_sample_type, 3);
  CHECK_INT(p->n_sample_type, 2);
  if (p->n_sample_type == 2) {
    CHECK_INT(p->sample_type[1]->type, 3);
    CHECK_INT(p->sample_type[1]->unit, 4);
  }
  CHECK_INT(p->n_function, 2);
  if (p->n_function == 2) {
    CHECK_INT(p->function[1]->id, 2);
    CHECK_INT(p->function[1]->name, 7);
    CHECK_INT(p->function[1]->system_name, 7);
    CHECK_INT(p->function[1]->filename, 6);
  }
  CHECK_INT(p->n_location, 2);
  if (p->n_location == 2) {
    CHECK_INT(p->location[0]->id, 1);
    CHECK_INT(p->location[0]->n_line, 2);
    if (p->location[0]->n_line == 2) {
      CHECK_INT(p->location[0]->line[0]->function_id, 2);
      CHECK_INT(p->location[0]->line[0]->line, 7);
      CHECK_INT(p->location[0]->line[1]->function_id, 1);
      CHECK_INT(p->location[0]->line[1]->line, -3);
    }
  }
  CHECK_INT(p->n_sample, 2);
  if (p->n_sample == 2) {
    CHECK_INT(p->sample[0]->n_location_id, 2);
    CHECK_INT(p->sample[0]->location_id[1], 2);
    CHECK_INT(p->sample[0]->n_value, 2);
    CHECK_INT(p->sample[0]->value[1], 10000000);
    CHECK_INT(p->sample[1]->n_location_id, 0);
    CHECK_INT(p->sample[1]->n_value, 1);
  }
  perftools__profiles__profile__free_unpacked(p, NULL);
}

static void test_raw_setters(void) {
  pb_builder_t *b = pb_builder_new();
  uint64_t f = pb_add_function(b, "main.f", "/src/f.go");
  uint64_t loc = pb_add_frame(b, f, 1);
  pb_set_function_id(b, f, 0);
  pb_set_function_name_index(b, f, 42);
  pb_set_function_filename_index(b, f, -1);
  pb_set_location_id(b, loc, 7);
  pb_set_default_sample_type_index(b, 99);
  profile_t *p = unpack(b);
  pb_builder_free(b);
  if (p && p->n_function == 1 && p->n_location == 1) {
    CHECK_INT(p->function[0]->id, 0);
    CHECK_INT(p->function[0]->name, 42);
    CHECK_INT(p->function[0]->filename, -1);
    CHECK_INT(p->location[0]->id, 7);
    CHECK_INT(p->default_sample_type, 99);
  }
  if (p)
    perftools__profiles__profile__free_unpacked(p, NULL);

  /* An unknown handle marks the builder failed; so does everything after. */
  b = pb_builder_new();
  pb_set_function_id(b, 5, 1);
  CHECK_INT(pb_failed(b), 1);
  CHECK_INT(pb_add_function(b, "main.f", "/src/f.go"), 0);
  uint8_t *buf = (uint8_t *)"x";
  size_t len = 1;
  CHECK_INT(pb_build_bytes(b, 0, &buf, &len), -1);
  CHECK(buf == NULL);
  CHECK_INT(len, 0);
  pb_builder_free(b);
}

static void test_gzip(void) {
  pb_builder_t *b = pb_builder_new();
  pb_add_sample_type(b, "cpu", "nanoseconds");
  uint8_t *raw = NULL, *gz = NULL;
  size_t raw_len = 0, gz_len = 0;
  CHECK_INT(pb_build_bytes(b, 0, &raw, &raw_len), 0);
  CHECK_INT(pb_build_bytes(b, 1, &gz, &gz_len), 0);
  pb_builder_free(b);
  if (!raw || !gz)
    goto done;
  CHECK(gz_len > 18 && gz[0] == 0x1f && gz[1] == 0x8b && gz[2] == 8);
  uint8_t out[256];
  CHECK_INT(gunzip(gz, gz_len, out, sizeof out), raw_len);
  CHECK(memcmp(out, raw, raw_len) == 0);

  CHECK_INT(pb_gzip_flip_crc(gz, gz_len), 0);
  CHECK_INT(gunzip(gz, gz_len, out, sizeof out), -2);
  CHECK_INT(pb_gzip_flip_crc(gz, 17), -1);

  uint8_t *cut = NULL;
  CHECK_INT(pb_truncate(gz, gz_len, 5, &cut), 0);
  if (cut)
    CHECK(memcmp(cut, gz, 5) == 0);
  free(cut);
  CHECK_INT(pb_truncate(gz, gz_len, gz_len + 1, &cut), -1);
  CHECK(cut == NULL);
done:
  free(raw);
  free(gz);
}

static void test_zeros(void) {
  const uint64_t size = (uint64_t)8 << 20;
  uint8_t *bomb = NULL;
  size_t len = 0;
  CHECK_INT(pb_gzip_zeros(size, &bomb, &len), 0);
  if (!bomb)
    return;
  CHECK(len > 0 && len < 64 * 1024);
  uint8_t *out = malloc(size + 1);
  if (out) {
    CHECK_INT(gunzip(bomb, len, out, size + 1), size);
    size_t nonzero = 0;
    for (size_t i = 0; i < size; i++)
      nonzero += out[i] != 0;
    CHECK_INT(nonzero, 0);
  }
  free(out);
  free(bomb);

  /* A two-byte unit: 5 bytes are 32 00 32 00 32. */
  static const uint8_t unit[2] = {0x32, 0x00};
  uint8_t back[8];
  CHECK_INT(pb_gzip_repeat(unit, 2, 5, &bomb, &len), 0);
  if (bomb) {
    CHECK_INT(gunzip(bomb, len, back, sizeof back), 5);
    static const uint8_t want[5] = {0x32, 0x00, 0x32, 0x00, 0x32};
    CHECK(memcmp(back, want, 5) == 0);
  }
  free(bomb);
  CHECK_INT(pb_gzip_repeat(unit, 0, 5, &bomb, &len), -1);
}

static void test_random_and_files(void) {
  uint8_t *x = NULL, *y = NULL, *z = NULL;
  CHECK_INT(pb_random_bytes(7, 64, &x), 0);
  CHECK_INT(pb_random_bytes(7, 64, &y), 0);
  CHECK_INT(pb_random_bytes(8, 64, &z), 0);
  if (x && y && z) {
    CHECK(memcmp(x, y, 64) == 0);
    CHECK(memcmp(x, z, 64) != 0);
  }

  char path[256];
  CHECK_INT(pb_write_temp(x, 64, path, sizeof path), 0);
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  if (f) {
    uint8_t back[65];
    CHECK_INT(fread(back, 1, sizeof back, f), 64);
    CHECK(memcmp(back, x, 64) == 0);
    fclose(f);
  }
  CHECK_INT(unlink(path), 0);
  CHECK_INT(pb_write_temp(x, 64, path, 8), -1); /* path buffer too small */

  char dir[256];
  CHECK_INT(pb_make_temp_dir(dir, sizeof dir), 0);
  CHECK_INT(rmdir(dir), 0);
  free(x);
  free(y);
  free(z);
}

int main(void) {
  test_tables();
  test_raw_setters();
  test_gzip();
  test_zeros();
  test_random_and_files();
  CHECK_DONE();
}
