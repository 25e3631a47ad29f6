#!/usr/bin/env bash
# heatls's command line with Pyroscope sources, against pyroscopesvc (a
# stand-in for Grafana Pyroscope: testdata/programs/pyroscopesvc) on
# 127.0.0.1: SelectMergeStacktraces with the pprof format and each
# fallback to SelectMergeProfile, what heatls sent (as the stand-in
# decoded it: type, selector, range in ms, auth, tenant), merges and
# -base, `heatls pyroscope --list`, and every bad answer with its one-line
# message; credentials never show.
# Usage: net_pyroscope_cli_test.sh HEATLS PYROSCOPESVC WORDFREQ_DIR
set -uo pipefail
heatls=$1
svc=$2
wordfreq=$3
svc_args=(-cpu "$wordfreq/cpu.pb.gz" -heap "$wordfreq/heap.pb.gz")
# shellcheck source=net_lib.sh
. "$(dirname "$0")/net_lib.sh"

# sent METHOD FIELD WANT: what the stand-in decoded from heatls's last
# METHOD call (a JSON field, compared as text).
sent() {
  local got
  got=$(curl -s --max-time 5 "http://127.0.0.1:$p/last/$1" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s||"null");const f=v&&v[process.argv[1]];console.log(f===undefined?"(none)":typeof f==="string"?f:JSON.stringify(f))})' "$2")
  if [ "$got" = "$3" ]; then ok; else fail "$1.$2: got '$got', want '$3'"; fi
}

# calls WANT: the methods called since the last check, space-separated.
seen=0
calls() {
  local all got
  all=$(curl -s --max-time 5 "http://127.0.0.1:$p/calls" | tr -d '[]"' | tr ',' '\n')
  got=$(echo "$all" | tail -n +$((seen + 1)) | paste -sd' ')
  seen=$(echo "$all" | grep -c .)
  if [ "$got" = "$1" ]; then ok; else fail "calls: got '$got', want '$1'"; fi
}

secret=s3cret-pw
start main -user alice -password "$secret" -tenant t1 -token tok-123
p=$port
pyro="pyroscope+http://alice:$secret@127.0.0.1:$p"
name="pyroscope: checkout cpu now-1h"

# Today's Pyroscope: SelectMergeStacktraces answers the pprof.
expect 0 'cpu/nanoseconds \(used\)' info "$pyro/?service=checkout&tenant=t1"
calls "/SelectMergeStacktraces"
sent SelectMergeStacktraces profile_typeID process_cpu:cpu:nanoseconds:cpu:nanoseconds
sent SelectMergeStacktraces label_selector '{service_name="checkout"}'
sent SelectMergeStacktraces format 4
sent SelectMergeStacktraces authorization Basic
sent SelectMergeStacktraces tenant t1
# now-1h to now, in ms: exactly an hour apart, ending about now.
range=$(curl -s "http://127.0.0.1:$p/last/SelectMergeStacktraces" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(v.end-v.start, Math.abs(Date.now()-v.end)<60000)})')
if [ "$range" = "3600000 true" ]; then ok; else fail "now-1h: $range"; fi
if grep -q "$secret" "$work/out" "$work/err"; then fail "the password was printed"; else ok; fi
expect 0 'profile: +pyroscope\+http://\*\*\*@127' info "$pyro/?service=checkout&tenant=t1"
seen=$((seen + 1))

# Times: unix seconds, unix ms, RFC 3339, relative.
expect 0 'cpu/nanoseconds' info "$pyro/?service=checkout&tenant=t1&from=1733459000&until=2024-12-06T05:03:20Z"
sent SelectMergeStacktraces start 1733459000000
sent SelectMergeStacktraces end "$(($(date -d 2024-12-06T05:03:20Z +%s) * 1000))"
expect 0 'cpu/nanoseconds' info "$pyro/?service=checkout&tenant=t1&from=1733459000123&until=2024-12-06T06:03:20.5%2B01:00"
sent SelectMergeStacktraces start 1733459000123
sent SelectMergeStacktraces end "$(($(date -d 2024-12-06T05:03:20Z +%s) * 1000 + 500))"
expect 0 'cpu/nanoseconds' info "$pyro/?service=checkout&tenant=t1&from=now-7d&until=now-1h30m"
range=$(curl -s "http://127.0.0.1:$p/last/SelectMergeStacktraces" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(v.end-v.start, Math.abs(Date.now()-5400000-v.end)<60000)})')
if [ "$range" = "599400000 true" ]; then ok; else fail "now-7d to now-1h30m: $range"; fi
seen=$((seen + 3))

# Types by name and by id; a whole selector; a bearer token instead.
expect 0 'alloc_space/bytes' info "$pyro/?service=cart&tenant=t1&type=alloc_space"
sent SelectMergeStacktraces profile_typeID memory:alloc_space:bytes:space:bytes
expect 0 'cpu/nanoseconds' info "$pyro/?tenant=t1&type=process_cpu:cpu:nanoseconds:cpu:nanoseconds&query=%7Bservice_name%3D%22checkout%22%2Cregion%3D~%22eu-.%2A%22%7D"
sent SelectMergeStacktraces label_selector '{service_name="checkout",region=~"eu-.*"}'
expect 0 'cpu/nanoseconds' info -header 'Authorization: Bearer tok-123' \
  "pyroscope+http://127.0.0.1:$p/?service=checkout&tenant=t1"
sent SelectMergeStacktraces authorization Bearer
seen=$((seen + 3))

# Merges and -base: two queries, and one against another.
expect 0 '\(2 profiles\)' info "$pyro/?service=checkout&tenant=t1&from=now-2h&until=now-1h" \
  "$pyro/?service=checkout&tenant=t1"
expect 0 'cpu/nanoseconds' top -n 3 "$pyro/?service=checkout&tenant=t1" \
  -base "$pyro/?service=cart&tenant=t1&from=now-1d&until=now-23h"
seen=$((seen + 4))

# The fallback: a server from before PROFILE_FORMAT_PPROF (a flame graph),
# one where SelectMergeStacktraces is "unimplemented", one without it (404).
expect 0 'cpu/nanoseconds \(used\)' info "$pyro/old?service=checkout&tenant=t1"
calls "old/SelectMergeStacktraces old/SelectMergeProfile"
sent SelectMergeProfile label_selector '{service_name="checkout"}'
sent SelectMergeProfile profile_typeID process_cpu:cpu:nanoseconds:cpu:nanoseconds
sent SelectMergeProfile tenant t1
expect 0 'cpu/nanoseconds \(used\)' info "$pyro/v0?service=checkout&tenant=t1"
calls "v0/SelectMergeStacktraces v0/SelectMergeProfile"
expect 0 'inuse_space/bytes' info "$pyro/nomux/?service=checkout&tenant=t1&type=inuse_space"
calls "nomux/SelectMergeStacktraces nomux/SelectMergeProfile"

# Listing: services, then types with their SDK names.
expect 0 '^service	checkout$' pyroscope --list "$pyro?tenant=t1"
if grep -qx 'service	cart' "$work/out" &&
  grep -qx 'type	process_cpu:cpu:nanoseconds:cpu:nanoseconds	cpu' "$work/out" &&
  grep -qx 'type	memory:inuse_objects:count:space:bytes	inuse_objects' "$work/out"; then
  ok
else fail "the listing: $(cat "$work/out")"; fi
calls "/ProfileTypes /LabelValues"
sent LabelValues name service_name
range=$(curl -s "http://127.0.0.1:$p/last/LabelValues" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(v.end-v.start)})')
if [ "$range" = "86400000" ]; then ok; else fail "the listing's range: $range"; fi
expect 2 'expected a pyroscope\+http\(s\):// URL' pyroscope --list
expect 2 '-list is the only action' pyroscope "$pyro"
expect 1 "Pyroscope answered unauthenticated" pyroscope --list "$pyro"

# Connect errors as they came; bad answers; the password never shows.
expect 1 "^heatls: $name: Pyroscope answered permission_denied: this tenant may not read profiles$" \
  info "$pyro/denied?service=checkout&tenant=t1"
expect 1 "^heatls: $name: Pyroscope answered unauthenticated: no valid credentials$" \
  info "pyroscope+http://alice:WRONG-$secret@127.0.0.1:$p/?service=checkout&tenant=t1"
if grep -q "$secret" "$work/err"; then fail "a password was printed"; else ok; fi
expect 1 'Pyroscope answered unauthenticated: tenant "t2" unknown$' \
  info "$pyro/?service=checkout&tenant=t2"
expect 1 "^heatls: $name: the server answered with an HTML page, not Pyroscope's API" \
  info "$pyro/html?service=checkout&tenant=t1"
expect 1 'answered SelectMergeStacktraces with Content-Type text/plain, not application/proto' \
  info "$pyro/text?service=checkout&tenant=t1"
expect 1 "^heatls: $name: SelectMergeStacktraces: the answer is not the message Pyroscope's API publishes$" \
  info "$pyro/garbage?service=checkout&tenant=t1"
expect 1 "^heatls: ProfileTypes: the answer is not the message Pyroscope's API publishes$" \
  pyroscope --list "$pyro/garbage?tenant=t1"
expect 1 'the server answered 404 to SelectMergeProfile: 404 page not found \(the server has neither' \
  info "$pyro/nosuchprefix?service=checkout&tenant=t1"
expect 1 'Pyroscope has no samples of process_cpu:cpu:nanoseconds:cpu:nanoseconds for \{service_name="nosuch"\}' \
  info "$pyro/?service=nosuch&tenant=t1"
expect 1 "^heatls: pyroscope: checkout cpu now-1h: .*(Connection refused|Couldn't connect)" \
  info "pyroscope+http://127.0.0.1:1/?service=checkout"
start0=$(date +%s%N)
expect 1 'Operation timed out after 1[0-9]{3} milliseconds' info -timeout 1 "$pyro/hang?service=checkout&tenant=t1"
elapsed=$((($(date +%s%N) - start0) / 1000000))
if [ "$elapsed" -lt 5000 ]; then ok; else fail "the timeout took ${elapsed} ms"; fi

# Bad sources: refused before anything is sent.
expect 1 'unknown parameter "seconds" \(a Pyroscope source takes service, query, type, from, until and tenant\)$' \
  info "$pyro/?service=checkout&seconds=3"
expect 1 'type "nosuch": not a profile type id' info "$pyro/?type=nosuch"
expect 1 'from "yesterday": not a time' info "$pyro/?from=yesterday"
expect 1 'until "now-1x": not a time' info "$pyro/?until=now-1x"
expect 1 'the range is empty: from now is not before until now-1h' info "$pyro/?service=checkout&from=now&until=now-1h"
expect 1 'query "checkout": a label selector is written' info "$pyro/?query=checkout"
expect 1 'give service or query, not both' info "$pyro/?service=a&query=%7B%7D"
expect 1 'a Pyroscope URL needs a host' info "pyroscope+http:///?service=a"
expect 1 'unsupported scheme "pyroscope\+ftp"' info "pyroscope+ftp://127.0.0.1/"

finish
