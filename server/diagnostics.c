/*
 * diagnostics.c: the rules of hot-path diagnostics and their publication.
 */
#include "diagnostics.h"

#include "error.h"
#include "format.h"
#include "heat_search.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rule {
  char *id, *pattern, *language, *message, *hot;
  char *literal; /* a capture that must be a string literal, or NULL */
  hs_kind_t kind;
  int min_level, severity;
  hs_searcher_t *searcher; /* compiled on first use; NULL when broken */
  int broken;
} rule_t;

struct srv_diagnostics {
  hs_langs_t *langs;
  rule_t *rules;
  size_t count;
};

/* Built-in Go rules: ideas from the perf-heatmap article and perfguard.
 * docs/diagnostics.md says why each is slow and what to do instead. */
static const struct {
  const char *id, *pattern, *literal, *message;
} builtins[] = {
    {"go-errorf-constant", "fmt.Errorf($s)", "s",
     "fmt.Errorf with a constant message on a hot path ({time}, G{level}): "
     "errors.New, or an error declared once at package level, skips the "
     "formatting"},
    {"go-errors-new-return", "return $*_, errors.New($s)", "s",
     "errors.New of a constant in a hot return ({time}, G{level}): it "
     "allocates at every call; declare the error once at package level and "
     "return it"},
    {"go-sprintf-string", "fmt.Sprintf(\"%s\", $x)", NULL,
     "fmt.Sprintf(\"%s\", x) on a hot path ({time}, G{level}): a string needs "
     "no formatting, and x.String() skips fmt's reflection"},
    {"go-sprint-one", "fmt.Sprint($x)", NULL,
     "fmt.Sprint of one value on a hot path ({time}, G{level}): use the "
     "string itself, x.String(), or strconv for numbers"},
    {"go-buffer-string", "var $b bytes.Buffer; $*_; return $b.String()", NULL,
     "a local bytes.Buffer returned as a string on a hot path ({time}, "
     "G{level}): strings.Builder makes the same string without copying "
     "it"}};

#define BUILTIN_COUNT (sizeof builtins / sizeof *builtins)
#define BUILTIN_MIN_LEVEL 3

const char *srv_builtin_rule_id(size_t i) {
  return i < BUILTIN_COUNT ? builtins[i].id : NULL;
}

static void rule_close(rule_t *r) {
  free(r->id);
  free(r->pattern);
  free(r->language);
  free(r->message);
  free(r->hot);
  free(r->literal);
  hs_searcher_free(r->searcher);
}

void srv_diagnostics_free(srv_diagnostics_t *d) {
  if (!d)
    return;
  for (size_t i = 0; i < d->count; i++)
    rule_close(&d->rules[i]);
  free(d->rules);
  hs_langs_free(d->langs);
  free(d);
}

static char *dup_opt(const char *s) { return s ? strdup(s) : NULL; }

static int severity_of(const char *name) {
  static const char *const names[] = {"error", "warning", "information",
                                      "hint"};
  for (int i = 0; name && i < 4; i++)
    if (strcmp(name, names[i]) == 0)
      return i + 1;
  return 3; /* information */
}

/* Compiles r for its language; on failure the rule is broken and the
 * reason goes to warning (the first one only). */
static void compile(srv_diagnostics_t *d, rule_t *r, char *warning,
                    size_t size) {
  hs_options_t opts;
  hs_options_init(&opts);
  opts.kind = r->kind;
  opts.pattern = r->pattern;
  opts.langs = d->langs;
  opts.parse_timeout_us = SRV_DIAGNOSTICS_PARSE_US;
  hs_error_t err = {0};
  if (r->language && !(opts.lang = hs_langs_find(d->langs, r->language))) {
    snprintf(err.message, sizeof err.message, "unknown language \"%s\"",
             r->language);
  } else if (hs_searcher_new(&opts, &r->searcher, &err) == 0 &&
             (!r->hot ||
              hs_searcher_check_capture(r->searcher, r->hot, &err) == 0)) {
    return;
  }
  hs_searcher_free(r->searcher);
  r->searcher = NULL;
  r->broken = 1;
  if (!warning[0])
    snprintf(warning, size, "rule %s: %s", r->id, err.message);
}

static int disabled_id(const char *id, char *const *disabled, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(disabled[i], id) == 0)
      return 1;
  return 0;
}

int srv_diagnostics_new(const json_t *user_rules, char *const *disabled,
                        size_t disabled_count, srv_diagnostics_t **out,
                        char *warning, size_t warning_size) {
  warning[0] = 0;
  *out = NULL;
  srv_diagnostics_t *d = calloc(1, sizeof *d);
  size_t n = BUILTIN_COUNT + json_array_size(user_rules);
  if (!d || hs_langs_new(&d->langs, NULL) < 0 ||
      !(d->rules = calloc(n, sizeof *d->rules))) {
    srv_diagnostics_free(d);
    return SRV_ENOMEM;
  }
  int oom = 0;
  for (size_t i = 0; i < BUILTIN_COUNT && !oom; i++) {
    if (disabled_id(builtins[i].id, disabled, disabled_count))
      continue;
    rule_t *r = &d->rules[d->count++];
    *r = (rule_t){.kind = HS_KIND_PATTERN,
                  .min_level = BUILTIN_MIN_LEVEL,
                  .severity = 3};
    r->id = strdup(builtins[i].id);
    r->pattern = strdup(builtins[i].pattern);
    r->language = strdup("go");
    r->message = strdup(builtins[i].message);
    r->literal = dup_opt(builtins[i].literal);
    oom = !r->id || !r->pattern || !r->language || !r->message ||
          (builtins[i].literal && !r->literal);
  }
  size_t i;
  const json_t *j;
  json_array_foreach(user_rules, i, j) {
    if (oom)
      break;
    const char *id = json_string_value(json_object_get(j, "id"));
    if (disabled_id(id, disabled, disabled_count))
      continue;
    rule_t *r = &d->rules[d->count++];
    const char *pattern = json_string_value(json_object_get(j, "pattern"));
    const char *query = json_string_value(json_object_get(j, "query"));
    const char *regex = json_string_value(json_object_get(j, "regex"));
    const json_t *level = json_object_get(j, "minLevel");
    *r = (rule_t){.kind = pattern ? HS_KIND_PATTERN
                          : query ? HS_KIND_QUERY
                                  : HS_KIND_REGEX,
                  .min_level = level ? (int)json_integer_value(level) : 1,
                  .severity = severity_of(
                      json_string_value(json_object_get(j, "severity")))};
    const char *hot = json_string_value(json_object_get(j, "hot"));
    if (hot && (*hot == '$' || *hot == '@'))
      hot++;
    r->id = strdup(id);
    r->pattern = strdup(pattern ? pattern : query ? query : regex);
    r->language = dup_opt(json_string_value(json_object_get(j, "language")));
    r->message = strdup(json_string_value(json_object_get(j, "message")));
    r->hot = dup_opt(hot);
    oom = !r->id || !r->pattern || !r->message ||
          (json_object_get(j, "language") && !r->language) || (hot && !r->hot);
  }
  for (size_t k = 0; k < d->count && !oom; k++)
    compile(d, &d->rules[k], warning, warning_size);
  if (oom) {
    srv_diagnostics_free(d);
    return SRV_ENOMEM;
  }
  *out = d;
  return 0;
}

/* The message with {time} and {level} filled in; a user's message that
 * names neither gets them appended. */
static void render(const char *tmpl, const char *time, int level, char *buf,
                   size_t size) {
  size_t k = 0;
  int named = strstr(tmpl, "{time}") || strstr(tmpl, "{level}");
  for (const char *p = tmpl; *p && k + 1 < size; p++) {
    const char *fill = NULL;
    char num[8];
    if (strncmp(p, "{time}", 6) == 0) {
      fill = time;
      p += 5;
    } else if (strncmp(p, "{level}", 7) == 0) {
      snprintf(num, sizeof num, "%d", level);
      fill = num;
      p += 6;
    }
    if (fill) {
      int n = snprintf(buf + k, size - k, "%s", fill);
      k += n > 0 ? (size_t)n : 0;
      if (k >= size)
        k = size - 1;
    } else {
      buf[k++] = *p;
    }
  }
  buf[k] = 0;
  if (!named)
    snprintf(buf + k, size - k, " (%s, G%d)", time, level);
}

static int is_string_literal(const char *text, const hs_capture_t *c) {
  if (!c || c->end <= c->start)
    return 0;
  char first = text[c->start], last = text[c->end - 1];
  return (first == '"' || first == '`') && last == first;
}

static const hs_capture_t *capture(const hs_result_t *res, const hs_match_t *m,
                                   const char *name) {
  for (uint32_t c = 0; name && c < m->capture_count; c++)
    if (strcmp(res->captures[m->first_capture + c].name, name) == 0)
      return &res->captures[m->first_capture + c];
  return NULL;
}

/* The diagnostics of one rule on doc, appended to list. -1: no memory. */
static int run_rule(rule_t *r, const srv_diagnostics_t *d, srv_doc_t *doc,
                    const hs_lang_t *lang, const hx_index_t *index,
                    lsp_encoding_t encoding, const hx_summary_t *summary,
                    json_t *list) {
  if (r->broken || !r->searcher)
    return 0;
  if (r->kind != HS_KIND_REGEX) {
    if (!lang || strcmp(hs_lang_name(lang), r->language) != 0)
      return 0;
  } else if (r->language &&
             (!lang || strcmp(hs_lang_name(lang), r->language) != 0)) {
    return 0;
  }
  (void)d;
  const char *text = lsp_text_data(doc->text);
  hs_result_t res;
  hs_result_init(&res);
  hs_error_t err;
  int rc = hs_searcher_run(r->searcher, r->kind == HS_KIND_REGEX ? NULL : lang,
                           text, lsp_text_size(doc->text), &res, &err);
  if (rc == HS_ENOMEM) {
    hs_result_close(&res);
    return -1;
  }
  if (rc < 0)
    srv_log(SRV_LOG_DEBUG, "rule %s on %s: %s", r->id, doc->uri, err.message);
  for (size_t i = 0; rc == 0 && i < res.count; i++) {
    if (json_array_size(list) >= SRV_DIAGNOSTICS_MAX)
      break;
    const hs_match_t *m = &res.matches[i];
    if (r->literal && !is_string_literal(text, capture(&res, m, r->literal)))
      continue;
    uint32_t first = m->first_line, last = m->last_line;
    const hs_capture_t *hot = capture(&res, m, r->hot);
    if (r->hot && (!hot || hot->first_line == 0))
      continue;
    if (hot) {
      first = hot->first_line;
      last = hot->last_line;
    }
    const hx_point_t *p = srv_doc_hottest(doc, index, first, last, 0);
    if (!p || p->global < r->min_level)
      continue;
    char time[64], message[1024];
    fmt_value(time, sizeof time, p->cum, summary);
    render(r->message, time, p->global, message, sizeof message);
    lsp_range_t range = {lsp_text_position(doc->text, m->start, encoding),
                         lsp_text_position(doc->text, m->end, encoding)};
    json_t *diag =
        json_pack("{s:o, s:i, s:s, s:s, s:s}", "range",
                  lsp_range_to_json(&range), "severity", r->severity, "code",
                  r->id, "source", "heatls", "message", message);
    if (json_array_append_new(list, diag) < 0) {
      hs_result_close(&res);
      return -1;
    }
  }
  hs_result_close(&res);
  return 0;
}

static void send(srv_outbox_t *out, srv_doc_t *doc, json_t *list) {
  doc->diagnosed = json_array_size(list) > 0;
  srv_outbox_notify(out, "textDocument/publishDiagnostics",
                    json_pack("{s:s, s:I, s:o}", "uri", doc->uri, "version",
                              (json_int_t)doc->version, "diagnostics", list));
}

void srv_diagnostics_publish(srv_diagnostics_t *d, srv_outbox_t *out,
                             srv_doc_t *doc, const hx_index_t *index,
                             lsp_encoding_t encoding,
                             const hx_summary_t *summary) {
  doc->stale = 0;
  json_t *list = json_array();
  if (!list)
    return;
  const hs_lang_t *lang =
      doc->path ? hs_langs_for_path(d->langs, doc->path) : NULL;
  if (index && doc->file >= 0 && doc->anno_count > 0) {
    for (size_t i = 0; i < d->count; i++) {
      if (run_rule(&d->rules[i], d, doc, lang, index, encoding, summary,
                   list) < 0) {
        srv_log(SRV_LOG_ERROR, "out of memory making diagnostics for %s",
                doc->uri);
        json_decref(list);
        return; /* the last list published stays */
      }
    }
  }
  if (json_array_size(list) == 0 && !doc->diagnosed) {
    json_decref(list);
    return;
  }
  send(out, doc, list);
}

void srv_diagnostics_clear(srv_outbox_t *out, srv_doc_t *doc) {
  if (!doc->diagnosed)
    return;
  json_t *list = json_array();
  if (list)
    send(out, doc, list);
}
