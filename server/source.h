/*
 * source.h: where a profile comes from, as a value of its own.
 *
 * Today a source is a file; URLs, several files and a base to compare with
 * are further kinds of the same value. The model compares sources (is this
 * load a reload of what is loaded?), copies them into load jobs and names
 * them in messages, and never looks inside one for a path string.
 */
#ifndef HEATLS_SRV_SOURCE_H
#define HEATLS_SRV_SOURCE_H

typedef enum srv_source_kind {
  SRV_SOURCE_NONE = 0,
  SRV_SOURCE_FILE /* a profile file on this machine */
} srv_source_kind_t;

typedef struct srv_source {
  srv_source_kind_t kind;
  char *path; /* FILE: the absolute path (owned) */
} srv_source_t;

/* *out becomes a FILE source for `path` as a user gave it: "~/x" is under
 * $HOME, a relative path under base_dir (NULL: the working directory).
 * 0 or SRV_ENOMEM. */
int srv_source_file(const char *path, const char *base_dir,
                    srv_source_t *out);

/* *out becomes a deep copy of *src. 0 or SRV_ENOMEM (*out empty then). */
int srv_source_copy(const srv_source_t *src, srv_source_t *out);

/* 1 when both name the same profile. */
int srv_source_equal(const srv_source_t *a, const srv_source_t *b);

/* The source for people and messages (the path of a file); borrowed. */
const char *srv_source_name(const srv_source_t *src);

/* The file a watcher should follow for this source, or NULL (borrowed). */
const char *srv_source_watch_path(const srv_source_t *src);

void srv_source_close(srv_source_t *src); /* leaves it NONE */

#endif
