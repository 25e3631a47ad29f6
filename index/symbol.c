/*
 * symbol.c: Go symbol names -> (package, type, function), the key
 * perf-heatmap gives a frame, and Go's filepath.Base.
 *
 * The rules are the reference's, quirks included (docs/levels.md and SPEC.md
 * section 4 list them): closures fold into their enclosing function, a pointer
 * receiver loses its '*', a generic name breaks at the first dot inside
 * "[...]". Where the reference would panic, the name comes back without a
 * package.
 */
#include "symbol.h"

#include <stdbool.h>
#include <string.h>

static hx_slice_t slice(const char *p, size_t n) {
  hx_slice_t s = {p, n};
  return s;
}

static const char *find_char(const char *s, size_t n, char c) {
  return n ? memchr(s, c, n) : NULL;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Strips closure suffixes (".func2", ".3", a bare ".") from the end of
 * s[0..*len), repeatedly. False where the reference panics: an empty
 * string or one of digits only. */
static bool trim_lambda(const char *s, size_t *len) {
  for (;;) {
    size_t n = *len;
    if (n == 0)
      return false;
    size_t i = n;
    while (i > 0 && is_digit(s[i - 1]))
      i--;
    if (i == 0)
      return false;
    if (s[i - 1] == '.') {
      *len = i - 1;
      continue;
    }
    if (i >= 5 && memcmp(s + i - 5, ".func", 5) == 0) {
      *len = i - 5;
      continue;
    }
    return true;
  }
}

void hx__symbol_parse(const char *name, size_t len, hx_symbol_t *out) {
  memset(out, 0, sizeof *out);
  const char *rest = name;
  size_t rest_len = len;
  for (size_t i = len; i > 0; i--) {
    if (name[i - 1] == '/') {
      rest = name + i;
      rest_len = len - i;
      break;
    }
  }
  const char *dot = find_char(rest, rest_len, '.');
  if (!dot) {
    out->func = slice(name, len);
    return;
  }
  hx_slice_t package = slice(rest, (size_t)(dot - rest));
  rest_len -= (size_t)(dot - rest) + 1;
  rest = dot + 1;

  if (rest_len > 0 && rest[0] == '(') {
    size_t skip = rest_len > 1 && rest[1] == '*' ? 2 : 1;
    const char *close = find_char(rest, rest_len, ')');
    if (!close)
      return; /* "pkg.(*T": nothing at all */
    size_t at = (size_t)(close - rest);
    /* The function name starts two bytes after ')', past ")." */
    if (at + 2 > rest_len)
      return; /* the reference panics: "pkg.(T)", "pkg.()" */
    size_t func_len = rest_len - at - 2;
    if (!trim_lambda(rest + at + 2, &func_len))
      return; /* the reference panics: "pkg.(T).", "pkg.(*T).1" */
    out->package = package;
    out->type = slice(rest + skip, at - skip);
    out->func = slice(rest + at + 2, func_len);
    return;
  }
  if (!trim_lambda(rest, &rest_len))
    return; /* the reference panics: "pkg.", "pkg.123" */
  out->package = package;
  const char *inner = find_char(rest, rest_len, '.');
  if (inner) {
    out->type = slice(rest, (size_t)(inner - rest));
    out->func = slice(inner + 1, rest_len - (size_t)(inner - rest) - 1);
  } else {
    out->func = slice(rest, rest_len);
  }
}

hx_slice_t hx__path_base(const char *path, size_t len) {
  if (len == 0)
    return slice(".", 1);
  while (len > 0 && path[len - 1] == '/')
    len--;
  if (len == 0)
    return slice("/", 1);
  size_t start = len;
  while (start > 0 && path[start - 1] != '/')
    start--;
  return slice(path + start, len - start);
}
