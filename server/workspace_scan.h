/*
 * workspace_scan.h: finding the files under the workspace folders that a
 * profile may name, for showing profile files no open document shows
 * (heatls.hotspots' uri).
 *
 * A scan walks each folder (symbolic links not followed; hidden folders
 * and node_modules skipped; at most SRV_SCAN_MAX_ENTRIES directory entries
 * and SRV_SCAN_MAX_DEPTH levels in all) and keeps the regular files whose
 * base name is one of the profile's base names. It runs on the load's
 * worker thread, so it sees the folders as they were at load time.
 */
#ifndef HEATLS_SRV_WORKSPACE_SCAN_H
#define HEATLS_SRV_WORKSPACE_SCAN_H

#include <stddef.h>

#define SRV_SCAN_MAX_ENTRIES 200000
#define SRV_SCAN_MAX_DEPTH 32

typedef struct srv_scan {
  char **paths; /* absolute paths, sorted by base name then path (owned) */
  size_t count;
  int truncated; /* a limit was reached */
} srv_scan_t;

/* Scans roots[0..root_count) for files whose base name is the base name of
 * one of profile_paths[0..path_count) (paths split on '/' and '\\').
 * 0, or -1 when out of memory (out is then empty). */
int srv_scan_run(const char *const *roots, size_t root_count,
                 const char *const *profile_paths, size_t path_count,
                 srv_scan_t *out);

/* The scanned files whose base name is `base`: [*first, *first + n). */
size_t srv_scan_find(const srv_scan_t *scan, const char *base, size_t *first);

void srv_scan_close(srv_scan_t *scan);

#endif
