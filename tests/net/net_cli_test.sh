#!/usr/bin/env bash
# heatls's command line with URLs, against pprofsvc on 127.0.0.1: CPU,
# heap, allocs-delta and mutex captures, two CPU captures at once, a
# WriteTimeout shorter than the capture, HTTPS (verified with the CA file,
# refused without it, accepted with https+insecure; a client certificate
# where the server wants one), extra headers whose
# values never show, and every bad source with its one-line message.
# Usage: net_cli_test.sh HEATLS PPROFSVC
set -uo pipefail
heatls=$1
svc=$2
# shellcheck source=net_lib.sh
. "$(dirname "$0")/net_lib.sh"

start plain
p=$port
base=http://127.0.0.1:$p

# Captures, by each form of URL.
expect 0 'cpu/nanoseconds \(used\)' info -seconds 1 "127.0.0.1:$p"
expect 0 'cpu/nanoseconds \(used\)' info --seconds=1 "http://127.0.0.1:$p/"
expect 0 'inuse_space/bytes' top -n 3 "$base/debug/pprof/heap"
expect 0 'alloc_space/bytes \(used\)' info -seconds 1 -sample-type alloc_space "$base/debug/pprof/allocs"
expect 0 'delay/nanoseconds \(used\)' info -seconds 1 "127.0.0.1:$p/debug/pprof/mutex"
expect 0 '"files"|^\{' json "$base/debug/pprof/heap"
expect 0 '' stat -sample-type alloc_space "$base/debug/pprof/allocs"

# Two CPU captures at once: the second gets Go's own 500, verbatim.
timeout 30 "$heatls" info -seconds 2 "$base" >"$work/first.out" 2>&1 &
first=$!
sleep 0.7
expect 1 "^heatls: live: 127.0.0.1:$p cpu 1s: the server answered 500: Could not enable CPU profiling: cpu profiling already in use$" \
  info -seconds 1 "$base"
if wait "$first"; then ok; else
  fail "the first of two CPU captures: $(cat "$work/first.out")"; fi

# Headers: sent as given; a wrong value is refused and never printed.
expect 0 'inuse_space' info -header 'Authorization: Bearer s3cret-token' \
  -header 'X-Scope-OrgID: tenant-1' "$base/auth/heap"
expect 1 'the server answered 401: unauthorized$' info \
  -header 'Authorization: Bearer WRONG-s3cret' -header 'X-Scope-OrgID: tenant-1' \
  "$base/auth/heap"
if grep -q 'WRONG-s3cret' "$work/err" "$work/out"; then
  fail "a header value was printed"; else ok; fi
expect 2 "^heatls info: -header: expected 'NAME: VALUE'" info -header 'no-colon-secret' "$base"
if grep -q 'no-colon-secret' "$work/err"; then
  fail "a bad header was echoed"; else ok; fi

# Bad sources: one line each, exit 1.
expect 1 "^heatls: live: 127.0.0.1:1 heap: .*(Connection refused|Couldn't connect)" \
  info "http://127.0.0.1:1/debug/pprof/heap"
expect 1 '^heatls: live: heatls-test.invalid:6060 heap: Could not resolve host: heatls-test.invalid' \
  info "heatls-test.invalid:6060/debug/pprof/heap"
expect 1 "the server answered 404: Unknown profile$" info "$base/debug/pprof/nosuch"
expect 1 'the server answered with an HTML page, not a profile' info "$base/bad/html"
expect 1 'the server answered with an HTML page, not a profile' info "$base/debug/pprof/"
expect 1 'the body is larger than the cap of 1048576 bytes' info -max-size 1M "$base/bad/big?mib=4"
start0=$(date +%s%N)
expect 1 'Operation timed out after 1[0-9]{3} milliseconds' info -timeout 1 "$base/bad/hang"
elapsed=$((($(date +%s%N) - start0) / 1000000))
if [ "$elapsed" -lt 5000 ]; then ok; else
  fail "the timeout took ${elapsed} ms"; fi
expect 1 'Maximum \(5\) redirects followed' info "$base/bad/loop"
expect 1 'gzip|unexpected end|truncated' info "$base/bad/cut"
expect 1 '^heatls: ftp://127.0.0.1/x: unsupported scheme "ftp" \(heatls fetches http://, https://, https\+insecure://, pyroscope\+http:// and pyroscope\+https://\)$' \
  info "ftp://127.0.0.1/x"
expect 1 'Protocol "ftp" not supported' info "$base/bad/ftp"
expect 1 'no such file|No such file' info "./not-here.pb.gz"

# The WriteTimeout of a server shorter than the capture: Go's 400.
start short -write-timeout 1s
expect 1 "the server answered 400: profile duration exceeds server's WriteTimeout$" \
  info -seconds 2 "127.0.0.1:$port"

# HTTPS with a certificate made now.
mkdir -p "$work/tls"
start tls -tls "$work/tls"
expect 0 'inuse_space' info -cacert "$work/tls/ca.pem" "https://127.0.0.1:$port/debug/pprof/heap"
expect 1 'certificate' info "https://127.0.0.1:$port/debug/pprof/heap"
expect 0 'inuse_space' info "https+insecure://127.0.0.1:$port/debug/pprof/heap"
expect 0 'cpu/nanoseconds' info -seconds 1 -cacert "$work/tls/ca.pem" "https://127.0.0.1:$port"

# A server that wants a client certificate.
mkdir -p "$work/mtls"
start mtls -tls "$work/mtls" -client-certs
expect 0 'inuse_space' info -cacert "$work/mtls/ca.pem" -cert "$work/mtls/client.pem" \
  -key "$work/mtls/client-key.pem" "https://127.0.0.1:$port/debug/pprof/heap"
expect 1 "^heatls: live: 127.0.0.1:$port heap: " info -cacert "$work/mtls/ca.pem" \
  "https://127.0.0.1:$port/debug/pprof/heap"

finish
