/*
 * path_map.h: which profile file an editor document shows, and which local
 * file shows a profile file.
 *
 * A profile names files by the paths of the machine it was recorded on
 * ("/home/ci/work/app/pkg/x.go", "/usr/lib/go-1.19/src/bytes/buffer.go",
 * trimpath's "github.com/foo/app/pkg/x.go", Windows' "C:\Users\ci\x.go");
 * the editor has "/home/me/app/pkg/x.go". Plain C: libc and stat() only;
 * the server passes plain string arrays in. Lookups only read the map.
 *
 * The rules:
 *  1. Components. Paths are split on '/' and on '\'; empty and "."
 *     components are dropped; "C:" is a component like any other. Bytes
 *     compare as they are (case-sensitive). Two paths share k trailing
 *     components when their last k components are equal; a suffix match
 *     needs k >= 1, that is the same base name. A path (or a mapping side,
 *     or a root) longer than SRV_PATH_MAX bytes matches nothing.
 *  2. To the profile (srv_path_map_to_profile), the first of:
 *     a. EXACT: the local path is itself a profile path (byte-equal).
 *     b. MAPPING: the mappings, longest `to` first (equal lengths in setting
 *        order), whose `to` is a prefix of the local path ending at a
 *        separator or at its end (trailing separators of `from` and `to`
 *        are ignored: to "/home/me/app/" covers "/home/me/app/x.go", not
 *        "/home/me/appx/x.go"; to "/" covers every absolute path). `from`
 *        + the rest (from the separator on) must be a profile path,
 *        tried twice: the rest as it is, then its components each after
 *        a separator, '\' if `from` has a '\' and no '/', else '/' (so
 *        from "C:\ci\app" gives "C:\ci\app\pkg\x.go"). The first hit wins;
 *        a mapping whose result is not a profile path is skipped.
 *     c. SUFFIX: of the profile files with the local path's base name, the
 *        one sharing the most trailing components with it; a tie at the
 *        most is AMBIGUOUS. Then that file is checked the other way round:
 *        when another open document (open_paths other than the local path
 *        itself) shares MORE components with it, the answer is NONE (that
 *        document shows it); as many, AMBIGUOUS.
 *  3. To a local file (srv_path_map_to_local) for profile file F, the
 *     first of:
 *     a. MAPPING: the mappings, longest `from` first, whose `from` is a
 *        prefix of F ending at a separator or F's end: `to` + the rest of
 *        F (its components joined with '/'), if that is an open document
 *        or an existing regular file; else the next mapping.
 *     b. EXACT: F itself, if it is an open document or a regular file.
 *     c. SUFFIX among open documents: the one sharing the most trailing
 *        components with F (a tie: AMBIGUOUS), provided to_profile of
 *        that document gives F (if it says AMBIGUOUS, so is this; if it
 *        gives another file, NONE).
 *     d. Workspace roots: for k from F's component count - 1 down to 1,
 *        root + "/" + F's last k components, probed as a regular file; the
 *        largest k over all roots wins; two different roots hitting at
 *        that k are AMBIGUOUS (a root listed twice is one root). When (c)
 *        found an open document but no answer (a tie, or to_profile
 *        disagreed), only a k larger than what that document shares can
 *        overrule (c)'s NONE/AMBIGUOUS: a file that shares more with F
 *        than any open document is a better guess, one that shares less
 *        is not.
 *     Only absolute paths (starting with '/') are returned: relative or
 *     Windows results, open paths and roots are skipped.
 *
 * Ownership: every string passed in is borrowed. The profile paths must
 * outlive the map; the context only the call. to_local's *out is new.
 */
#ifndef HEATLS_PATH_MAP_H
#define HEATLS_PATH_MAP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest path (and mapping side and root) that can match, in bytes. */
#define SRV_PATH_MAX 65536

/* A user setting: the profile prefix `from` is the local prefix `to`. */
typedef struct srv_path_mapping {
  const char *from;
  const char *to;
} srv_path_mapping_t;

typedef enum srv_match_kind {
  SRV_MATCH_NONE = 0,  /* nothing matches */
  SRV_MATCH_EXACT,     /* the same path */
  SRV_MATCH_MAPPING,   /* through a user pathMapping */
  SRV_MATCH_SUFFIX,    /* the most common trailing components, unique */
  SRV_MATCH_AMBIGUOUS, /* several candidates tie: refused */
  SRV_MATCH_GO         /* Go's own paths (go_paths.h); set by the caller */
} srv_match_kind_t;

typedef struct srv_match {
  srv_match_kind_t kind;
  long file;         /* the profile file on a match, else -1 */
  size_t components; /* trailing components in common (SUFFIX), else 0 */
} srv_match_t;

typedef struct srv_path_map srv_path_map_t;

/* The context of a lookup, all borrowed; NULL entries are skipped, and a
 * NULL context is an empty one. */
typedef struct srv_path_context {
  const srv_path_mapping_t *mappings; /* the user's pathMappings */
  size_t mapping_count;
  const char *const *open_paths; /* absolute paths of the open documents */
  size_t open_count;
  const char *const *roots; /* workspace folders, absolute */
  size_t root_count;
} srv_path_context_t;

/* Builds the lookup tables over profile_paths[0..count): file i is
 * profile_paths[i]. The paths are borrowed (they must outlive the map) and
 * unique; NULL, empty and too long ones name no file. *out is a new map
 * (free with srv_path_map_free). Returns 0, -EINVAL (out NULL, or
 * profile_paths NULL with count > 0) or -ENOMEM, with *out NULL. */
int srv_path_map_new(const char *const *profile_paths, size_t count,
                     srv_path_map_t **out);

/* Frees the map (not the paths). NULL is fine. */
void srv_path_map_free(srv_path_map_t *map);

/* The profile file the local document at local_path shows (rule 2). Never
 * allocates. A NULL map or path gives NONE. */
srv_match_t srv_path_map_to_profile(const srv_path_map_t *map,
                                    const char *local_path,
                                    const srv_path_context_t *ctx);

/* The local file that shows profile file `file` (rule 3). *out is a new
 * malloc'd absolute path (free with free()), or NULL when the match (in
 * *match, which may be NULL) is NONE or AMBIGUOUS. A NULL map or a file out
 * of range gives NONE. Returns 0, -EINVAL (out NULL) or -ENOMEM. */
int srv_path_map_to_local(const srv_path_map_t *map, size_t file,
                          const srv_path_context_t *ctx, char **out,
                          srv_match_t *match);

#ifdef __cplusplus
}
#endif

#endif
