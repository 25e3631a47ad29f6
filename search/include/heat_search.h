/*
 * heat_search.h: the public API of heatls's search module.
 *
 * Finds code in source files with three kinds of pattern, and tells which
 * matches are hot in a profile:
 *   - HS_KIND_PATTERN: code with gogrep's metavariables ($x, $_, $*_, $*x),
 *     parsed with the file's tree-sitter grammar and matched structurally;
 *   - HS_KIND_QUERY: a raw tree-sitter query, with the predicates #eq?,
 *     #not-eq?, #match? and #not-match? evaluated here;
 *   - HS_KIND_REGEX: a POSIX extended regular expression, line by line, for
 *     any text file.
 * The heat of a line comes from the index's public API (heat_index.h);
 * which profile file a local file is, the caller says through a callback.
 *
 * Conventions (as the index's): functions return 0 or a negative HS_E*
 * code with details in an optional caller-owned hs_error_t; lines are
 * 1-based; the module never prints, exits or aborts. Its only IO is reading
 * the files and directories it is asked to search, and dlopen() of a
 * grammar the caller names.
 */
#ifndef HEATLS_HEAT_SEARCH_H
#define HEATLS_HEAT_SEARCH_H

#include "heat_index.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  HS_EINVAL = -1,     /* bad argument */
  HS_ENOMEM = -2,     /* allocation failure */
  HS_ELANG = -3,      /* unknown language */
  HS_ENOGRAMMAR = -4, /* the language has no grammar in this build */
  HS_EGRAMMAR = -5,   /* a grammar file that cannot be used */
  HS_EPATTERN = -6,   /* a code pattern that does not parse */
  HS_EQUERY = -7,     /* a tree-sitter query that does not compile */
  HS_EREGEX = -8,     /* a regular expression that does not compile */
  HS_EIO = -9,        /* a file or directory that cannot be read */
  HS_EBINARY = -10,   /* a binary file (a NUL byte) */
  HS_ETOOBIG = -11,   /* a file or a count over its cap */
  HS_ETIMEOUT = -12,  /* parsing took longer than allowed */
  HS_ECAPTURE = -13   /* --hot names a capture the pattern does not have */
};

typedef struct hs_error {
  int code;          /* the HS_E* code, 0 when no error */
  char message[512]; /* one line, no trailing newline */
} hs_error_t;

/* A static name for an HS_E* code. */
const char *hs_strerror(int code);

/* ---- Languages ---------------------------------------------------------
 * A language set holds the built-in languages (go, c, python: each with
 * or without its grammar compiled in) and the grammars a user loads. */
typedef struct hs_lang hs_lang_t;
typedef struct hs_langs hs_langs_t;

/* The built-in languages, compiled in or not: for `--version`. */
size_t hs_builtin_count(void);
const char *hs_builtin_name(size_t i);
int hs_builtin_has_grammar(size_t i); /* 1 when compiled in */

/* *out is a new set (free with hs_langs_free). */
int hs_langs_new(hs_langs_t **out, hs_error_t *err);
void hs_langs_free(hs_langs_t *langs); /* NULL is fine; dlclose()s */

/* Loads a user grammar: a shared object exporting tree_sitter_<name>().
 * name NULL: taken from the file name ("go.so", "libtree-sitter-go.so",
 * "tree-sitter-go.so" all give "go"). The grammar's ABI is checked before
 * use. A known language gets the new grammar (and keeps its file
 * extensions); another name becomes a language of files ending in
 * ".<name>". Errors: HS_EGRAMMAR (missing file, no such symbol, wrong ABI),
 * HS_EINVAL, HS_ENOMEM. */
int hs_langs_load_grammar(hs_langs_t *langs, const char *path,
                          const char *name, hs_error_t *err);

/* By name ("go", "c", "python", a loaded grammar's name), or NULL. */
const hs_lang_t *hs_langs_find(const hs_langs_t *langs, const char *name);
/* By the file name's extension, or NULL. */
const hs_lang_t *hs_langs_for_path(const hs_langs_t *langs, const char *path);

const char *hs_lang_name(const hs_lang_t *lang);
int hs_lang_has_grammar(const hs_lang_t *lang);

/* ---- Matches ----------------------------------------------------------- */
typedef struct hs_capture {
  const char *name;    /* "x" for $x or @x; borrowed from the pattern */
  uint32_t start, end; /* byte range in the file */
  uint32_t first_line, last_line; /* 1-based; empty ($*x of nothing): 0 */
} hs_capture_t;

typedef struct hs_match {
  uint32_t start, end;            /* byte range in the file */
  uint32_t first_line, last_line; /* 1-based, inclusive */
  uint32_t first_capture;         /* into hs_result_t.captures */
  uint32_t capture_count;
} hs_match_t;

/* The matches of one file, in source order (by start, then end descending).
 * Embedded: hs_result_init / hs_result_close. */
typedef struct hs_result {
  hs_match_t *matches;
  size_t count, cap;
  hs_capture_t *captures;
  size_t capture_total, capture_cap;
} hs_result_t;

void hs_result_init(hs_result_t *r);
void hs_result_clear(hs_result_t *r); /* count 0, memory kept */
void hs_result_close(hs_result_t *r);

/* ---- Searcher ----------------------------------------------------------
 * One pattern, compiled for each language as files of it are met. */
typedef enum hs_kind {
  HS_KIND_PATTERN = 0,
  HS_KIND_QUERY,
  HS_KIND_REGEX
} hs_kind_t;

#define HS_DEFAULT_MAX_FILE_SIZE ((size_t)64 << 20) /* 64 MiB */
#define HS_DEFAULT_PARSE_TIMEOUT_US ((uint64_t)30 * 1000 * 1000)

typedef struct hs_options {
  hs_kind_t kind;
  const char *pattern;     /* borrowed for the call of hs_searcher_new */
  const hs_langs_t *langs; /* borrowed; must outlive the searcher */
  const hs_lang_t
      *lang; /* only this language (--lang), or NULL: by extension */
  size_t max_file_size; /* bigger files are skipped (HS_ETOOBIG); 0: default */
  uint64_t parse_timeout_us; /* per file; 0: default */
} hs_options_t;

void hs_options_init(hs_options_t *opts);

typedef struct hs_searcher hs_searcher_t;

/* Compiles the pattern: a regex at once; a code pattern or a query at once
 * for opts->lang when given, else for each language on its first file.
 * *out is new (free with hs_searcher_free). */
int hs_searcher_new(const hs_options_t *opts, hs_searcher_t **out,
                    hs_error_t *err);
void hs_searcher_free(hs_searcher_t *s); /* NULL is fine */

/* The name of capture `name` (given as "x", "$x" or "@x") as matches will
 * carry it, checked against the pattern when it is compiled: HS_ECAPTURE
 * when no compiled form has it (a regex has none). For a searcher not yet
 * compiled for any language the check waits for the first file. */
int hs_searcher_check_capture(hs_searcher_t *s, const char *name,
                              hs_error_t *err);

/* Searches text[0..len) of a file in language lang (NULL for a regex).
 * Matches are appended to *out (cleared first). Errors: HS_ENOGRAMMAR,
 * HS_EPATTERN / HS_EQUERY (the pattern does not fit lang), HS_ETIMEOUT,
 * HS_ETOOBIG, HS_ENOMEM. */
int hs_searcher_run(hs_searcher_t *s, const hs_lang_t *lang, const char *text,
                    size_t len, hs_result_t *out, hs_error_t *err);

/* ---- The walk ---------------------------------------------------------- */
typedef struct hs_file {
  const char *path;      /* as walked: the argument, then "/" + names */
  const hs_lang_t *lang; /* NULL for a regex search */
  const char *text;      /* the file's bytes, until the callback returns */
  size_t len;
  const hs_result_t *result; /* count > 0 */
} hs_file_t;

/* A file with matches: return 0 to go on, anything else to stop. */
typedef int (*hs_file_cb)(void *data, const hs_file_t *file);
/* A file or directory skipped: err->code says why (HS_EIO, HS_EBINARY,
 * HS_ETOOBIG, HS_ETIMEOUT, HS_EPATTERN for a language the pattern does not
 * parse in, HS_ENOGRAMMAR). path is NULL for a note about a language. */
typedef void (*hs_warn_cb)(void *data, const char *path,
                           const hs_error_t *err);

typedef struct hs_walk_stats {
  size_t files;      /* files searched */
  size_t skipped;    /* files skipped with a warning */
  size_t matches;    /* matches reported */
  size_t no_grammar; /* files of a language without a grammar */
} hs_walk_stats_t;

/* Walks paths[0..n): a directory recursively in bytewise name order
 * (".git" and "vendor" skipped unless named; below the named paths,
 * links to files read, links to directories not followed), a file as it
 * is. A structural search reads the
 * files of known languages (opts->lang: only those; a file named
 * explicitly is read as opts->lang whatever its name); a regex, every
 * text file. Returns 0 (warnings are not errors), the callback's non-zero
 * value, or a negative code: HS_ENOGRAMMAR when files of a language
 * without a grammar were met and nothing else was searched, HS_EPATTERN /
 * HS_EQUERY when the pattern parsed in none of the languages met (or in
 * opts->lang), HS_ENOMEM. */
int hs_searcher_walk(hs_searcher_t *s, const char *const *paths, size_t n,
                     hs_file_cb on_file, hs_warn_cb on_warning, void *data,
                     hs_walk_stats_t *stats, hs_error_t *err);

/* ---- Heat --------------------------------------------------------------
 * A line is hot when some point of the profile on that file and line (any
 * function's) has a level >= min_level: the global level, or the local
 * one when `local` is set. */
typedef long (*hs_map_fn)(void *data, const char *path);

typedef struct hs_heat {
  const hx_index_t *index; /* borrowed */
  hs_map_fn map; /* local path -> profile file index (hx_file), or -1 */
  void *map_data;
  int min_level; /* 1..5 */
  int local;     /* 1: local levels */
} hs_heat_t;

typedef struct hs_line_heat {
  uint32_t line;  /* 1-based; 0 when no line of the range is profiled */
  uint8_t global; /* the line's highest levels over its points */
  uint8_t local;
  int64_t cum; /* the cum of the line's hottest point */
  int64_t flat;
} hs_line_heat_t;

/* The hottest line of [first, last] of profile file `file` (< 0: none):
 * by the level in use, then cum, then the earliest line. Returns 1 when it
 * is hot, else 0. */
int hs_heat_range(const hs_heat_t *heat, long file, uint32_t first,
                  uint32_t last, hs_line_heat_t *out);

#ifdef __cplusplus
}
#endif

#endif
