/*
 * bench_fetch: a profile fetched by the server's HTTP driver, with the
 * loop's longest iteration measured, against the same profile read from
 * disk. Figures only, never a pass/fail.
 *
 *   bench_fetch URL     fetch on a loop, then index the bytes
 *   bench_fetch -f PATH index a file through profile_file.c
 *
 * While the fetch runs an idle handle keeps the loop from blocking, so
 * the time between two prepare callbacks is exactly one iteration's work
 * (curl's socket and timer callbacks, the body's appends): the longest is
 * the loop's longest stall. Two figures: wall time, which includes the
 * time the kernel gave the core to someone else on a busy machine, and the
 * thread's CPU time, which is the loop's own work. Peak RSS comes from
 * getrusage.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "fetch.h"
#include "heat_index.h"
#include "http.h"
#include "profile_file.h"
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t last_prepare, longest, iterations, over_1ms;
static uint64_t last_cpu, longest_cpu, cpu_over_1ms, longest_at;
static long last_faults, longest_faults, last_switches, longest_switches;

/* The loop thread's minor page faults and involuntary context switches so
 * far, to tell what a long iteration was spent on. */
static void thread_counts(long *faults, long *switches) {
  struct rusage ru;
  getrusage(RUSAGE_THREAD, &ru);
  *faults = ru.ru_minflt;
  *switches = ru.ru_nivcsw;
}

static uint64_t thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static int done;
static srv_http_result_t result;

static long peak_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static void on_prepare(uv_prepare_t *p) {
  (void)p;
  uint64_t now = uv_hrtime(), cpu = thread_cpu_ns();
  long faults, switches;
  thread_counts(&faults, &switches);
  if (last_prepare) {
    uint64_t d = now - last_prepare, c = cpu - last_cpu;
    if (d > longest)
      longest = d;
    if (d > 1000000)
      over_1ms++;
    if (c > longest_cpu) {
      longest_cpu = c;
      longest_at = iterations;
      longest_faults = faults - last_faults;
      longest_switches = switches - last_switches;
    }
    if (c > 1000000)
      cpu_over_1ms++;
    iterations++;
  }
  last_prepare = now;
  last_cpu = cpu;
  last_faults = faults;
  last_switches = switches;
}

static void on_idle(uv_idle_t *i) { (void)i; }

static void on_done(void *data, srv_http_result_t *res) {
  (void)data;
  result = *res;
  res->body = (srv_bytes_t)SRV_BYTES_INIT;
  done = 1;
}

static int fetch(const char *url) {
  srv_source_t src;
  char msg[512];
  if (srv_source_parse(url, NULL, NULL, &src, msg, sizeof msg) < 0 ||
      src.kind != SRV_SOURCE_URL) {
    fprintf(stderr, "bench_fetch: %s: not a URL\n", url);
    return 1;
  }
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_prepare_t prepare;
  uv_idle_t idle;
  uv_prepare_init(&loop, &prepare);
  uv_idle_init(&loop, &idle);
  uv_prepare_start(&prepare, on_prepare);
  uv_idle_start(&idle, on_idle);
  srv_http_t *http;
  srv_http_opts_t opts;
  srv_fetch_http_opts(&src, 0, &opts);
  uint64_t t0 = uv_hrtime();
  if (srv_http_new(&loop, &http) < 0 ||
      srv_http_get(http, &opts, NULL, on_done, NULL, NULL) < 0) {
    fprintf(stderr, "bench_fetch: cannot start\n");
    return 1;
  }
  while (!done)
    uv_run(&loop, UV_RUN_ONCE);
  uint64_t t1 = uv_hrtime();
  uv_prepare_stop(&prepare);
  uv_idle_stop(&idle);
  srv_http_close(http);
  uv_close((uv_handle_t *)&prepare, NULL);
  uv_close((uv_handle_t *)&idle, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  int closed = uv_loop_close(&loop);
  long after_download = peak_kib();
  int rc = srv_fetch_check(&result, msg, sizeof msg);
  printf("download: %zu bytes in %.0f ms, %llu loop iterations; longest "
         "iteration %.3f ms wall (%llu over 1 ms), %.3f ms of the loop "
         "thread's CPU (%llu over 1 ms, the longest is iteration %llu, with "
         "%ld page faults and %ld involuntary switches); uv_loop_close %d\n",
         result.body.size, (double)(t1 - t0) / 1e6,
         (unsigned long long)iterations, (double)longest / 1e6,
         (unsigned long long)over_1ms, (double)longest_cpu / 1e6,
         (unsigned long long)cpu_over_1ms, (unsigned long long)longest_at,
         longest_faults, longest_switches, closed);
  printf("peak RSS after the download: %.1f MiB\n",
         (double)after_download / 1024);
  if (rc < 0) {
    printf("not indexed: %s\n", msg);
  } else {
    hx_index_t *index;
    hx_error_t err = {0};
    hx_options_t o;
    hx_options_init(&o);
    uint64_t t2 = uv_hrtime();
    if (srv_bytes_load(&result.body, &o, &index, &err) < 0) {
      printf("not indexed: %s\n", err.message);
    } else {
      printf("indexed in %.0f ms; peak RSS %.1f MiB\n",
             (double)(uv_hrtime() - t2) / 1e6, (double)peak_kib() / 1024);
      hx_index_free(index);
    }
  }
  srv_bytes_close(&result.body);
  srv_source_close(&src);
  return 0;
}

static int from_file(const char *path) {
  hx_index_t *index;
  hx_error_t err = {0};
  hx_options_t o;
  hx_options_init(&o);
  uint64_t t0 = uv_hrtime();
  if (srv_profile_file_read(path, &o, &index, NULL, &err) < 0) {
    fprintf(stderr, "bench_fetch: %s: %s\n", path, err.message);
    return 1;
  }
  printf("file: indexed in %.0f ms; peak RSS %.1f MiB\n",
         (double)(uv_hrtime() - t0) / 1e6, (double)peak_kib() / 1024);
  hx_index_free(index);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "-f") == 0)
    return from_file(argv[2]);
  if (argc == 2)
    return fetch(argv[1]);
  fprintf(stderr, "usage: bench_fetch URL | bench_fetch -f PATH\n");
  return 2;
}
