/*
 * workspace.h: the client's side of the world: open documents, workspace
 * folders, which profile file each document shows, and the one function
 * that builds the context path_map decides with.
 *
 * The workspace does not know the outbox or the loaded profile's life: the
 * model passes the profile in (NULL when none is loaded) and is told,
 * through a callback, which documents changed and need painting.
 */
#ifndef HEATLS_SRV_WORKSPACE_H
#define HEATLS_SRV_WORKSPACE_H

#include <stddef.h>

#include "documents.h"
#include "path_map.h"
#include "profile.h"

typedef struct srv_workspace srv_workspace_t;

/* Called for each document whose heat changed. */
typedef void (*srv_doc_changed_fn)(void *ctx, srv_doc_t *doc);

int srv_workspace_new(srv_workspace_t **out); /* 0 or SRV_ENOMEM */
void srv_workspace_free(srv_workspace_t *ws); /* NULL is fine */

/* The user's pathMappings (borrowed: the settings that own them must
 * outlive their use here; set again whenever the settings change). */
void srv_workspace_set_mappings(srv_workspace_t *ws,
                                const srv_path_mapping_t *mappings,
                                size_t count);

/* Workspace folders. add: a URI that is not a file folder is ignored (0);
 * SRV_ENOMEM. remove: by URI; a folder not there is ignored. */
int srv_workspace_add_root(srv_workspace_t *ws, const char *uri);
void srv_workspace_remove_root(srv_workspace_t *ws, const char *uri);
size_t srv_workspace_root_count(const srv_workspace_t *ws);
/* A new array of copies of the folder paths (free with
 * srv_workspace_roots_free), all or nothing: 0 or SRV_ENOMEM. */
int srv_workspace_roots_copy(const srv_workspace_t *ws, char ***out,
                             size_t *count);
void srv_workspace_roots_free(char **roots, size_t count);
/* The first folder, or NULL: relative profile paths are resolved there. */
const char *srv_workspace_first_root(const srv_workspace_t *ws);

/* Documents. */
srv_doc_t *srv_workspace_find(const srv_workspace_t *ws, const char *uri);
size_t srv_workspace_doc_count(const srv_workspace_t *ws);
srv_doc_t *srv_workspace_doc(const srv_workspace_t *ws, size_t i);
/* Keeps doc (taken over on success) and links it to profile; documents
 * that share its base name are relinked, changed() told of those that
 * changed, and of doc itself in any case when a profile is loaded.
 * SRV_ENOMEM or SRV_EBUSY (too many documents): doc not taken. */
int srv_workspace_open(srv_workspace_t *ws, const srv_profile_t *profile,
                       srv_doc_t *doc, srv_doc_changed_fn changed, void *ctx);
/* Forgets the document; documents that shared its base name are relinked
 * and changed() told of those that changed. */
void srv_workspace_close(srv_workspace_t *ws, const srv_profile_t *profile,
                         const char *uri, srv_doc_changed_fn changed,
                         void *ctx);

/* Relinks every document to profile (NULL: unlinks them). rebuild: new
 * annotations for every document (a new profile); otherwise only those
 * whose profile file changed (new mappings). changed() is told of every
 * document when rebuilding, else of those that changed. */
void srv_workspace_relink_all(srv_workspace_t *ws,
                              const srv_profile_t *profile, int rebuild,
                              srv_doc_changed_fn changed, void *ctx);

/* Sets *n to how many open documents `profile` would light (before it is
 * installed). 0 or SRV_ENOMEM. */
int srv_workspace_count_lit(const srv_workspace_t *ws,
                            const srv_profile_t *profile, size_t *n);
/* How many open documents show a profile file now. */
size_t srv_workspace_count_linked(const srv_workspace_t *ws);

/* The profile file the local file at `path` shows, or -1. */
long srv_workspace_profile_file(const srv_workspace_t *ws,
                                const srv_profile_t *profile,
                                const char *path);

/* The open document that shows profile file `file`, or NULL. */
srv_doc_t *srv_workspace_showing(const srv_workspace_t *ws, size_t file);

/* Sets *out to the local path that shows profile file `file` (new, free
 * it), or NULL when none does. 0 or SRV_ENOMEM. */
int srv_workspace_local_file(const srv_workspace_t *ws,
                             const srv_profile_t *profile, size_t file,
                             char **out);

#endif
