/*
 * text_buf.c: the text buffer (text_buf.h).
 */
#include "text_buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void text_buf_init_file(text_buf_t *t, FILE *sink, char *storage,
                        size_t size) {
  *t = (text_buf_t){.data = storage, .cap = size, .sink = sink};
}

void text_buf_init_mem(text_buf_t *t, size_t max) {
  *t = (text_buf_t){.max = max};
}

void text_buf_init_array(text_buf_t *t, char *buf, size_t size) {
  *t = (text_buf_t){
      .data = buf, .cap = size - 1, .max = size - 1, .fixed = true};
  buf[0] = '\0';
}

const char *text_buf_cstr(text_buf_t *t) {
  t->data[t->len] = '\0'; /* cap is one less than the array */
  return t->data;
}

void text_buf_flush(text_buf_t *t) {
  if (t->sink && t->len > 0)
    fwrite(t->data, 1, t->len, t->sink);
  if (t->sink)
    t->len = 0;
}

bool text_buf_reserve(text_buf_t *t, size_t n) {
  if (t->cap - t->len >= n)
    return true;
  if (t->sink) {
    text_buf_flush(t);
    return n <= t->cap;
  }
  if (t->failed)
    return false;
  if (n > t->max - t->len || t->fixed) {
    t->failed = true;
    return false;
  }
  size_t cap = t->cap ? t->cap : 256;
  while (cap - t->len < n)
    cap *= 2;
  if (cap > t->max)
    cap = t->max;
  /* One byte more than cap, for text_buf_take's NUL. */
  char *data = realloc(t->data, cap + 1);
  if (!data) {
    t->failed = true;
    return false;
  }
  t->data = data;
  t->cap = cap;
  return true;
}

void text_buf_put_more(text_buf_t *t, const char *s, size_t n) {
  if (text_buf_reserve(t, n)) {
    memcpy(t->data + t->len, s, n);
    t->len += n;
  } else if (t->sink) { /* more than the whole buffer: written as it is */
    fwrite(s, 1, n, t->sink);
  } else if (t->fixed) { /* what fits, as snprintf cuts a text */
    memcpy(t->data + t->len, s, t->cap - t->len);
    t->len = t->cap;
  }
}

void text_buf_str(text_buf_t *t, const char *s) {
  text_buf_put(t, s, strlen(s));
}

/* Two digits at a time, from the end. */
static const char digit_pairs[] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

void text_buf_u64(text_buf_t *t, uint64_t v) {
  char tmp[20]; /* UINT64_MAX has 20 digits */
  char *end = tmp + sizeof tmp, *p = end;
  while (v >= 100) {
    unsigned pair = (unsigned)(v % 100) * 2;
    v /= 100;
    *--p = digit_pairs[pair + 1];
    *--p = digit_pairs[pair];
  }
  if (v >= 10) {
    *--p = digit_pairs[v * 2 + 1];
    *--p = digit_pairs[v * 2];
  } else {
    *--p = (char)('0' + v);
  }
  text_buf_put(t, p, (size_t)(end - p));
}

void text_buf_i64(text_buf_t *t, int64_t v) {
  if (v < 0) {
    text_buf_char(t, '-');
    /* INT64_MIN's magnitude does not fit an int64; it does a uint64. */
    text_buf_u64(t, -(uint64_t)v);
    return;
  }
  text_buf_u64(t, (uint64_t)v);
}

/* |x| * 10^decimals rounded half to even, for a finite |x| below 1e15:
 * |x| is m * 2^e with an integer m below 2^53, so that m * 10^decimals
 * (below 2^63) is exact and the rounding is a shift and a compare. */
static uint64_t scaled_rounded(double x, uint64_t pow10) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  unsigned exp_field = (unsigned)(bits >> 52) & 0x7ff;
  uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
  int e = -1074; /* subnormal */
  if (exp_field) {
    m |= UINT64_C(1) << 52;
    e = (int)exp_field - 1075;
  }
  uint64_t p = m * pow10;
  if (e >= 0) /* not below 1e15: the caller keeps x smaller */
    return p << e;
  unsigned shift = (unsigned)-e;
  if (shift >= 64)
    return 0; /* p < 2^63 is below half of 2^shift */
  uint64_t whole = p >> shift;
  uint64_t rest = p & ((UINT64_C(1) << shift) - 1);
  uint64_t half = UINT64_C(1) << (shift - 1);
  if (rest > half || (rest == half && (whole & 1)))
    whole++;
  return whole;
}

void text_buf_fixed(text_buf_t *t, double x, int decimals, bool plus) {
  static const uint64_t pow10[] = {1, 10, 100, 1000};
  if (decimals < 0 || decimals > 3 || !isfinite(x) || fabs(x) >= 1e15) {
    text_buf_printf(t, plus ? "%+.*f" : "%.*f", decimals, x);
    return;
  }
  uint64_t whole = scaled_rounded(fabs(x), pow10[decimals]);
  if (signbit(x))
    text_buf_char(t, '-');
  else if (plus)
    text_buf_char(t, '+');
  uint64_t unit = pow10[decimals];
  text_buf_u64(t, whole / unit);
  if (decimals > 0) {
    char frac[4];
    uint64_t f = whole % unit;
    for (int i = decimals - 1; i >= 0; i--, f /= 10)
      frac[i] = (char)('0' + f % 10);
    text_buf_char(t, '.');
    text_buf_put(t, frac, (size_t)decimals);
  }
}

void text_buf_printf(text_buf_t *t, const char *fmt, ...) {
  char small[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n < sizeof small) {
    text_buf_put(t, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) {
    if (!t->sink)
      t->failed = true;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  text_buf_put(t, big, (size_t)n);
  free(big);
}

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

void text_buf_json_string(text_buf_t *t, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  const unsigned char *run = p; /* bytes that need no escape, not yet put */
  text_buf_char(t, '"');
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
    text_buf_put(t, (const char *)run, (size_t)(p + i - run));
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      text_buf_put(t, esc, 2);
    } else if (c < 0x20 || c == 0x7f) {
      const char *esc = c == '\n'   ? "\\n"
                        : c == '\t' ? "\\t"
                        : c == '\r' ? "\\r"
                        : c == '\b' ? "\\b"
                        : c == '\f' ? "\\f"
                                    : NULL;
      if (esc)
        text_buf_str(t, esc);
      else
        text_buf_printf(t, "\\u%04x", c);
    } else {
      text_buf_str(t, "\\ufffd"); /* a byte of invalid UTF-8 */
    }
    i++;
    run = p + i;
  }
  text_buf_put(t, (const char *)run, (size_t)(p + n - run));
  text_buf_char(t, '"');
}

char *text_buf_take(text_buf_t *t, size_t *len) {
  char *data = NULL;
  if (!t->sink && !t->data && !t->failed) /* nothing was written */
    t->data = malloc(1);
  if (!t->sink && !t->failed && t->data) {
    t->data[t->len] = '\0'; /* the byte past cap is there for it */
    data = t->data;
    *len = t->len;
    t->data = NULL;
  }
  text_buf_close(t);
  return data;
}

void text_buf_close(text_buf_t *t) {
  if (!t->sink && !t->fixed)
    free(t->data);
  t->data = NULL;
  t->len = t->cap = 0;
}
