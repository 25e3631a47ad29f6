/*
 * features.c: textDocument/inlayHint, textDocument/hover and
 * textDocument/codeLens over a document's annotations.
 */
#include "handlers.h"

#include "diff_view.h"
#include "error.h"
#include "format.h"
#include "text_buf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int srv_request_doc(srv_env_t *env, const rpc_message_t *msg,
                    const srv_doc_t **doc) {
  const json_t *td = json_object_get(msg->params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  *doc = NULL;
  if (!uri) {
    srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS,
                     "%s needs textDocument.uri", msg->method);
    return SRV_EINVAL;
  }
  *doc = srv_workspace_find(srv_model_workspace(env->model), uri);
  return 0;
}

/* An inlayHint answer is refused (an error answer instead) past this:
 * 489 hints take about 150 KB. */
#define HINTS_MAX_BYTES (64u << 20)

/* A diff's level as "%+d" gives it: "+2", "-3", "+0". */
static void put_signed_level(text_buf_t *t, int level) {
  if (level >= 0)
    text_buf_char(t, '+');
  text_buf_i64(t, level);
}

/* A value and its share of the base's total, for hovers and tooltips. */
static void delta_texts(const hx_summary_t *sum, int64_t delta, char *value,
                        size_t value_size, char *share, size_t share_size) {
  fmt_signed_value(value, value_size, delta, sum);
  fmt_of_base(share, share_size, delta, sum);
}

/* The hint for point on line as JSON text into out; 0 when none shows (the
 * mode hides it, or the line is past the end of an edited text). */
static int write_hint(text_buf_t *out, const srv_model_t *m,
                      const srv_doc_t *doc, uint32_t point, uint32_t line,
                      int first) {
  const hx_index_t *index = srv_model_index(m);
  char label[160];
  if (!srv_view_hint(index, point, srv_model_settings(m)->hints, label,
                     sizeof label))
    return 0;
  const char *text;
  size_t len;
  if (lsp_text_line(doc->text, line, &text, &len) < 0)
    return 0; /* an annotation past the end of an edited text */
  size_t end = lsp_line_units(text, len, srv_model_client(m)->encoding);
  const hx_point_t *p = hx_index_point(index, point);
  const hx_point_diff_t *d = hx_index_point_diff(index, point);
  const hx_function_t *fn = hx_index_function(index, p->function);
  char flat[64], cum[64], tooltip[512];
  srv_model_format(m, p->flat, flat, sizeof flat);
  srv_model_format(m, p->cum, cum, sizeof cum);
  text_buf_t tip;
  text_buf_init_array(&tip, tooltip, sizeof tooltip);
  text_buf_str(&tip, fn->display);
  if (d) {
    char base[64], delta[64], share[32], own[32];
    srv_model_format(m, d->base_cum, base, sizeof base);
    delta_texts(hx_index_summary(index), d->delta_cum, delta, sizeof delta,
                share, sizeof share);
    fmt_own_change(own, sizeof own, p->cum, d->base_cum);
    const char *const parts[] = {": cum ",
                                 cum,
                                 ", base ",
                                 base,
                                 ", change ",
                                 delta,
                                 " (",
                                 share,
                                 " of the base's total, own ",
                                 own,
                                 "); global level "};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
      text_buf_str(&tip, parts[i]);
    put_signed_level(&tip, d->global);
    text_buf_str(&tip, ", local level ");
    put_signed_level(&tip, d->local);
  } else {
    text_buf_str(&tip, ": flat ");
    text_buf_str(&tip, flat);
    text_buf_str(&tip, " (");
    text_buf_fixed(&tip, srv_model_percent(m, p->flat), 1, false);
    text_buf_str(&tip, "%), cum ");
    text_buf_str(&tip, cum);
    text_buf_str(&tip, " (");
    text_buf_fixed(&tip, srv_model_percent(m, p->cum), 1, false);
    text_buf_str(&tip, "%); global level ");
    text_buf_i64(&tip, p->global);
    text_buf_str(&tip, ", local level ");
    text_buf_i64(&tip, p->local);
  }
  if (!first)
    text_buf_char(out, ',');
  text_buf_str(out, "{\"position\":{\"line\":");
  text_buf_u64(out, line);
  text_buf_str(out, ",\"character\":");
  text_buf_u64(out, end);
  text_buf_str(out, "},\"label\":");
  text_buf_json_string(out, label);
  text_buf_str(out, ",\"paddingLeft\":true,\"tooltip\":");
  text_buf_json_string(out, text_buf_cstr(&tip));
  text_buf_char(out, '}');
  return 1;
}

/* The answer is written as JSON text, not built as jansson values and
 * dumped: a whole document's hints (hundreds) are answered at every
 * scroll and edit, and the values cost most of the time. */
static int on_inlay_hint(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const srv_model_t *m = env->model;
  const srv_doc_t *doc;
  if (srv_request_doc(env, msg, &doc) < 0)
    return 0;
  lsp_range_t range;
  rpc_error_t err;
  if (lsp_range_from_json(json_object_get(msg->params, "range"), &range,
                          &err) < 0) {
    srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS, "%s",
                     err.message);
    return 0;
  }
  char *frame = NULL;
  size_t body_len = 0, frame_len = 0;
  text_buf_t out;
  text_buf_init_mem(&out, HINTS_MAX_BYTES);
  text_buf_str(&out, "{\"jsonrpc\":\"2.0\",\"id\":");
  char *id = json_dumps(msg->id, JSON_ENCODE_ANY | JSON_COMPACT);
  if (id)
    text_buf_str(&out, id);
  else
    out.failed = true;
  free(id);
  text_buf_str(&out, ",\"result\":[");
  const hx_index_t *index = srv_model_index(m);
  if (doc && index && srv_model_settings(m)->hints != SRV_HINTS_OFF) {
    size_t i =
        srv_annos_lower_bound(doc->annos, doc->anno_count, range.start.line);
    int first = 1;
    while (i < doc->anno_count && doc->annos[i].line <= range.end.line) {
      /* One hint a line: the point the line shows (diff_view.h). */
      size_t n = srv_view_line_run(doc->annos, doc->anno_count, i);
      const srv_anno_t *a =
          &doc->annos[srv_view_line_anno(index, doc->annos, i, n)];
      if (write_hint(&out, m, doc, a->point, a->line, first))
        first = 0;
      i += n;
    }
  }
  text_buf_str(&out, "]}");
  /* NULL when the answer could not grow. */
  char *body = text_buf_take(&out, &body_len);
  if (body && rpc_frame_encode(body, body_len, &frame, &frame_len, &err) < 0)
    frame = NULL;
  free(body);
  /* Without memory: not a shorter list but an answer that says so. */
  srv_outbox_send_frame(env->out, msg->id, frame, frame_len);
  return 0;
}

/* A function's part of a hover in a diff: new and base values, the
 * change, its share of the base's total, the own change, the levels. */
static size_t hover_diff(const srv_model_t *m, int md, const hx_function_t *fn,
                         const hx_point_t *p, const hx_point_diff_t *d,
                         char *out, size_t size) {
  const hx_summary_t *sum = hx_index_summary(srv_model_index(m));
  char flat[64], cum[64], bflat[64], bcum[64], dflat[64], dcum[64];
  char sflat[32], scum[32], own[32];
  srv_model_format(m, p->flat, flat, sizeof flat);
  srv_model_format(m, p->cum, cum, sizeof cum);
  srv_model_format(m, d->base_flat, bflat, sizeof bflat);
  srv_model_format(m, d->base_cum, bcum, sizeof bcum);
  delta_texts(sum, d->delta_flat, dflat, sizeof dflat, sflat, sizeof sflat);
  delta_texts(sum, d->delta_cum, dcum, sizeof dcum, scum, sizeof scum);
  fmt_own_change(own, sizeof own, p->cum, d->base_cum);
  int n = snprintf(
      out, size,
      md ? "\n`%s`  \nnew: flat %s \xc2\xb7 cum %s  \n"
           "base: flat %s \xc2\xb7 cum %s  \n"
           "change: flat %s (%s of base) \xc2\xb7 cum %s (%s of base) "
           "\xc2\xb7 own %s  \n"
           "global level %+d \xc2\xb7 local level %+d (%s)\n"
         : "\n%s\nnew: flat %s, cum %s\nbase: flat %s, cum %s\n"
           "change: flat %s (%s of base), cum %s (%s of base), own %s\n"
           "global level %+d, local level %+d (%s)\n",
      fn->display, flat, cum, bflat, bcum, dflat, sflat, dcum, scum, own,
      d->global, d->local,
      sum->local_scope == HX_LOCAL_FILE ? "file" : "function");
  return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size;
}

static int on_hover(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const srv_model_t *m = env->model;
  const srv_doc_t *doc;
  if (srv_request_doc(env, msg, &doc) < 0)
    return 0;
  lsp_position_t pos;
  rpc_error_t err;
  if (lsp_position_from_json(json_object_get(msg->params, "position"), &pos,
                             &err) < 0) {
    srv_outbox_error(env->out, msg->id, RPC_CODE_INVALID_PARAMS, "%s",
                     err.message);
    return 0;
  }
  const hx_index_t *index = srv_model_index(m);
  size_t first, n = 0;
  if (doc && index)
    n = srv_annos_on_line(doc->annos, doc->anno_count, pos.line, &first);
  if (n == 0) {
    srv_outbox_reply(env->out, msg->id, json_null());
    return 0;
  }
  const hx_summary_t *sum = hx_index_summary(index);
  int md = srv_model_client(m)->hover_markdown;
  /* At most a few functions share a line; cap the text anyway. */
  char text[4096];
  size_t used = (size_t)snprintf(
      text, sizeof text, md ? "**heat** \xc2\xb7 %s%s%s\n" : "heat: %s%s%s\n",
      sum->sample_type.type, *sum->sample_type.type ? "/" : "",
      sum->sample_type.unit);
  for (size_t i = 0; i < n && used < sizeof text; i++) {
    uint32_t point = doc->annos[first + i].point;
    const hx_point_t *p = hx_index_point(index, point);
    const hx_function_t *fn = hx_index_function(index, p->function);
    const hx_point_diff_t *d = hx_index_point_diff(index, point);
    if (d) {
      used += hover_diff(m, md, fn, p, d, text + used, sizeof text - used);
      continue;
    }
    char flat[64], cum[64];
    srv_model_format(m, p->flat, flat, sizeof flat);
    srv_model_format(m, p->cum, cum, sizeof cum);
    used += (size_t)snprintf(
        text + used, sizeof text - used,
        md ? "\n`%s`  \nflat %s (%.2f%%) \xc2\xb7 cum %s (%.2f%%)  \n"
             "global level %d \xc2\xb7 local level %d (%s)\n"
           : "\n%s\nflat %s (%.2f%%), cum %s (%.2f%%)\n"
             "global level %d, local level %d (%s)\n",
        fn->display, flat, srv_model_percent(m, p->flat), cum,
        srv_model_percent(m, p->cum), p->global, p->local,
        sum->local_scope == HX_LOCAL_FILE ? "file" : "function");
  }
  const char *line;
  size_t len;
  size_t end = 0;
  if (lsp_text_line(doc->text, pos.line, &line, &len) == 0)
    end = lsp_line_units(line, len, srv_model_client(m)->encoding);
  srv_outbox_reply(
      env->out, msg->id,
      json_pack("{s:{s:s, s:s}, s:{s:{s:I, s:i}, s:{s:I, s:I}}}", "contents",
                "kind", md ? "markdown" : "plaintext", "value", text, "range",
                "start", "line", (json_int_t)pos.line, "character", 0, "end",
                "line", (json_int_t)pos.line, "character", (json_int_t)end));
  return 0;
}

static json_t *lens(const srv_model_t *m, uint32_t function, uint32_t line) {
  const hx_index_t *index = srv_model_index(m);
  const hx_function_t *fn = hx_index_function(index, function);
  const hx_function_diff_t *d = hx_index_function_diff(index, function);
  char flat[64], cum[64], title[256];
  srv_model_format(m, fn->flat, flat, sizeof flat);
  srv_model_format(m, fn->cum, cum, sizeof cum);
  if (d) {
    /* cum +1.20s (+1.6% of base) · new 3.70s · base 2.50s */
    const hx_summary_t *sum = hx_index_summary(index);
    char delta[64], base[64];
    fmt_signed_value(delta, sizeof delta, d->delta_cum, sum);
    srv_model_format(m, d->base_cum, base, sizeof base);
    double share = sum->base_total
                       ? 100.0 * (double)d->delta_cum / (double)sum->base_total
                       : 0;
    snprintf(title, sizeof title,
             "cum %s (%+.1f%% of base) \xc2\xb7 new %s \xc2\xb7 base %s",
             delta, share, cum, base);
  } else {
    snprintf(title, sizeof title,
             "cum %s (%.1f%%) \xc2\xb7 flat %s \xc2\xb7 #%u of %zu", cum,
             srv_model_percent(m, fn->cum), flat, fn->rank + 1,
             hx_index_function_count(index));
  }
  json_t *jline = json_integer(line);
  json_t *out =
      jline ? json_pack("{s:{s:{s:O, s:i}, s:{s:O, s:i}}, s:{s:s, s:s}}",
                        "range", "start", "line", jline, "character", 0, "end",
                        "line", jline, "character", 0, "command", "title",
                        title, "command", "")
            : NULL;
  json_decref(jline);
  return out;
}

static int on_code_lens(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const srv_model_t *m = env->model;
  const srv_doc_t *doc;
  if (srv_request_doc(env, msg, &doc) < 0)
    return 0;
  const hx_index_t *index = srv_model_index(m);
  json_t *lenses = json_array();
  if (!doc || !index || doc->file < 0 || doc->anno_count == 0) {
    srv_outbox_reply(env->out, msg->id, lenses);
    return 0;
  }
  const hx_file_t *file = hx_index_file(index, (size_t)doc->file);
  /* A file's functions are contiguous: one flag per function. */
  unsigned char *seen =
      calloc(file->function_count ? file->function_count : 1, 1);
  int oom = !lenses || !seen;
  for (size_t i = 0; i < doc->anno_count && !oom; i++) {
    const hx_point_t *p = hx_index_point(index, doc->annos[i].point);
    size_t k = p->function - file->first_function;
    if (k >= file->function_count || seen[k])
      continue;
    seen[k] = 1;
    if (json_array_append_new(lenses,
                              lens(m, p->function, doc->annos[i].line)) < 0)
      oom = 1;
  }
  free(seen);
  if (oom) {
    json_decref(lenses);
    srv_outbox_error(env->out, msg->id, RPC_CODE_INTERNAL_ERROR,
                     "out of memory");
    return 0;
  }
  srv_outbox_reply(env->out, msg->id, lenses);
  return 0;
}

static const srv_method_t methods[] = {
    {"textDocument/inlayHint", on_inlay_hint, RPC_METHOD_REQUEST},
    {"textDocument/hover", on_hover, RPC_METHOD_REQUEST},
    {"textDocument/codeLens", on_code_lens, RPC_METHOD_REQUEST}};

SRV_TABLE(srv_feature_methods, methods);
