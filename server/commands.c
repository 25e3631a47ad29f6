/*
 * commands.c: workspace/executeCommand and the heatls.* commands
 * (docs/protocol.md, Commands), routed through a table.
 */
#include "handlers.h"

#include "heat_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOTSPOTS_DEFAULT 50
#define HOTSPOTS_MAX 10000

typedef void (*command_fn)(srv_env_t *env, const rpc_message_t *msg,
                           const json_t *args);

static void load_profile(srv_env_t *env, const rpc_message_t *msg,
                         const json_t *args) {
  const json_t *arg = json_array_get(args, 0);
  srv_load_args_t load = SRV_LOAD_ARGS_INIT;
  load.id = msg->id;
  load.work_token = json_object_get(msg->params, "workDoneToken");
  if (json_is_string(arg)) {
    load.path = json_string_value(arg);
  } else if (json_is_object(arg)) {
    load.path = json_string_value(json_object_get(arg, "path"));
    const json_t *v = json_object_get(arg, "sampleType");
    if (json_is_string(v)) {
      load.sample_type = json_string_value(v);
      load.has_sample_type = 1;
    } else if (v && !json_is_null(v)) {
      goto bad;
    }
    v = json_object_get(arg, "threshold");
    if (v && !json_is_null(v)) {
      double t = json_is_number(v) ? json_number_value(v) : -1;
      if (!isfinite(t) || t <= 0 || t > 1) {
        srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                         "heatls.loadProfile: threshold must be a number in "
                         "(0, 1]");
        return;
      }
      load.threshold = t;
    }
    v = json_object_get(arg, "localScope");
    if (json_is_string(v) && strcmp(json_string_value(v), "file") == 0)
      load.local_scope = HX_LOCAL_FILE;
    else if (json_is_string(v) &&
             strcmp(json_string_value(v), "function") == 0)
      load.local_scope = HX_LOCAL_FUNCTION;
    else if (v && !json_is_null(v))
      goto bad;
    v = json_object_get(arg, "seconds");
    if (v && !json_is_null(v)) {
      if (!json_is_integer(v) || json_integer_value(v) < 0 ||
          json_integer_value(v) > 86400)
        goto bad;
      load.seconds = (int)json_integer_value(v);
    }
    v = json_object_get(arg, "timeout");
    if (v && !json_is_null(v)) {
      double t = json_is_number(v) ? json_number_value(v) : -1;
      if (!isfinite(t) || t <= 0 || t > 86400)
        goto bad;
      load.timeout = t;
    }
    v = json_object_get(arg, "repeat");
    if (v && !json_is_null(v) && !json_is_boolean(v))
      goto bad;
    load.repeat = json_is_true(v);
  }
  if (!load.path || !*load.path)
    goto bad;
  srv_model_load(env->model, &load);
  return;
bad:
  srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                   "heatls.loadProfile takes [path] or [{path, sampleType?, "
                   "threshold?, localScope?, seconds?, timeout?, repeat?}] "
                   "(path: a file or a URL)");
}

/* Loads the loaded profile's source again, once: a file is read again, a
 * URL fetched (captured) again with the options it was loaded with. */
static void reload_profile(srv_env_t *env, const rpc_message_t *msg,
                           const json_t *args) {
  (void)args;
  srv_load_args_t load = SRV_LOAD_ARGS_INIT;
  load.id = msg->id;
  load.work_token = json_object_get(msg->params, "workDoneToken");
  srv_model_load(env->model, &load);
}

/* heatls.pyroscopeServices [url] or [{url}]: answered when the server's
 * calls end. */
static void pyroscope_services(srv_env_t *env, const rpc_message_t *msg,
                               const json_t *args) {
  const json_t *arg = json_array_get(args, 0);
  const char *url = json_is_object(arg)
                        ? json_string_value(json_object_get(arg, "url"))
                        : json_string_value(arg);
  if (!url || !*url) {
    srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                     "heatls.pyroscopeServices takes [url] or [{url}] (the "
                     "Pyroscope server's http(s):// or pyroscope+http(s):// "
                     "URL)");
    return;
  }
  srv_model_pyro_list(env->model, msg->id, url);
}

static void clear_profile(srv_env_t *env, const rpc_message_t *msg,
                          const json_t *args) {
  (void)args;
  srv_model_clear(env->model);
  srv_outbox_reply(env->out, msg->id, json_null());
}

static void status(srv_env_t *env, const rpc_message_t *msg,
                   const json_t *args) {
  (void)args;
  srv_outbox_reply(env->out, msg->id, srv_model_summary(env->model));
}

/* What shows each profile file, looked up once per file: the open
 * document (for lines moved by edits) and the local file's URI. */
typedef struct file_views {
  unsigned char *looked;
  char **uri;
  const srv_doc_t **doc;
  size_t count;
} file_views_t;

static int views_init(file_views_t *v, size_t files) {
  *v = (file_views_t){.count = files};
  v->looked = calloc(files ? files : 1, 1);
  v->uri = calloc(files ? files : 1, sizeof *v->uri);
  v->doc = calloc(files ? files : 1, sizeof *v->doc);
  return v->looked && v->uri && v->doc ? 0 : -1;
}

static void views_close(file_views_t *v) {
  for (size_t c = 0; v->uri && c < v->count; c++)
    free(v->uri[c]);
  free(v->looked);
  free(v->uri);
  free(v->doc);
}

/* Looks file c up once; -1 when out of memory. */
static int views_look(file_views_t *v, const srv_model_t *m, size_t c) {
  if (v->looked[c])
    return 0;
  v->looked[c] = 1;
  const srv_workspace_t *ws = srv_model_workspace(m);
  v->doc[c] = srv_workspace_showing(ws, c);
  char *local;
  int rc = srv_workspace_local_file(ws, srv_model_profile(m), c, &local);
  if (rc == 0 && local &&
      lsp_uri_from_path(local, &v->uri[c], NULL) == RPC_ENOMEM)
    rc = -1;
  free(local);
  return rc < 0 ? -1 : 0;
}

/* The profile file a hotspots request's file scope names; -1 for none. */
static long scope_file(srv_env_t *env, const char *uri) {
  const srv_workspace_t *ws = srv_model_workspace(env->model);
  const srv_doc_t *doc = srv_workspace_find(ws, uri);
  if (doc)
    return doc->file;
  char *path;
  long file = -1;
  if (lsp_uri_to_path(uri, &path, NULL) == 0) {
    file = srv_workspace_profile_file(ws, srv_model_profile(env->model), path);
    free(path);
  }
  return file;
}

static json_t *hotspot(srv_env_t *env, const hx_point_t *p, uint32_t point,
                       const file_views_t *views) {
  const hx_index_t *index = srv_model_index(env->model);
  const hx_function_t *fn = hx_index_function(index, p->function);
  size_t c = fn->file;
  char flat[64], cum[64];
  srv_model_format(env->model, p->flat, flat, sizeof flat);
  srv_model_format(env->model, p->cum, cum, sizeof cum);
  json_t *item =
      json_pack("{s:s, s:I, s:i, s:i, s:I, s:I, s:s, s:s, s:s}", "path",
                hx_index_file(index, c)->path, "line",
                (json_int_t)srv_doc_point_line(views->doc[c], index, point),
                "local", p->local, "global", p->global, "flat",
                (json_int_t)p->flat, "cum", (json_int_t)p->cum, "flatText",
                flat, "cumText", cum, "function", fn->display);
  if (item && views->uri[c] &&
      json_object_set_new(item, "uri", json_string(views->uri[c])) < 0) {
    json_decref(item);
    return NULL;
  }
  return item;
}

static void hotspots(srv_env_t *env, const rpc_message_t *msg,
                     const json_t *args) {
  const json_t *arg = json_array_get(args, 0);
  size_t limit = HOTSPOTS_DEFAULT;
  long only_file = -1;
  if (arg && !json_is_object(arg) && !json_is_null(arg))
    goto bad;
  const json_t *v = json_object_get(arg, "limit");
  if (v) {
    if (!json_is_integer(v) || json_integer_value(v) < 1)
      goto bad;
    limit = json_integer_value(v) > HOTSPOTS_MAX
                ? HOTSPOTS_MAX
                : (size_t)json_integer_value(v);
  }
  const char *scope = json_string_value(json_object_get(arg, "scope"));
  if (json_object_get(arg, "scope") && !scope)
    goto bad;
  int file_scope = scope && strcmp(scope, "file") == 0;
  if (scope && !file_scope && strcmp(scope, "global") != 0)
    goto bad;
  const hx_index_t *index = srv_model_index(env->model);
  if (!index) {
    srv_outbox_error(env->out, msg->id, RPC_CODE_REQUEST_FAILED,
                     "no profile is loaded (run heatls.loadProfile)");
    return;
  }
  if (file_scope) {
    const char *uri = json_string_value(json_object_get(arg, "uri"));
    if (!uri)
      goto bad;
    only_file = scope_file(env, uri);
    if (only_file < 0) {
      srv_outbox_reply(env->out, msg->id, json_array());
      return;
    }
  }
  const uint32_t *order;
  size_t n = hx_index_top(index, hx_index_point_count(index), &order);
  json_t *out = json_array();
  file_views_t views;
  int oom = views_init(&views, hx_index_file_count(index)) < 0 || !out;
  for (size_t i = 0; i < n && !oom && json_array_size(out) < limit; i++) {
    const hx_point_t *p = hx_index_point(index, order[i]);
    const hx_function_t *fn = hx_index_function(index, p->function);
    if (p->line == 0 || (only_file >= 0 && (long)fn->file != only_file))
      continue;
    if (views_look(&views, env->model, fn->file) < 0 ||
        json_array_append_new(out, hotspot(env, p, order[i], &views)) < 0)
      oom = 1;
  }
  views_close(&views);
  if (oom) {
    json_decref(out);
    srv_outbox_error(env->out, msg->id, RPC_CODE_INTERNAL_ERROR,
                     "out of memory");
    return;
  }
  srv_outbox_reply(env->out, msg->id, out);
  return;
bad:
  srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                   "heatls.hotspots takes [] or [{limit?, scope?: \"global\" "
                   "| \"file\", uri?}] (a file scope needs uri)");
}

/* An optional integer member in [lo, hi]: 0, or -1 when present and not. */
static int int_member(const json_t *obj, const char *key, long lo, long hi,
                      long *out) {
  const json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < lo ||
      json_integer_value(v) > hi)
    return -1;
  *out = (long)json_integer_value(v);
  return 0;
}

/* An optional string member: 0, or -1 when present and not a string. */
static int string_member(const json_t *obj, const char *key,
                         const char **out) {
  const json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return 0;
  if (!json_is_string(v))
    return -1;
  *out = json_string_value(v);
  return 0;
}

static void search(srv_env_t *env, const rpc_message_t *msg,
                   const json_t *args) {
  const json_t *arg = json_array_get(args, 0);
  srv_search_args_t a = {.min_level = 1,
                         .id = msg->id,
                         .work_token =
                             json_object_get(msg->params, "workDoneToken")};
  const char *kind = NULL, *scope = NULL;
  long min_level = 1, limit = 0;
  if (!json_is_object(arg) || string_member(arg, "pattern", &a.pattern) < 0 ||
      !a.pattern || !*a.pattern || string_member(arg, "kind", &kind) < 0 ||
      string_member(arg, "language", &a.language) < 0 ||
      string_member(arg, "hot", &a.hot) < 0 ||
      string_member(arg, "scope", &scope) < 0 ||
      int_member(arg, "minLevel", 0, 5, &min_level) < 0 ||
      int_member(arg, "limit", 1, 100000, &limit) < 0)
    goto bad;
  const json_t *local = json_object_get(arg, "local");
  const json_t *cold = json_object_get(arg, "cold");
  if ((local && !json_is_boolean(local)) || (cold && !json_is_boolean(cold)))
    goto bad;
  a.local = json_is_true(local);
  a.cold = json_is_true(cold);
  if (!kind || strcmp(kind, "pattern") == 0)
    a.kind = HS_KIND_PATTERN;
  else if (strcmp(kind, "query") == 0)
    a.kind = HS_KIND_QUERY;
  else if (strcmp(kind, "regex") == 0)
    a.kind = HS_KIND_REGEX;
  else
    goto bad;
  if (a.kind == HS_KIND_REGEX && a.hot)
    goto bad; /* a regex has no captures */
  if (a.cold && min_level == 0)
    goto bad;
  a.scope = scope && strcmp(scope, "workspace") != 0 ? scope : NULL;
  a.min_level = (int)min_level;
  a.limit = (size_t)limit;
  srv_model_search(env->model, &a);
  return;
bad:
  srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                   "heatls.search takes [{pattern, kind?: \"pattern\" | "
                   "\"query\" | \"regex\", language?, hot?, minLevel?: 0..5, "
                   "local?, cold?, scope?: \"workspace\" | uri, limit?}]");
}

static const struct {
  const char *name;
  command_fn fn;
} commands[] = {{"heatls.loadProfile", load_profile},
                {"heatls.clearProfile", clear_profile},
                {"heatls.hotspots", hotspots},
                {"heatls.status", status},
                {"heatls.reloadProfile", reload_profile},
                {"heatls.search", search},
                {"heatls.pyroscopeServices", pyroscope_services}};

#define COMMAND_COUNT (sizeof commands / sizeof *commands)

size_t srv_command_count(void) { return COMMAND_COUNT; }

const char *srv_command_name(size_t i) { return commands[i].name; }

static int on_execute(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const char *command =
      json_string_value(json_object_get(msg->params, "command"));
  const json_t *args = json_object_get(msg->params, "arguments");
  if (!command || (args && !json_is_array(args))) {
    srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                     "executeCommand needs a command and an arguments array");
    return 0;
  }
  for (size_t i = 0; i < COMMAND_COUNT; i++) {
    if (strcmp(command, commands[i].name) == 0) {
      commands[i].fn(env, msg, args);
      return 0;
    }
  }
  srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                   "unknown command %.200s", command);
  return 0;
}

static const srv_method_t methods[] = {
    {"workspace/executeCommand", on_execute, RPC_METHOD_REQUEST}};

SRV_TABLE(srv_command_methods, methods);
