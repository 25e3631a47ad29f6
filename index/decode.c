/*
 * decode.c: raw profile.proto bytes -> the tables of hx_raw_t.
 *
 * One pass over the top-level fields, through a window that holds a few
 * complete fields at a time: the input stage (inflate.c) writes the bytes
 * into it as they arrive, and it is decoded each time it is full, so the
 * same fields are decoded at the same points however the bytes were split
 * (and the window doubles when one field fills it). Sample types,
 * locations and functions are read one message at a time (message.c) into
 * compact tables; strings are copied out; samples are only set aside as
 * bytes here (they come first in a profile, before the locations they
 * name) and are read by the sample walk in build.c. So the raw profile is
 * never in memory whole: of its bytes only the samples are kept, about half of
 * a Go profile. Afterwards every id and string index is checked, so that
 * nothing later can meet a dangling reference.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Field numbers of message Profile (profile.proto); test_decode checks them
 * against the generated descriptor. */
enum {
  PROFILE_SAMPLE_TYPE = 1,
  PROFILE_SAMPLE = 2,
  PROFILE_LOCATION = 4,
  PROFILE_FUNCTION = 5,
  PROFILE_STRING_TABLE = 6,
  PROFILE_DEFAULT_SAMPLE_TYPE = 14
};

struct hx_decoder {
  hx_raw_t *raw;
  hx_location_buf_t location; /* the lines of one location, reused */
  size_t cap_strings, cap_types, cap_functions, cap_locations,
      cap_location_ids, cap_frames, cap_odd_frames, cap_samples,
      cap_sample_bytes;
  uint8_t *window; /* [0, end): bytes not decoded yet */
  size_t window_cap, end;
};
typedef hx_decoder_t decoder_t;

#define GROW(d, field, count_expr, capname)                                   \
  hx__grow((void **)&(d)->raw->field, &(d)->capname, (count_expr) + 1,        \
           sizeof *(d)->raw->field)

static int no_memory(hx_error_t *err) {
  return hx__fail(err, HX_ENOMEM, "out of memory while decoding the profile");
}

static int add_sample_type(decoder_t *d, const hx_field_t *f,
                           hx_error_t *err) {
  hx_raw_t *raw = d->raw;
  uint64_t vt[2]; /* type, unit */
  if (hx__varint_message_parse(f->data, f->size, 2, vt, 2) < 0)
    return hx__fail(err, HX_EPROTO, "protobuf: bad sample_type %zu",
                    raw->sample_type_count);
  if (GROW(d, sample_types, raw->sample_type_count, cap_types) < 0)
    return no_memory(err);
  raw->sample_types[raw->sample_type_count][0] = (int64_t)vt[0];
  raw->sample_types[raw->sample_type_count][1] = (int64_t)vt[1];
  raw->sample_type_count++;
  return 0;
}

static int add_function(decoder_t *d, const hx_field_t *f, hx_error_t *err) {
  hx_raw_t *raw = d->raw;
  uint64_t fn[4]; /* id, name, system_name, filename (start_line: 5) */
  if (hx__varint_message_parse(f->data, f->size, 5, fn, 4) < 0)
    return hx__fail(err, HX_EPROTO, "protobuf: bad function %zu",
                    raw->function_count);
  if (GROW(d, functions, raw->function_count, cap_functions) < 0)
    return no_memory(err);
  hx_raw_function_t *rf = &raw->functions[raw->function_count++];
  rf->id = fn[0];
  rf->name = (int64_t)fn[1];
  rf->filename = (int64_t)fn[3];
  return 0;
}

static int add_location(decoder_t *d, const hx_field_t *f, hx_error_t *err) {
  hx_raw_t *raw = d->raw;
  hx_location_buf_t *loc = &d->location;
  int rc = hx__location_parse(f->data, f->size, loc);
  if (rc == HX_ENOMEM)
    return no_memory(err);
  if (rc < 0)
    return hx__fail(err, HX_EPROTO, "protobuf: bad location %zu",
                    raw->location_count);
  if (loc->line_count > UINT32_MAX - raw->frame_count)
    return hx__fail(err, HX_ETOOBIG, "too many location lines");
  size_t frames = raw->frame_count + loc->line_count;
  if (GROW(d, locations, raw->location_count, cap_locations) < 0 ||
      GROW(d, location_id_list, raw->location_count, cap_location_ids) < 0 ||
      hx__grow((void **)&raw->frames, &d->cap_frames, frames,
               sizeof *raw->frames) < 0)
    return no_memory(err);
  raw->location_id_list[raw->location_count] = loc->id;
  hx_raw_location_t *rl = &raw->locations[raw->location_count++];
  rl->first_frame = (uint32_t)raw->frame_count;
  rl->frame_count = (uint32_t)loc->line_count;
  for (size_t i = 0; i < loc->line_count; i++) {
    int64_t line = loc->lines[i].line;
    uint64_t id = loc->lines[i].function_id;
    bool counts = line >= 0 && line <= (int64_t)UINT32_MAX;
    hx_raw_frame_t *fr = &raw->frames[raw->frame_count];
    bool held = counts && id != 0 && id < HX_FRAME_SKIP;
    fr->function = held ? (uint32_t)id - 1 : HX_FRAME_SKIP;
    fr->line = counts ? (uint32_t)line : 0;
    if (held && id > raw->frame_function_max)
      raw->frame_function_max = (uint32_t)id;
    if (fr->function == HX_FRAME_SKIP) {
      if (hx__grow((void **)&raw->odd_frames, &d->cap_odd_frames,
                   raw->odd_frame_count + 1, sizeof *raw->odd_frames) < 0)
        return no_memory(err);
      struct hx_odd_frame *odd = &raw->odd_frames[raw->odd_frame_count++];
      odd->counts = counts;
      odd->function_id = id;
    }
    raw->frame_count++;
  }
  return 0;
}

static int add_string(decoder_t *d, const hx_field_t *f, hx_error_t *err) {
  hx_raw_t *raw = d->raw;
  if (f->size > UINT32_MAX)
    return hx__fail(err, HX_ETOOBIG, "a string of %zu bytes", f->size);
  if (GROW(d, strings, raw->string_count, cap_strings) < 0)
    return no_memory(err);
  /* The index hands its names out as C strings, so a string ends at its
   * first NUL byte here already: two names that differ only after it are
   * the same name everywhere (keys, order, merges), as a reader sees them. */
  const uint8_t *nul = f->size ? memchr(f->data, 0, f->size) : NULL;
  size_t len = nul ? (size_t)(nul - f->data) : f->size;
  if (raw->string_count == 0)
    raw->first_string_size = f->size;
  char *copy =
      hx__arena_strndup(&raw->string_arena, (const char *)f->data, len);
  if (!copy)
    return no_memory(err);
  raw->strings[raw->string_count].ptr = copy;
  raw->strings[raw->string_count].len = (uint32_t)len;
  raw->string_count++;
  return 0;
}

static int add_sample(decoder_t *d, const hx_field_t *f, hx_error_t *err) {
  hx_raw_t *raw = d->raw;
  if (f->size > UINT32_MAX)
    return hx__fail(err, HX_ETOOBIG, "a sample of %zu bytes", f->size);
  if (GROW(d, sample_sizes, raw->sample_count, cap_samples) < 0 ||
      hx__grow((void **)&raw->sample_bytes, &d->cap_sample_bytes,
               raw->sample_bytes_size + f->size, 1) < 0)
    return no_memory(err);
  if (f->size)
    memcpy(raw->sample_bytes + raw->sample_bytes_size, f->data, f->size);
  raw->sample_bytes_size += f->size;
  raw->sample_sizes[raw->sample_count++] = (uint32_t)f->size;
  return 0;
}

static int decode_field(decoder_t *d, const hx_field_t *f, hx_error_t *err) {
  uint32_t want = HX_WIRE_LEN;
  switch (f->number) {
  case PROFILE_SAMPLE_TYPE:
  case PROFILE_SAMPLE:
  case PROFILE_LOCATION:
  case PROFILE_FUNCTION:
  case PROFILE_STRING_TABLE: break;
  case PROFILE_DEFAULT_SAMPLE_TYPE: want = HX_WIRE_VARINT; break;
  default: return 0; /* a field heatls does not use */
  }
  if (f->wire_type != want)
    return hx__fail(err, HX_EPROTO,
                    "protobuf: profile field %u has wire type %u, not %u",
                    f->number, f->wire_type, want);
  switch (f->number) {
  case PROFILE_SAMPLE_TYPE: return add_sample_type(d, f, err);
  case PROFILE_SAMPLE: return add_sample(d, f, err);
  case PROFILE_LOCATION: return add_location(d, f, err);
  case PROFILE_FUNCTION: return add_function(d, f, err);
  case PROFILE_STRING_TABLE: return add_string(d, f, err);
  default: d->raw->default_sample_type = (int64_t)f->varint; return 0;
  }
}

#define WINDOW_SIZE ((size_t)1 << 20)

int hx__decoder_new(hx_raw_t *raw, hx_decoder_t **out, hx_error_t *err) {
  *out = NULL;
  decoder_t *d = calloc(1, sizeof *d);
  if (!d)
    return no_memory(err);
  d->raw = raw;
  hx__arena_init(&raw->string_arena, 256 * 1024);
  d->window_cap = WINDOW_SIZE;
  d->window = malloc(d->window_cap);
  if (!d->window) {
    hx__decoder_free(d);
    return no_memory(err);
  }
  *out = d;
  return 0;
}

void hx__decoder_free(hx_decoder_t *d) {
  if (!d)
    return;
  hx__location_buf_close(&d->location);
  free(d->window);
  free(d);
}

/* Decodes every complete field of the window and moves the rest (the
 * start of a field) to its front. */
static int decode_window(decoder_t *d, hx_error_t *err) {
  hx_wire_t w = {d->window, d->window + d->end};
  hx_field_t f;
  int rc;
  while ((rc = hx__wire_next_partial(&w, &f, err)) > 0)
    if ((rc = decode_field(d, &f, err)) < 0)
      return rc;
  if (rc < 0)
    return rc;
  size_t start = (size_t)(w.pos - d->window);
  memmove(d->window, d->window + start, d->end - start);
  d->end -= start;
  return 0;
}

int hx__decoder_room(hx_decoder_t *d, uint8_t **dst, size_t *room,
                     hx_error_t *err) {
  if (d->end == d->window_cap) {
    int rc = decode_window(d, err);
    if (rc < 0)
      return rc;
    if (d->end == d->window_cap) {
      /* One field fills the window: double it. The input's cap on the
       * raw size bounds it. */
      uint8_t *bigger = d->window_cap <= SIZE_MAX / 2
                            ? realloc(d->window, d->window_cap * 2)
                            : NULL;
      if (!bigger)
        return no_memory(err);
      d->window = bigger;
      d->window_cap *= 2;
    }
  }
  *dst = d->window + d->end;
  *room = d->window_cap - d->end;
  return 0;
}

void hx__decoder_wrote(hx_decoder_t *d, size_t n) { d->end += n; }

static int check_string(const hx_raw_t *raw, int64_t index, const char *what,
                        unsigned long long id, hx_error_t *err) {
  if (index >= 0 && (uint64_t)index < raw->string_count)
    return 0;
  return hx__fail(err, HX_EPROFILE,
                  "%s %llu names string %lld, past the string table (%zu "
                  "strings)",
                  what, id, (long long)index, raw->string_count);
}

/* Checks every reference the tables make and resolves frame function ids
 * to function indices. */
static int check_references(hx_raw_t *raw, hx_error_t *err) {
  if (raw->sample_type_count == 0)
    return hx__fail(err, HX_EPROFILE, "the profile has no sample type");
  if (raw->string_count > 0 && raw->first_string_size != 0)
    return hx__fail(err, HX_EPROFILE,
                    "the string table does not start with an empty string");
  int rc;
  for (size_t i = 0; i < raw->sample_type_count; i++)
    if ((rc = check_string(raw, raw->sample_types[i][0], "sample type", i,
                           err)) < 0 ||
        (rc = check_string(raw, raw->sample_types[i][1], "sample type", i,
                           err)) < 0)
      return rc;
  if (raw->default_sample_type != 0 &&
      (rc = check_string(raw, raw->default_sample_type, "default_sample_type",
                         0, err)) < 0)
    return rc;
  for (size_t i = 0; i < raw->function_count; i++) {
    const hx_raw_function_t *fn = &raw->functions[i];
    if ((rc = check_string(raw, fn->name, "function", fn->id, err)) < 0 ||
        (rc = check_string(raw, fn->filename, "function", fn->id, err)) < 0)
      return rc;
  }
  hx_id_map_t functions;
  if ((rc = hx__id_map_build(
           &functions, raw->functions ? &raw->functions[0].id : NULL,
           raw->function_count, sizeof *raw->functions, "function", err)) < 0)
    return rc;
  /* Ids 1, 2, ... in order: the frames' ids less one are their indices
   * already, and all of them are known; only the frames listed apart are
   * looked up. */
  bool in_place = functions.identity == raw->function_count &&
                  raw->frame_function_max <= raw->function_count;
  size_t next_odd = 0; /* into raw->odd_frames, which may be NULL */
  for (size_t i = 0; i < raw->location_count && rc == 0; i++) {
    const hx_raw_location_t *loc = &raw->locations[i];
    if (in_place && next_odd == raw->odd_frame_count)
      break; /* the rest holds indices already */
    for (uint32_t j = 0; j < loc->frame_count; j++) {
      hx_raw_frame_t *fr = &raw->frames[loc->first_frame + j];
      if (in_place && fr->function != HX_FRAME_SKIP)
        continue;
      uint64_t id = (uint64_t)fr->function + 1;
      bool counts = true;
      if (fr->function == HX_FRAME_SKIP) { /* the next odd frame */
        const struct hx_odd_frame *odd = &raw->odd_frames[next_odd++];
        id = odd->function_id;
        counts = odd->counts;
      }
      long fi = hx__id_map_find(&functions, id);
      if (fi < 0) {
        rc = hx__fail(err, HX_EPROFILE,
                      "location %llu names unknown function id %llu",
                      (unsigned long long)raw->location_id_list[i],
                      (unsigned long long)id);
        break;
      }
      fr->function = counts ? (uint32_t)fi : HX_FRAME_SKIP;
    }
  }
  hx__id_map_close(&functions);
  free(raw->odd_frames);
  raw->odd_frames = NULL;
  raw->odd_frame_count = 0;
  if (rc == 0)
    rc = hx__id_map_build(&raw->location_ids, raw->location_id_list,
                          raw->location_count, sizeof(uint64_t), "location",
                          err);
  free(raw->location_id_list);
  raw->location_id_list = NULL;
  return rc;
}

int hx__decoder_finish(hx_decoder_t *d, hx_error_t *err) {
  int rc = decode_window(d, err);
  if (rc < 0)
    return rc;
  if (d->end != 0)
    return hx__fail(err, HX_EPROTO, "protobuf: truncated message");
  /* The window and the location buffer are done with. */
  free(d->window);
  d->window = NULL;
  d->window_cap = d->end = 0;
  hx__location_buf_close(&d->location);
  return check_references(d->raw, err);
}

void hx__raw_release_samples(hx_raw_t *raw) {
  free(raw->sample_bytes);
  free(raw->sample_sizes);
  raw->sample_bytes = NULL;
  raw->sample_sizes = NULL;
  raw->sample_bytes_size = 0;
}

void hx__raw_release_walk(hx_raw_t *raw) {
  free(raw->location_id_list);
  free(raw->odd_frames);
  raw->location_id_list = NULL;
  raw->odd_frames = NULL;
  raw->odd_frame_count = 0;
  free(raw->locations);
  free(raw->frames);
  free(raw->sample_bytes);
  free(raw->sample_sizes);
  hx__id_map_close(&raw->location_ids);
  raw->locations = NULL;
  raw->frames = NULL;
  raw->sample_bytes = NULL;
  raw->sample_sizes = NULL;
  raw->location_count = raw->frame_count = raw->sample_bytes_size = 0;
}

void hx__raw_close(hx_raw_t *raw) {
  hx__raw_release_walk(raw);
  hx__arena_close(&raw->string_arena);
  free(raw->strings);
  free(raw->sample_types);
  free(raw->functions);
  memset(raw, 0, sizeof *raw);
}
