/*
 * watcher.c: reloading the loaded profile when its file is rewritten.
 *
 * The profile's directory is watched rather than the file: profilers and
 * `cp` may replace the file with a new one (a rename), which a watch on
 * the old file would never see. Events are debounced, and a reload only
 * starts when the file's size, mtime or inode differ from what was loaded.
 */
#include "log.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEBOUNCE_MS 300

static void on_timer(uv_timer_t *timer) {
  srv_session_t *s = timer->data;
  srv_profile_t *p = s->profile;
  if (!p || !s->watch_path || strcmp(p->path, s->watch_path) != 0)
    return;
  struct stat st;
  if (stat(p->path, &st) != 0)
    return; /* gone for now: a writer may be replacing it */
  int64_t mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  if (mtime == p->mtime_ns && (int64_t)st.st_size == p->size &&
      (int64_t)st.st_ino == p->inode)
    return;
  const hx_summary_t *sum = hx_index_summary(p->index);
  srv_log(SRV_LOG_INFO, "%s changed: reloading", p->path);
  srv_load_request_t req = {.path = p->path,
                            .sample_type = p->sample_type,
                            .threshold = sum->threshold,
                            .local_scope = sum->local_scope,
                            .from_watch = 1};
  /* The loaded profile's own values stay until the new one is ready. */
  p->mtime_ns = mtime;
  p->size = (int64_t)st.st_size;
  p->inode = (int64_t)st.st_ino;
  srv_load_start(s, &req);
}

static void on_event(uv_fs_event_t *handle, const char *filename, int events,
                     int status) {
  srv_session_t *s = handle->data;
  (void)events;
  if (status < 0 || !s->watch_path || s->exiting)
    return;
  const char *base = strrchr(s->watch_path, '/');
  base = base ? base + 1 : s->watch_path;
  /* Without a name, something in the directory changed: check anyway. */
  if (filename && strcmp(filename, base) != 0)
    return;
  uv_timer_start(&s->watch_timer, on_timer, DEBOUNCE_MS, 0);
}

static void stop(srv_session_t *s) {
  if (s->watch_active) {
    uv_fs_event_stop(&s->watch_event);
    s->watch_active = 0;
  }
  if (s->watch_timer_open)
    uv_timer_stop(&s->watch_timer);
  free(s->watch_path);
  s->watch_path = NULL;
}

void srv_watch_update(srv_session_t *s) {
  const char *want = s->settings.watch && s->profile && !s->exiting
                         ? s->profile->path
                         : NULL;
  if (want && s->watch_path && strcmp(want, s->watch_path) == 0)
    return;
  stop(s);
  if (!want)
    return;
  if (!s->watch_event_open) {
    if (uv_fs_event_init(s->loop, &s->watch_event) < 0)
      return;
    s->watch_event_open = 1;
    s->watch_event.data = s;
  }
  char *dir = strdup(want);
  s->watch_path = strdup(want);
  if (!dir || !s->watch_path) {
    free(dir);
    free(s->watch_path);
    s->watch_path = NULL;
    return;
  }
  char *slash = strrchr(dir, '/');
  if (slash == dir)
    slash[1] = 0; /* the root directory */
  else if (slash)
    *slash = 0;
  int rc = uv_fs_event_start(&s->watch_event, on_event, dir, 0);
  if (rc < 0)
    srv_log(SRV_LOG_WARN, "cannot watch %s: %s", dir, uv_strerror(rc));
  else
    srv_log(SRV_LOG_DEBUG, "watching %s", s->watch_path);
  s->watch_active = rc == 0;
  free(dir);
}

static void on_closed(uv_handle_t *handle) { (void)handle; }

void srv_watch_stop(srv_session_t *s) {
  stop(s);
  if (s->watch_event_open) {
    s->watch_event_open = 0;
    uv_close((uv_handle_t *)&s->watch_event, on_closed);
  }
}
