/*
 * model.c: the model's settings and documents, and the one path every
 * change of the profile takes (model_changed).
 */
#include "model_internal.h"

#include "error.h"
#include "format.h"
#include "log.h"
#include "paint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* The watcher saw the profile's file change: reload it as it was loaded. */
static void on_file_changed(void *ctx) {
  srv_load_args_t args = SRV_LOAD_ARGS_INIT;
  args.from_watch = 1;
  srv_model_load(ctx, &args);
}

int srv_model_new(uv_loop_t *loop, srv_outbox_t *out, int log_level,
                  srv_model_t **out_model) {
  *out_model = NULL;
  srv_model_t *m = calloc(1, sizeof *m);
  if (!m)
    return SRV_ENOMEM;
  m->loop = loop;
  m->out = out;
  m->cli_log_level = log_level;
  m->client.encoding = LSP_ENCODING_UTF16;
  srv_settings_init(&m->settings);
  int rc = srv_workspace_new(&m->ws);
  if (rc == 0)
    rc = model_loads_init(m);
  if (rc == 0)
    rc = srv_watcher_init(&m->watcher, loop, on_file_changed, m);
  char warning[300];
  if (rc == 0)
    rc = srv_diagnostics_new(NULL, NULL, 0, &m->diagnostics, warning,
                             sizeof warning);
  if (rc == 0) {
    rc = srv_error_from_uv(uv_timer_init(loop, &m->diagnostics_timer));
    m->diagnostics_timer_open = rc == 0;
    m->diagnostics_timer.data = m;
  }
  if (rc < 0) {
    srv_model_close(m);
    uv_run(loop, UV_RUN_DEFAULT); /* the watcher's close callbacks */
    srv_model_free(m);
    return rc;
  }
  *out_model = m;
  return 0;
}

void srv_model_close(srv_model_t *m) {
  if (m->closing)
    return;
  m->closing = 1;
  srv_watcher_close(&m->watcher);
  if (m->diagnostics_timer_open) {
    m->diagnostics_timer_open = 0;
    uv_close((uv_handle_t *)&m->diagnostics_timer, NULL);
  }
  model_loads_close(m);
  model_searches_close(m);
}

void srv_model_free(srv_model_t *m) {
  if (!m)
    return;
  srv_profile_free(m->profile);
  srv_workspace_free(m->ws);
  srv_diagnostics_free(m->diagnostics);
  model_loads_free(m);
  srv_settings_close(&m->settings);
  free(m);
}

/* ---- accessors ---- */

void srv_model_set_client(srv_model_t *m, const srv_client_t *client) {
  m->client = *client;
}

const srv_client_t *srv_model_client(const srv_model_t *m) {
  return &m->client;
}

const srv_settings_t *srv_model_settings(const srv_model_t *m) {
  return &m->settings;
}

const srv_workspace_t *srv_model_workspace(const srv_model_t *m) {
  return m->ws;
}

const srv_profile_t *srv_model_profile(const srv_model_t *m) {
  return m->profile;
}

const hx_index_t *srv_model_index(const srv_model_t *m) {
  return m->profile ? m->profile->index : NULL;
}

/* ---- the "profile changed" path ---- */

static void diagnose(srv_model_t *m, srv_doc_t *doc) {
  const hx_index_t *index = srv_model_index(m);
  srv_diagnostics_publish(m->diagnostics, m->out, doc, index,
                          m->client.encoding,
                          index ? hx_index_summary(index) : NULL);
}

/* Every document shown anew is checked again, but one being edited: the
 * debounce timer checks it once the edits pause. */
static void paint_doc(void *ctx, srv_doc_t *doc) {
  srv_model_t *m = ctx;
  srv_paint(m->out, doc, srv_model_index(m), m->settings.hints);
  if (!doc->stale)
    diagnose(m, doc);
}

static void on_edits_paused(uv_timer_t *timer) {
  srv_model_t *m = timer->data;
  size_t n = srv_workspace_doc_count(m->ws);
  for (size_t i = 0; i < n; i++) {
    srv_doc_t *doc = srv_workspace_doc(m->ws, i);
    if (doc->stale)
      diagnose(m, doc);
  }
}

static void ignore_doc(void *ctx, srv_doc_t *doc) {
  (void)ctx;
  (void)doc;
}

/* The watcher follows the loaded profile's file while `watch` is on. */
static const char *watch_path(const srv_model_t *m) {
  return m->settings.watch && m->profile && !m->closing
             ? srv_source_watch_path(&m->profile->source)
             : NULL;
}

static void follow(srv_model_t *m) {
  srv_file_stamp_t stamp = {0};
  if (m->profile)
    stamp = (srv_file_stamp_t){.mtime_ns = m->profile->mtime_ns,
                               .size = m->profile->size,
                               .inode = m->profile->inode};
  srv_watcher_follow(&m->watcher, watch_path(m), &stamp);
}

static void refresh_views(srv_model_t *m) {
  if (m->client.inlay_refresh)
    srv_outbox_request(m->out, "workspace/inlayHint/refresh", NULL, NULL, NULL,
                       NULL);
  if (m->client.lens_refresh)
    srv_outbox_request(m->out, "workspace/codeLens/refresh", NULL, NULL, NULL,
                       NULL);
}

void model_changed(srv_model_t *m, unsigned what) {
  if (what & CHANGED_PROFILE) {
    /* Every document relinked and painted (those that showed heat, when
     * the profile went away). */
    srv_workspace_relink_all(m->ws, m->profile, 1, paint_doc, m);
    follow(m);
    refresh_views(m);
    return;
  }
  if (!m->profile || !what)
    return;
  int repaint = (what & (CHANGED_LEVELS | CHANGED_MODE)) != 0;
  if (what & CHANGED_LINKS)
    srv_workspace_relink_all(m->ws, m->profile, 0,
                             repaint ? ignore_doc : paint_doc, m);
  if (repaint) {
    size_t n = srv_workspace_doc_count(m->ws);
    for (size_t i = 0; i < n; i++) {
      srv_doc_t *doc = srv_workspace_doc(m->ws, i);
      if (doc->file >= 0 || doc->painted)
        paint_doc(m, doc);
    }
  }
  refresh_views(m);
}

/* A profile's index is tens of megabytes freed at once; glibc keeps such
 * freed memory for reuse unless asked, and a server that reloads all day
 * should not grow by it. */
static void drop_profile(srv_model_t *m) {
  srv_profile_free(m->profile);
  m->profile = NULL;
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

void model_install(srv_model_t *m, srv_profile_t *p) {
  drop_profile(m);
  m->profile = p;
  const hx_summary_t *sum = hx_index_summary(p->index);
  srv_log(SRV_LOG_INFO, "loaded %s: %s/%s, %zu files, %zu lines",
          srv_source_name(&p->source), sum->sample_type.type,
          sum->sample_type.unit, sum->files, sum->points);
  /* Decorations go out before the load's answer: see docs/protocol.md. */
  model_changed(m, CHANGED_PROFILE);
}

void srv_model_clear(srv_model_t *m) {
  model_loads_stop_repeat(m, 1);
  if (!m->profile)
    return;
  drop_profile(m);
  model_changed(m, CHANGED_PROFILE);
  srv_log(SRV_LOG_INFO, "profile cleared");
}

/* ---- settings ---- */

static void use_settings(srv_model_t *m, srv_settings_t *next) {
  m->settings = *next;
  srv_workspace_set_mappings(m->ws, m->settings.mappings,
                             m->settings.mapping_count);
  srv_log_set_level((srv_log_level_t)(m->settings.log_level >= 0
                                          ? m->settings.log_level
                                          : m->cli_log_level));
}

static int same_rules(const srv_settings_t *a, const srv_settings_t *b) {
  if (a->disabled_count != b->disabled_count ||
      !(a->rules == b->rules ||
        (a->rules && b->rules && json_equal(a->rules, b->rules))))
    return 0;
  for (size_t i = 0; i < a->disabled_count; i++)
    if (strcmp(a->disabled_rules[i], b->disabled_rules[i]) != 0)
      return 0;
  return 1;
}

/* New rules from the settings; the old ones stay when memory runs out. */
static int use_rules(srv_model_t *m) {
  srv_diagnostics_t *d;
  char warning[300];
  const srv_settings_t *s = &m->settings;
  if (srv_diagnostics_new(s->rules, s->disabled_rules, s->disabled_count, &d,
                          warning, sizeof warning) < 0) {
    srv_outbox_show(m->out, 2, "rules not applied: out of memory");
    return 0;
  }
  srv_diagnostics_free(m->diagnostics);
  m->diagnostics = d;
  if (warning[0])
    srv_outbox_show(m->out, 2, "%s (the rule is left out)", warning);
  return 1;
}

void srv_model_init_settings(srv_model_t *m, const json_t *section,
                             char *warning, size_t size) {
  warning[0] = 0;
  srv_settings_t next;
  int rc = srv_settings_apply(&m->settings, srv_settings_section(section),
                              &next, warning, size);
  if (rc == 0) {
    srv_settings_close(&m->settings);
    use_settings(m, &next);
    if (m->settings.rules || m->settings.disabled_count)
      use_rules(m);
  } else if (rc == SRV_ENOMEM) {
    snprintf(warning, size, "out of memory reading the settings");
  }
}

static int same_mappings(const srv_settings_t *a, const srv_settings_t *b) {
  if (a->mapping_count != b->mapping_count)
    return 0;
  for (size_t i = 0; i < a->mapping_count; i++)
    if (strcmp(a->mappings[i].from, b->mappings[i].from) != 0 ||
        strcmp(a->mappings[i].to, b->mappings[i].to) != 0)
      return 0;
  return 1;
}

static int relevel(srv_model_t *m) {
  hx_error_t err;
  if (model_loads_reading(m, m->profile->index)) {
    /* A compare reads these values on its worker: later. */
    m->relevel_pending = 1;
    return SRV_EBUSY;
  }
  if (hx_index_relevel(m->profile->index, m->settings.threshold,
                       m->settings.local_scope, &err) < 0) {
    srv_outbox_show(m->out, 2, "cannot re-rank the profile: %s", err.message);
    return SRV_EINVAL;
  }
  return 0;
}

void model_relevel_pending(srv_model_t *m) {
  if (!m->relevel_pending || !m->profile || m->closing)
    return;
  m->relevel_pending = 0;
  if (relevel(m) == 0)
    model_changed(m, CHANGED_LEVELS);
}

void srv_model_update_settings(srv_model_t *m, const json_t *section) {
  srv_settings_t next;
  char msg[300];
  int rc = srv_settings_apply(&m->settings, srv_settings_section(section),
                              &next, msg, sizeof msg);
  if (rc < 0) {
    srv_outbox_show(m->out, 2, "settings not applied: %s",
                    rc == SRV_ENOMEM ? "out of memory" : msg);
    return;
  }
  srv_settings_t old = m->settings;
  use_settings(m, &next);
  const srv_settings_t *now = &m->settings;
  unsigned what = 0;
  if (!srv_settings_same_paths(old.profile, now->profile)) {
    if (now->profile) {
      srv_load_args_t args = SRV_LOAD_ARGS_INIT;
      args.paths = now->profile;
      srv_model_load(m, &args);
    } else if (m->profile) {
      drop_profile(m);
      what |= CHANGED_PROFILE;
    }
  } else if (m->profile &&
             (!srv_settings_same_string(old.sample_type, now->sample_type) ||
              !srv_settings_same_string(old.goroot, now->goroot) ||
              !srv_settings_same_string(old.gomodcache, now->gomodcache))) {
    /* The loaded source again: another sample type, or Go's paths found
     * elsewhere (they are looked up when a profile is built). */
    srv_load_args_t args = SRV_LOAD_ARGS_INIT;
    srv_model_load(m, &args);
  } else if (m->profile && (!srv_settings_same_paths(old.base, now->base) ||
                            old.normalize != now->normalize)) {
    /* Another base for the loaded profile, which is not read again. */
    srv_load_args_t args = SRV_LOAD_ARGS_INIT;
    args.compare = 1;
    args.bases = now->base;
    args.has_bases = 1;
    srv_model_load(m, &args);
  } else if (m->profile && (old.threshold != now->threshold ||
                            old.local_scope != now->local_scope)) {
    if (relevel(m) == 0)
      what |= CHANGED_LEVELS;
  }
  if (old.hints != now->hints)
    what |= CHANGED_MODE;
  if (!same_mappings(&old, now))
    what |= CHANGED_LINKS;
  if (!same_rules(&old, now) && use_rules(m))
    what |= CHANGED_LEVELS; /* every lit document checked again */
  model_changed(m, what);
  /* The watch setting, or a profile cleared above. */
  const char *want = watch_path(m);
  if (!srv_settings_same_string(want, srv_watcher_path(&m->watcher)))
    follow(m);
  srv_settings_close(&old);
}

void srv_model_start(srv_model_t *m) {
  if (!m->settings.profile)
    return;
  srv_load_args_t args = SRV_LOAD_ARGS_INIT;
  args.paths = m->settings.profile;
  srv_model_load(m, &args);
}

/* ---- documents and folders ---- */

void srv_model_open(srv_model_t *m, const char *uri, int64_t version,
                    const char *text, size_t len) {
  srv_doc_t *doc;
  rpc_error_t err;
  if (srv_doc_new(uri, version, text, len, &doc, &err) < 0) {
    srv_outbox_show(m->out, 2, "cannot open %s: %s", uri, err.message);
    return;
  }
  int rc = srv_workspace_open(m->ws, m->profile, doc, paint_doc, m);
  if (rc < 0) {
    srv_outbox_show(m->out, 2, "cannot keep %s: %s", uri,
                    rc == SRV_EBUSY ? "too many documents" : srv_strerror(rc));
    srv_doc_free(doc);
    return;
  }
  srv_log(SRV_LOG_DEBUG, "opened %s", uri);
}

void srv_model_change(srv_model_t *m, const char *uri, const json_t *version,
                      const json_t *changes) {
  srv_doc_t *doc = srv_workspace_find(m->ws, uri);
  if (!doc) {
    srv_log(SRV_LOG_WARN, "didChange for %s, which is not open: ignored", uri);
    return;
  }
  if (json_is_integer(version))
    doc->version = json_integer_value(version);
  size_t i;
  const json_t *change;
  int moved = 0;
  json_array_foreach(changes, i, change) {
    lsp_line_change_t lines;
    rpc_error_t err;
    if (lsp_text_apply_json(doc->text, change, m->client.encoding, &lines,
                            &err) < 0) {
      /* The client and heatls now disagree on the text; the next full
       * change or re-open puts it right. */
      srv_log(SRV_LOG_WARN, "change %zu to %s not applied: %s", i, uri,
              err.message);
      break;
    }
    if (srv_annos_move(doc->annos, &doc->anno_count, &lines))
      moved = 1;
  }
  doc->stale = 1;
  if (moved)
    paint_doc(m, doc);
  if (m->diagnostics_timer_open)
    uv_timer_start(&m->diagnostics_timer, on_edits_paused,
                   SRV_DIAGNOSTICS_DEBOUNCE_MS, 0);
}

void srv_model_close_doc(srv_model_t *m, const char *uri) {
  srv_doc_t *doc = srv_workspace_find(m->ws, uri);
  if (doc)
    srv_diagnostics_clear(m->out, doc);
  srv_workspace_close(m->ws, m->profile, uri, paint_doc, m);
}

void srv_model_add_folder(srv_model_t *m, const char *uri) {
  if (srv_workspace_add_root(m->ws, uri) < 0)
    srv_log(SRV_LOG_ERROR, "out of memory adding a workspace folder");
}

void srv_model_remove_folder(srv_model_t *m, const char *uri) {
  srv_workspace_remove_root(m->ws, uri);
}

/* ---- summaries and values ---- */

/* The names of sources, as the summary lists them. */
static json_t *names(const srv_source_t *first, const srv_source_t *more,
                     size_t count) {
  json_t *list = json_array();
  if (list && first)
    json_array_append_new(list, json_string(srv_source_name(first)));
  for (size_t i = 0; list && i < count; i++)
    json_array_append_new(list, json_string(srv_source_name(&more[i])));
  return list;
}

/* The diff members of a summary (docs/protocol.md). */
static int add_diff(json_t *obj, const srv_profile_t *p,
                    const hx_summary_t *sum) {
  char base[64], net[64];
  int64_t change = sum->total - sum->base_total;
  fmt_value(base, sizeof base, sum->base_total, sum);
  fmt_signed_value(net, sizeof net, change, sum);
  /* Of the base's total, to two places, as the CLI prints it. */
  double percent =
      sum->base_total ? 100.0 * (double)change / (double)sum->base_total : 0;
  percent =
      (double)(long long)(percent * 100 + (percent < 0 ? -0.5 : 0.5)) / 100;
  json_t *diff = json_pack(
      "{s:b, s:o, s:b, s:I, s:s, s:I, s:s, s:f, s:I, s:I}", "diff", 1, "base",
      names(NULL, p->bases, p->base_count), "normalize", p->normalize,
      "baseTotal", (json_int_t)sum->base_total, "baseTotalText", base, "net",
      (json_int_t)change, "netText", net, "netPercent", percent, "regressions",
      (json_int_t)sum->regressions, "improvements",
      (json_int_t)sum->improvements);
  int rc = diff ? json_object_update(obj, diff) : -1;
  json_decref(diff);
  return rc;
}

json_t *model_summary_of(const srv_profile_t *p, size_t documents) {
  const hx_summary_t *sum = hx_index_summary(p->index);
  char total[64];
  fmt_value(total, sizeof total, sum->total, sum);
  json_t *obj = json_pack(
      "{s:s, s:o, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:f, s:s}", "path",
      srv_source_name(&p->source), "paths",
      names(&p->source, p->more, p->more_count), "sampleType",
      sum->sample_type.type, "unit", sum->sample_type.unit, "total",
      (json_int_t)sum->total, "totalText", total, "files",
      (json_int_t)sum->files, "functions", (json_int_t)sum->functions, "lines",
      (json_int_t)sum->points, "documents", (json_int_t)documents, "threshold",
      sum->threshold, "localScope",
      sum->local_scope == HX_LOCAL_FILE ? "file" : "function");
  if (obj && srv_profile_is_diff(p) && add_diff(obj, p, sum) < 0) {
    json_decref(obj);
    return NULL;
  }
  return obj;
}

json_t *srv_model_summary(const srv_model_t *m) {
  if (!m->profile)
    return json_null();
  return model_summary_of(m->profile, srv_workspace_count_linked(m->ws));
}

void srv_model_format(const srv_model_t *m, int64_t value, char *buf,
                      size_t size) {
  if (!m->profile) {
    snprintf(buf, size, "%lld", (long long)value);
    return;
  }
  fmt_value(buf, size, value, hx_index_summary(m->profile->index));
}

double srv_model_percent(const srv_model_t *m, int64_t value) {
  if (!m->profile)
    return 0;
  int64_t total = hx_index_summary(m->profile->index)->total;
  return total > 0 ? 100.0 * (double)value / (double)total : 0;
}
