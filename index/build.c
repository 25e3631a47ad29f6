/*
 * build.c: decoded tables -> points and function records.
 *
 * Each profile function is parsed into its key once; each location frame
 * is resolved to its point once, the first time a sample reaches it. The
 * walk over every frame of every sample is then only array updates:
 *   point.cum  += value for every frame (recursion counts every time),
 *   point.flat += value for frame 0 of the sample (the innermost inlined
 *                 function of the leaf location, skipped or not),
 *   function.cum += value once per sample the function is on.
 * The walk sums per location (phase A); a large profile's samples are
 * walked in two halves on two threads and the sums merged (walk_all), its
 * memory faulted in ahead by a helper thread (prefault.h). Phase B turns
 * the used locations' frames into points, whose sums live in the point
 * table (on two threads after a split walk). Finally keys are sorted into
 * function records, points grouped by record and sorted by line, and the
 * strings copied into the index (beside the ranking, for a large profile).
 */
#include "internal.h"
#include "prefault.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_KEY UINT32_MAX

/* A function key while building: slices into the raw bytes. */
typedef struct function_key {
  hx_slice_t package, type, name, base; /* base: file base name (Go) */
  hx_str_t file;   /* the full path of the first frame with this key */
  hx_str_t symbol; /* the full symbol name of that frame */
  uint64_t hash;
  int64_t cum, flat;
  bool seen; /* some frame resolved to this key */
} function_key_t;

/* A point while building: its sums live in its slot of the point table,
 * so that the slot (fetched ahead) is all that phase B misses on. */
typedef struct point_slot {
  uint64_t id; /* (key << 32 | line) + 1, 0 when the slot is empty */
  int64_t cum, flat;
} point_slot_t;

typedef struct builder {
  hx_raw_t *raw;
  const hx_options_t *opts;
  size_t value_index;
  bool go;
  function_key_t *keys;
  size_t key_count, key_cap;
  uint32_t *key_table; /* hash -> key id + 1 */
  size_t key_mask;
  uint32_t *function_key; /* raw function -> key id or NO_KEY */
  /* Per key: the first function it was made from, and 1 when its
   * functions differ in name or file (the same Go function in two
   * directories): then the frame the samples met first decides the path it
   * shows (set_first_frames). */
  uint32_t *key_function;
  uint8_t *key_ambiguous;
  point_slot_t *point_table; /* open addressing, see point_slot */
  size_t point_count, point_mask;
  /* Phase B's per-key state, apart from function_key_t (136 bytes) so
   * that the keys of a million frames stay in cache: */
  int64_t *key_flat;
  uint8_t *function_used;    /* per raw function: some kept frame has it */
  bool walk_split;           /* the walk ran on two threads */
  function_key_t **order;    /* keys in function record order */
  struct location_sum *sums; /* per raw location (phase A) */
  int64_t *location_flat;    /* per raw location: value as the leaf */
  uint32_t *multi_keys;      /* see location_sum_t.keys */
  size_t multi_count;
  uint8_t *filename_seen; /* string index used as a kept frame's file */
  size_t counting_frames; /* of all locations: no more points than this */
  /* The second walker's location records once merged: memory already
   * faulted in, which the point table takes over (take_spare). */
  void *spare;
  size_t spare_size;
  /* The split of the walk (plan_split), and the second walker's location
   * records, made with the first's (make_walk_memory). */
  struct walk_plan {
    bool split;
    size_t mid, before, largest;
  } plan;
  struct location_sum *second_sums;
  hx_prefault_t prefault;
  int64_t total;
} builder_t;

static uint64_t hash_bytes(uint64_t h, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)p[i]) * 0x100000001b3ull;
  return (h ^ n) * 0x9E3779B97F4A7C15ull;
}

static bool slice_eq(hx_slice_t a, hx_slice_t b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int slice_cmp(hx_slice_t a, hx_slice_t b) {
  size_t n = a.len < b.len ? a.len : b.len;
  int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
  if (c)
    return c;
  return a.len < b.len ? -1 : a.len > b.len;
}

static hx_slice_t str_slice(hx_str_t s) {
  hx_slice_t r = {s.ptr, s.len};
  return r;
}

static int64_t add_sat(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

/* ---- choosing the sample type ---- */

static hx_slice_t raw_string(const hx_raw_t *raw, int64_t i) {
  return str_slice(raw->strings[i]);
}

static bool slice_is(hx_slice_t s, const char *c) {
  return s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

static int choose_sample_type(const hx_raw_t *raw, const char *want,
                              size_t *out, hx_error_t *err) {
  size_t n = raw->sample_type_count;
  if (want && *want) {
    const char *slash = strchr(want, '/');
    size_t type_len = slash ? (size_t)(slash - want) : strlen(want);
    for (size_t i = 0; i < n; i++) {
      hx_slice_t type = raw_string(raw, raw->sample_types[i][0]);
      hx_slice_t unit = raw_string(raw, raw->sample_types[i][1]);
      if (type.len == type_len && memcmp(type.ptr, want, type_len) == 0 &&
          (!slash || slice_is(unit, slash + 1))) {
        *out = i;
        return 0;
      }
    }
    char list[160] = "";
    size_t used = 0;
    for (size_t i = 0; i < n && used + 1 < sizeof list; i++) {
      hx_slice_t type = raw_string(raw, raw->sample_types[i][0]);
      int w = snprintf(list + used, sizeof list - used, "%s%.*s",
                       i ? ", " : "", (int)type.len, type.ptr);
      if (w < 0)
        break;
      used += (size_t)w;
    }
    return hx__fail(err, HX_ESAMPLETYPE,
                    "no sample type \"%s\" in the profile (it has: %s)", want,
                    list);
  }
  for (size_t i = 0; i < n; i++)
    if (slice_is(raw_string(raw, raw->sample_types[i][0]), "cpu") &&
        slice_is(raw_string(raw, raw->sample_types[i][1]), "nanoseconds")) {
      *out = i;
      return 0;
    }
  if (raw->default_sample_type != 0) {
    hx_slice_t def = raw_string(raw, raw->default_sample_type);
    for (size_t i = 0; i < n; i++)
      if (slice_eq(raw_string(raw, raw->sample_types[i][0]), def)) {
        *out = i;
        return 0;
      }
  }
  *out = n - 1;
  return 0;
}

/* ---- keys ---- */

static bool uses_go_symbols(const hx_raw_t *raw, hx_symbols_t mode) {
  if (mode != HX_SYMBOLS_AUTO)
    return mode == HX_SYMBOLS_GO;
  for (size_t i = 0; i < raw->function_count; i++) {
    hx_slice_t file = raw_string(raw, raw->functions[i].filename);
    if (file.len >= 3 && memcmp(file.ptr + file.len - 3, ".go", 3) == 0)
      return true;
  }
  return false;
}

static int grow_key_table(builder_t *b) {
  size_t size = (b->key_mask + 1) * 2;
  uint32_t *table = calloc(size, sizeof *table);
  if (!table)
    return HX_ENOMEM;
  for (size_t k = 0; k < b->key_count; k++) {
    size_t slot = (size_t)b->keys[k].hash & (size - 1);
    while (table[slot])
      slot = (slot + 1) & (size - 1);
    table[slot] = (uint32_t)k + 1;
  }
  free(b->key_table);
  b->key_table = table;
  b->key_mask = size - 1;
  return 0;
}

static bool key_eq(const function_key_t *a, const function_key_t *b) {
  return a->hash == b->hash && slice_eq(a->name, b->name) &&
         slice_eq(a->type, b->type) && slice_eq(a->base, b->base) &&
         slice_eq(a->package, b->package);
}

/* The key id of k (interned), or NO_KEY on allocation failure. */
static uint32_t intern_key(builder_t *b, function_key_t *k) {
  uint64_t h = 0xcbf29ce484222325ull;
  h = hash_bytes(h, k->package.ptr, k->package.len);
  h = hash_bytes(h, k->type.ptr, k->type.len);
  h = hash_bytes(h, k->name.ptr, k->name.len);
  h = hash_bytes(h, k->base.ptr, k->base.len);
  k->hash = h;
  size_t slot = (size_t)h & b->key_mask;
  while (b->key_table[slot]) {
    uint32_t id = b->key_table[slot] - 1;
    if (key_eq(&b->keys[id], k))
      return id;
    slot = (slot + 1) & b->key_mask;
  }
  if (hx__grow((void **)&b->keys, &b->key_cap, b->key_count + 1,
               sizeof *b->keys) < 0)
    return NO_KEY;
  uint32_t id = (uint32_t)b->key_count++;
  b->keys[id] = *k;
  b->key_table[slot] = id + 1;
  if (b->key_count * 2 > b->key_mask && grow_key_table(b) < 0)
    return NO_KEY;
  return id;
}

/* Whether two functions show the same name and file. */
static bool same_names(const hx_raw_t *raw, const hx_raw_function_t *a,
                       const hx_raw_function_t *b) {
  return (a->name == b->name ||
          slice_eq(raw_string(raw, a->name), raw_string(raw, b->name))) &&
         (a->filename == b->filename ||
          slice_eq(raw_string(raw, a->filename),
                   raw_string(raw, b->filename)));
}

/* Parses every profile function into its key (once per function, not once
 * per frame as the reference does). */
static int make_keys(builder_t *b, hx_error_t *err) {
  const hx_raw_t *raw = b->raw;
  b->key_mask = 1023;
  b->key_table = calloc(b->key_mask + 1, sizeof *b->key_table);
  b->function_key = malloc((raw->function_count + 1) * sizeof(uint32_t));
  b->key_ambiguous = calloc(raw->function_count + 1, 1);
  b->key_function =
      malloc((raw->function_count + 1) * sizeof *b->key_function);
  /* No more keys than functions: made once instead of grown. */
  if (!b->key_table || !b->function_key || !b->key_ambiguous ||
      !b->key_function ||
      hx__grow((void **)&b->keys, &b->key_cap, raw->function_count + 1,
               sizeof *b->keys) < 0)
    return hx__fail(err, HX_ENOMEM, "out of memory for function keys");
  for (size_t i = 0; i < raw->function_count; i++) {
    hx_slice_t name = raw_string(raw, raw->functions[i].name);
    hx_slice_t file = raw_string(raw, raw->functions[i].filename);
    function_key_t k;
    memset(&k, 0, sizeof k);
    if (b->go) {
      hx_symbol_t sym;
      hx__symbol_parse(name.ptr, name.len, &sym);
      if (sym.package.len == 0) {
        b->function_key[i] = NO_KEY;
        continue;
      }
      k.package = sym.package;
      k.type = sym.type;
      k.name = sym.func;
      k.base = hx__path_base(file.ptr, file.len);
    } else {
      if (name.len == 0 && file.len == 0) {
        b->function_key[i] = NO_KEY; /* nothing to show for it */
        continue;
      }
      k.name = name;
      k.base = file; /* raw keys use the full path */
    }
    size_t before = b->key_count;
    uint32_t id = intern_key(b, &k);
    if (id == NO_KEY)
      return hx__fail(err, HX_ENOMEM, "out of memory for function keys");
    b->function_key[i] = id;
    if (b->key_count > before)
      b->key_function[id] = (uint32_t)i;
    else if (!b->key_ambiguous[id] &&
             !same_names(raw, &raw->functions[b->key_function[id]],
                         &raw->functions[i]))
      b->key_ambiguous[id] = 1;
  }
  return 0;
}

/* ---- points ---- */

/* The first slot a point id is looked for in, in a table of mask + 1. */
static size_t id_slot(uint64_t id, size_t mask) {
  return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

static int grow_point_table(builder_t *b) {
  size_t size = (b->point_mask + 1) * 2;
  point_slot_t *table = calloc(size, sizeof *table);
  if (!table)
    return HX_ENOMEM;
  for (size_t i = 0; i <= b->point_mask; i++) {
    const point_slot_t *old = &b->point_table[i];
    if (!old->id)
      continue;
    size_t slot = id_slot(old->id, size - 1);
    while (table[slot].id)
      slot = (slot + 1) & (size - 1);
    table[slot] = *old;
  }
  free(b->point_table);
  b->point_table = table;
  b->point_mask = size - 1;
  return 0;
}

/* The first slot the point (key, line) is looked for in. */
static size_t point_slot(const builder_t *b, uint32_t key, uint32_t line) {
  return id_slot(((uint64_t)key << 32 | line) + 1, b->point_mask);
}

/* The slot of the point (key, line), filled if new; NULL on failure. The
 * +1 keeps 0 free to mark an empty slot (key ids stay below 2^31). A new
 * point that fills the table past 3/4 grows it first, so the slot
 * returned stays valid until the next call. */
static point_slot_t *point_for(builder_t *b, uint32_t key, uint32_t line) {
  uint64_t id = ((uint64_t)key << 32 | line) + 1;
  size_t slot = point_slot(b, key, line);
  while (b->point_table[slot].id) {
    if (b->point_table[slot].id == id)
      return &b->point_table[slot];
    slot = (slot + 1) & b->point_mask;
  }
  if ((b->point_count + 1) * 4 > b->point_mask * 3) {
    if (b->point_count >= UINT32_MAX - 1 || grow_point_table(b) < 0)
      return NULL;
    slot = point_slot(b, key, line);
    while (b->point_table[slot].id)
      slot = (slot + 1) & b->point_mask;
  }
  b->point_count++;
  b->point_table[slot].id = id;
  return &b->point_table[slot];
}

/* Phase A, the walk over samples, touches one small record per stack
 * location instead of the points of its frames: those are reached only in
 * phase B, once per location. Sums are linear, so the result is the same as
 * adding the value to every frame of every sample, and the walk stays in
 * cache (deep stacks make it the hot loop of a load). */
typedef struct location_sum {
  int64_t cum;   /* value of samples, once per occurrence in a stack; 0
                    until a sample reaches it (values under 1 are not
                    walked) */
  uint64_t keys; /* the keys of its counting frames, in frame order: see
                    below */
} location_sum_t;
/* 16 bytes, so that four share a cache line: the flat value, added once
 * per sample only, lives in its own array (location_flat).
 *
 * A location's keys are read where its sum is, so that a frame costs the
 * walk one miss: up to three keys inline, KEY_BITS bits each (key + 1,
 * the first frame's lowest, 0 past the last), when every key fits; more
 * than three are MULTI_KEYS | i, the run multi_keys[i ..] whose last key
 * is marked with MULTI. */
#define KEY_BITS 21
#define KEY_FIELD ((UINT64_C(1) << KEY_BITS) - 1)
#define INLINE_KEYS 3
#define MULTI_KEYS (UINT64_C(1) << 63)
#define MULTI 0x80000000u /* the last key of a run in multi_keys */

/* Whether frame fr counts, and its key. */
static uint32_t frame_key(const builder_t *b, const hx_raw_frame_t *fr) {
  /* Negative lines are skipped too: the reference would keep their uint32
   * bit pattern, a line no editor has. */
  return fr->function == HX_FRAME_SKIP ? NO_KEY
                                       : b->function_key[fr->function];
}

/* The keys of each location (location_sum_t.keys), so that phase A reads
 * no frame. One pass: each location's keys are written at the end of
 * multi_keys, which has room for a key per frame (make_walk_memory), and
 * kept there only when they do not fit inline. */
static int set_location_keys(builder_t *b, hx_error_t *err) {
  const hx_raw_t *raw = b->raw;
  if (b->key_count >= MULTI)
    return hx__fail(err, HX_ETOOBIG, "too many functions");
  unsigned inline_max = b->key_count < KEY_FIELD ? INLINE_KEYS : 0;
  uint32_t *multi = b->multi_keys;
  size_t at = 0;
  for (size_t li = 0; li < raw->location_count; li++) {
    const hx_raw_location_t *loc = &raw->locations[li];
    uint32_t counting = 0;
    uint64_t keys = 0;
    for (uint32_t j = 0; j < loc->frame_count; j++) {
      /* raw->frames is NULL when no location has a line */
      uint32_t k = frame_key(b, &raw->frames[loc->first_frame + j]);
      multi[at + counting] = k;
      if (k != NO_KEY) {
        if (counting < INLINE_KEYS)
          keys |= (uint64_t)(k + 1) << (KEY_BITS * counting);
        counting++;
      }
    }
    b->counting_frames += counting;
    if (counting > inline_max) {
      if (at + counting >= MULTI)
        return hx__fail(err, HX_ETOOBIG, "too many location lines");
      multi[at + counting - 1] |= MULTI;
      keys = MULTI_KEYS | at;
      at += counting;
    }
    b->sums[li].keys = keys;
  }
  b->multi_count = at;
  return 0;
}

/* One walk over a run of samples, into sums of its own. A profile whose
 * samples are large enough is walked by two: the caller's thread takes
 * about the first half of the samples (by bytes, at a sample boundary; see
 * split_walk), a second thread the rest, and their sums are merged
 * (merge_walkers). The walks share only what they read (the tables, the
 * location keys) and allocate nothing while they run. */
typedef struct leaf {
  uint32_t location;
  int64_t value;
} leaf_t;

struct walk_gate;

typedef struct walker {
  const builder_t *b;
  location_sum_t *sums;   /* the first walker's are the builder's */
  int64_t *location_flat; /* the first walker: per location, its flat */
  leaf_t *leaves;         /* the second: (leaf location, value) per sample */
  size_t leaf_count;
  /* per key: where its samples first met it, (location + 1) << 32 | the
   * frame's place among the location's counting frames; 0: never */
  uint64_t *key_first_met;
  uint32_t *key_last_sample; /* per key: 1 + last sample counted in cum */
  int64_t *key_cum;          /* per key: pprof's cum */
  int64_t total;
  size_t first, end; /* samples [first, end) */
  /* The second walker: once both walks are done (the gate), it merges its
   * sums of locations [merge_first, ...) into the first's. */
  struct walker *one;
  struct walk_gate *gate;
  size_t merge_first;
  const uint8_t *bytes; /* sample first's bytes */
  hx_sample_buf_t sample;
  int rc;
  hx_error_t err; /* its first error, when rc < 0 */
} walker_t;

/* pprof's cum for a function: the value once per sample it is in. The
 * first time the walker meets the key, where: the frame the samples reach
 * first (see set_first_frames). */
static void add_function_cum(walker_t *w, uint32_t key, size_t sample,
                             int64_t v, size_t location, uint32_t place) {
  if (w->key_last_sample[key] != sample + 1) {
    if (!w->key_last_sample[key])
      w->key_first_met[key] = (uint64_t)(location + 1) << 32 | place;
    w->key_last_sample[key] = (uint32_t)(sample + 1);
    w->key_cum[key] = add_sat(w->key_cum[key], v);
  }
}

/* How many frames (walk) or locations (phase B) ahead a record is
 * fetched; measured on the large benchmark profile. */
enum { WALK_AHEAD = 20, PREFETCH_AHEAD = 8 };

static int walk_sample(walker_t *w, size_t s, const uint8_t *bytes,
                       size_t size) {
  const builder_t *b = w->b;
  const hx_raw_t *raw = b->raw;
  hx_sample_buf_t *sample = &w->sample;
  hx_error_t *err = &w->err;
  int prc = hx__sample_parse(bytes, size, b->value_index, sample);
  if (prc == HX_ENOMEM)
    return hx__fail(err, HX_ENOMEM, "out of memory while reading sample %zu",
                    s);
  if (prc < 0)
    return hx__fail(err, HX_EPROTO, "protobuf: bad sample %zu", s);
  if (sample->value_count != raw->sample_type_count)
    return hx__fail(err, HX_EPROFILE,
                    "sample %zu has %zu values for %zu sample types", s,
                    sample->value_count, raw->sample_type_count);
  int64_t v = sample->value;
  size_t n = sample->id_count;
  uint64_t *ids = sample->ids;
  location_sum_t *sums = w->sums;
  /* Ids become location indices in place; the prefetches let the misses
   * of a deep stack overlap instead of queueing one after another. */
  for (size_t i = 0; i < n; i++) {
    long li = hx__id_map_find(&raw->location_ids, ids[i]);
    if (li < 0)
      return hx__fail(err, HX_EPROFILE,
                      "sample %zu names unknown location id "
                      "%llu",
                      s, (unsigned long long)ids[i]);
    ids[i] = (uint64_t)li;
    if (i < WALK_AHEAD)
      __builtin_prefetch(&sums[li], 1);
  }
  if (v <= 0)
    return 0; /* no heat, but checked all the same */
  w->total = add_sat(w->total, v);
  if (n > 0) {
    if (w->location_flat)
      w->location_flat[ids[0]] = add_sat(w->location_flat[ids[0]], v);
    else
      w->leaves[w->leaf_count++] = (leaf_t){(uint32_t)ids[0], v};
  }
  for (size_t i = 0; i < n; i++) {
    if (i + WALK_AHEAD < n)
      __builtin_prefetch(&sums[ids[i + WALK_AHEAD]], 1);
    /* Half way there, that record has arrived: its keys are fetched. */
    if (i + WALK_AHEAD / 2 < n) {
      uint64_t next = sums[ids[i + WALK_AHEAD / 2]].keys;
      if (next & MULTI_KEYS)
        __builtin_prefetch(&b->multi_keys[(uint32_t)next]);
    }
    size_t li = ids[i];
    location_sum_t *sum = &sums[li];
    sum->cum = add_sat(sum->cum, v);
    uint64_t keys = sum->keys;
    uint32_t place = 0;
    if (!(keys & MULTI_KEYS)) {
      for (; keys; keys >>= KEY_BITS)
        add_function_cum(w, (uint32_t)(keys & KEY_FIELD) - 1, s, v, li,
                         place++);
      continue;
    }
    const uint32_t *multi = &b->multi_keys[(uint32_t)keys];
    do
      add_function_cum(w, *multi & ~MULTI, s, v, li, place++);
    while (!(*multi++ & MULTI));
  }
  return 0;
}

/* Walks w's samples, stopping at the first error (in w->rc, w->err). */
static void walk_run(walker_t *w) {
  const hx_raw_t *raw = w->b->raw;
  const uint8_t *bytes = w->bytes;
  w->rc = 0;
  for (size_t s = w->first; s < w->end && w->rc == 0; s++) {
    w->rc = walk_sample(w, s, bytes, raw->sample_sizes[s]);
    bytes += raw->sample_sizes[s];
  }
}

/* The second walk's sums added to the first's. Sums of values > 0 that
 * saturate do not depend on their order. */
static void merge_locations(walker_t *one, const walker_t *two, size_t first,
                            size_t end) {
  for (size_t li = first; li < end; li++) {
    int64_t later = two->sums[li].cum;
    if (later)
      one->sums[li].cum = add_sat(one->sums[li].cum, later);
  }
}

/* Where the second walker waits for the location keys (started before
 * they are set, as a thread's stack is mapped and a mapping waits for the
 * prefault helper), and the two wait for each other to be done walking. */
typedef struct walk_gate {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int keys;    /* 0 until the keys are set, then 1, or -1: no walk */
  int arrived; /* walkers done walking */
} walk_gate_t;

/* Whether the keys were set (the second walker's wait). */
static bool gate_keys(walk_gate_t *gate) {
  pthread_mutex_lock(&gate->mu);
  while (gate->keys == 0)
    pthread_cond_wait(&gate->cv, &gate->mu);
  int keys = gate->keys;
  pthread_mutex_unlock(&gate->mu);
  return keys > 0;
}

static void gate_set_keys(walk_gate_t *gate, bool set) {
  pthread_mutex_lock(&gate->mu);
  gate->keys = set ? 1 : -1;
  pthread_cond_broadcast(&gate->cv);
  pthread_mutex_unlock(&gate->mu);
}

static void gate_pass(walk_gate_t *gate) {
  pthread_mutex_lock(&gate->mu);
  if (++gate->arrived == 2)
    pthread_cond_broadcast(&gate->cv);
  while (gate->arrived < 2)
    pthread_cond_wait(&gate->cv, &gate->mu);
  pthread_mutex_unlock(&gate->mu);
}

/* The second walk's flat values added to the first's. */
static void merge_leaves(walker_t *one, const walker_t *two) {
  for (size_t i = 0; i < two->leaf_count; i++) {
    const leaf_t *leaf = &two->leaves[i];
    one->location_flat[leaf->location] =
        add_sat(one->location_flat[leaf->location], leaf->value);
  }
}

/* The rest of the merge, after the locations and the leaves (on two
 * threads: see walker_main). */
static void merge_walkers(walker_t *one, const walker_t *two) {
  const builder_t *b = one->b;
  for (size_t k = 0; k < b->key_count; k++)
    one->key_cum[k] = add_sat(one->key_cum[k], two->key_cum[k]);
  one->total = add_sat(one->total, two->total);
}

/* The second walker's thread: its sums take the location keys first.
 * Once both walks are done it merges its sums of the second half of the
 * locations, and its flat values, into the first walker's, while the
 * first merges the first half. */
static void *walker_main(void *arg) {
  walker_t *w = arg;
  const builder_t *b = w->b;
  if (!gate_keys(w->gate))
    return NULL;
  for (size_t li = 0; li < b->raw->location_count; li++)
    w->sums[li].keys = b->sums[li].keys;
  walk_run(w);
  gate_pass(w->gate);
  if (w->rc == 0 && w->one->rc == 0) {
    merge_locations(w->one, w, w->merge_first, b->raw->location_count);
    merge_leaves(w->one, w);
  }
  return NULL;
}

static void walker_close(walker_t *w) {
  if (w->sums != w->b->sums)
    free(w->sums);
  free(w->leaves);
  free(w->key_last_sample);
  free(w->key_cum);
  free(w->key_first_met);
  hx__sample_buf_close(&w->sample);
  memset(w, 0, sizeof *w);
}

/* Samples larger than this keep the walk on one thread: the walkers' id
 * buffers are made before they start, one id per byte at most. */
#define WALK_MAX_SAMPLE (64 * 1024)
#define WALK_SPLIT_AFTER ((size_t)2 << 20) /* sample bytes for two walks */
/* The second walk copies every location's keys (about 10 ns a location
 * here) and its sums are merged location by location (about 6 ns more),
 * against about 8 ns a sample byte for the walk: with fewer than this many
 * sample bytes per location, half the walk would not pay for them. */
#define WALK_BYTES_PER_LOCATION 4

/* Whether the walk is split, and where: the second walker takes the
 * samples after about the first half of the bytes, the first keeps the
 * rest. No split when the profile is too small, a sample too large, or one
 * thread is asked for. */
static void plan_split(builder_t *b) {
  const hx_raw_t *raw = b->raw;
  struct walk_plan *plan = &b->plan;
  memset(plan, 0, sizeof *plan);
  unsigned want = b->opts->walk_threads;
  if (want == 1 || raw->sample_count == 0 || raw->location_count >= MULTI ||
      (want == 0 && (raw->sample_bytes_size < WALK_SPLIT_AFTER ||
                     raw->sample_bytes_size / WALK_BYTES_PER_LOCATION <
                         raw->location_count)))
    return;
  /* The second walker first copies every location's keys (above), and
   * its half took longer in measurements on the benchmark profile: the
   * first takes a location and a half's worth of bytes more than half of
   * them, and the two end within a few ms of each other. */
  size_t half = raw->sample_bytes_size / 2 + raw->location_count * 3 / 4;
  for (size_t s = 0; s < raw->sample_count; s++) {
    if (raw->sample_sizes[s] > plan->largest)
      plan->largest = raw->sample_sizes[s];
    if (plan->before < half) {
      plan->before += raw->sample_sizes[s];
      plan->mid = s + 1;
    }
  }
  plan->split = plan->largest <= WALK_MAX_SAMPLE;
}

/* Sets up the second walker as planned, with the location records made
 * for it, and grows both id buffers to the largest sample. false (and
 * nothing held) when the walk stays on one thread: not planned, or no
 * memory for a second set of sums. */
static bool split_walk(builder_t *b, walker_t *one, walker_t *two) {
  const hx_raw_t *raw = b->raw;
  const struct walk_plan *plan = &b->plan;
  if (!plan->split || !b->second_sums)
    return false;
  two->b = b;
  two->first = plan->mid;
  two->end = raw->sample_count;
  two->bytes = raw->sample_bytes + plan->before;
  two->sums = b->second_sums;
  b->second_sums = NULL;
  two->leaves = malloc((two->end - two->first + 1) * sizeof *two->leaves);
  two->key_last_sample =
      calloc(b->key_count + 1, sizeof *two->key_last_sample);
  two->key_cum = calloc(b->key_count + 1, sizeof *two->key_cum);
  two->key_first_met = calloc(b->key_count + 1, sizeof *two->key_first_met);
  if (!two->leaves || !two->key_last_sample || !two->key_cum ||
      !two->key_first_met ||
      hx__grow((void **)&one->sample.ids, &one->sample.id_cap, plan->largest,
               sizeof *one->sample.ids) < 0 ||
      hx__grow((void **)&two->sample.ids, &two->sample.id_cap, plan->largest,
               sizeof *two->sample.ids) < 0) {
    walker_close(two);
    return false;
  }
  one->end = plan->mid;
  return true;
}

/* The function of the counting frame at place in location li. */
static uint32_t frame_at(const builder_t *b, size_t li, uint32_t place) {
  const hx_raw_t *raw = b->raw;
  const hx_raw_location_t *loc = &raw->locations[li];
  for (uint32_t j = 0; j < loc->frame_count; j++) {
    const hx_raw_frame_t *fr = &raw->frames[loc->first_frame + j];
    if (frame_key(b, fr) != NO_KEY && place-- == 0)
      return fr->function;
  }
  return 0; /* not reached: the walk read place from this location */
}

/* Which keys the samples met (seen), and the file and symbol each one's
 * record shows: perf-heatmap takes them from the first frame of the key
 * it meets, in the order samples first reached the locations (the earlier
 * frame within one location). The first walker's samples come before the
 * second's, so where it met the key wins. A key whose functions all show
 * the same name and file may take any of them. */
static void set_first_frames(builder_t *b, const walker_t *one,
                             const walker_t *two) {
  const hx_raw_t *raw = b->raw;
  for (size_t k = 0; k < b->key_count; k++) {
    function_key_t *key = &b->keys[k];
    uint64_t met = one->key_first_met[k];
    if (!met && two)
      met = two->key_first_met[k];
    key->seen = met != 0;
    if (!met)
      continue;
    uint32_t function =
        b->key_ambiguous[k]
            ? frame_at(b, (size_t)(met >> 32) - 1, (uint32_t)met)
            : b->key_function[k];
    const hx_raw_function_t *fn = &raw->functions[function];
    key->file = raw->strings[fn->filename];
    key->symbol = raw->strings[fn->name];
  }
}

/* A walk: its walkers, and the second's thread when it runs (split). */
typedef struct walk {
  walker_t one, two;
  bool split;
  pthread_t thread;
  walk_gate_t gate;
} walk_t;

/* Starts the second walker's thread, which waits for the location keys;
 * false (nothing held) when it cannot. */
static bool start_second(walk_t *walk) {
  memset(&walk->gate, 0, sizeof walk->gate);
  if (pthread_mutex_init(&walk->gate.mu, NULL) != 0)
    return false;
  if (pthread_cond_init(&walk->gate.cv, NULL) != 0) {
    pthread_mutex_destroy(&walk->gate.mu);
    return false;
  }
  walk->two.one = &walk->one;
  walk->two.gate = &walk->gate;
  walk->two.merge_first = walk->two.b->raw->location_count / 2;
  if (pthread_create(&walk->thread, NULL, walker_main, &walk->two) != 0) {
    pthread_cond_destroy(&walk->gate.cv);
    pthread_mutex_destroy(&walk->gate.mu);
    return false;
  }
  return true;
}

/* Makes the walkers, all they need, and the second's thread when
 * split_walk says so (on one thread if it cannot start), before the
 * location keys are set: the thread's stack is a mapping, which would wait
 * for the prefault helper. On failure nothing is held. */
static int walk_begin(builder_t *b, walk_t *walk, hx_error_t *err) {
  const hx_raw_t *raw = b->raw;
  walker_t *one = &walk->one;
  memset(walk, 0, sizeof *walk);
  one->b = b;
  one->sums = b->sums;
  one->location_flat = b->location_flat;
  one->first = 0;
  one->end = raw->sample_count;
  one->bytes = raw->sample_bytes;
  one->key_last_sample =
      calloc(b->key_count + 1, sizeof *one->key_last_sample);
  one->key_cum = calloc(b->key_count + 1, sizeof *one->key_cum);
  one->key_first_met = calloc(b->key_count + 1, sizeof *one->key_first_met);
  if (!one->key_last_sample || !one->key_cum || !one->key_first_met) {
    walker_close(one);
    return hx__fail(err, HX_ENOMEM, "out of memory for the sample walk");
  }
  walk->split = split_walk(b, one, &walk->two);
  if (walk->split && !start_second(walk)) {
    walker_close(&walk->two);
    one->end = raw->sample_count;
    walk->split = false;
  }
  return 0;
}

/* The second walker's thread joined, and its gate gone with it. */
static void join_second(walk_t *walk) {
  pthread_join(walk->thread, NULL);
  pthread_cond_destroy(&walk->gate.cv);
  pthread_mutex_destroy(&walk->gate.mu);
}

/* Once the location keys are set (keys_set), or could not be: walks
 * every sample, merges the two walks' sums, and closes the walk. The
 * first error in sample order wins: the second half's counts only when
 * the first half had none. */
static int walk_all(builder_t *b, walk_t *walk, bool keys_set,
                    hx_error_t *err) {
  const hx_raw_t *raw = b->raw;
  walker_t *one = &walk->one, *two = &walk->two;
  bool split = walk->split;
  if (split)
    gate_set_keys(&walk->gate, keys_set);
  if (keys_set)
    walk_run(one);
  if (split) {
    if (keys_set) {
      gate_pass(&walk->gate);
      if (one->rc == 0 && two->rc == 0)
        merge_locations(one, two, 0, two->merge_first);
    }
    join_second(walk);
  }
  int rc = one->rc < 0 ? one->rc : split ? two->rc : 0;
  if (rc < 0 && err)
    *err = one->rc < 0 ? one->err : two->err;
  if (keys_set && rc == 0) {
    if (split)
      merge_walkers(one, two);
    for (size_t k = 0; k < b->key_count; k++)
      b->keys[k].cum = one->key_cum[k];
    b->total = one->total;
    set_first_frames(b, one, split ? two : NULL);
  }
  b->walk_split = keys_set && split && rc == 0;
  if (b->walk_split) {
    b->spare = two->sums;
    b->spare_size = (raw->location_count + 1) * sizeof *two->sums;
    two->sums = NULL;
  }
  if (split)
    walker_close(two);
  walker_close(one);
  return rc;
}

/* The point table made in the spare memory, at the size the counting
 * frames could need but no larger than the spare: faulting in a new table
 * (and the smaller ones it grows through) costs more than clearing pages
 * already in memory. The spare is freed if it holds no larger table than
 * the one there is. */
static void take_spare(builder_t *b) {
  size_t need = 1024;
  while (need < SIZE_MAX / 8 && (need - 1) * 3 < b->counting_frames * 4)
    need *= 2;
  size_t fits = 1;
  while (fits * 2 * sizeof *b->point_table <= b->spare_size)
    fits *= 2;
  size_t size = need < fits ? need : fits;
  if (!b->spare || size <= b->point_mask + 1) {
    free(b->spare);
  } else {
    memset(b->spare, 0, size * sizeof *b->point_table);
    free(b->point_table);
    b->point_table = b->spare;
    b->point_mask = size - 1;
  }
  b->spare = NULL;
  b->spare_size = 0;
}

/* Phase B on two threads: each adds the frames of half of the locations
 * (by frames) into the one point table and the per-key arrays they share,
 * with atomic updates. A point is made by whichever thread first claims
 * its slot (compare-and-swap on the slot's id); sums of values over 0
 * that saturate do not depend on their order. So the result is the one
 * thread's, but for where points lie in the table, which
 * make_records does not depend on. The table cannot grow while both add to it:
 * they count the points they make, in batches, and both stop once the table
 * would pass 3/4 full; phase B then starts over in a table twice the size
 * (points_on_two), or on one thread, which grows the table as it needs, when
 * no larger table can be made. */
typedef struct points_share {
  size_t limit;   /* points the table may hold without growing */
  size_t counted; /* points made, flushed by batches (atomic) */
  int full;       /* set once counted passes limit (atomic) */
} points_share_t;

/* Points a thread makes before it adds them to points_share_t.counted. */
#define POINT_BATCH 256

typedef struct points_part {
  builder_t *b;
  points_share_t *share; /* NULL: the only thread, plain updates */
  size_t first, end;     /* locations [first, end) */
  size_t made, unflushed;
  int rc; /* 0, HX_ENOMEM (one thread) or POINTS_FULL */
} points_part_t;

#define POINTS_FULL (-1000)

/* sum += v, saturating; atomic when the sum is shared by two threads. */
static void add_value(int64_t *sum, int64_t v, bool shared) {
  if (!shared) {
    *sum = add_sat(*sum, v);
    return;
  }
  int64_t old = __atomic_load_n(sum, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(sum, &old, add_sat(old, v), true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
}

/* The slot of the point (key, line) in a table shared by two threads,
 * claimed if new; NULL once the table is full (see points_share_t). */
static point_slot_t *shared_point_for(points_part_t *part, uint32_t key,
                                      uint32_t line) {
  builder_t *b = part->b;
  uint64_t id = ((uint64_t)key << 32 | line) + 1;
  size_t slot = point_slot(b, key, line);
  for (;;) {
    point_slot_t *pt = &b->point_table[slot];
    uint64_t seen = __atomic_load_n(&pt->id, __ATOMIC_RELAXED);
    if (seen == 0 &&
        __atomic_compare_exchange_n(&pt->id, &seen, id, false,
                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
      part->made++;
      if (++part->unflushed == POINT_BATCH) {
        part->unflushed = 0;
        if (__atomic_add_fetch(&part->share->counted, POINT_BATCH,
                               __ATOMIC_RELAXED) > part->share->limit) {
          __atomic_store_n(&part->share->full, 1, __ATOMIC_RELAXED);
          return NULL;
        }
      }
      return pt;
    }
    if (seen == id) /* ours, or claimed by the other thread just now */
      return pt;
    slot = (slot + 1) & b->point_mask;
  }
}

/* Adds the frames of locations [part->first, part->end) as points. */
static void add_points(points_part_t *part) {
  builder_t *b = part->b;
  const hx_raw_t *raw = b->raw;
  bool shared = part->share != NULL;
  for (size_t li = part->first; li < part->end; li++) {
    /* Frames lie in location order: the point table's slot of a frame a
     * few locations on is fetched while this one is added. */
    if (li + PREFETCH_AHEAD < part->end && b->sums[li + PREFETCH_AHEAD].cum) {
      const hx_raw_location_t *ahead = &raw->locations[li + PREFETCH_AHEAD];
      for (uint32_t j = 0; j < ahead->frame_count; j++) {
        const hx_raw_frame_t *fr = &raw->frames[ahead->first_frame + j];
        uint32_t key = frame_key(b, fr);
        if (key != NO_KEY)
          __builtin_prefetch(&b->point_table[point_slot(b, key, fr->line)], 1);
      }
    }
    const location_sum_t *sum = &b->sums[li];
    if (!sum->cum || !sum->keys)
      continue;
    if (shared && __atomic_load_n(&part->share->full, __ATOMIC_RELAXED)) {
      part->rc = POINTS_FULL;
      return;
    }
    const hx_raw_location_t *loc = &raw->locations[li];
    int64_t flat = b->location_flat[li];
    for (uint32_t j = 0; j < loc->frame_count; j++) {
      const hx_raw_frame_t *fr = &raw->frames[loc->first_frame + j];
      uint32_t key = frame_key(b, fr);
      if (key == NO_KEY)
        continue;
      __atomic_store_n(&b->function_used[fr->function], 1, __ATOMIC_RELAXED);
      point_slot_t *pt = shared ? shared_point_for(part, key, fr->line)
                                : point_for(b, key, fr->line);
      if (!pt) {
        part->rc = shared ? POINTS_FULL : HX_ENOMEM;
        return;
      }
      /* Only the first frame of the leaf location gets flat, skipped or
       * not: the innermost inlined function of the leaf. */
      add_value(&pt->cum, sum->cum, shared);
      if (j == 0 && flat) {
        add_value(&pt->flat, flat, shared);
        add_value(&b->key_flat[key], flat, shared);
      }
    }
  }
}

static void *points_main(void *arg) {
  add_points(arg);
  return NULL;
}

/* Phase B's output cleared, for a start over; the point table too unless
 * a new one replaces it. */
static void clear_points(builder_t *b, bool table) {
  if (table)
    memset(b->point_table, 0, (b->point_mask + 1) * sizeof *b->point_table);
  b->point_count = 0;
  memset(b->key_flat, 0, (b->key_count + 1) * sizeof *b->key_flat);
  memset(b->function_used, 0, b->raw->function_count + 1);
}

/* Whether phase B runs on two threads: when the walk did (or two threads
 * are asked for), each half with frames to add. The first part ends at
 * the location where half of the frames have been passed. */
static bool split_points(builder_t *b, points_part_t *one,
                         points_part_t *two) {
  const hx_raw_t *raw = b->raw;
  if (!b->walk_split || raw->location_count < 2)
    return false;
  size_t lo = 0, hi = raw->location_count;
  while (lo < hi) { /* the first location past half of the frames */
    size_t mid = lo + (hi - lo) / 2;
    if (raw->locations[mid].first_frame < raw->frame_count / 2)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0 || lo == raw->location_count)
    return false;
  one->end = two->first = lo;
  two->end = raw->location_count;
  return true;
}

/* Phase B on two threads (split_points), with a table twice the size each
 * time it fills; false, with phase B's output cleared, when it cannot be
 * (no split, no thread, no memory for a larger table). */
static bool points_on_two(builder_t *b) {
  const hx_raw_t *raw = b->raw;
  points_part_t one = {b, NULL, 0, raw->location_count, 0, 0, 0};
  points_part_t two = {b, NULL, 0, 0, 0, 0, 0};
  if (b->point_count != 0 || !split_points(b, &one, &two))
    return false;
  for (;;) {
    points_share_t share = {0, 0, 0};
    /* Room for each thread's last batch, not yet counted. */
    size_t room = b->point_mask / 4 * 3;
    share.limit = room > 2 * POINT_BATCH ? room - 2 * POINT_BATCH : 0;
    one.share = two.share = &share;
    one.made = two.made = one.unflushed = two.unflushed = 0;
    one.rc = two.rc = 0;
    pthread_t thread;
    if (pthread_create(&thread, NULL, points_main, &two) != 0)
      return false;
    add_points(&one);
    pthread_join(thread, NULL);
    if (one.rc == 0 && two.rc == 0) {
      b->point_count = one.made + two.made;
      return true;
    }
    /* Full: again from the start, in a table twice the size. No more
     * points than counting frames, so a table that holds those is the
     * last one tried. */
    size_t size = (b->point_mask + 1) * 2;
    point_slot_t *table = NULL;
    if ((b->point_mask + 1) / 4 * 3 <= b->counting_frames)
      table = calloc(size, sizeof *table);
    clear_points(b, table == NULL);
    if (!table)
      return false;
    free(b->point_table);
    b->point_table = table;
    b->point_mask = size - 1;
  }
}

/* Phase B: the frames of each used location become points, one location
 * after another in memory order (on two threads for a large profile, see
 * above). Each key's first frame is known from the walk already
 * (set_first_frames). The loop touches only the point's slot (fetched
 * ahead) and small per-key arrays. */
static int make_points(builder_t *b, hx_error_t *err) {
  const hx_raw_t *raw = b->raw;
  points_part_t one = {b, NULL, 0, raw->location_count, 0, 0, 0};
  if (!points_on_two(b))
    add_points(&one);
  if (one.rc < 0)
    return hx__fail(err, HX_ENOMEM, "out of memory for points");
  for (size_t k = 0; k < b->key_count; k++)
    b->keys[k].flat = b->key_flat[k];
  for (size_t f = 0; f < raw->function_count; f++)
    if (b->function_used[f])
      b->filename_seen[raw->functions[f].filename] = 1;
  return 0;
}

/* Below this many bytes of large arrays, faulting them in on another
 * thread saves less than starting it costs. */
#define PREFAULT_AFTER ((size_t)4 << 20)

/* The walk's large arrays: the location records of both walkers and the
 * flat values. A helper thread faults them in (prefault.h) while the
 * caller sets the locations' keys: the walkers then find them in memory.
 * (Measured on the benchmark profile: the walk 21 ms shorter, setting the
 * keys 5 ms longer, as the two threads' page faults slow each other; with
 * the helper started before the function keys were made, they took 12 ms
 * longer.) */
static int make_walk_memory(builder_t *b, hx_error_t *err) {
  const hx_raw_t *raw = b->raw;
  if (raw->location_count >= UINT32_MAX)
    return hx__fail(err, HX_ETOOBIG, "too many locations");
  b->sums = calloc(raw->location_count + 1, sizeof *b->sums);
  b->location_flat = calloc(raw->location_count + 1, sizeof *b->location_flat);
  b->multi_keys = malloc((raw->frame_count + 1) * sizeof *b->multi_keys);
  if (!b->sums || !b->location_flat || !b->multi_keys)
    return hx__fail(err, HX_ENOMEM, "out of memory for the sample walk");
  plan_split(b);
  if (b->plan.split) /* without them, the walk stays on one thread */
    b->second_sums = calloc(raw->location_count + 1, sizeof *b->second_sums);
  return 0;
}

/* Starts the helper on the walkers' location records and the flat values,
 * once everything else the walk needs is made: an allocation large enough
 * to be mapped waits for the helper's calls to end (about 6 ms on the
 * benchmark profile). */
static void start_prefault(builder_t *b, const walk_t *walk) {
  size_t locations = b->raw->location_count + 1;
  hx__prefault_add(&b->prefault, b->sums, locations * sizeof *b->sums);
  if (walk->split)
    hx__prefault_add(&b->prefault, walk->two.sums,
                     locations * sizeof *walk->two.sums);
  hx__prefault_add(&b->prefault, b->location_flat,
                   locations * sizeof *b->location_flat);
  hx__prefault_start(&b->prefault, PREFAULT_AFTER);
}

static int walk_samples(builder_t *b, hx_error_t *err) {
  const hx_raw_t *raw = b->raw;
  int rc = make_walk_memory(b, err);
  if (rc < 0)
    return rc;
  b->filename_seen = calloc(raw->string_count + 1, 1);
  b->point_mask = 1023;
  b->point_table = calloc(b->point_mask + 1, sizeof *b->point_table);
  b->key_flat = calloc(b->key_count + 1, sizeof *b->key_flat);
  b->function_used = calloc(raw->function_count + 1, 1);
  if (!b->filename_seen || !b->point_table || !b->key_flat ||
      !b->function_used)
    return hx__fail(err, HX_ENOMEM, "out of memory for the sample walk");
  if (raw->sample_count >= UINT32_MAX)
    return hx__fail(err, HX_ETOOBIG, "too many samples");
  walk_t walk;
  if ((rc = walk_begin(b, &walk, err)) < 0)
    return rc;
  start_prefault(b, &walk);
  rc = set_location_keys(b, err);
  if (rc < 0)
    hx__prefault_join(&b->prefault); /* it may be at walk.two.sums */
  int walked = walk_all(b, &walk, rc == 0, err);
  if (rc == 0)
    rc = walked;
  hx__prefault_join(&b->prefault); /* before anything it faults is freed */
  /* The samples are done with: their bytes go before the points grow. */
  hx__raw_release_samples(b->raw);
  take_spare(b);
  if (rc == 0)
    rc = make_points(b, err);
  /* What the walk needed is done with: give it back before the index
   * arrays are made, so that the two never add up (the point table, which
   * holds the points, goes once they are copied out). */
  free(b->sums);
  free(b->location_flat);
  free(b->multi_keys);
  free(b->key_flat);
  free(b->function_used);
  b->sums = NULL;
  b->location_flat = NULL;
  b->multi_keys = NULL;
  b->key_flat = NULL;
  b->function_used = NULL;
  hx__raw_release_walk(b->raw);
  return rc;
}

/* ---- the finished index ---- */

/* Function record order: (file, type, name, package), bytewise. */
static int key_order(const void *pa, const void *pb) {
  const function_key_t *a = *(const function_key_t *const *)pa;
  const function_key_t *b = *(const function_key_t *const *)pb;
  /* Most keys of one file share its string: no need to compare it. */
  int c = a->file.ptr == b->file.ptr && a->file.len == b->file.len
              ? 0
              : slice_cmp(str_slice(a->file), str_slice(b->file));
  if (!c)
    c = slice_cmp(a->type, b->type);
  if (!c)
    c = slice_cmp(a->name, b->name);
  if (!c)
    c = slice_cmp(a->package, b->package);
  return c;
}

static int line_order(const void *pa, const void *pb) {
  uint32_t a = ((const hx_point_t *)pa)->line;
  uint32_t b = ((const hx_point_t *)pb)->line;
  return a < b ? -1 : a > b;
}

/* A record's points by line, which are unique within a record: insertion
 * sort for the few points most functions have (qsort's calls cost more
 * than the sort), qsort beyond. */
static void sort_by_line(hx_point_t *points, size_t n) {
  if (n > 32) {
    qsort(points, n, sizeof *points, line_order);
    return;
  }
  for (size_t i = 1; i < n; i++) {
    hx_point_t p = points[i];
    size_t j = i;
    for (; j > 0 && points[j - 1].line > p.line; j--)
      points[j] = points[j - 1];
    points[j] = p;
  }
}

static int string_order(const void *pa, const void *pb) {
  return slice_cmp(str_slice(*(const hx_str_t *)pa),
                   str_slice(*(const hx_str_t *)pb));
}

static char *copy_slice(hx_index_t *ix, hx_slice_t s) {
  return hx__arena_strndup(&ix->strings, s.ptr ? s.ptr : "", s.len);
}

/* Appends s (n bytes, up to a NUL in them, as printf's "%.*s" would);
 * returns the end. */
static char *put(char *p, const char *s, size_t n) {
  if (n) {
    n = strnlen(s, n);
    memcpy(p, s, n);
  }
  return p + n;
}

/* "pkg.(Type).Func", "pkg.Func", or the raw name: what stat prints. */
static char *display_name(hx_index_t *ix, const function_key_t *k, bool go) {
  if (!go)
    return copy_slice(ix, k->name);
  size_t n = k->package.len + k->type.len + k->name.len + 8;
  char *buf = hx__arena_alloc(&ix->strings, n);
  if (!buf)
    return NULL;
  char *p = put(buf, k->package.ptr, k->package.len);
  if (k->type.len) {
    p = put(p, ".(", 2);
    p = put(p, k->type.ptr, k->type.len);
    p = put(p, ")", 1);
  }
  p = put(p, ".", 1);
  p = put(p, k->name.ptr, k->name.len);
  *p = '\0';
  return buf;
}

/* perf-heatmap's MemoryUsageApprox() counts the set of full paths of all
 * kept frames, which can hold paths no function record shows (merged keys):
 * kept in the index, sorted and unique, for merges to unite. */
static int store_filenames(const builder_t *b, hx_index_t *ix) {
  const hx_raw_t *raw = b->raw;
  size_t n = 0;
  for (size_t i = 0; i < raw->string_count; i++)
    n += b->filename_seen[i];
  hx_str_t *names = malloc((n + 1) * sizeof *names);
  ix->filenames = malloc((n + 1) * sizeof *ix->filenames);
  if (!names || !ix->filenames) {
    free(names);
    return HX_ENOMEM;
  }
  n = 0;
  for (size_t i = 0; i < raw->string_count; i++)
    if (b->filename_seen[i])
      names[n++] = raw->strings[i];
  qsort(names, n, sizeof *names, string_order);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (i && string_order(&names[i - 1], &names[i]) == 0)
      continue;
    const char *copy = copy_slice(ix, str_slice(names[i]));
    if (!copy)
      rc = HX_ENOMEM;
    else
      ix->filenames[ix->filename_count++] = copy;
  }
  free(names);
  return rc;
}

uint64_t hx__memory_approx(const hx_index_t *ix) {
  uint64_t bytes = 0;
  for (size_t i = 0; i < ix->filename_count; i++)
    bytes += strlen(ix->filenames[i]);
  return 68 * (uint64_t)ix->function_count + 16 * (uint64_t)ix->point_count +
         24 * (uint64_t)ix->function_count +
         12 * (uint64_t)ix->filename_count + bytes;
}

static int make_records(builder_t *b, hx_index_t *ix, hx_error_t *err) {
  /* Keys that no frame reached have no record. */
  function_key_t **order = malloc((b->key_count + 1) * sizeof *order);
  if (!order)
    return hx__fail(err, HX_ENOMEM, "out of memory for function records");
  size_t nf = 0;
  for (size_t k = 0; k < b->key_count; k++)
    if (b->keys[k].seen)
      order[nf++] = &b->keys[k];
  qsort(order, nf, sizeof *order, key_order);

  ix->functions = calloc(nf + 1, sizeof *ix->functions);
  ix->points = calloc(b->point_count + 1, sizeof *ix->points);
  ix->files = calloc(nf + 1, sizeof *ix->files);
  /* A point reaches its record's slice through two small arrays, a key's
   * record and a record's next free point, rather than through the key
   * and function records, too large to stay in cache. */
  uint32_t *key_record = malloc((b->key_count + nf + 2) * sizeof *key_record);
  if (!ix->functions || !ix->points || !ix->files || !key_record) {
    free(order);
    free(key_record);
    return hx__fail(err, HX_ENOMEM, "out of memory for function records");
  }
  uint32_t *next_point = key_record + b->key_count + 1;
  ix->function_count = nf;
  ix->point_count = b->point_count;

  /* Count points per record, then place each point in its record's slice
   * (in table order: the sort by line below orders each record, whose
   * lines are unique). */
  for (size_t r = 0; r < nf; r++) {
    key_record[order[r] - b->keys] = (uint32_t)r;
    next_point[r] = 0;
  }
  const point_slot_t *table = b->point_table;
  for (size_t i = 0; i <= b->point_mask; i++)
    if (table[i].id)
      next_point[key_record[(table[i].id - 1) >> 32]]++;
  uint32_t next = 0;
  for (size_t r = 0; r < nf; r++) {
    ix->functions[r].first_point = next;
    ix->functions[r].point_count = next_point[r];
    next_point[r] = next;
    next += ix->functions[r].point_count;
  }
  for (size_t i = 0; i <= b->point_mask; i++) {
    if (!table[i].id)
      continue;
    uint64_t id = table[i].id - 1;
    uint32_t r = key_record[id >> 32];
    hx_point_t *pt = &ix->points[next_point[r]++];
    pt->flat = table[i].flat;
    pt->cum = table[i].cum;
    pt->line = (uint32_t)id;
    pt->function = r;
  }
  free(key_record);
  /* The point table stays until the ranking, whose sorts use its memory
   * (see hx__index_rank). */

  size_t nfiles = 0;
  for (size_t r = 0; r < nf; r++) {
    const function_key_t *k = order[r];
    hx_function_t *fn = &ix->functions[r];
    sort_by_line(&ix->points[fn->first_point], fn->point_count);
    fn->min_line = ix->points[fn->first_point].line;
    fn->max_line = ix->points[fn->first_point + fn->point_count - 1].line;
    fn->flat = k->flat;
    fn->cum = k->cum;
    bool new_file =
        r == 0 || slice_cmp(str_slice(k->file), str_slice(order[r - 1]->file));
    if (new_file)
      ix->files[nfiles++].first_function = (uint32_t)r;
    hx_file_t *f = &ix->files[nfiles - 1];
    f->function_count++;
    f->point_count += fn->point_count;
    fn->file = (uint32_t)(nfiles - 1);
  }
  ix->file_count = nfiles;
  b->order = order; /* for the names (copy_names) */
  return 0;
}

/* Each function record's and file's names, copied into the index. */
static int copy_names(builder_t *b, hx_index_t *ix) {
  for (size_t r = 0; r < ix->function_count; r++) {
    const function_key_t *k = b->order[r];
    hx_function_t *fn = &ix->functions[r];
    fn->package = copy_slice(ix, k->package);
    fn->type = copy_slice(ix, k->type);
    fn->name = copy_slice(ix, k->name);
    fn->symbol = copy_slice(ix, str_slice(k->symbol));
    fn->display = display_name(ix, k, b->go);
    if (!fn->package || !fn->type || !fn->name || !fn->symbol || !fn->display)
      return HX_ENOMEM;
  }
  for (size_t f = 0; f < ix->file_count; f++) {
    const function_key_t *k = b->order[ix->files[f].first_function];
    ix->files[f].path = copy_slice(ix, str_slice(k->file));
    if (!ix->files[f].path)
      return HX_ENOMEM;
  }
  return 0;
}

static void set_unit(hx_summary_t *s) {
  static const struct {
    const char *unit;
    int64_t ns;
  } times[] = {{"nanoseconds", 1},
               {"microseconds", 1000},
               {"milliseconds", 1000000},
               {"seconds", 1000000000}};
  s->unit_kind = HX_UNIT_COUNT;
  s->ns_per_unit = 0;
  for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
    if (strcmp(s->sample_type.unit, times[i].unit) == 0) {
      s->unit_kind = HX_UNIT_TIME;
      s->ns_per_unit = times[i].ns;
    }
  if (strcmp(s->sample_type.unit, "bytes") == 0)
    s->unit_kind = HX_UNIT_BYTES;
}

static int copy_sample_types(const hx_raw_t *raw, hx_index_t *ix,
                             hx_error_t *err) {
  ix->sample_types = calloc(raw->sample_type_count, sizeof *ix->sample_types);
  if (!ix->sample_types)
    return hx__fail(err, HX_ENOMEM, "out of memory");
  ix->sample_type_count = raw->sample_type_count;
  for (size_t i = 0; i < raw->sample_type_count; i++) {
    ix->sample_types[i].type =
        copy_slice(ix, raw_string(raw, raw->sample_types[i][0]));
    ix->sample_types[i].unit =
        copy_slice(ix, raw_string(raw, raw->sample_types[i][1]));
    if (!ix->sample_types[i].type || !ix->sample_types[i].unit)
      return hx__fail(err, HX_ENOMEM, "out of memory");
  }
  return 0;
}

/* Every string the index keeps: the file names set, the sample types, the
 * records' names. Nothing else writes to the index's strings, and the
 * ranking needs none of them: for a large profile they are copied on a
 * thread of their own while the points are ranked. */
static int copy_strings(builder_t *b, hx_index_t *ix, hx_error_t *err) {
  if (store_filenames(b, ix) < 0)
    return hx__fail(err, HX_ENOMEM, "out of memory");
  int rc = copy_sample_types(b->raw, ix, err);
  if (rc == 0 && copy_names(b, ix) < 0)
    rc = hx__fail(err, HX_ENOMEM, "out of memory for function records");
  return rc;
}

/* Points from which copy_strings runs beside the ranking. */
#define STRINGS_APART_AFTER 65536

typedef struct strings_job {
  builder_t *b;
  hx_index_t *ix;
  int rc;
  hx_error_t err;
} strings_job_t;

static void *strings_main(void *arg) {
  strings_job_t *job = arg;
  job->rc = copy_strings(job->b, job->ix, &job->err);
  return NULL;
}

static void builder_close(builder_t *b) {
  hx__prefault_join(&b->prefault);
  free(b->keys);
  free(b->key_table);
  free(b->function_key);
  free(b->key_ambiguous);
  free(b->key_function);
  free(b->point_table);
  free(b->key_flat);
  free(b->function_used);
  free(b->sums);
  free(b->location_flat);
  free(b->multi_keys);
  free(b->filename_seen);
  free(b->spare);
  free(b->second_sums);
  free(b->order);
}

int hx__index_build(hx_raw_t *raw, const hx_options_t *opts, hx_index_t **out,
                    hx_error_t *err) {
  *out = NULL;
  builder_t b;
  memset(&b, 0, sizeof b);
  b.raw = raw;
  b.opts = opts;
  hx_index_t *ix = calloc(1, sizeof *ix);
  if (!ix)
    return hx__fail(err, HX_ENOMEM, "out of memory");
  hx__arena_init(&ix->strings, 256 * 1024);
  int rc = choose_sample_type(raw, opts->sample_type, &b.value_index, err);
  if (rc == 0) {
    b.go = uses_go_symbols(raw, opts->symbols);
    rc = make_keys(&b, err);
  }
  if (rc == 0)
    rc = walk_samples(&b, err);
  if (rc == 0 && b.point_count == 0)
    rc = hx__fail(err, HX_ENOSAMPLES,
                  b.go ? "no sample has a frame in a Go package"
                       : "no sample has a frame with a function");
  if (rc == 0)
    rc = make_records(&b, ix, err);
  strings_job_t job = {&b, ix, 0, {0, ""}};
  pthread_t thread;
  bool apart = false;
  if (rc == 0) {
    apart = ix->point_count >= STRINGS_APART_AFTER &&
            pthread_create(&thread, NULL, strings_main, &job) == 0;
    if (!apart)
      rc = copy_strings(&b, ix, err);
  }
  hx_summary_t *s = &ix->summary;
  if (rc == 0) {
    s->sample_type_index = b.value_index;
    s->total = b.total;
    s->samples = raw->sample_count;
    s->files = ix->file_count;
    s->functions = ix->function_count;
    s->points = ix->point_count;
    s->go_symbols = b.go;
    s->inputs = 1;
    s->threshold = opts->threshold;
    s->local_scope = opts->local_scope;
    rc = hx__index_rank(ix, b.point_table,
                        (b.point_mask + 1) * sizeof *b.point_table, err);
  }
  if (apart) {
    pthread_join(thread, NULL);
    if (rc == 0 && job.rc < 0) {
      rc = job.rc;
      if (err)
        *err = job.err;
    }
  }
  if (rc == 0) { /* with the strings in */
    s->sample_type = ix->sample_types[b.value_index];
    set_unit(s);
    s->reference_memory_approx = hx__memory_approx(ix);
  }
  builder_close(&b);
  if (rc < 0) {
    hx_index_free(ix);
    return rc;
  }
  *out = ix;
  return 0;
}
