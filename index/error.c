/*
 * error.c: the index's error codes, their names, and filling hx_error_t.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *hx_strerror(int code) {
  switch (code) {
  case 0: return "success";
  case HX_EIO: return "cannot read the file";
  case HX_EGZIP: return "corrupt gzip data";
  case HX_ETOOBIG: return "over a size limit";
  case HX_EPROTO: return "not a profile.proto message";
  case HX_EPROFILE: return "inconsistent profile";
  case HX_ESAMPLETYPE: return "no such sample type";
  case HX_ENOSAMPLES: return "no usable samples";
  case HX_EINVAL: return "invalid argument";
  case HX_ENOMEM: return "out of memory";
  default: return "unknown error";
  }
}

static int set_message(hx_error_t *err, int code, const char *fmt,
                       va_list ap) {
  if (!err)
    return code;
  err->code = code;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  /* The message is one line whatever went into it (a file name, say). */
  for (char *p = err->message; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  return code;
}

int hx_error_set(hx_error_t *err, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_message(err, code, fmt, ap);
  va_end(ap);
  return code;
}

int hx__fail(hx_error_t *err, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_message(err, code, fmt, ap);
  va_end(ap);
  return code;
}
