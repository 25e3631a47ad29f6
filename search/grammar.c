/*
 * grammar.c: a language set: the built-in languages, and user grammars
 * loaded from shared objects (tree_sitter_<name>, as editors load them),
 * whose ABI is checked against this tree-sitter before anything uses them.
 */
#include "internal.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

static void lang_free(hs_lang_t *lang) {
  if (lang == NULL)
    return;
  free(lang->name);
  free(lang->ext);
  free(lang);
}

int hs_langs_new(hs_langs_t **out, hs_error_t *err) {
  if (out == NULL)
    return hs__fail(err, HS_EINVAL, "no output");
  *out = NULL;
  hs_langs_t *set = calloc(1, sizeof *set);
  if (set == NULL)
    return hs__fail(err, HS_ENOMEM, "out of memory");
  for (size_t i = 0; i < hs__builtin_total(); i++) {
    const hs_lang_info_t *info = hs__builtin(i);
    hs_lang_t *lang = calloc(1, sizeof *lang);
    if (lang == NULL || (lang->name = dup_str(info->name)) == NULL) {
      lang_free(lang);
      hs_langs_free(set);
      return hs__fail(err, HS_ENOMEM, "out of memory");
    }
    lang->info = info;
    lang->ts = info->grammar ? info->grammar() : NULL;
    lang->id = set->count;
    hs__lang_resolve(lang);
    set->items[set->count++] = lang;
  }
  *out = set;
  return 0;
}

void hs_langs_free(hs_langs_t *langs) {
  if (langs == NULL)
    return;
  for (size_t i = 0; i < langs->count; i++)
    lang_free(langs->items[i]);
  for (size_t i = 0; i < langs->handle_count; i++)
    dlclose(langs->handles[i]);
  free(langs);
}

const hs_lang_t *hs_langs_find(const hs_langs_t *langs, const char *name) {
  if (langs == NULL || name == NULL)
    return NULL;
  for (size_t i = 0; i < langs->count; i++)
    if (strcmp(langs->items[i]->name, name) == 0)
      return langs->items[i];
  return NULL;
}

static bool ends_with(const char *s, size_t n, const char *tail) {
  size_t t = strlen(tail);
  return n >= t && memcmp(s + n - t, tail, t) == 0;
}

const hs_lang_t *hs_langs_for_path(const hs_langs_t *langs, const char *path) {
  if (langs == NULL || path == NULL)
    return NULL;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  for (size_t i = 0; i < langs->count; i++) {
    const hs_lang_t *lang = langs->items[i];
    if (lang->ext && ends_with(base, n, lang->ext) && n > strlen(lang->ext))
      return lang;
    for (size_t e = 0; e < 4 && lang->info->exts[e]; e++)
      if (n > strlen(lang->info->exts[e]) &&
          ends_with(base, n, lang->info->exts[e]))
        return lang;
  }
  return NULL;
}

const char *hs_lang_name(const hs_lang_t *lang) {
  return lang ? lang->name : NULL;
}

int hs_lang_has_grammar(const hs_lang_t *lang) {
  return lang != NULL && lang->ts != NULL;
}

/* "libtree-sitter-go.so.0" -> "go"; NULL when nothing is left. */
static char *name_from_path(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (strncmp(base, "lib", 3) == 0)
    base += 3;
  if (strncmp(base, "tree-sitter-", 12) == 0)
    base += 12;
  else if (strncmp(base, "tree_sitter_", 12) == 0)
    base += 12;
  size_t n = strcspn(base, ".");
  if (n == 0)
    return NULL;
  char *name = malloc(n + 1);
  if (name == NULL)
    return NULL;
  memcpy(name, base, n);
  name[n] = '\0';
  for (char *p = name; *p; p++)
    if (*p == '-')
      *p = '_';
  return name;
}

static bool valid_name(const char *name) {
  if (*name == '\0' || strlen(name) > 64)
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '_'))
      return false;
  return true;
}

static int load(hs_langs_t *langs, const char *path, const char *name,
                hs_error_t *err) {
  struct stat st;
  if (stat(path, &st) != 0)
    return hs__fail(err, HS_EGRAMMAR, "grammar %s: no such file", path);
  if (!S_ISREG(st.st_mode))
    return hs__fail(err, HS_EGRAMMAR, "grammar %s: not a regular file", path);
  if (langs->count >= HS_MAX_LANGS)
    return hs__fail(err, HS_EGRAMMAR, "grammar %s: too many grammars", path);
  /* dlopen() wants a slash to take the name as a path, not a search. */
  const char *open_path = path;
  char *dotted = NULL;
  if (strchr(path, '/') == NULL) {
    size_t n = strlen(path);
    dotted = malloc(n + 3);
    if (dotted == NULL)
      return hs__fail(err, HS_ENOMEM, "out of memory");
    memcpy(dotted, "./", 2);
    memcpy(dotted + 2, path, n + 1);
    open_path = dotted;
  }
  void *handle = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
  free(dotted);
  if (handle == NULL) {
    const char *why = dlerror();
    return hs__fail(err, HS_EGRAMMAR, "grammar %s: cannot load: %s", path,
                    why ? why : "unknown error");
  }
  char symbol[96];
  snprintf(symbol, sizeof symbol, "tree_sitter_%s", name);
  const TSLanguage *(*fn)(void);
  void *sym = dlsym(handle, symbol);
  if (sym == NULL) {
    dlclose(handle);
    return hs__fail(err, HS_EGRAMMAR, "grammar %s: no function %s", path,
                    symbol);
  }
  /* POSIX: a dlsym() result may be converted to a function pointer. */
  memcpy(&fn, &sym, sizeof fn);
  const TSLanguage *ts = fn();
  uint32_t abi = ts ? ts_language_version(ts) : 0;
  if (abi < TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION ||
      abi > TREE_SITTER_LANGUAGE_VERSION) {
    dlclose(handle);
    return hs__fail(err, HS_EGRAMMAR,
                    "grammar %s: ABI %u, this tree-sitter reads ABI %d to %d",
                    path, abi, TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION,
                    TREE_SITTER_LANGUAGE_VERSION);
  }
  hs_lang_t *known = (hs_lang_t *)hs_langs_find(langs, name);
  if (known) {
    known->ts = ts;
    hs__lang_resolve(known);
  } else {
    hs_lang_t *lang = calloc(1, sizeof *lang);
    size_t n = strlen(name);
    if (lang == NULL || (lang->name = dup_str(name)) == NULL ||
        (lang->ext = malloc(n + 2)) == NULL) {
      lang_free(lang);
      dlclose(handle);
      return hs__fail(err, HS_ENOMEM, "out of memory");
    }
    lang->ext[0] = '.';
    memcpy(lang->ext + 1, name, n + 1);
    lang->info = hs__generic_info();
    lang->ts = ts;
    lang->id = langs->count;
    hs__lang_resolve(lang);
    langs->items[langs->count++] = lang;
  }
  langs->handles[langs->handle_count++] = handle;
  return 0;
}

int hs_langs_load_grammar(hs_langs_t *langs, const char *path,
                          const char *name, hs_error_t *err) {
  if (langs == NULL || path == NULL || *path == '\0')
    return hs__fail(err, HS_EINVAL, "no grammar path");
  char *own = NULL;
  if (name == NULL) {
    own = name_from_path(path);
    if (own == NULL)
      return hs__fail(err, HS_EGRAMMAR,
                      "grammar %s: cannot tell its language from the file "
                      "name (give --lang)",
                      path);
    name = own;
  }
  int rc;
  if (!valid_name(name))
    rc = hs__fail(err, HS_EGRAMMAR, "grammar %s: bad language name \"%s\"",
                  path, name);
  else
    rc = load(langs, path, name, err);
  free(own);
  return rc;
}
