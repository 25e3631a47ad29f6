/*
 * sync.c: document synchronisation (didOpen, didChange, didClose,
 * didSave) and workspace folders.
 */
#include "log.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

static const char *doc_uri(const rpc_message_t *msg, const char *method) {
  const json_t *td = json_object_get(msg->params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  if (!uri)
    srv_log(SRV_LOG_WARN, "%s without textDocument.uri: ignored", method);
  return uri;
}

static int on_did_open(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  const json_t *td = json_object_get(msg->params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  const json_t *text = json_object_get(td, "text");
  if (!uri || !json_is_string(text)) {
    srv_log(SRV_LOG_WARN, "didOpen without textDocument.uri and text: "
                          "ignored");
    return 0;
  }
  srv_doc_t *doc;
  rpc_error_t err;
  int64_t version = json_integer_value(json_object_get(td, "version"));
  if (srv_doc_new(uri, version, json_string_value(text),
                  json_string_length(text), &doc, &err) < 0) {
    srv_show_message(s, 2, "cannot open %s: %s", uri, err.message);
    return 0;
  }
  if (srv_docs_put(&s->docs, doc) < 0) {
    srv_show_message(s, 2, "cannot keep %s: too many documents", uri);
    srv_doc_free(doc);
    return 0;
  }
  srv_log(SRV_LOG_DEBUG, "opened %s", uri);
  if (doc->path && s->profile) {
    /* Others with the same base name may now be ambiguous, or no longer;
     * this one is sent its decorations once, changed or not. */
    srv_doc_relink(s, doc);
    srv_docs_relink(s, doc->base, doc);
    srv_send_decorations(s, doc);
  }
  return 0;
}

static int on_did_change(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  const char *uri = doc_uri(msg, "didChange");
  if (!uri)
    return 0;
  srv_doc_t *doc = srv_docs_find(&s->docs, uri);
  if (!doc) {
    srv_log(SRV_LOG_WARN, "didChange for %s, which is not open: ignored", uri);
    return 0;
  }
  const json_t *td = json_object_get(msg->params, "textDocument");
  const json_t *version = json_object_get(td, "version");
  if (json_is_integer(version))
    doc->version = json_integer_value(version);
  const json_t *changes = json_object_get(msg->params, "contentChanges");
  size_t i;
  const json_t *change;
  int moved = 0;
  json_array_foreach(changes, i, change) {
    lsp_line_change_t lines;
    rpc_error_t err;
    if (lsp_text_apply_json(doc->text, change, s->encoding, &lines, &err) < 0) {
      /* The client and heatls now disagree on the text; the next full
       * change or re-open puts it right. */
      srv_log(SRV_LOG_WARN, "change %zu to %s not applied: %s", i, uri,
              err.message);
      break;
    }
    if (srv_annos_move(doc->annos, &doc->anno_count, &lines))
      moved = 1;
  }
  if (moved)
    srv_send_decorations(s, doc);
  return 0;
}

static int on_did_close(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  const char *uri = doc_uri(msg, "didClose");
  if (!uri)
    return 0;
  srv_doc_t *doc = srv_docs_find(&s->docs, uri);
  if (!doc)
    return 0;
  /* Another document with the same base name may have been ambiguous
   * because of this one. */
  char *base = strdup(doc->base);
  srv_docs_remove(&s->docs, uri);
  if (base && *base && s->profile)
    srv_docs_relink(s, base, NULL);
  free(base);
  return 0;
}

static int on_did_save(void *ctx, const rpc_message_t *msg) {
  (void)ctx;
  (void)msg;
  return 0; /* the text is already known from didChange */
}

static int on_folders(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  const json_t *event = json_object_get(msg->params, "event");
  size_t i;
  const json_t *f;
  json_array_foreach(json_object_get(event, "removed"), i, f) {
    char *path;
    const char *uri = json_string_value(json_object_get(f, "uri"));
    if (!uri || lsp_uri_to_path(uri, &path, NULL) < 0)
      continue;
    for (size_t r = 0; r < s->root_count; r++) {
      if (strcmp(s->roots[r], path) == 0) {
        free(s->roots[r]);
        s->roots[r] = s->roots[--s->root_count];
        break;
      }
    }
    free(path);
  }
  json_array_foreach(json_object_get(event, "added"), i, f) {
    if (srv_roots_add(s, json_string_value(json_object_get(f, "uri"))) < 0)
      srv_log(SRV_LOG_ERROR, "out of memory adding a workspace folder");
  }
  return 0;
}

int srv_roots_add(srv_session_t *s, const char *uri) {
  char *path;
  if (!uri || lsp_uri_to_path(uri, &path, NULL) < 0)
    return 0; /* not a file folder: nothing to look in */
  char **roots = realloc(s->roots, (s->root_count + 1) * sizeof *roots);
  if (!roots) {
    free(path);
    return -1;
  }
  s->roots = roots;
  s->roots[s->root_count++] = path;
  return 0;
}

int srv_sync_register(srv_session_t *s) {
  struct {
    const char *name;
    rpc_handler_fn fn;
  } table[] = {{"textDocument/didOpen", on_did_open},
               {"textDocument/didChange", on_did_change},
               {"textDocument/didClose", on_did_close},
               {"textDocument/didSave", on_did_save},
               {"workspace/didChangeWorkspaceFolders", on_folders}};
  for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
    int rc = rpc_dispatch_add(s->dispatch, table[i].name, table[i].fn,
                              RPC_METHOD_NOTIFICATION, NULL);
    if (rc < 0)
      return rc;
  }
  return 0;
}
