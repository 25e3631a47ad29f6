#!/usr/bin/env bash
# Figures for profiles fetched from URLs: the large benchmark profile
# served over HTTP on 127.0.0.1 by pprofsvc (testdata/programs/pprofsvc)
# and fetched by the server's HTTP driver (the loop's longest iteration,
# peak RSS), next to the same file read from disk; then a 50 MiB body for
# the loop's longest stall. Usage: tools/bench-fetch.sh [BUILD_DIR]
# (default build/dev, built with the tests).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/dev}
profile=${HEATLS_BENCH_PROFILE:-/work/shared/bench/large-synth.pb.gz}
bench=$build/tests/bench/bench_fetch
svc=$build/tests/net/pprofsvc
[ -x "$svc" ] || bash "$root/tests/net/build_pprofsvc.sh" \
  "$(command -v go || echo /usr/lib/go-1.19/bin/go)" \
  "$root/testdata/programs/pprofsvc" "$build/tests/net"
work=$(mktemp -d)
mkfifo "$work/in"
"$svc" -file "$profile" -life 600s <"$work/in" >"$work/port" &
svc_pid=$!
exec 3>"$work/in"
trap 'exec 3>&-; wait "$svc_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  port=$(awk '/^port /{print $2}' "$work/port")
  [ -n "$port" ] && break
  sleep 0.05
done
echo "== $(basename "$profile") ($(stat -c %s "$profile") bytes) from disk"
"$bench" -f "$profile"
echo "== the same over http://127.0.0.1"
"$bench" "http://127.0.0.1:$port/file"
echo "== a 50 MiB body (random bytes: only the download counts)"
"$bench" "http://127.0.0.1:$port/bad/big?mib=50"
echo "== the language server: the same profile from the URL, then from disk"
node "$root/tests/bench/lsp_fetch_bench.mjs" "$build/server/heatls" \
  "http://127.0.0.1:$port/file" "$profile"
