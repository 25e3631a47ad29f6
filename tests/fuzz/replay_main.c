/*
 * replay_main.c: a main() for the fuzz targets where libFuzzer is not
 * linked (gcc, or any build without HEATLS_FUZZ). It runs
 * LLVMFuzzerTestOneInput() once on every regular file named on the command
 * line or found directly inside a directory named there (in name order),
 * and prints how many inputs ran. A broken invariant aborts the program,
 * which fails the ctest test that runs it; so does an argument it cannot
 * read, or running no input at all (a corpus path gone wrong).
 *
 * Usage: fuzz_replay_TARGET [-v] PATH...   (-v names each input as it runs)
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int verbose;

/* Runs the target on one file. Returns 0, or -1 if it cannot be read. */
static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    if (len == cap) {
      uint8_t *bigger = realloc(buf, cap * 2);
      if (!bigger) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
    size_t n = fread(buf + len, 1, cap - len, f);
    len += n;
    if (n == 0)
      break;
  }
  int failed = !buf || ferror(f);
  fclose(f);
  if (failed) {
    fprintf(stderr, "replay: %s: cannot read\n", path);
    free(buf);
    return -1;
  }
  if (verbose)
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
  /* A copy of exactly len bytes, so that ASan sees reads past the end. */
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) {
    free(buf);
    return -1;
  }
  if (len)
    memcpy(copy, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput(copy, len);
  free(copy);
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file directly inside dir; adds them to *count. */
static int run_dir(const char *dir, size_t *count) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue; /* ".", "..", and hidden files such as .gitkeep */
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **more = realloc(names, cap * sizeof *names);
      if (!more) {
        rc = -1;
        break;
      }
      names = more;
    }
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    if (!(names[n] = malloc(len))) {
      rc = -1;
      break;
    }
    snprintf(names[n], len, "%s/%s", dir, e->d_name);
    n++;
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      if (run_file(names[i]) < 0)
        rc = -1;
      else
        (*count)++;
    }
    free(names[i]);
  }
  free(names);
  if (rc < 0)
    fprintf(stderr, "replay: %s: failed\n", dir);
  return rc;
}

int main(int argc, char **argv) {
  size_t count = 0;
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (strcmp(argv[i], "-v") == 0) {
      verbose = 1;
      continue;
    }
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
      rc = 1;
    } else if (S_ISDIR(st.st_mode)) {
      if (run_dir(argv[i], &count) < 0)
        rc = 1;
    } else if (run_file(argv[i]) < 0) {
      rc = 1;
    } else {
      count++;
    }
  }
  printf("replay: %zu inputs ran\n", count);
  if (count == 0) {
    fprintf(stderr, "replay: no input (usage: %s [-v] PATH...)\n", argv[0]);
    rc = 1;
  }
  return rc;
}
