/*
 * searcher.c: one pattern, compiled once per language as files of that
 * language are met (a regex once for all), a parser, and the dispatch of
 * a file's text to the code matcher, the query runner or the regex.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct compiled {
  int state; /* 0 not tried, 1 ready, -1 failed (err says why) */
  hs_code_t *code;
  hs_query_t *query;
  hs_error_t err;
} compiled_t;

struct hs_searcher {
  hs_options_t opts;
  char *pattern; /* owned copy */
  TSParser *parser;
  hs_regex_t *regex;
  compiled_t per_lang[HS_MAX_LANGS];
  hs_nodes_t scratch;
  char hot[128]; /* a capture to check once compiled, or "" */
};

void hs_options_init(hs_options_t *opts) {
  memset(opts, 0, sizeof *opts);
  opts->kind = HS_KIND_PATTERN;
  opts->max_file_size = HS_DEFAULT_MAX_FILE_SIZE;
  opts->parse_timeout_us = HS_DEFAULT_PARSE_TIMEOUT_US;
}

const hs_options_t *hs__searcher_options(const hs_searcher_t *s) {
  return &s->opts;
}

static int check_hot(hs_searcher_t *s, const compiled_t *c, hs_error_t *err) {
  if (s->hot[0] == '\0')
    return 0;
  bool has = c->code ? hs__code_has_var(c->code, s->hot)
                     : hs__query_has_capture(c->query, s->hot);
  if (!has)
    return hs__fail(err, HS_ECAPTURE, "the pattern has no capture named %s%s",
                    c->code ? "$" : "@", s->hot);
  return 0;
}

int hs__searcher_prepare(hs_searcher_t *s, const hs_lang_t *lang,
                         hs_error_t *err) {
  if (lang == NULL || lang->id >= HS_MAX_LANGS)
    return hs__fail(err, HS_EINVAL, "no language");
  compiled_t *c = &s->per_lang[lang->id];
  if (c->state == 0) {
    int rc;
    if (s->opts.kind == HS_KIND_QUERY)
      rc = hs__query_new(lang, s->pattern, &c->query, &c->err);
    else
      rc = hs__code_new(lang, s->parser, s->pattern, &c->code, &c->err);
    if (rc == HS_ENOMEM)
      return hs__fail(err, rc, "out of memory");
    c->state = rc < 0 ? -1 : 1;
  }
  if (c->state < 0) {
    if (err)
      *err = c->err;
    return 0;
  }
  int rc = check_hot(s, c, err);
  return rc < 0 ? rc : 1;
}

int hs_searcher_new(const hs_options_t *opts, hs_searcher_t **out,
                    hs_error_t *err) {
  if (out == NULL || opts == NULL || opts->pattern == NULL ||
      (opts->kind != HS_KIND_REGEX && opts->langs == NULL))
    return hs__fail(err, HS_EINVAL, "no pattern");
  *out = NULL;
  hs_searcher_t *s = calloc(1, sizeof *s);
  if (s == NULL)
    return hs__fail(err, HS_ENOMEM, "out of memory");
  s->opts = *opts;
  if (s->opts.max_file_size == 0)
    s->opts.max_file_size = HS_DEFAULT_MAX_FILE_SIZE;
  if (s->opts.parse_timeout_us == 0)
    s->opts.parse_timeout_us = HS_DEFAULT_PARSE_TIMEOUT_US;
  size_t n = strlen(opts->pattern);
  int rc = 0;
  if ((s->pattern = malloc(n + 1)) == NULL)
    rc = hs__fail(err, HS_ENOMEM, "out of memory");
  else
    memcpy(s->pattern, opts->pattern, n + 1);
  s->opts.pattern = s->pattern;
  if (rc == 0 && opts->kind == HS_KIND_REGEX)
    rc = hs__regex_new(s->pattern, &s->regex, err);
  else if (rc == 0) {
    if ((s->parser = ts_parser_new()) == NULL)
      rc = hs__fail(err, HS_ENOMEM, "out of memory");
    else
      ts_parser_set_timeout_micros(s->parser, s->opts.parse_timeout_us);
    if (rc == 0 && opts->lang) {
      int ready = hs__searcher_prepare(s, opts->lang, err);
      if (ready == 0)
        rc = s->per_lang[opts->lang->id].err.code;
      else if (ready < 0)
        rc = ready;
    }
  }
  if (rc < 0) {
    hs_searcher_free(s);
    return rc;
  }
  *out = s;
  return 0;
}

void hs_searcher_free(hs_searcher_t *s) {
  if (s == NULL)
    return;
  for (size_t i = 0; i < HS_MAX_LANGS; i++) {
    hs__code_free(s->per_lang[i].code);
    hs__query_free(s->per_lang[i].query);
  }
  hs__regex_free(s->regex);
  if (s->parser)
    ts_parser_delete(s->parser);
  hs__nodes_close(&s->scratch);
  free(s->pattern);
  free(s);
}

int hs_searcher_check_capture(hs_searcher_t *s, const char *name,
                              hs_error_t *err) {
  if (s == NULL || name == NULL)
    return hs__fail(err, HS_EINVAL, "no capture name");
  if (*name == '$' || *name == '@')
    name++;
  if (*name == '\0' || strlen(name) >= sizeof s->hot)
    return hs__fail(err, HS_ECAPTURE, "bad capture name \"%s\"", name);
  if (s->opts.kind == HS_KIND_REGEX)
    return hs__fail(err, HS_ECAPTURE,
                    "a regex has no captures to test (--hot needs a pattern "
                    "or a query)");
  if (strcmp(name, "_") == 0)
    return hs__fail(err, HS_ECAPTURE, "$_ cannot be tested: name it ($x)");
  char saved[sizeof s->hot];
  memcpy(saved, s->hot, sizeof saved);
  strcpy(s->hot, name);
  for (size_t i = 0; i < HS_MAX_LANGS; i++) {
    const compiled_t *c = &s->per_lang[i];
    if (c->state == 1) {
      int rc = check_hot(s, c, err);
      if (rc < 0) {
        memcpy(s->hot, saved, sizeof saved); /* the searcher is unchanged */
        return rc;
      }
    }
  }
  return 0;
}

int hs_searcher_run(hs_searcher_t *s, const hs_lang_t *lang, const char *text,
                    size_t len, hs_result_t *out, hs_error_t *err) {
  if (s == NULL || out == NULL || (text == NULL && len > 0))
    return hs__fail(err, HS_EINVAL, "bad argument");
  hs_result_clear(out);
  if (len > s->opts.max_file_size || len > UINT32_MAX)
    return hs__fail(err, HS_ETOOBIG, "file over %zu bytes, skipped",
                    s->opts.max_file_size);
  if (s->opts.kind == HS_KIND_REGEX)
    return hs__regex_run(s->regex, text ? text : "", len, out, err);
  if (lang == NULL)
    return hs__fail(err, HS_ELANG, "no language");
  if (lang->ts == NULL)
    return hs__fail(err, HS_ENOGRAMMAR,
                    "no tree-sitter grammar for %s in this build", lang->name);
  int ready = hs__searcher_prepare(s, lang, err);
  if (ready <= 0)
    return ready < 0 ? ready : s->per_lang[lang->id].err.code;
  const compiled_t *c = &s->per_lang[lang->id];
  if (c->code && !hs__code_may_match(c->code, text ? text : "", len))
    return 0;
  if (!ts_parser_set_language(s->parser, lang->ts))
    return hs__fail(err, HS_EGRAMMAR, "grammar of %s: ABI not supported",
                    lang->name);
  TSTree *tree =
      ts_parser_parse_string(s->parser, NULL, text ? text : "", (uint32_t)len);
  if (tree == NULL) {
    ts_parser_reset(s->parser);
    return hs__fail(err, HS_ETIMEOUT, "parsing took over %.1fs, skipped",
                    (double)s->opts.parse_timeout_us / 1e6);
  }
  TSNode root = ts_tree_root_node(tree);
  int rc = c->code
               ? hs__code_run(c->code, lang, root, text, &s->scratch, out, err)
               : hs__query_run(c->query, root, text, out, err);
  ts_tree_delete(tree);
  if (rc < 0)
    hs_result_clear(out);
  return rc;
}
