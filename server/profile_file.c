/*
 * profile_file.c: a profile file read in chunks into an index loader
 * (profile_file.h).
 */
#include "profile_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK ((size_t)1 << 18)

int srv_profile_file_open(const char *path, srv_profile_file_t *f,
                          hx_error_t *err) {
  memset(f, 0, sizeof *f);
  f->fd = -1;
  int fd;
  do
    fd = open(path, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return hx_error_set(err, HX_EIO, "%s", strerror(errno));
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0)
    rc = hx_error_set(err, HX_EIO, "%s", strerror(errno));
  else if (S_ISDIR(st.st_mode))
    rc = hx_error_set(err, HX_EIO, "is a directory");
  else if (!S_ISREG(st.st_mode))
    rc = hx_error_set(err, HX_EIO, "not a regular file");
  if (rc < 0) {
    close(fd);
    return rc;
  }
  f->fd = fd;
  f->size = (int64_t)st.st_size;
  f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  f->inode = (int64_t)st.st_ino;
  return 0;
}

/* Reads f to its end into l. */
static int feed_file(srv_profile_file_t *f, hx_loader_t *l, hx_error_t *err) {
  if (f->fd < 0)
    return hx_error_set(err, HX_EINVAL, "the file is not open");
  uint8_t *chunk = malloc(READ_CHUNK);
  if (!chunk)
    return hx_error_set(err, HX_ENOMEM, "out of memory");
  int rc = 0;
  for (;;) {
    ssize_t n = read(f->fd, chunk, READ_CHUNK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      rc = hx_error_set(err, HX_EIO, "read: %s", strerror(errno));
      break;
    }
    if (n == 0 || (rc = hx_loader_feed(l, chunk, (size_t)n, err)) < 0)
      break;
  }
  free(chunk);
  return rc;
}

static int load_with(srv_profile_file_t *f, hx_loader_t *l, hx_index_t **out,
                     hx_error_t *err) {
  int rc = feed_file(f, l, err);
  return rc < 0 ? rc : hx_loader_finish(l, out, err);
}

int srv_profile_file_load(srv_profile_file_t *f, const hx_options_t *opts,
                          hx_index_t **out, hx_error_t *err) {
  *out = NULL;
  hx_loader_t *l;
  int rc = hx_loader_new(opts, &l, err);
  if (rc < 0)
    return rc;
  rc = load_with(f, l, out, err);
  hx_loader_free(l);
  return rc;
}

void srv_profile_file_close(srv_profile_file_t *f) {
  if (f->fd >= 0)
    close(f->fd);
  f->fd = -1;
}

int srv_profile_file_read(const char *path, const hx_options_t *opts,
                          hx_index_t **out, srv_profile_file_t *file,
                          hx_error_t *err) {
  *out = NULL;
  srv_profile_file_t f = {.fd = -1};
  /* Options first, as a load has always checked them: a bad option is
   * reported before a missing file. */
  hx_loader_t *l;
  int rc = hx_loader_new(opts, &l, err);
  if (rc < 0)
    return rc;
  if ((rc = srv_profile_file_open(path, &f, err)) == 0)
    rc = load_with(&f, l, out, err);
  hx_loader_free(l);
  srv_profile_file_close(&f);
  if (file)
    *file = f;
  return rc;
}
