/*
 * profile_variants.c: copies of a profile with different sample values,
 * for the merge and diff benchmarks (tools/bench.sh) and the CLI tests.
 *
 * Copy k (1-based) multiplies the values of sample i by
 * ((7 * i + 3 * k) % 5 + 1), so that no two copies weigh their lines
 * alike. With --unit FROM=TO, every string of the string table equal to
 * FROM becomes TO (a sample type in another unit).
 *
 * Usage: profile_variants [--unit FROM=TO] [--same] IN OUT_PREFIX N
 *   writes OUT_PREFIX1.pb.gz ... OUT_PREFIXN.pb.gz (gzip level 1);
 *   --same keeps the values (only --unit applies).
 * Exit status 0, or 1 with a message on stderr.
 */
#include "profile.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define VARIANT_MAX_INPUT ((size_t)1 << 30)

static int read_all(const char *path, uint8_t **out, size_t *len) {
  gzFile f = gzopen(path, "rb");
  if (!f)
    return -1;
  size_t cap = (size_t)1 << 20, n = 0;
  uint8_t *buf = malloc(cap);
  int rc = 0;
  while (buf) {
    if (n == cap) {
      uint8_t *bigger = cap < VARIANT_MAX_INPUT ? realloc(buf, cap * 2) : NULL;
      if (!bigger) {
        rc = -1;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
    int got = gzread(f, buf + n,
                     (unsigned)(cap - n > (1u << 30) ? (1u << 30) : cap - n));
    if (got < 0) {
      rc = -1;
      break;
    }
    if (got == 0)
      break;
    n += (size_t)got;
  }
  gzclose(f);
  if (!buf || rc < 0) {
    free(buf);
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

int main(int argc, char **argv) {
  const char *unit_from = NULL, *unit_to = NULL;
  int same = 0;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--same") == 0) {
      same = 1;
    } else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
      char *eq = strchr(argv[++i], '=');
      if (!eq)
        break;
      *eq = '\0';
      unit_from = argv[i];
      unit_to = eq + 1;
    } else {
      break;
    }
  }
  if (argc - i != 3) {
    fprintf(stderr, "usage: profile_variants [--unit FROM=TO] [--same] IN "
                    "OUT_PREFIX N\n");
    return 1;
  }
  const char *in = argv[i], *prefix = argv[i + 1];
  long copies = strtol(argv[i + 2], NULL, 10);
  uint8_t *data;
  size_t len;
  if (copies < 1 || read_all(in, &data, &len) < 0) {
    fprintf(stderr, "profile_variants: cannot read %s\n", in);
    return 1;
  }
  Perftools__Profiles__Profile *p =
      perftools__profiles__profile__unpack(NULL, len, data);
  free(data);
  if (!p) {
    fprintf(stderr, "profile_variants: %s is not a profile\n", in);
    return 1;
  }
  /* The strings renamed point to argv while the copies are written; the
   * originals (protobuf-c's) are put back before the message is freed. */
  char **names = calloc(p->n_string_table + 1, sizeof *names);
  int64_t **orig = calloc(p->n_sample + 1, sizeof *orig);
  int status = orig && names ? 0 : 1;
  for (size_t s = 0; s < p->n_string_table && unit_from && names; s++) {
    names[s] = p->string_table[s];
    if (strcmp(p->string_table[s], unit_from) == 0)
      p->string_table[s] = (char *)unit_to;
  }
  for (size_t s = 0; s < p->n_sample && status == 0; s++) {
    Perftools__Profiles__Sample *smp = p->sample[s];
    orig[s] = malloc((smp->n_value + 1) * sizeof(int64_t));
    if (!orig[s])
      status = 1;
    else if (smp->n_value)
      memcpy(orig[s], smp->value, smp->n_value * sizeof(int64_t));
  }
  for (long k = 1; k <= copies && status == 0; k++) {
    for (size_t s = 0; s < p->n_sample && !same; s++) {
      int64_t factor = (int64_t)((7 * s + 3 * (size_t)k) % 5 + 1);
      for (size_t v = 0; v < p->sample[s]->n_value; v++)
        p->sample[s]->value[v] = orig[s][v] * factor;
    }
    size_t size = perftools__profiles__profile__get_packed_size(p);
    uint8_t *out = malloc(size + 1);
    char path[4096];
    snprintf(path, sizeof path, "%s%ld.pb.gz", prefix, k);
    gzFile f = out ? gzopen(path, "wb1") : NULL;
    if (!f) {
      fprintf(stderr, "profile_variants: cannot write %s\n", path);
      status = 1;
    } else {
      perftools__profiles__profile__pack(p, out);
      if (gzwrite(f, out, (unsigned)size) != (int)size) {
        fprintf(stderr, "profile_variants: cannot write %s\n", path);
        status = 1;
      }
      if (gzclose(f) != Z_OK)
        status = 1;
    }
    free(out);
  }
  /* Give protobuf-c back what it allocated before freeing the message. */
  for (size_t s = 0; s < p->n_sample; s++) {
    if (orig && orig[s] && p->sample[s]->n_value)
      memcpy(p->sample[s]->value, orig[s],
             p->sample[s]->n_value * sizeof(int64_t));
    if (orig)
      free(orig[s]);
  }
  free(orig);
  for (size_t s = 0; s < p->n_string_table && unit_from && names; s++)
    p->string_table[s] = names[s];
  free(names);
  perftools__profiles__profile__free_unpacked(p, NULL);
  return status;
}
