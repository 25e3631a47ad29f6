/*
 * searches.c: heatls.search: the model's code searches on the thread pool,
 * and the heat of their matches, decided on the loop when a search ends
 * (the profile and the documents' lines as they are then; the worker never
 * touches either).
 */
#include "model_internal.h"

#include "error.h"
#include "log.h"
#include "search_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_DEFAULT_LIMIT 1000
#define SEARCH_MAX_LIMIT 100000

struct model_search {
  uv_work_t work;
  srv_model_t *model;
  srv_search_job_t *job;
  int min_level, local, cold;
  size_t limit;
  json_t *id, *token; /* own references */
  model_search_t *next;
};

static void search_free(model_search_t *s) {
  srv_search_job_free(s->job);
  json_decref(s->id);
  json_decref(s->token);
  free(s);
}

static void work(uv_work_t *req) {
  model_search_t *s = req->data;
  srv_search_job_run(s->job);
}

/* The heat of one hit (all 0 when cold or not profiled). An open document
 * is judged by its annotations, which follow its edits; a file on disk by
 * the profile's lines. */
static hs_line_heat_t hit_heat(const srv_model_t *m,
                               const srv_search_job_t *job,
                               const srv_search_hit_t *h, int local) {
  hs_line_heat_t out = {0};
  const hx_index_t *index = srv_model_index(m);
  if (!index || h->first_line == 0)
    return out;
  const srv_doc_t *doc =
      h->doc >= 0 ? srv_workspace_find(m->ws, job->docs[h->doc].uri) : NULL;
  if (doc) {
    const hx_point_t *p =
        srv_doc_hottest(doc, index, h->first_line, h->last_line, local);
    if (p)
      out = (hs_line_heat_t){.line = 1,
                             .global = p->global,
                             .local = p->local,
                             .cum = p->cum,
                             .flat = p->flat};
    return out;
  }
  long file = srv_workspace_profile_file(m->ws, m->profile, h->path);
  hs_heat_t heat = {.index = index, .min_level = 1, .local = local};
  hs_heat_range(&heat, file, h->first_line, h->last_line, &out);
  return out;
}

static json_t *hit_json(const srv_model_t *m, const srv_search_job_t *job,
                        const srv_search_hit_t *h, const hs_line_heat_t *lh) {
  char *uri = NULL;
  if (h->doc >= 0)
    uri = strdup(job->docs[h->doc].uri);
  else if (lsp_uri_from_path(h->path, &uri, NULL) < 0)
    uri = NULL;
  if (!uri)
    return NULL;
  char cum[64];
  srv_model_format(m, lh->cum, cum, sizeof cum);
  json_t *item = json_pack("{s:s, s:o, s:s, s:i, s:i, s:I, s:s}", "uri", uri,
                           "range", lsp_range_to_json(&h->range), "text",
                           h->text, "global", lh->global, "local", lh->local,
                           "cum", (json_int_t)lh->cum, "cumText", cum);
  free(uri);
  return item;
}

static int is_input_error(int code) {
  return code == HS_EPATTERN || code == HS_EQUERY || code == HS_EREGEX ||
         code == HS_ELANG || code == HS_ENOGRAMMAR || code == HS_ECAPTURE ||
         code == HS_EGRAMMAR;
}

static void unlink_search(srv_model_t *m, model_search_t *s) {
  for (model_search_t **p = &m->searches; *p; p = &(*p)->next) {
    if (*p == s) {
      *p = s->next;
      return;
    }
  }
}

static void answer(srv_model_t *m, model_search_t *s) {
  srv_search_job_t *job = s->job;
  int cancelled = rpc_cancel_is_cancelled(m->cancel, s->id);
  rpc_cancel_remove(m->cancel, s->id);
  if (cancelled) {
    srv_outbox_progress(m->out, s->token, json_pack("{s:s}", "kind", "end"));
    srv_outbox_error(m->out, s->id, RPC_CODE_REQUEST_CANCELLED,
                     "search cancelled");
    return;
  }
  if (job->rc < 0) {
    srv_outbox_progress(
        m->out, s->token,
        json_pack("{s:s, s:s}", "kind", "end", "message", "failed"));
    srv_outbox_error(m->out, s->id,
                     is_input_error(job->rc) ? RPC_CODE_INVALID_PARAMS
                                             : RPC_CODE_REQUEST_FAILED,
                     "heatls.search: %s", job->err.message);
    return;
  }
  json_t *out = json_array();
  int oom = !out;
  for (size_t i = 0; i < job->hit_count && !oom; i++) {
    if (json_array_size(out) >= s->limit)
      break;
    hs_line_heat_t lh = hit_heat(m, job, &job->hits[i], s->local);
    int level = s->local ? lh.local : lh.global;
    int hot = s->min_level > 0 && level >= s->min_level;
    if (s->cold ? hot : (s->min_level > 0 && !hot))
      continue;
    if (json_array_append_new(out, hit_json(m, job, &job->hits[i], &lh)) < 0)
      oom = 1;
  }
  char message[96];
  snprintf(message, sizeof message, "%zu matches in %zu files",
           json_array_size(out), job->files);
  srv_outbox_progress(
      m->out, s->token,
      json_pack("{s:s, s:s}", "kind", "end", "message", message));
  srv_log(SRV_LOG_INFO, "search: %s (%zu matches before the heat filter%s)",
          message, job->hit_count, job->truncated ? ", truncated" : "");
  if (oom) {
    json_decref(out);
    srv_outbox_error(m->out, s->id, RPC_CODE_INTERNAL_ERROR, "out of memory");
    return;
  }
  srv_outbox_reply(m->out, s->id, out);
}

static void after_work(uv_work_t *req, int status) {
  model_search_t *s = req->data;
  srv_model_t *m = s->model;
  unlink_search(m, s);
  if (!m->closing) {
    if (status == UV_ECANCELED)
      atomic_store(&s->job->cancelled, 1);
    answer(m, s);
  }
  search_free(s);
}

/* Copies what the worker reads: the pattern, the folders (or the one file
 * of a document scope) and the open documents' texts. */
static int fill_job(srv_model_t *m, const srv_search_args_t *args,
                    srv_search_job_t *job) {
  job->kind = (hs_kind_t)args->kind;
  job->encoding = m->client.encoding;
  atomic_init(&job->cancelled, 0);
  if (!(job->pattern = strdup(args->pattern)) ||
      (args->language && !(job->language = strdup(args->language))) ||
      (args->hot &&
       !(job->hot =
             strdup(args->hot[0] == '$' || args->hot[0] == '@' ? args->hot + 1
                                                               : args->hot))))
    return SRV_ENOMEM;
  size_t n = srv_workspace_doc_count(m->ws);
  job->docs = calloc(n ? n : 1, sizeof *job->docs);
  if (!job->docs)
    return SRV_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const srv_doc_t *d = srv_workspace_doc(m->ws, i);
    if (args->scope && strcmp(args->scope, d->uri) != 0)
      continue;
    srv_search_doc_t *c = &job->docs[job->doc_count++];
    c->len = lsp_text_size(d->text);
    c->uri = strdup(d->uri);
    c->path = d->path ? strdup(d->path) : NULL;
    c->text = malloc(c->len + 1);
    if (!c->uri || (d->path && !c->path) || !c->text)
      return SRV_ENOMEM;
    memcpy(c->text, lsp_text_data(d->text), c->len);
    c->text[c->len] = 0;
  }
  if (args->scope) {
    /* One document: open, it is searched as it is; else its file. */
    char *path;
    if (job->doc_count == 0 &&
        lsp_uri_to_path(args->scope, &path, NULL) == 0) {
      job->roots = malloc(sizeof *job->roots);
      if (!job->roots) {
        free(path);
        return SRV_ENOMEM;
      }
      job->roots[0] = path;
      job->root_count = 1;
    }
    return 0;
  }
  return srv_workspace_roots_copy(m->ws, &job->roots, &job->root_count);
}

void srv_model_search(srv_model_t *m, const srv_search_args_t *args) {
  if (args->min_level > 0 && !m->profile) {
    srv_outbox_error(m->out, args->id, RPC_CODE_REQUEST_FAILED,
                     "no profile is loaded (run heatls.loadProfile), so no "
                     "match can be hot; minLevel 0 searches without one");
    return;
  }
  model_search_t *s = calloc(1, sizeof *s);
  srv_search_job_t *job = calloc(1, sizeof *job);
  int rc = s && job ? fill_job(m, args, job) : SRV_ENOMEM;
  if (rc == 0 && rpc_cancel_add(m->cancel, args->id, NULL) < 0)
    rc = SRV_EEXIST;
  if (rc < 0) {
    srv_search_job_free(job);
    free(s);
    srv_outbox_error(
        m->out, args->id,
        rc == SRV_EEXIST ? RPC_CODE_INVALID_REQUEST : RPC_CODE_INTERNAL_ERROR,
        rc == SRV_EEXIST ? "a request with this id is already pending"
                         : "out of memory");
    return;
  }
  *s = (model_search_t){.model = m,
                        .job = job,
                        .min_level = args->min_level,
                        .local = args->local,
                        .cold = args->cold,
                        .limit =
                            args->limit ? args->limit : SEARCH_DEFAULT_LIMIT,
                        .id = json_incref((json_t *)args->id)};
  if (s->limit > SEARCH_MAX_LIMIT)
    s->limit = SEARCH_MAX_LIMIT;
  const json_t *t = args->work_token;
  if (t && (json_is_string(t) || json_is_integer(t)))
    s->token = json_incref((json_t *)t);
  srv_outbox_progress(m->out, s->token,
                      json_pack("{s:s, s:s, s:s, s:b}", "kind", "begin",
                                "title", "heatls: searching", "message",
                                args->pattern, "cancellable", 1));
  s->work.data = s;
  rc = uv_queue_work(m->loop, &s->work, work, after_work);
  if (rc < 0) {
    job->rc = HS_EIO;
    snprintf(job->err.message, sizeof job->err.message, "%s", uv_strerror(rc));
    answer(m, s);
    search_free(s);
    return;
  }
  s->next = m->searches;
  m->searches = s;
}

void model_searches_cancel(srv_model_t *m, const json_t *id) {
  for (model_search_t *s = m->searches; s; s = s->next)
    if (json_equal(s->id, id))
      atomic_store(&s->job->cancelled, 1);
}

void model_searches_close(srv_model_t *m) {
  /* Running searches stop at their next file; after_work frees them. */
  for (model_search_t *s = m->searches; s; s = s->next) {
    atomic_store(&s->job->cancelled, 1);
    uv_cancel((uv_req_t *)&s->work);
  }
}
