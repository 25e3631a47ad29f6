/*
 * fixtures.c: profiles and helpers shared by the index unit tests.
 */
#include "fixtures.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

pb_builder_t *fx_go_cpu_builder(void) {
  pb_builder_t *b = pb_builder_new();
  if (!b)
    return NULL;
  pb_add_sample_type(b, "samples", "count");
  pb_add_sample_type(b, "cpu", "nanoseconds");
  return b;
}

void fx_cpu_stack(pb_builder_t *b, size_t n, const uint64_t *locs, int64_t ms) {
  int64_t values[2] = {1, ms * FX_MS};
  pb_add_sample(b, n, locs, 2, values);
}

void fx_cpu_sample(pb_builder_t *b, uint64_t function, int64_t line,
                   int64_t ms) {
  uint64_t loc = pb_add_frame(b, function, line);
  fx_cpu_stack(b, 1, &loc, ms);
}

int fx_worked_example(int gzip, uint8_t **buf, size_t *len) {
  pb_builder_t *b = fx_go_cpu_builder();
  if (!b)
    return -1;
  uint64_t a = pb_add_function(b, "main.A", "/src/a.go");
  uint64_t fb = pb_add_function(b, "main.B", "/src/b.go");
  static const struct {
    int in_b;
    int64_t line, ms;
  } samples[] = {
      {0, 10, 100}, {0, 10, 200}, {0, 13, 200}, {1, 40, 100}, {1, 40, 300},
      {1, 40, 400}, {1, 49, 100}, {1, 49, 100}, {1, 50, 500}, {1, 51, 100},
  };
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
    fx_cpu_sample(b, samples[i].in_b ? fb : a, samples[i].line, samples[i].ms);
  int rc = pb_build_bytes(b, gzip, buf, len);
  pb_builder_free(b);
  return rc;
}

int fx_load(pb_builder_t *b, const hx_options_t *opts, hx_index_t **out,
            hx_error_t *err) {
  uint8_t *buf;
  size_t len;
  *out = NULL;
  if (!b || pb_build_bytes(b, 0, &buf, &len) != 0)
    return -100;
  hx_options_t defaults;
  if (!opts) {
    hx_options_init(&defaults);
    opts = &defaults;
  }
  int rc = hx_index_load_buffer(buf, len, opts, out, err);
  free(buf);
  return rc;
}

int fx_has_word(const char *text, const char *word) {
  size_t n = strlen(word);
  for (; *text; text++) {
    size_t i = 0;
    while (i < n && text[i] &&
           tolower((unsigned char)text[i]) == tolower((unsigned char)word[i]))
      i++;
    if (i == n)
      return 1;
  }
  return 0;
}

long fx_point(const hx_index_t *index, const char *path, uint32_t line) {
  long file = hx_index_find_file(index, path);
  return file < 0 ? -1 : hx_index_line(index, (size_t)file, line);
}

long fx_function(const hx_index_t *index, const char *display) {
  for (size_t i = 0; i < hx_index_function_count(index); i++)
    if (strcmp(hx_index_function(index, i)->display, display) == 0)
      return (long)i;
  return -1;
}
