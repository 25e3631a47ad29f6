/*
 * source.h: where a profile comes from, as a value of its own.
 *
 * A source is a file on this machine or a URL to fetch (a running
 * service's /debug/pprof, or any http(s) server) with the options of the
 * fetch; several files and a base to compare with are further kinds of
 * the same value. The model compares sources (is this load a reload of
 * what is loaded?), copies them into load jobs and names them in
 * messages, and never looks inside one for a path string.
 */
#ifndef HEATLS_SRV_SOURCE_H
#define HEATLS_SRV_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef enum srv_source_kind {
  SRV_SOURCE_NONE = 0,
  SRV_SOURCE_FILE,     /* a profile file on this machine */
  SRV_SOURCE_URL,      /* a profile fetched over http or https */
  SRV_SOURCE_PYROSCOPE /* a merge of a Grafana Pyroscope server's profiles */
} srv_source_kind_t;

/* What a Pyroscope source asks for (pyro_source.h). Times are kept as the
 * user wrote them ("now-1h", "1733459000", "2026-12-06T04:00:00Z") and
 * resolved when the query is sent, so that a reload of "now-1h" asks for
 * the last hour again. Strings owned by whoever holds the value. */
typedef struct srv_pyro_query {
  char *server;   /* http(s)://[user:password@]host[:port][/prefix] */
  char *selector; /* a label selector: {service_name="checkout"} */
  char *type_id;  /* name:sample_type:sample_unit:period_type:period_unit */
  char *from, *until; /* NULL: the default (now-1h, now) */
} srv_pyro_query_t;

/* How a URL is fetched. Strings are owned by whoever holds the value. */
typedef struct srv_fetch {
  int seconds;    /* the capture's duration (seconds=N); 0: none */
  double timeout; /* seconds; 0: 1.5 x seconds, or 60 without them */
  char *ca_file;  /* PEM CA bundle to verify with; NULL: the system's */
  char *cert;     /* client certificate (PEM), or NULL */
  char *key;      /* its key (PEM), or NULL */
  char **headers; /* "Name: value" lines sent as they are */
  size_t header_count;
  uint64_t max_bytes; /* cap on the body; 0: SRV_FETCH_MAX_BYTES */
} srv_fetch_t;

#define SRV_FETCH_MAX_BYTES ((uint64_t)1 << 30)
#define SRV_FETCH_DEFAULT_TIMEOUT 60.0

typedef struct srv_source {
  srv_source_kind_t kind;
  char *path;   /* FILE: the absolute path; URL: the URL fetched (owned) */
  char *name;   /* URL: "live: host:port cpu 30s" (owned); FILE: NULL */
  int insecure; /* URL: https+insecure:// (no certificate check) */
  srv_fetch_t fetch;     /* URL, PYROSCOPE: how (owned copies) */
  srv_pyro_query_t pyro; /* PYROSCOPE: what (owned) */
} srv_source_t;

/* *out becomes a FILE source for `path` as a user gave it: "~/x" is under
 * $HOME, a relative path under base_dir (NULL: the working directory).
 * 0 or SRV_ENOMEM. */
int srv_source_file(const char *path, const char *base_dir, srv_source_t *out);

/* *out becomes the source `arg` names, by go tool pprof's rules: a
 * string with the scheme http://, https:// or https+insecure:// is a
 * URL (pyroscope+http:// and pyroscope+https:// a Pyroscope query,
 * pyro_source.h); else one that names an existing file is that file; else one
 * that looks like host:port[/path] is http:// and it; else a file. A URL's
 * empty path or "/" is /debug/pprof/profile, and fetch->seconds adds
 * seconds=N. fetch (borrowed, NULL: defaults) is copied into a URL
 * source. 0; SRV_EINVAL for another scheme or a URL without a host (msg
 * says why); SRV_ENOMEM. */
int srv_source_parse(const char *arg, const char *base_dir,
                     const srv_fetch_t *fetch, srv_source_t *out, char *msg,
                     size_t msg_size);

/* The whole fetch's time limit in milliseconds. */
uint64_t srv_source_timeout_ms(const srv_source_t *src);

/* *out becomes a deep copy of *src. 0 or SRV_ENOMEM (*out empty then). */
int srv_source_copy(const srv_source_t *src, srv_source_t *out);

/* 1 when both name the same profile. */
int srv_source_equal(const srv_source_t *a, const srv_source_t *b);

/* The source for people and messages (the path of a file, "live:
 * host:port cpu 30s" for a URL); borrowed. Never a credential. */
const char *srv_source_name(const srv_source_t *src);

/* The file a watcher should follow for this source, or NULL (borrowed). */
const char *srv_source_watch_path(const srv_source_t *src);

void srv_source_close(srv_source_t *src); /* leaves it NONE */

/* Fetch options: a deep copy (0 or SRV_ENOMEM, *out empty then), and
 * freeing what one owns (leaves it zero). */
int srv_fetch_copy(const srv_fetch_t *src, srv_fetch_t *out);
void srv_fetch_close(srv_fetch_t *f);

#endif
