/*
 * test_profile_file.c: a profile file read into the index
 * (server/profile_file.h).
 *
 *   - a golden profile read in one call builds the same index as its bytes
 *     in memory, and the recorded size, mtime and inode are the file's;
 *   - the race a stat() of the path after the load lost: the path is
 *     opened, another profile is renamed over it, then the load runs. The
 *     index is the opened file's, and so are the recorded inode, mtime and
 *     size, not those of what the path names by then;
 *   - a gzip file that grows between the open and the load loads as the
 *     file, with what was appended;
 *   - the errors, with the messages the CLI prints: a missing file, a
 *     directory, not a regular file, an empty file, an unreadable one, a
 *     read that fails, a load from a closed file; bad options come before
 *     a missing file.
 *
 * Usage: test_profile_file TESTDATA_DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "fixtures.h"
#include "profile_file.h"

static const char *testdata;

static int64_t mtime_ns(const struct stat *st) {
  return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* The dump of the index hx_index_load_buffer builds from path's bytes. */
static int dump_of_bytes(const char *path, uint8_t **dump, size_t *len) {
  uint8_t *buf = NULL;
  size_t n = 0;
  hx_index_t *ix = NULL;
  if (fx_read_file(path, &buf, &n) < 0)
    return -1;
  int rc = hx_index_load_buffer(buf, n, NULL, &ix, NULL);
  free(buf);
  if (rc == 0)
    rc = fx_index_dump(ix, dump, len);
  hx_index_free(ix);
  return rc;
}

static void check_index_is(const hx_index_t *ix, const char *path) {
  uint8_t *want = NULL, *got = NULL;
  size_t want_len = 0, got_len = 0;
  CHECK_INT(dump_of_bytes(path, &want, &want_len), 0);
  CHECK(ix != NULL);
  if (ix)
    CHECK_INT(fx_index_dump(ix, &got, &got_len), 0);
  CHECK(want && got && want_len == got_len &&
        memcmp(want, got, want_len) == 0);
  free(want);
  free(got);
}

static void golden_path(char *out, size_t size, const char *name,
                        const char *ext) {
  snprintf(out, size, "%s/golden/%s/%s%s", testdata, name, name, ext);
}

static int copy_file(const char *from, const char *to) {
  uint8_t *buf = NULL;
  size_t n = 0;
  if (fx_read_file(from, &buf, &n) < 0)
    return -1;
  FILE *f = fopen(to, "wb");
  int rc = f && fwrite(buf, 1, n, f) == n ? 0 : -1;
  if (f && fclose(f) != 0)
    rc = -1;
  free(buf);
  return rc;
}

static void test_one_call(void) {
  char path[1024];
  golden_path(path, sizeof path, "utf8", ".pb.gz");
  hx_index_t *ix = (hx_index_t *)(uintptr_t)1;
  srv_profile_file_t file;
  hx_error_t err = {0};
  int rc = srv_profile_file_read(path, NULL, &ix, &file, &err);
  if (rc != 0)
    fprintf(stderr, "  %s: %s\n", path, err.message);
  CHECK_INT(rc, 0);
  check_index_is(ix, path);
  hx_index_free(ix);
  struct stat st;
  CHECK_INT(stat(path, &st), 0);
  CHECK_INT(file.size, st.st_size);
  CHECK_INT(file.inode, st.st_ino);
  CHECK_INT(file.mtime_ns, mtime_ns(&st));
  CHECK_INT(file.fd, -1); /* closed */

  /* Raw and without a stat to record. */
  golden_path(path, sizeof path, "sort-uncompressed", ".pb");
  ix = NULL;
  CHECK_INT(srv_profile_file_read(path, NULL, &ix, NULL, NULL), 0);
  check_index_is(ix, path);
  hx_index_free(ix);

  /* Opened, loaded and closed in steps; options are used. */
  golden_path(path, sizeof path, "json-heap", ".pb.gz");
  srv_profile_file_t f;
  CHECK_INT(srv_profile_file_open(path, &f, NULL), 0);
  CHECK(f.fd >= 0);
  hx_options_t opts;
  hx_options_init(&opts);
  opts.sample_type = "inuse_space";
  ix = NULL;
  CHECK_INT(srv_profile_file_load(&f, &opts, &ix, NULL), 0);
  CHECK(ix != NULL);
  if (ix)
    CHECK_STR(hx_index_summary(ix)->sample_type.type, "inuse_space");
  hx_index_free(ix);
  srv_profile_file_close(&f);
  CHECK_INT(f.fd, -1);
  srv_profile_file_close(&f); /* twice is fine */
}

/* The path is opened, then another profile is renamed over it, then the
 * load runs. Recorded before, a stat() of the path after the load gave the
 * new file's inode and mtime for the old file's content: the watcher then
 * saw nothing to reload. */
static void test_replaced_during_load(void) {
  char dir[256], path[512], next[512], first[1024], second[1024];
  CHECK_INT(pb_make_temp_dir(dir, sizeof dir), 0);
  snprintf(path, sizeof path, "%s/cpu.pb.gz", dir);
  snprintf(next, sizeof next, "%s/cpu.pb.gz.new", dir);
  golden_path(first, sizeof first, "utf8", ".pb.gz");
  golden_path(second, sizeof second, "bufio", ".pb.gz");
  CHECK_INT(copy_file(first, path), 0);
  CHECK_INT(copy_file(second, next), 0);
  /* Give the two files mtimes a second apart, whatever the clock did. */
  struct timespec old_times[2] = {{1000000000, 111}, {1000000000, 111}};
  struct timespec new_times[2] = {{1000000001, 222}, {1000000001, 222}};
  CHECK_INT(utimensat(AT_FDCWD, path, old_times, 0), 0);
  CHECK_INT(utimensat(AT_FDCWD, next, new_times, 0), 0);
  struct stat before, after;
  CHECK_INT(stat(path, &before), 0);

  srv_profile_file_t f;
  hx_error_t err = {0};
  CHECK_INT(srv_profile_file_open(path, &f, &err), 0);
  CHECK_INT(rename(next, path), 0);
  CHECK_INT(stat(path, &after), 0);
  CHECK(after.st_ino != before.st_ino);

  hx_index_t *ix = NULL;
  CHECK_INT(srv_profile_file_load(&f, NULL, &ix, &err), 0);
  srv_profile_file_close(&f);
  check_index_is(ix, first); /* the content that was opened */
  hx_index_free(ix);
  CHECK_INT(f.inode, before.st_ino);
  CHECK_INT(f.mtime_ns, mtime_ns(&before));
  CHECK_INT(f.mtime_ns, 1000000000000000111);
  CHECK_INT(f.size, before.st_size);
  /* ... so the path, which now names the other file, looks changed. */
  CHECK(f.inode != (int64_t)after.st_ino);
  CHECK(f.mtime_ns != mtime_ns(&after));
  CHECK(f.size != (int64_t)after.st_size);

  unlink(path);
  rmdir(dir);
}

/* srv_profile_file_read on path fails with code and exactly message. */
static void expect_error(const char *what, const char *path, int code,
                         const char *message) {
  hx_index_t *ix = (hx_index_t *)(uintptr_t)1;
  hx_error_t err;
  memset(&err, 'x', sizeof err);
  int rc = srv_profile_file_read(path, NULL, &ix, NULL, &err);
  int terminated = memchr(err.message, '\0', sizeof err.message) != NULL;
  if (rc != code || !terminated || strcmp(err.message, message) != 0)
    fprintf(stderr, "  %s: got %d \"%s\", want %d \"%s\"\n", what, rc,
            terminated ? err.message : "(unterminated)", code, message);
  CHECK_INT(rc, code);
  CHECK_INT(err.code, code);
  CHECK(ix == NULL);
  CHECK(terminated);
  if (terminated)
    CHECK_STR(err.message, message);
  /* Without an error struct: the same code. */
  ix = (hx_index_t *)(uintptr_t)1;
  CHECK_INT(srv_profile_file_read(path, NULL, &ix, NULL, NULL), code);
  CHECK(ix == NULL);
}

static void test_errors(void) {
  char dir[256], path[512];
  CHECK_INT(pb_make_temp_dir(dir, sizeof dir), 0);
  snprintf(path, sizeof path, "%s/missing.pb.gz", dir);
  expect_error("missing file", path, HX_EIO, strerror(ENOENT));
  expect_error("directory", dir, HX_EIO, "is a directory");
  expect_error("device", "/dev/null", HX_EIO, "not a regular file");

  /* The open alone says so, and leaves f closed. */
  srv_profile_file_t f;
  memset(&f, 0x5a, sizeof f);
  CHECK_INT(srv_profile_file_open(dir, &f, NULL), HX_EIO);
  CHECK_INT(f.fd, -1);
  srv_profile_file_close(&f);

  snprintf(path, sizeof path, "%s/empty.pb.gz", dir);
  FILE *empty = fopen(path, "wb");
  CHECK(empty != NULL);
  if (empty)
    fclose(empty);
  expect_error("empty file", path, HX_EPROTO, "empty file");

  /* Unreadable: root reads anything, so only as another user. */
  if (geteuid() != 0) {
    CHECK_INT(chmod(path, 0), 0);
    expect_error("unreadable file", path, HX_EIO, strerror(EACCES));
  }
  unlink(path);
  rmdir(dir);

  /* A regular file whose read fails: /proc/self/mem at offset 0. */
  struct stat st;
  if (stat("/proc/self/mem", &st) == 0 && S_ISREG(st.st_mode))
    expect_error("failing read", "/proc/self/mem", HX_EIO,
                 "read: Input/output error");

  /* A load from a file that is not open. */
  hx_index_t *ix = (hx_index_t *)(uintptr_t)1;
  hx_error_t err;
  f.fd = -1;
  CHECK_INT(srv_profile_file_load(&f, NULL, &ix, &err), HX_EINVAL);
  CHECK(ix == NULL);

  /* Options are checked before the file is opened, as a load always has. */
  hx_options_t opts;
  hx_options_init(&opts);
  opts.threshold = 7;
  ix = (hx_index_t *)(uintptr_t)1;
  CHECK_INT(
      srv_profile_file_read("/nonexistent/cpu.pb.gz", &opts, &ix, NULL, &err),
      HX_EINVAL);
  CHECK(ix == NULL);
  CHECK(fx_has_word(err.message, "threshold"));

  /* Content errors are the index's, unchanged: a gzip file cut short. */
  char gz[1024];
  golden_path(gz, sizeof gz, "utf8", ".pb.gz");
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_INT(fx_read_file(gz, &bytes, &len), 0);
  char cut[256];
  if (bytes && len > 100) {
    CHECK_INT(pb_write_temp(bytes, 100, cut, sizeof cut), 0);
    expect_error("truncated gzip", cut, HX_EGZIP, "truncated gzip data");
    unlink(cut);
  }
  free(bytes);
}

/* A gzip file that grows between the open and the load (zero padding
 * appended, which the loader skips): it is read to its new end; the index
 * is the file's. */
static void test_grown_during_load(void) {
  char dir[256], path[512], golden[1024];
  CHECK_INT(pb_make_temp_dir(dir, sizeof dir), 0);
  snprintf(path, sizeof path, "%s/grows.pb.gz", dir);
  golden_path(golden, sizeof golden, "utf8", ".pb.gz");
  CHECK_INT(copy_file(golden, path), 0);
  srv_profile_file_t f;
  CHECK_INT(srv_profile_file_open(path, &f, NULL), 0);
  FILE *more = fopen(path, "ab");
  CHECK(more != NULL);
  if (more) {
    static const uint8_t zeros[300000];
    CHECK_INT(fwrite(zeros, 1, sizeof zeros, more), sizeof zeros);
    CHECK_INT(fclose(more), 0);
  }
  hx_index_t *ix = NULL;
  hx_error_t err = {0};
  int rc = srv_profile_file_load(&f, NULL, &ix, &err);
  if (rc != 0)
    fprintf(stderr, "  grown file: %s\n", err.message);
  CHECK_INT(rc, 0);
  check_index_is(ix, golden);
  hx_index_free(ix);
  srv_profile_file_close(&f);
  unlink(path);
  rmdir(dir);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_profile_file TESTDATA_DIR\n");
    return 2;
  }
  testdata = argv[1];
  test_one_call();
  test_replaced_during_load();
  test_grown_during_load();
  test_errors();
  CHECK_DONE();
}
