/*
 * position_json.c: LSP Position and Range <-> jansson values.
 */
#include "internal.h"
#include "lsp_position.h"

/* Reads obj[key] as a non-negative integer, clamped to UINT32_MAX. */
static int get_u32(const json_t *obj, const char *key, uint32_t *out,
                   rpc_error_t *err) {
  const json_t *v = json_object_get(obj, key);
  json_int_t n;
  if (!json_is_integer(v))
    return rpc__fail(err, RPC_ESHAPE, "position \"%s\" must be an integer",
                     key);
  n = json_integer_value(v);
  if (n < 0)
    return rpc__fail(err, RPC_ESHAPE, "position \"%s\" is negative", key);
  *out = n > (json_int_t)UINT32_MAX ? UINT32_MAX : (uint32_t)n;
  return 0;
}

int lsp_position_from_json(const json_t *json, lsp_position_t *out,
                           rpc_error_t *err) {
  lsp_position_t p;
  int r;
  if (!out)
    return rpc__fail(err, RPC_EINVAL, "lsp_position_from_json: out is NULL");
  if (!json_is_object(json))
    return rpc__fail(err, RPC_ESHAPE, "a position must be an object");
  if ((r = get_u32(json, "line", &p.line, err)) < 0 ||
      (r = get_u32(json, "character", &p.character, err)) < 0)
    return r;
  *out = p;
  rpc__clear(err);
  return 0;
}

int lsp_range_from_json(const json_t *json, lsp_range_t *out,
                        rpc_error_t *err) {
  lsp_range_t r;
  int rc;
  if (!out)
    return rpc__fail(err, RPC_EINVAL, "lsp_range_from_json: out is NULL");
  if (!json_is_object(json))
    return rpc__fail(err, RPC_ESHAPE, "a range must be an object");
  if ((rc = lsp_position_from_json(json_object_get(json, "start"), &r.start,
                                   err)) < 0 ||
      (rc = lsp_position_from_json(json_object_get(json, "end"), &r.end,
                                   err)) < 0)
    return rc;
  *out = r;
  return 0;
}

json_t *lsp_position_to_json(lsp_position_t pos) {
  return json_pack("{s:I,s:I}", "line", (json_int_t)pos.line, "character",
                   (json_int_t)pos.character);
}

json_t *lsp_range_to_json(const lsp_range_t *range) {
  if (!range)
    return NULL;
  /* "o" steals; json_pack releases what it was given if it fails. */
  return json_pack("{s:o,s:o}", "start", lsp_position_to_json(range->start),
                   "end", lsp_position_to_json(range->end));
}
