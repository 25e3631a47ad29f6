/*
 * run.c: runs the heatls binary for golden_check with posix_spawn, stdin
 * from /dev/null, and collects stdout and stderr through two pipes read
 * with poll() (so that neither can fill up and stall the child), then its
 * exit status.
 */
#include "golden.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define CHUNK ((size_t)65536) /* bytes read at a time */

typedef struct sink {
  char *data;
  size_t len, cap;
} sink_t;

static int sink_read(sink_t *s, int fd) {
  if (s->cap - s->len < CHUNK + 1) {
    size_t cap = s->cap ? s->cap * 2 : CHUNK * 2;
    if (cap > GD_MAX_TEXT + CHUNK + 1)
      return -2;
    char *p = realloc(s->data, cap);
    if (!p)
      return -3;
    s->data = p;
    s->cap = cap;
  }
  ssize_t n = read(fd, s->data + s->len, CHUNK);
  if (n < 0)
    return errno == EINTR ? 1 : -1;
  s->len += (size_t)n;
  s->data[s->len] = '\0';
  return n > 0;
}

int gd_run(char *const argv[], gd_output_t *o, gd_error_t *err) {
  memset(o, 0, sizeof *o);
  int out[2] = {-1, -1}, errp[2] = {-1, -1};
  if (pipe(out) != 0 || pipe(errp) != 0) {
    gd_fail(err, "pipe: %s", strerror(errno));
    goto fail_fds;
  }
  for (int i = 0; i < 2; i++) {
    fcntl(out[i], F_SETFD, FD_CLOEXEC);
    fcntl(errp[i], F_SETFD, FD_CLOEXEC);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    gd_fail(err, "cannot run %s: %s", argv[0], strerror(rc));
    goto fail_fds;
  }
  close(out[1]);
  close(errp[1]);
  out[1] = errp[1] = -1;

  sink_t s[2] = {{0}, {0}};
  struct pollfd pf[2] = {{out[0], POLLIN, 0}, {errp[0], POLLIN, 0}};
  int open_fds = 2, bad = 0;
  while (open_fds > 0 && !bad) {
    if (poll(pf, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      bad = -1;
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      int r = sink_read(&s[i], pf[i].fd);
      if (r == 0) {
        close(pf[i].fd);
        pf[i].fd = -1;
        open_fds--;
      } else if (r < 0) {
        bad = r;
      }
    }
  }
  for (int i = 0; i < 2; i++)
    if (pf[i].fd >= 0)
      close(pf[i].fd);
  if (bad)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  for (int i = 0; i < 2; i++) {
    if (!s[i].data) {
      s[i].data = calloc(1, 1);
      if (!s[i].data)
        bad = -3;
    }
  }
  o->out = s[0].data;
  o->out_len = s[0].len;
  o->err = s[1].data;
  o->err_len = s[1].len;
  if (WIFEXITED(status)) {
    o->exit_code = WEXITSTATUS(status);
  } else {
    o->exit_code = -1;
    o->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  if (bad) {
    gd_output_close(o);
    return gd_fail(err, "reading the output of %s: %s", argv[0],
                   bad == -2   ? "more than the cap of 1 GiB"
                   : bad == -3 ? "out of memory"
                               : strerror(errno));
  }
  return 0;

fail_fds:
  for (int i = 0; i < 2; i++) {
    if (out[i] >= 0)
      close(out[i]);
    if (errp[i] >= 0)
      close(errp[i]);
  }
  return -1;
}

void gd_output_close(gd_output_t *o) {
  free(o->out);
  free(o->err);
  memset(o, 0, sizeof *o);
}
