/*
 * watcher.h: noticing that a profile file was rewritten.
 *
 * The file's directory is watched rather than the file: profilers and
 * `cp` may replace the file with a new one (a rename), which a watch on the
 * old file would never see. Events are debounced; the file is then
 * stat()ed and compared with the baseline the watcher was given (what the
 * loaded profile was read from), and on_change is called only when size,
 * mtime or inode differ. Following a file also checks it once at once, so
 * that a file replaced while it was being loaded (before any watch) is
 * still noticed.
 *
 * The watcher owns its libuv handles: it opens them in srv_watcher_init
 * and closes them in srv_watcher_close.
 */
#ifndef HEATLS_SRV_WATCHER_H
#define HEATLS_SRV_WATCHER_H

#include <stdint.h>

#include <uv.h>

#define SRV_WATCH_DEBOUNCE_MS 300

typedef struct srv_file_stamp {
  int64_t mtime_ns, size, inode;
} srv_file_stamp_t;

typedef void (*srv_watch_fn)(void *ctx);

typedef struct srv_watcher {
  uv_fs_event_t event;
  uv_timer_t timer;
  int event_open, timer_open, active;
  char *path; /* the file followed (owned), NULL when none */
  srv_file_stamp_t baseline;
  srv_watch_fn on_change;
  void *ctx;
  unsigned debounce_ms;
} srv_watcher_t;

/* 0 or an SRV_E* code (the handles could not be made). */
int srv_watcher_init(srv_watcher_t *w, uv_loop_t *loop, srv_watch_fn on_change,
                     void *ctx);

/* Follows path (NULL: nothing) whose contents were last read as baseline.
 * Following the same path again only updates the baseline (and checks).
 * A directory that cannot be watched is logged, not fatal. */
void srv_watcher_follow(srv_watcher_t *w, const char *path,
                        const srv_file_stamp_t *baseline);

/* The file followed, or NULL (borrowed). */
const char *srv_watcher_path(const srv_watcher_t *w);

/* Closes the handles; the watcher's memory may go once the loop has run
 * their close callbacks. */
void srv_watcher_close(srv_watcher_t *w);

#endif
