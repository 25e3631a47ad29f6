/*
 * curl_lib.c: libcurl opened with dlopen() on first use (curl_lib.h says
 * why).
 */
#include "curl_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#define CURL_SONAME "libcurl.so.4"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static srv_curl_t table;
static const srv_curl_t *loaded;

/* Each entry of the table, named as in libcurl without "curl_". */
#define SYMBOLS(X)                                                            \
  X(easy_init)                                                                \
  X(easy_setopt)                                                              \
  X(easy_getinfo)                                                             \
  X(easy_pause)                                                               \
  X(easy_cleanup)                                                             \
  X(easy_strerror)                                                            \
  X(multi_init)                                                               \
  X(multi_setopt)                                                             \
  X(multi_add_handle)                                                         \
  X(multi_remove_handle)                                                      \
  X(multi_socket_action)                                                      \
  X(multi_assign)                                                             \
  X(multi_info_read)                                                          \
  X(multi_cleanup)                                                            \
  X(slist_append)                                                             \
  X(slist_free_all)

static void open_curl(void) {
  void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return;
  /* dlsym gives a void *, which POSIX (not ISO C) lets stand for a
   * function: its bytes are copied into the function pointer. */
  _Static_assert(sizeof(void *) == sizeof(void (*)(void)),
                 "function pointers are as wide as object pointers");
  void *sym;
#define LOAD(name)                                                            \
  if (!(sym = dlsym(lib, "curl_" #name))) {                                   \
    dlclose(lib);                                                             \
    return;                                                                   \
  }                                                                           \
  memcpy(&table.name, &sym, sizeof sym);
  SYMBOLS(LOAD)
#undef LOAD
  CURLcode (*global_init)(long);
  if (!(sym = dlsym(lib, "curl_global_init"))) {
    dlclose(lib);
    return;
  }
  memcpy(&global_init, &sym, sizeof sym);
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    dlclose(lib);
    return;
  }
  loaded = &table;
}

const srv_curl_t *srv_curl(void) {
  pthread_once(&once, open_curl);
  return loaded;
}
