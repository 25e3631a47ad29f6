/*
 * path_map.c: profile file paths <-> local paths (the rules are in
 * path_map.h). Two open-addressing hash tables over the profile paths: one
 * by full path, one by base name whose entry heads a chain of the files
 * with that base name. Paths are walked component by component in place;
 * mapping rewrites are hashed and compared in two parts, without a buffer.
 */
#include "path_map.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct srv_path_map {
  const char *const *paths; /* borrowed */
  size_t count;
  size_t mask;          /* the tables have mask + 1 slots, at most half full */
  long *by_path;        /* slot -> file, or -1 */
  long *by_base;        /* slot -> first file of a base name, or -1 */
  long *next_same_base; /* file -> next file with its base name, or -1 */
  uint64_t *hash;       /* file -> hash of its path */
};

static const srv_match_t no_match = {SRV_MATCH_NONE, -1, 0};

static int is_sep(char c) { return c == '/' || c == '\\'; }

/* strlen(s) in *len; 0 for NULL or a path over SRV_PATH_MAX. */
static int path_len(const char *s, size_t *len) {
  if (!s)
    return 0;
  *len = strnlen(s, SRV_PATH_MAX + 1);
  return *len <= SRV_PATH_MAX;
}

/* The next component of s[*pos, len): its start and length; *pos moves past
 * it. 0 at the end. Empty and "." components are skipped. */
static int next_component(const char *s, size_t len, size_t *pos,
                          size_t *start, size_t *clen) {
  size_t i = *pos, j;
  for (;;) {
    while (i < len && is_sep(s[i]))
      i++;
    if (i == len) {
      *pos = i;
      return 0;
    }
    for (j = i; j < len && !is_sep(s[j]); j++)
      ;
    if (j - i != 1 || s[i] != '.') {
      *start = i;
      *clen = j - i;
      *pos = j;
      return 1;
    }
    i = j;
  }
}

/* The last component of s[0, *end): its start and length; *end moves to
 * its start. 0 when there is none. */
static int prev_component(const char *s, size_t *end, size_t *start,
                          size_t *clen) {
  size_t i = *end, j;
  for (;;) {
    while (i > 0 && is_sep(s[i - 1]))
      i--;
    if (i == 0) {
      *end = 0;
      return 0;
    }
    for (j = i; j > 0 && !is_sep(s[j - 1]); j--)
      ;
    if (i - j != 1 || s[j] != '.') {
      *start = j;
      *clen = i - j;
      *end = j;
      return 1;
    }
    i = j;
  }
}

static size_t count_components(const char *s, size_t len) {
  size_t pos = 0, start, clen, n = 0;
  while (next_component(s, len, &pos, &start, &clen))
    n++;
  return n;
}

/* How many trailing components a and b share. */
static size_t common_suffix(const char *a, size_t alen, const char *b,
                            size_t blen) {
  size_t n = 0, as, al, bs, bl;
  while (prev_component(a, &alen, &as, &al) &&
         prev_component(b, &blen, &bs, &bl) && al == bl &&
         memcmp(a + as, b + bs, al) == 0)
    n++;
  return n;
}

/* ---- hashing: FNV-1a, fed piece by piece ---- */

#define FNV_OFFSET UINT64_C(14695981039346656037)

static uint64_t fnv(uint64_t h, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
  return h;
}

/* A path in two parts: head, then tail. With sep 0 the tail follows as it
 * is; otherwise each of its components follows one sep. */
typedef struct joined {
  const char *head;
  size_t head_len;
  const char *tail;
  size_t tail_len;
  char sep;
} joined_t;

static uint64_t joined_hash(const joined_t *k) {
  uint64_t h = fnv(FNV_OFFSET, k->head, k->head_len);
  size_t pos = 0, start, clen;
  if (!k->sep)
    return fnv(h, k->tail, k->tail_len);
  while (next_component(k->tail, k->tail_len, &pos, &start, &clen))
    h = fnv(fnv(h, &k->sep, 1), k->tail + start, clen);
  return h;
}

/* Whether the C string p spells k. The parts hold no NUL, so strncmp
 * fails when p ends early. */
static int joined_equals(const joined_t *k, const char *p) {
  size_t pos = 0, start, clen;
  if (strncmp(p, k->head, k->head_len) != 0)
    return 0;
  p += k->head_len;
  if (!k->sep)
    return strncmp(p, k->tail, k->tail_len) == 0 && p[k->tail_len] == '\0';
  while (next_component(k->tail, k->tail_len, &pos, &start, &clen)) {
    if (*p++ != k->sep || strncmp(p, k->tail + start, clen) != 0)
      return 0;
    p += clen;
  }
  return *p == '\0';
}

/* The by_path slot that holds k's file, or the empty one where it would
 * go. The tables are never full. */
static size_t path_slot(const srv_path_map_t *m, const joined_t *k,
                        uint64_t h) {
  size_t i;
  long f;
  for (i = h & m->mask;; i = (i + 1) & m->mask) {
    f = m->by_path[i];
    if (f < 0 || (m->hash[f] == h && joined_equals(k, m->paths[f])))
      return i;
  }
}

static int base_name(const char *s, size_t len, size_t *start, size_t *clen) {
  return prev_component(s, &len, start, clen);
}

/* The by_base slot that heads the files with base name b[0, n), or the
 * empty one where it would go. */
static size_t base_slot(const srv_path_map_t *m, const char *b, size_t n) {
  size_t i, start, clen;
  const char *p;
  long f;
  for (i = fnv(FNV_OFFSET, b, n) & m->mask;; i = (i + 1) & m->mask) {
    f = m->by_base[i];
    if (f < 0)
      return i;
    p = m->paths[f];
    if (base_name(p, strlen(p), &start, &clen) && clen == n &&
        memcmp(p + start, b, n) == 0)
      return i;
  }
}

static long find_path(const srv_path_map_t *m, const joined_t *k) {
  return m->by_path[path_slot(m, k, joined_hash(k))];
}

int srv_path_map_new(const char *const *profile_paths, size_t count,
                     srv_path_map_t **out) {
  srv_path_map_t *m;
  size_t cap = 2, i, slot, len, start, clen;
  long head;

  if (!out)
    return -EINVAL;
  *out = NULL;
  if (!profile_paths && count)
    return -EINVAL;
  /* File indexes are longs; the tables have at least 2 * count slots. */
  if (count > (size_t)LONG_MAX || count > SIZE_MAX / 4 / sizeof(uint64_t))
    return -ENOMEM;
  while (cap < 2 * count)
    cap *= 2;

  m = calloc(1, sizeof *m);
  if (!m)
    return -ENOMEM;
  m->paths = profile_paths;
  m->count = count;
  m->mask = cap - 1;
  m->by_path = malloc(cap * sizeof *m->by_path);
  m->by_base = malloc(cap * sizeof *m->by_base);
  m->next_same_base = malloc((count + 1) * sizeof *m->next_same_base);
  m->hash = malloc((count + 1) * sizeof *m->hash);
  if (!m->by_path || !m->by_base || !m->next_same_base || !m->hash) {
    srv_path_map_free(m);
    return -ENOMEM;
  }
  for (i = 0; i < cap; i++)
    m->by_path[i] = m->by_base[i] = -1;

  for (i = 0; i < count; i++) {
    const char *p = profile_paths[i];
    joined_t k = {NULL, 0, "", 0, 0};
    m->next_same_base[i] = -1;
    if (!path_len(p, &len) || len == 0)
      continue;
    k.head = p;
    k.head_len = len;
    m->hash[i] = joined_hash(&k);
    slot = path_slot(m, &k, m->hash[i]);
    if (m->by_path[slot] >= 0)
      continue; /* a duplicate: the first one stands */
    m->by_path[slot] = (long)i;
    if (!base_name(p, len, &start, &clen))
      continue; /* "/", "./": no base name, no suffix match */
    slot = base_slot(m, p + start, clen);
    head = m->by_base[slot];
    if (head < 0) {
      m->by_base[slot] = (long)i;
    } else {
      m->next_same_base[i] = m->next_same_base[head];
      m->next_same_base[head] = (long)i;
    }
  }
  *out = m;
  return 0;
}

void srv_path_map_free(srv_path_map_t *map) {
  if (!map)
    return;
  free(map->by_path);
  free(map->by_base);
  free(map->next_same_base);
  free(map->hash);
  free(map);
}

/* ---- the context ---- */

/* s without its trailing separators, in *len; 0 if s is unusable. */
static int trimmed_len(const char *s, size_t *len) {
  if (!path_len(s, len))
    return 0;
  while (*len > 0 && is_sep(s[*len - 1]))
    (*len)--;
  return 1;
}

/* Mapping i's sides without trailing separators; 0 if it is unusable. */
static int mapping_sides(const srv_path_context_t *ctx, size_t i,
                         size_t *from_len, size_t *to_len) {
  const srv_path_mapping_t *mp = &ctx->mappings[i];
  return trimmed_len(mp->from, from_len) && trimmed_len(mp->to, to_len);
}

/* The mapping to try after `prev` (-1: the first): longest `to` (by_to) or
 * `from` first, equal lengths in setting order; -1 when none is left.
 * Quadratic, but there are a handful of mappings and no allocation. */
static long next_mapping(const srv_path_context_t *ctx, int by_to, long prev) {
  size_t i, from_len, to_len, len, prev_len = 0, best_len = 0;
  long best = -1;
  if (!ctx || !ctx->mappings)
    return -1;
  if (prev >= 0 && mapping_sides(ctx, (size_t)prev, &from_len, &to_len))
    prev_len = by_to ? to_len : from_len;
  for (i = 0; i < ctx->mapping_count && i <= (size_t)LONG_MAX; i++) {
    if (!mapping_sides(ctx, i, &from_len, &to_len))
      continue;
    len = by_to ? to_len : from_len;
    if (prev >= 0 && (len > prev_len || (len == prev_len && (long)i <= prev)))
      continue; /* tried already */
    if (best < 0 || len > best_len) {
      best = (long)i;
      best_len = len;
    }
  }
  return best;
}

/* Whether prefix[0, n) covers path: path starts with it and goes on with a
 * separator, or ends. */
static int covers(const char *prefix, size_t n, const char *path, size_t len) {
  return len >= n && memcmp(path, prefix, n) == 0 &&
         (len == n || is_sep(path[n]));
}

static const char *open_path(const srv_path_context_t *ctx, size_t i,
                             size_t *len) {
  const char *p = ctx->open_paths[i];
  return path_len(p, len) ? p : NULL;
}

static int is_open(const srv_path_context_t *ctx, const char *path) {
  size_t i, len;
  if (!ctx || !ctx->open_paths)
    return 0;
  for (i = 0; i < ctx->open_count; i++)
    if (open_path(ctx, i, &len) && strcmp(ctx->open_paths[i], path) == 0)
      return 1;
  return 0;
}

static int is_regular_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- to the profile ---- */

static long through_mappings(const srv_path_map_t *m, const char *local,
                             size_t len, const srv_path_context_t *ctx) {
  long i, f;
  size_t from_len, to_len;
  for (i = next_mapping(ctx, 1, -1); i >= 0; i = next_mapping(ctx, 1, i)) {
    const srv_path_mapping_t *mp = &ctx->mappings[i];
    joined_t k;
    if (!mapping_sides(ctx, (size_t)i, &from_len, &to_len) ||
        !covers(mp->to, to_len, local, len))
      continue;
    k.head = mp->from;
    k.head_len = from_len;
    k.tail = local + to_len;
    k.tail_len = len - to_len;
    k.sep = 0;
    if ((f = find_path(m, &k)) >= 0)
      return f;
    k.sep =
        memchr(mp->from, '\\', from_len) && !memchr(mp->from, '/', from_len)
            ? '\\'
            : '/';
    if ((f = find_path(m, &k)) >= 0)
      return f;
  }
  return -1;
}

static srv_match_t by_suffix(const srv_path_map_t *m, const char *local,
                             size_t len, const srv_path_context_t *ctx) {
  srv_match_t r = no_match;
  size_t start, clen, n, best_n = 0, other_n = 0, plen, olen, i;
  long f, best = -1;
  int tie = 0;
  const char *o;

  if (!base_name(local, len, &start, &clen))
    return r;
  for (f = m->by_base[base_slot(m, local + start, clen)]; f >= 0;
       f = m->next_same_base[f]) {
    n = common_suffix(local, len, m->paths[f], strlen(m->paths[f]));
    if (n > best_n) {
      best = f;
      best_n = n;
      tie = 0;
    } else if (n == best_n) {
      tie = 1;
    }
  }
  if (best < 0)
    return r;
  if (tie) {
    r.kind = SRV_MATCH_AMBIGUOUS;
    return r;
  }
  /* The other way round: does another open document fit this file as
   * well? Then this document is not the one that shows it. */
  plen = strlen(m->paths[best]);
  for (i = 0; ctx && ctx->open_paths && i < ctx->open_count; i++) {
    if (!(o = open_path(ctx, i, &olen)) ||
        (olen == len && memcmp(o, local, len) == 0))
      continue;
    n = common_suffix(o, olen, m->paths[best], plen);
    if (n > other_n)
      other_n = n;
  }
  if (other_n > best_n)
    return r;
  if (other_n == best_n) {
    r.kind = SRV_MATCH_AMBIGUOUS;
    return r;
  }
  r.kind = SRV_MATCH_SUFFIX;
  r.file = best;
  r.components = best_n;
  return r;
}

srv_match_t srv_path_map_to_profile(const srv_path_map_t *map,
                                    const char *local_path,
                                    const srv_path_context_t *ctx) {
  srv_match_t r = no_match;
  joined_t k = {NULL, 0, "", 0, 0};
  size_t len;

  if (!map || !path_len(local_path, &len) || len == 0)
    return r;
  k.head = local_path;
  k.head_len = len;
  if ((r.file = find_path(map, &k)) >= 0) {
    r.kind = SRV_MATCH_EXACT;
    return r;
  }
  if ((r.file = through_mappings(map, local_path, len, ctx)) >= 0) {
    r.kind = SRV_MATCH_MAPPING;
    return r;
  }
  return by_suffix(map, local_path, len, ctx);
}

/* ---- to a local file ---- */

/* Writes dir[0, dir_len) then each component of path[from, len) after a
 * '/' into dst, which holds dir_len + (len - from) + 2 bytes: every
 * component but the first has a separator before it already. An empty
 * result is "/". */
static void join_into(char *dst, const char *dir, size_t dir_len,
                      const char *path, size_t len, size_t from) {
  size_t pos = from, start, clen, n = dir_len;
  memcpy(dst, dir, dir_len);
  while (next_component(path, len, &pos, &start, &clen)) {
    dst[n++] = '/';
    memcpy(dst + n, path + start, clen);
    n += clen;
  }
  if (n == 0)
    dst[n++] = '/';
  dst[n] = '\0';
}

static char *copy(const char *s, size_t len) {
  char *p = malloc(len + 1);
  if (p) {
    memcpy(p, s, len);
    p[len] = '\0';
  }
  return p;
}

static char *join_path(const char *dir, size_t dir_len, const char *path,
                       size_t len, size_t from) {
  char *dst = malloc(dir_len + (len - from) + 2);
  if (dst)
    join_into(dst, dir, dir_len, path, len, from);
  return dst;
}

/* Rule 3a. 1 with *out set, 0 for no mapping, -ENOMEM. */
static int local_by_mapping(const char *f, size_t len,
                            const srv_path_context_t *ctx, char **out) {
  long i;
  size_t from_len, to_len;
  char *p;
  for (i = next_mapping(ctx, 0, -1); i >= 0; i = next_mapping(ctx, 0, i)) {
    const srv_path_mapping_t *mp = &ctx->mappings[i];
    if (!mapping_sides(ctx, (size_t)i, &from_len, &to_len) ||
        mp->to[0] != '/' || !covers(mp->from, from_len, f, len))
      continue;
    if (!(p = join_path(mp->to, to_len, f, len, from_len)))
      return -ENOMEM;
    if (is_open(ctx, p) || is_regular_file(p)) {
      *out = p;
      return 1;
    }
    free(p);
  }
  return 0;
}

/* Rule 3d: probes root + F's last k components for k from F's component
 * count - 1 down to more_than + 1. 1 with *out and *k_out set, 0 for no
 * file, 2 for two roots at the same k, or -ENOMEM. */
static int local_by_root(const char *f, size_t len,
                         const srv_path_context_t *ctx, size_t more_than,
                         char **out, size_t *k_out) {
  size_t i, k, rlen, max_rlen = 0, pos, start = 0, clen, hit_len = 0;
  size_t n = count_components(f, len);
  const char *root, *hit;
  char *buf;

  if (!ctx || !ctx->roots || n < 2 || n - 1 <= more_than)
    return 0;
  for (i = 0; i < ctx->root_count; i++)
    if (trimmed_len(ctx->roots[i], &rlen) && rlen > max_rlen)
      max_rlen = rlen;
  if (!(buf = malloc(max_rlen + len + 2)))
    return -ENOMEM;
  /* start: where F's last k components begin, k = n - 1 first. */
  pos = len;
  for (k = 0; k < n - 1; k++)
    prev_component(f, &pos, &start, &clen);
  for (k = n - 1; k > more_than; k--) {
    hit = NULL;
    for (i = 0; i < ctx->root_count; i++) {
      root = ctx->roots[i];
      if (!trimmed_len(root, &rlen) || root[0] != '/')
        continue;
      join_into(buf, root, rlen, f, len, start);
      if (!is_regular_file(buf))
        continue;
      if (hit && (hit_len != rlen || memcmp(hit, root, rlen) != 0)) {
        free(buf);
        return 2;
      }
      hit = root;
      hit_len = rlen;
    }
    if (hit) {
      join_into(buf, hit, hit_len, f, len, start);
      *out = buf;
      *k_out = k;
      return 1;
    }
    /* Drop the first of the k components: skip it, then find the next. */
    pos = start;
    next_component(f, len, &pos, &start, &clen);
    next_component(f, len, &pos, &start, &clen);
  }
  free(buf);
  return 0;
}

/* Rule 3 for F = f[0, len), profile file `file`: sets *out and r->kind
 * (and r->components). 0 or -ENOMEM. */
static int find_local(const srv_path_map_t *m, long file, const char *f,
                      size_t len, const srv_path_context_t *ctx, char **out,
                      srv_match_t *r) {
  size_t i, n, olen, best_n = 0, k;
  const char *o, *best = NULL;
  srv_match_kind_t verdict = SRV_MATCH_NONE;
  srv_match_t back;
  int tie = 0, rc;

  /* a. Through a mapping. */
  if ((rc = local_by_mapping(f, len, ctx, out)) != 0) {
    r->kind = SRV_MATCH_MAPPING;
    return rc < 0 ? rc : 0;
  }
  /* b. The path itself. */
  if (f[0] == '/' && (is_open(ctx, f) || is_regular_file(f))) {
    r->kind = SRV_MATCH_EXACT;
    return (*out = copy(f, len)) ? 0 : -ENOMEM;
  }
  /* c. The open document that shares the most with F. */
  for (i = 0; ctx && ctx->open_paths && i < ctx->open_count; i++) {
    if (!(o = open_path(ctx, i, &olen)) || o[0] != '/')
      continue;
    n = common_suffix(o, olen, f, len);
    if (n > best_n) {
      best = o;
      best_n = n;
      tie = 0;
    } else if (n > 0 && n == best_n && strcmp(o, best) != 0) {
      tie = 1;
    }
  }
  if (best && tie) {
    verdict = SRV_MATCH_AMBIGUOUS;
  } else if (best) {
    back = srv_path_map_to_profile(m, best, ctx);
    if (back.file == file) {
      r->kind = SRV_MATCH_SUFFIX;
      r->components = best_n;
      return (*out = copy(best, strlen(best))) ? 0 : -ENOMEM;
    }
    if (back.kind == SRV_MATCH_AMBIGUOUS)
      verdict = SRV_MATCH_AMBIGUOUS;
  }
  /* d. Under a workspace root; only a file that shares more with F than
   * the open document of (c) can overrule it. */
  rc = local_by_root(f, len, ctx, best_n, out, &k);
  if (rc < 0)
    return rc;
  if (rc == 1) {
    r->kind = SRV_MATCH_SUFFIX;
    r->components = k;
  } else {
    r->kind = rc == 2 ? SRV_MATCH_AMBIGUOUS : verdict;
  }
  return 0;
}

int srv_path_map_to_local(const srv_path_map_t *map, size_t file,
                          const srv_path_context_t *ctx, char **out,
                          srv_match_t *match) {
  srv_match_t r = no_match;
  size_t len;
  int rc = 0;

  if (!out)
    return -EINVAL;
  *out = NULL;
  if (map && file < map->count && path_len(map->paths[file], &len) &&
      len > 0) {
    rc = find_local(map, (long)file, map->paths[file], len, ctx, out, &r);
    if (rc < 0)
      r = no_match; /* *out is still NULL */
    else if (*out)
      r.file = (long)file;
  }
  if (match)
    *match = r;
  return rc;
}
