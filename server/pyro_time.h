/*
 * pyro_time.h: the times of a Pyroscope range, as users write them.
 *
 *   now, now-30s, now-15m, now-1h, now-1h30m, now-7d, now-2w  relative
 *   1733459000 (seconds), 1733459000000 (ms: 13 digits or more)
 *   2026-12-06T04:00:00Z, 2026-12-06T05:00:00.5+01:00          RFC 3339
 *
 * Plain C, no I/O: "now" is the caller's.
 */
#ifndef HEATLS_SRV_PYRO_TIME_H
#define HEATLS_SRV_PYRO_TIME_H

#include <stdint.h>

/* *ms becomes s resolved against now_ms (ms since the epoch). 0, or
 * SRV_EINVAL when s is none of the forms above. */
int srv_pyro_time_parse(const char *s, int64_t now_ms, int64_t *ms);

#endif
