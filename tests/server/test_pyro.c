/*
 * test_pyro.c: Pyroscope sources (pyro_source.h): the URL's parameters,
 * names, type names, times in every form (pyro_time.h), and answers
 * judged (pyro_rpc.h: Connect errors, a missing method, HTML, another
 * content type), with every allocation of a parse failed in turn.
 */
#include "check.h"
#include "error.h"
#include "fail_alloc.h"
#include "pyro_rpc.h"
#include "pyro_source.h"
#include "pyro_time.h"
#include "source_alloc.h"

#include <stdio.h>
#include <string.h>

#define NOW ((int64_t)1765000000000) /* 2025-12-06T05:46:40Z */

static void check_time(const char *s, int64_t want) {
  int64_t got = -1;
  CHECK_INT(srv_pyro_time_parse(s, NOW, &got), 0);
  CHECK_INT(got, want);
}

static void check_bad_time(const char *s) {
  int64_t got = -1;
  CHECK_INT(srv_pyro_time_parse(s, NOW, &got), SRV_EINVAL);
}

static void test_times(void) {
  check_time("now", NOW);
  check_time("now-30s", NOW - 30000);
  check_time("now-15m", NOW - 15 * 60000);
  check_time("now-1h", NOW - 3600000);
  check_time("now-1h30m", NOW - 5400000);
  check_time("now-7d", NOW - 7 * 86400000LL);
  check_time("now-2w", NOW - 14 * 86400000LL);
  check_time("1733459000", 1733459000000LL);
  check_time("1733459000123", 1733459000123LL);
  check_time("2024-12-06T04:23:20Z", 1733459000000LL);
  check_time("2024-12-06t04:23:20.5z", 1733459000500LL);
  check_time("2024-12-06T05:23:20.123456+01:00", 1733459000123LL);
  check_time("2024-12-05T23:23:20-05:00", 1733459000000LL);
  check_time("1970-01-01T00:00:00Z", 0);
  check_time("2000-02-29T00:00:00Z", 951782400000LL);
  const char *bad[] = {"",
                       "yesterday",
                       "now-",
                       "now-1",
                       "now-1x",
                       "now+1h",
                       "now-h",
                       "12a",
                       "2024-12-06",
                       "2024-13-01T00:00:00Z",
                       "2024-12-06T04:23:20",
                       "2024-12-06T24:00:00Z",
                       "2024-12-06T04:23:20+1",
                       "2024-12-06T04:23:20Zx",
                       "12345678901234567",
                       "now-99999999w"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    check_bad_time(bad[i]);
}

static srv_source_t parse(const char *arg, const srv_fetch_t *fetch, int *rc,
                          char *msg, size_t size) {
  srv_source_t src;
  *rc = srv_source_parse(arg, "/base", fetch, &src, msg, size);
  return src;
}

static void check_source(const char *arg, const char *server,
                         const char *selector, const char *type,
                         const char *name) {
  char msg[256] = "";
  int rc;
  srv_source_t s = parse(arg, NULL, &rc, msg, sizeof msg);
  CHECK_INT(rc, 0);
  CHECK_STR(msg, "");
  CHECK_INT(s.kind, SRV_SOURCE_PYROSCOPE);
  CHECK_STR(s.pyro.server, server);
  CHECK_STR(s.pyro.selector, selector);
  CHECK_STR(s.pyro.type_id, type);
  CHECK_STR(srv_source_name(&s), name);
  CHECK(srv_source_watch_path(&s) == NULL);
  srv_source_close(&s);
}

static void check_refused(const char *arg, const char *message) {
  char msg[512] = "";
  int rc;
  srv_source_t s = parse(arg, NULL, &rc, msg, sizeof msg);
  CHECK_INT(rc, SRV_EINVAL);
  CHECK_INT(s.kind, SRV_SOURCE_NONE);
  CHECK_STR(msg, message);
}

static void test_sources(void) {
  check_source("pyroscope+http://127.0.0.1:4040/?service=checkout",
               "http://127.0.0.1:4040", "{service_name=\"checkout\"}",
               "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
               "pyroscope: checkout cpu now-1h");
  check_source("pyroscope+https://u:p@host/prefix/?service=a&type=alloc_"
               "space&from=now-15m&until=now-5m",
               "https://u:p@host/prefix", "{service_name=\"a\"}",
               "memory:alloc_space:bytes:space:bytes",
               "pyroscope: a alloc_space now-15m to now-5m");
  check_source("pyroscope+http://h:1?query=%7Bservice_name%3D~%22a.%2B%22%7D"
               "&type=x:y:z:p:q&until=now",
               "http://h:1", "{service_name=~\"a.+\"}", "x:y:z:p:q",
               "pyroscope: {service_name=~\"a.+\"} x:y:z:p:q now-1h");
  check_source("pyroscope+http://h", "http://h", "{}",
               "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
               "pyroscope: {} cpu now-1h");
  check_source("pyroscope+http://h/?type=mutex", "http://h", "{}",
               "mutex:delay:nanoseconds:contentions:count",
               "pyroscope: {} mutex_duration now-1h");
  CHECK_STR(srv_pyro_type_id("block_count"),
            "block:contentions:count:contentions:count");
  CHECK_STR(srv_pyro_type_name("goroutine:goroutine:count:goroutine:count"),
            "goroutines");
  CHECK(srv_pyro_type_id("heap") == NULL);
  CHECK(srv_pyro_type_name("a:b:c:d:e") == NULL);

  check_refused("pyroscope+http://h/?seconds=3",
                "unknown parameter \"seconds\" (a Pyroscope source takes "
                "service, query, type, from, until and tenant)");
  check_refused("pyroscope+http://h/?service=", "parameter \"service\" has "
                                                "no value");
  check_refused("pyroscope+http://h/?type=a&type=b",
                "parameter \"type\" is given twice");
  check_refused("pyroscope+http://h/?service=a%2", "parameter \"service\": "
                                                   "a bad %-escape");
  check_refused("pyroscope+http://h/?service=a%00",
                "parameter \"service\": a bad %-escape");
  check_refused("pyroscope+http://h/?tenant=a%0D%0AX:1",
                "parameter \"tenant\": a line break");
  check_refused("pyroscope+http://h/?service=a%22b",
                "service \"a\"b\": quotes, backslashes and control "
                "characters need query=");
  check_refused("pyroscope+http://h/?service=a&query=%7B%7D",
                "give service or query, not both");
  check_refused("pyroscope+http://h/?query=a", "query \"a\": a label "
                                               "selector is written "
                                               "{name=\"value\",...}");
  check_refused("pyroscope+http:///x", "a Pyroscope URL needs a host");
  check_refused("pyroscope+http://u@/x", "a Pyroscope URL needs a host");
  check_refused("pyroscope+http://h/?from=soon",
                "from \"soon\": not a time (now, now-1h, now-30m, unix "
                "seconds or ms, RFC 3339)");
  check_refused("pyroscope+http://h/?until=1x",
                "until \"1x\": not a time (now, now-1h, now-30m, unix "
                "seconds or ms, RFC 3339)");

  /* The tenant is a header of its own, after the settings' headers. */
  char *headers[] = {"Authorization: Bearer t"};
  srv_fetch_t fetch = {.seconds = 30, .headers = headers, .header_count = 1};
  char msg[256];
  int rc;
  srv_source_t a = parse("pyroscope+http://h/?service=s&tenant=t%201", &fetch,
                         &rc, msg, sizeof msg),
               b;
  CHECK_INT(rc, 0);
  CHECK_INT(a.fetch.seconds, 0);
  CHECK_INT(a.fetch.header_count, 2);
  CHECK_STR(a.fetch.headers[1], "X-Scope-OrgID: t 1");
  CHECK_INT(srv_source_timeout_ms(&a), 60000);
  CHECK_INT(srv_source_copy(&a, &b), 0);
  CHECK(srv_source_equal(&a, &b));
  CHECK_STR(b.pyro.selector, "{service_name=\"s\"}");
  srv_source_t c = parse("pyroscope+http://h/?service=s&tenant=t2", &fetch,
                         &rc, msg, sizeof msg);
  CHECK(!srv_source_equal(&a, &c));
  srv_source_close(&c);
  c = parse("pyroscope+http://h/?service=s&tenant=t%201&from=now-2h", &fetch,
            &rc, msg, sizeof msg);
  CHECK(!srv_source_equal(&a, &c));
  srv_source_close(&c);

  /* Ranges: resolved when asked; an empty one is refused. */
  int64_t start, end;
  CHECK_INT(srv_pyro_range(&b.pyro, 3600000, &start, &end, msg, sizeof msg),
            0);
  CHECK_INT(end - start, 3600000);
  srv_source_close(&b);
  c = parse("pyroscope+http://h/?from=now&until=now-1h", NULL, &rc, msg,
            sizeof msg);
  CHECK_INT(rc, 0);
  CHECK_INT(srv_pyro_range(&c.pyro, 1, &start, &end, msg, sizeof msg),
            SRV_EINVAL);
  CHECK_STR(msg, "the range is empty: from now is not before until now-1h");
  srv_source_close(&c);

  /* Every allocation of a parse and a copy failed in turn. */
  check_parse_copy_failures(
      "pyroscope+http://u:p@h/?service=s&tenant=t&from=now-2h&until=now",
      &fetch);
  srv_source_close(&a);
}

static void check_judged(long status, const char *type, const char *body,
                         int want, int want_missing, const char *message) {
  srv_http_result_t r = {.status = status, .content_type = type};
  srv_bytes_append(&r.body, body, strlen(body));
  char msg[512] = "";
  int missing = -1;
  CHECK_INT(
      srv_pyro_judge(&r, "SelectMergeStacktraces", &missing, msg, sizeof msg),
      want);
  CHECK_INT(missing, want_missing);
  CHECK_STR(msg, message);
  srv_bytes_close(&r.body);
}

static void test_answers(void) {
  check_judged(200, "application/proto", "\x2a\x00", 0, 0, "");
  check_judged(200, "application/proto; charset=x", "", 0, 0, "");
  check_judged(403, "application/json",
               "{\"code\":\"permission_denied\",\"message\":\"no\\nway\"}",
               SRV_ENET, 0, "Pyroscope answered permission_denied: no way");
  check_judged(404, "application/json", "{\"code\":\"unimplemented\"}",
               SRV_ENET, 1, "Pyroscope answered unimplemented");
  check_judged(404, "text/plain", "404 page not found\n", SRV_ENET, 1,
               "the server answered 404 to SelectMergeStacktraces: 404 "
               "page not found");
  check_judged(500, "application/json", "not json", SRV_ENET, 0,
               "the server answered 500 to SelectMergeStacktraces: not "
               "json");
  check_judged(502, "text/html", "<html>bad gateway</html>", SRV_ENET, 0,
               "the server answered 502 with an HTML page, not Pyroscope's "
               "API (is the URL the Pyroscope server's?)");
  check_judged(200, NULL, "  <!DOCTYPE html>", SRV_ENET, 0,
               "the server answered with an HTML page, not Pyroscope's API "
               "(is the URL the Pyroscope server's?)");
  check_judged(200, "application/protobuf", "x", SRV_ENET, 0,
               "the server answered SelectMergeStacktraces with "
               "Content-Type application/protobuf, not application/proto "
               "(is the URL the Pyroscope server's?)");
  check_judged(200, NULL, "x", SRV_ENET, 0,
               "the server answered SelectMergeStacktraces with "
               "Content-Type none, not application/proto (is the URL the "
               "Pyroscope server's?)");
  srv_http_result_t r = {.rc = SRV_ENET, .message = "Couldn't connect"};
  char msg[64];
  int missing;
  CHECK_INT(srv_pyro_judge(&r, "X", &missing, msg, sizeof msg), SRV_ENET);
  CHECK_STR(msg, "Couldn't connect");
}

int main(void) {
  test_times();
  test_sources();
  test_answers();
  CHECK_DONE();
}
