#!/usr/bin/env bash
# Runs every test: the whole ctest suite in a warnings-as-errors build, then
# again in a build with AddressSanitizer and UndefinedBehaviorSanitizer.
# Build trees: build/dev and build/asan. Pass ctest arguments to narrow it,
# e.g. tools/test.sh -L unit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/deps.sh"
jobs=$(nproc)

run_suite() {
  local dir=$1; shift
  local type=$1; shift
  cmake -S "$root" -B "$dir" -DHEATLS_WERROR=ON -DCMAKE_BUILD_TYPE="$type" \
    "$@" >/dev/null
  if ! cmake --build "$dir" -j"$jobs" >"$dir/build.log" 2>&1; then
    cat "$dir/build.log"
    return 1
  fi
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" "${ctest_args[@]}"
}

ctest_args=("$@")
echo "== build/dev: the suite"
run_suite "$root/build/dev" RelWithDebInfo
echo "== build/asan: the suite under ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite "$root/build/asan" Debug -DHEATLS_SANITIZE=ON
