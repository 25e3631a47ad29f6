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
#include "source_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct load_job {
  uv_work_t work;
  srv_model_t *model;
  /* The profiles, merged, and the bases of a diff (none: not a diff). */
  srv_sources_t sources, bases;
  int normalize;
  /* heatls.compare: the new side is the loaded profile's (plain, taken
   * when the job starts; sources then are its copies). */
  int compare;
  int unchanged; /* a compare that changes nothing: answered as it is */
  srv_plain_t *plain;
  int64_t mtime_ns, size, inode; /* the loaded profile's, for a compare */
  size_t culprit;                /* the input a failure names */
  char *sample_type;             /* NULL: default */
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
  /* URL sources, one at a time: the transfer while it runs, then the
   * bodies (bodies[i] for input i: the profiles, then the bases). */
  srv_fetch_req_t *req;
  size_t fetching; /* the input being fetched */
  srv_bytes_t *bodies;
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
  for (size_t i = 0; job->bodies && i < job->sources.count + job->bases.count;
       i++)
    srv_bytes_close(&job->bodies[i]);
  free(job->bodies);
  srv_sources_close(&job->sources);
  srv_sources_close(&job->bases);
  srv_plain_unref(job->plain);
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

/* Input i: the profiles, then the bases. */
static srv_source_t *input(load_job_t *job, size_t i) {
  return i < job->sources.count ? &job->sources.items[i]
                                : &job->bases.items[i - job->sources.count];
}

static size_t input_count(const load_job_t *job) {
  return job->sources.count + job->bases.count;
}

/* The first input to fetch (a URL or a Pyroscope query) at or after i
 * (input_count: none). */
static size_t next_url(load_job_t *job, size_t i) {
  while (i < input_count(job) && input(job, i)->kind == SRV_SOURCE_FILE)
    i++;
  return i;
}

/* The source a message names: the one being fetched, else the first. */
static srv_source_t *current(load_job_t *job) {
  return input(job, job->fetching < input_count(job) ? job->fetching : 0);
}

static void work(uv_work_t *req) {
  load_job_t *job = req->data;
  srv_go_settings_t go = {.goroot = job->goroot,
                          .gomodcache = job->gomodcache};
  srv_profile_spec_t spec = {.sources = job->sources.items,
                             .source_count = job->sources.count,
                             .bases = job->bases.items,
                             .base_count = job->bases.count,
                             .normalize = job->normalize,
                             .bodies = job->bodies,
                             .plain = job->plain,
                             .options = &job->opts,
                             .roots = (const char *const *)job->roots,
                             .root_count = job->root_count,
                             .go = &go};
  job->rc = srv_profile_build(&spec, &job->profile, &job->culprit, &job->err);
}

static void finish(srv_model_t *m, load_job_t *job);
static int take_loaded(srv_model_t *m, load_job_t *job);
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
  int seconds = current(job)->fetch.seconds;
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
    capture_what(current(job), what, sizeof what);
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

static int start_fetch(srv_model_t *m, load_job_t *job, size_t i);

static void on_fetched(void *data, int rc, srv_bytes_t *body_in,
                       const char *msg) {
  load_job_t *job = data;
  srv_model_t *m = job->model;
  job->req = NULL;
  uv_timer_stop(&m->tick);
  if (rc < 0) {
    fail(job, rc == SRV_ENOMEM ? HX_ENOMEM : HX_EIO, msg);
    job->culprit = job->fetching;
  } else {
    srv_bytes_t *body = &job->bodies[job->fetching];
    *body = *body_in;
    *body_in = (srv_bytes_t)SRV_BYTES_INIT;
    srv_log(SRV_LOG_DEBUG, "fetched %zu bytes for %s", body->size,
            srv_source_name(current(job)));
    /* The next URL, or the worker once all are here. */
    size_t next = next_url(job, job->fetching + 1);
    if (next < input_count(job)) {
      job->received = job->total = 0;
      job->last_report_ms = 0;
      if (start_fetch(m, job, next) == 0)
        return;
    } else {
      job->fetching = input_count(job);
      if (queue_work(m, job) == 0)
        return;
    }
  }
  m->load_running = NULL;
  finish(m, job);
  start_next(m);
}

/* Starts fetching input i (a URL or a Pyroscope query); -1 when it
 * cannot start (job failed). */
static int start_fetch(srv_model_t *m, load_job_t *job, size_t i) {
  char msg[sizeof job->err.message] = "cannot start the transfer";
  job->fetching = i;
  job->culprit = i;
  int rc = m->http ? 0 : srv_http_new(m->loop, &m->http);
  if (rc == 0 && !job->bodies) {
    job->bodies = calloc(input_count(job), sizeof *job->bodies);
    rc = job->bodies ? 0 : SRV_ENOMEM;
  }
  if (rc == 0)
    rc = srv_fetch_start(m->http, current(job), job->opts.max_decompressed,
                         on_fetch_progress, on_fetched, job, &job->req, msg,
                         sizeof msg);
  job->fetch_start = uv_now(m->loop);
  job->reported_seconds = -1;
  if (rc == 0 && current(job)->fetch.seconds > 0)
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
    if (job->compare) {
      int taken = take_loaded(m, job);
      if (taken < 0) {
        srv_outbox_error(
            m->out, job->id,
            taken == SRV_ENOMEM ? RPC_CODE_INTERNAL_ERROR
                                : RPC_CODE_REQUEST_FAILED,
            "%s",
            taken == SRV_ENOMEM
                ? "out of memory"
                : "no profile is loaded (run heatls.loadProfile)");
        if (job->id)
          rpc_cancel_remove(m->cancel, job->id);
        job_free(job);
        continue;
      }
    }
    /* A compare has its profiles already: only its bases are fetched. */
    size_t url = next_url(job, job->compare ? job->sources.count : 0);
    int fetch = url < input_count(job);
    /* What is read: the profiles and bases, or a compare's bases. */
    size_t from = job->compare ? job->sources.count : 0;
    size_t reading = input_count(job) - from;
    char what[600];
    const char *first =
        reading ? srv_source_name(input(job, from)) : "no base";
    snprintf(what, sizeof what, "%s", fetch ? first : base_name(first));
    if (reading > 1)
      snprintf(what + strlen(what), sizeof what - strlen(what),
               " and %zu more", reading - 1);
    srv_outbox_progress(
        m->out, job->token,
        json_pack("{s:s, s:s, s:s, s:b}", "kind", "begin", "title",
                  fetch          ? "heatls: fetching profile"
                  : job->compare ? "heatls: comparing with a base"
                                 : "heatls: loading profile",
                  "message", what, "cancellable", fetch));
    if (job->unchanged)
      finish(m, job); /* answered with the summary as it is */
    else if ((fetch ? start_fetch(m, job, url) : queue_work(m, job)) < 0)
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
  if (srv_sources_add_copies(&job->sources, prev->sources.items,
                             prev->sources.count) < 0 ||
      (prev->sample_type && !(job->sample_type = strdup(prev->sample_type))) ||
      srv_workspace_roots_copy(m->ws, &job->roots, &job->root_count) < 0) {
    srv_log(SRV_LOG_WARN, "out of memory: %s is not captured again",
            srv_source_name(&prev->sources.items[0]));
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
  const char *name = input_count(job) == 0 ? "the profile"
                     : job->culprit < input_count(job)
                         ? srv_source_name(input(job, job->culprit))
                         : srv_source_name(input(job, 0));
  char *answer = NULL;
  size_t answer_len = 0;
  if (!cancelled && job->rc == 0 && job->id && !job->unchanged) {
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
  } else if (job->unchanged) {
    srv_outbox_progress(
        m->out, job->token,
        json_pack("{s:s, s:s}", "kind", "end", "message", "loaded"));
    if (job->id)
      srv_outbox_reply(m->out, job->id, srv_model_summary(m));
  } else {
    if (job->compare) {
      /* The same files: the watcher's baseline stays theirs. */
      job->profile->mtime_ns = job->mtime_ns;
      job->profile->size = job->size;
      job->profile->inode = job->inode;
    }
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
  model_relevel_pending(m);
}

/* Appends the sources of a list of arguments (strings) to list. */
static int add_args(srv_model_t *m, srv_sources_t *list, const json_t *args,
                    const srv_fetch_t *fetch, char *msg, size_t msg_size) {
  size_t i;
  const json_t *arg;
  json_array_foreach(args, i, arg) {
    int rc =
        srv_sources_add(list, json_string_value(arg),
                        srv_workspace_first_root(m->ws), fetch, msg, msg_size);
    if (rc < 0)
      return rc;
  }
  return 0;
}

/* A compare's new side, when it starts: the loaded profile's, with its
 * sample type and levels. 0; 1 when nothing changes (a base cleared from
 * a profile without one); SRV_EINVAL without a loaded profile;
 * SRV_ENOMEM. */
static int take_loaded(srv_model_t *m, load_job_t *job) {
  const srv_profile_t *p = m->profile;
  if (!p)
    return SRV_EINVAL;
  const hx_summary_t *sum = hx_index_summary(p->index);
  job->opts.threshold = sum->threshold;
  job->opts.local_scope = sum->local_scope;
  free(job->sample_type);
  job->sample_type = p->sample_type ? strdup(p->sample_type) : NULL;
  job->opts.sample_type = job->sample_type;
  job->mtime_ns = p->mtime_ns;
  job->size = p->size;
  job->inode = p->inode;
  job->plain = srv_plain_ref(p->plain);
  if ((p->sample_type && !job->sample_type) ||
      srv_sources_add_copies(&job->sources, &p->source, 1) < 0 ||
      srv_sources_add_copies(&job->sources, p->more, p->more_count) < 0)
    return SRV_ENOMEM;
  if (job->bases.count == 0 && !srv_profile_is_diff(p)) {
    job->unchanged = 1;
    return 1;
  }
  return 0;
}

/* The one place a load is made from a trigger's arguments and the
 * settings. 0, or SRV_ENOMEM / SRV_EINVAL (nothing to reload; a bad
 * source, msg says why). */
static int build_job(srv_model_t *m, const srv_load_args_t *args,
                     load_job_t *job, char *msg, size_t msg_size) {
  const srv_settings_t *set = &m->settings;
  hx_options_init(&job->opts);
  const char *sample_type = set->sample_type;
  job->opts.threshold = set->threshold;
  job->opts.local_scope = set->local_scope;
  const json_t *bases = args->has_bases ? args->bases : set->base;
  job->normalize = args->normalize >= 0 ? args->normalize : set->normalize;
  srv_fetch_t fetch;
  int rc = srv_fetch_copy(&set->fetch, &fetch);
  if (rc < 0)
    return rc;
  if (args->seconds >= 0)
    fetch.seconds = args->seconds;
  if (args->timeout > 0)
    fetch.timeout = args->timeout;
  if (args->compare) {
    job->compare = 1; /* the new side is taken when the job starts */
  } else if (args->from_watch || (!args->path && !args->paths)) {
    /* The loaded profiles and bases again. */
    const srv_profile_t *p = m->profile;
    if (!p) {
      srv_fetch_close(&fetch);
      return SRV_EINVAL;
    }
    bases = NULL;
    job->normalize = p->normalize;
    if (srv_sources_add_copies(&job->sources, &p->source, 1) < 0 ||
        srv_sources_add_copies(&job->sources, p->more, p->more_count) < 0 ||
        srv_sources_add_copies(&job->bases, p->bases, p->base_count) < 0)
      rc = SRV_ENOMEM;
    if (args->from_watch) {
      /* A reload keeps what the loaded profile was loaded with. */
      const hx_summary_t *sum = hx_index_summary(p->index);
      sample_type = p->sample_type;
      job->opts.threshold = sum->threshold;
      job->opts.local_scope = sum->local_scope;
    }
  } else if (args->path) {
    rc = srv_sources_add(&job->sources, args->path,
                         srv_workspace_first_root(m->ws), &fetch, msg,
                         msg_size);
  } else {
    rc = add_args(m, &job->sources, args->paths, &fetch, msg, msg_size);
  }
  if (rc == 0 && bases)
    rc = add_args(m, &job->bases, bases, &fetch, msg, msg_size);
  srv_fetch_close(&fetch);
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
  /* A repeated capture: one URL, no base. */
  job->repeat = args->repeat && job->sources.count == 1 &&
                job->bases.count == 0 &&
                job->sources.items[0].kind != SRV_SOURCE_FILE;
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
  char msg[600] = "no profile is loaded to reload";
  int rc = job ? build_job(m, args, job, msg, sizeof msg) : SRV_ENOMEM;
  if (rc < 0) {
    /* An input that cannot be resolved (a glob that matches nothing, a
     * bad URL) is told as a failed read is: a message, and the answer.
     * The message names what msg names: the path as given may hold a
     * URL's password. */
    job_free(job);
    const char *why = rc == SRV_ENOMEM ? "out of memory" : msg;
    srv_outbox_show(m->out, 1, "cannot load the profile: %s", why);
    if (args->id)
      srv_outbox_error(m->out, args->id,
                       rc == SRV_ENOMEM ? RPC_CODE_INTERNAL_ERROR
                                        : RPC_CODE_REQUEST_FAILED,
                       "%s", why);
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

int model_loads_reading(const srv_model_t *m, const hx_index_t *index) {
  const load_job_t *job = m->load_running;
  return job && job->plain && job->plain->index == index;
}

void model_loads_free(srv_model_t *m) {
  rpc_cancel_free(m->cancel);
  m->cancel = NULL;
}
