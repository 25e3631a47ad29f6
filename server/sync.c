/*
 * sync.c: document synchronisation (didOpen, didChange, didClose,
 * didSave) and workspace folders.
 */
#include "handlers.h"

static const char *doc_uri(const rpc_message_t *msg, const char *method) {
  const json_t *td = json_object_get(msg->params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  if (!uri)
    srv_log(SRV_LOG_WARN, "%s without textDocument.uri: ignored", method);
  return uri;
}

static int on_did_open(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const json_t *td = json_object_get(msg->params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  const json_t *text = json_object_get(td, "text");
  if (!uri || !json_is_string(text)) {
    srv_log(SRV_LOG_WARN, "didOpen without textDocument.uri and text: "
                          "ignored");
    return 0;
  }
  srv_model_open(env->model, uri,
                 json_integer_value(json_object_get(td, "version")),
                 json_string_value(text), json_string_length(text));
  return 0;
}

static int on_did_change(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const char *uri = doc_uri(msg, "didChange");
  if (!uri)
    return 0;
  const json_t *td = json_object_get(msg->params, "textDocument");
  srv_model_change(env->model, uri, json_object_get(td, "version"),
                   json_object_get(msg->params, "contentChanges"));
  return 0;
}

static int on_did_close(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const char *uri = doc_uri(msg, "didClose");
  if (uri)
    srv_model_close_doc(env->model, uri);
  return 0;
}

static int on_did_save(void *ctx, const rpc_message_t *msg) {
  (void)ctx;
  (void)msg;
  return 0; /* the text is already known from didChange */
}

static int on_folders(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const json_t *event = json_object_get(msg->params, "event");
  size_t i;
  const json_t *f;
  json_array_foreach(json_object_get(event, "removed"), i, f) {
    srv_model_remove_folder(env->model,
                            json_string_value(json_object_get(f, "uri")));
  }
  json_array_foreach(json_object_get(event, "added"), i, f) {
    srv_model_add_folder(env->model,
                         json_string_value(json_object_get(f, "uri")));
  }
  return 0;
}

static const srv_method_t methods[] = {
    {"textDocument/didOpen", on_did_open, RPC_METHOD_NOTIFICATION},
    {"textDocument/didChange", on_did_change, RPC_METHOD_NOTIFICATION},
    {"textDocument/didClose", on_did_close, RPC_METHOD_NOTIFICATION},
    {"textDocument/didSave", on_did_save, RPC_METHOD_NOTIFICATION},
    {"workspace/didChangeWorkspaceFolders", on_folders,
     RPC_METHOD_NOTIFICATION}};

SRV_TABLE(srv_sync_methods, methods);
