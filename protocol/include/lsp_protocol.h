/*
 * lsp_protocol.h: the public API of heatls's protocol module, in one
 * include. Each part has its own header:
 *   rpc_error.h     return codes, JSON-RPC error codes, rpc_error_t
 *   rpc_framer.h    Content-Length framing, in and out
 *   rpc_message.h   JSON-RPC 2.0 parsing, classification and building
 *   rpc_dispatch.h  method table and LSP routing rules
 *   rpc_cancel.h    pending request ids for $/cancelRequest
 *   lsp_position.h  position encodings, negotiation, column conversion
 *   lsp_uri.h       file URIs <-> paths
 *   lsp_text.h      document text, line table, incremental edits
 * The module links jansson only, does no IO, never prints, exits or
 * aborts, and knows nothing of the index (docs/protocol-module.md).
 */
#ifndef HEATLS_LSP_PROTOCOL_H
#define HEATLS_LSP_PROTOCOL_H

#include "lsp_position.h"
#include "lsp_text.h"
#include "lsp_uri.h"
#include "rpc_cancel.h"
#include "rpc_dispatch.h"
#include "rpc_error.h"
#include "rpc_framer.h"
#include "rpc_message.h"

#endif
