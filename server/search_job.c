/*
 * search_job.c: finding the matches of heatls.search on a worker thread.
 */
#include "search_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run {
  srv_search_job_t *job;
  const char *path; /* the file being reported */
  int doc;          /* its open document, or -1 */
  int oom;
} run_t;

/* The open document whose path is path, or -1 (the few documents a client
 * has open make a linear search fine). */
static int open_doc(const srv_search_job_t *job, const char *path) {
  for (size_t i = 0; i < job->doc_count; i++)
    if (job->docs[i].path && strcmp(job->docs[i].path, path) == 0)
      return (int)i;
  return -1;
}

static char *first_line_of(const char *text, uint32_t start, uint32_t end) {
  const char *s = text + start, *e = text + end;
  const char *nl = memchr(s, '\n', (size_t)(e - s));
  if (nl)
    e = nl;
  while (s < e && (*s == ' ' || *s == '\t'))
    s++;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
    e--;
  return strndup(s, (size_t)(e - s));
}

/* Adds the matches of one file; 0, or -1 when out of memory. */
static int add_hits(run_t *r, const char *text, size_t len,
                    const hs_result_t *res) {
  srv_search_job_t *job = r->job;
  lsp_text_t *lines;
  if (lsp_text_new(text, len, len + 1, &lines, NULL) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < res->count && rc == 0; i++) {
    if (job->hit_count == SRV_SEARCH_MAX_HITS) {
      job->truncated = 1;
      break;
    }
    if (job->hit_count == job->hit_cap) {
      size_t cap = job->hit_cap ? job->hit_cap * 2 : 64;
      srv_search_hit_t *hits = realloc(job->hits, cap * sizeof *hits);
      if (!hits) {
        rc = -1;
        break;
      }
      job->hits = hits;
      job->hit_cap = cap;
    }
    const hs_match_t *m = &res->matches[i];
    srv_search_hit_t h = {
        .doc = r->doc, .first_line = m->first_line, .last_line = m->last_line};
    if (job->hot) {
      /* The lines of the capture named by `hot` decide the heat. */
      h.first_line = h.last_line = 0;
      for (uint32_t c = 0; c < m->capture_count; c++) {
        const hs_capture_t *cap = &res->captures[m->first_capture + c];
        if (strcmp(cap->name, job->hot) == 0) {
          h.first_line = cap->first_line;
          h.last_line = cap->last_line;
          break;
        }
      }
    }
    h.range.start = lsp_text_position(lines, m->start, job->encoding);
    h.range.end = lsp_text_position(lines, m->end, job->encoding);
    h.path = strdup(r->path);
    h.text = first_line_of(text, m->start, m->end);
    if (!h.path || !h.text) {
      free(h.path);
      free(h.text);
      rc = -1;
      break;
    }
    job->hits[job->hit_count++] = h;
  }
  lsp_text_free(lines);
  return rc;
}

static int on_file(void *data, const hs_file_t *file) {
  run_t *r = data;
  if (atomic_load(&r->job->cancelled))
    return 1;
  if (open_doc(r->job, file->path) >= 0)
    return 0; /* searched as the editor has it */
  r->path = file->path;
  r->doc = -1;
  if (add_hits(r, file->text, file->len, file->result) < 0) {
    r->oom = 1;
    return 1;
  }
  return r->job->truncated ? 1 : 0;
}

static void on_warning(void *data, const char *path, const hs_error_t *err) {
  run_t *r = data;
  (void)path;
  (void)err;
  r->job->skipped++;
}

static int fail(srv_search_job_t *job, int code, const char *message) {
  job->rc = code;
  job->err.code = code;
  snprintf(job->err.message, sizeof job->err.message, "%s", message);
  return code;
}

/* The open documents, as the editor has them. */
static int search_docs(srv_search_job_t *job, hs_searcher_t *s,
                       const hs_langs_t *langs, const hs_lang_t *only,
                       run_t *r) {
  hs_result_t res;
  hs_result_init(&res);
  int rc = 0;
  size_t parsed = 0; /* documents the pattern could be run on */
  hs_error_t refused = {0};
  for (size_t i = 0; i < job->doc_count && rc == 0; i++) {
    const srv_search_doc_t *d = &job->docs[i];
    if (!d->path || atomic_load(&job->cancelled))
      continue;
    const hs_lang_t *lang = NULL;
    if (job->kind != HS_KIND_REGEX) {
      lang = only ? only : hs_langs_for_path(langs, d->path);
      if (!lang || (only && hs_langs_for_path(langs, d->path) != only))
        continue;
    }
    hs_error_t err;
    int src = hs_searcher_run(s, lang, d->text, d->len, &res, &err);
    job->files++;
    if (src == HS_ENOMEM) {
      rc = fail(job, HS_ENOMEM, "out of memory");
    } else if (src < 0) {
      job->skipped++;
      if (!refused.code)
        refused = err;
    } else if (parsed++, res.count > 0) {
      r->path = d->path;
      r->doc = (int)i;
      if (add_hits(r, d->text, d->len, &res) < 0)
        rc = fail(job, HS_ENOMEM, "out of memory");
    }
  }
  hs_result_close(&res);
  /* Only documents were searched and the pattern fits none of them: that
   * is the answer (a pattern that does not parse, say). */
  if (rc == 0 && parsed == 0 && refused.code && job->root_count == 0)
    rc = fail(job, refused.code, refused.message);
  return rc;
}

void srv_search_job_run(srv_search_job_t *job) {
  hs_langs_t *langs = NULL;
  hs_searcher_t *s = NULL;
  if (hs_langs_new(&langs, &job->err) < 0) {
    job->rc = job->err.code;
    return;
  }
  hs_options_t opts;
  hs_options_init(&opts);
  opts.kind = job->kind;
  opts.pattern = job->pattern;
  opts.langs = langs;
  if (job->language && !(opts.lang = hs_langs_find(langs, job->language))) {
    char msg[128];
    snprintf(msg, sizeof msg, "unknown language \"%.60s\"", job->language);
    fail(job, HS_ELANG, msg);
    goto done;
  }
  if ((job->rc = hs_searcher_new(&opts, &s, &job->err)) < 0)
    goto done;
  if (job->hot && opts.lang &&
      (job->rc = hs_searcher_check_capture(s, job->hot, &job->err)) < 0)
    goto done;
  run_t r = {.job = job};
  if (search_docs(job, s, langs, opts.lang, &r) < 0)
    goto done;
  if (job->root_count > 0 && !atomic_load(&job->cancelled)) {
    hs_walk_stats_t stats = {0};
    hs_error_t err;
    int rc =
        hs_searcher_walk(s, (const char *const *)job->roots, job->root_count,
                         on_file, on_warning, &r, &stats, &err);
    job->files += stats.files;
    if (r.oom)
      fail(job, HS_ENOMEM, "out of memory");
    else if (rc < 0 && job->hit_count == 0)
      fail(job, rc, err.message); /* the pattern fits no file met */
  }
done:
  hs_searcher_free(s);
  hs_langs_free(langs);
}

void srv_search_job_free(srv_search_job_t *job) {
  if (!job)
    return;
  free(job->pattern);
  free(job->language);
  free(job->hot);
  for (size_t i = 0; i < job->root_count; i++)
    free(job->roots[i]);
  free(job->roots);
  for (size_t i = 0; i < job->doc_count; i++) {
    free(job->docs[i].uri);
    free(job->docs[i].path);
    free(job->docs[i].text);
  }
  free(job->docs);
  for (size_t i = 0; i < job->hit_count; i++) {
    free(job->hits[i].path);
    free(job->hits[i].text);
  }
  free(job->hits);
  free(job);
}
