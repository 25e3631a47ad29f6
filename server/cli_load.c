/*
 * cli_load.c: the report commands' profiles, merged and compared
 * (cli_load.h).
 */
#include "cli_load.h"

#include "cli_fetch.h"

#include <glob.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One PROFILE argument: a file, or a URL fetched (cli_fetch.h). *name is
 * what an error is told about: the path, or the URL's "live: ..." name. */
static int load_one(const char *path, const hx_options_t *opts,
                    const cli_fetch_args_t *fetch, hx_index_t **out,
                    char *name, size_t name_size, hx_error_t *err) {
  int rc = cli_fetch_profile(path, opts, fetch, out, name, name_size,
                             err->message, sizeof err->message);
  err->code = rc < 0 ? rc : 0;
  return rc < 0 ? rc : 0;
}

typedef enum job_state { JOB_PENDING, JOB_RUNNING, JOB_DONE } job_state_t;

typedef struct job {
  const char *path;
  char name[512]; /* what errors name: path, or a URL's "live: ..." */
  hx_index_t *index;
  hx_error_t err;
  int rc;
  job_state_t state;
} job_t;

/* Jobs are taken in order by the workers; the merging thread waits for
 * each in order, adds it to the merger and frees it, so that no more than
 * a few indexes are alive at once. */
typedef struct pool {
  job_t *jobs;
  size_t count, next;
  size_t first_failed; /* count: none */
  hx_options_t opts;
  const cli_fetch_args_t *fetch; /* for URLs */
  const char *type_only; /* opts.sample_type without its unit, or NULL */
  pthread_mutex_t lock;
  pthread_cond_t done;
} pool_t;

static void run_job(pool_t *p, job_t *j) {
  j->rc = load_one(j->path, &p->opts, p->fetch, &j->index, j->name,
                   sizeof j->name, &j->err);
  if (j->rc == HX_ESAMPLETYPE && p->type_only) {
    /* "cpu/nanoseconds" asked, "cpu/milliseconds" here: the same type in
     * another time unit, which the merge converts. */
    hx_options_t o = p->opts;
    o.sample_type = p->type_only;
    hx_error_t again = {0};
    if (load_one(j->path, &o, p->fetch, &j->index, j->name, sizeof j->name,
                 &again) == 0)
      j->rc = 0;
  }
}

static void *worker(void *arg) {
  pool_t *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    job_t *j = NULL;
    if (p->first_failed == p->count && p->next < p->count) {
      j = &p->jobs[p->next++];
      j->state = JOB_RUNNING;
    }
    pthread_mutex_unlock(&p->lock);
    if (!j)
      return NULL;
    run_job(p, j);
    pthread_mutex_lock(&p->lock);
    j->state = JOB_DONE;
    size_t at = (size_t)(j - p->jobs);
    if (j->rc < 0 && at < p->first_failed)
      p->first_failed = at;
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->lock);
  }
}

/* Waits for job i; returns it, or the job to blame when a failure stopped
 * the loads before job i started. */
static job_t *wait_job(pool_t *p, size_t i) {
  pthread_mutex_lock(&p->lock);
  job_t *j = &p->jobs[i];
  while (j->state != JOB_DONE &&
         !(j->state == JOB_PENDING && p->first_failed < p->count))
    pthread_cond_wait(&p->done, &p->lock);
  if (j->state != JOB_DONE)
    j = &p->jobs[p->first_failed];
  pthread_mutex_unlock(&p->lock);
  return j;
}

/* Stops the workers from taking more jobs. */
static void stop_jobs(pool_t *p) {
  pthread_mutex_lock(&p->lock);
  p->next = p->count;
  pthread_mutex_unlock(&p->lock);
}

/* ---- the list of inputs: words, and globs no shell expanded ---- */

typedef struct paths {
  char **items;
  size_t count, cap;
} paths_t;

static int paths_add(paths_t *l, const char *path) {
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    char **items = realloc(l->items, cap * sizeof *items);
    if (!items)
      return -1;
    l->items = items;
    l->cap = cap;
  }
  char *copy = strdup(path);
  if (!copy)
    return -1;
  l->items[l->count++] = copy;
  return 0;
}

static void paths_close(paths_t *l) {
  for (size_t i = 0; i < l->count; i++)
    free(l->items[i]);
  free(l->items);
}

/* Adds word, or the files its glob pattern matches (sorted) when it has a
 * pattern character and no file has that very name. */
/* A URL, or pprof's host:port[/path] form: never a glob (a query has a
 * '?'). */
static bool url_like(const char *word) {
  if (strstr(word, "://"))
    return true;
  size_t host = strcspn(word, "/");
  return memchr(word, ':', host) != NULL;
}

static int expand(paths_t *l, const char *word, char *msg, size_t size) {
  if (!strpbrk(word, "*?[") || url_like(word) || access(word, F_OK) == 0) {
    if (paths_add(l, word) < 0)
      return snprintf(msg, size, "%s: out of memory", word), -1;
    return 0;
  }
  glob_t g;
  int rc = glob(word, 0, NULL, &g);
  if (rc == GLOB_NOMATCH) {
    globfree(&g);
    snprintf(msg, size, "%s: no file matches", word);
    return -1;
  }
  if (rc != 0) {
    globfree(&g);
    snprintf(msg, size, "%s: cannot expand the pattern", word);
    return -1;
  }
  for (size_t i = 0; i < g.gl_pathc; i++)
    if (paths_add(l, g.gl_pathv[i]) < 0) {
      globfree(&g);
      snprintf(msg, size, "%s: out of memory", word);
      return -1;
    }
  globfree(&g);
  return 0;
}

/* An input whose sample type is not the first's is loaded again with the
 * first's type by name, so that all agree when they can (the default rule
 * can pick different types in different profiles). */
static int align_type(pool_t *p, job_t *j, const char *type, char *msg,
                      size_t size) {
  if (strcmp(hx_index_summary(j->index)->sample_type.type, type) == 0)
    return 0;
  hx_index_free(j->index);
  j->index = NULL;
  hx_options_t o = p->opts;
  o.sample_type = type;
  hx_error_t err = {0};
  if (load_one(j->path, &o, p->fetch, &j->index, j->name, sizeof j->name,
               &err) < 0) {
    snprintf(msg, size, "%s: %s", j->name, err.message);
    return -1;
  }
  return 0;
}

/* Adds every job, in order, to a merger as it is done. */
static int merge_jobs(pool_t *p, size_t n_inputs, const cli_args_t *args,
                      hx_index_t **out, char *msg, size_t size) {
  hx_combine_options_t copts;
  hx_combine_options_init(&copts);
  copts.threshold = args->opts.threshold;
  copts.local_scope = args->opts.local_scope;
  copts.normalize = args->normalize;
  hx_merger_t *m;
  hx_error_t err = {0};
  if (hx_merger_new(&copts, &m, &err) < 0) {
    snprintf(msg, size, "%s: %s", p->jobs[0].path, err.message);
    return -1;
  }
  char type[256] = "";
  int rc = 0;
  for (size_t i = 0; i < p->count && rc == 0; i++) {
    job_t *j = wait_job(p, i);
    if (j->rc < 0) {
      snprintf(msg, size, "%s: %s", j->name, j->err.message);
      rc = -1;
      break;
    }
    if (i == 0)
      snprintf(type, sizeof type, "%s",
               hx_index_summary(j->index)->sample_type.type);
    else if (align_type(p, j, type, msg, size) < 0)
      rc = -1;
    if (rc == 0 && hx_merger_add(m, j->index, i >= n_inputs, &err) < 0) {
      snprintf(msg, size, "%s: %s", j->name, err.message);
      rc = -1;
    }
    hx_index_free(j->index); /* the merger keeps what it needs */
    j->index = NULL;
  }
  if (rc < 0)
    stop_jobs(p);
  if (rc == 0 && hx_merger_finish(m, out, &err) < 0) {
    snprintf(msg, size, "%s: %s", p->jobs[0].path, err.message);
    rc = -1;
  }
  hx_merger_free(m);
  return rc;
}

static int load_many(const cli_args_t *args, const paths_t *all,
                     size_t n_inputs, hx_index_t **out, char *msg,
                     size_t size) {
  pool_t p;
  memset(&p, 0, sizeof p);
  p.count = all->count;
  p.first_failed = p.count;
  p.opts = args->opts;
  p.jobs = calloc(p.count + 1, sizeof *p.jobs);
  char type_only[256];
  const char *slash =
      args->opts.sample_type ? strchr(args->opts.sample_type, '/') : NULL;
  if (slash && p.count > 1) {
    snprintf(type_only, sizeof type_only, "%.*s",
             (int)(slash - args->opts.sample_type), args->opts.sample_type);
    p.type_only = type_only;
  }
  if (!p.jobs) {
    snprintf(msg, size, "%s: out of memory", all->items[0]);
    return -1;
  }
  p.fetch = &args->fetch;
  for (size_t i = 0; i < p.count; i++) {
    p.jobs[i].path = all->items[i];
    snprintf(p.jobs[i].name, sizeof p.jobs[i].name, "%s", all->items[i]);
  }
  int rc = 0;
  if (p.count == 1) { /* one profile: no thread, no merge */
    job_t *j = &p.jobs[0];
    run_job(&p, j);
    if (j->rc < 0) {
      snprintf(msg, size, "%s: %s", j->name, j->err.message);
      rc = -1;
    }
    *out = j->index;
    free(p.jobs);
    return rc;
  }
  if (pthread_mutex_init(&p.lock, NULL) != 0) {
    free(p.jobs);
    snprintf(msg, size, "%s: cannot start the loads", all->items[0]);
    return -1;
  }
  if (pthread_cond_init(&p.done, NULL) != 0) {
    pthread_mutex_destroy(&p.lock);
    free(p.jobs);
    snprintf(msg, size, "%s: cannot start the loads", all->items[0]);
    return -1;
  }
  /* One worker per core; this thread merges (little work) as they go. */
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  size_t threads = cores > 1 ? (size_t)cores : 1;
  if (threads > p.count)
    threads = p.count;
  pthread_t *ids = calloc(threads, sizeof *ids);
  size_t started = 0;
  for (size_t t = 0; ids && t < threads; t++) {
    if (pthread_create(&ids[started], NULL, worker, &p) != 0)
      break;
    started++;
  }
  if (started == 0) {
    snprintf(msg, size, "%s: cannot start the loads", all->items[0]);
    rc = -1;
  } else {
    rc = merge_jobs(&p, n_inputs, args, out, msg, size);
  }
  for (size_t t = 0; t < started; t++)
    pthread_join(ids[t], NULL);
  free(ids);
  for (size_t i = 0; i < p.count; i++)
    hx_index_free(p.jobs[i].index);
  pthread_cond_destroy(&p.done);
  pthread_mutex_destroy(&p.lock);
  free(p.jobs);
  return rc;
}

int cli_load(const cli_args_t *args, hx_index_t **out, char *msg,
             size_t size) {
  *out = NULL;
  paths_t all = {0};
  int rc = 0;
  for (size_t i = 0; i < args->profile_count && rc == 0; i++)
    rc = expand(&all, args->profiles[i], msg, size);
  size_t n_inputs = all.count;
  for (size_t i = 0; i < args->base_count && rc == 0; i++)
    rc = expand(&all, args->bases[i], msg, size);
  if (rc == 0)
    rc = load_many(args, &all, n_inputs, out, msg, size);
  paths_close(&all);
  return rc;
}
