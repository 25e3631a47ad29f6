/*
 * format.c: values and strings in heatls's text outputs.
 */
#include "format.h"

#include <string.h>

/* Length of the UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t utf8_length(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  unsigned min;
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  unsigned cp = c & (0x7f >> len);
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

/* Writes the run [from, to) of bytes that need no escape in one call:
 * most strings are one such run, and a byte at a time through stdio costs
 * more than the rest of a line of output. */
static void flush_run(FILE *out, const unsigned char *from,
                      const unsigned char *to) {
  if (to > from)
    fwrite(from, 1, (size_t)(to - from), out);
}

void fmt_json_string(FILE *out, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  const unsigned char *run = p;
  fputc('"', out);
  for (size_t i = 0; i < n;) {
    unsigned c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      i++;
      continue;
    }
    size_t len = c >= 0x80 ? utf8_length(p + i, n - i) : 0;
    if (len > 0) { /* valid UTF-8 goes as it is */
      i += len;
      continue;
    }
    flush_run(out, run, p + i);
    if (c == '"' || c == '\\') {
      fputc('\\', out);
      fputc((int)c, out);
    } else if (c < 0x20 || c == 0x7f) {
      const char *esc = c == '\n'   ? "\\n"
                        : c == '\t' ? "\\t"
                        : c == '\r' ? "\\r"
                        : c == '\b' ? "\\b"
                        : c == '\f' ? "\\f"
                                    : NULL;
      if (esc)
        fputs(esc, out);
      else
        fprintf(out, "\\u%04x", c);
    } else {
      fputs("\\ufffd", out); /* a byte of invalid UTF-8 */
    }
    i++;
    run = p + i;
  }
  flush_run(out, run, p + n);
  fputc('"', out);
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
