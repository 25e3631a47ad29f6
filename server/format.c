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

void fmt_value(char *buf, size_t size, int64_t value,
               const hx_summary_t *summary) {
  switch (summary->unit_kind) {
  case HX_UNIT_TIME:
    snprintf(buf, size, "%.2fs", fmt_seconds(fmt_to_ns(value, summary)));
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
      snprintf(buf, size, "%lldB", (long long)value);
    else
      snprintf(buf, size, "%.2f%s", v, units[u]);
    return;
  }
  default: snprintf(buf, size, "%lld", (long long)value);
  }
}

void fmt_signed_value(char *buf, size_t size, int64_t value,
                      const hx_summary_t *summary) {
  char abs[62];
  fmt_value(abs, sizeof abs, value < 0 ? -value : value, summary);
  snprintf(buf, size, "%c%s", value < 0 ? '-' : '+', abs);
}

void fmt_own_change(char *buf, size_t size, int64_t now, int64_t base) {
  if (base == 0)
    snprintf(buf, size, "new");
  else if (now == 0)
    snprintf(buf, size, "gone");
  else
    snprintf(buf, size, "%+.1f%%",
             100.0 * ((double)now - (double)base) / (double)base);
}

void fmt_of_base(char *buf, size_t size, int64_t delta,
                 const hx_summary_t *summary) {
  if (summary->base_total == 0)
    snprintf(buf, size, "n/a");
  else
    snprintf(buf, size, "%+.2f%%",
             100.0 * (double)delta / (double)summary->base_total);
}
