/*
 * curl_lib.h: libcurl, opened on the first transfer instead of at process
 * start.
 *
 * Linking libcurl makes every run of heatls load it and the thirty
 * libraries it needs (TLS, Kerberos, LDAP, SSH, IDN, compression) and run
 * their relocations and constructors: about 4 ms of CPU before main(),
 * more than a whole `heatls json` of a small profile takes. Only a URL
 * source needs it, so http.c calls libcurl through this table, filled
 * once per process by dlopen() of libcurl's soname, libcurl.so.4 (its
 * ABI since 7.16), and curl_global_init().
 */
#ifndef HEATLS_SERVER_CURL_LIB_H
#define HEATLS_SERVER_CURL_LIB_H

#include <curl/curl.h>

typedef struct srv_curl {
  CURL *(*easy_init)(void);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  CURLcode (*easy_pause)(CURL *, int);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
  CURLMcode (*multi_add_handle)(CURLM *, CURL *);
  CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
  CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
  CURLMcode (*multi_assign)(CURLM *, curl_socket_t, void *);
  CURLMsg *(*multi_info_read)(CURLM *, int *);
  CURLMcode (*multi_cleanup)(CURLM *);
  struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
  void (*slist_free_all)(struct curl_slist *);
} srv_curl_t;

/* libcurl's functions, opened and initialised once per process, whatever
 * the thread (the CLI fetches several URLs at once on the merge's worker
 * threads); NULL when libcurl cannot be opened or initialised. The library
 * stays loaded until the process ends. */
const srv_curl_t *srv_curl(void);

#endif
