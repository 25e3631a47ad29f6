/*
 * profile_file.c: a profile file read into an index loader, whole when it
 * is gzip, in chunks otherwise (profile_file.h).
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

/* Reads up to cap bytes of f into buf; the count read (less than cap only
 * at the end of the file), or -1 with errno set. */
static ssize_t read_up_to(int fd, uint8_t *buf, size_t cap) {
  size_t got = 0;
  while (got < cap) {
    ssize_t n = read(fd, buf + got, cap - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

/* A gzip file read whole and given to the loader at once, which inflates
 * it in one piece (hx_loader_feed_all): 1 when done (or failed: rc in
 * *rc), 0 when the file is better read in chunks, untouched: not at its
 * start, not gzip, over the cap on the raw size (a
 * gzip file is never larger than what it inflates to, give or take its
 * header), or no memory for it. The buffer is freed before the finish, so
 * the compressed and the decoded profile are not both held past the
 * inflate. A file that grows while it is read is fed as it comes. */
static int feed_whole(srv_profile_file_t *f, hx_loader_t *l,
                      uint64_t max_decompressed, int *rc, hx_error_t *err) {
  uint8_t magic[2];
  if ((uint64_t)f->size > max_decompressed || lseek(f->fd, 0, SEEK_CUR) != 0 ||
      pread(f->fd, magic, 2, 0) != 2 || magic[0] != 0x1f || magic[1] != 0x8b)
    return 0;
  size_t cap = (size_t)f->size + 1; /* one more: the end is seen */
  uint8_t *buf = malloc(cap);
  if (!buf)
    return 0;
  ssize_t n = read_up_to(f->fd, buf, cap);
  if (n < 0)
    *rc = hx_error_set(err, HX_EIO, "read: %s", strerror(errno));
  else if ((size_t)n < cap)
    *rc = hx_loader_feed_all(l, buf, (size_t)n, err);
  else if ((*rc = hx_loader_feed(l, buf, (size_t)n, err)) == 0)
    *rc = feed_file(f, l, err); /* it grew: the rest in chunks */
  free(buf);
  return 1;
}

static int load_with(srv_profile_file_t *f, hx_loader_t *l,
                     const hx_options_t *opts, hx_index_t **out,
                     hx_error_t *err) {
  uint64_t max = opts && opts->max_decompressed ? opts->max_decompressed
                                                : HX_DEFAULT_MAX_DECOMPRESSED;
  int rc = 0;
  if (f->fd < 0 || !feed_whole(f, l, max, &rc, err))
    rc = feed_file(f, l, err);
  return rc < 0 ? rc : hx_loader_finish(l, out, err);
}

int srv_profile_file_load(srv_profile_file_t *f, const hx_options_t *opts,
                          hx_index_t **out, hx_error_t *err) {
  *out = NULL;
  hx_loader_t *l;
  int rc = hx_loader_new(opts, &l, err);
  if (rc < 0)
    return rc;
  rc = load_with(f, l, opts, out, err);
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
    rc = load_with(&f, l, opts, out, err);
  hx_loader_free(l);
  srv_profile_file_close(&f);
  if (file)
    *file = f;
  return rc;
}
