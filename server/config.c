/*
 * config.c: settings changes (workspace/didChangeConfiguration, and the
 * workspace/configuration pull when the push carries none), and what each
 * change sets off.
 */
#include "log.h"
#include "session.h"

#include <stdlib.h>
#include <string.h>

static int same_mappings(const srv_settings_t *a, const srv_settings_t *b) {
  if (a->mapping_count != b->mapping_count)
    return 0;
  for (size_t i = 0; i < a->mapping_count; i++)
    if (strcmp(a->mappings[i].from, b->mappings[i].from) != 0 ||
        strcmp(a->mappings[i].to, b->mappings[i].to) != 0)
      return 0;
  return 1;
}

static void send_all(srv_session_t *s) {
  for (size_t i = 0; i < s->docs.count; i++)
    if (s->docs.items[i]->file >= 0 || s->docs.items[i]->painted)
      srv_send_decorations(s, s->docs.items[i]);
}

static void apply(srv_session_t *s, const json_t *json) {
  srv_settings_t next;
  char msg[300];
  int rc = srv_settings_apply(&s->settings, srv_settings_section(json), &next,
                              msg, sizeof msg);
  if (rc < 0) {
    srv_show_message(s, 2, "settings not applied: %s",
                     rc == -2 ? "out of memory" : msg);
    return;
  }
  srv_settings_t old = s->settings;
  s->settings = next;
  if (s->settings.log_level >= 0)
    srv_log_set_level((srv_log_level_t)s->settings.log_level);
  else
    srv_log_set_level((srv_log_level_t)s->cli_log_level);

  int repaint = 0;
  if (!srv_settings_same_string(old.profile, next.profile)) {
    if (next.profile) {
      srv_load_request_t req = {.path = next.profile,
                                .sample_type = next.sample_type,
                                .threshold = next.threshold,
                                .local_scope = next.local_scope};
      srv_load_start(s, &req);
    } else if (s->profile) {
      srv_profile_unload(s);
      for (size_t i = 0; i < s->docs.count; i++) {
        int painted = s->docs.items[i]->painted;
        srv_doc_unlink(s->docs.items[i]);
        if (painted)
          srv_send_decorations(s, s->docs.items[i]);
      }
      srv_refresh_views(s);
    }
  } else if (s->profile &&
             !srv_settings_same_string(old.sample_type, next.sample_type)) {
    srv_load_request_t req = {.path = s->profile->path,
                              .sample_type = next.sample_type,
                              .threshold = next.threshold,
                              .local_scope = next.local_scope};
    srv_load_start(s, &req);
  } else if (s->profile && (old.threshold != next.threshold ||
                            old.local_scope != next.local_scope)) {
    repaint = srv_profile_relevel(s) == 0;
  }
  if (old.hints != next.hints)
    repaint = 1;
  if (s->profile && !same_mappings(&old, &next)) {
    srv_docs_relink(s, NULL, NULL);
    srv_refresh_views(s);
  }
  if (repaint && s->profile) {
    send_all(s);
    srv_refresh_views(s);
  }
  srv_watch_update(s);
  srv_settings_close(&old);
}

static void on_configuration(srv_session_t *s, const rpc_message_t *resp,
                             void *data) {
  (void)data;
  if (json_is_array(resp->result))
    apply(s, json_array_get(resp->result, 0));
}

static int on_did_change_configuration(void *ctx, const rpc_message_t *msg) {
  srv_session_t *s = ctx;
  const json_t *settings = json_object_get(msg->params, "settings");
  if ((!settings || json_is_null(settings) ||
       (json_is_object(settings) && json_object_size(settings) == 0)) &&
      s->client.configuration) {
    srv_request(s, "workspace/configuration",
                json_pack("{s:[{s:s}]}", "items", "section", "heatls"),
                on_configuration, NULL);
    return 0;
  }
  apply(s, settings);
  return 0;
}

int srv_config_register(srv_session_t *s) {
  return rpc_dispatch_add(s->dispatch, "workspace/didChangeConfiguration",
                          on_did_change_configuration,
                          RPC_METHOD_NOTIFICATION, NULL);
}
