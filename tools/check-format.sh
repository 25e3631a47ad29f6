#!/usr/bin/env bash
# check-format.sh: the C sources (*.c, *.h) of the given folders are as
# .clang-format has them: clang-format --dry-run --Werror on each.
#
# Usage: tools/check-format.sh SOURCE_DIR FOLDER...
#   FOLDER  relative to SOURCE_DIR, searched recursively (ctest's `format`
#           test passes the folders listed in tests/tree/CMakeLists.txt)
# Environment:
#   CLANG_FORMAT  the program (default: clang-format-14 if there, else
#                 clang-format; .clang-format is written for version 14)
#   CI            when "true", a missing clang-format fails instead of
#                 skipping
# Exit status: 0 when every file is formatted, 1 when one is not (its
# changes are shown), 77 when clang-format is missing (ctest: skipped),
# 2 on a usage error.
set -uo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: check-format.sh SOURCE_DIR FOLDER..." >&2
  exit 2
fi
src=$1
shift

program=${CLANG_FORMAT:-}
if [[ -z $program ]]; then
  for p in clang-format-14 clang-format; do
    if command -v "$p" >/dev/null; then
      program=$p
      break
    fi
  done
fi
if [[ -z $program ]] || ! command -v "$program" >/dev/null; then
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: clang-format not found (tools/deps.sh installs it)"
    exit 1
  fi
  echo "skipped: clang-format not found (tools/deps.sh installs it)"
  exit 77
fi
"$program" --version

cd "$src" || exit 2
files=()
for dir in "$@"; do
  if [[ ! -d $dir ]]; then
    echo "FAIL: no folder $dir"
    exit 1
  fi
  while IFS= read -r f; do
    files+=("$f")
  done < <(find "$dir" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
done

failed=0
for f in "${files[@]}"; do
  if ! "$program" --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "FAIL $f: not formatted (clang-format -i $f):"
    "$program" "$f" | diff -u "$f" - | sed 's/^/  /'
    failed=$((failed + 1))
  fi
done
echo "${#files[@]} files in $*: $((${#files[@]} - failed)) formatted," \
  "$failed not"
[[ $failed -eq 0 ]]
