/*
 * test_source.c: profile sources by go tool pprof's rules (source.h), the
 * judging of HTTP answers (fetch.h), chunked bodies (bytes.h) and the
 * fetch settings (settings.h), with every allocation failed in turn.
 */
#include "bytes.h"
#include "check.h"
#include "error.h"
#include "fail_alloc.h"
#include "fetch.h"
#include "settings.h"
#include "source.h"
#include "source_alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static srv_source_t parse(const char *arg, const srv_fetch_t *fetch, int *rc) {
  srv_source_t src;
  char msg[256] = "";
  *rc = srv_source_parse(arg, "/base", fetch, &src, msg, sizeof msg);
  return src;
}

static void check_url(const char *arg, int seconds, const char *url,
                      const char *name, int insecure) {
  srv_fetch_t fetch = {.seconds = seconds};
  int rc;
  srv_source_t src = parse(arg, &fetch, &rc);
  CHECK_INT(rc, 0);
  CHECK_INT(src.kind, SRV_SOURCE_URL);
  CHECK_STR(src.path, url);
  CHECK_STR(srv_source_name(&src), name);
  CHECK_INT(src.insecure, insecure);
  CHECK(srv_source_watch_path(&src) == NULL);
  srv_source_close(&src);
}

static void test_rules(void) {
  check_url("http://127.0.0.1:6060", 30,
            "http://127.0.0.1:6060/debug/pprof/profile?seconds=30",
            "live: 127.0.0.1:6060 cpu 30s", 0);
  check_url("127.0.0.1:6060", 0, "http://127.0.0.1:6060/debug/pprof/profile",
            "live: 127.0.0.1:6060 cpu", 0);
  check_url("localhost:6060/", 0, "http://localhost:6060/debug/pprof/profile",
            "live: localhost:6060 cpu", 0);
  check_url("localhost:6060/debug/pprof/heap", 0,
            "http://localhost:6060/debug/pprof/heap",
            "live: localhost:6060 heap", 0);
  check_url("https://h.example:443/debug/pprof/allocs?debug=0", 5,
            "https://h.example:443/debug/pprof/allocs?debug=0&seconds=5",
            "live: h.example:443 allocs 5s", 0);
  check_url("https+insecure://10.0.0.1:8443/debug/pprof/mutex", 0,
            "https://10.0.0.1:8443/debug/pprof/mutex",
            "live: 10.0.0.1:8443 mutex", 1);
  /* Credentials go to the URL, never into the name. */
  check_url("http://user:secret@127.0.0.1:6060/debug/pprof/heap", 0,
            "http://user:secret@127.0.0.1:6060/debug/pprof/heap",
            "live: 127.0.0.1:6060 heap", 0);
  check_url("[::1]:6060", 0, "http://[::1]:6060/debug/pprof/profile",
            "live: [::1]:6060 cpu", 0);

  int rc;
  srv_source_t src = parse("ftp://127.0.0.1/x", NULL, &rc);
  CHECK_INT(rc, SRV_EINVAL);
  CHECK_INT(src.kind, SRV_SOURCE_NONE);
  src = parse("http:///nohost", NULL, &rc);
  CHECK_INT(rc, SRV_EINVAL);
  /* Not host:port: a file, relative to the base. */
  src = parse("prof/cpu.pb.gz", NULL, &rc);
  CHECK_INT(rc, 0);
  CHECK_INT(src.kind, SRV_SOURCE_FILE);
  CHECK_STR(src.path, "/base/prof/cpu.pb.gz");
  CHECK_STR(srv_source_name(&src), "/base/prof/cpu.pb.gz");
  srv_source_close(&src);
  src = parse("host:notaport", NULL, &rc);
  CHECK_INT(src.kind, SRV_SOURCE_FILE);
  srv_source_close(&src);

  /* An existing file that looks like host:port stays a file. */
  char dir[] = "/tmp/heatls-source-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256];
  snprintf(path, sizeof path, "%s/h:1", dir);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f)
    fclose(f);
  char msg[128];
  CHECK_INT(srv_source_parse("h:1", dir, NULL, &src, msg, sizeof msg), 0);
  CHECK_INT(src.kind, SRV_SOURCE_FILE);
  srv_source_close(&src);
  CHECK_INT(srv_source_parse("h:2", dir, NULL, &src, msg, sizeof msg), 0);
  CHECK_INT(src.kind, SRV_SOURCE_URL);
  srv_source_close(&src);
  unlink(path);
  rmdir(dir);
}

static void test_copy_equal_timeout(void) {
  char *headers[] = {"Authorization: Bearer x", "X-Scope-OrgID: t"};
  srv_fetch_t fetch = {.seconds = 4,
                       .ca_file = "/ca.pem",
                       .cert = "/c.pem",
                       .key = "/k.pem",
                       .headers = headers,
                       .header_count = 2};
  int rc;
  srv_source_t a = parse("127.0.0.1:1", &fetch, &rc), b;
  CHECK_INT(srv_source_copy(&a, &b), 0);
  CHECK(srv_source_equal(&a, &b));
  CHECK_STR(b.fetch.headers[1], "X-Scope-OrgID: t");
  CHECK_STR(b.fetch.key, "/k.pem");
  CHECK_INT(srv_source_timeout_ms(&b), 6000);
  b.fetch.timeout = 2.5;
  CHECK_INT(srv_source_timeout_ms(&b), 2500);
  b.fetch.timeout = 0;
  b.fetch.seconds = 0;
  CHECK_INT(srv_source_timeout_ms(&b), 60000);
  srv_source_t c = parse("127.0.0.1:1/debug/pprof/heap", NULL, &rc);
  CHECK(!srv_source_equal(&a, &c));
  srv_source_close(&c);
  c = parse("https+insecure://127.0.0.1:1", &fetch, &rc);
  srv_source_t d = parse("https://127.0.0.1:1", &fetch, &rc);
  CHECK(!srv_source_equal(&c, &d));
  srv_source_close(&c);
  srv_source_close(&d);

  srv_http_opts_t o;
  srv_fetch_http_opts(&b, 1000, &o);
  CHECK_INT(o.max_bytes, 1000);
  CHECK_INT(o.header_count, 2);
  CHECK_INT(o.timeout_ms, 60000);
  srv_fetch_http_opts(&b, 0, &o);
  CHECK_INT(o.max_bytes, SRV_FETCH_MAX_BYTES);

  /* Every allocation of a parse and a copy failed in turn. */
  check_parse_copy_failures("127.0.0.1:1", &fetch);
  srv_source_close(&a);
  srv_source_close(&b);
}

static srv_http_result_t answer(long status, const char *type,
                                const char *body) {
  srv_http_result_t r = {.status = status, .content_type = type};
  srv_bytes_append(&r.body, body, strlen(body));
  return r;
}

static void check_answer(long status, const char *type, const char *body,
                         int want, const char *message) {
  srv_http_result_t r = answer(status, type, body);
  char msg[512] = "";
  CHECK_INT(srv_fetch_check(&r, msg, sizeof msg), want);
  if (message)
    CHECK_STR(msg, message);
  srv_bytes_close(&r.body);
}

static void test_answers(void) {
  check_answer(200, "application/octet-stream", "\x1f\x8b...", 0, NULL);
  check_answer(500, "text/plain; charset=utf-8",
               "Could not enable CPU profiling: cpu profiling already in "
               "use\n",
               SRV_ENET,
               "the server answered 500: Could not enable CPU profiling: "
               "cpu profiling already in use");
  check_answer(404, "text/plain", "Unknown profile\n", SRV_ENET,
               "the server answered 404: Unknown profile");
  check_answer(502, NULL, "", SRV_ENET, "the server answered 502");
  check_answer(400, NULL, "a\r\n\tb\x01  c  ", SRV_ENET,
               "the server answered 400: a b c");
  check_answer(200, "text/html; charset=utf-8", "<p>x</p>", SRV_ENET,
               "the server answered with an HTML page, not a profile (is "
               "the URL's path right?)");
  check_answer(200, NULL, "\n  <!DOCTYPE html><html>", SRV_ENET, NULL);
  check_answer(200, NULL, "<HTML>", SRV_ENET, NULL);
  check_answer(200, NULL, "", SRV_ENET,
               "the server answered with an empty body");
  srv_http_result_t r = {.rc = SRV_ENET};
  snprintf(r.message, sizeof r.message, "Connection refused");
  char msg[64];
  CHECK_INT(srv_fetch_check(&r, msg, sizeof msg), SRV_ENET);
  CHECK_STR(msg, "Connection refused");
  /* A long body is cut at 300 characters. */
  char big[2000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  r = answer(503, NULL, big);
  char out[1024];
  srv_fetch_check(&r, out, sizeof out);
  CHECK_INT(strlen(out), strlen("the server answered 503: ") + 300);
  srv_bytes_close(&r.body);
}

static void test_bytes(void) {
  /* A body across chunk boundaries, in odd pieces, decodes as a whole. */
  srv_bytes_t b = SRV_BYTES_INIT;
  size_t total = 3 * SRV_BYTES_CHUNK + 12345;
  unsigned char piece[70001];
  size_t at = 0;
  while (at < total) {
    size_t n = total - at < sizeof piece ? total - at : sizeof piece;
    for (size_t i = 0; i < n; i++)
      piece[i] = (unsigned char)((at + i) * 7);
    CHECK_INT(srv_bytes_append(&b, piece, n), 0);
    at += n;
  }
  CHECK_INT(b.size, total);
  CHECK_INT(b.count, 4);
  int same = 1;
  for (size_t i = 0; i < total; i++)
    if ((unsigned char)b.chunks[i / SRV_BYTES_CHUNK][i % SRV_BYTES_CHUNK] !=
        (unsigned char)(i * 7))
      same = 0;
  CHECK(same);
  size_t n;
  CHECK(srv_bytes_head(&b, &n) == b.chunks[0]);
  CHECK_INT(n, SRV_BYTES_CHUNK);
  /* Not a profile: the loader's error, and b is emptied. */
  hx_index_t *index;
  hx_error_t err = {0};
  CHECK(srv_bytes_load(&b, NULL, &index, &err) < 0);
  CHECK(index == NULL);
  CHECK_INT(b.count, 0);
  srv_bytes_close(&b);
  CHECK_STR(srv_bytes_head(&b, &n), "");
  CHECK_INT(n, 0);

  /* A failed append changes nothing. */
  CHECK_INT(srv_bytes_append(&b, "abc", 3), 0);
  static char two[2 * 1024 * 1024];
  fail_alloc_arm(1, 1);
  int rc = srv_bytes_append(&b, two, sizeof two);
  fail_alloc_disarm();
  CHECK_INT(rc, SRV_ENOMEM);
  CHECK_INT(b.size, 3);
  CHECK_INT(b.count, 1);
  fail_alloc_arm(2, 0);
  rc = srv_bytes_append(&b, two, sizeof two);
  fail_alloc_disarm();
  CHECK_INT(rc, SRV_ENOMEM);
  CHECK_INT(b.size, 3);
  CHECK_INT(srv_bytes_append(&b, two, sizeof two), 0);
  CHECK_INT(b.size, 3 + sizeof two);
  srv_bytes_close(&b);
}

static int apply(const srv_settings_t *base, const char *json,
                 srv_settings_t *out, char *msg, size_t size) {
  json_t *section = json_loads(json, 0, NULL);
  int rc = srv_settings_apply(base, section, out, msg, size);
  json_decref(section);
  return rc;
}

static void test_settings(void) {
  srv_settings_t base, s, t;
  srv_settings_init(&base);
  char msg[256];
  CHECK_INT(apply(&base,
                  "{\"seconds\": 30, \"timeout\": 2.5, \"caFile\": \"/ca\", "
                  "\"clientCert\": \"/c\", \"clientKey\": \"/k\", "
                  "\"headers\": {\"Authorization\": \"Bearer zz\", "
                  "\"X-Scope-OrgID\": \"t1\"}}",
                  &s, msg, sizeof msg),
            0);
  CHECK_INT(s.fetch.seconds, 30);
  CHECK(s.fetch.timeout == 2.5);
  CHECK_STR(s.fetch.ca_file, "/ca");
  CHECK_STR(s.fetch.key, "/k");
  CHECK_INT(s.fetch.header_count, 2);
  CHECK_STR(s.fetch.headers[0], "Authorization: Bearer zz");
  /* null changes nothing, "" clears, {} drops the headers. */
  CHECK_INT(apply(&s,
                  "{\"caFile\": null, \"clientCert\": \"\", "
                  "\"headers\": {}}",
                  &t, msg, sizeof msg),
            0);
  CHECK_STR(t.fetch.ca_file, "/ca");
  CHECK(t.fetch.cert == NULL);
  CHECK_INT(t.fetch.header_count, 0);
  CHECK_INT(t.fetch.seconds, 30);
  srv_settings_close(&t);
  static const char *const bad[] = {
      "{\"seconds\": -1}",
      "{\"seconds\": 1.5}",
      "{\"seconds\": 86401}",
      "{\"timeout\": -2}",
      "{\"timeout\": \"x\"}",
      "{\"caFile\": 3}",
      "{\"headers\": []}",
      "{\"headers\": {\"A\": 1}}",
      "{\"headers\": {\"Bad Name\": \"secret-1\"}}",
      "{\"headers\": {\"A:B\": \"secret-2\"}}",
      "{\"headers\": {\"A\": \"secret-3\\r\\nX: y\"}}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    msg[0] = '\0';
    CHECK_INT(apply(&s, bad[i], &t, msg, sizeof msg), SRV_EINVAL);
    CHECK(msg[0] != '\0');
    CHECK(strstr(msg, "secret") == NULL); /* values are never echoed */
  }
  /* Every allocation failed in turn: ENOMEM, nothing leaked. */
  for (long at = 1;; at++) {
    fail_alloc_arm(at, 0);
    int rc = apply(&s,
                   "{\"headers\": {\"A\": \"b\", \"C\": \"d\"}, "
                   "\"clientKey\": \"/k2\"}",
                   &t, msg, sizeof msg);
    int failed = fail_alloc_failed();
    fail_alloc_disarm();
    if (rc == 0)
      srv_settings_close(&t);
    if (!failed) {
      CHECK_INT(rc, 0);
      break;
    }
    CHECK_INT(rc, SRV_ENOMEM);
  }
  srv_settings_close(&s);
  srv_settings_close(&base);
}

int main(void) {
  test_settings();
  test_rules();
  test_copy_equal_timeout();
  test_answers();
  test_bytes();
  CHECK_DONE();
}
