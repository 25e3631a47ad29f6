#!/usr/bin/env bash
# The boundary checker can fail: it passes on a copy of the tree, and fails,
# on the check that should catch it, on each violation planted in a fresh
# copy. Only the module folders and the CMake files are copied.
# Usage: boundaries_can_fail.sh CHECKER SOURCE_DIR
set -uo pipefail
checker=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# The copy: the module folders, and the CMake files the checker reads links
# from (the top one, those of tests/ and cmake/).
mkdir -p "$work/clean"
for m in index protocol server search; do
  [[ -d $src/$m ]] && cp -R "$src/$m" "$work/clean/$m"
done
cp "$src/CMakeLists.txt" "$work/clean/"
for d in tests cmake; do
  [[ -d $src/$d ]] || continue
  (cd "$src" && find "$d" -type f \( -name CMakeLists.txt -o -name '*.cmake' \)) |
    while read -r f; do
      mkdir -p "$work/clean/$(dirname "$f")"
      cp "$src/$f" "$work/clean/$f"
    done
done

# first_file DIR PATTERN: the first file of the copy's DIR named PATTERN.
first_file() {
  (cd "$work/tree" && find "$1" -type f -name "$2" | LC_ALL=C sort | head -n 1)
}

# expect WHAT STATUS [CHECK [COUNT]]: runs the checker on $work/tree; its
# exit status must be STATUS and, for a failure, CHECK must be among the
# failed checks, which must be COUNT (default 1).
expect() {
  local what=$1 want=$2 check=${3:-} count=${4:-1} status
  bash "$checker" "$work/tree" >"$work/out" 2>&1
  status=$?
  if [[ $status -ne $want ]]; then
    echo "FAIL: $what: exit status $status, expected $want"
    sed 's/^/  /' "$work/out"
    failed=$((failed + 1))
  elif [[ $want -ne 0 ]] && ! grep -q "^FAIL $check" "$work/out"; then
    echo "FAIL: $what: failed, but not on \"$check\""
    sed 's/^/  /' "$work/out"
    failed=$((failed + 1))
  elif [[ $want -ne 0 ]] && ! grep -q "^[0-9]* passed, $count failed$" "$work/out"; then
    echo "FAIL: $what: not $count failed check(s)"
    sed 's/^/  /' "$work/out"
    failed=$((failed + 1))
  else
    echo "ok   $what$( [[ $want -ne 0 ]] && echo ": $(grep -A1 "^FAIL $check" "$work/out" | sed -n "2s/^ *//p")")"
    passed=$((passed + 1))
  fi
}

fresh() {
  rm -rf "$work/tree"
  cp -R "$work/clean" "$work/tree"
}

# plant_line FILE LINE: puts LINE first in FILE (in the copy).
plant_line() {
  { echo "$2"; cat "$work/tree/$1"; } >"$work/tree/$1.new"
  mv "$work/tree/$1.new" "$work/tree/$1"
}

fresh
expect "the clean copy passes" 0

# A private header of another module, by name, in server/. internal.h is
# private to index/ and protocol/; should server/ ever have an internal.h
# of its own, another module's private header stands in for it.
fresh
private=internal.h
if [[ -n $(cd "$work/tree" && find server -name internal.h) ]]; then
  private=$(cd "$work/tree" && find protocol -maxdepth 1 -name '*.h' \
    -exec basename {} \; | while read -r h; do
      [[ -z $(find server -name "$h") ]] && echo "$h" && break
    done)
fi
plant_line "$(first_file server '*.c')" "#include \"$private\""
expect "#include \"$private\" in server/" 1 "server: includes only the public"

fresh
plant_line "$(first_file index '*.c')" "#include <jansson.h>"
expect "#include <jansson.h> in index/" 1 "index: includes no jansson"

fresh
plant_line "$(first_file index '*.c')" '#include "lsp_protocol.h"'
# (Two failures: the header's name is an LSP word as well.)
expect "#include \"lsp_protocol.h\" in index/" 1 "index: includes no other module" 2

fresh
plant_line "$(first_file protocol '*.c')" "/* the profile this came from */"
expect "the word \"profile\" in a comment of protocol/" 1 "protocol: no profile"

fresh
echo "target_link_libraries(heatls_index PRIVATE PkgConfig::LIBUV)" \
  >>"$work/tree/index/CMakeLists.txt"
expect "index/CMakeLists.txt links PkgConfig::LIBUV" 1 "index: links"

# A link added to another module's target from server/'s CMake file.
fresh
echo "target_link_libraries(heatls_protocol PUBLIC PkgConfig::LIBUV)" \
  >>"$work/tree/server/CMakeLists.txt"
expect "server/CMakeLists.txt links PkgConfig::LIBUV into heatls_protocol" 1 \
  "protocol: links"

fresh
find "$work/tree/protocol" -name '*.c' -delete
expect "protocol/ without sources" 1 "protocol: has C sources"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
