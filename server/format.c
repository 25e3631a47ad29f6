/*
 * format.c: values and strings in heatls's text outputs.
 */
#include "format.h"
#include "text_buf.h"

#include <string.h>

void fmt_json_string(FILE *out, const char *s) {
  char storage[256];
  text_buf_t t;
  text_buf_init_file(&t, out, storage, sizeof storage);
  text_buf_json_string(&t, s);
  text_buf_flush(&t);
}

double fmt_seconds(int64_t ns) {
  int64_t whole = ns / 1000000000, frac = ns % 1000000000;
  return (double)whole + (double)frac / 1e9;
}

int64_t fmt_to_ns(int64_t value, const hx_summary_t *summary) {
  int64_t ns;
  if (__builtin_mul_overflow(value, summary->ns_per_unit, &ns))
    return value < 0 ? INT64_MIN : INT64_MAX;
  return ns;
}

/* The value into t: "3.97s", "12.50MiB", "1234". */
static void put_value(text_buf_t *t, int64_t value,
                      const hx_summary_t *summary) {
  switch (summary->unit_kind) {
  case HX_UNIT_TIME:
    text_buf_fixed(t, fmt_seconds(fmt_to_ns(value, summary)), 2, false);
    text_buf_char(t, 's');
    return;
  case HX_UNIT_BYTES: {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)value;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
      v /= 1024;
      u++;
    }
    if (u == 0)
      text_buf_i64(t, value);
    else
      text_buf_fixed(t, v, 2, false);
    text_buf_str(t, units[u]);
    return;
  }
  default: text_buf_i64(t, value);
  }
}

void fmt_value(char *buf, size_t size, int64_t value,
               const hx_summary_t *summary) {
  text_buf_t t;
  text_buf_init_array(&t, buf, size);
  put_value(&t, value, summary);
  text_buf_cstr(&t);
}

void fmt_signed_value(char *buf, size_t size, int64_t value,
                      const hx_summary_t *summary) {
  text_buf_t t;
  text_buf_init_array(&t, buf, size);
  text_buf_char(&t, value < 0 ? '-' : '+');
  put_value(&t, value < 0 ? -value : value, summary);
  text_buf_cstr(&t);
}

void fmt_own_change(char *buf, size_t size, int64_t now, int64_t base) {
  text_buf_t t;
  text_buf_init_array(&t, buf, size);
  if (base == 0) {
    text_buf_str(&t, "new");
  } else if (now == 0) {
    text_buf_str(&t, "gone");
  } else {
    text_buf_fixed(&t, 100.0 * ((double)now - (double)base) / (double)base, 1,
                   true);
    text_buf_char(&t, '%');
  }
  text_buf_cstr(&t);
}

void fmt_of_base(char *buf, size_t size, int64_t delta,
                 const hx_summary_t *summary) {
  text_buf_t t;
  text_buf_init_array(&t, buf, size);
  if (summary->base_total == 0) {
    text_buf_str(&t, "n/a");
  } else {
    text_buf_fixed(&t, 100.0 * (double)delta / (double)summary->base_total, 2,
                   true);
    text_buf_char(&t, '%');
  }
  text_buf_cstr(&t);
}
