/*
 * loads.c: the model's load queue, on libuv's thread pool.
 *
 * One load runs at a time; later ones wait in order (a reload of the same
 * file while one runs is common: a profiler rewriting its output). A URL
 * source is first fetched on the loop (http.c, by libcurl), with progress
 * reports and cancellation; the downloaded bytes then go to the worker.
 * The worker thread only runs srv_profile_build() on what its job holds. Back
 * on the loop, a good result replaces the loaded profile in one assignment
 * (model_install), so a request never sees half of one; a bad result
 * leaves the loaded profile as it was.
 */
#include "model_internal.h"

#include "error.h"
#include "fetch.h"
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
  int repeat;          /* capture again when this one is installed */
  int aborted;         /* stopped without a request to answer */
  uint64_t repeat_gen; /* m->repeat_gen when queued */
  /* A URL source: the transfer while it runs, then the body. */
  srv_fetch_req_t *req;
  srv_bytes_t body;
  uint64_t received, total; /* bytes so far, and announced (0: unknown) */
  uint64_t fetch_start;     /* uv_now when the fetch started */
  uint64_t last_report_ms;
  int reported_percent;
  int reported_seconds; /* the last "N s of M" reported, or -1 */
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
  srv_fetch_cancel(job->req);
  srv_bytes_close(&job->body);
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
  srv_profile_spec_t spec = {
      .source = &job->source,
      .body = job->source.kind != SRV_SOURCE_FILE ? &job->body : NULL,
      .options = &job->opts,
      .roots = (const char *const *)job->roots,
      .root_count = job->root_count,
      .go = &go};
  job->rc = srv_profile_build(&spec, &job->profile, &job->err);
}

static void finish(srv_model_t *m, load_job_t *job);
static void after_work(uv_work_t *req, int status);
static void start_next(srv_model_t *m);

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* What a URL captures, for progress: "CPU profile", "heap profile". The
 * name is "live: HOST KIND[ Ns]". */
static void capture_what(const srv_source_t *src, char *out, size_t size) {
  const char *name = srv_source_name(src);
  const char *kind = strchr(name + 6, ' ');
  kind = kind ? kind + 1 : "profile";
  size_t n = strcspn(kind, " ");
  if (n == 3 && strncmp(kind, "cpu", 3) == 0)
    snprintf(out, size, "CPU profile");
  else
    snprintf(out, size, "%.*s profile", (int)n, kind);
}

/* A report of the running fetch: the seconds of the capture until bytes
 * come, then the bytes (with a percentage when the length is known). */
static void report_fetch(srv_model_t *m, load_job_t *job, uint64_t ms) {
  uint64_t received = job->received, total = job->total;
  int seconds = job->source.fetch.seconds;
  int percent = total ? (int)(received * 100 / total) : -1;
  if (!job->token)
    return;
  if (received == 0 && seconds > 0) {
    /* While capturing: one report per second of the capture. */
    int done = ms / 1000 > (uint64_t)seconds ? seconds : (int)(ms / 1000);
    if (done == job->reported_seconds)
      return;
    job->reported_seconds = done;
  } else if (job->last_report_ms && ms < job->last_report_ms + 250 &&
             (percent < 0 || percent == job->reported_percent)) {
    /* Then at most four reports a second, and one per percentage. */
    return;
  }
  char text[160], what[64];
  json_t *report;
  if (received == 0 && seconds > 0) {
    int done = job->reported_seconds;
    capture_what(&job->source, what, sizeof what);
    snprintf(text, sizeof text, "capturing %s: %d s of %d", what, done,
             seconds);
    report = json_pack("{s:s, s:s, s:i}", "kind", "report", "message", text,
                       "percentage", done * 100 / seconds);
  } else if (received == 0) {
    return;
  } else if (percent >= 0) {
    snprintf(text, sizeof text, "received %.1f of %.1f KiB (%d%%)",
             (double)received / 1024, (double)total / 1024, percent);
    report = json_pack("{s:s, s:s, s:i}", "kind", "report", "message", text,
                       "percentage", percent);
  } else {
    snprintf(text, sizeof text, "received %.1f KiB", (double)received / 1024);
    report = json_pack("{s:s, s:s}", "kind", "report", "message", text);
  }
  job->last_report_ms = ms ? ms : 1;
  job->reported_percent = percent;
  srv_outbox_progress(m->out, job->token, report);
}

static void on_fetch_progress(void *data, uint64_t received, uint64_t total,
                              uint64_t ms) {
  (void)ms; /* the loop's clock, as the tick's */
  load_job_t *job = data;
  srv_model_t *m = job->model;
  job->received = received;
  job->total = total;
  report_fetch(m, job, uv_now(m->loop) - job->fetch_start);
}

/* Once a second while a fetch runs: curl is silent while a capture waits
 * for its first byte. */
static void on_tick(uv_timer_t *timer) {
  srv_model_t *m = timer->data;
  load_job_t *job = m->load_running;
  if (job && job->req)
    report_fetch(m, job, uv_now(m->loop) - job->fetch_start);
}

static int queue_work(srv_model_t *m, load_job_t *job) {
  job->work.data = job;
  int rc = uv_queue_work(m->loop, &job->work, work, after_work);
  if (rc < 0) {
    fail(job, HX_EIO, uv_strerror(rc));
    return -1;
  }
  m->load_running = job;
  return 0;
}

static void on_fetched(void *data, int rc, srv_bytes_t *body,
                       const char *msg) {
  load_job_t *job = data;
  srv_model_t *m = job->model;
  job->req = NULL;
  uv_timer_stop(&m->tick);
  if (rc < 0) {
    fail(job, rc == SRV_ENOMEM ? HX_ENOMEM : HX_EIO, msg);
  } else {
    job->body = *body;
    *body = (srv_bytes_t)SRV_BYTES_INIT;
    srv_log(SRV_LOG_DEBUG, "fetched %zu bytes for %s", job->body.size,
            srv_source_name(&job->source));
    if (queue_work(m, job) == 0)
      return;
  }
  m->load_running = NULL;
  finish(m, job);
  start_next(m);
}

/* Starts fetching a URL or Pyroscope source; -1 when it cannot start
 * (job failed). */
static int start_fetch(srv_model_t *m, load_job_t *job) {
  char msg[sizeof job->err.message] = "cannot start the transfer";
  int rc = m->http ? 0 : srv_http_new(m->loop, &m->http);
  if (rc == 0)
    rc = srv_fetch_start(m->http, &job->source, job->opts.max_decompressed,
                         on_fetch_progress, on_fetched, job, &job->req, msg,
                         sizeof msg);
  job->fetch_start = uv_now(m->loop);
  job->reported_seconds = -1;
  if (rc == 0 && job->source.fetch.seconds > 0)
    uv_timer_start(&m->tick, on_tick, 1000, 1000);
  if (rc < 0) {
    fail(job, rc == SRV_ENOMEM ? HX_ENOMEM : HX_EIO,
         rc == SRV_ENOMEM ? "out of memory" : msg);
    return -1;
  }
  m->load_running = job;
  return 0;
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
    int url = job->source.kind != SRV_SOURCE_FILE;
    srv_outbox_progress(
        m->out, job->token,
        json_pack("{s:s, s:s, s:s, s:b}", "kind", "begin", "title",
                  url ? "heatls: fetching profile" : "heatls: loading profile",
                  "message",
                  url ? srv_source_name(&job->source)
                      : base_name(srv_source_name(&job->source)),
                  "cancellable", url));
    if ((url ? start_fetch(m, job) : queue_work(m, job)) < 0)
      finish(m, job); /* answered as a failed load */
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

static void progress_token(srv_model_t *m, const srv_load_args_t *args,
                           load_job_t *job);
static void enqueue(srv_model_t *m, load_job_t *job);

/* The next round of a repeated capture: the same source and options, no
 * request to answer, a progress token of its own. */
static void requeue(srv_model_t *m, const load_job_t *prev) {
  load_job_t *job = calloc(1, sizeof *job);
  if (!job)
    return;
  job->model = m;
  job->opts = prev->opts;
  job->repeat = 1;
  job->repeat_gen = prev->repeat_gen;
  if (srv_source_copy(&prev->source, &job->source) < 0 ||
      (prev->sample_type && !(job->sample_type = strdup(prev->sample_type))) ||
      srv_workspace_roots_copy(m->ws, &job->roots, &job->root_count) < 0) {
    srv_log(SRV_LOG_WARN, "out of memory: %s is not captured again",
            srv_source_name(&prev->source));
    job_free(job);
    return;
  }
  job->opts.sample_type = job->sample_type;
  srv_load_args_t none = SRV_LOAD_ARGS_INIT;
  progress_token(m, &none, job);
  enqueue(m, job);
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
    srv_outbox_progress(
        m->out, job->token,
        json_pack("{s:s, s:s}", "kind", "end", "message", "cancelled"));
    srv_outbox_error(m->out, job->id, RPC_CODE_REQUEST_CANCELLED,
                     "load cancelled");
  } else if (job->aborted) {
    srv_outbox_progress(
        m->out, job->token,
        json_pack("{s:s, s:s}", "kind", "end", "message", "cancelled"));
    srv_log(SRV_LOG_INFO, "fetch of %s cancelled", name);
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
      srv_outbox_show(m->out, 1, "cannot load %s: %s", name, job->err.message);
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
    if (job->repeat && job->repeat_gen == m->repeat_gen && !m->closing)
      requeue(m, job);
  }
  free(answer);
  job_free(job);
}

/* The one place a load is made from a trigger's arguments and the
 * settings. 0, or SRV_ENOMEM / SRV_EINVAL (nothing to reload). */
static int build_job(srv_model_t *m, const srv_load_args_t *args,
                     load_job_t *job, char *msg, size_t msg_size) {
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
    srv_fetch_t fetch;
    rc = srv_fetch_copy(&set->fetch, &fetch);
    if (rc == 0) {
      if (args->seconds >= 0)
        fetch.seconds = args->seconds;
      if (args->timeout > 0)
        fetch.timeout = args->timeout;
      rc = srv_source_parse(args->path, srv_workspace_first_root(m->ws),
                            &fetch, &job->source, msg, msg_size);
      srv_fetch_close(&fetch);
    }
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
  if (rc == 0 &&
      ((set->goroot && !(job->goroot = strdup(set->goroot))) ||
       (set->gomodcache && !(job->gomodcache = strdup(set->gomodcache)))))
    rc = SRV_ENOMEM;
  job->from_watch = args->from_watch;
  job->repeat = args->repeat && job->source.kind != SRV_SOURCE_FILE;
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

static void enqueue(srv_model_t *m, load_job_t *job) {
  if (m->load_tail)
    m->load_tail->next = job;
  else
    m->load_head = job;
  m->load_tail = job;
  start_next(m);
}

void srv_model_load(srv_model_t *m, const srv_load_args_t *args) {
  load_job_t *job = calloc(1, sizeof *job);
  char msg[256] = "no profile is loaded to reload";
  int rc = job ? build_job(m, args, job, msg, sizeof msg) : SRV_ENOMEM;
  if (rc < 0) {
    job_free(job);
    if (args->id)
      srv_outbox_error(m->out, args->id,
                       rc == SRV_ENOMEM ? RPC_CODE_INTERNAL_ERROR
                                        : RPC_CODE_REQUEST_FAILED,
                       "%s", rc == SRV_ENOMEM ? "out of memory" : msg);
    else
      srv_outbox_show(m->out, 1, "cannot load %s: %s",
                      args->path ? args->path : "the profile", msg);
    return;
  }
  /* Any other load ends a repeated capture; the reload of the watcher
   * does not. */
  if (!args->from_watch)
    model_loads_stop_repeat(m, 0);
  job->repeat_gen = m->repeat_gen;
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
  enqueue(m, job);
}

/* Stops the running fetch now: answered -32800 when its request was
 * cancelled, else ended with a "cancelled" progress; the profile
 * stays. */
static void abort_fetch(srv_model_t *m) {
  load_job_t *job = m->load_running;
  uv_timer_stop(&m->tick);
  srv_fetch_cancel(job->req);
  job->req = NULL;
  m->load_running = NULL;
  if (!(job->id && rpc_cancel_is_cancelled(m->cancel, job->id))) {
    fail(job, HX_EIO, "cancelled");
    job->aborted = 1;
  }
  job->repeat = 0;
  finish(m, job);
  start_next(m);
}

void model_loads_stop_repeat(srv_model_t *m, int clearing) {
  m->repeat_gen++;
  load_job_t *job = m->load_running;
  if (!job || !job->repeat || !job->req)
    return;
  /* A round of a repeat that no request waits for is dropped; a clear
   * also cancels a first round (its request is answered -32800), which
   * another load leaves to finish before it. */
  if (job->id && !clearing)
    return;
  if (job->id)
    rpc_cancel_mark(m->cancel, job->id);
  abort_fetch(m);
}

void srv_model_cancel_progress(srv_model_t *m, const json_t *token) {
  load_job_t *job = m->load_running;
  if (!job || !job->token || !json_equal(job->token, (json_t *)token))
    return;
  m->repeat_gen++;
  if (job->id)
    rpc_cancel_mark(m->cancel, job->id);
  if (job->req)
    abort_fetch(m);
}

void srv_model_cancel(srv_model_t *m, const json_t *id) {
  model_pyro_cancel(m, id);
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
  load_job_t *job = m->load_running;
  if (job && job->req && job->id &&
      rpc_cancel_is_cancelled(m->cancel, job->id)) {
    m->repeat_gen++;
    abort_fetch(m);
  }
}

int model_loads_init(srv_model_t *m) {
  int rc = srv_error_from_uv(uv_timer_init(m->loop, &m->tick));
  if (rc < 0)
    return rc;
  m->tick.data = m;
  m->tick_open = 1;
  return srv_error_from_rpc(rpc_cancel_new(0, &m->cancel, NULL));
}

void model_loads_close(srv_model_t *m) {
  while (m->load_head) {
    load_job_t *job = m->load_head;
    m->load_head = job->next;
    job_free(job);
  }
  m->load_tail = NULL;
  /* A fetch stops now; a job on the thread pool cannot be stopped, and
   * after_work frees it. */
  if (m->load_running && m->load_running->req) {
    job_free(m->load_running);
    m->load_running = NULL;
  } else if (m->load_running) {
    uv_cancel((uv_req_t *)&m->load_running->work);
  }
  model_pyro_close(m);
  srv_http_close(m->http);
  m->http = NULL;
  if (m->tick_open) {
    uv_close((uv_handle_t *)&m->tick, NULL);
    m->tick_open = 0;
  }
}

void model_loads_free(srv_model_t *m) {
  rpc_cancel_free(m->cancel);
  m->cancel = NULL;
}
