/*
 * pyro_list.c: ProfileTypes, then LabelValues of service_name.
 */
#include "pyro_list.h"

#include "error.h"
#include "pyro_rpc.h"
#include "pyroscope.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers of the listing are small: a cap well above any real one. */
#define LIST_MAX_BYTES ((uint64_t)16 << 20)

struct srv_pyro_lister {
  srv_pyro_call_t call; /* both calls ask for the same range */
  int stage;            /* 0: ProfileTypes, 1: LabelValues */
  srv_pyro_list_t list;
  srv_pyro_list_cb done;
  void *data;
};

static void strings_free(char **s, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(s[i]);
  free(s);
}

static void lister_free(srv_pyro_lister_t *l) {
  srv_pyro_call_close(&l->call);
  strings_free(l->list.services, l->list.service_count);
  strings_free(l->list.type_ids, l->list.type_count);
  free(l);
}

/* *out becomes copies of n strings got by at(i). */
static int copy_strings(size_t n, const char *(*at)(const void *, size_t),
                        const void *from, char ***out, size_t *count) {
  *out = calloc(n ? n : 1, sizeof **out);
  if (!*out)
    return SRV_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const char *s = at(from, i);
    if (!((*out)[i] = strdup(s ? s : "")))
      return SRV_ENOMEM;
    *count = i + 1;
  }
  return 0;
}

static const char *type_at(const void *from, size_t i) {
  const Heatls__Pyroscope__ProfileTypesResponse *r = from;
  return r->profile_types[i]->id;
}

static const char *name_at(const void *from, size_t i) {
  const Heatls__Pyroscope__LabelValuesResponse *r = from;
  return r->names[i];
}

static void on_answer(void *data, srv_http_result_t *res);

static const char *stage_method(const srv_pyro_lister_t *l) {
  return l->stage == 0 ? "ProfileTypes" : "LabelValues";
}

/* Sends the call of l->stage; 0 or a negative code with msg. */
static int ask(void *owner, char *msg, size_t msg_size) {
  srv_pyro_lister_t *l = owner;
  Heatls__Pyroscope__ProfileTypesRequest types =
      HEATLS__PYROSCOPE__PROFILE_TYPES_REQUEST__INIT;
  Heatls__Pyroscope__LabelValuesRequest services =
      HEATLS__PYROSCOPE__LABEL_VALUES_REQUEST__INIT;
  const ProtobufCMessage *request;
  if (l->stage == 0) {
    types.start = l->call.start;
    types.end = l->call.end;
    request = &types.base;
  } else {
    services.name = "service_name";
    services.start = l->call.start;
    services.end = l->call.end;
    request = &services.base;
  }
  return srv_pyro_call_send(&l->call, stage_method(l), request, LIST_MAX_BYTES,
                            NULL, on_answer, l, msg, msg_size);
}

/* Reads the answer of l->stage into l->list. */
static int read_answer(srv_pyro_lister_t *l, srv_bytes_t *body, char *msg,
                       size_t msg_size) {
  size_t size;
  uint8_t *buf = srv_pyro_flatten(body, &size);
  if (!buf) {
    snprintf(msg, msg_size, "out of memory");
    return SRV_ENOMEM;
  }
  ProtobufCMessage *answer = protobuf_c_message_unpack(
      l->stage == 0 ? &heatls__pyroscope__profile_types_response__descriptor
                    : &heatls__pyroscope__label_values_response__descriptor,
      NULL, size, buf);
  int rc = SRV_ENET;
  if (answer && l->stage == 0) {
    const Heatls__Pyroscope__ProfileTypesResponse *r =
        (const Heatls__Pyroscope__ProfileTypesResponse *)answer;
    rc = copy_strings(r->n_profile_types, type_at, r, &l->list.type_ids,
                      &l->list.type_count);
  } else if (answer) {
    const Heatls__Pyroscope__LabelValuesResponse *r =
        (const Heatls__Pyroscope__LabelValuesResponse *)answer;
    rc = copy_strings(r->n_names, name_at, r, &l->list.services,
                      &l->list.service_count);
  }
  if (answer)
    protobuf_c_message_free_unpacked(answer, NULL);
  free(buf);
  if (rc == SRV_ENET)
    snprintf(msg, msg_size,
             "%s: the answer is not the message Pyroscope's API publishes",
             stage_method(l));
  else if (rc < 0)
    snprintf(msg, msg_size, "out of memory");
  return rc;
}

static void on_answer(void *data, srv_http_result_t *res) {
  srv_pyro_lister_t *l = data;
  l->call.req = NULL;
  char msg[512];
  int missing;
  int rc = srv_pyro_judge(res, stage_method(l), &missing, msg, sizeof msg);
  if (rc == 0)
    rc = read_answer(l, &res->body, msg, sizeof msg);
  if (rc == 0 && l->stage == 0) {
    l->stage = 1;
    if ((rc = ask(l, msg, sizeof msg)) == 0)
      return;
  }
  srv_pyro_list_cb done = l->done;
  void *done_data = l->data;
  srv_pyro_list_t list = l->list;
  l->list = (srv_pyro_list_t){0};
  lister_free(l);
  done(done_data, rc, rc == 0 ? &list : NULL, rc ? msg : "");
  strings_free(list.services, list.service_count);
  strings_free(list.type_ids, list.type_count);
}

int srv_pyro_list_start(srv_http_t *h, const srv_source_t *src,
                        srv_pyro_list_cb done, void *data,
                        srv_pyro_lister_t **out, char *msg, size_t msg_size) {
  *out = NULL;
  srv_pyro_lister_t *l = calloc(1, sizeof *l);
  if (!l) {
    snprintf(msg, msg_size, "out of memory");
    return SRV_ENOMEM;
  }
  l->done = done;
  l->data = data;
  int rc = srv_pyro_call_start(&l->call, h, src, SRV_PYRO_LIST_DEFAULT_MS, ask,
                               l, msg, msg_size);
  if (rc < 0)
    free(l);
  else
    *out = l;
  return rc;
}

void srv_pyro_list_cancel(srv_pyro_lister_t *l) {
  if (l)
    lister_free(l);
}
