#!/usr/bin/env bash
# Runs every test, through the presets of CMakePresets.json: the whole ctest
# suite in a warnings-as-errors build (preset dev, editor client tests
# included), then again, editor clients aside, in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer (preset asan), then the
# unit, golden and transcript tests under valgrind memcheck (preset
# valgrind). It also builds the gnu11 preset (-std=gnu11, warnings as
# errors; no tests) so that the code keeps building with GNU extensions on.
# Build trees: build/dev, build/asan, build/valgrind and build/gnu11. Pass
# ctest arguments to narrow it, e.g. tools/test.sh -L unit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/deps.sh"
# The editors the client tests drive and the grammars of heatls search
# (tools/deps-<name>.sh).
for script in "$root"/tools/deps-*.sh; do
  [ -e "$script" ] && "$script"
done
jobs=$(nproc)
# Presets are looked up in the source folder.
cd "$root"

# build PRESET: configures and builds it, showing the log only on failure.
build() {
  local preset=$1 log
  cmake --preset "$preset" >/dev/null
  log=$root/build/$preset/build.log
  if ! cmake --build --preset "$preset" -j"$jobs" >"$log" 2>&1; then
    cat "$log"
    return 1
  fi
}

# run_suite PRESET CTEST_ARGS...: builds the preset, then runs its tests.
run_suite() {
  local preset=$1
  shift
  build "$preset"
  ctest --preset "$preset" -j"$jobs" "$@"
}

echo "== build/dev: the suite"
run_suite dev "$@"
echo "== build/asan: the suite under ASan + UBSan, editor clients aside"
run_suite asan "$@"
echo "== build/valgrind: unit, golden and transcript tests under valgrind memcheck"
run_suite valgrind "$@"
echo "== build/gnu11: the build with -std=gnu11 (no tests)"
build gnu11
