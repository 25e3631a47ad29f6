/*
 * loader.c: loading profiles on libuv's thread pool.
 *
 * One load runs at a time; later ones wait in order (a reload of the same
 * file while one runs is common: a profiler rewriting its output). The
 * worker thread only reads the file and builds the index and its path
 * tables; everything it touches is in its job. Back on the loop, a good
 * result replaces the loaded profile in one assignment, so a request never
 * sees half of one; a bad result leaves the loaded profile as it was.
 */
#include "log.h"
#include "profile_file.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

struct srv_load_job {
  uv_work_t work;
  srv_session_t *session;
  char *path;        /* absolute */
  char *sample_type; /* NULL: default */
  hx_options_t opts;
  json_t *id;    /* the request to answer (own reference), or NULL */
  json_t *token; /* progress token (own reference), or NULL */
  char **roots;  /* workspace folders to scan (owned copies) */
  size_t root_count;
  int from_watch;
  srv_load_job_t *next;
  /* Results, written by the worker. */
  int rc;
  hx_error_t err;
  srv_profile_t *profile;
};

static void job_free(srv_load_job_t *job) {
  if (!job)
    return;
  srv_profile_free(job->profile);
  free(job->path);
  free(job->sample_type);
  json_decref(job->id);
  json_decref(job->token);
  for (size_t i = 0; i < job->root_count; i++)
    free(job->roots[i]);
  free(job->roots);
  free(job);
}

/* "~/x" and relative paths, made absolute. A new string, or NULL. */
static char *resolve(const srv_session_t *s, const char *path) {
  const char *base = NULL;
  char cwd[4096];
  if (path[0] == '~' && path[1] == '/') {
    base = getenv("HOME");
    path += 2;
  } else if (path[0] != '/') {
    base = s->root_count ? s->roots[0] : getcwd(cwd, sizeof cwd);
  }
  if (!base)
    return strdup(path);
  size_t n = strlen(base) + strlen(path) + 2;
  char *out = malloc(n);
  if (out)
    snprintf(out, n, "%s%s%s", base,
             base[0] && base[strlen(base) - 1] == '/' ? "" : "/", path);
  return out;
}

static void work(uv_work_t *req) {
  srv_load_job_t *job = req->data;
  srv_profile_t *p = calloc(1, sizeof *p);
  if (!p) {
    job->rc = HX_ENOMEM;
    snprintf(job->err.message, sizeof job->err.message, "out of memory");
    return;
  }
  job->profile = p;
  /* What is recorded of the file comes from the descriptor that was read,
   * not from the path afterwards: a file replaced during the load must
   * still look changed to the watcher. */
  srv_profile_file_t file;
  job->rc = srv_profile_file_read(job->path, &job->opts, &p->index, &file,
                                  &job->err);
  if (job->rc < 0)
    return;
  p->mtime_ns = file.mtime_ns;
  p->size = file.size;
  p->inode = file.inode;
  size_t n = hx_index_file_count(p->index);
  p->file_paths = malloc((n ? n : 1) * sizeof *p->file_paths);
  if (p->file_paths) {
    for (size_t i = 0; i < n; i++)
      p->file_paths[i] = hx_index_file(p->index, i)->path;
  }
  if (!p->file_paths || srv_path_map_new(p->file_paths, n, &p->paths) < 0) {
    job->rc = HX_ENOMEM;
    snprintf(job->err.message, sizeof job->err.message, "out of memory");
    return;
  }
  if (srv_scan_run((const char *const *)job->roots, job->root_count,
                   p->file_paths, n, &p->workspace) < 0) {
    job->rc = HX_ENOMEM;
    snprintf(job->err.message, sizeof job->err.message, "out of memory");
    return;
  }
}

static void progress(srv_session_t *s, const json_t *token, json_t *value) {
  if (!token) {
    json_decref(value);
    return;
  }
  srv_notify(s, "$/progress",
             json_pack("{s:O, s:o}", "token", token, "value", value));
}

static void finish(srv_session_t *s, srv_load_job_t *job);
static void after_work(uv_work_t *req, int status);

static void start_next(srv_session_t *s) {
  while (!s->load_running && s->load_head && !s->exiting) {
    srv_load_job_t *job = s->load_head;
    s->load_head = job->next;
    if (!s->load_head)
      s->load_tail = NULL;
    job->next = NULL;
    if (job->id && rpc_cancel_is_cancelled(s->cancel, job->id)) {
      rpc_cancel_remove(s->cancel, job->id);
      srv_reply_error(s, job->id, RPC_CODE_REQUEST_CANCELLED,
                      "load cancelled");
      job_free(job);
      continue;
    }
    const char *name = strrchr(job->path, '/');
    progress(s, job->token,
             json_pack("{s:s, s:s, s:s, s:b}", "kind", "begin", "title",
                       "heatls: loading profile", "message",
                       name ? name + 1 : job->path, "cancellable", 0));
    job->work.data = job;
    int rc = uv_queue_work(s->loop, &job->work, work, after_work);
    if (rc < 0) {
      snprintf(job->err.message, sizeof job->err.message, "%s",
               uv_strerror(rc));
      job->rc = HX_EIO;
      finish(s, job); /* answered as a failed load */
      continue;
    }
    s->load_running = job;
  }
}

/* A profile's index is tens of megabytes freed at once; glibc keeps such
 * freed memory for reuse unless asked, and a server that reloads all day
 * should not grow by it. */
static void release_free_memory(void) {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

static void install(srv_session_t *s, srv_load_job_t *job) {
  srv_profile_t *p = job->profile;
  job->profile = NULL;
  p->path = job->path;
  job->path = NULL;
  p->sample_type = job->sample_type;
  job->sample_type = NULL;
  srv_profile_free(s->profile);
  release_free_memory();
  s->profile = p;
  const hx_summary_t *sum = hx_index_summary(p->index);
  srv_log(SRV_LOG_INFO, "loaded %s: %s/%s, %zu files, %zu lines", p->path,
          sum->sample_type.type, sum->sample_type.unit, sum->files,
          sum->points);
  /* Decorations go out before the answer: see docs/protocol.md. */
  srv_docs_relink_all(s);
  srv_watch_update(s);
  srv_refresh_views(s);
}

static void after_work(uv_work_t *req, int status) {
  srv_load_job_t *job = req->data;
  srv_session_t *s = job->session;
  s->load_running = NULL;
  if (s->exiting) {
    job_free(job);
    return;
  }
  if (status == UV_ECANCELED && job->rc == 0) {
    job->rc = HX_EIO;
    snprintf(job->err.message, sizeof job->err.message, "cancelled");
  }
  finish(s, job);
  start_next(s);
}

/* Answers the job's request and installs its profile when it is good;
 * frees the job. */
static void finish(srv_session_t *s, srv_load_job_t *job) {
  int cancelled = job->id && rpc_cancel_is_cancelled(s->cancel, job->id);
  if (job->id)
    rpc_cancel_remove(s->cancel, job->id);
  const char *path = job->path;
  /* The answer to a good load is made before the switch: when it cannot be
   * made, the load fails and the loaded profile stays. */
  char *answer = NULL;
  size_t answer_len = 0;
  if (!cancelled && job->rc == 0 && job->id) {
    json_t *sum = srv_profile_summary_of(s, job->profile, job->path);
    json_t *msg = sum ? rpc_response_new(job->id, sum) : NULL;
    if (!msg || rpc_message_frame(msg, &answer, &answer_len, NULL) < 0) {
      job->rc = HX_ENOMEM;
      snprintf(job->err.message, sizeof job->err.message, "out of memory");
    }
    json_decref(msg);
  }
  if (cancelled) {
    progress(s, job->token, json_pack("{s:s}", "kind", "end"));
    srv_reply_error(s, job->id, RPC_CODE_REQUEST_CANCELLED, "load cancelled");
  } else if (job->rc < 0) {
    progress(s, job->token,
             json_pack("{s:s, s:s}", "kind", "end", "message", "failed"));
    if (job->from_watch)
      srv_show_message(s, 2, "cannot reload %s: %s (the previous "
                       "profile stays loaded)", path, job->err.message);
    else
      srv_show_message(s, 1, "cannot load %s: %s", path,
                       job->err.message);
    if (job->id)
      srv_reply_error(s, job->id, RPC_CODE_REQUEST_FAILED,
                      "cannot load %s: %s", path, job->err.message);
  } else {
    install(s, job);
    progress(s, job->token,
             json_pack("{s:s, s:s}", "kind", "end", "message", "loaded"));
    if (answer)
      srv_transport_send_raw(&s->transport, answer, answer_len);
  }
  free(answer);
  job_free(job);
}

int srv_load_start(srv_session_t *s, const srv_load_request_t *req) {
  srv_load_job_t *job = calloc(1, sizeof *job);
  if (job) {
    job->session = s;
    job->path = resolve(s, req->path);
    job->sample_type = req->sample_type ? strdup(req->sample_type) : NULL;
  }
  if (!job || !job->path || (req->sample_type && !job->sample_type)) {
    job_free(job);
    if (req->id)
      srv_reply_error(s, req->id, RPC_CODE_INTERNAL_ERROR, "out of memory");
    return -1;
  }
  job->roots = s->root_count ? calloc(s->root_count, sizeof *job->roots)
                             : NULL;
  for (size_t i = 0; job->roots && i < s->root_count; i++) {
    job->roots[i] = strdup(s->roots[i]);
    if (job->roots[i])
      job->root_count++;
  }
  hx_options_init(&job->opts);
  job->opts.sample_type = job->sample_type;
  job->opts.threshold = req->threshold;
  job->opts.local_scope = req->local_scope;
  job->from_watch = req->from_watch;
  if (req->id) {
    job->id = json_incref((json_t *)req->id);
    int rc = rpc_cancel_add(s->cancel, req->id, NULL);
    if (rc < 0) {
      if (rc == RPC_ENOMEM)
        srv_reply_error(s, req->id, RPC_CODE_INTERNAL_ERROR, "out of memory");
      else
        srv_reply_error(s, req->id, RPC_CODE_INVALID_REQUEST,
                        "a request with this id is already pending");
      job_free(job);
      return -1;
    }
  }
  if (req->work_token && (json_is_string(req->work_token) ||
                          json_is_integer(req->work_token))) {
    job->token = json_incref((json_t *)req->work_token);
  } else if (s->client.work_done_progress) {
    char token[64];
    snprintf(token, sizeof token, "heatls/load/%llu",
             (unsigned long long)++s->progress_tokens);
    job->token = json_string(token);
    srv_request(s, "window/workDoneProgress/create",
                json_pack("{s:s}", "token", token), NULL, NULL);
  }
  if (s->load_tail)
    s->load_tail->next = job;
  else
    s->load_head = job;
  s->load_tail = job;
  start_next(s);
  return 0;
}

void srv_load_cancelled(srv_session_t *s) {
  srv_load_job_t **link = &s->load_head;
  s->load_tail = NULL;
  while (*link) {
    srv_load_job_t *job = *link;
    if (job->id && rpc_cancel_is_cancelled(s->cancel, job->id)) {
      *link = job->next;
      rpc_cancel_remove(s->cancel, job->id);
      srv_reply_error(s, job->id, RPC_CODE_REQUEST_CANCELLED,
                      "load cancelled");
      job_free(job);
    } else {
      s->load_tail = job;
      link = &job->next;
    }
  }
}

void srv_load_drop_queue(srv_session_t *s) {
  while (s->load_head) {
    srv_load_job_t *job = s->load_head;
    s->load_head = job->next;
    job_free(job);
  }
  s->load_tail = NULL;
  /* A running job cannot be stopped; after_work frees it. */
  if (s->load_running)
    uv_cancel((uv_req_t *)&s->load_running->work);
}

void srv_profile_unload(srv_session_t *s) {
  srv_profile_free(s->profile);
  s->profile = NULL;
  release_free_memory();
}

int srv_profile_relevel(srv_session_t *s) {
  if (!s->profile)
    return 0;
  hx_error_t err;
  if (hx_index_relevel(s->profile->index, s->settings.threshold,
                       s->settings.local_scope, &err) < 0) {
    srv_show_message(s, 2, "cannot re-rank the profile: %s",
                     err.message);
    return -1;
  }
  return 0;
}
