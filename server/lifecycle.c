/*
 * lifecycle.c: initialize, initialized, shutdown, exit, $/cancelRequest
 * and window/workDoneProgress/cancel.
 */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#ifndef HEATLS_VERSION
#define HEATLS_VERSION "0.0.0"
#endif

static int flag_at(const json_t *root, const char *path) {
  /* path is "a.b.c"; a missing member reads as false. */
  char key[64];
  const json_t *v = root;
  while (*path && v) {
    size_t n = strcspn(path, ".");
    if (n >= sizeof key)
      return 0;
    memcpy(key, path, n);
    key[n] = 0;
    v = json_object_get(v, key);
    path += n + (path[n] == '.');
  }
  return json_is_true(v);
}

static srv_client_t read_client(const json_t *caps) {
  srv_client_t c = {
      .encoding = lsp_encoding_from_capabilities(caps),
      .work_done_progress = flag_at(caps, "window.workDoneProgress"),
      .inlay_refresh = flag_at(caps, "workspace.inlayHint.refreshSupport"),
      .lens_refresh = flag_at(caps, "workspace.codeLens.refreshSupport"),
      .configuration = flag_at(caps, "workspace.configuration")};
  const json_t *formats = json_object_get(
      json_object_get(json_object_get(caps, "textDocument"), "hover"),
      "contentFormat");
  size_t i;
  const json_t *f;
  json_array_foreach(formats, i, f) {
    if (json_is_string(f) && strcmp(json_string_value(f), "markdown") == 0)
      c.hover_markdown = 1;
  }
  return c;
}

static void read_folders(srv_model_t *m, const json_t *params) {
  size_t i;
  const json_t *folder;
  json_array_foreach(json_object_get(params, "workspaceFolders"), i, folder) {
    srv_model_add_folder(m, json_string_value(json_object_get(folder, "uri")));
  }
  if (srv_workspace_root_count(srv_model_workspace(m)) > 0)
    return;
  const json_t *root = json_object_get(params, "rootUri");
  if (json_is_string(root)) {
    srv_model_add_folder(m, json_string_value(root));
  } else if (json_is_string(json_object_get(params, "rootPath"))) {
    const char *p = json_string_value(json_object_get(params, "rootPath"));
    char *uri;
    if (*p == '/' && lsp_uri_from_path(p, &uri, NULL) == 0) {
      srv_model_add_folder(m, uri);
      free(uri);
    }
  }
}

static json_t *capabilities(const srv_client_t *client) {
  json_t *cmds = json_array();
  for (size_t i = 0; i < srv_command_count(); i++)
    json_array_append_new(cmds, json_string(srv_command_name(i)));
  return json_pack(
      "{s:{s:s, s:{s:b, s:i, s:{s:b}}, s:b, s:{s:b}, s:{s:b}, s:{s:o},"
      " s:{s:{s:b, s:b}}},"
      " s:{s:s, s:s}}",
      "capabilities", "positionEncoding", lsp_encoding_name(client->encoding),
      "textDocumentSync", "openClose", 1, "change", 2, "save", "includeText",
      0, "hoverProvider", 1, "inlayHintProvider", "resolveProvider", 0,
      "codeLensProvider", "resolveProvider", 0, "executeCommandProvider",
      "commands", cmds, "workspace", "workspaceFolders", "supported", 1,
      "changeNotifications", 1, "serverInfo", "name", "heatls", "version",
      HEATLS_VERSION);
}

static int on_initialize(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  if (env->life->state != RPC_LIFE_STARTING) {
    srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_REQUEST,
                     "initialize was already received");
    return 0;
  }
  if (!json_is_object(msg->params)) {
    srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                     "initialize needs an InitializeParams object");
    return 0;
  }
  srv_client_t client =
      read_client(json_object_get(msg->params, "capabilities"));
  srv_model_set_client(env->model, &client);
  read_folders(env->model, msg->params);
  char warning[300];
  srv_model_init_settings(
      env->model, json_object_get(msg->params, "initializationOptions"),
      warning, sizeof warning);
  env->life->state = RPC_LIFE_RUNNING;
  srv_outbox_reply(env->out, msg->id, capabilities(&client));
  srv_log(SRV_LOG_INFO,
          "initialized: position encoding %s, %zu workspace "
          "folder(s)",
          lsp_encoding_name(client.encoding),
          srv_workspace_root_count(srv_model_workspace(env->model)));
  if (warning[0])
    srv_outbox_show(env->out, 2, "initializationOptions ignored: %s", warning);
  return 0;
}

static int on_initialized(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  (void)msg;
  srv_model_start(env->model);
  return 0;
}

static int on_shutdown(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  env->life->state = RPC_LIFE_SHUTDOWN;
  srv_outbox_reply(env->out, msg->id, json_null());
  return 0;
}

static int on_exit_notification(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  (void)msg;
  env->life->exit_requested = 1;
  env->life->exit_status = env->life->state == RPC_LIFE_SHUTDOWN ? 0 : 1;
  return 0;
}

static int on_cancel(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const json_t *id = json_object_get(msg->params, "id");
  if (id)
    srv_model_cancel(env->model, id);
  return 0;
}

static int on_progress_cancel(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const json_t *token = json_object_get(msg->params, "token");
  if (json_is_string(token) || json_is_integer(token))
    srv_model_cancel_progress(env->model, token);
  return 0;
}

#define ANY_TIME (RPC_METHOD_BEFORE_INIT | RPC_METHOD_AFTER_SHUTDOWN)

static const srv_method_t methods[] = {
    {"initialize", on_initialize, RPC_METHOD_REQUEST | RPC_METHOD_BEFORE_INIT},
    {"initialized", on_initialized, RPC_METHOD_NOTIFICATION},
    {"shutdown", on_shutdown, RPC_METHOD_REQUEST},
    {"exit", on_exit_notification, RPC_METHOD_NOTIFICATION | ANY_TIME},
    {"$/cancelRequest", on_cancel, RPC_METHOD_NOTIFICATION | ANY_TIME},
    {"window/workDoneProgress/cancel", on_progress_cancel,
     RPC_METHOD_NOTIFICATION}};

SRV_TABLE(srv_lifecycle_methods, methods);
