/*
 * loads.c: the model's load queue, on libuv's thread pool.
 *
 * One load runs at a time; later ones wait in order (a reload of the same
 * file while one runs is common: a profiler rewriting its output). The
 * worker thread only runs srv_profile_build() on what its job holds. Back
 * on the loop, a good result replaces the loaded profile in one assignment
 * (model_install), so a request never sees half of one; a bad result
 * leaves the loaded profile as it was.
 */
#include "model_internal.h"

#include "error.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct load_job {
  uv_work_t work;
  srv_model_t *model;
  srv_source_t source;
  char *sample_type; /* NULL: default */
  hx_options_t opts;
  json_t *id;    /* the request to answer (own reference), or NULL */
  json_t *token; /* progress token (own reference), or NULL */
  char **roots;  /* workspace folders to scan (owned copies) */
  size_t root_count;
  char *goroot, *gomodcache; /* as set, NULL: looked up (owned) */
  int from_watch;
  load_job_t *next;
  /* Results, written by the worker. */
  int rc;
  hx_error_t err;
  srv_profile_t *profile;
};

static void job_free(load_job_t *job) {
  if (!job)
    return;
  srv_profile_free(job->profile);
  srv_source_close(&job->source);
  free(job->sample_type);
  json_decref(job->id);
  json_decref(job->token);
  srv_workspace_roots_free(job->roots, job->root_count);
  free(job->goroot);
  free(job->gomodcache);
  free(job);
}

static void fail(load_job_t *job, int code, const char *message) {
  job->rc = code;
  job->err.code = code;
  snprintf(job->err.message, sizeof job->err.message, "%s", message);
}

static void work(uv_work_t *req) {
  load_job_t *job = req->data;
  srv_go_settings_t go = {.goroot = job->goroot,
                          .gomodcache = job->gomodcache};
  srv_profile_spec_t spec = {.source = &job->source,
                             .options = &job->opts,
                             .roots = (const char *const *)job->roots,
                             .root_count = job->root_count,
                             .go = &go};
  job->rc = srv_profile_build(&spec, &job->profile, &job->err);
}

static void finish(srv_model_t *m, load_job_t *job);
static void after_work(uv_work_t *req, int status);

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void start_next(srv_model_t *m) {
  while (!m->load_running && m->load_head && !m->closing) {
    load_job_t *job = m->load_head;
    m->load_head = job->next;
    if (!m->load_head)
      m->load_tail = NULL;
    job->next = NULL;
    if (job->id && rpc_cancel_is_cancelled(m->cancel, job->id)) {
      rpc_cancel_remove(m->cancel, job->id);
      srv_outbox_error(m->out, job->id, RPC_CODE_REQUEST_CANCELLED,
                       "load cancelled");
      job_free(job);
      continue;
    }
    srv_outbox_progress(
        m->out, job->token,
        json_pack("{s:s, s:s, s:s, s:b}", "kind", "begin", "title",
                  "heatls: loading profile", "message",
                  base_name(srv_source_name(&job->source)), "cancellable", 0));
    job->work.data = job;
    int rc = uv_queue_work(m->loop, &job->work, work, after_work);
    if (rc < 0) {
      fail(job, HX_EIO, uv_strerror(rc));
      finish(m, job); /* answered as a failed load */
      continue;
    }
    m->load_running = job;
  }
}

static void after_work(uv_work_t *req, int status) {
  load_job_t *job = req->data;
  srv_model_t *m = job->model;
  m->load_running = NULL;
  if (m->closing) {
    job_free(job);
    return;
  }
  if (status == UV_ECANCELED && job->rc == 0)
    fail(job, HX_EIO, "cancelled");
  finish(m, job);
  start_next(m);
}

/* The answer to a good load, framed before the switch: when it cannot be
 * made, the load fails and the loaded profile stays. */
static char *frame_answer(srv_model_t *m, load_job_t *job, size_t *len) {
  size_t documents;
  if (srv_workspace_count_lit(m->ws, job->profile, &documents) < 0)
    return NULL;
  json_t *sum = model_summary_of(job->profile, documents);
  json_t *msg = sum ? rpc_response_new(job->id, sum) : NULL;
  char *frame = NULL;
  if (!msg || rpc_message_frame(msg, &frame, len, NULL) < 0)
    frame = NULL;
  json_decref(msg);
  return frame;
}

/* Answers the job's request and installs its profile when it is good;
 * frees the job. */
static void finish(srv_model_t *m, load_job_t *job) {
  int cancelled = job->id && rpc_cancel_is_cancelled(m->cancel, job->id);
  if (job->id)
    rpc_cancel_remove(m->cancel, job->id);
  const char *name = srv_source_name(&job->source);
  char *answer = NULL;
  size_t answer_len = 0;
  if (!cancelled && job->rc == 0 && job->id) {
    answer = frame_answer(m, job, &answer_len);
    if (!answer)
      fail(job, HX_ENOMEM, "out of memory");
  }
  if (cancelled) {
    srv_outbox_progress(m->out, job->token, json_pack("{s:s}", "kind", "end"));
    srv_outbox_error(m->out, job->id, RPC_CODE_REQUEST_CANCELLED,
                     "load cancelled");
  } else if (job->rc < 0) {
    srv_outbox_progress(
        m->out, job->token,
        json_pack("{s:s, s:s}", "kind", "end", "message", "failed"));
    if (job->from_watch)
      srv_outbox_show(m->out, 2,
                      "cannot reload %s: %s (the previous profile stays "
                      "loaded)",
                      name, job->err.message);
    else
      srv_outbox_show(m->out, 1, "cannot load %s: %s", name,
                      job->err.message);
    if (job->id)
      srv_outbox_error(m->out, job->id, RPC_CODE_REQUEST_FAILED,
                       "cannot load %s: %s", name, job->err.message);
  } else {
    model_install(m, job->profile);
    job->profile = NULL;
    srv_outbox_progress(
        m->out, job->token,
        json_pack("{s:s, s:s}", "kind", "end", "message", "loaded"));
    if (answer) {
      srv_outbox_send_frame(m->out, job->id, answer, answer_len);
      answer = NULL;
    }
  }
  free(answer);
  job_free(job);
}

/* The one place a load is made from a trigger's arguments and the
 * settings. 0, or SRV_ENOMEM / SRV_EINVAL (nothing to reload). */
static int build_job(srv_model_t *m, const srv_load_args_t *args,
                     load_job_t *job) {
  const srv_settings_t *set = &m->settings;
  hx_options_init(&job->opts);
  const char *sample_type = set->sample_type;
  job->opts.threshold = set->threshold;
  job->opts.local_scope = set->local_scope;
  int rc;
  if (args->from_watch || !args->path) {
    if (!m->profile)
      return SRV_EINVAL;
    rc = srv_source_copy(&m->profile->source, &job->source);
    if (args->from_watch) {
      /* A reload keeps what the loaded profile was loaded with. */
      const hx_summary_t *sum = hx_index_summary(m->profile->index);
      sample_type = m->profile->sample_type;
      job->opts.threshold = sum->threshold;
      job->opts.local_scope = sum->local_scope;
    }
  } else {
    rc = srv_source_file(args->path, srv_workspace_first_root(m->ws),
                         &job->source);
  }
  if (args->has_sample_type)
    sample_type = args->sample_type;
  if (args->threshold > 0)
    job->opts.threshold = args->threshold;
  if (args->local_scope >= 0)
    job->opts.local_scope = (hx_local_scope_t)args->local_scope;
  if (rc == 0 && sample_type && *sample_type &&
      !(job->sample_type = strdup(sample_type)))
    rc = SRV_ENOMEM;
  job->opts.sample_type = job->sample_type;
  if (rc == 0)
    rc = srv_workspace_roots_copy(m->ws, &job->roots, &job->root_count);
  if (rc == 0 && ((set->goroot && !(job->goroot = strdup(set->goroot))) ||
                  (set->gomodcache &&
                   !(job->gomodcache = strdup(set->gomodcache)))))
    rc = SRV_ENOMEM;
  job->from_watch = args->from_watch;
  return rc;
}

/* A progress token: the client's, else one heatls asks the client to
 * create when it can show progress. */
static void progress_token(srv_model_t *m, const srv_load_args_t *args,
                           load_job_t *job) {
  const json_t *t = args->work_token;
  if (t && (json_is_string(t) || json_is_integer(t))) {
    job->token = json_incref((json_t *)t);
  } else if (m->client.work_done_progress) {
    char token[64];
    snprintf(token, sizeof token, "heatls/load/%llu",
             (unsigned long long)++m->progress_tokens);
    job->token = json_string(token);
    srv_outbox_request(m->out, "window/workDoneProgress/create",
                       json_pack("{s:s}", "token", token), NULL, NULL, NULL);
  }
}

void srv_model_load(srv_model_t *m, const srv_load_args_t *args) {
  load_job_t *job = calloc(1, sizeof *job);
  int rc = job ? build_job(m, args, job) : SRV_ENOMEM;
  if (rc < 0) {
    job_free(job);
    if (args->id)
      srv_outbox_error(m->out, args->id,
                       rc == SRV_ENOMEM ? RPC_CODE_INTERNAL_ERROR
                                        : RPC_CODE_REQUEST_FAILED,
                       rc == SRV_ENOMEM ? "out of memory"
                                        : "no profile is loaded to reload");
    return;
  }
  job->model = m;
  if (args->id) {
    job->id = json_incref((json_t *)args->id);
    rc = rpc_cancel_add(m->cancel, args->id, NULL);
    if (rc < 0) {
      if (rc == RPC_ENOMEM)
        srv_outbox_error(m->out, args->id, RPC_CODE_INTERNAL_ERROR,
                         "out of memory");
      else
        srv_outbox_error(m->out, args->id, RPC_CODE_INVALID_REQUEST,
                         "a request with this id is already pending");
      job_free(job);
      return;
    }
  }
  progress_token(m, args, job);
  if (m->load_tail)
    m->load_tail->next = job;
  else
    m->load_head = job;
  m->load_tail = job;
  start_next(m);
}

void srv_model_cancel(srv_model_t *m, const json_t *id) {
  if (!rpc_cancel_mark(m->cancel, id))
    return;
  model_searches_cancel(m, id);
  load_job_t **link = &m->load_head;
  m->load_tail = NULL;
  while (*link) {
    load_job_t *job = *link;
    if (job->id && rpc_cancel_is_cancelled(m->cancel, job->id)) {
      *link = job->next;
      rpc_cancel_remove(m->cancel, job->id);
      srv_outbox_error(m->out, job->id, RPC_CODE_REQUEST_CANCELLED,
                       "load cancelled");
      job_free(job);
    } else {
      m->load_tail = job;
      link = &job->next;
    }
  }
}

int model_loads_init(srv_model_t *m) {
  return srv_error_from_rpc(rpc_cancel_new(0, &m->cancel, NULL));
}

void model_loads_close(srv_model_t *m) {
  while (m->load_head) {
    load_job_t *job = m->load_head;
    m->load_head = job->next;
    job_free(job);
  }
  m->load_tail = NULL;
  /* A running job cannot be stopped; after_work frees it. */
  if (m->load_running)
    uv_cancel((uv_req_t *)&m->load_running->work);
}

void model_loads_free(srv_model_t *m) {
  rpc_cancel_free(m->cancel);
  m->cancel = NULL;
}
