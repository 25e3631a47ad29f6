/*
 * search_util.h: helpers of the search module's tests. find() runs one
 * pattern over one text and describes the matches as "first-last:text"
 * joined by " | ", so a test compares one
 * string (text: up to the match's end or its first newline). They assert
 * nothing themselves.
 */
#ifndef HEATLS_SEARCH_UTIL_H
#define HEATLS_SEARCH_UTIL_H

#include "heat_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline hs_langs_t *util_langs(void) {
  hs_langs_t *langs = NULL;
  if (hs_langs_new(&langs, NULL) < 0) {
    fprintf(stderr, "hs_langs_new failed\n");
    exit(1);
  }
  return langs;
}

/* The matches of pattern in text as one string (new, free()), or NULL with
 * *code and err->message set. */
static inline char *find_kind(hs_langs_t *langs, const char *lang,
                              hs_kind_t kind, const char *pattern,
                              const char *text, int *code, hs_error_t *err) {
  hs_options_t opts;
  hs_options_init(&opts);
  opts.kind = kind;
  opts.pattern = pattern;
  opts.langs = langs;
  opts.lang = lang ? hs_langs_find(langs, lang) : NULL;
  hs_searcher_t *s = NULL;
  *code = hs_searcher_new(&opts, &s, err);
  if (*code < 0)
    return NULL;
  hs_result_t r;
  hs_result_init(&r);
  *code = hs_searcher_run(s, opts.lang, text, strlen(text), &r, err);
  char *out = NULL;
  if (*code == 0) {
    size_t cap = 64, len = 0;
    out = malloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < r.count; i++) {
      const hs_match_t *m = &r.matches[i];
      size_t end = m->start;
      while (end < m->end && text[end] != '\n')
        end++;
      size_t need = len + (end - m->start) + 64;
      if (need > cap) {
        while (cap < need)
          cap *= 2;
        out = realloc(out, cap);
      }
      len += (size_t)snprintf(out + len, cap - len, "%s%u-%u:%.*s",
                              i ? " | " : "", m->first_line, m->last_line,
                              (int)(end - m->start), text + m->start);
    }
  }
  hs_result_close(&r);
  hs_searcher_free(s);
  return out;
}

static inline char *find(hs_langs_t *langs, const char *lang,
                         const char *pattern, const char *text) {
  int code;
  hs_error_t err = {0};
  char *out =
      find_kind(langs, lang, HS_KIND_PATTERN, pattern, text, &code, &err);
  if (out == NULL) {
    size_t n = strlen(err.message) + 16;
    out = malloc(n);
    snprintf(out, n, "ERROR %s", err.message);
  }
  return out;
}

#endif
