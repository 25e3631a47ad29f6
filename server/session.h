/*
 * session.h: the state of one language-server session and the helpers
 * its handlers share. Handlers live in one file per area (lifecycle.c,
 * sync.c, config.c, commands.c, features.c, loader.c, watcher.c); each
 * registers its methods in srv_session_new().
 *
 * Threading: everything here belongs to the loop thread. The only work
 * done elsewhere is a profile load (loader.c), which reads a path and
 * options copied into its job and hands back a finished index.
 */
#ifndef HEATLS_SRV_SESSION_H
#define HEATLS_SRV_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "documents.h"
#include "log.h"
#include "heat_index.h"
#include "lsp_protocol.h"
#include "path_map.h"
#include "settings.h"
#include "transport.h"
#include "workspace_scan.h"

typedef struct srv_session srv_session_t;

/* The loaded profile: its index and what it was loaded from. */
typedef struct srv_profile {
  hx_index_t *index;
  char *path;        /* absolute path as loaded (owned) */
  char *sample_type; /* the sampleType asked for, NULL for default (owned) */
  const char **file_paths; /* the index's file paths (array owned) */
  srv_path_map_t *paths;
  /* Files under the workspace folders that share a base name with a
   * profile file, as they were at load time. */
  srv_scan_t workspace;
  /* The file as it was when read, so a watch event that changed nothing
   * does not reload it. */
  int64_t mtime_ns, size, inode;
} srv_profile_t;

void srv_profile_free(srv_profile_t *profile); /* NULL is fine */

typedef struct srv_load_job srv_load_job_t; /* loader.c */

/* Called with the client's response to a request heatls sent. */
typedef void (*srv_response_fn)(srv_session_t *s, const rpc_message_t *resp,
                                void *data);

typedef struct srv_outgoing {
  int64_t id;
  srv_response_fn on_response; /* NULL: the answer is only logged */
  void *data;
} srv_outgoing_t;

#define SRV_MAX_OUTGOING 256

struct srv_session {
  uv_loop_t *loop;
  srv_transport_t transport;
  rpc_dispatch_t *dispatch;
  rpc_cancel_t *cancel; /* ids of requests answered later (loads) */
  rpc_lifecycle_t life;
  int exiting;     /* exit notification or end of input seen */
  int exit_status; /* what main returns */

  lsp_encoding_t encoding;
  struct {
    int work_done_progress, inlay_refresh, lens_refresh, configuration,
        hover_markdown;
  } client;

  srv_settings_t settings;
  int cli_log_level;
  srv_docs_t docs;
  char **roots; /* workspace folder paths (owned) */
  size_t root_count;

  srv_profile_t *profile; /* NULL when none is loaded */

  /* Requests sent to the client and not answered yet. */
  srv_outgoing_t outgoing[SRV_MAX_OUTGOING];
  size_t outgoing_count;
  int64_t next_id;

  /* Loads: one runs at a time, the others wait in order. */
  srv_load_job_t *load_running;
  srv_load_job_t *load_head, *load_tail;
  uint64_t progress_tokens;

  /* Watching the loaded profile's file (watcher.c). */
  uv_fs_event_t watch_event;
  uv_timer_t watch_timer;
  int watch_event_open, watch_timer_open, watch_active;
  char *watch_path; /* the profile file watched (owned) */
};

/* Creates the session on loop (stdin/stdout as given), with bodies capped
 * at max_message bytes (0: default). */
int srv_session_new(uv_loop_t *loop, int in_fd, int out_fd,
                    size_t max_message, int log_level, srv_session_t **out);

/* Starts reading; uv_run() then serves until exit. */
int srv_session_start(srv_session_t *s);

/* Frees the session; call after uv_run() has returned. */
void srv_session_free(srv_session_t *s);

/* Ends the session: stops reading, closes the session's handles; a load in
 * progress finishes (and is dropped) before the loop runs dry. */
void srv_session_finish(srv_session_t *s, int status);

/* Sending. Each takes a borrowed id and stolen JSON; failures to write are
 * handled by the transport (the session ends). srv_reply() takes a result
 * (json_null() for null); a NULL result, or a reply that cannot be built,
 * answers -32603 "out of memory" instead, so every request is answered. */
void srv_reply(srv_session_t *s, const json_t *id, json_t *result);
void srv_reply_error(srv_session_t *s, const json_t *id, int code,
                     const char *fmt, ...) SRV_PRINTF(4, 5);
void srv_notify(srv_session_t *s, const char *method, json_t *params);
/* Sends a request; on_response (may be NULL) gets the answer. */
void srv_request(srv_session_t *s, const char *method, json_t *params,
                 srv_response_fn on_response, void *data);

/* window/showMessage (type 1 error, 2 warning, 3 info) plus a log line. */
void srv_show_message(srv_session_t *s, int type, const char *fmt, ...)
    SRV_PRINTF(3, 4);

/* Registration of each area's methods (in their files). */
int srv_lifecycle_register(srv_session_t *s);
int srv_sync_register(srv_session_t *s);
int srv_config_register(srv_session_t *s);
int srv_commands_register(srv_session_t *s);
int srv_features_register(srv_session_t *s);

/* Adds the workspace folder at uri (sync.c); a URI that is not a file
 * folder is ignored. 0, or -1 when out of memory. */
int srv_roots_add(srv_session_t *s, const char *uri);

/* Heat of documents (paint.c). */

/* Recomputes which profile file doc shows and its annotations. Returns 1
 * when they changed. */
int srv_doc_relink(srv_session_t *s, srv_doc_t *doc);
/* Relinks every document whose base name is `base` (all of them when base
 * is NULL) except `skip`, keeping annotations whose profile file did not
 * change, and sends decorations to those that changed. */
void srv_docs_relink(srv_session_t *s, const char *base,
                     const srv_doc_t *skip);
/* Rebuilds every document's link and annotations (a new profile) and
 * sends decorations to all of them. */
void srv_docs_relink_all(srv_session_t *s);
/* Sends heatls/decorations for doc. */
void srv_send_decorations(srv_session_t *s, srv_doc_t *doc);
/* Asks the client to refresh inlay hints and code lenses (when it can). */
void srv_refresh_views(srv_session_t *s);
/* A summary of the loaded profile (new reference), or null. */
json_t *srv_profile_summary(srv_session_t *s);
/* The summary profile p, loaded from path, will have once installed: the
 * open documents it will light are counted now. New reference, or NULL
 * when out of memory. */
json_t *srv_profile_summary_of(srv_session_t *s, const srv_profile_t *p,
                               const char *path);
/* A value in the profile's unit for people ("2.50s", "1.20MiB"). */
void srv_format_value(const srv_session_t *s, int64_t value, char *buf,
                      size_t size);
/* Sets *out to the local path that shows profile file `file` (new
 * malloc'd), or NULL when none does. 0, or -1 when out of memory. */
int srv_profile_file_local(srv_session_t *s, size_t file, char **out);

/* Loading (loader.c). */

typedef struct srv_load_request {
  const char *path;        /* as given (relative paths resolved here) */
  const char *sample_type; /* NULL: default */
  double threshold;
  hx_local_scope_t local_scope;
  const json_t *id;         /* the request to answer, NULL for none */
  const json_t *work_token; /* the client's workDoneToken, or NULL */
  int from_watch;           /* a reload after the file changed */
} srv_load_request_t;

/* Queues a load. -1 (and an error answered to id) when it cannot. */
int srv_load_start(srv_session_t *s, const srv_load_request_t *req);
/* Drops the loaded profile (no messages sent). */
void srv_profile_unload(srv_session_t *s);
/* Re-ranks the loaded profile for the settings' threshold and scope. */
int srv_profile_relevel(srv_session_t *s);
/* Answers queued loads with -32800 when cancelled (loader.c). */
void srv_load_cancelled(srv_session_t *s);
/* Drops every queued load (session end). */
void srv_load_drop_queue(srv_session_t *s);

/* Watching (watcher.c). */
void srv_watch_update(srv_session_t *s); /* follows settings + profile */
void srv_watch_stop(srv_session_t *s);

#endif
