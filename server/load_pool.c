/*
 * load_pool.c: several profile loads at once, taken in order
 * (load_pool.h).
 */
#include "load_pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

typedef enum job_state { JOB_PENDING, JOB_RUNNING, JOB_DONE } job_state_t;

typedef struct job {
  void *result;
  hx_error_t err;
  int rc;
  job_state_t state;
} job_t;

struct srv_load_pool {
  job_t *jobs;
  size_t count;
  size_t next;  /* the next job a thread may take */
  bool stopped; /* a job failed, or the pool is being freed */
  srv_load_job_fn fn;
  srv_load_drop_fn drop;
  void *ctx;
  /* threaded: the lock and the condition exist and `started` threads run;
   * without them every job runs in srv_load_pool_wait. */
  bool threaded;
  pthread_mutex_t lock;
  pthread_cond_t done;
  pthread_t *ids;
  size_t started;
};

size_t srv_load_pool_cores(void) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 1 ? (size_t)cores : 1;
}

static void run(srv_load_pool_t *p, size_t i) {
  job_t *j = &p->jobs[i];
  j->result = NULL;
  j->err = (hx_error_t){0};
  j->rc = p->fn(p->ctx, i, &j->result, &j->err);
  if (j->rc >= 0)
    j->rc = 0;
}

/* Marks job i done (lock held); a failure stops the taking of jobs. */
static void finish(srv_load_pool_t *p, size_t i) {
  p->jobs[i].state = JOB_DONE;
  if (p->jobs[i].rc < 0)
    p->stopped = true;
  pthread_cond_broadcast(&p->done);
}

static void *worker(void *arg) {
  srv_load_pool_t *p = arg;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (p->next < p->count && p->jobs[p->next].state != JOB_PENDING)
      p->next++;
    if (p->stopped || p->next == p->count)
      break;
    size_t i = p->next++;
    p->jobs[i].state = JOB_RUNNING;
    pthread_mutex_unlock(&p->lock);
    run(p, i);
    pthread_mutex_lock(&p->lock);
    finish(p, i);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

static void start_threads(srv_load_pool_t *p, size_t threads) {
  if (threads > p->count)
    threads = p->count;
  if (threads == 0)
    return;
  p->ids = calloc(threads, sizeof *p->ids);
  if (!p->ids)
    return;
  if (pthread_mutex_init(&p->lock, NULL) != 0)
    goto no_threads;
  if (pthread_cond_init(&p->done, NULL) != 0) {
    pthread_mutex_destroy(&p->lock);
    goto no_threads;
  }
  p->threaded = true;
  while (p->started < threads &&
         pthread_create(&p->ids[p->started], NULL, worker, p) == 0)
    p->started++;
  return;
no_threads:
  free(p->ids);
  p->ids = NULL;
}

int srv_load_pool_start(size_t count, size_t threads, srv_load_job_fn fn,
                        srv_load_drop_fn drop, void *ctx,
                        srv_load_pool_t **out) {
  *out = NULL;
  srv_load_pool_t *p = calloc(1, sizeof *p);
  if (!p)
    return HX_ENOMEM;
  p->jobs = calloc(count ? count : 1, sizeof *p->jobs);
  if (!p->jobs) {
    free(p);
    return HX_ENOMEM;
  }
  p->count = count;
  p->fn = fn;
  p->drop = drop;
  p->ctx = ctx;
  start_threads(p, threads); /* none at all is slower, not wrong */
  *out = p;
  return 0;
}

int srv_load_pool_wait(srv_load_pool_t *p, size_t i, void **out,
                       hx_error_t *err) {
  job_t *j = &p->jobs[i];
  bool here = !p->threaded || p->started == 0;
  if (!here) {
    pthread_mutex_lock(&p->lock);
    /* A pending job that no thread will take (the pool stopped) is run
     * here rather than waited for. */
    while (j->state == JOB_RUNNING || (j->state == JOB_PENDING && !p->stopped))
      pthread_cond_wait(&p->done, &p->lock);
    if (j->state == JOB_PENDING) {
      j->state = JOB_RUNNING;
      here = true;
    }
    pthread_mutex_unlock(&p->lock);
  }
  if (here) {
    run(p, i);
    if (p->threaded) {
      pthread_mutex_lock(&p->lock);
      finish(p, i);
      pthread_mutex_unlock(&p->lock);
    } else {
      j->state = JOB_DONE;
    }
  }
  *out = j->result;
  j->result = NULL;
  if (err)
    *err = j->err;
  return j->rc;
}

void srv_load_pool_free(srv_load_pool_t *p) {
  if (!p)
    return;
  if (p->threaded) {
    pthread_mutex_lock(&p->lock);
    p->stopped = true;
    pthread_mutex_unlock(&p->lock);
    for (size_t t = 0; t < p->started; t++)
      pthread_join(p->ids[t], NULL);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
  }
  free(p->ids);
  for (size_t i = 0; i < p->count; i++)
    if (p->jobs[i].result && p->drop)
      p->drop(p->jobs[i].result);
  free(p->jobs);
  free(p);
}
