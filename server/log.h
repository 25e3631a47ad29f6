/*
 * log.h: the language server's log, one line per event on stderr (stdout
 * carries the protocol and nothing else).
 */
#ifndef HEATLS_SRV_LOG_H
#define HEATLS_SRV_LOG_H

#if defined(__GNUC__)
#define SRV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SRV_PRINTF(f, a)
#endif

typedef enum srv_log_level {
  SRV_LOG_ERROR = 0,
  SRV_LOG_WARN,
  SRV_LOG_INFO,
  SRV_LOG_DEBUG
} srv_log_level_t;

/* "error", "warn", "info" or "debug" -> level; -1 for anything else. */
int srv_log_level_from_name(const char *name);

void srv_log_set_level(srv_log_level_t level);
srv_log_level_t srv_log_get_level(void);

/* Writes "heatls <level>: <message>\n" to stderr when level is enabled. */
void srv_log(srv_log_level_t level, const char *fmt, ...) SRV_PRINTF(2, 3);

#endif
