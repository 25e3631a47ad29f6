/*
 * test_load_pool.c: the pool of load threads (server/load_pool.h): results
 * in order on any number of threads, the first failure in order blamed,
 * no job started after a failure, jobs nobody takes run by the waiter,
 * results nobody waited for dropped, and allocation failures in turn.
 */
#include "check.h"
#include "fail_alloc.h"
#include "load_pool.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#define JOBS 12

/* The scenario a pool's jobs play. Results point into values[], so that a
 * job allocates nothing (the allocation walk counts the pool's only). */
typedef struct scenario {
  int values[JOBS];
  size_t fail_at[2]; /* jobs that fail (JOBS: none) */
  atomic_int runs[JOBS];
  atomic_int dropped;
  pthread_t ran_on[JOBS];
  /* Events in time order: each job's start, and the first failure's
   * return (INT_MAX until one returns). */
  atomic_int clock;
  int started_at[JOBS];
  atomic_int first_failure_at;
} scenario_t;

static void scenario_init(scenario_t *s, size_t fail1, size_t fail2) {
  for (size_t i = 0; i < JOBS; i++) {
    s->values[i] = (int)(i * 10 + 1);
    atomic_init(&s->runs[i], 0);
  }
  atomic_init(&s->dropped, 0);
  atomic_init(&s->clock, 0);
  atomic_init(&s->first_failure_at, INT_MAX);
  s->fail_at[0] = fail1;
  s->fail_at[1] = fail2;
}

static int job(void *ctx, size_t i, void **out, hx_error_t *err) {
  scenario_t *s = ctx;
  atomic_fetch_add(&s->runs[i], 1);
  s->ran_on[i] = pthread_self();
  s->started_at[i] = atomic_fetch_add(&s->clock, 1);
  if (i == s->fail_at[0] || i == s->fail_at[1]) {
    err->code = HX_EIO;
    snprintf(err->message, sizeof err->message, "job %zu failed", i);
    int now = atomic_fetch_add(&s->clock, 1);
    int first = atomic_load(&s->first_failure_at);
    while (now < first &&
           !atomic_compare_exchange_weak(&s->first_failure_at, &first, now))
      ;
    return HX_EIO;
  }
  *out = &s->values[i];
  return 0;
}

static void drop(void *result) {
  /* The scenario is found from the value: values[] is its first member. */
  int *value = result;
  scenario_t *s = (scenario_t *)(void *)(value - (*value - 1) / 10);
  atomic_fetch_add(&s->dropped, 1);
}

static int runs(scenario_t *s) {
  int n = 0;
  for (size_t i = 0; i < JOBS; i++)
    n += atomic_load(&s->runs[i]);
  return n;
}

/* Every job succeeds: each result arrives in order, once, whatever the
 * number of threads; none is dropped. */
static void test_order(size_t threads) {
  scenario_t s;
  scenario_init(&s, JOBS, JOBS);
  srv_load_pool_t *pool;
  CHECK_INT(srv_load_pool_start(JOBS, threads, job, drop, &s, &pool), 0);
  for (size_t i = 0; i < JOBS; i++) {
    void *result = NULL;
    hx_error_t err = {0};
    CHECK_INT(srv_load_pool_wait(pool, i, &result, &err), 0);
    CHECK(result == &s.values[i]);
    CHECK_INT(err.code, 0);
  }
  srv_load_pool_free(pool);
  for (size_t i = 0; i < JOBS; i++)
    CHECK_INT(atomic_load(&s.runs[i]), 1);
  CHECK_INT(atomic_load(&s.dropped), 0);
  if (threads == 0) /* no thread: each job ran in the wait */
    for (size_t i = 0; i < JOBS; i++)
      CHECK(pthread_equal(s.ran_on[i], pthread_self()));
}

/* Jobs 4 and 7 fail: waiting in order, 0..3 succeed and job 4 is blamed
 * with its own message, whichever failed first in time. After the pool
 * is freed, every result that was made and not waited for was dropped,
 * and no job ran twice. */
static void test_first_failure(size_t threads) {
  scenario_t s;
  scenario_init(&s, 4, 7);
  srv_load_pool_t *pool;
  CHECK_INT(srv_load_pool_start(JOBS, threads, job, drop, &s, &pool), 0);
  size_t i = 0;
  int rc = 0;
  hx_error_t err = {0};
  for (; i < JOBS && rc == 0; i++) {
    void *result = NULL;
    rc = srv_load_pool_wait(pool, i, &result, &err);
    CHECK(rc == 0 ? result == &s.values[i] : result == NULL);
  }
  CHECK_INT(rc, HX_EIO);
  CHECK_INT(i, 5); /* job 4 was the last waited for */
  CHECK_INT(err.code, HX_EIO);
  CHECK_STR(err.message, "job 4 failed");
  srv_load_pool_free(pool);
  int made = 0; /* results made after job 4 */
  for (size_t k = 0; k < JOBS; k++) {
    CHECK(atomic_load(&s.runs[k]) <= 1);
    if (k > 4 && k != 7)
      made += atomic_load(&s.runs[k]);
  }
  CHECK_INT(atomic_load(&s.dropped), made);
  /* No thread starts a job once one failed. The first failure in time may
   * be job 7's, when job 4's thread was slow; and between a failing job's
   * return and the pool marking it, each other thread may have taken one
   * job. */
  int late = 0;
  for (size_t k = 0; k < JOBS; k++)
    late += atomic_load(&s.runs[k]) > 0 &&
            s.started_at[k] > atomic_load(&s.first_failure_at);
  CHECK(late <= (threads > 0 ? (int)threads - 1 : 0));
  if (threads <= 1) /* one thread, or the waiter alone: exactly 0..4 */
    CHECK_INT(runs(&s), 5);
}

/* On one thread job 1 fails and stops the pool; a caller that goes on
 * waiting gets job 2 all the same, run on its own thread. */
static void test_waiter_runs_the_rest(void) {
  scenario_t s;
  scenario_init(&s, 1, JOBS);
  srv_load_pool_t *pool;
  CHECK_INT(srv_load_pool_start(JOBS, 1, job, drop, &s, &pool), 0);
  void *result = NULL;
  hx_error_t err = {0};
  CHECK_INT(srv_load_pool_wait(pool, 0, &result, &err), 0);
  CHECK_INT(srv_load_pool_wait(pool, 1, &result, &err), HX_EIO);
  CHECK(result == NULL);
  CHECK_INT(srv_load_pool_wait(pool, 2, &result, &err), 0);
  CHECK(result == &s.values[2]);
  CHECK(pthread_equal(s.ran_on[2], pthread_self()));
  srv_load_pool_free(pool);
  CHECK_INT(runs(&s), 3);
  CHECK_INT(atomic_load(&s.dropped), 0);
}

/* A pool freed before anything was waited for drops what its threads
 * made; none is freed twice or lost. */
static void test_free_unwaited(void) {
  scenario_t s;
  scenario_init(&s, JOBS, JOBS);
  srv_load_pool_t *pool;
  CHECK_INT(srv_load_pool_start(JOBS, 3, job, drop, &s, &pool), 0);
  srv_load_pool_free(pool);
  CHECK_INT(atomic_load(&s.dropped), runs(&s));
  srv_load_pool_free(NULL);
}

/* Allocation n of the start fails (alone, or with every one after it):
 * the start fails whole with HX_ENOMEM and nothing to free, or it works
 * (with fewer threads, or none) and every result still arrives in
 * order. The walk ends where the start makes no more allocations. */
static void test_alloc_failures(int rest) {
  long n = 1;
  for (; n < 20; n++) {
    scenario_t s;
    scenario_init(&s, JOBS, JOBS);
    srv_load_pool_t *pool = (srv_load_pool_t *)&s;
    fail_alloc_arm(n, rest);
    int rc = srv_load_pool_start(JOBS, 2, job, drop, &s, &pool);
    int failed = fail_alloc_failed();
    fail_alloc_disarm();
    if (!failed) {
      CHECK_INT(rc, 0);
      srv_load_pool_free(pool);
      break;
    }
    if (rc < 0) {
      CHECK_INT(rc, HX_ENOMEM);
      CHECK(pool == NULL);
      CHECK_INT(runs(&s), 0);
      continue;
    }
    for (size_t i = 0; i < JOBS; i++) {
      void *result = NULL;
      CHECK_INT(srv_load_pool_wait(pool, i, &result, NULL), 0);
      CHECK(result == &s.values[i]);
    }
    srv_load_pool_free(pool);
    CHECK_INT(runs(&s), JOBS);
  }
  CHECK_INT(n, 4); /* the pool, its jobs, its thread ids */
}

int main(void) {
  for (size_t threads = 0; threads <= 5; threads++) {
    test_order(threads);
    test_first_failure(threads);
  }
  test_order(JOBS + 3); /* more threads than jobs */
  test_waiter_runs_the_rest();
  test_free_unwaited();
  test_alloc_failures(0);
  test_alloc_failures(1);
  CHECK(srv_load_pool_cores() >= 1);
  CHECK_DONE();
}
