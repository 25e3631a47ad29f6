#!/usr/bin/env bash
# Runs every test: the whole ctest suite in a warnings-as-errors build
# (editor client tests included), then again, editor clients aside, in a
# build with AddressSanitizer and UndefinedBehaviorSanitizer, then the unit,
# golden and transcript tests under valgrind memcheck.
# Build trees: build/dev, build/asan and build/valgrind. Pass ctest
# arguments to narrow it, e.g. tools/test.sh -L unit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/deps.sh"
# The editors the client tests drive and the grammars of heatls search
# (tools/deps-<name>.sh).
for script in "$root"/tools/deps-*.sh; do
  [ -e "$script" ] && "$script"
done
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
ctest_args=("$@" -LE client)
run_suite "$root/build/asan" Debug -DHEATLS_SANITIZE=ON
echo "== build/valgrind: unit, golden and transcript tests under valgrind memcheck"
ctest_args=("$@" -L valgrind)
run_suite "$root/build/valgrind" RelWithDebInfo -DHEATLS_VALGRIND=ON
