/*
 * pyro_model.c: heatls.pyroscopeServices, what a Pyroscope server has,
 * asked on the model's HTTP driver and answered when the calls end.
 */
#include "model_internal.h"

#include "error.h"
#include "pyro_list.h"
#include "pyro_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pyro_list_job {
  srv_model_t *m;
  json_t *id; /* own reference */
  srv_pyro_lister_t *lister;
  pyro_list_job_t *prev, *next;
};

static void job_unlink_free(pyro_list_job_t *j) {
  srv_model_t *m = j->m;
  if (j->prev)
    j->prev->next = j->next;
  else
    m->pyro_lists = j->next;
  if (j->next)
    j->next->prev = j->prev;
  srv_pyro_list_cancel(j->lister);
  json_decref(j->id);
  free(j);
}

static json_t *list_json(const srv_pyro_list_t *list) {
  json_t *services = json_array(), *types = json_array();
  json_t *out = json_pack("{s:o, s:o}", "services", services, "types", types);
  if (!out)
    return NULL;
  for (size_t i = 0; i < list->service_count; i++)
    if (json_array_append_new(services, json_string(list->services[i])) < 0)
      goto oom;
  for (size_t i = 0; i < list->type_count; i++) {
    const char *id = list->type_ids[i];
    const char *name = srv_pyro_type_name(id);
    json_t *t = json_pack("{s:s, s:s?}", "id", id, "name", name);
    if (json_array_append_new(types, t) < 0)
      goto oom;
  }
  return out;
oom:
  json_decref(out);
  return NULL;
}

static void on_list(void *data, int rc, const srv_pyro_list_t *list,
                    const char *msg) {
  pyro_list_job_t *j = data;
  srv_model_t *m = j->m;
  j->lister = NULL;
  if (rc < 0)
    srv_outbox_error(m->out, j->id, RPC_CODE_REQUEST_FAILED,
                     "heatls.pyroscopeServices: %s", msg);
  else
    srv_outbox_reply(m->out, j->id, list_json(list));
  job_unlink_free(j);
}

void srv_model_pyro_list(srv_model_t *m, const json_t *id, const char *url) {
  char msg[512];
  char *full = NULL;
  /* A server's plain http(s):// URL is taken as its pyroscope+ form. */
  if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
    size_t n = strlen(url) + 11;
    if ((full = malloc(n)))
      snprintf(full, n, "pyroscope+%s", url);
  } else if (strncmp(url, "pyroscope+http://", 17) == 0 ||
             strncmp(url, "pyroscope+https://", 18) == 0) {
    full = strdup(url);
  } else {
    srv_outbox_error(m->out, id, RPC_CODE_INVALID_PARAMS,
                     "heatls.pyroscopeServices: not an http(s):// or "
                     "pyroscope+http(s):// URL");
    return;
  }
  srv_source_t src = {0};
  pyro_list_job_t *j = calloc(1, sizeof *j);
  int rc = full && j ? srv_pyro_source_parse(full, &m->settings.fetch, &src,
                                             msg, sizeof msg)
                     : SRV_ENOMEM;
  free(full);
  if (rc == 0 && !m->http)
    rc = srv_http_new(m->loop, &m->http);
  if (rc == 0) {
    j->m = m;
    j->id = json_incref((json_t *)id);
    j->next = m->pyro_lists;
    if (j->next)
      j->next->prev = j;
    m->pyro_lists = j;
    rc = srv_pyro_list_start(m->http, &src, on_list, j, &j->lister, msg,
                             sizeof msg);
    if (rc < 0) {
      srv_outbox_error(m->out, id, RPC_CODE_REQUEST_FAILED,
                       "heatls.pyroscopeServices: %s", msg);
      job_unlink_free(j);
    }
  } else {
    free(j);
    srv_outbox_error(m->out, id,
                     rc == SRV_ENOMEM ? RPC_CODE_INTERNAL_ERROR
                                      : RPC_CODE_INVALID_PARAMS,
                     "heatls.pyroscopeServices: %s",
                     rc == SRV_ENOMEM ? "out of memory" : msg);
  }
  srv_source_close(&src);
}

void model_pyro_cancel(srv_model_t *m, const json_t *id) {
  for (pyro_list_job_t *j = m->pyro_lists; j; j = j->next) {
    if (json_equal(j->id, (json_t *)id)) {
      srv_outbox_error(m->out, j->id, RPC_CODE_REQUEST_CANCELLED,
                       "listing cancelled");
      job_unlink_free(j);
      return;
    }
  }
}

void model_pyro_close(srv_model_t *m) {
  while (m->pyro_lists)
    job_unlink_free(m->pyro_lists);
}
