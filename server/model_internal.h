/*
 * model_internal.h: the model's state, shared by model.c (settings,
 * documents, the "profile changed" path) and loads.c (the load queue).
 * No other file includes it.
 */
#ifndef HEATLS_SRV_MODEL_INTERNAL_H
#define HEATLS_SRV_MODEL_INTERNAL_H

#include "diagnostics.h"
#include "http.h"
#include "model.h"
#include "rpc_cancel.h"
#include "watcher.h"

typedef struct load_job
    load_job_t; /* searches.c: cancel marks a search (it stops at its next
                 * file); close stops them all. */
void model_searches_cancel(srv_model_t *m, const json_t *id);
void model_searches_close(srv_model_t *m);

/* loads.c */
typedef struct model_search model_search_t; /* searches.c */

/* pyro_model.c: heatls.pyroscopeServices while its calls run. */
typedef struct pyro_list_job pyro_list_job_t;
void model_pyro_cancel(srv_model_t *m, const json_t *id);
void model_pyro_close(srv_model_t *m); /* drops them, unanswered */

struct srv_model {
  uv_loop_t *loop;
  srv_outbox_t *out; /* borrowed */
  srv_client_t client;
  srv_settings_t settings;
  int cli_log_level;
  srv_workspace_t *ws;
  srv_profile_t *profile; /* NULL when none is loaded */
  srv_watcher_t watcher;
  int closing;

  /* Loads: one runs at a time, the others wait in order. */
  rpc_cancel_t *cancel; /* ids of load requests not answered yet */
  load_job_t *load_running, *load_head, *load_tail;
  uint64_t progress_tokens;
  srv_http_t *http; /* fetches of URL sources; NULL until the first */
  uv_timer_t tick;  /* progress of a capture, once a second */
  int tick_open;
  uint64_t repeat_gen; /* a repeated capture goes on while it is its own */

  /* Hot-path diagnostics: the rules, and the timer that debounces the
   * edits before documents are checked again. */
  srv_diagnostics_t *diagnostics;
  uv_timer_t diagnostics_timer;
  int diagnostics_timer_open;

  /* Code searches on the thread pool (they share the cancel set). */
  model_search_t *searches;

  /* Listings of Pyroscope servers, on http. */
  pyro_list_job_t *pyro_lists;
};

/* What changed, for model_changed(). */
enum {
  CHANGED_PROFILE = 1u << 0, /* another profile, or none */
  CHANGED_LINKS = 1u << 1,   /* path mappings: documents may show others */
  CHANGED_LEVELS = 1u << 2,  /* new levels (threshold, scope) */
  CHANGED_MODE = 1u << 3     /* the hints mode: clients paint other levels */
};

/* The one "profile changed" path: relinks and paints the documents, keeps
 * the watcher on the loaded profile, asks the client to refresh views. */
void model_changed(srv_model_t *m, unsigned what);

/* Installs p (taken) as the loaded profile. */
void model_install(srv_model_t *m, srv_profile_t *p);

/* A profile's summary, counting `documents` as lit (new reference). */
json_t *model_summary_of(const srv_profile_t *p, size_t documents);

/* searches.c: cancel marks a search (it stops at its next file); close
 * stops them all. */
void model_searches_cancel(srv_model_t *m, const json_t *id);
void model_searches_close(srv_model_t *m);

/* loads.c */
int model_loads_init(srv_model_t *m);
void model_loads_close(srv_model_t *m); /* drops queued loads */
/* Ends a repeated capture (a clear, another load): a round running
 * without a request to answer is aborted; when clearing, a first round
 * too (its request answered -32800). */
void model_loads_stop_repeat(srv_model_t *m, int clearing);
void model_loads_free(srv_model_t *m);

#endif
