/*
 * encoding.c: position encoding names and their negotiation from the
 * client's general.positionEncodings (rule in lsp_position.h).
 */
#include <string.h>

#include "internal.h"
#include "lsp_position.h"

const char *lsp_encoding_name(lsp_encoding_t enc) {
  switch (enc) {
  case LSP_ENCODING_UTF8: return "utf-8";
  case LSP_ENCODING_UTF32: return "utf-32";
  case LSP_ENCODING_UTF16:
  default: return "utf-16";
  }
}

int lsp_encoding_from_name(const char *name, lsp_encoding_t *out) {
  if (!name || !out)
    return RPC_EINVAL;
  if (strcmp(name, "utf-8") == 0)
    *out = LSP_ENCODING_UTF8;
  else if (strcmp(name, "utf-16") == 0)
    *out = LSP_ENCODING_UTF16;
  else if (strcmp(name, "utf-32") == 0)
    *out = LSP_ENCODING_UTF32;
  else
    return RPC_EINVAL;
  return 0;
}

lsp_encoding_t lsp_encoding_negotiate(const json_t *encodings) {
  int offered[3] = {0, 0, 0}; /* indexed by lsp_encoding_t */
  size_t i;
  if (!json_is_array(encodings))
    return LSP_ENCODING_UTF16;
  for (i = 0; i < json_array_size(encodings); i++) {
    const json_t *v = json_array_get(encodings, i);
    lsp_encoding_t enc;
    /* A name with a NUL inside is not one of ours either. */
    if (json_is_string(v) &&
        strlen(json_string_value(v)) == json_string_length(v) &&
        lsp_encoding_from_name(json_string_value(v), &enc) == 0)
      offered[enc] = 1;
  }
  if (offered[LSP_ENCODING_UTF8])
    return LSP_ENCODING_UTF8;
  if (offered[LSP_ENCODING_UTF16])
    return LSP_ENCODING_UTF16;
  if (offered[LSP_ENCODING_UTF32])
    return LSP_ENCODING_UTF32;
  return LSP_ENCODING_UTF16;
}

lsp_encoding_t lsp_encoding_from_capabilities(const json_t *capabilities) {
  const json_t *general = json_object_get(capabilities, "general");
  return lsp_encoding_negotiate(json_object_get(general, "positionEncodings"));
}
