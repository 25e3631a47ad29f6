/*
 * error.c: error codes, their names, and hs__fail, which fills an
 * hs_error_t with a one-line message.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>

const char *hs_strerror(int code) {
  switch (code) {
  case 0: return "success";
  case HS_EINVAL: return "invalid argument";
  case HS_ENOMEM: return "out of memory";
  case HS_ELANG: return "unknown language";
  case HS_ENOGRAMMAR: return "no grammar for the language";
  case HS_EGRAMMAR: return "unusable grammar";
  case HS_EPATTERN: return "pattern does not parse";
  case HS_EQUERY: return "query does not compile";
  case HS_EREGEX: return "regular expression does not compile";
  case HS_EIO: return "cannot read";
  case HS_EBINARY: return "binary file";
  case HS_ETOOBIG: return "too big";
  case HS_ETIMEOUT: return "parse timed out";
  case HS_ECAPTURE: return "no such capture";
  default: return "unknown error";
  }
}

int hs__fail(hs_error_t *err, int code, const char *fmt, ...) {
  if (err == NULL)
    return code;
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  for (char *p = err->message; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  return code;
}
