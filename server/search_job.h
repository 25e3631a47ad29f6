/*
 * search_job.h: a code search of the workspace for the language server
 * (heatls.search), run on a worker thread.
 *
 * The job holds copies of everything it reads: the pattern, the workspace
 * folders, and the text of the open documents, which are searched as the
 * editor has them (a file on disk that is open is not read). It finds the
 * matches only; whether a match is hot is decided back on the loop, with
 * the profile and the documents' lines as they are then (search.c). Plain
 * C on the search module and the protocol's text functions.
 */
#ifndef HEATLS_SRV_SEARCH_JOB_H
#define HEATLS_SRV_SEARCH_JOB_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "heat_search.h"
#include "lsp_protocol.h"

/* An open document as the job sees it (all owned). */
typedef struct srv_search_doc {
  char *uri, *path; /* path: NULL for a document that is not a file */
  char *text;
  size_t len;
} srv_search_doc_t;

/* A match, in the client's terms. */
typedef struct srv_search_hit {
  char *path;        /* the file (owned) */
  int doc;           /* index of the open document searched, or -1 (disk) */
  lsp_range_t range; /* the match, in the client's position encoding */
  char *text;        /* its first line, trimmed (owned) */
  uint32_t first_line, last_line; /* 1-based lines whose heat counts */
} srv_search_hit_t;

#define SRV_SEARCH_MAX_HITS 100000

typedef struct srv_search_job {
  /* In (owned). */
  hs_kind_t kind;
  char *pattern, *language, *hot; /* language, hot: NULL for none */
  char **roots;
  size_t root_count;
  srv_search_doc_t *docs;
  size_t doc_count;
  lsp_encoding_t encoding;
  atomic_int cancelled;
  /* Out. */
  int rc; /* 0 or an HS_E* code, with err */
  hs_error_t err;
  srv_search_hit_t *hits;
  size_t hit_count, hit_cap;
  size_t files, skipped; /* files searched, files skipped with a warning */
  int truncated;         /* SRV_SEARCH_MAX_HITS reached */
} srv_search_job_t;

/* Runs the search (blocking: a worker thread). */
void srv_search_job_run(srv_search_job_t *job);

/* Frees everything the job owns, and the job. NULL is fine. */
void srv_search_job_free(srv_search_job_t *job);

#endif
