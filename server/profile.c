/*
 * profile.c: building a loaded profile (on a worker thread, its inputs
 * read in parallel) and freeing one.
 */
#include "profile.h"

#include "load_pool.h"
#include "profile_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

srv_plain_t *srv_plain_new(hx_index_t *index) {
  srv_plain_t *plain = malloc(sizeof *plain);
  if (!plain) {
    hx_index_free(index);
    return NULL;
  }
  plain->index = index;
  atomic_init(&plain->refs, 1);
  return plain;
}

srv_plain_t *srv_plain_ref(srv_plain_t *plain) {
  atomic_fetch_add(&plain->refs, 1);
  return plain;
}

void srv_plain_unref(srv_plain_t *plain) {
  if (!plain || atomic_fetch_sub(&plain->refs, 1) != 1)
    return;
  hx_index_free(plain->index);
  free(plain);
}

int srv_profile_is_diff(const srv_profile_t *profile) {
  return profile->base_count > 0;
}

static void free_sources(srv_source_t *items, size_t n) {
  for (size_t i = 0; items && i < n; i++)
    srv_source_close(&items[i]);
  free(items);
}

void srv_profile_free(srv_profile_t *profile) {
  if (!profile)
    return;
  srv_path_map_free(profile->paths);
  srv_scan_close(&profile->workspace);
  free(profile->file_paths);
  for (size_t i = 0;
       profile->go_local && i < hx_index_file_count(profile->index); i++)
    free(profile->go_local[i]);
  free(profile->go_local);
  free(profile->go_back);
  if (!profile->plain || profile->index != profile->plain->index)
    hx_index_free(profile->index);
  srv_plain_unref(profile->plain);
  srv_source_close(&profile->source);
  free_sources(profile->more, profile->more_count);
  free_sources(profile->bases, profile->base_count);
  free(profile->sample_type);
  free(profile);
}

static int out_of_memory(hx_error_t *err) {
  err->code = HX_ENOMEM;
  snprintf(err->message, sizeof err->message, "out of memory");
  return HX_ENOMEM;
}

/* Loads one source into *out: its downloaded bytes (a URL, a Pyroscope
 * query), or the file read,
 * recording in stamp (when not NULL) what the descriptor that was read
 * said of the file (not what the path names after the load). */
static int load_source(const srv_source_t *src, srv_bytes_t *body,
                       const hx_options_t *opts, hx_index_t **out,
                       srv_profile_t *stamp, hx_error_t *err) {
  if (src->kind != SRV_SOURCE_FILE)
    return srv_bytes_load(body, opts, out, err);
  srv_profile_file_t file;
  int rc = srv_profile_file_read(src->path, opts, out, &file, err);
  if (rc < 0 || !stamp)
    return rc;
  stamp->mtime_ns = file.mtime_ns;
  stamp->size = file.size;
  stamp->inode = file.inode;
  return 0;
}

/* Input i of the spec (the profiles, then the bases) into *out. After the
 * first, every input is read with the first's sample type by name, so
 * that the default rule cannot pick different types in different
 * profiles (the merger then checks units). */
static int load_input(const srv_profile_spec_t *spec, size_t i,
                      const char *type, srv_profile_t *p, hx_index_t **out,
                      hx_error_t *err) {
  const srv_source_t *src = i < spec->source_count
                                ? &spec->sources[i]
                                : &spec->bases[i - spec->source_count];
  hx_options_t opts = *spec->options;
  if (type)
    opts.sample_type = type;
  return load_source(src, spec->bodies ? &spec->bodies[i] : NULL, &opts, out,
                     i == 0 ? p : NULL, err);
}

/* The inputs after the one read first (input 0, or none when the new
 * side is already loaded), read in parallel by a pool (load_pool.h) with
 * the first's sample type by name; pool job k is input first + k. */
typedef struct rest {
  const srv_profile_spec_t *spec;
  size_t first;
  const char *type; /* NULL: the options' rule (an unnamed type) */
  srv_load_pool_t *pool;
} rest_t;

/* Pool job k, on one of the pool's threads. */
static int load_job(void *ctx, size_t k, void **out, hx_error_t *err) {
  const rest_t *r = ctx;
  hx_index_t *ix = NULL;
  int rc = load_input(r->spec, r->first + k, r->type, NULL, &ix, err);
  *out = ix;
  return rc;
}

static void drop_index(void *index) { hx_index_free(index); }

/* Adds inputs [from, to) to a merger in order as the pool reads them,
 * each freed once it is added. On failure *culprit is the input to blame:
 * the first in order that failed. */
static int add_inputs(const rest_t *rest, hx_merger_t *merger, size_t from,
                      size_t to, size_t *culprit, hx_error_t *err) {
  for (size_t i = from; i < to; i++) {
    void *ix = NULL;
    int rc = srv_load_pool_wait(rest->pool, i - rest->first, &ix, err);
    if (rc == 0)
      rc = hx_merger_add(merger, ix, i >= rest->spec->source_count, err);
    hx_index_free(ix);
    if (rc < 0) {
      *culprit = i;
      return rc;
    }
  }
  return 0;
}

/* The new side: input 0 (*first, taken) as it is, or merged with the
 * other profiles. */
static int load_plain(const srv_profile_spec_t *spec, srv_profile_t *p,
                      hx_index_t **first, const rest_t *rest, size_t *culprit,
                      hx_error_t *err) {
  hx_index_t *ix = NULL;
  int rc;
  if (spec->source_count == 1) {
    ix = *first;
    *first = NULL;
    rc = 0;
  } else {
    hx_combine_options_t copts;
    hx_combine_options_init(&copts);
    copts.threshold = spec->options->threshold;
    copts.local_scope = spec->options->local_scope;
    hx_merger_t *merger;
    rc = hx_merger_new(&copts, &merger, err);
    if (rc == 0 && (rc = hx_merger_add(merger, *first, 0, err)) < 0)
      *culprit = 0;
    hx_index_free(*first);
    *first = NULL;
    if (rc == 0)
      rc = add_inputs(rest, merger, 1, spec->source_count, culprit, err);
    if (rc == 0)
      rc = hx_merger_finish(merger, &ix, err);
    hx_merger_free(merger);
  }
  if (rc < 0)
    return rc;
  p->plain = srv_plain_new(ix);
  return p->plain ? 0 : out_of_memory(err);
}

/* p->index: the plain side, or its diff with the bases. */
static int compare(const srv_profile_spec_t *spec, srv_profile_t *p,
                   const rest_t *rest, size_t *culprit, hx_error_t *err) {
  if (spec->base_count == 0) {
    p->index = p->plain->index;
    /* A base cleared: the plain side takes the levels asked for (it was
     * not shown, so nothing reads them meanwhile). */
    if (!spec->plain)
      return 0;
    return hx_index_relevel(p->index, spec->options->threshold,
                            spec->options->local_scope, err);
  }
  hx_combine_options_t copts;
  hx_combine_options_init(&copts);
  copts.threshold = spec->options->threshold;
  copts.local_scope = spec->options->local_scope;
  copts.normalize = spec->normalize;
  hx_merger_t *merger;
  int rc = hx_merger_new(&copts, &merger, err);
  if (rc == 0)
    rc = hx_merger_add(merger, p->plain->index, 0, err);
  if (rc == 0)
    rc = add_inputs(rest, merger, spec->source_count,
                    spec->source_count + spec->base_count, culprit, err);
  if (rc == 0)
    rc = hx_merger_finish(merger, &p->index, err);
  hx_merger_free(merger);
  return rc;
}

/* Reads the inputs and builds p->plain and p->index. Input 0 is read
 * first: its sample type, by name, is the one every other input is read
 * with (the default rule could pick different types in different
 * profiles; the merger then checks units). The others are read in
 * parallel and merged in input order. */
static int load_inputs(const srv_profile_spec_t *spec, srv_profile_t *p,
                       size_t *culprit, hx_error_t *err) {
  char type[256] = "";
  hx_index_t *first = NULL;
  rest_t rest = {.spec = spec, .first = spec->source_count};
  int rc = 0;
  if (spec->plain) {
    p->plain = srv_plain_ref(spec->plain);
    snprintf(type, sizeof type, "%s",
             hx_index_summary(p->plain->index)->sample_type.type);
  } else {
    rc = load_input(spec, 0, NULL, p, &first, err);
    if (rc < 0)
      *culprit = 0;
    else
      snprintf(type, sizeof type, "%s",
               hx_index_summary(first)->sample_type.type);
    rest.first = 1;
  }
  rest.type = type[0] ? type : NULL;
  size_t total = spec->source_count + spec->base_count;
  if (rc == 0 && rest.first < total &&
      srv_load_pool_start(total - rest.first, srv_load_pool_cores(), load_job,
                          drop_index, &rest, &rest.pool) < 0)
    rc = out_of_memory(err);
  if (rc == 0 && !spec->plain)
    rc = load_plain(spec, p, &first, &rest, culprit, err);
  if (rc == 0)
    rc = compare(spec, p, &rest, culprit, err);
  srv_load_pool_free(rest.pool); /* after a failure: stops the rest */
  hx_index_free(first);
  return rc;
}

static int copy_sources(const srv_source_t *src, size_t n,
                        srv_source_t **out) {
  *out = n ? calloc(n, sizeof **out) : NULL;
  if (n && !*out)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (srv_source_copy(&src[i], &(*out)[i]) < 0)
      return -1;
  return 0;
}

static int by_local(const void *a, const void *b) {
  return strcmp(((const srv_go_link_t *)a)->local,
                ((const srv_go_link_t *)b)->local);
}

/* Each profile file's local file by Go's own paths. 0 or HX_ENOMEM. */
static int map_go_paths(const srv_profile_spec_t *spec, srv_profile_t *p) {
  size_t n = hx_index_file_count(p->index);
  srv_go_env_t env;
  if (srv_go_env_discover(spec->go, spec->roots, spec->root_count, &env) < 0)
    return HX_ENOMEM;
  p->go_local = calloc(n ? n : 1, sizeof *p->go_local);
  p->go_back = calloc(n ? n : 1, sizeof *p->go_back);
  int rc = p->go_local && p->go_back ? 0 : HX_ENOMEM;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (srv_go_local(&env, p->file_paths[i], &p->go_local[i]) < 0)
      rc = HX_ENOMEM;
    else if (p->go_local[i])
      p->go_back[p->go_count++] =
          (srv_go_link_t){.local = p->go_local[i], .file = (uint32_t)i};
  }
  srv_go_env_close(&env);
  if (rc == 0)
    qsort(p->go_back, p->go_count, sizeof *p->go_back, by_local);
  return rc;
}

int srv_profile_build(const srv_profile_spec_t *spec, srv_profile_t **out,
                      size_t *culprit, hx_error_t *err) {
  *out = NULL;
  *culprit = SIZE_MAX;
  srv_profile_t *p = calloc(1, sizeof *p);
  if (!p)
    return out_of_memory(err);
  int rc = load_inputs(spec, p, culprit, err);
  if (rc < 0) {
    srv_profile_free(p);
    return rc;
  }
  /* Counted first: a partial copy is freed whole. */
  p->more_count = spec->source_count - 1;
  p->base_count = spec->base_count;
  size_t n = hx_index_file_count(p->index);
  p->file_paths = malloc((n ? n : 1) * sizeof *p->file_paths);
  if (p->file_paths) {
    for (size_t i = 0; i < n; i++)
      p->file_paths[i] = hx_index_file(p->index, i)->path;
  }
  if (!p->file_paths || srv_path_map_new(p->file_paths, n, &p->paths) < 0 ||
      srv_scan_run(spec->roots, spec->root_count, p->file_paths, n,
                   &p->workspace) < 0 ||
      map_go_paths(spec, p) < 0 ||
      srv_source_copy(&spec->sources[0], &p->source) < 0 ||
      copy_sources(spec->sources + 1, p->more_count, &p->more) < 0 ||
      copy_sources(spec->bases, p->base_count, &p->bases) < 0 ||
      (spec->options->sample_type &&
       !(p->sample_type = strdup(spec->options->sample_type)))) {
    srv_profile_free(p);
    return out_of_memory(err);
  }
  p->normalize = spec->base_count ? spec->normalize : 0;
  *out = p;
  return 0;
}

const char *srv_profile_go_local(const srv_profile_t *profile, size_t file) {
  return profile->go_local ? profile->go_local[file] : NULL;
}

long srv_profile_go_file(const srv_profile_t *profile,
                         const char *local_path) {
  size_t lo = 0, hi = profile->go_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(profile->go_back[mid].local, local_path);
    if (c == 0)
      return (long)profile->go_back[mid].file;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

const char *srv_profile_base_name(const char *path) {
  const char *base = path;
  for (const char *c = path; *c; c++)
    if (*c == '/' || *c == '\\')
      base = c + 1;
  return base;
}

size_t srv_profile_scanned(const srv_profile_t *profile, size_t file,
                           size_t *first) {
  return srv_scan_find(&profile->workspace,
                       srv_profile_base_name(profile->file_paths[file]),
                       first);
}
