/*
 * pyro_time.c: relative, epoch and RFC 3339 times to ms since the epoch.
 */
#include "pyro_time.h"

#include "error.h"

#include <ctype.h>
#include <string.h>

/* Reads up to max digits at *s; -1 when there is none. */
static int64_t digits(const char **s, int max) {
  int64_t v = 0;
  int n = 0;
  while (n < max && isdigit((unsigned char)**s)) {
    v = v * 10 + (**s - '0');
    (*s)++;
    n++;
  }
  return n ? v : -1;
}

/* now[-N<unit>...]: units s, m, h, d, w, several in a row (1h30m). */
static int relative(const char *s, int64_t now_ms, int64_t *ms) {
  s += 3;
  if (*s == '\0') {
    *ms = now_ms;
    return 0;
  }
  if (*s != '-' || s[1] == '\0')
    return SRV_EINVAL;
  s++;
  int64_t back = 0;
  while (*s) {
    int64_t n = digits(&s, 9);
    int64_t unit;
    switch (n < 0 ? '\0' : *s) {
    case 's': unit = 1000; break;
    case 'm': unit = 60 * 1000; break;
    case 'h': unit = 3600 * 1000; break;
    case 'd': unit = 86400 * 1000; break;
    case 'w': unit = 7 * 86400 * 1000; break;
    default: return SRV_EINVAL;
    }
    s++;
    back += n * unit;
    if (back > (int64_t)3650 * 86400 * 1000)
      return SRV_EINVAL; /* more than ten years back */
  }
  *ms = now_ms - back;
  return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int expect(const char **s, char c) {
  if (**s != c)
    return 0;
  (*s)++;
  return 1;
}

static int rfc3339(const char *s, int64_t *ms) {
  int64_t y = digits(&s, 4), mo, d, h, mi, sec, frac = 0;
  if (y < 0 || !expect(&s, '-') || (mo = digits(&s, 2)) < 1 || mo > 12 ||
      !expect(&s, '-') || (d = digits(&s, 2)) < 1 || d > 31)
    return SRV_EINVAL;
  if (*s != 'T' && *s != 't' && *s != ' ')
    return SRV_EINVAL;
  s++;
  if ((h = digits(&s, 2)) < 0 || h > 23 || !expect(&s, ':') ||
      (mi = digits(&s, 2)) < 0 || mi > 59 || !expect(&s, ':') ||
      (sec = digits(&s, 2)) < 0 || sec > 60)
    return SRV_EINVAL;
  if (expect(&s, '.')) {
    const char *start = s;
    int64_t f = digits(&s, 3);
    if (f < 0)
      return SRV_EINVAL;
    for (long n = s - start; n < 3; n++)
      f *= 10;
    frac = f;
    while (isdigit((unsigned char)*s))
      s++; /* below a millisecond */
  }
  int64_t offset = 0;
  if (*s == 'Z' || *s == 'z') {
    s++;
  } else if (*s == '+' || *s == '-') {
    int sign = *s == '-' ? -1 : 1;
    s++;
    int64_t oh = digits(&s, 2), om;
    if (oh < 0 || oh > 23 || !expect(&s, ':') || (om = digits(&s, 2)) < 0 ||
        om > 59)
      return SRV_EINVAL;
    offset = sign * (oh * 60 + om) * 60;
  } else {
    return SRV_EINVAL;
  }
  if (*s)
    return SRV_EINVAL;
  int64_t secs =
      days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  *ms = secs * 1000 + frac;
  return 0;
}

int srv_pyro_time_parse(const char *s, int64_t now_ms, int64_t *ms) {
  if (strncmp(s, "now", 3) == 0)
    return relative(s, now_ms, ms);
  size_t n = strspn(s, "0123456789");
  if (n > 0 && s[n] == '\0') {
    if (n > 16)
      return SRV_EINVAL;
    const char *p = s;
    int64_t v = digits(&p, 16);
    /* Seconds until the year 5138; 13 digits and more are ms. */
    *ms = n >= 13 ? v : v * 1000;
    return 0;
  }
  return rfc3339(s, ms);
}
