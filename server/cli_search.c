/*
 * cli_search.c: `heatls search [flags] PROFILE PATTERN [PATH...]`, the
 * profile-guided code search of the command line (docs/search.md).
 *
 * Flags as the report commands take them (-flag v, -flag=v, --flag v,
 * anywhere; `--` ends them). Matches print as gogrep prints them,
 * `file:line: text`, or as JSON; a match is kept when some line of it (or
 * of the capture --hot names) is hot in the profile. Profile files are
 * found for local files by the server's path mapping (path_map.h).
 * Exit status as gogrep's: 0 when something matched, 1 when nothing did,
 * 2 on an error.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli_search.h"

#include "format.h"
#include "heat_index.h"
#include "heat_search.h"
#include "path_map.h"
#include "profile_file.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GRAMMARS 8

typedef struct args {
  const char *profile, *pattern;
  const char **paths;
  size_t path_count;
  hs_kind_t kind;
  const char *lang, *hot, *sample_type;
  const char *grammars[MAX_GRAMMARS];
  size_t grammar_count;
  int min_level;
  bool local, cold, json, sort_heat, help, both_kinds;
  double threshold;
} args_t;

typedef struct record {
  char *text; /* the rendered line(s) */
  int level;
  int64_t cum;
  size_t order;
} record_t;

typedef struct run {
  const args_t *args;
  const hx_index_t *index;
  srv_path_map_t *map;
  const char **profile_paths; /* the map borrows this array */
  hs_heat_t heat;
  record_t *records;
  size_t record_count, record_cap;
  size_t printed;
  size_t files_mapped, files_unmapped; /* files with matches */
  bool failed;                         /* out of memory or output error */
} run_t;

void cli_search_usage(FILE *out) {
  fputs(
      "usage: heatls search [flags] PROFILE PATTERN [PATH...]\n"
      "\n"
      "Finds PATTERN in the files under PATH (default .) and prints the\n"
      "matches that are hot in PROFILE, as file:line: text.\n"
      "PATTERN is code with metavariables ($x, $_, $*x, $*_) unless\n"
      "--query or --regex says otherwise (docs/search.md).\n"
      "\n"
      "flags:\n"
      "  --query            PATTERN is a tree-sitter query (#eq?, #not-eq?,\n"
      "                     #match?, #not-match?)\n"
      "  --regex            PATTERN is a POSIX extended regex, per line, for\n"
      "                     any text file\n"
      "  --lang L           search only files of language L (go, c, python, "
      "or\n"
      "                     a --grammar's); named files are read as L\n"
      "  --min-level N      hot means a level of at least N, 1..5; 0 keeps\n"
      "                     every match (default 1)\n"
      "  --hot NAME         test the lines of the capture $NAME (or @NAME)\n"
      "                     instead of the whole match\n"
      "  --local            test local levels instead of global ones\n"
      "  --cold             keep only the matches that are not hot\n"
      "  -threshold F       the fraction of lines that get a level, in (0, "
      "1]\n"
      "                     (default 0.5)\n"
      "  --sample-type NAME the profile's sample type to rank by\n"
      "  --grammar PATH     load a tree-sitter grammar (.so exporting\n"
      "                     tree_sitter_<lang>); may be repeated\n"
      "  --format text|json output format (default text)\n"
      "  --sort file|heat   file order (default), or the hottest first with\n"
      "                     the time of their hottest line\n"
      "  -h, --help         print this help\n"
      "\n"
      "Exit status: 0 when something matched, 1 when nothing did, 2 on an\n"
      "error.\n",
      out);
}

static int usage(const char *fmt, ...) {
  fputs("heatls search: ", stderr);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs(" (run 'heatls search --help')\n", stderr);
  return -1;
}

typedef struct flag_def {
  const char *name;
  bool takes_value;
} flag_def_t;

static const flag_def_t flag_defs[] = {
    {"query", false},    {"regex", false},    {"lang", true},
    {"min-level", true}, {"hot", true},       {"local", false},
    {"cold", false},     {"threshold", true}, {"sample-type", true},
    {"grammar", true},   {"format", true},    {"sort", true},
    {"help", false},     {"h", false}};

static int set_flag(args_t *a, const char *name, const char *value) {
  if (strcmp(name, "query") == 0) {
    a->both_kinds = a->kind == HS_KIND_REGEX;
    a->kind = HS_KIND_QUERY;
  } else if (strcmp(name, "regex") == 0) {
    a->both_kinds = a->kind == HS_KIND_QUERY;
    a->kind = HS_KIND_REGEX;
  } else if (strcmp(name, "lang") == 0)
    a->lang = value;
  else if (strcmp(name, "hot") == 0)
    a->hot = value;
  else if (strcmp(name, "local") == 0)
    a->local = true;
  else if (strcmp(name, "cold") == 0)
    a->cold = true;
  else if (strcmp(name, "sample-type") == 0)
    a->sample_type = value;
  else if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0)
    a->help = true;
  else if (strcmp(name, "min-level") == 0) {
    if (strlen(value) != 1 || value[0] < '0' || value[0] > '5')
      return usage("--min-level %s: must be 0 to 5", value);
    a->min_level = value[0] - '0';
  } else if (strcmp(name, "threshold") == 0) {
    char *end;
    errno = 0;
    double t = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(t))
      return usage("-threshold %s: not a number", value);
    if (t != 0 && !(t > 0 && t <= 1))
      return usage("-threshold %s: must be in (0, 1]", value);
    a->threshold = t;
  } else if (strcmp(name, "grammar") == 0) {
    if (a->grammar_count == MAX_GRAMMARS)
      return usage("--grammar: at most %d grammars", MAX_GRAMMARS);
    a->grammars[a->grammar_count++] = value;
  } else if (strcmp(name, "format") == 0) {
    if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0)
      return usage("--format %s: must be text or json", value);
    a->json = strcmp(value, "json") == 0;
  } else if (strcmp(name, "sort") == 0) {
    if (strcmp(value, "file") != 0 && strcmp(value, "heat") != 0)
      return usage("--sort %s: must be file or heat", value);
    a->sort_heat = strcmp(value, "heat") == 0;
  }
  return 0;
}

static int parse_args(int argc, char **argv, args_t *a) {
  memset(a, 0, sizeof *a);
  a->kind = HS_KIND_PATTERN;
  a->min_level = 1;
  a->threshold = 0;
  const char **pos = calloc((size_t)argc + 1, sizeof *pos);
  if (pos == NULL)
    return usage("out of memory");
  size_t npos = 0;
  bool flags_done = false;
  for (int i = 0; i < argc; i++) {
    const char *w = argv[i];
    if (flags_done || w[0] != '-' || w[1] == '\0') {
      pos[npos++] = w;
      continue;
    }
    if (strcmp(w, "--") == 0) {
      flags_done = true;
      continue;
    }
    const char *name = w + 1;
    if (*name == '-')
      name++;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const flag_def_t *def = NULL;
    for (size_t k = 0; k < sizeof flag_defs / sizeof flag_defs[0]; k++)
      if (strlen(flag_defs[k].name) == len &&
          strncmp(flag_defs[k].name, name, len) == 0)
        def = &flag_defs[k];
    if (def == NULL) {
      free(pos);
      return usage("flag provided but not defined: %s", w);
    }
    const char *value = NULL;
    if (def->takes_value) {
      if (eq)
        value = eq + 1;
      else if (i + 1 < argc)
        value = argv[++i];
      else {
        free(pos);
        return usage("flag needs an argument: -%s", def->name);
      }
    } else if (eq) {
      free(pos);
      return usage("flag -%s takes no value", def->name);
    }
    if (set_flag(a, def->name, value) < 0) {
      free(pos);
      return -1;
    }
  }
  if (a->help) {
    free(pos);
    return 0;
  }
  int rc = 0;
  if (a->both_kinds)
    rc = usage("--query and --regex exclude each other");
  else if (npos < 2)
    rc = usage("expected PROFILE and PATTERN, got %s",
               npos == 0 ? "neither" : "only one word");
  else if (a->cold && a->min_level == 0)
    rc = usage("--cold with --min-level 0 keeps nothing");
  else if (a->hot && a->kind == HS_KIND_REGEX)
    rc = usage("--hot needs a pattern or a query: a regex has no captures");
  else if (a->kind == HS_KIND_REGEX && a->lang)
    rc = usage("--lang does not apply to --regex");
  if (rc < 0) {
    free(pos);
    return -1;
  }
  a->profile = pos[0];
  a->pattern = pos[1];
  if (npos == 2)
    pos[npos++] = ".";
  /* The paths are pos[2..npos): keep the array (freed by the caller). */
  memmove(pos, pos + 2, (npos - 2) * sizeof *pos);
  a->paths = pos;
  a->path_count = npos - 2;
  return 0;
}

static long map_path(void *data, const char *path) {
  run_t *r = data;
  char *real = realpath(path, NULL);
  srv_match_t m = srv_path_map_to_profile(r->map, real ? real : path, NULL);
  free(real);
  if (m.kind == SRV_MATCH_EXACT || m.kind == SRV_MATCH_MAPPING ||
      m.kind == SRV_MATCH_SUFFIX)
    return m.file;
  return -1;
}

static void warn(void *data, const char *path, const hs_error_t *err) {
  (void)data;
  if (path)
    fprintf(stderr, "heatls search: %s: %s\n", path, err->message);
  else
    fprintf(stderr, "heatls search: %s\n", err->message);
}

/* text[start, end) as a JSON string. */
static void json_slice(FILE *out, const char *text, uint32_t start,
                       uint32_t end) {
  size_t n = end - start;
  char *copy = malloc(n + 1);
  if (copy == NULL) {
    fputs("null", out);
    return;
  }
  memcpy(copy, text + start, n);
  copy[n] = '\0';
  fmt_json_string(out, copy);
  free(copy);
}

/* The end of the first line of text[start, end), \r dropped. */
static uint32_t first_line_end(const char *text, uint32_t start,
                               uint32_t end) {
  uint32_t e = start;
  while (e < end && text[e] != '\n')
    e++;
  if (e > start && text[e - 1] == '\r')
    e--;
  return e;
}

static void render(run_t *r, FILE *out, const hs_file_t *f,
                   const hs_match_t *m, const hs_line_heat_t *h, bool hot) {
  const hx_summary_t *sum = hx_index_summary(r->index);
  char value[64] = "-";
  if (h->line)
    fmt_value(value, sizeof value, h->cum, sum);
  uint32_t line_end = first_line_end(f->text, m->start, m->end);
  if (!r->args->json) {
    fprintf(out, "%s:%u: ", f->path, m->first_line);
    if (r->args->sort_heat) {
      if (h->line)
        fprintf(out, "[%s G%u L%u] ", value, h->global, h->local);
      else
        fputs("[- G0 L0] ", out);
    }
    fwrite(f->text + m->start, 1, line_end - m->start, out);
    fputc('\n', out);
    return;
  }
  fputs("{\"file\": ", out);
  fmt_json_string(out, f->path);
  fprintf(out, ", \"line\": %u, \"end_line\": %u, \"start\": %u, \"end\": %u",
          m->first_line, m->last_line, m->start, m->end);
  fputs(", \"language\": ", out);
  if (f->lang)
    fmt_json_string(out, hs_lang_name(f->lang));
  else
    fputs("null", out);
  fputs(", \"text\": ", out);
  json_slice(out, f->text, m->start, m->end);
  fputs(", \"captures\": {", out);
  for (uint32_t i = 0; i < m->capture_count; i++) {
    const hs_capture_t *c = &f->result->captures[m->first_capture + i];
    bool dup = false;
    for (uint32_t k = 0; k < i; k++)
      if (strcmp(f->result->captures[m->first_capture + k].name, c->name) == 0)
        dup = true;
    if (dup)
      continue;
    fputs(i ? ", " : "", out);
    fmt_json_string(out, c->name);
    fputs(": ", out);
    json_slice(out, f->text, c->start, c->end);
  }
  fprintf(out, "}, \"hot\": %s, \"heat\": ", hot ? "true" : "false");
  if (h->line == 0)
    fputs("null", out);
  else
    fprintf(out,
            "{\"line\": %u, \"global\": %u, \"local\": %u, \"cum\": %lld, "
            "\"flat\": %lld, \"cumText\": \"%s\"}",
            h->line, h->global, h->local, (long long)h->cum,
            (long long)h->flat, value);
  fputc('}', out);
}

/* The heat a match is judged by: its lines, or its --hot capture's. */
static int judge(run_t *r, long file, const hs_file_t *f, const hs_match_t *m,
                 hs_line_heat_t *h) {
  if (r->args->hot == NULL)
    return hs_heat_range(&r->heat, file, m->first_line, m->last_line, h);
  const char *want = r->args->hot;
  if (*want == '$' || *want == '@')
    want++;
  int hot = 0;
  hs_line_heat_t best = {0, 0, 0, 0, 0};
  for (uint32_t i = 0; i < m->capture_count; i++) {
    const hs_capture_t *c = &f->result->captures[m->first_capture + i];
    if (strcmp(c->name, want) != 0 || c->first_line == 0)
      continue;
    hs_line_heat_t one;
    int is_hot =
        hs_heat_range(&r->heat, file, c->first_line, c->last_line, &one);
    if (best.line == 0 || (is_hot && !hot) ||
        (is_hot == hot && one.cum > best.cum)) {
      best = one;
      hot = hot || is_hot;
    }
  }
  *h = best;
  return hot;
}

static int keep(run_t *r, const char *text, int level, int64_t cum) {
  if (r->record_count == r->record_cap) {
    size_t cap = r->record_cap ? r->record_cap * 2 : 64;
    record_t *more = realloc(r->records, cap * sizeof *more);
    if (more == NULL)
      return -1;
    r->records = more;
    r->record_cap = cap;
  }
  size_t n = strlen(text);
  char *copy = malloc(n + 1);
  if (copy == NULL)
    return -1;
  memcpy(copy, text, n + 1);
  r->records[r->record_count] = (record_t){copy, level, cum, r->record_count};
  r->record_count++;
  return 0;
}

static int on_file(void *data, const hs_file_t *f) {
  run_t *r = data;
  long file = map_path(r, f->path);
  if (file >= 0)
    r->files_mapped++;
  else
    r->files_unmapped++;
  for (size_t i = 0; i < f->result->count; i++) {
    const hs_match_t *m = &f->result->matches[i];
    hs_line_heat_t h;
    int hot = judge(r, file, f, m, &h);
    if (r->args->min_level > 0 && (r->args->cold ? hot : !hot))
      continue;
    if (!r->args->sort_heat) {
      if (r->args->json)
        fputs(r->printed ? ",\n" : "[\n", stdout);
      render(r, stdout, f, m, &h, hot);
      r->printed++;
      continue;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem == NULL) {
      r->failed = true;
      return 1;
    }
    render(r, mem, f, m, &h, hot);
    int bad = fclose(mem) != 0;
    int level = h.line ? (r->args->local ? h.local : h.global) : -1;
    if (bad || keep(r, buf, level, h.cum) < 0) {
      free(buf);
      r->failed = true;
      return 1;
    }
    free(buf);
  }
  return 0;
}

static int by_heat(const void *a, const void *b) {
  const record_t *x = a, *y = b;
  if (x->level != y->level)
    return x->level > y->level ? -1 : 1;
  if (x->cum != y->cum)
    return x->cum > y->cum ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static void print_sorted(run_t *r) {
  qsort(r->records, r->record_count, sizeof *r->records, by_heat);
  for (size_t i = 0; i < r->record_count; i++) {
    if (r->args->json)
      fputs(i ? ",\n" : "[\n", stdout);
    fputs(r->records[i].text, stdout);
    r->printed++;
  }
}

static int make_map(run_t *r) {
  size_t n = hx_index_file_count(r->index);
  const char **paths = malloc((n ? n : 1) * sizeof *paths);
  if (paths == NULL)
    return -1;
  for (size_t i = 0; i < n; i++)
    paths[i] = hx_index_file(r->index, i)->path;
  r->profile_paths = paths;
  return srv_path_map_new(paths, n, &r->map);
}

static int search(const args_t *a) {
  hs_error_t err = {0};
  hs_langs_t *langs = NULL;
  hs_searcher_t *s = NULL;
  hx_index_t *index = NULL;
  run_t r = {0};
  r.args = a;
  int status = 2;
  if (hs_langs_new(&langs, &err) < 0) {
    fprintf(stderr, "heatls search: %s\n", err.message);
    return 2;
  }
  for (size_t i = 0; i < a->grammar_count; i++)
    if (hs_langs_load_grammar(langs, a->grammars[i],
                              a->grammar_count == 1 ? a->lang : NULL,
                              &err) < 0) {
      fprintf(stderr, "heatls search: %s\n", err.message);
      goto done;
    }
  hs_options_t opts;
  hs_options_init(&opts);
  opts.kind = a->kind;
  opts.pattern = a->pattern;
  opts.langs = langs;
  if (a->lang && (opts.lang = hs_langs_find(langs, a->lang)) == NULL) {
    fprintf(stderr, "heatls search: unknown language \"%s\" (known:", a->lang);
    for (size_t i = 0; i < hs_builtin_count(); i++)
      fprintf(stderr, " %s", hs_builtin_name(i));
    fputs(", or one loaded with --grammar)\n", stderr);
    goto done;
  }
  if (hs_searcher_new(&opts, &s, &err) < 0) {
    fprintf(stderr, "heatls search: %s\n", err.message);
    goto done;
  }
  if (a->hot && hs_searcher_check_capture(s, a->hot, &err) < 0) {
    fprintf(stderr, "heatls search: --hot %s: %s\n", a->hot, err.message);
    goto done;
  }
  hx_options_t hx;
  hx_options_init(&hx);
  hx.threshold = a->threshold;
  hx.sample_type = a->sample_type;
  hx_error_t herr = {0};
  if (srv_profile_file_read(a->profile, &hx, &index, NULL, &herr) < 0) {
    fprintf(stderr, "heatls search: %s: %s\n", a->profile, herr.message);
    goto done;
  }
  r.index = index;
  if (make_map(&r) < 0) {
    fprintf(stderr, "heatls search: out of memory\n");
    goto done;
  }
  r.heat = (hs_heat_t){index, map_path, &r,
                       a->min_level > 0 ? a->min_level : 1, a->local ? 1 : 0};
  hs_walk_stats_t stats;
  int rc = hs_searcher_walk(s, a->paths, a->path_count, on_file, warn, &r,
                            &stats, &err);
  if (rc < 0) {
    fprintf(stderr, "heatls search: %s\n", err.message);
    goto done;
  }
  if (r.failed) {
    fprintf(stderr, "heatls search: out of memory\n");
    goto done;
  }
  if (a->min_level > 0 && r.files_mapped == 0 && r.files_unmapped > 0 &&
      hx_index_file_count(index) > 0)
    fprintf(stderr,
            "heatls search: none of the %zu files with matches is in the "
            "profile (it names files such as %s)\n",
            r.files_unmapped, hx_index_file(index, 0)->path);
  if (a->sort_heat)
    print_sorted(&r);
  if (a->json)
    fputs(r.printed ? "\n]\n" : "[]\n", stdout);
  status = r.printed > 0 ? 0 : 1;
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "heatls search: cannot write the output\n");
    status = 2;
  }
done:
  for (size_t i = 0; i < r.record_count; i++)
    free(r.records[i].text);
  free(r.records);
  srv_path_map_free(r.map);
  free(r.profile_paths);
  hx_index_free(index);
  hs_searcher_free(s);
  hs_langs_free(langs);
  return status;
}

int cli_search_main(int argc, char **argv) {
  args_t a;
  if (parse_args(argc, argv, &a) < 0)
    return 2;
  if (a.help) {
    cli_search_usage(stdout);
    return 0;
  }
  int status = search(&a);
  free(a.paths);
  return status;
}

void cli_search_languages(FILE *out) {
  fputs("languages:", out);
  size_t shown = 0;
  for (size_t i = 0; i < hs_builtin_count(); i++)
    if (hs_builtin_has_grammar(i)) {
      fprintf(out, " %s", hs_builtin_name(i));
      shown++;
    }
  if (shown == 0)
    fputs(" none (no tree-sitter grammar compiled in: only --regex and "
          "--grammar searches)",
          out);
  fputc('\n', out);
}
