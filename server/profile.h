/*
 * profile.h: a loaded profile: its index, where it came from, and the
 * tables that map its file paths to this machine's files.
 *
 * srv_profile_build() does all of a load that may block (reading the
 * source, building the index, walking the workspace folders) and touches
 * nothing but its arguments, so that it can run on a worker thread. The
 * model owns the result once it is installed.
 */
#ifndef HEATLS_SRV_PROFILE_H
#define HEATLS_SRV_PROFILE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "go_paths.h"
#include "heat_index.h"
#include "path_map.h"
#include "source.h"
#include "workspace_scan.h"

/* A profile file and the local file Go's paths give it. */
typedef struct srv_go_link {
  const char *local; /* borrowed from go_local */
  uint32_t file;
} srv_go_link_t;

/* The new side of a load (its profiles merged, without a base), shared
 * by the profiles made from it: heatls.compare sets or clears a base
 * without reading the profiles again. The count is atomic because a
 * profile being built on a worker holds a reference too. */
typedef struct srv_plain {
  hx_index_t *index;
  atomic_uint refs;
} srv_plain_t;

typedef struct srv_profile {
  /* What is shown: the plain index itself, or its diff with the bases. */
  hx_index_t *index;
  srv_plain_t *plain;  /* one reference */
  srv_source_t source; /* the first profile */
  /* The other profiles merged with it, and the bases of a diff. */
  srv_source_t *more, *bases; /* owned */
  size_t more_count, base_count;
  int normalize;
  char *sample_type;       /* the sampleType asked for, NULL: default */
  const char **file_paths; /* the index's file paths (array owned) */
  srv_path_map_t *paths;
  /* Files under the workspace folders that share a base name with a
   * profile file, as they were at load time. */
  srv_scan_t workspace;
  /* The local file of each profile file by Go's own paths (go_paths.h):
   * go_local[file] or NULL (owned); go_back: the files that have one,
   * sorted by it, for the way back. */
  char **go_local;
  struct srv_go_link *go_back;
  size_t go_count;
  /* What the descriptor the index was read from said (fstat), so that a
   * watch event that changed nothing does not reload the file, and a file
   * replaced during the load is reloaded; zero for a fetched profile. */
  int64_t mtime_ns, size, inode;
} srv_profile_t;

/* What to build. Everything is borrowed for the call. */
typedef struct srv_profile_spec {
  /* The profiles (at least one), merged in this order, then the bases
   * (none: not a diff). */
  const srv_source_t *sources;
  size_t source_count;
  const srv_source_t *bases;
  size_t base_count;
  int normalize;
  /* bodies[i]: the downloaded bytes (gzipped or raw) of URL source i, the
   * bases counted after the profiles; taken: emptied while they are
   * indexed. Files are read here. NULL when no source is a URL. */
  srv_bytes_t *bodies;
  /* The new side, already loaded (heatls.compare): the profiles are not
   * read again, and the bases are compared with it. NULL: read them. */
  srv_plain_t *plain;
  const hx_options_t *options;
  const char *const *roots; /* workspace folders to scan */
  size_t root_count;
  const srv_go_settings_t *go; /* GOROOT and module cache as set */
} srv_profile_spec_t;

/* Builds *out (new, owned by the caller) from spec. On failure returns a
 * negative HX_E* code with err's message (which names no file), *out is
 * NULL and *culprit is the source to blame: i for sources[i],
 * source_count + j for bases[j], SIZE_MAX for none. Blocking: call it on
 * a worker thread. */
int srv_profile_build(const srv_profile_spec_t *spec, srv_profile_t **out,
                      size_t *culprit, hx_error_t *err);

/* A new plain side holding index (taken), one reference; NULL when out
 * of memory (index freed). */
srv_plain_t *srv_plain_new(hx_index_t *index);
srv_plain_t *srv_plain_ref(srv_plain_t *plain);
void srv_plain_unref(srv_plain_t *plain); /* NULL is fine */

/* 1 when the profile is a diff against a base. */
int srv_profile_is_diff(const srv_profile_t *profile);

void srv_profile_free(srv_profile_t *profile); /* NULL is fine */

/* The local file that shows profile file `file` by Go's own paths, or
 * NULL (borrowed). */
const char *srv_profile_go_local(const srv_profile_t *profile, size_t file);

/* The profile file whose Go local file is local_path, or -1. */
long srv_profile_go_file(const srv_profile_t *profile, const char *local_path);

/* The base name of a profile file path (split on '/' and '\\'); borrowed
 * from path. */
const char *srv_profile_base_name(const char *path);

/* The local files' candidates for profile file `file` found by the scan
 * (borrowed): [*first, *first + n) of profile->workspace.paths. */
size_t srv_profile_scanned(const srv_profile_t *profile, size_t file,
                           size_t *first);

#endif
