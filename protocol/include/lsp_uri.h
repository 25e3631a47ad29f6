/*
 * lsp_uri.h: file URIs <-> absolute paths, as LSP clients send them.
 *
 * Decoding ("file:///home/me/a%20b/x.go" -> "/home/me/a b/x.go"):
 *   - the scheme is matched case-insensitively; any other scheme is
 *     RPC_ENOTFILE ("untitled:", "https:", ...);
 *   - the authority must be empty or "localhost" (any case); the form
 *     without one ("file:/x") is accepted too; another host is RPC_EURI;
 *   - %XX (either case) is decoded; %00, a bad or truncated escape, and a
 *     raw '?' or '#' (a query or fragment: no file has one) are RPC_EURI;
 *   - raw bytes >= 0x80 are taken as they are (non-ASCII UTF-8 as clients
 *     sometimes send it); the decoded path is not checked as UTF-8;
 *   - Windows drive letters are left as they are: "file:///c%3A/x" gives
 *     "/c:/x", which simply names no file here.
 * Encoding (path -> URI): the path must be absolute; every byte outside
 * the unreserved set (A-Z a-z 0-9 - . _ ~) and '/' becomes %XX with
 * uppercase hex, non-ASCII UTF-8 bytes included. Encoding the decoded
 * form of a client's URI may give a different spelling of the same URI
 * (a client may leave ':' or '@' raw): compare paths, not URIs.
 */
#ifndef HEATLS_LSP_URI_H
#define HEATLS_LSP_URI_H

#include <stddef.h>

#include "rpc_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest URI or path accepted, in bytes. */
#define LSP_URI_MAX 65536

/* *path is a new malloc'd absolute path (free with free()). */
int lsp_uri_to_path(const char *uri, char **path, rpc_error_t *err);

/* *uri is a new malloc'd "file://" URI (free with free()). RPC_EINVAL for
 * a path that is empty or not absolute. */
int lsp_uri_from_path(const char *path, char **uri, rpc_error_t *err);

#ifdef __cplusplus
}
#endif

#endif
