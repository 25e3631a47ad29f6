/*
 * pyro_list.h: what a Pyroscope server has, for a pick list: its service
 * names (LabelValues of service_name) and its profile types
 * (ProfileTypes), asked one after the other over the source's range
 * (default: the last 24 hours).
 *
 * Threading: the loop thread only.
 */
#ifndef HEATLS_SRV_PYRO_LIST_H
#define HEATLS_SRV_PYRO_LIST_H

#include <stddef.h>

#include "http.h"
#include "source.h"

#define SRV_PYRO_LIST_DEFAULT_MS ((int64_t)24 * 3600 * 1000)

typedef struct srv_pyro_list {
  char **services; /* sorted as the server sent them */
  size_t service_count;
  char **type_ids; /* name:sample_type:sample_unit:period_type:period_unit */
  size_t type_count;
} srv_pyro_list_t;

typedef struct srv_pyro_lister srv_pyro_lister_t;

/* rc 0 with list (borrowed for the callback), or a negative SRV_E* code
 * with msg (list NULL). */
typedef void (*srv_pyro_list_cb)(void *data, int rc,
                                 const srv_pyro_list_t *list, const char *msg);

/* Starts listing src (a PYROSCOPE source, copied). *out valid until done
 * runs or srv_pyro_list_cancel. 0, or a negative code with msg (nothing
 * started). */
int srv_pyro_list_start(srv_http_t *h, const srv_source_t *src,
                        srv_pyro_list_cb done, void *data,
                        srv_pyro_lister_t **out, char *msg, size_t msg_size);

/* Stops it; done never runs. NULL is fine. */
void srv_pyro_list_cancel(srv_pyro_lister_t *l);

#endif
