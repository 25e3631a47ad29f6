/*
 * features.c: textDocument/inlayHint, textDocument/hover and
 * textDocument/codeLens over a document's annotations.
 */
#include "log.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The document a request names: *doc is it, or NULL when it is not open
 * (an empty answer, not an error). -1 after answering -32602 when the
 * request names no document. */
static int request_doc(srv_session_t *s, const rpc_message_t *msg,
                       srv_doc_t **doc) {
  const json_t *td = json_object_get(msg->params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  *doc = NULL;
  if (!uri) {
    srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS,
                    "%s needs textDocument.uri", msg->method);
    return -1;
  }
  *doc = srv_docs_find(&s->docs, uri);
  return 0;
}

static double percent(const srv_session_t *s, int64_t v) {
  int64_t total = hx_index_summary(s->profile->index)->total;
  return total > 0 ? 100.0 * (double)v / (double)total : 0;
}

/* The label of a hint for point p, or 0 when the hints mode hides it. */
static int hint_label(const srv_session_t *s, const hx_point_t *p, char *buf,
                      size_t size) {
  char value[64];
  srv_format_value(s, p->cum, value, sizeof value);
  switch (s->settings.hints) {
  case SRV_HINTS_BOTH:
    if (!p->global && !p->local)
      return 0;
    snprintf(buf, size, "G%d L%d \xc2\xb7 %s", p->global, p->local, value);
    return 1;
  case SRV_HINTS_GLOBAL:
    if (!p->global)
      return 0;
    snprintf(buf, size, "G%d \xc2\xb7 %s", p->global, value);
    return 1;
  case SRV_HINTS_LOCAL:
    if (!p->local)
      return 0;
    snprintf(buf, size, "L%d \xc2\xb7 %s", p->local, value);
    return 1;
  default:
    return 0;
  }
}

/* The hint for p on line, or NULL when none shows (*oom set when one
 * should have but could not be made). */
static json_t *hint(const srv_session_t *s, const srv_doc_t *doc,
                    const hx_point_t *p, uint32_t line, int *oom) {
  char label[128];
  if (!hint_label(s, p, label, sizeof label))
    return NULL;
  const char *text;
  size_t len;
  if (lsp_text_line(doc->text, line, &text, &len) < 0)
    return NULL; /* an annotation past the end of an edited text */
  size_t end = lsp_line_units(text, len, s->encoding);
  const hx_function_t *fn = hx_index_function(s->profile->index, p->function);
  char flat[64], cum[64], tooltip[512];
  srv_format_value(s, p->flat, flat, sizeof flat);
  srv_format_value(s, p->cum, cum, sizeof cum);
  snprintf(tooltip, sizeof tooltip,
           "%s: flat %s (%.1f%%), cum %s (%.1f%%); global level %d, local "
           "level %d",
           fn->display, flat, percent(s, p->flat), cum, percent(s, p->cum),
           p->global, p->local);
  json_t *h = json_pack("{s:{s:I, s:I}, s:s, s:b, s:s}", "position", "line",
                         (json_int_t)line, "character", (json_int_t)end,
                         "label", label, "paddingLeft", 1, "tooltip", tooltip);
  if (!h)
    *oom = 1;
  return h;
}

static int on_inlay_hint(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  srv_doc_t *doc;
  if (request_doc(s, msg, &doc) < 0)
    return 0;
  lsp_range_t range;
  rpc_error_t err;
  if (lsp_range_from_json(json_object_get(msg->params, "range"), &range,
                          &err) < 0) {
    srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS, "%s", err.message);
    return 0;
  }
  json_t *hints = json_array();
  int oom = !hints;
  if (!oom && doc && s->profile && s->settings.hints != SRV_HINTS_OFF) {
    size_t i = srv_annos_lower_bound(doc->annos, doc->anno_count,
                                     range.start.line);
    for (; i < doc->anno_count && doc->annos[i].line <= range.end.line; i++) {
      if (i > 0 && doc->annos[i - 1].line == doc->annos[i].line)
        continue; /* only the hottest point of a line */
      const hx_point_t *p = hx_index_point(s->profile->index,
                                           doc->annos[i].point);
      json_t *h = hint(s, doc, p, doc->annos[i].line, &oom);
      if (h && json_array_append_new(hints, h) < 0)
        oom = 1;
    }
  }
  if (oom) {
    /* Not a shorter list: an answer that says it is incomplete. */
    json_decref(hints);
    srv_reply_error(s, msg->id, RPC_CODE_INTERNAL_ERROR, "out of memory");
    return 0;
  }
  srv_reply(s, msg->id, hints);
  return 0;
}

static int on_hover(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  srv_doc_t *doc;
  if (request_doc(s, msg, &doc) < 0)
    return 0;
  lsp_position_t pos;
  rpc_error_t err;
  if (lsp_position_from_json(json_object_get(msg->params, "position"), &pos,
                             &err) < 0) {
    srv_reply_error(s, msg->id, RPC_CODE_INVALID_PARAMS, "%s", err.message);
    return 0;
  }
  size_t first, n = 0;
  if (doc && s->profile)
    n = srv_annos_on_line(doc->annos, doc->anno_count, pos.line, &first);
  if (n == 0) {
    srv_reply(s, msg->id, json_null());
    return 0;
  }
  const hx_summary_t *sum = hx_index_summary(s->profile->index);
  int md = s->client.hover_markdown;
  /* At most a few functions share a line; cap the text anyway. */
  char text[4096];
  size_t used = (size_t)snprintf(
      text, sizeof text, md ? "**heat** \xc2\xb7 %s%s%s\n" : "heat: %s%s%s\n",
      sum->sample_type.type, *sum->sample_type.type ? "/" : "",
      sum->sample_type.unit);
  for (size_t i = 0; i < n && used < sizeof text; i++) {
    const hx_point_t *p = hx_index_point(s->profile->index,
                                         doc->annos[first + i].point);
    const hx_function_t *fn = hx_index_function(s->profile->index,
                                                p->function);
    char flat[64], cum[64];
    srv_format_value(s, p->flat, flat, sizeof flat);
    srv_format_value(s, p->cum, cum, sizeof cum);
    used += (size_t)snprintf(
        text + used, sizeof text - used,
        md ? "\n`%s`  \nflat %s (%.2f%%) \xc2\xb7 cum %s (%.2f%%)  \n"
             "global level %d \xc2\xb7 local level %d (%s)\n"
           : "\n%s\nflat %s (%.2f%%), cum %s (%.2f%%)\n"
             "global level %d, local level %d (%s)\n",
        fn->display, flat, percent(s, p->flat), cum, percent(s, p->cum),
        p->global, p->local,
        sum->local_scope == HX_LOCAL_FILE ? "file" : "function");
  }
  const char *line;
  size_t len;
  size_t end = 0;
  if (lsp_text_line(doc->text, pos.line, &line, &len) == 0)
    end = lsp_line_units(line, len, s->encoding);
  srv_reply(s, msg->id,
            json_pack("{s:{s:s, s:s}, s:{s:{s:I, s:i}, s:{s:I, s:I}}}",
                      "contents", "kind", md ? "markdown" : "plaintext",
                      "value", text, "range", "start", "line",
                      (json_int_t)pos.line, "character", 0, "end", "line",
                      (json_int_t)pos.line, "character", (json_int_t)end));
  return 0;
}

static int on_code_lens(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  srv_doc_t *doc;
  if (request_doc(s, msg, &doc) < 0)
    return 0;
  json_t *lenses = json_array();
  if (!doc || !s->profile || doc->file < 0 || doc->anno_count == 0) {
    srv_reply(s, msg->id, lenses);
    return 0;
  }
  const hx_file_t *file = hx_index_file(s->profile->index, (size_t)doc->file);
  /* A file's functions are contiguous: one flag per function. */
  unsigned char *seen = calloc(file->function_count ? file->function_count : 1,
                               1);
  if (!seen) {
    json_decref(lenses);
    srv_reply_error(s, msg->id, RPC_CODE_INTERNAL_ERROR, "out of memory");
    return 0;
  }
  size_t total_functions = hx_index_function_count(s->profile->index);
  int oom = !lenses;
  for (size_t i = 0; i < doc->anno_count && !oom; i++) {
    const hx_point_t *p = hx_index_point(s->profile->index,
                                         doc->annos[i].point);
    size_t k = p->function - file->first_function;
    if (k >= file->function_count || seen[k])
      continue;
    seen[k] = 1;
    const hx_function_t *fn = hx_index_function(s->profile->index,
                                                p->function);
    char flat[64], cum[64], title[256];
    srv_format_value(s, fn->flat, flat, sizeof flat);
    srv_format_value(s, fn->cum, cum, sizeof cum);
    snprintf(title, sizeof title,
             "cum %s (%.1f%%) \xc2\xb7 flat %s \xc2\xb7 #%u of %zu", cum,
             percent(s, fn->cum), flat, fn->rank + 1, total_functions);
    json_t *line = json_integer(doc->annos[i].line);
    json_t *lens =
        line ? json_pack("{s:{s:{s:O, s:i}, s:{s:O, s:i}}, s:{s:s, s:s}}",
                         "range", "start", "line", line, "character", 0,
                         "end", "line", line, "character", 0, "command",
                         "title", title, "command", "")
             : NULL;
    json_decref(line);
    if (!lens || json_array_append_new(lenses, lens) < 0)
      oom = 1;
  }
  free(seen);
  if (oom) {
    json_decref(lenses);
    srv_reply_error(s, msg->id, RPC_CODE_INTERNAL_ERROR, "out of memory");
    return 0;
  }
  srv_reply(s, msg->id, lenses);
  return 0;
}

int srv_features_register(srv_session_t *s) {
  int rc = rpc_dispatch_add(s->dispatch, "textDocument/inlayHint",
                            on_inlay_hint, RPC_METHOD_REQUEST, NULL);
  if (rc == 0)
    rc = rpc_dispatch_add(s->dispatch, "textDocument/hover", on_hover,
                          RPC_METHOD_REQUEST, NULL);
  if (rc == 0)
    rc = rpc_dispatch_add(s->dispatch, "textDocument/codeLens", on_code_lens,
                          RPC_METHOD_REQUEST, NULL);
  return rc;
}
