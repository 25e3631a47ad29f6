/*
 * log.c: leveled log lines on stderr.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static srv_log_level_t current = SRV_LOG_INFO;

static const char *const names[] = {"error", "warn", "info", "debug"};

int srv_log_level_from_name(const char *name) {
  for (int i = 0; i < 4; i++)
    if (name && strcmp(name, names[i]) == 0)
      return i;
  return -1;
}

void srv_log_set_level(srv_log_level_t level) { current = level; }

srv_log_level_t srv_log_get_level(void) { return current; }

void srv_log(srv_log_level_t level, const char *fmt, ...) {
  if (level > current)
    return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* One fprintf per line, so that lines from the loop and from a worker
   * thread never interleave inside a line. */
  fprintf(stderr, "heatls %s: %s\n", names[level], line);
}
