/*
 * profile_file.h: reading a profile file into the index.
 *
 * The index does no IO (heat_index.h): this opens the file, checks that it
 * is a regular file, reads it in chunks and feeds a loader. Opening and
 * reading are separate steps, and what is recorded of the file (size,
 * modification time, inode) comes from fstat() of the descriptor that is
 * read, at open: a file replaced or rewritten after the open is seen as
 * changed by whoever compares these with the path later (the watcher),
 * instead of the new file's stat being recorded against the old content.
 *
 * Plain C on libc and the index's public API; no libuv, no JSON. Errors
 * use the index's codes and hx_error_t: HX_EIO for what cannot be opened
 * or read (the message is strerror's text, "is a directory" or "not a
 * regular file"), the loader's codes for the content. Messages name no
 * file: callers add the path.
 */
#ifndef HEATLS_PROFILE_FILE_H
#define HEATLS_PROFILE_FILE_H

#include <stdint.h>

#include "heat_index.h"

typedef struct srv_profile_file {
  int fd;           /* -1 when not open */
  int64_t size;     /* st_size at open */
  int64_t mtime_ns; /* st_mtim at open, in nanoseconds */
  int64_t inode;    /* st_ino */
} srv_profile_file_t;

/* Opens path for reading and records its stat. On success f is open (close
 * it with srv_profile_file_close); on failure f->fd is -1 and err says why
 * (HX_EIO). */
int srv_profile_file_open(const char *path, srv_profile_file_t *f,
                          hx_error_t *err);

/* Reads the open file f to its end into a loader with opts and builds the
 * index: a new index in *out, owned by the caller (hx_index_free); NULL on
 * failure. f stays open. */
int srv_profile_file_load(srv_profile_file_t *f, const hx_options_t *opts,
                          hx_index_t **out, hx_error_t *err);

/* Closes f if it is open; a closed or failed f is fine. */
void srv_profile_file_close(srv_profile_file_t *f);

/* Options checked, path opened, read, loaded and closed in one call: a new
 * index in *out as for srv_profile_file_load, and when file is not NULL
 * the recorded stat in it (closed). */
int srv_profile_file_read(const char *path, const hx_options_t *opts,
                          hx_index_t **out, srv_profile_file_t *file,
                          hx_error_t *err);

#endif
