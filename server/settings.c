/*
 * settings.c: parsing and validating the "heatls" settings section.
 */
#include "settings.h"

#include "error.h"
#include "log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const hints_names[] = {"both", "global", "local", "off"};

const char *srv_hints_name(srv_hints_t hints) { return hints_names[hints]; }

int srv_settings_same_string(const char *a, const char *b) {
  if (!a || !b)
    return a == b;
  return strcmp(a, b) == 0;
}

int srv_settings_same_paths(const json_t *a, const json_t *b) {
  if (!a || !b)
    return a == b;
  return json_equal((json_t *)a, (json_t *)b);
}

int srv_paths_from_json(const json_t *v, json_t **out) {
  *out = NULL;
  if (!v || json_is_null(v))
    return 0;
  if (json_is_string(v))
    return json_string_length(v) == 0 || (*out = json_pack("[O]", v))
               ? 0
               : SRV_ENOMEM;
  if (!json_is_array(v))
    return SRV_EINVAL;
  size_t i;
  const json_t *item;
  json_array_foreach(v, i, item) {
    if (!json_is_string(item) || json_string_length(item) == 0)
      return SRV_EINVAL;
  }
  if (json_array_size(v) == 0)
    return 0;
  *out = json_deep_copy(v);
  return *out ? 0 : SRV_ENOMEM;
}

void srv_settings_init(srv_settings_t *s) {
  *s = (srv_settings_t){.threshold = HX_DEFAULT_THRESHOLD,
                        .local_scope = HX_LOCAL_FUNCTION,
                        .hints = SRV_HINTS_BOTH,
                        .watch = 1,
                        .log_level = -1};
}

static void free_mappings(srv_path_mapping_t *m, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free((char *)m[i].from);
    free((char *)m[i].to);
  }
  free(m);
}

void srv_settings_close(srv_settings_t *s) {
  json_decref(s->profile);
  json_decref(s->base);
  free(s->sample_type);
  free(s->goroot);
  free(s->gomodcache);
  json_decref(s->rules);
  for (size_t i = 0; i < s->disabled_count; i++)
    free(s->disabled_rules[i]);
  free(s->disabled_rules);
  free_mappings(s->mappings, s->mapping_count);
  srv_fetch_close(&s->fetch);
  srv_settings_init(s);
}

const json_t *srv_settings_section(const json_t *json) {
  const json_t *inner =
      json_is_object(json) ? json_object_get(json, "heatls") : NULL;
  return json_is_object(inner) ? inner : json;
}

static char *dup_or_null(const char *s) {
  if (!s || !*s)
    return NULL;
  return strdup(s);
}

/* Reads one optional string member; -1 (msg set) when present but not a
 * string. *out stays NULL-or-old when absent. */
static int get_string(const json_t *obj, const char *key, const char **out,
                      int *present, char *msg, size_t size) {
  const json_t *v = json_object_get(obj, key);
  *present = v != NULL && !json_is_null(v);
  if (!*present)
    return 0;
  if (!json_is_string(v)) {
    snprintf(msg, size, "setting heatls.%s must be a string", key);
    return SRV_EINVAL;
  }
  *out = json_string_value(v);
  return 0;
}

static int one_of(const char *value, const char *const *names, int n) {
  for (int i = 0; i < n; i++)
    if (strcmp(value, names[i]) == 0)
      return i;
  return SRV_EINVAL;
}

static int parse_mappings(const json_t *v, srv_path_mapping_t **out,
                          size_t *count, char *msg, size_t size) {
  if (!json_is_array(v)) {
    snprintf(msg, size,
             "setting heatls.pathMappings must be an array of "
             "{\"from\", \"to\"} objects");
    return SRV_EINVAL;
  }
  size_t n = json_array_size(v);
  if (n > SRV_MAX_PATH_MAPPINGS) {
    snprintf(msg, size,
             "setting heatls.pathMappings has %zu entries (at "
             "most %d)",
             n, SRV_MAX_PATH_MAPPINGS);
    return SRV_EINVAL;
  }
  for (size_t i = 0; i < n; i++) {
    const json_t *e = json_array_get(v, i);
    const json_t *from = json_object_get(e, "from");
    const json_t *to = json_object_get(e, "to");
    if (!json_is_string(from) || !json_is_string(to) ||
        !*json_string_value(from) || !*json_string_value(to)) {
      snprintf(msg, size,
               "setting heatls.pathMappings[%zu] needs non-empty "
               "\"from\" and \"to\" strings",
               i);
      return SRV_EINVAL;
    }
  }
  srv_path_mapping_t *m = n ? calloc(n, sizeof *m) : NULL;
  if (n && !m)
    return SRV_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const json_t *e = json_array_get(v, i);
    m[i].from = strdup(json_string_value(json_object_get(e, "from")));
    m[i].to = strdup(json_string_value(json_object_get(e, "to")));
    if (!m[i].from || !m[i].to) {
      free_mappings(m, i + 1);
      return SRV_ENOMEM;
    }
  }
  *out = m;
  *count = n;
  return 0;
}

#define MAX_HEADERS 32

/* The fetch settings: base's with section's members applied, as a new
 * copy in *out. SRV_EINVAL (msg names the key, nothing allocated) or
 * SRV_ENOMEM. Header values never go into msg. */
static int parse_fetch(const srv_fetch_t *base, const json_t *section,
                       srv_fetch_t *out, char *msg, size_t size) {
  srv_fetch_t f = *base; /* borrows base's strings until the copy */
  const json_t *v = section ? json_object_get(section, "seconds") : NULL;
  if (v && !json_is_null(v)) {
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 86400) {
      snprintf(msg, size,
               "setting heatls.seconds must be an integer in "
               "[0, 86400]");
      return SRV_EINVAL;
    }
    f.seconds = (int)json_integer_value(v);
  }
  v = section ? json_object_get(section, "timeout") : NULL;
  if (v && !json_is_null(v)) {
    double t = json_is_number(v) ? json_number_value(v) : -1;
    if (!isfinite(t) || t < 0 || t > 86400) {
      snprintf(msg, size,
               "setting heatls.timeout must be a number of "
               "seconds in [0, 86400]");
      return SRV_EINVAL;
    }
    f.timeout = t;
  }
  static const char *const keys[] = {"caFile", "clientCert", "clientKey"};
  char **fields[] = {&f.ca_file, &f.cert, &f.key};
  int present;
  for (size_t i = 0; i < 3; i++) {
    const char *str = *fields[i];
    if (section && get_string(section, keys[i], &str, &present, msg, size) < 0)
      return SRV_EINVAL;
    if (section && present) /* "" clears, null changes nothing */
      *fields[i] = *str ? (char *)str : NULL;
  }
  v = section ? json_object_get(section, "headers") : NULL;
  const char **lines = NULL;
  if (v && !json_is_null(v)) {
    if (!json_is_object(v) || json_object_size(v) > MAX_HEADERS) {
      snprintf(msg, size,
               "setting heatls.headers must be an object of at "
               "most %d string values",
               MAX_HEADERS);
      return SRV_EINVAL;
    }
    const char *name;
    const json_t *value;
    json_object_foreach((json_t *)v, name, value) {
      if (!json_is_string(value) || !*name || strpbrk(name, ": \r\n") ||
          strpbrk(json_string_value(value), "\r\n")) {
        snprintf(msg, size,
                 "setting heatls.headers: \"%.64s\" needs a "
                 "name without ':' or spaces and a one-line "
                 "string value",
                 name);
        return SRV_EINVAL;
      }
    }
    f.header_count = json_object_size(v);
    f.headers = NULL;
    lines = calloc(f.header_count ? f.header_count : 1, sizeof *lines);
    if (!lines)
      return SRV_ENOMEM;
    size_t i = 0;
    json_object_foreach((json_t *)v, name, value) {
      size_t n = strlen(name) + strlen(json_string_value(value)) + 3;
      char *line = malloc(n);
      if (!line) {
        for (size_t j = 0; j < i; j++)
          free((char *)lines[j]);
        free(lines);
        return SRV_ENOMEM;
      }
      snprintf(line, n, "%s: %s", name, json_string_value(value));
      lines[i++] = line;
    }
    f.headers = (char **)lines;
  }
  int rc = srv_fetch_copy(&f, out);
  if (lines) {
    for (size_t i = 0; i < f.header_count; i++)
      free((char *)lines[i]);
    free(lines);
  }
  return rc;
}

/* One rule of the "rules" setting: its members' types (whether its
 * pattern compiles is told when it is first used). */
static int check_rule(const json_t *r, size_t i, char *msg, size_t size) {
  static const char *const strings[] = {"id",       "pattern",  "query",
                                        "regex",    "language", "message",
                                        "severity", "hot"};
  if (!json_is_object(r)) {
    snprintf(msg, size, "setting heatls.rules[%zu] must be an object", i);
    return SRV_EINVAL;
  }
  for (size_t k = 0; k < sizeof strings / sizeof *strings; k++) {
    const json_t *v = json_object_get(r, strings[k]);
    if (v && !json_is_string(v)) {
      snprintf(msg, size, "setting heatls.rules[%zu].%s must be a string", i,
               strings[k]);
      return SRV_EINVAL;
    }
  }
  int kinds = (json_object_get(r, "pattern") != NULL) +
              (json_object_get(r, "query") != NULL) +
              (json_object_get(r, "regex") != NULL);
  const char *id = json_string_value(json_object_get(r, "id"));
  const char *severity = json_string_value(json_object_get(r, "severity"));
  const json_t *level = json_object_get(r, "minLevel");
  static const char *const severities[] = {"error", "warning", "information",
                                           "hint"};
  if (!id || !*id || kinds != 1 ||
      !json_is_string(json_object_get(r, "message")) ||
      (json_object_get(r, "regex") == NULL &&
       !json_is_string(json_object_get(r, "language"))) ||
      (severity && one_of(severity, severities, 4) < 0) ||
      (level && (!json_is_integer(level) || json_integer_value(level) < 1 ||
                 json_integer_value(level) > 5))) {
    snprintf(msg, size,
             "setting heatls.rules[%zu] needs an id, one of "
             "pattern, query or regex, a language (but for a regex), a "
             "message, and may have minLevel (1 to 5), severity (error, "
             "warning, information, hint) and hot",
             i);
    return SRV_EINVAL;
  }
  return 0;
}

static int check_rules(const json_t *v, char *msg, size_t size) {
  if (!json_is_array(v) || json_array_size(v) > SRV_MAX_RULES) {
    snprintf(msg, size,
             "setting heatls.rules must be an array of at most "
             "%d rule objects",
             SRV_MAX_RULES);
    return SRV_EINVAL;
  }
  size_t i;
  const json_t *r;
  json_array_foreach(v, i, r) {
    if (check_rule(r, i, msg, size) < 0)
      return SRV_EINVAL;
  }
  return 0;
}

static int check_disabled(const json_t *v, char *msg, size_t size) {
  size_t i;
  const json_t *id;
  if (!json_is_array(v) || json_array_size(v) > SRV_MAX_RULES)
    goto bad;
  json_array_foreach(v, i, id) {
    if (!json_is_string(id))
      goto bad;
  }
  return 0;
bad:
  snprintf(msg, size,
           "setting heatls.disabledRules must be an array of at "
           "most %d rule ids",
           SRV_MAX_RULES);
  return SRV_EINVAL;
}

/* The disabled ids of v (an array checked above), or base's: copies. */
static int copy_disabled(const json_t *v, const srv_settings_t *base,
                         srv_settings_t *s) {
  size_t n = v ? json_array_size(v) : base->disabled_count;
  s->disabled_rules = n ? calloc(n, sizeof *s->disabled_rules) : NULL;
  s->disabled_count = 0;
  if (n && !s->disabled_rules)
    return SRV_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const char *id =
        v ? json_string_value(json_array_get(v, i)) : base->disabled_rules[i];
    if (!(s->disabled_rules[i] = strdup(id)))
      return SRV_ENOMEM;
    s->disabled_count++;
  }
  return 0;
}

int srv_settings_apply(const srv_settings_t *base, const json_t *section,
                       srv_settings_t *out, char *msg, size_t msg_size) {
  srv_settings_t s = *base;
  /* Strings and mappings are taken over below; until then s only borrows
   * base's, and nothing is freed on the error paths. */
  const char *sample_type = base->sample_type;
  const json_t *profile = base->profile, *bases = base->base;
  const char *goroot = base->goroot, *gomodcache = base->gomodcache;
  const char *str;
  int present;
  const json_t *v;
  if (section && !json_is_null(section) && !json_is_object(section)) {
    snprintf(msg, msg_size, "settings must be an object");
    return SRV_EINVAL;
  }
  if (!section || json_is_null(section))
    section = NULL;

  if (section) {
    static const char *const lists[] = {"profile", "base"};
    for (size_t k = 0; k < 2; k++) {
      v = json_object_get(section, lists[k]);
      if (!v || json_is_null(v))
        continue;
      if (!json_is_string(v) && !json_is_array(v)) {
        snprintf(msg, msg_size,
                 "setting heatls.%s must be a string or an array of "
                 "strings",
                 lists[k]);
        return SRV_EINVAL;
      }
      json_t *check;
      int rc = srv_paths_from_json(v, &check);
      json_decref(check);
      if (rc == SRV_EINVAL)
        snprintf(msg, msg_size,
                 "setting heatls.%s must be a string or an array of "
                 "non-empty strings",
                 lists[k]);
      if (rc < 0)
        return rc;
      if (k == 0)
        profile = v;
      else
        bases = v;
    }
    v = json_object_get(section, "normalize");
    if (v && !json_is_null(v)) {
      if (!json_is_boolean(v)) {
        snprintf(msg, msg_size,
                 "setting heatls.normalize must be true or false");
        return SRV_EINVAL;
      }
      s.normalize = json_is_true(v);
    }
    if (get_string(section, "sampleType", &sample_type, &present, msg,
                   msg_size) < 0)
      return SRV_EINVAL;
    if (get_string(section, "goroot", &goroot, &present, msg, msg_size) < 0)
      return SRV_EINVAL;
    if (get_string(section, "gomodcache", &gomodcache, &present, msg,
                   msg_size) < 0)
      return SRV_EINVAL;
    v = json_object_get(section, "threshold");
    if (v && !json_is_null(v)) {
      double t = json_is_number(v) ? json_number_value(v) : -1;
      if (!json_is_number(v) || !isfinite(t) || t <= 0 || t > 1) {
        snprintf(msg, msg_size,
                 "setting heatls.threshold must be a number in (0, 1]");
        return SRV_EINVAL;
      }
      s.threshold = t;
    }
    if (get_string(section, "localScope", &str, &present, msg, msg_size) < 0)
      return SRV_EINVAL;
    if (present) {
      static const char *const scopes[] = {"function", "file"};
      int i = one_of(str, scopes, 2);
      if (i < 0) {
        snprintf(msg, msg_size,
                 "setting heatls.localScope must be "
                 "\"function\" or \"file\"");
        return SRV_EINVAL;
      }
      s.local_scope = i == 0 ? HX_LOCAL_FUNCTION : HX_LOCAL_FILE;
    }
    if (get_string(section, "hints", &str, &present, msg, msg_size) < 0)
      return SRV_EINVAL;
    if (present) {
      int i = one_of(str, hints_names, 4);
      if (i < 0) {
        snprintf(msg, msg_size,
                 "setting heatls.hints must be \"global\", "
                 "\"local\", \"both\" or \"off\"");
        return SRV_EINVAL;
      }
      s.hints = (srv_hints_t)i;
    }
    v = json_object_get(section, "watch");
    if (v && !json_is_null(v)) {
      if (!json_is_boolean(v)) {
        snprintf(msg, msg_size, "setting heatls.watch must be true or false");
        return SRV_EINVAL;
      }
      s.watch = json_is_true(v);
    }
    if (get_string(section, "logLevel", &str, &present, msg, msg_size) < 0)
      return SRV_EINVAL;
    if (present) {
      int level = srv_log_level_from_name(str);
      if (level < 0) {
        snprintf(msg, msg_size,
                 "setting heatls.logLevel must be \"error\", "
                 "\"warn\", \"info\" or \"debug\"");
        return SRV_EINVAL;
      }
      s.log_level = level;
    }
  }

  const json_t *rules = section ? json_object_get(section, "rules") : NULL;
  if (rules && json_is_null(rules))
    rules = NULL;
  if (rules && check_rules(rules, msg, msg_size) < 0)
    return SRV_EINVAL;
  const json_t *disabled =
      section ? json_object_get(section, "disabledRules") : NULL;
  if (disabled && json_is_null(disabled))
    disabled = NULL;
  if (disabled && check_disabled(disabled, msg, msg_size) < 0)
    return SRV_EINVAL;
  int rc = parse_fetch(&base->fetch, section, &s.fetch, msg, msg_size);
  if (rc < 0)
    return rc;

  /* Every value is valid: build the copy. */
  v = section ? json_object_get(section, "pathMappings") : NULL;
  if (v && !json_is_null(v)) {
    rc = parse_mappings(v, &s.mappings, &s.mapping_count, msg, msg_size);
    if (rc < 0) {
      srv_fetch_close(&s.fetch);
      return rc;
    }
  } else {
    s.mappings = base->mapping_count
                     ? calloc(base->mapping_count, sizeof *s.mappings)
                     : NULL;
    if (base->mapping_count && !s.mappings) {
      srv_fetch_close(&s.fetch);
      return SRV_ENOMEM;
    }
    for (size_t i = 0; i < base->mapping_count; i++) {
      s.mappings[i].from = strdup(base->mappings[i].from);
      s.mappings[i].to = strdup(base->mappings[i].to);
      if (!s.mappings[i].from || !s.mappings[i].to) {
        free_mappings(s.mappings, i + 1);
        srv_fetch_close(&s.fetch);
        return SRV_ENOMEM;
      }
    }
    s.mapping_count = base->mapping_count;
  }
  s.profile = NULL;
  s.base = NULL;
  int paths_rc = srv_paths_from_json(profile, &s.profile);
  if (paths_rc == 0)
    paths_rc = srv_paths_from_json(bases, &s.base);
  s.sample_type = dup_or_null(sample_type);
  s.goroot = dup_or_null(goroot);
  s.gomodcache = dup_or_null(gomodcache);
  /* A deep copy: the rules must not change under the settings' owner. */
  s.rules = rules         ? json_deep_copy(rules)
            : base->rules ? json_deep_copy(base->rules)
                          : NULL;
  int disabled_rc = copy_disabled(disabled, base, &s);
  if (disabled_rc < 0 || ((rules || base->rules) && !s.rules) ||
      (paths_rc == SRV_ENOMEM) ||
      (sample_type && *sample_type && !s.sample_type) ||
      (goroot && *goroot && !s.goroot) ||
      (gomodcache && *gomodcache && !s.gomodcache)) {
    json_decref(s.profile);
    json_decref(s.base);
    free(s.sample_type);
    free(s.goroot);
    free(s.gomodcache);
    json_decref(s.rules);
    for (size_t i = 0; i < s.disabled_count; i++)
      free(s.disabled_rules[i]);
    free(s.disabled_rules);
    free_mappings(s.mappings, s.mapping_count);
    srv_fetch_close(&s.fetch);
    return SRV_ENOMEM;
  }
  *out = s;
  return 0;
}
