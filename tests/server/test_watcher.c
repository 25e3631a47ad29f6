/*
 * test_watcher.c: the profile file's watcher (server/watcher.h) on a real
 * loop and real files: a file replaced before it is followed (while it was
 * being loaded) is still reported; an unchanged file is not; a rewrite is.
 */
#include "check.h"
#include "watcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int changes;

static void on_change(void *ctx) {
  (void)ctx;
  changes++;
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  fputs(text, f);
  return fclose(f);
}

static srv_file_stamp_t stamp_of(const char *path) {
  struct stat st;
  srv_file_stamp_t s = {0};
  if (stat(path, &st) == 0)
    s = (srv_file_stamp_t){.mtime_ns =
                               (int64_t)st.st_mtim.tv_sec * 1000000000 +
                               st.st_mtim.tv_nsec,
                           .size = (int64_t)st.st_size,
                           .inode = (int64_t)st.st_ino};
  return s;
}

/* Runs the loop until `want` changes were seen or ms pass. */
static void spin(uv_loop_t *loop, int want, unsigned ms) {
  uint64_t end = uv_hrtime() + (uint64_t)ms * 1000000u;
  while (changes < want && uv_hrtime() < end) {
    uv_run(loop, UV_RUN_NOWAIT);
    uv_sleep(1);
  }
}

int main(void) {
  char dir[] = "/tmp/heatls-watch-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char path[256], next[256];
  snprintf(path, sizeof path, "%s/cpu.pb.gz", dir);
  snprintf(next, sizeof next, "%s/cpu.pb.gz.new", dir);
  CHECK_INT(write_file(path, "the profile that was loaded"), 0);
  srv_file_stamp_t loaded = stamp_of(path);

  uv_loop_t loop;
  CHECK_INT(uv_loop_init(&loop), 0);
  srv_watcher_t w;
  CHECK_INT(srv_watcher_init(&w, &loop, on_change, NULL), 0);
  w.debounce_ms = 20;

  /* Replaced by a rename between the read and the watch: reported. */
  CHECK_INT(write_file(next, "a newer profile, of another size"), 0);
  CHECK_INT(rename(next, path), 0);
  srv_watcher_follow(&w, path, &loaded);
  spin(&loop, 1, 2000);
  CHECK_INT(changes, 1);

  /* Followed again with what is there now (the reload's baseline):
   * nothing to report. */
  srv_file_stamp_t now = stamp_of(path);
  srv_watcher_follow(&w, path, &now);
  spin(&loop, 2, 200);
  CHECK_INT(changes, 1);

  /* Rewritten while followed: reported once. */
  CHECK_INT(write_file(next, "rewritten while watched, longer than before"),
            0);
  CHECK_INT(rename(next, path), 0);
  spin(&loop, 2, 2000);
  CHECK_INT(changes, 2);
  spin(&loop, 3, 200);
  CHECK_INT(changes, 2);

  /* Another file of the directory changing reports nothing. */
  CHECK_INT(write_file(next, "someone else's file"), 0);
  spin(&loop, 3, 200);
  CHECK_INT(changes, 2);

  /* Following nothing stops it. */
  srv_watcher_follow(&w, NULL, &now);
  CHECK_INT(write_file(path, "changed after the watch stopped"), 0);
  spin(&loop, 3, 200);
  CHECK_INT(changes, 2);

  srv_watcher_close(&w);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK_INT(uv_loop_close(&loop), 0);
  unlink(path);
  unlink(next);
  rmdir(dir);
  CHECK_DONE();
}
