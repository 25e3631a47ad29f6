/*
 * cli_args.c: parsing the flags of heatls's report subcommands.
 */
#include "cli_args.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const command_names[] = {"stat", "json", "dump", "top",
                                            "info"};

int cli_command_from_name(const char *name) {
  for (size_t i = 0; i < sizeof command_names / sizeof command_names[0]; i++)
    if (strcmp(name, command_names[i]) == 0)
      return (int)i;
  return -1;
}

enum { ALL = 0x1f };
#define ONLY(c) (1u << (c))

typedef enum flag_id {
  FLAG_THRESHOLD,
  FLAG_FILENAME,
  FLAG_VALUE_FORMAT,
  FLAG_SAMPLE_TYPE,
  FLAG_LOCAL_SCOPE,
  FLAG_SYMBOLS,
  FLAG_MAX_SIZE,
  FLAG_N,
  FLAG_SECONDS,
  FLAG_TIMEOUT,
  FLAG_CACERT,
  FLAG_CERT,
  FLAG_KEY,
  FLAG_HEADER,
  FLAG_BASE,
  FLAG_NORMALIZE,
  FLAG_IMPROVEMENTS,
  FLAG_HELP
} flag_id_t;

typedef struct flag {
  const char *name;
  flag_id_t id;
  unsigned commands; /* bit per cli_command_t */
  bool takes_value;
  const char *value_name, *help;
} flag_t;

static const flag_t flags[] = {
    {"threshold", FLAG_THRESHOLD, ALL, true, "F",
     "take this fraction of the hottest lines, in (0, 1]; 0 means 0.5 "
     "(default 0.5)"},
    {"filename", FLAG_FILENAME, ONLY(CLI_STAT), true, "REGEXP",
     "only files whose full path matches (POSIX extended, unanchored)"},
    {"value-format", FLAG_VALUE_FORMAT, ONLY(CLI_JSON), true, "F",
     "cpu/nanoseconds, cpu/microseconds (default for time), "
     "cpu/milliseconds, or raw (default otherwise)"},
    {"sample-type", FLAG_SAMPLE_TYPE, ALL, true, "NAME",
     "use this sample type: alloc_space, inuse_objects, delay/nanoseconds, "
     "..."},
    {"local-scope", FLAG_LOCAL_SCOPE, ALL, true, "function|file",
     "rank a line among its function's lines or its file's (default "
     "function)"},
    {"symbols", FLAG_SYMBOLS, ALL, true, "auto|go|raw",
     "key lines by Go symbol rules or by raw names (default auto)"},
    {"max-size", FLAG_MAX_SIZE, ALL, true, "BYTES",
     "refuse a profile that decompresses to more (default 1G; K, M, G "
     "suffixes)"},
    {"n", FLAG_N, ONLY(CLI_TOP), true, "N",
     "how many lines to list (default 20)"},
    {"seconds", FLAG_SECONDS, ALL, true, "N",
     "a URL: capture for N seconds (adds seconds=N)"},
    {"timeout", FLAG_TIMEOUT, ALL, true, "SECONDS",
     "a URL: give up after this long (default 1.5 x seconds, or 60)"},
    {"cacert", FLAG_CACERT, ALL, true, "FILE",
     "a URL: verify the server with this CA bundle (PEM)"},
    {"cert", FLAG_CERT, ALL, true, "FILE", "a URL: client certificate (PEM)"},
    {"key", FLAG_KEY, ALL, true, "FILE", "a URL: the client key (PEM)"},
    {"header", FLAG_HEADER, ALL, true, "'NAME: VALUE'",
     "a URL: send this header (repeatable; the value is never printed)"},
    {"base", FLAG_BASE, ALL, true, "PROFILE",
     "compare with this base profile (repeatable: the bases are merged)"},
    {"normalize", FLAG_NORMALIZE, ALL, false, NULL,
     "scale the base to the total of the profiles (needs -base)"},
    {"improvements", FLAG_IMPROVEMENTS, ONLY(CLI_TOP), false, NULL,
     "list the largest drops instead of the largest regressions (needs "
     "-base)"},
    {"help", FLAG_HELP, ALL, false, NULL, "show this help"},
    {"h", FLAG_HELP, ALL, false, NULL, NULL},
};

static const flag_t *find_flag(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
      return &flags[i];
  return NULL;
}

static int usage_error(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int usage_error(char *msg, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, size, fmt, ap);
  va_end(ap);
  return -1;
}

bool cli_parse_size(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || !isdigit((unsigned char)*s))
    return false;
  unsigned shift = 0;
  if (*end == 'K' || *end == 'k')
    shift = 10;
  else if (*end == 'M' || *end == 'm')
    shift = 20;
  else if (*end == 'G' || *end == 'g')
    shift = 30;
  if (shift)
    end++;
  if (*end || v == 0 || v > (UINT64_MAX >> shift))
    return false;
  *out = (uint64_t)v << shift;
  return true;
}

static int set_flag(const flag_t *f, const char *value, cli_args_t *out,
                    char *msg, size_t size) {
  char *end;
  switch (f->id) {
  case FLAG_THRESHOLD: {
    errno = 0;
    double t = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(t))
      return usage_error(msg, size, "-threshold %s: not a number", value);
    if (t != 0 && !(t > 0 && t <= 1))
      return usage_error(msg, size, "-threshold %s: must be in (0, 1]", value);
    out->opts.threshold = t;
    return 0;
  }
  case FLAG_FILENAME: out->filename_regexp = value; return 0;
  case FLAG_VALUE_FORMAT:
    if (strcmp(value, "cpu/nanoseconds") &&
        strcmp(value, "cpu/microseconds") &&
        strcmp(value, "cpu/milliseconds") && strcmp(value, "raw"))
      return usage_error(msg, size,
                         "-value-format %s: unexpected value format"
                         " (cpu/nanoseconds, cpu/microseconds, "
                         "cpu/milliseconds or raw)",
                         value);
    out->value_format = value;
    return 0;
  case FLAG_SAMPLE_TYPE: out->opts.sample_type = value; return 0;
  case FLAG_LOCAL_SCOPE:
    if (strcmp(value, "function") == 0)
      out->opts.local_scope = HX_LOCAL_FUNCTION;
    else if (strcmp(value, "file") == 0)
      out->opts.local_scope = HX_LOCAL_FILE;
    else
      return usage_error(msg, size,
                         "--local-scope %s: must be function or "
                         "file",
                         value);
    return 0;
  case FLAG_SYMBOLS:
    if (strcmp(value, "auto") == 0)
      out->opts.symbols = HX_SYMBOLS_AUTO;
    else if (strcmp(value, "go") == 0)
      out->opts.symbols = HX_SYMBOLS_GO;
    else if (strcmp(value, "raw") == 0)
      out->opts.symbols = HX_SYMBOLS_RAW;
    else
      return usage_error(msg, size, "--symbols %s: must be auto, go or raw",
                         value);
    return 0;
  case FLAG_MAX_SIZE:
    if (!cli_parse_size(value, &out->opts.max_decompressed))
      return usage_error(msg, size, "--max-size %s: not a size", value);
    return 0;
  case FLAG_N: {
    errno = 0;
    unsigned long long n = strtoull(value, &end, 10);
    if (errno || end == value || *end || *value == '-' || n == 0)
      return usage_error(msg, size, "-n %s: not a positive number", value);
    out->top_n = (size_t)n;
    return 0;
  }
  case FLAG_SECONDS: {
    errno = 0;
    long n = strtol(value, &end, 10);
    if (errno || end == value || *end || n < 0 || n > 86400)
      return usage_error(msg, size,
                         "-seconds %s: not a number of seconds "
                         "in [0, 86400]",
                         value);
    out->fetch.seconds = (int)n;
    return 0;
  }
  case FLAG_TIMEOUT: {
    errno = 0;
    double t = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(t) || t <= 0 || t > 86400)
      return usage_error(msg, size,
                         "-timeout %s: not a number of seconds "
                         "in (0, 86400]",
                         value);
    out->fetch.timeout = t;
    return 0;
  }
  case FLAG_CACERT: out->fetch.ca_file = value; return 0;
  case FLAG_CERT: out->fetch.cert = value; return 0;
  case FLAG_KEY: out->fetch.key = value; return 0;
  case FLAG_HEADER: {
    const char *colon = strchr(value, ':');
    /* The value is never printed: only the name, or nothing. */
    if (!colon || colon == value || strpbrk(value, "\r\n"))
      return usage_error(msg, size, "-header: expected 'NAME: VALUE'");
    if (out->fetch.header_count == CLI_MAX_HEADERS)
      return usage_error(msg, size, "-header: at most %d", CLI_MAX_HEADERS);
    out->fetch.headers[out->fetch.header_count++] = value;
    return 0;
  }
  case FLAG_BASE: out->bases[out->base_count++] = value; return 0;
  case FLAG_NORMALIZE: out->normalize = 1; return 0;
  case FLAG_IMPROVEMENTS: out->improvements = 1; return 0;
  case FLAG_HELP: out->help = 1; return 0;
  }
  return -1;
}

int cli_args_parse(cli_command_t command, const char *name, int argc,
                   char **argv, cli_args_t *out, char *msg, size_t size) {
  memset(out, 0, sizeof *out);
  out->command = command;
  out->command_name = name;
  out->top_n = 20;
  hx_options_init(&out->opts);
  /* No list is longer than the words. */
  out->profiles =
      malloc(((size_t)(argc > 0 ? argc : 0) + 1) * sizeof *out->profiles);
  out->bases =
      malloc(((size_t)(argc > 0 ? argc : 0) + 1) * sizeof *out->bases);
  if (!out->profiles || !out->bases)
    return usage_error(msg, size, "out of memory");
  bool flags_done = false;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (flags_done || arg[0] != '-' || arg[1] == '\0') {
      if (!out->profile)
        out->profile = arg;
      out->profiles[out->profile_count++] = arg;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      flags_done = true;
      continue;
    }
    const char *flag_name = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(flag_name, '=');
    size_t len = eq ? (size_t)(eq - flag_name) : strlen(flag_name);
    const flag_t *f = find_flag(flag_name, len);
    if (!f || !(f->commands & ONLY(command)))
      return usage_error(msg, size, "flag provided but not defined: %s", arg);
    const char *value = eq ? eq + 1 : NULL;
    if (f->takes_value && !value) {
      if (i + 1 >= argc)
        return usage_error(msg, size, "flag needs an argument: %s", arg);
      value = argv[++i];
    } else if (!f->takes_value && value) {
      return usage_error(msg, size, "flag takes no argument: %s", arg);
    }
    if (set_flag(f, value, out, msg, size) < 0)
      return -1;
  }
  if (out->help)
    return 0;
  if (!out->profile)
    return usage_error(msg, size, "expected at least 1 profile, got none");
  if (out->normalize && out->base_count == 0)
    return usage_error(msg, size, "-normalize needs -base");
  if (out->improvements && out->base_count == 0)
    return usage_error(msg, size, "-improvements needs -base");
  return 0;
}

void cli_args_close(cli_args_t *args) {
  free(args->profiles);
  free(args->bases);
  args->profiles = args->bases = NULL;
  args->profile_count = args->base_count = 0;
}

static const char *const summaries[] = {
    /* One string across two lines (parentheses: not a missing comma). */
    ("print every profiled line with its values and levels "
     "(perf-heatmap's stat)"),
    "print the hot lines of every file as JSON (perf-heatmap's json)",
    "print every point of the index, level 0 included, as TSV",
    "list the hottest lines of the profile",
    "describe the profile: sample types, totals, sizes"};

void cli_print_usage(cli_command_t command, FILE *out) {
  fprintf(out,
          "usage: heatls %s [flags] PROFILE... [-base BASE]...\n\n%s.\n"
          "Several profiles (or a quoted glob) are merged; with -base, the\n"
          "report is a diff against the merged bases.\n\nflags:\n",
          command_names[command], summaries[command]);
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    const flag_t *f = &flags[i];
    if (!f->help || !(f->commands & ONLY(command)))
      continue;
    char left[48];
    snprintf(left, sizeof left, "-%s%s%s", f->name, f->value_name ? " " : "",
             f->value_name ? f->value_name : "");
    fprintf(out, "  %-27s %s\n", left, f->help);
  }
}
