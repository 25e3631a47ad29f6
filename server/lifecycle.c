/*
 * lifecycle.c: initialize, initialized, shutdown, exit and $/cancelRequest.
 */
#include "log.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

#ifndef HEATLS_VERSION
#define HEATLS_VERSION "0.0.0"
#endif

static const char *const commands[] = {"heatls.loadProfile",
                                       "heatls.clearProfile",
                                       "heatls.hotspots", "heatls.status"};

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

static void read_client(srv_session_t *s, const json_t *params) {
  const json_t *caps = json_object_get(params, "capabilities");
  s->encoding = lsp_encoding_from_capabilities(caps);
  s->client.work_done_progress = flag_at(caps, "window.workDoneProgress");
  s->client.inlay_refresh = flag_at(caps, "workspace.inlayHint.refreshSupport");
  s->client.lens_refresh = flag_at(caps, "workspace.codeLens.refreshSupport");
  s->client.configuration = flag_at(caps, "workspace.configuration");
  const json_t *formats = json_object_get(
      json_object_get(json_object_get(caps, "textDocument"), "hover"),
      "contentFormat");
  size_t i;
  const json_t *f;
  json_array_foreach(formats, i, f) {
    if (json_is_string(f) && strcmp(json_string_value(f), "markdown") == 0)
      s->client.hover_markdown = 1;
  }
  const json_t *folders = json_object_get(params, "workspaceFolders");
  const json_t *folder;
  json_array_foreach(folders, i, folder) {
    srv_roots_add(s, json_string_value(json_object_get(folder, "uri")));
  }
  if (s->root_count == 0) {
    const json_t *root = json_object_get(params, "rootUri");
    if (json_is_string(root)) {
      srv_roots_add(s, json_string_value(root));
    } else if (json_is_string(json_object_get(params, "rootPath"))) {
      const char *p = json_string_value(json_object_get(params, "rootPath"));
      char *uri;
      if (*p == '/' && lsp_uri_from_path(p, &uri, NULL) == 0) {
        srv_roots_add(s, uri);
        free(uri);
      }
    }
  }
}

static json_t *capabilities(const srv_session_t *s) {
  json_t *cmds = json_array();
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    json_array_append_new(cmds, json_string(commands[i]));
  return json_pack(
      "{s:{s:s, s:{s:b, s:i, s:{s:b}}, s:b, s:{s:b}, s:{s:b}, s:{s:o},"
      " s:{s:{s:b, s:b}}},"
      " s:{s:s, s:s}}",
      "capabilities", "positionEncoding", lsp_encoding_name(s->encoding),
      "textDocumentSync", "openClose", 1, "change", 2, "save", "includeText",
      0, "hoverProvider", 1, "inlayHintProvider", "resolveProvider", 0,
      "codeLensProvider", "resolveProvider", 0, "executeCommandProvider",
      "commands", cmds, "workspace", "workspaceFolders", "supported", 1,
      "changeNotifications", 1, "serverInfo", "name", "heatls", "version",
      HEATLS_VERSION);
}

static int on_initialize(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  if (s->life != RPC_LIFE_STARTING) {
    srv_reply_error(s, msg->id, RPC_CODE_INVALID_REQUEST,
                    "initialize was already received");
    return 0;
  }
  if (!json_is_object(msg->params)) {
    srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS,
                    "initialize needs an InitializeParams object");
    return 0;
  }
  read_client(s, msg->params);
  char warning[300] = "";
  const json_t *options = json_object_get(msg->params, "initializationOptions");
  srv_settings_t next;
  int rc = srv_settings_apply(&s->settings, srv_settings_section(options),
                              &next, warning, sizeof warning);
  if (rc == 0) {
    srv_settings_close(&s->settings);
    s->settings = next;
    if (s->settings.log_level >= 0)
      srv_log_set_level((srv_log_level_t)s->settings.log_level);
  } else if (rc == -2) {
    snprintf(warning, sizeof warning, "out of memory reading the settings");
  }
  s->life = RPC_LIFE_RUNNING;
  srv_reply(s, msg->id, capabilities(s));
  srv_log(SRV_LOG_INFO, "initialized: position encoding %s, %zu workspace "
          "folder(s)", lsp_encoding_name(s->encoding), s->root_count);
  if (warning[0])
    srv_show_message(s, 2, "initializationOptions ignored: %s",
                     warning);
  return 0;
}

static int on_initialized(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  (void)msg;
  if (s->settings.profile) {
    srv_load_request_t req = {.path = s->settings.profile,
                              .sample_type = s->settings.sample_type,
                              .threshold = s->settings.threshold,
                              .local_scope = s->settings.local_scope};
    srv_load_start(s, &req);
  }
  return 0;
}

static int on_shutdown(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  s->life = RPC_LIFE_SHUTDOWN;
  srv_reply(s, msg->id, json_null());
  return 0;
}

static int on_exit_notification(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  (void)msg;
  srv_session_finish(s, s->life == RPC_LIFE_SHUTDOWN ? 0 : 1);
  return 0;
}

static int on_cancel(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  const json_t *id = json_object_get(msg->params, "id");
  if (id && rpc_cancel_mark(s->cancel, id))
    srv_load_cancelled(s);
  return 0;
}

int srv_lifecycle_register(srv_session_t *s) {
  const unsigned any = RPC_METHOD_BEFORE_INIT | RPC_METHOD_AFTER_SHUTDOWN;
  int rc = rpc_dispatch_add(s->dispatch, "initialize", on_initialize,
                            RPC_METHOD_REQUEST | RPC_METHOD_BEFORE_INIT, NULL);
  if (rc == 0)
    rc = rpc_dispatch_add(s->dispatch, "initialized", on_initialized,
                          RPC_METHOD_NOTIFICATION, NULL);
  if (rc == 0)
    rc = rpc_dispatch_add(s->dispatch, "shutdown", on_shutdown,
                          RPC_METHOD_REQUEST, NULL);
  if (rc == 0)
    rc = rpc_dispatch_add(s->dispatch, "exit", on_exit_notification,
                          RPC_METHOD_NOTIFICATION | any, NULL);
  if (rc == 0)
    rc = rpc_dispatch_add(s->dispatch, "$/cancelRequest", on_cancel,
                          RPC_METHOD_NOTIFICATION | any, NULL);
  return rc;
}
