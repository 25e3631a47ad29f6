/*
 * config.c: workspace/didChangeConfiguration, and the
 * workspace/configuration pull when the push carries no settings.
 */
#include "handlers.h"

static void on_configuration(void *ctx, const rpc_message_t *resp,
                             void *data) {
  srv_model_t *m = ctx;
  (void)data;
  if (json_is_array(resp->result))
    srv_model_update_settings(m, json_array_get(resp->result, 0));
}

static int on_did_change_configuration(void *ctx, const rpc_message_t *msg) {
  srv_env_t *env = ctx;
  const json_t *settings = json_object_get(msg->params, "settings");
  if ((!settings || json_is_null(settings) ||
       (json_is_object(settings) && json_object_size(settings) == 0)) &&
      srv_model_client(env->model)->configuration) {
    srv_outbox_request(env->out, "workspace/configuration",
                       json_pack("{s:[{s:s}]}", "items", "section", "heatls"),
                       on_configuration, env->model, NULL);
    return 0;
  }
  srv_model_update_settings(env->model, settings);
  return 0;
}

static const srv_method_t methods[] = {{"workspace/didChangeConfiguration",
                                        on_did_change_configuration,
                                        RPC_METHOD_NOTIFICATION}};

SRV_TABLE(srv_config_methods, methods);
