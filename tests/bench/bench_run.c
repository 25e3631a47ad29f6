/*
 * bench_run.c: runs command lines several times and prints their wall time
 * and peak memory in one table, each next to the first (baseline) command.
 *
 *   bench_run [OPTIONS] -- [--label NAME] CMD [ARG...] [-- [--label NAME] CMD
 * [ARG...]]...
 *
 * Options (before the first "--"):
 *   --runs N         runs per command (default 5); the runs are interleaved
 *                    (run 1 of every command, then run 2, ...) so that drift
 *                    in the machine's load hits every command alike
 *   --raw FILE       measure the uncompressed size of FILE once (the bytes
 *                    that `gzip -dcf FILE` writes) and add a "RSS/raw" column
 *   --time-goal R    print each command's median as a multiple of the
 *                    baseline's, next to the goal R
 *   --rss-goal R     print each command's peak RSS as a multiple of the raw
 *                    size, next to the goal R (needs --raw)
 *   --keep-going     a command that exits non-zero still runs every time and
 *                    does not make bench_run fail (a signal or a failed exec
 *                    still does)
 *   --total          add a row with the sums of the times and the largest RSS
 *
 * Commands are run directly with execvp(), no shell. stdin and stdout are
 * /dev/null; stderr is passed through on the first run of each command and
 * sent to /dev/null on the later ones, so that a message shows once.
 *
 * Figures: wall time is CLOCK_MONOTONIC from before fork() to after wait4();
 * cpu is the child's user + system time; peak RSS is wait4()'s ru_maxrss (the
 * largest resident set of the child or of any process it waited for, not
 * their sum), the maximum over the runs. Linux counts the forked copy of
 * bench_run itself (about 1-2 MB) in ru_maxrss, so that is the floor.
 * Times are seconds, sizes MB = 10^6 bytes.
 *
 * Exit status: 0 if every command ran as required, 1 if one failed,
 * 2 on a usage error. It never judges the figures: no pass/fail on time.
 */
#define _DEFAULT_SOURCE /* glibc declares wait4() only with this */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ST_OK, ST_EXIT, ST_SIGNAL, ST_EXEC };

typedef struct {
  double wall; /* seconds */
  double cpu;  /* seconds, user + system */
  long maxrss_kib;
  int kind;  /* ST_* */
  int value; /* exit code, signal number or errno */
} run_result_t;

typedef struct {
  const char *label;
  char **argv; /* NULL-terminated, points into main's argv */
  char label_buf[64];
  double *wall;
  double *cpu;
  int done; /* runs completed and counted */
  long peak_kib;
  int kind; /* first failure, ST_OK if none */
  int value;
  int stopped; /* no more runs: it failed */
} cmd_t;

static const char *prog = "bench_run";

static void usage(void) {
  fprintf(stderr,
          "usage: %s [--runs N] [--raw FILE] [--time-goal R] [--rss-goal R]\n"
          "       [--keep-going] [--total]\n"
          "       -- [--label NAME] CMD [ARG...] [-- [--label NAME] CMD "
          "[ARG...]]...\n"
          "The first command is the baseline.\n",
          prog);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int set_cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
    return -errno;
  return 0;
}

/*
 * Starts argv with the given descriptors as its stdin, stdout and stderr.
 * Returns 0 and the child's pid, or a negative errno when fork() or the
 * exec failed (a failed exec is reported through a close-on-exec pipe, and
 * the child has then been reaped).
 */
static int spawn(char **argv, int in_fd, int out_fd, int err_fd, pid_t *pid) {
  int report[2];
  if (pipe(report) != 0)
    return -errno;
  if (set_cloexec(report[0]) < 0 || set_cloexec(report[1]) < 0) {
    int e = errno;
    close(report[0]);
    close(report[1]);
    return -e;
  }

  pid_t child = fork();
  if (child < 0) {
    int e = errno;
    close(report[0]);
    close(report[1]);
    return -e;
  }
  if (child == 0) {
    close(report[0]);
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) {
      int e = errno;
      ssize_t w = write(report[1], &e, sizeof e);
      (void)w;
      _exit(127);
    }
    execvp(argv[0], argv);
    int e = errno;
    ssize_t w = write(report[1], &e, sizeof e);
    (void)w;
    _exit(127);
  }

  close(report[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == (ssize_t)sizeof child_errno) {
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
    }
    return -child_errno;
  }
  *pid = child;
  return 0;
}

/* Waits for pid; fills status and usage. Returns 0 or a negative errno. */
static int wait_child(pid_t pid, int *status, struct rusage *ru) {
  while (wait4(pid, status, 0, ru) < 0) {
    if (errno != EINTR)
      return -errno;
  }
  return 0;
}

/* Runs argv once and measures it. Returns 0, or a negative errno when the
 * measurement itself failed (fork, wait); a failed exec is a result. */
static int run_once(char **argv, int devnull, int quiet, run_result_t *out) {
  memset(out, 0, sizeof *out);
  double t0 = now_seconds();
  pid_t pid;
  int rc = spawn(argv, devnull, devnull, quiet ? devnull : 2, &pid);
  if (rc < 0) {
    out->kind = ST_EXEC;
    out->value = -rc;
    return 0;
  }
  int status;
  struct rusage ru;
  rc = wait_child(pid, &status, &ru);
  double t1 = now_seconds();
  if (rc < 0)
    return rc;

  out->wall = t1 - t0;
  out->cpu = tv_seconds(ru.ru_utime) + tv_seconds(ru.ru_stime);
  out->maxrss_kib = ru.ru_maxrss;
  if (WIFSIGNALED(status)) {
    out->kind = ST_SIGNAL;
    out->value = WTERMSIG(status);
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    out->kind = ST_EXIT;
    out->value = WEXITSTATUS(status);
  }
  return 0;
}

/*
 * Counts the bytes `gzip -dcf path` writes: the uncompressed size of a
 * gzip file (the size of the file itself if it is not compressed).
 * Returns 0 or -1 with a message printed.
 */
static int measure_raw(const char *path, int devnull, long long *bytes) {
  int fds[2];
  if (pipe(fds) != 0 || set_cloexec(fds[0]) < 0 || set_cloexec(fds[1]) < 0) {
    fprintf(stderr, "%s: pipe: %s\n", prog, strerror(errno));
    return -1;
  }
  char *argv[] = {"gzip", "-dcf", (char *)path, NULL};
  pid_t pid;
  int rc = spawn(argv, devnull, fds[1], 2, &pid);
  close(fds[1]);
  if (rc < 0) {
    fprintf(stderr, "%s: cannot run gzip: %s\n", prog, strerror(-rc));
    close(fds[0]);
    return -1;
  }

  static char buf[1 << 16];
  long long total = 0;
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    total += n;
  }
  close(fds[0]);

  int status;
  struct rusage ru;
  if (wait_child(pid, &status, &ru) < 0 || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    fprintf(stderr, "%s: gzip -dcf %s failed\n", prog, path);
    return -1;
  }
  *bytes = total;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of n values (n > 0); sorts v in place. */
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  if (n % 2)
    return v[n / 2];
  return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double kib_to_mb(long kib) { return (double)kib * 1024.0 / 1e6; }

static void status_text(const cmd_t *c, int keep_going, char *buf, size_t n) {
  switch (c->kind) {
  case ST_OK: snprintf(buf, n, "ok"); break;
  case ST_EXIT:
    snprintf(buf, n, keep_going ? "exit %d" : "FAILED: exit %d", c->value);
    break;
  case ST_SIGNAL: snprintf(buf, n, "FAILED: signal %d", c->value); break;
  default: snprintf(buf, n, "FAILED: exec: %s", strerror(c->value)); break;
  }
}

static int parse_double(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || v <= 0)
    return -1;
  *out = v;
  return 0;
}

/* Splits argv[i..argc) into commands separated by "--"; fills cmds. */
static int parse_commands(int argc, char **argv, int i, cmd_t *cmds,
                          int *ncmd) {
  int n = 0;
  while (i < argc) {
    cmd_t *c = &cmds[n];
    memset(c, 0, sizeof *c);
    if (strcmp(argv[i], "--label") == 0) {
      if (i + 1 >= argc)
        return -1;
      c->label = argv[i + 1];
      i += 2;
    }
    int start = i;
    while (i < argc && strcmp(argv[i], "--") != 0)
      i++;
    if (i == start)
      return -1;
    if (i < argc)
      argv[i++] = NULL; /* ends this command's argv */
    c->argv = &argv[start];
    if (!c->label) {
      const char *base = strrchr(c->argv[0], '/');
      base = base ? base + 1 : c->argv[0];
      snprintf(c->label_buf, sizeof c->label_buf, "%s%s%s", base,
               c->argv[1] ? " " : "", c->argv[1] ? c->argv[1] : "");
      c->label = c->label_buf;
    }
    n++;
  }
  *ncmd = n;
  return n > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  int runs = 5, keep_going = 0, total_row = 0;
  const char *raw_path = NULL;
  double time_goal = 0, rss_goal = 0;

  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--runs") == 0 && v) {
      char *end;
      long r = strtol(v, &end, 10);
      if (*end || r < 1 || r > 1000) {
        fprintf(stderr, "%s: --runs wants 1..1000, not %s\n", prog, v);
        return 2;
      }
      runs = (int)r;
      i++;
    } else if (strcmp(a, "--raw") == 0 && v) {
      raw_path = v;
      i++;
    } else if (strcmp(a, "--time-goal") == 0 && v) {
      if (parse_double(v, &time_goal) < 0) {
        fprintf(stderr, "%s: bad --time-goal %s\n", prog, v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--rss-goal") == 0 && v) {
      if (parse_double(v, &rss_goal) < 0) {
        fprintf(stderr, "%s: bad --rss-goal %s\n", prog, v);
        return 2;
      }
      i++;
    } else if (strcmp(a, "--keep-going") == 0) {
      keep_going = 1;
    } else if (strcmp(a, "--total") == 0) {
      total_row = 1;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage();
      return 0;
    } else {
      fprintf(stderr, "%s: unknown option or missing value: %s\n", prog, a);
      usage();
      return 2;
    }
  }
  if (i >= argc) {
    usage();
    return 2;
  }
  if (rss_goal > 0 && !raw_path) {
    fprintf(stderr, "%s: --rss-goal needs --raw FILE\n", prog);
    return 2;
  }

  /* At most one command per remaining argument. */
  cmd_t *cmds = calloc((size_t)(argc - i), sizeof *cmds);
  int ncmd = 0;
  if (!cmds) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return 1;
  }
  if (parse_commands(argc, argv, i + 1, cmds, &ncmd) < 0) {
    fprintf(stderr,
            "%s: every command needs a program after -- [--label NAME]\n",
            prog);
    usage();
    return 2;
  }
  for (int k = 0; k < ncmd; k++) {
    cmds[k].wall = calloc((size_t)runs, sizeof(double));
    cmds[k].cpu = calloc((size_t)runs, sizeof(double));
    if (!cmds[k].wall || !cmds[k].cpu) {
      fprintf(stderr, "%s: out of memory\n", prog);
      return 1;
    }
  }

  int devnull = open("/dev/null", O_RDWR);
  if (devnull < 0 || set_cloexec(devnull) < 0) {
    fprintf(stderr, "%s: /dev/null: %s\n", prog, strerror(errno));
    return 1;
  }

  long long raw_bytes = 0;
  if (raw_path && measure_raw(raw_path, devnull, &raw_bytes) < 0)
    return 1;

  int progress = isatty(2);
  for (int r = 0; r < runs; r++) {
    for (int k = 0; k < ncmd; k++) {
      cmd_t *c = &cmds[k];
      if (c->stopped)
        continue;
      if (progress)
        fprintf(stderr, "\r%s: run %d/%d: %-40.40s", prog, r + 1, runs,
                c->label);
      run_result_t res;
      int rc = run_once(c->argv, devnull, r > 0, &res);
      if (rc < 0) {
        fprintf(stderr, "\n%s: %s: %s\n", prog, c->label, strerror(-rc));
        return 1;
      }
      if (res.kind != ST_OK && c->kind == ST_OK) {
        c->kind = res.kind;
        c->value = res.value;
      }
      if (res.kind == ST_EXEC || res.kind == ST_SIGNAL ||
          (res.kind == ST_EXIT && !keep_going)) {
        c->stopped = 1;
        if (progress)
          fprintf(stderr, "\n");
        continue;
      }
      c->wall[c->done] = res.wall;
      c->cpu[c->done] = res.cpu;
      c->done++;
      if (res.maxrss_kib > c->peak_kib)
        c->peak_kib = res.maxrss_kib;
    }
  }
  if (progress)
    fprintf(stderr, "\r%-70s\r", "");

  /* Medians first: the baseline's is needed by every row. */
  double *med = calloc((size_t)ncmd, sizeof(double));
  double *cpu_med = calloc((size_t)ncmd, sizeof(double));
  if (!med || !cpu_med) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return 1;
  }
  for (int k = 0; k < ncmd; k++) {
    if (cmds[k].done > 0) {
      med[k] = median(cmds[k].wall, cmds[k].done);
      cpu_med[k] = median(cmds[k].cpu, cmds[k].done);
    }
  }
  double base = cmds[0].done > 0 ? med[0] : 0;
  double raw_mb = (double)raw_bytes / 1e6;

  printf("%d run%s of each command, interleaved; stdout to /dev/null; "
         "baseline: %s\n",
         runs, runs == 1 ? "" : "s", cmds[0].label);
  if (raw_path)
    printf("raw size: %.1f MB (%lld bytes, gzip -dcf %s)\n", raw_mb, raw_bytes,
           raw_path);
  printf("\n%-22s %9s %9s %9s %9s %12s %7s", "label", "median s", "min s",
         "max s", "cpu s", "peak RSS MB", "x base");
  if (raw_path)
    printf(" %8s", "RSS/raw");
  printf("  %s\n", "status");

  int failed = 0;
  double sum_med = 0, sum_min = 0, sum_max = 0, sum_cpu = 0;
  long max_kib = 0;
  for (int k = 0; k < ncmd; k++) {
    cmd_t *c = &cmds[k];
    char st[96];
    status_text(c, keep_going, st, sizeof st);
    if (c->kind == ST_EXEC || c->kind == ST_SIGNAL ||
        (c->kind == ST_EXIT && !keep_going))
      failed = 1;
    if (c->done == 0) {
      printf("%-22s %9s %9s %9s %9s %12s %7s", c->label, "-", "-", "-", "-",
             "-", "-");
      if (raw_path)
        printf(" %8s", "-");
      printf("  %s\n", st);
      continue;
    }
    /* median() left the times sorted. */
    double mn = c->wall[0], mx = c->wall[c->done - 1];
    char ratio[16] = "-";
    if (base > 0)
      snprintf(ratio, sizeof ratio, "%.2f", med[k] / base);
    printf("%-22s %9.4f %9.4f %9.4f %9.4f %12.1f %7s", c->label, med[k], mn,
           mx, cpu_med[k], kib_to_mb(c->peak_kib), ratio);
    if (raw_path)
      printf(" %8.2f", raw_mb > 0 ? kib_to_mb(c->peak_kib) / raw_mb : 0.0);
    printf("  %s", st);
    if (c->done < runs)
      printf(" (%d of %d runs)", c->done, runs);
    printf("\n");
    sum_med += med[k];
    sum_min += mn;
    sum_max += mx;
    sum_cpu += cpu_med[k];
    if (c->peak_kib > max_kib)
      max_kib = c->peak_kib;
  }
  if (total_row) {
    printf("%-22s %9.4f %9.4f %9.4f %9.4f %12.1f\n", "total", sum_med, sum_min,
           sum_max, sum_cpu, kib_to_mb(max_kib));
  }

  if ((time_goal > 0 || rss_goal > 0) && ncmd > 1) {
    printf("\ngoal ratios (figures, not pass/fail):\n");
    for (int k = 1; k < ncmd; k++) {
      cmd_t *c = &cmds[k];
      if (c->done == 0)
        continue;
      printf("  %-22s", c->label);
      if (time_goal > 0 && base > 0)
        printf("  median %.2fx the baseline (goal %.1fx)", med[k] / base,
               time_goal);
      if (rss_goal > 0 && raw_mb > 0)
        printf("  peak RSS / raw size %.2f (goal %.1f)",
               kib_to_mb(c->peak_kib) / raw_mb, rss_goal);
      printf("\n");
    }
  }

  for (int k = 0; k < ncmd; k++) {
    free(cmds[k].wall);
    free(cmds[k].cpu);
  }
  free(cmds);
  free(med);
  free(cpu_med);
  close(devnull);
  return failed ? 1 : 0;
}
