#!/usr/bin/env bash
# Installs the dependencies, builds heatls and shows the hottest lines of a
# bundled Go profile (the encoding/json benchmarks of Go 1.19).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/deps.sh"
"$root/tools/deps-grammars.sh" # tree-sitter grammars for heatls search
cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_TESTING=OFF >/dev/null
cmake --build "$root/build/release" -j"$(nproc)" >/dev/null
heatls="$root/build/release/server/heatls"
profile="$root/testdata/golden/json/json.pb.gz"
echo "== heatls top -n 10 $profile"
"$heatls" top -n 10 "$profile"
echo
echo "== heatls stat -threshold 0.1 -filename 'json/encode.go' (first 20 lines)"
# sed reads the whole output: with head, heatls could be killed by SIGPIPE
# (exit 141 under pipefail) whenever head exits before heatls has written all.
"$heatls" stat -threshold 0.1 -filename 'json/encode.go' "$profile" | sed -n '1,20p'
echo
echo "heatls is at $heatls"
