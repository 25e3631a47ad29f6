/*
 * settings.h: the "heatls" settings section (docs/protocol.md, Settings).
 *
 * Settings arrive as JSON in initializationOptions and
 * workspace/didChangeConfiguration. srv_settings_apply() validates a whole
 * object before it changes anything, so a bad value leaves the settings in
 * force as they were.
 */
#ifndef HEATLS_SRV_SETTINGS_H
#define HEATLS_SRV_SETTINGS_H

#include <stddef.h>

#include <jansson.h>

#include "heat_index.h"
#include "path_map.h"
#include "source.h"

/* What inlay hints show, and which level clients paint. */
typedef enum srv_hints {
  SRV_HINTS_BOTH = 0,
  SRV_HINTS_GLOBAL,
  SRV_HINTS_LOCAL,
  SRV_HINTS_OFF
} srv_hints_t;

#define SRV_MAX_PATH_MAPPINGS 64
#define SRV_MAX_RULES 64

typedef struct srv_settings {
  /* Profiles to load, merged (files, URLs, globs): an array of strings
   * (owned reference), NULL for none; a string setting is an array of
   * one. */
  json_t *profile;
  json_t *base;     /* bases to compare with, merged, as profile; NULL: none */
  int normalize;    /* scale the base by total(profile) / total(base) */
  double threshold; /* in (0, 1] */
  hx_local_scope_t local_scope;
  char *sample_type; /* NULL for the default choice */
  char *goroot;      /* the local GOROOT; NULL: looked up (go_paths.h) */
  char *gomodcache;  /* the local module cache; NULL: looked up */
  srv_hints_t hints;
  srv_path_mapping_t *mappings; /* from/to strings owned here */
  size_t mapping_count;
  int watch;
  int log_level; /* an srv_log_level_t, or -1 when not set */
  /* How URL sources are fetched: seconds, timeout, caFile, clientCert,
   * clientKey, headers (values owned here, never logged). */
  srv_fetch_t fetch;
  /* Hot-path diagnostics (diagnostics.h): the user's rules, checked for
   * shape here (an array of objects; owned reference, NULL for none), and
   * the ids of rules turned off (owned strings). */
  json_t *rules;
  char **disabled_rules;
  size_t disabled_count;
} srv_settings_t;

/* The defaults. */
void srv_settings_init(srv_settings_t *s);

/* Frees what s owns and leaves the defaults. */
void srv_settings_close(srv_settings_t *s);

/* The object that holds the settings: json["heatls"] when json is an
 * object with an object member "heatls", else json itself (borrowed). */
const json_t *srv_settings_section(const json_t *json);

/* *out becomes a new copy of *base with the members of section (borrowed;
 * NULL or null means no change) applied; the caller closes it. On a bad
 * value, returns SRV_EINVAL with msg naming the key and *out untouched;
 * SRV_ENOMEM when out of memory. Unknown keys are ignored. */
int srv_settings_apply(const srv_settings_t *base, const json_t *section,
                       srv_settings_t *out, char *msg, size_t msg_size);

/* "both", "global", "local", "off". */
const char *srv_hints_name(srv_hints_t hints);

/* 1 when both lists of paths are the same (NULL equals NULL). */
int srv_settings_same_paths(const json_t *a, const json_t *b);

/* A path list as the settings and the commands take it: a string or an
 * array of strings. *out is a new array (NULL for "" or []); SRV_EINVAL
 * for another shape or an empty string in an array, SRV_ENOMEM. */
int srv_paths_from_json(const json_t *v, json_t **out);

/* 1 when both name the same profile (NULL equals NULL). */
int srv_settings_same_string(const char *a, const char *b);

#endif
