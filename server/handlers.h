/*
 * handlers.h: the LSP methods and heatls commands, as tables.
 *
 * One file per area (lifecycle.c, sync.c, config.c, commands.c,
 * features.c), each with a static table of its methods that the core
 * registers. A handler reads and changes the model (model.h) and answers
 * through the outbox (outbox.h); it never reaches into another area's
 * state.
 */
#ifndef HEATLS_SRV_HANDLERS_H
#define HEATLS_SRV_HANDLERS_H

#include <stddef.h>

#include "model.h"
#include "outbox.h"

/* The lifecycle as handlers change it: the core routes by `state` and
 * ends the session once a handler sets `exit_requested`. */
typedef struct srv_lifecycle {
  rpc_lifecycle_t state;
  int exit_requested;
  int exit_status;
} srv_lifecycle_t;

/* What every handler is called with (as rpc_handler_fn's ctx). */
typedef struct srv_env {
  srv_outbox_t *out;
  srv_model_t *model;
  srv_lifecycle_t *life;
} srv_env_t;

/* A table of methods: name, handler (ctx is the srv_env_t), and the
 * RPC_METHOD_* flags. */
typedef struct srv_method {
  const char *name;
  rpc_handler_fn handler;
  unsigned flags;
} srv_method_t;

typedef struct srv_method_table {
  const srv_method_t *methods;
  size_t count;
} srv_method_table_t;

extern const srv_method_table_t srv_lifecycle_methods;
extern const srv_method_table_t srv_sync_methods;
extern const srv_method_table_t srv_config_methods;
extern const srv_method_table_t srv_command_methods;
extern const srv_method_table_t srv_feature_methods;

/* The heatls.* commands (commands.c), for initialize's capabilities. */
size_t srv_command_count(void);
const char *srv_command_name(size_t i);

/* The document a request names (textDocument.uri): *doc is it, or NULL when
 * it is not open (an empty answer, not an error). SRV_EINVAL after
 * answering -32602 when the request names no document. */
int srv_request_doc(srv_env_t *env, const rpc_message_t *msg,
                    const srv_doc_t **doc);

#define SRV_TABLE(name, array)                                                \
  const srv_method_table_t name = {array, sizeof array / sizeof *array}

#endif
