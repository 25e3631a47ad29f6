/*
 * diagnostics.h: hot-path diagnostics, perfguard's idea in the editor.
 *
 * Rules are code patterns, tree-sitter queries or regexes (the search
 * module's three kinds) with a message and a minimum heat level. A match
 * whose lines are that hot in the loaded profile, in an open document,
 * becomes a textDocument/publishDiagnostics entry: source "heatls", code
 * the rule's id, a message that says the line's time and level. Built-in
 * Go rules (docs/diagnostics.md) come first, each one can be turned off
 * (disabledRules); the user's rules (the rules setting) follow.
 *
 * The model runs them for a document when it is painted (a load, new
 * levels or links, a new document) and after edits, debounced; a document
 * without heat gets an empty list once. Documents are parsed on the loop
 * thread with a short parse timeout, so a huge one costs a bounded time.
 */
#ifndef HEATLS_SRV_DIAGNOSTICS_H
#define HEATLS_SRV_DIAGNOSTICS_H

#include <stddef.h>

#include <jansson.h>

#include "documents.h"
#include "heat_index.h"
#include "lsp_protocol.h"
#include "outbox.h"

#define SRV_DIAGNOSTICS_DEBOUNCE_MS 300
#define SRV_DIAGNOSTICS_PARSE_US (250 * 1000)
#define SRV_DIAGNOSTICS_MAX 1000 /* per document */

typedef struct srv_diagnostics srv_diagnostics_t;

/* The built-in rules, for docs and tests: id i (NULL past the end). */
const char *srv_builtin_rule_id(size_t i);

/* *out is a new rule set: the built-ins but the disabled ids, then the
 * user's rules (a JSON array the settings checked; borrowed for the
 * call). 0 or SRV_ENOMEM. A rule whose pattern does not compile is kept
 * and reported once in *warning (empty when none). */
int srv_diagnostics_new(const json_t *user_rules, char *const *disabled,
                        size_t disabled_count, srv_diagnostics_t **out,
                        char *warning, size_t warning_size);
void srv_diagnostics_free(srv_diagnostics_t *d); /* NULL is fine */

/* Publishes the diagnostics of doc: its matches that are hot in index
 * (NULL: none, so the list is empty) by its annotations. Nothing is sent
 * for a document that had none and has none. */
void srv_diagnostics_publish(srv_diagnostics_t *d, srv_outbox_t *out,
                             srv_doc_t *doc, const hx_index_t *index,
                             lsp_encoding_t encoding,
                             const hx_summary_t *summary);

/* An empty list for doc when it had diagnostics (it closes). */
void srv_diagnostics_clear(srv_outbox_t *out, srv_doc_t *doc);

#endif
