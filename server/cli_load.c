/*
 * cli_load.c: the report commands' profiles, merged and compared
 * (cli_load.h).
 */
#include "cli_load.h"
#include "profile_file.h"

#include <glob.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One PROFILE argument: a file read into an index. */
static int load_one(const char *path, const hx_options_t *opts,
                    hx_index_t **out, hx_error_t *err) {
  return srv_profile_file_read(path, opts, out, NULL, err);
}

typedef struct job {
  const char *path;
  hx_index_t *index;
  hx_error_t err;
  int rc;
  bool done;
} job_t;

typedef struct pool {
  job_t *jobs;
  size_t count, next;
  bool failed; /* stop taking jobs */
  hx_options_t opts;
  const char *type_only; /* opts.sample_type without its unit, or NULL */
  pthread_mutex_t lock;
} pool_t;

static void run_job(pool_t *p, job_t *j) {
  j->rc = load_one(j->path, &p->opts, &j->index, &j->err);
  if (j->rc == HX_ESAMPLETYPE && p->type_only) {
    /* "cpu/nanoseconds" asked, "cpu/milliseconds" here: the same type in
     * another time unit, which the merge converts. */
    hx_options_t o = p->opts;
    o.sample_type = p->type_only;
    hx_error_t again = {0};
    if (load_one(j->path, &o, &j->index, &again) == 0)
      j->rc = 0;
  }
}

static void *worker(void *arg) {
  pool_t *p = arg;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    job_t *j = p->failed || p->next == p->count ? NULL : &p->jobs[p->next++];
    pthread_mutex_unlock(&p->lock);
    if (!j)
      return NULL;
    run_job(p, j);
    pthread_mutex_lock(&p->lock);
    j->done = true;
    if (j->rc < 0)
      p->failed = true;
    pthread_mutex_unlock(&p->lock);
  }
}

/* Runs every job on up to one thread per core, this one included. */
static void run_jobs(pool_t *p) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  size_t threads = cores > 1 ? (size_t)cores : 1;
  if (threads > p->count)
    threads = p->count;
  pthread_t *ids = calloc(threads, sizeof *ids);
  size_t started = 0;
  for (size_t t = 1; ids && t < threads; t++) {
    if (pthread_create(&ids[started], NULL, worker, p) != 0)
      break; /* fewer threads: the others do the work */
    started++;
  }
  worker(p);
  for (size_t t = 0; t < started; t++)
    pthread_join(ids[t], NULL);
  free(ids);
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
static int expand(paths_t *l, const char *word, char *msg, size_t size) {
  if (!strpbrk(word, "*?[") || access(word, F_OK) == 0) {
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

/* Every input whose sample type is not the first's is loaded again with the
 * first's type by name, so that all agree when they can (the default rule
 * can pick different types in different profiles). */
static int align_types(pool_t *p, char *msg, size_t size) {
  const hx_summary_t *first = hx_index_summary(p->jobs[0].index);
  char type[256];
  snprintf(type, sizeof type, "%s", first->sample_type.type);
  for (size_t i = 1; i < p->count; i++) {
    job_t *j = &p->jobs[i];
    if (strcmp(hx_index_summary(j->index)->sample_type.type, type) == 0)
      continue;
    hx_index_free(j->index);
    j->index = NULL;
    hx_options_t o = p->opts;
    o.sample_type = type;
    hx_error_t err = {0};
    if (load_one(j->path, &o, &j->index, &err) < 0) {
      snprintf(msg, size, "%s: %s", j->path, err.message);
      return -1;
    }
  }
  return 0;
}

static int load_many(const cli_args_t *args, const paths_t *all,
                     size_t n_inputs, hx_index_t **out, char *msg,
                     size_t size) {
  pool_t p;
  memset(&p, 0, sizeof p);
  p.count = all->count;
  p.opts = args->opts;
  p.jobs = calloc(p.count + 1, sizeof *p.jobs);
  const hx_index_t **ixs = calloc(p.count + 1, sizeof *ixs);
  char type_only[256];
  const char *slash = args->opts.sample_type
                          ? strchr(args->opts.sample_type, '/')
                          : NULL;
  if (slash && p.count > 1) {
    snprintf(type_only, sizeof type_only, "%.*s",
             (int)(slash - args->opts.sample_type), args->opts.sample_type);
    p.type_only = type_only;
  }
  int rc = 0;
  if (!p.jobs || !ixs || pthread_mutex_init(&p.lock, NULL) != 0) {
    free(p.jobs);
    free(ixs);
    snprintf(msg, size, "%s: out of memory", all->items[0]);
    return -1;
  }
  for (size_t i = 0; i < p.count; i++)
    p.jobs[i].path = all->items[i];
  run_jobs(&p);
  pthread_mutex_destroy(&p.lock);
  for (size_t i = 0; i < p.count && rc == 0; i++)
    if (p.jobs[i].done && p.jobs[i].rc < 0) {
      snprintf(msg, size, "%s: %s", p.jobs[i].path, p.jobs[i].err.message);
      rc = -1;
    }
  if (rc == 0 && p.count == 1) {
    *out = p.jobs[0].index;
    p.jobs[0].index = NULL;
  } else if (rc == 0) {
    rc = align_types(&p, msg, size);
  }
  if (rc == 0 && !*out) {
    for (size_t i = 0; i < p.count; i++)
      ixs[i] = p.jobs[i].index;
    hx_combine_options_t copts;
    hx_combine_options_init(&copts);
    copts.threshold = args->opts.threshold;
    copts.local_scope = args->opts.local_scope;
    copts.normalize = args->normalize;
    hx_error_t err = {0};
    size_t culprit;
    if (hx_index_combine(ixs, n_inputs, ixs + n_inputs, p.count - n_inputs,
                         &copts, out, &culprit, &err) < 0) {
      snprintf(msg, size, "%s: %s",
               culprit < p.count ? p.jobs[culprit].path : all->items[0],
               err.message);
      rc = -1;
    }
  }
  for (size_t i = 0; i < p.count; i++)
    hx_index_free(p.jobs[i].index);
  free(p.jobs);
  free(ixs);
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
