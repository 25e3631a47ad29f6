/*
 * pyro_rpc.c: Connect unary calls to Pyroscope, and a merged profile
 * fetched with them (SelectMergeStacktraces, else SelectMergeProfile).
 */
#include "pyro_rpc.h"

#include "error.h"
#include "log.h"
#include "pyro_time.h"
#include "pyroscope.pb-c.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int srv_pyro_range(const srv_pyro_query_t *q, int64_t default_back_ms,
                   int64_t *start, int64_t *end, char *msg, size_t msg_size) {
  int64_t now = wall_ms();
  *end = now;
  if (q->until && srv_pyro_time_parse(q->until, now, end) < 0) {
    snprintf(msg, msg_size, "until \"%.100s\": not a time", q->until);
    return SRV_EINVAL;
  }
  *start = *end - default_back_ms;
  if (q->from && srv_pyro_time_parse(q->from, now, start) < 0) {
    snprintf(msg, msg_size, "from \"%.100s\": not a time", q->from);
    return SRV_EINVAL;
  }
  if (*start >= *end) {
    snprintf(msg, msg_size,
             "the range is empty: from %.60s is not before "
             "until %.60s",
             q->from ? q->from : "(default)", q->until ? q->until : "now");
    return SRV_EINVAL;
  }
  return 0;
}

int srv_pyro_post(srv_http_t *h, const srv_source_t *src, const char *method,
                  const void *body, size_t size, uint64_t max_bytes,
                  srv_http_progress_cb progress, srv_http_done_cb done,
                  void *data, srv_http_req_t **out, char *msg,
                  size_t msg_size) {
  const srv_fetch_t *f = &src->fetch;
  size_t n =
      strlen(src->pyro.server) + strlen(method) + sizeof SRV_PYRO_SERVICE + 4;
  char *url = malloc(n);
  const char **headers = malloc((f->header_count + 2) * sizeof *headers);
  if (!url || !headers) {
    free(url);
    free(headers);
    snprintf(msg, msg_size, "out of memory");
    return SRV_ENOMEM;
  }
  snprintf(url, n, "%s/%s/%s", src->pyro.server, SRV_PYRO_SERVICE, method);
  headers[0] = "Content-Type: application/proto";
  headers[1] = "Connect-Protocol-Version: 1";
  for (size_t i = 0; i < f->header_count; i++)
    headers[i + 2] = f->headers[i];
  srv_http_opts_t opts;
  srv_fetch_http_opts(src, max_bytes, &opts);
  opts.url = url;
  opts.post = 1;
  opts.body = body;
  opts.body_size = size;
  opts.headers = headers;
  opts.header_count = f->header_count + 2;
  int rc = srv_http_get(h, &opts, progress, done, data, out);
  free(url);
  free(headers);
  if (rc < 0)
    snprintf(msg, msg_size, "cannot start the transfer: %s", srv_strerror(rc));
  return rc;
}

int srv_pyro_call_start(srv_pyro_call_t *c, srv_http_t *h,
                        const srv_source_t *src, int64_t default_back_ms,
                        int (*ask)(void *owner, char *msg, size_t msg_size),
                        void *owner, char *msg, size_t msg_size) {
  c->h = h;
  c->req = NULL;
  if (srv_source_copy(src, &c->src) < 0) {
    snprintf(msg, msg_size, "out of memory");
    return SRV_ENOMEM;
  }
  int rc = srv_pyro_range(&src->pyro, default_back_ms, &c->start, &c->end, msg,
                          msg_size);
  if (rc == 0)
    rc = ask(owner, msg, msg_size);
  if (rc < 0)
    srv_pyro_call_close(c);
  return rc;
}

int srv_pyro_call_send(srv_pyro_call_t *c, const char *method,
                       const ProtobufCMessage *request, uint64_t max_bytes,
                       srv_http_progress_cb progress, srv_http_done_cb done,
                       void *data, char *msg, size_t msg_size) {
  size_t size = protobuf_c_message_get_packed_size(request);
  uint8_t *buf = malloc(size ? size : 1);
  if (!buf) {
    snprintf(msg, msg_size, "out of memory");
    return SRV_ENOMEM;
  }
  protobuf_c_message_pack(request, buf);
  int rc = srv_pyro_post(c->h, &c->src, method, buf, size, max_bytes, progress,
                         done, data, &c->req, msg, msg_size);
  free(buf);
  return rc;
}

void srv_pyro_call_close(srv_pyro_call_t *c) {
  srv_http_cancel(c->req);
  c->req = NULL;
  srv_source_close(&c->src);
}

static int type_is(const srv_http_result_t *res, const char *type) {
  const char *t = res->content_type;
  size_t n = strlen(type);
  return t && strncasecmp(t, type, n) == 0 &&
         (t[n] == '\0' || t[n] == ';' || t[n] == ' ');
}

/* Connect's error body, {"code": "...", "message": "..."}, into msg;
 * 1 when it was one. */
static int connect_error(const char *head, size_t size, int *unimplemented,
                         char *msg, size_t msg_size) {
  json_t *j = json_loadb(head, size, 0, NULL);
  const char *code = json_string_value(json_object_get(j, "code"));
  if (!code) {
    json_decref(j);
    return 0;
  }
  const char *text = json_string_value(json_object_get(j, "message"));
  char clean_code[64], clean_text[320] = "";
  srv_fetch_text(code, strlen(code), clean_code, sizeof clean_code);
  if (text)
    srv_fetch_text(text, strlen(text), clean_text, sizeof clean_text);
  snprintf(msg, msg_size, "Pyroscope answered %s%s%s", clean_code,
           clean_text[0] ? ": " : "", clean_text);
  *unimplemented = strcmp(code, "unimplemented") == 0;
  json_decref(j);
  return 1;
}

int srv_pyro_judge(const srv_http_result_t *res, const char *method,
                   int *missing, char *msg, size_t msg_size) {
  *missing = 0;
  if (res->rc < 0) {
    snprintf(msg, msg_size, "%s", res->message);
    return res->rc;
  }
  size_t head_size;
  const char *head = srv_bytes_head(&res->body, &head_size);
  if (res->status != 200) {
    if (type_is(res, "application/json") &&
        connect_error(head, head_size, missing, msg, msg_size))
      return SRV_ENET;
    *missing = res->status == 404 || res->status == 405 || res->status == 501;
    if (srv_fetch_is_html(res, head, head_size)) {
      snprintf(msg, msg_size,
               "the server answered %ld with an HTML page, not Pyroscope's "
               "API (is the URL the Pyroscope server's?)",
               res->status);
      return SRV_ENET;
    }
    return srv_fetch_answered(res, head, head_size, method, msg, msg_size);
  }
  if (srv_fetch_is_html(res, head, head_size)) {
    snprintf(msg, msg_size,
             "the server answered with an HTML page, not Pyroscope's API "
             "(is the URL the Pyroscope server's?)");
    return SRV_ENET;
  }
  if (!type_is(res, "application/proto")) {
    char type[64];
    const char *t = res->content_type ? res->content_type : "none";
    srv_fetch_text(t, strlen(t), type, sizeof type);
    snprintf(msg, msg_size,
             "the server answered %s with Content-Type %s, not "
             "application/proto (is the URL the Pyroscope server's?)",
             method, type);
    return SRV_ENET;
  }
  return 0;
}

uint8_t *srv_pyro_flatten(srv_bytes_t *b, size_t *size) {
  *size = b->size;
  uint8_t *buf = malloc(b->size ? b->size : 1);
  size_t at = 0;
  for (size_t i = 0; buf && i < b->count; i++) {
    size_t n = b->size - at < SRV_BYTES_CHUNK ? b->size - at : SRV_BYTES_CHUNK;
    memcpy(buf + at, b->chunks[i], n);
    at += n;
  }
  srv_bytes_close(b);
  return buf;
}

/* The merged profile's fetch. */
enum { ASK_STACKTRACES, ASK_MERGE_PROFILE };

struct srv_pyro_fetch {
  srv_pyro_call_t call; /* both calls ask for the same range */
  int stage;
  uint64_t max_bytes;
  srv_http_progress_cb progress;
  srv_fetch_done_cb done;
  void *data;
  srv_http_req_t *req;
};

static const char *const methods[] = {"SelectMergeStacktraces",
                                      "SelectMergeProfile"};

static void fetch_free(srv_pyro_fetch_t *f) {
  srv_pyro_call_close(&f->call);
  free(f);
}

static void finish(srv_pyro_fetch_t *f, int rc, srv_bytes_t *body,
                   const char *msg) {
  srv_fetch_done_cb done = f->done;
  void *data = f->data;
  f->call.req = NULL;
  fetch_free(f);
  done(data, rc, body, msg);
}

static void on_answer(void *data, srv_http_result_t *res);

/* A call's progress, to the caller's callback with its data. */
static void on_progress(void *data, uint64_t received, uint64_t total,
                        uint64_t ms) {
  srv_pyro_fetch_t *f = data;
  f->progress(f->data, received, total, ms);
}

/* Sends the call of f->stage; 0 or a negative code with msg. */
static int ask(void *owner, char *msg, size_t msg_size) {
  srv_pyro_fetch_t *f = owner;
  const srv_pyro_query_t *q = &f->call.src.pyro;
  Heatls__Pyroscope__SelectMergeStacktracesRequest stacktraces =
      HEATLS__PYROSCOPE__SELECT_MERGE_STACKTRACES_REQUEST__INIT;
  Heatls__Pyroscope__SelectMergeProfileRequest profile =
      HEATLS__PYROSCOPE__SELECT_MERGE_PROFILE_REQUEST__INIT;
  const ProtobufCMessage *request;
  if (f->stage == ASK_STACKTRACES) {
    stacktraces.profile_type_id = q->type_id;
    stacktraces.label_selector = q->selector;
    stacktraces.start = f->call.start;
    stacktraces.end = f->call.end;
    stacktraces.format =
        HEATLS__PYROSCOPE__PROFILE_FORMAT__PROFILE_FORMAT_PPROF;
    request = &stacktraces.base;
  } else {
    profile.profile_type_id = q->type_id;
    profile.label_selector = q->selector;
    profile.start = f->call.start;
    profile.end = f->call.end;
    request = &profile.base;
  }
  return srv_pyro_call_send(&f->call, methods[f->stage], request, f->max_bytes,
                            f->progress ? on_progress : NULL, on_answer, f,
                            msg, msg_size);
}

/* The pprof inside a SelectMergeStacktraces answer, into *out; 0, 1 when
 * the answer has none (an older server's flame graph), or a negative code
 * with msg. */
static int pprof_of(srv_bytes_t *body, srv_bytes_t *out, char *msg,
                    size_t msg_size) {
  size_t size;
  uint8_t *buf = srv_pyro_flatten(body, &size);
  if (!buf) {
    snprintf(msg, msg_size, "out of memory");
    return SRV_ENOMEM;
  }
  Heatls__Pyroscope__SelectMergeStacktracesResponse *r =
      heatls__pyroscope__select_merge_stacktraces_response__unpack(NULL, size,
                                                                   buf);
  free(buf);
  if (!r) {
    snprintf(msg, msg_size,
             "SelectMergeStacktraces: the answer is not the message "
             "Pyroscope's API publishes");
    return SRV_ENET;
  }
  int rc = 1;
  if (r->pprof) {
    ProtobufCBinaryData *p = &r->pprof->profile;
    rc = srv_bytes_append(out, p->data, p->len);
    if (rc < 0)
      snprintf(msg, msg_size, "out of memory");
  }
  heatls__pyroscope__select_merge_stacktraces_response__free_unpacked(r, NULL);
  return rc;
}

static void on_answer(void *data, srv_http_result_t *res) {
  srv_pyro_fetch_t *f = data;
  f->call.req = NULL;
  char msg[512];
  int missing;
  const char *method = methods[f->stage];
  int rc = srv_pyro_judge(res, method, &missing, msg, sizeof msg);
  srv_bytes_t profile = SRV_BYTES_INIT;
  if (rc == 0 && f->stage == ASK_STACKTRACES) {
    rc = pprof_of(&res->body, &profile, msg, sizeof msg);
    missing = rc == 1;
    if (rc == 1)
      snprintf(msg, sizeof msg,
               "SelectMergeStacktraces answered without a pprof");
  } else if (rc == 0) {
    profile = res->body;
    res->body = (srv_bytes_t)SRV_BYTES_INIT;
  }
  if (rc != 0 && missing && f->stage == ASK_STACKTRACES) {
    srv_log(SRV_LOG_DEBUG, "%s: %s; asking with SelectMergeProfile", method,
            msg);
    f->stage = ASK_MERGE_PROFILE;
    if ((rc = ask(f, msg, sizeof msg)) == 0)
      return;
  } else if (rc != 0 && missing) {
    size_t n = strlen(msg);
    snprintf(msg + n, sizeof msg - n,
             " (the server has neither SelectMergeStacktraces with pprof "
             "nor SelectMergeProfile: is the URL the Pyroscope server's?)");
  } else if (rc == 0 && profile.size == 0) {
    snprintf(msg, sizeof msg,
             "Pyroscope has no samples of %.150s for %.200s in the range",
             f->call.src.pyro.type_id, f->call.src.pyro.selector);
    rc = SRV_ENET;
  }
  finish(f, rc < 0 ? rc : (rc > 0 ? SRV_ENET : 0), &profile, rc ? msg : "");
  srv_bytes_close(&profile);
}

int srv_pyro_fetch_start(srv_http_t *h, const srv_source_t *src,
                         uint64_t max_bytes, srv_http_progress_cb progress,
                         srv_fetch_done_cb done, void *data,
                         srv_pyro_fetch_t **out, char *msg, size_t msg_size) {
  *out = NULL;
  srv_pyro_fetch_t *f = calloc(1, sizeof *f);
  if (!f) {
    snprintf(msg, msg_size, "out of memory");
    return SRV_ENOMEM;
  }
  f->max_bytes = max_bytes;
  f->progress = progress;
  f->done = done;
  f->data = data;
  int rc = srv_pyro_call_start(&f->call, h, src, 3600 * 1000, ask, f, msg,
                               msg_size);
  if (rc < 0)
    free(f);
  else
    *out = f;
  return rc;
}

void srv_pyro_fetch_cancel(srv_pyro_fetch_t *f) {
  if (f)
    fetch_free(f);
}
