/*
 * model.h: the profile model, the one state handlers read and change.
 *
 * It holds the settings, what the client can do, the workspace (open
 * documents and folders), the loaded profile and where it came from, the
 * queue of loads (run on libuv's thread pool, one at a time) and the
 * watcher of the profile's file. Whatever changes the profile (a load, a
 * clear, new levels, new mappings, a new hints mode) goes through one path
 * in model.c, which relinks documents, paints them (heatls/decorations)
 * and asks the client to refresh hints and lenses; every trigger builds
 * its load through srv_model_load().
 *
 * Handlers see the model through this header and the workspace's, and
 * send through the outbox; nothing else of the model is theirs to touch.
 * Threading: all of it belongs to the loop thread.
 */
#ifndef HEATLS_SRV_MODEL_H
#define HEATLS_SRV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "heat_index.h"
#include "lsp_protocol.h"
#include "outbox.h"
#include "profile.h"
#include "settings.h"
#include "workspace.h"

/* What the client said it can do (initialize's capabilities). */
typedef struct srv_client {
  lsp_encoding_t encoding;
  int work_done_progress, inlay_refresh, lens_refresh, configuration,
      hover_markdown;
} srv_client_t;

typedef struct srv_model srv_model_t;

/* A load, as a trigger asks for it. Unset members come from the settings
 * (or, for a reload by the watcher, from the loaded profile). */
typedef struct srv_load_args {
  const char *path;         /* as the user gave it; NULL: the loaded source */
  const char *sample_type;  /* NULL: default rule */
  int has_sample_type;      /* sample_type overrides the settings' */
  double threshold;         /* 0: the settings' */
  int local_scope;          /* an hx_local_scope_t, or -1: the settings' */
  const json_t *id;         /* the request to answer, or NULL */
  const json_t *work_token; /* the client's workDoneToken, or NULL */
  int from_watch; /* a reload after the file changed: the loaded options */
  int seconds;    /* a URL's capture duration, or -1: the settings' */
  double timeout; /* a URL's time limit in seconds, or 0: the settings' */
  int repeat;     /* a URL: capture again after each load, until stopped */
} srv_load_args_t;

#define SRV_LOAD_ARGS_INIT                                                    \
  { .local_scope = -1, .seconds = -1 }

/* *out is a new model on loop, sending through out (borrowed; it must
 * outlive the model). log_level is the command line's, which the logLevel
 * setting overrides while it is set. 0 or an SRV_E* code. */
int srv_model_new(uv_loop_t *loop, srv_outbox_t *out, int log_level,
                  srv_model_t **out_model);

/* Stops loads and the watcher and closes libuv handles; a load running on
 * the thread pool finishes and is dropped before the loop runs dry. */
void srv_model_close(srv_model_t *m);

/* Frees the model; after srv_model_close and uv_run. NULL is fine. */
void srv_model_free(srv_model_t *m);

/* The client. */
void srv_model_set_client(srv_model_t *m, const srv_client_t *client);
const srv_client_t *srv_model_client(const srv_model_t *m);

/* Settings. initialize: takes the section as the first settings, no load
 * yet; on a bad object the defaults stay and *warning says why (empty when
 * fine). */
void srv_model_init_settings(srv_model_t *m, const json_t *section,
                             char *warning, size_t size);
/* A change of settings (didChangeConfiguration): validated whole, a bad
 * object refused with a warning; then loads, relevels, repaints what the
 * change asks for. */
void srv_model_update_settings(srv_model_t *m, const json_t *section);
const srv_settings_t *srv_model_settings(const srv_model_t *m);
/* initialized: loads the profile the settings name, if any. */
void srv_model_start(srv_model_t *m);

/* The workspace and the loaded profile (NULL when none), borrowed. */
const srv_workspace_t *srv_model_workspace(const srv_model_t *m);
const srv_profile_t *srv_model_profile(const srv_model_t *m);
/* The index of the loaded profile, or NULL. */
const hx_index_t *srv_model_index(const srv_model_t *m);

/* Documents and folders. The model paints what changes. */
void srv_model_open(srv_model_t *m, const char *uri, int64_t version,
                    const char *text, size_t len);
/* Applies a didChange's contentChanges (borrowed) to the document at uri. */
void srv_model_change(srv_model_t *m, const char *uri, const json_t *version,
                      const json_t *changes);
void srv_model_close_doc(srv_model_t *m, const char *uri);
void srv_model_add_folder(srv_model_t *m, const char *uri);
void srv_model_remove_folder(srv_model_t *m, const char *uri);

/* Loads. srv_model_load queues a load built from args and the settings;
 * a request id is answered when it ends (the summary, or an error). A load
 * that cannot be queued is answered at once. */
void srv_model_load(srv_model_t *m, const srv_load_args_t *args);
/* $/cancelRequest for id: a queued load is answered -32800 now, a running
 * one when it ends (and not installed). */
void srv_model_cancel(srv_model_t *m, const json_t *id);
/* window/workDoneProgress/cancel for token: the running fetch with that
 * progress token stops (the loaded profile stays) and a repeated capture
 * ends. */
void srv_model_cancel_progress(srv_model_t *m, const json_t *token);
/* heatls.pyroscopeServices: lists the service names and profile types of
 * the Pyroscope server at url (pyroscope+http(s):// or http(s)://, with
 * the fetch settings) and answers id with {services, types} or an error;
 * $/cancelRequest of id answers -32800. */
void srv_model_pyro_list(srv_model_t *m, const json_t *id, const char *url);
/* Drops the loaded profile (documents painted empty) and ends a repeated
 * capture. */
void srv_model_clear(srv_model_t *m);

/* A code search (heatls.search). Strings are borrowed for the call. */
typedef struct srv_search_args {
  int kind; /* an hs_kind_t */
  const char *pattern;
  const char *language; /* NULL: by file extension */
  const char *hot;      /* a capture whose lines decide the heat, or NULL */
  int min_level;        /* 0: every match; 1..5: only those this hot */
  int local;            /* local levels instead of global ones */
  int cold;             /* only the matches that are not hot */
  const char *scope;    /* a document URI, or NULL for the workspace */
  size_t limit;
  const json_t *id; /* the request to answer */
  const json_t *work_token;
} srv_search_args_t;

/* Searches on the thread pool and answers args->id with the matches
 * ([{uri, range, text, global, local, cum, cumText}]), their heat taken
 * when the search ends. */
void srv_model_search(srv_model_t *m, const srv_search_args_t *args);

/* heatls.status: the loaded profile's summary (new reference), or null. */
json_t *srv_model_summary(const srv_model_t *m);

/* A value in the profile's unit for people ("2.50s", "1.20MiB"). */
void srv_model_format(const srv_model_t *m, int64_t value, char *buf,
                      size_t size);
/* value as a percentage of the profile's total (0 without a profile). */
double srv_model_percent(const srv_model_t *m, int64_t value);

#endif
