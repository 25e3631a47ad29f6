/*
 * commands.c: workspace/executeCommand: heatls.loadProfile,
 * heatls.clearProfile, heatls.hotspots and heatls.status
 * (docs/protocol.md, Commands).
 */
#include "log.h"
#include "session.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOTSPOTS_DEFAULT 50
#define HOTSPOTS_MAX 10000

static void load_profile(srv_session_t *s, const rpc_message_t *msg,
                         const json_t *args) {
  const json_t *arg = json_array_get(args, 0);
  srv_load_request_t req = {.sample_type = s->settings.sample_type,
                            .threshold = s->settings.threshold,
                            .local_scope = s->settings.local_scope,
                            .id = msg->id,
                            .work_token = json_object_get(msg->params,
                                                          "workDoneToken")};
  if (json_is_string(arg)) {
    req.path = json_string_value(arg);
  } else if (json_is_object(arg)) {
    req.path = json_string_value(json_object_get(arg, "path"));
    const json_t *v = json_object_get(arg, "sampleType");
    if (json_is_string(v))
      req.sample_type = json_string_value(v);
    else if (v && !json_is_null(v))
      goto bad;
    v = json_object_get(arg, "threshold");
    if (v && !json_is_null(v)) {
      double t = json_is_number(v) ? json_number_value(v) : -1;
      if (!isfinite(t) || t <= 0 || t > 1) {
        srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS,
                        "heatls.loadProfile: threshold must be a number in "
                        "(0, 1]");
        return;
      }
      req.threshold = t;
    }
    v = json_object_get(arg, "localScope");
    if (json_is_string(v) && strcmp(json_string_value(v), "file") == 0)
      req.local_scope = HX_LOCAL_FILE;
    else if (json_is_string(v) &&
             strcmp(json_string_value(v), "function") == 0)
      req.local_scope = HX_LOCAL_FUNCTION;
    else if (v && !json_is_null(v))
      goto bad;
  }
  if (!req.path || !*req.path)
    goto bad;
  if (req.sample_type && !*req.sample_type)
    req.sample_type = NULL;
  srv_load_start(s, &req);
  return;
bad:
  srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS,
                  "heatls.loadProfile takes [path] or [{path, sampleType?, "
                  "threshold?, localScope?}]");
}

static void clear_profile(srv_session_t *s, const rpc_message_t *msg) {
  if (s->profile) {
    srv_profile_unload(s);
    for (size_t i = 0; i < s->docs.count; i++) {
      srv_doc_t *doc = s->docs.items[i];
      int painted = doc->painted;
      srv_doc_unlink(doc);
      if (painted)
        srv_send_decorations(s, doc);
    }
    srv_watch_update(s);
    srv_refresh_views(s);
    srv_log(SRV_LOG_INFO, "profile cleared");
  }
  srv_reply(s, msg->id, json_null());
}

/* The current 0-based line of point `point` of profile file `file`: from
 * the open document that shows it (edits included), else the profile's. */
static uint32_t current_line(const srv_session_t *s, const srv_doc_t *doc,
                             uint32_t point) {
  const hx_point_t *p = hx_index_point(s->profile->index, point);
  if (doc) {
    for (size_t i = 0; i < doc->anno_count; i++)
      if (doc->annos[i].point == point)
        return doc->annos[i].line;
  }
  return p->line - 1;
}

static const srv_doc_t *doc_showing(const srv_session_t *s, long file) {
  for (size_t i = 0; i < s->docs.count; i++)
    if (s->docs.items[i]->file == file)
      return s->docs.items[i];
  return NULL;
}

static void hotspots(srv_session_t *s, const rpc_message_t *msg,
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
  if (!s->profile) {
    srv_reply_error(s, msg->id, RPC_CODE_REQUEST_FAILED,
                    "no profile is loaded (run heatls.loadProfile)");
    return;
  }
  if (file_scope) {
    const char *uri = json_string_value(json_object_get(arg, "uri"));
    if (!uri)
      goto bad;
    srv_doc_t *doc = srv_docs_find(&s->docs, uri);
    if (doc) {
      only_file = doc->file;
    } else {
      char *path;
      if (lsp_uri_to_path(uri, &path, NULL) == 0) {
        srv_path_context_t ctx = {.mappings = s->settings.mappings,
                                  .mapping_count = s->settings.mapping_count};
        srv_match_t m = srv_path_map_to_profile(s->profile->paths, path, &ctx);
        if (m.kind != SRV_MATCH_NONE && m.kind != SRV_MATCH_AMBIGUOUS)
          only_file = m.file;
        free(path);
      }
    }
    if (only_file < 0) {
      srv_reply(s, msg->id, json_array());
      return;
    }
  }
  const hx_index_t *index = s->profile->index;
  const uint32_t *order;
  size_t n = hx_index_top(index, hx_index_point_count(index), &order);
  json_t *out = json_array();
  /* What shows each profile file, looked up once per file: the open
   * document (for lines moved by edits) and the local file's URI. */
  size_t files = hx_index_file_count(index);
  unsigned char *looked = calloc(files ? files : 1, 1);
  char **uri_of = calloc(files ? files : 1, sizeof *uri_of);
  const srv_doc_t **doc_of = calloc(files ? files : 1, sizeof *doc_of);
  if (!out || !looked || !uri_of || !doc_of) {
    json_decref(out);
    free(looked);
    free(uri_of);
    free(doc_of);
    srv_reply_error(s, msg->id, RPC_CODE_INTERNAL_ERROR, "out of memory");
    return;
  }
  int oom = 0;
  for (size_t i = 0; i < n && json_array_size(out) < limit && !oom; i++) {
    const hx_point_t *p = hx_index_point(index, order[i]);
    const hx_function_t *fn = hx_index_function(index, p->function);
    if (p->line == 0 || (only_file >= 0 && (long)fn->file != only_file))
      continue;
    size_t c = fn->file;
    if (!looked[c]) {
      looked[c] = 1;
      doc_of[c] = doc_showing(s, (long)c);
      char *local;
      if (srv_profile_file_local(s, c, &local) < 0 ||
          (local && lsp_uri_from_path(local, &uri_of[c], NULL) == RPC_ENOMEM))
        oom = 1;
      free(local);
    }
    char flat[64], cum[64];
    srv_format_value(s, p->flat, flat, sizeof flat);
    srv_format_value(s, p->cum, cum, sizeof cum);
    json_t *item = json_pack(
        "{s:s, s:I, s:i, s:i, s:I, s:I, s:s, s:s, s:s}", "path",
        hx_index_file(index, fn->file)->path, "line",
        (json_int_t)current_line(s, doc_of[c], order[i]), "local", p->local,
        "global", p->global, "flat", (json_int_t)p->flat, "cum",
        (json_int_t)p->cum, "flatText", flat, "cumText", cum, "function",
        fn->display);
    if (!item || (uri_of[c] && json_object_set_new(item, "uri",
                                                   json_string(uri_of[c])) < 0))
      oom = 1;
    if (json_array_append_new(out, item) < 0)
      oom = 1;
  }
  for (size_t c = 0; c < files; c++)
    free(uri_of[c]);
  free(looked);
  free(uri_of);
  free(doc_of);
  if (oom) {
    json_decref(out);
    srv_reply_error(s, msg->id, RPC_CODE_INTERNAL_ERROR, "out of memory");
    return;
  }
  srv_reply(s, msg->id, out);
  return;
bad:
  srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS,
                  "heatls.hotspots takes [] or [{limit?, scope?: \"global\" | "
                  "\"file\", uri?}] (a file scope needs uri)");
}

static int on_execute(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  const char *command = json_string_value(json_object_get(msg->params,
                                                          "command"));
  const json_t *args = json_object_get(msg->params, "arguments");
  if (!command || (args && !json_is_array(args))) {
    srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS,
                    "executeCommand needs a command and an arguments array");
    return 0;
  }
  if (strcmp(command, "heatls.loadProfile") == 0)
    load_profile(s, msg, args);
  else if (strcmp(command, "heatls.clearProfile") == 0)
    clear_profile(s, msg);
  else if (strcmp(command, "heatls.hotspots") == 0)
    hotspots(s, msg, args);
  else if (strcmp(command, "heatls.status") == 0)
    srv_reply(s, msg->id, srv_profile_summary(s));
  else
    srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS,
                    "unknown command %.200s", command);
  return 0;
}

int srv_commands_register(srv_session_t *s) {
  return rpc_dispatch_add(s->dispatch, "workspace/executeCommand", on_execute,
                          RPC_METHOD_REQUEST, NULL);
}
