/*
 * cli_load.c: the report commands' profiles, merged and compared
 * (cli_load.h).
 */
#include "cli_load.h"

#include "cli_fetch.h"
#include "load_pool.h"

#include <glob.h>
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

typedef struct job {
  const char *path;
  char name[512]; /* what errors name: path, or a URL's "live: ..." */
} job_t;

/* The inputs, loaded through a pool (load_pool.h): the merging thread
 * waits for each in order, adds it to the merger and frees it. */
typedef struct loads {
  job_t *jobs;
  size_t count;
  hx_options_t opts;
  const cli_fetch_args_t *fetch; /* for URLs */
  const char *type_only; /* opts.sample_type without its unit, or NULL */
} loads_t;

/* Job i of the pool, on one of its threads. */
static int run_job(void *ctx, size_t i, void **out, hx_error_t *err) {
  loads_t *l = ctx;
  job_t *j = &l->jobs[i];
  hx_index_t *index = NULL;
  int rc = load_one(j->path, &l->opts, l->fetch, &index, j->name,
                    sizeof j->name, err);
  if (rc == HX_ESAMPLETYPE && l->type_only) {
    /* "cpu/nanoseconds" asked, "cpu/milliseconds" here: the same type in
     * another time unit, which the merge converts. */
    hx_options_t o = l->opts;
    o.sample_type = l->type_only;
    hx_error_t again = {0};
    if (load_one(j->path, &o, l->fetch, &index, j->name, sizeof j->name,
                 &again) == 0)
      rc = 0;
  }
  *out = index;
  return rc;
}

static void drop_index(void *index) { hx_index_free(index); }

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
static int align_type(const loads_t *l, job_t *j, hx_index_t **index,
                      const char *type, char *msg, size_t size) {
  if (strcmp(hx_index_summary(*index)->sample_type.type, type) == 0)
    return 0;
  hx_index_free(*index);
  *index = NULL;
  hx_options_t o = l->opts;
  o.sample_type = type;
  hx_error_t err = {0};
  if (load_one(j->path, &o, l->fetch, index, j->name, sizeof j->name, &err) <
      0) {
    snprintf(msg, size, "%s: %s", j->name, err.message);
    return -1;
  }
  return 0;
}

/* Adds every input, in order, to a merger as its load is done. */
static int merge_jobs(loads_t *l, srv_load_pool_t *pool, size_t n_inputs,
                      const cli_args_t *args, hx_index_t **out, char *msg,
                      size_t size) {
  hx_combine_options_t copts;
  hx_combine_options_init(&copts);
  copts.threshold = args->opts.threshold;
  copts.local_scope = args->opts.local_scope;
  copts.normalize = args->normalize;
  hx_merger_t *m;
  hx_error_t err = {0};
  if (hx_merger_new(&copts, &m, &err) < 0) {
    snprintf(msg, size, "%s: %s", l->jobs[0].path, err.message);
    return -1;
  }
  char type[256] = "";
  int rc = 0;
  for (size_t i = 0; i < l->count && rc == 0; i++) {
    job_t *j = &l->jobs[i];
    void *result;
    if (srv_load_pool_wait(pool, i, &result, &err) < 0) {
      snprintf(msg, size, "%s: %s", j->name, err.message);
      rc = -1;
      break;
    }
    hx_index_t *index = result;
    if (i == 0)
      snprintf(type, sizeof type, "%s",
               hx_index_summary(index)->sample_type.type);
    else if (align_type(l, j, &index, type, msg, size) < 0)
      rc = -1;
    if (rc == 0 && hx_merger_add(m, index, i >= n_inputs, &err) < 0) {
      snprintf(msg, size, "%s: %s", j->name, err.message);
      rc = -1;
    }
    hx_index_free(index); /* the merger keeps what it needs */
  }
  if (rc == 0 && hx_merger_finish(m, out, &err) < 0) {
    snprintf(msg, size, "%s: %s", l->jobs[0].path, err.message);
    rc = -1;
  }
  hx_merger_free(m);
  return rc;
}

static int load_many(const cli_args_t *args, const paths_t *all,
                     size_t n_inputs, hx_index_t **out, char *msg,
                     size_t size) {
  loads_t l = {.count = all->count, .opts = args->opts, .fetch = &args->fetch};
  l.jobs = calloc(l.count + 1, sizeof *l.jobs);
  if (!l.jobs) {
    snprintf(msg, size, "%s: out of memory", all->items[0]);
    return -1;
  }
  char type_only[256];
  const char *slash =
      args->opts.sample_type ? strchr(args->opts.sample_type, '/') : NULL;
  if (slash && l.count > 1) {
    snprintf(type_only, sizeof type_only, "%.*s",
             (int)(slash - args->opts.sample_type), args->opts.sample_type);
    l.type_only = type_only;
  }
  for (size_t i = 0; i < l.count; i++) {
    l.jobs[i].path = all->items[i];
    snprintf(l.jobs[i].name, sizeof l.jobs[i].name, "%s", all->items[i]);
  }
  int rc = 0;
  if (l.count == 1) { /* one profile: no thread, no merge */
    void *result = NULL;
    hx_error_t err = {0};
    if (run_job(&l, 0, &result, &err) < 0) {
      snprintf(msg, size, "%s: %s", l.jobs[0].name, err.message);
      rc = -1;
    }
    *out = result;
    free(l.jobs);
    return rc;
  }
  /* One thread per core; this one merges (little work) as they go. */
  srv_load_pool_t *pool;
  if (srv_load_pool_start(l.count, srv_load_pool_cores(), run_job, drop_index,
                          &l, &pool) < 0) {
    snprintf(msg, size, "%s: out of memory", all->items[0]);
    rc = -1;
  } else {
    rc = merge_jobs(&l, pool, n_inputs, args, out, msg, size);
  }
  srv_load_pool_free(pool);
  free(l.jobs);
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
