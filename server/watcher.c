/*
 * watcher.c: reloading a profile when its file is rewritten.
 */
#include "watcher.h"

#include "error.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void on_timer(uv_timer_t *timer) {
  srv_watcher_t *w = timer->data;
  if (!w->path)
    return;
  struct stat st;
  if (stat(w->path, &st) != 0)
    return; /* gone for now: a writer may be replacing it */
  srv_file_stamp_t now = {.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
                                      st.st_mtim.tv_nsec,
                          .size = (int64_t)st.st_size,
                          .inode = (int64_t)st.st_ino};
  if (now.mtime_ns == w->baseline.mtime_ns && now.size == w->baseline.size &&
      now.inode == w->baseline.inode)
    return;
  srv_log(SRV_LOG_INFO, "%s changed: reloading", w->path);
  /* The same change is not reported twice while its reload runs. */
  w->baseline = now;
  w->on_change(w->ctx);
}

static void on_event(uv_fs_event_t *handle, const char *filename, int events,
                     int status) {
  srv_watcher_t *w = handle->data;
  (void)events;
  if (status < 0 || !w->path)
    return;
  const char *base = strrchr(w->path, '/');
  base = base ? base + 1 : w->path;
  /* Without a name, something in the directory changed: check anyway. */
  if (filename && strcmp(filename, base) != 0)
    return;
  uv_timer_start(&w->timer, on_timer, w->debounce_ms, 0);
}

int srv_watcher_init(srv_watcher_t *w, uv_loop_t *loop, srv_watch_fn on_change,
                     void *ctx) {
  *w = (srv_watcher_t){.on_change = on_change,
                       .ctx = ctx,
                       .debounce_ms = SRV_WATCH_DEBOUNCE_MS};
  int rc = uv_timer_init(loop, &w->timer);
  if (rc < 0)
    return srv_error_from_uv(rc);
  w->timer_open = 1;
  w->timer.data = w;
  rc = uv_fs_event_init(loop, &w->event);
  if (rc < 0)
    return srv_error_from_uv(rc);
  w->event_open = 1;
  w->event.data = w;
  return 0;
}

static void stop(srv_watcher_t *w) {
  if (w->active) {
    uv_fs_event_stop(&w->event);
    w->active = 0;
  }
  if (w->timer_open)
    uv_timer_stop(&w->timer);
  free(w->path);
  w->path = NULL;
}

void srv_watcher_follow(srv_watcher_t *w, const char *path,
                        const srv_file_stamp_t *baseline) {
  if (path && w->path && strcmp(path, w->path) == 0) {
    w->baseline = *baseline;
    uv_timer_start(&w->timer, on_timer, 0, 0);
    return;
  }
  stop(w);
  if (!path || !w->event_open)
    return;
  char *dir = strdup(path);
  w->path = strdup(path);
  if (!dir || !w->path) {
    free(dir);
    free(w->path);
    w->path = NULL;
    srv_log(SRV_LOG_ERROR, "out of memory: %s is not watched", path);
    return;
  }
  w->baseline = *baseline;
  char *slash = strrchr(dir, '/');
  if (slash == dir)
    slash[1] = 0; /* the root directory */
  else if (slash)
    *slash = 0;
  int rc = uv_fs_event_start(&w->event, on_event, dir, 0);
  if (rc < 0)
    srv_log(SRV_LOG_WARN, "cannot watch %s: %s", dir, uv_strerror(rc));
  else
    srv_log(SRV_LOG_DEBUG, "watching %s", w->path);
  w->active = rc == 0;
  free(dir);
  /* The file may have been replaced between its read and now. */
  uv_timer_start(&w->timer, on_timer, 0, 0);
}

const char *srv_watcher_path(const srv_watcher_t *w) { return w->path; }

static void on_closed(uv_handle_t *handle) { (void)handle; }

void srv_watcher_close(srv_watcher_t *w) {
  stop(w);
  if (w->event_open) {
    w->event_open = 0;
    uv_close((uv_handle_t *)&w->event, on_closed);
  }
  if (w->timer_open) {
    w->timer_open = 0;
    uv_close((uv_handle_t *)&w->timer, on_closed);
  }
}
