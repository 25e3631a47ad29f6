#!/usr/bin/env bash
# The module boundaries of docs/architecture.md, read off the #include
# lines: index/ sees no JSON, libuv or protocol; protocol/ sees no profile
# or index. Usage: boundaries.sh SOURCE_DIR
set -uo pipefail
src=$1
failed=0
check() { # check DIR PATTERN WHY
  local hits
  hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($2)" \
    "$src/$1"/*.[ch] 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "FAIL: $1/ must not include $3:" >&2
    echo "$hits" >&2
    failed=$((failed + 1))
  fi
}
check index 'jansson|uv\.h|uv/|rpc_|lsp_' "jansson, libuv or protocol headers"
check index/include 'jansson|uv\.h|uv/|rpc_|lsp_' \
  "jansson, libuv or protocol headers"
check protocol 'heat_index|profile\.pb-c|zlib|uv\.h|protobuf-c' \
  "index, protobuf, zlib or libuv headers"
# The check must see the files it guards.
for dir in index protocol server; do
  ls "$src/$dir"/*.c >/dev/null 2>&1 || { echo "FAIL: no sources in $dir/" >&2; failed=$((failed + 1)); }
done
echo "$((6 - failed > 0 ? 6 - failed : 0)) passed, $failed failed"
[ "$failed" -eq 0 ]
