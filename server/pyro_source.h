/*
 * pyro_source.h: a Grafana Pyroscope query as a profile source.
 *
 *   pyroscope+http://[user:password@]host[:port][/prefix]?service=NAME
 *       &type=TYPE&from=FROM&until=UNTIL&tenant=ID
 *
 * (pyroscope+https:// likewise). `service=NAME` is the label selector
 * {service_name="NAME"}; `query=SELECTOR` gives a whole selector instead
 * (percent-encoded); neither: {}. TYPE is a profile type id
 * (process_cpu:cpu:nanoseconds:cpu:nanoseconds) or one of the names of
 * Pyroscope's Go SDK (cpu, alloc_space, inuse_objects, mutex_count...);
 * default cpu. FROM and UNTIL (pyro_time.h) default to now-1h and now.
 * `tenant=ID` sends X-Scope-OrgID: ID. A user and password in the URL are
 * sent as HTTP basic auth and never shown; the source's name is
 * "pyroscope: checkout cpu now-1h".
 */
#ifndef HEATLS_SRV_PYRO_SOURCE_H
#define HEATLS_SRV_PYRO_SOURCE_H

#include <stddef.h>

#include "source.h"

/* *out becomes the Pyroscope source arg (starting "pyroscope+http://" or
 * "pyroscope+https://"), with fetch's options (borrowed, NULL: defaults;
 * seconds are ignored). 0; SRV_EINVAL with msg saying why (an unknown
 * parameter, a bad time, no host); SRV_ENOMEM. */
int srv_pyro_source_parse(const char *arg, const srv_fetch_t *fetch,
                          srv_source_t *out, char *msg, size_t msg_size);

/* The profile type id of a name of Pyroscope's Go SDK ("cpu" ->
 * "process_cpu:cpu:nanoseconds:cpu:nanoseconds"), or NULL; and the name of
 * an id, or NULL (both static). */
const char *srv_pyro_type_id(const char *name);
const char *srv_pyro_type_name(const char *id);

/* Deep copy (0 or SRV_ENOMEM, *out empty then) and free (leaves it zero). */
int srv_pyro_query_copy(const srv_pyro_query_t *src, srv_pyro_query_t *out);
void srv_pyro_query_close(srv_pyro_query_t *q);

#endif
