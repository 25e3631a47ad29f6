/*
 * regex.c: line regexes. A POSIX extended regular expression (glibc's
 * regcomp) is run on each line of a file, without its newline; a line
 * with a hit is one match (^ and $ anchor at the line's ends).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct hs_regex {
  regex_t re;
};

int hs__regex_new(const char *text, hs_regex_t **out, hs_error_t *err) {
  *out = NULL;
  if (strlen(text) > HS_MAX_PATTERN)
    return hs__fail(err, HS_EREGEX, "regex longer than %zu bytes",
                    HS_MAX_PATTERN);
  hs_regex_t *r = malloc(sizeof *r);
  if (r == NULL)
    return hs__fail(err, HS_ENOMEM, "out of memory");
  int rc = regcomp(&r->re, text, REG_EXTENDED | REG_NEWLINE);
  if (rc != 0) {
    char why[200];
    regerror(rc, &r->re, why, sizeof why);
    free(r);
    return hs__fail(err, HS_EREGEX, "regex does not compile: %s", why);
  }
  *out = r;
  return 0;
}

void hs__regex_free(hs_regex_t *re) {
  if (re == NULL)
    return;
  regfree(&re->re);
  free(re);
}

int hs__regex_run(const hs_regex_t *re, const char *text, size_t len,
                  hs_result_t *out, hs_error_t *err) {
  uint32_t line = 1;
  for (size_t at = 0; at < len; line++) {
    const char *nl = memchr(text + at, '\n', len - at);
    size_t end = nl ? (size_t)(nl - text) : len;
    size_t stop = end > at && text[end - 1] == '\r' ? end - 1 : end;
    regmatch_t m[1];
    m[0].rm_so = (regoff_t)at;
    m[0].rm_eo = (regoff_t)stop;
    if (regexec(&re->re, text, 1, m, REG_STARTEND) == 0) {
      int rc = hs__result_add(out, (uint32_t)at, (uint32_t)stop, line, line);
      if (rc == HS_ETOOBIG)
        return hs__fail(err, rc, "more than %zu matches in one file",
                        HS_MAX_MATCHES);
      if (rc < 0)
        return hs__fail(err, HS_ENOMEM, "out of memory");
    }
    at = end + 1;
  }
  return 0;
}
