/*
 * bench_touch.c: a known load for checking bench_run's figures.
 *
 *   bench_touch MB [SECONDS]
 *
 * Allocates MB megabytes (10^6 bytes), writes to every page so that all of
 * it is resident, then sleeps SECONDS (default 0) and exits 0. bench_run
 * should report a peak RSS of MB plus about 1-2 MB of process overhead, and
 * a wall time of SECONDS plus the time to fault the pages in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: bench_touch MB [SECONDS]\n");
    return 2;
  }
  char *end;
  double mb = strtod(argv[1], &end);
  if (*end || mb < 0 || mb > 1e6) {
    fprintf(stderr, "bench_touch: bad size %s\n", argv[1]);
    return 2;
  }
  double secs = 0;
  if (argc == 3) {
    secs = strtod(argv[2], &end);
    if (*end || secs < 0) {
      fprintf(stderr, "bench_touch: bad time %s\n", argv[2]);
      return 2;
    }
  }

  size_t n = (size_t)(mb * 1e6);
  volatile char *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "bench_touch: cannot allocate %.1f MB\n", mb);
    return 1;
  }
  for (size_t i = 0; i < n; i += 4096)
    p[i] = (char)i;
  if (n)
    p[n - 1] = 1;

  struct timespec ts;
  ts.tv_sec = (time_t)secs;
  ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0) {
  }
  free((void *)p);
  return 0;
}
