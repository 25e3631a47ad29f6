#!/usr/bin/env bash
# tools/fuzz.sh: runs heatls's libFuzzer targets (tests/fuzz/README.md).
#
# Builds the fuzz tree with clang (-DHEATLS_FUZZ=ON), then runs each target,
# or the ones named, for SECONDS each, one after the other, on a scratch copy
# of its corpus (tests/fuzz/corpus/TARGET is only read), with
#   -max_total_time=SECONDS -rss_limit_mb=2048 -timeout=10 -jobs=1
# and prints per target: executions, exec/s, corpus size (inputs and bytes
# after the run), and crashes (crash-* files; leaks, timeouts and
# out-of-memory inputs are counted apart). The scratch folder, with each
# target's log, grown corpus and crash files, is kept and its path printed.
#
# Usage: tools/fuzz.sh [--merge] [--no-build] [SECONDS] [TARGET...]
#   SECONDS     per target (default 60)
#   TARGET      profile, rpc, position, documents (default: all)
#   --merge     afterwards, merge the inputs that reach new code back into
#               tests/fuzz/corpus/TARGET (libFuzzer -merge=1 -use_counters=0
#               on the inputs up to MERGE_MAX_BYTES: a small set of new
#               files named by their SHA-1; read `git status` before
#               committing)
#   --no-build  use the fuzz tree as it is
# Environment:
#   BUILD_DIR   the fuzz build tree (default: <repo>/build-fuzz)
#   CC          the compiler (default: clang)
#   MERGE_MAX_BYTES  largest input --merge considers (default 8192)
# Exit status: 0 when no target crashed, 1 when one did (or a build or a run
# failed), 2 on a usage error.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
merge_max=${MERGE_MAX_BYTES:-8192}
all_targets=(profile rpc position documents)

merge=0
do_build=1
seconds=60
targets=()
for arg in "$@"; do
  case $arg in
    --merge) merge=1 ;;
    --no-build) do_build=0 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"
               exit 0 ;;
    -*) echo "fuzz.sh: unknown option $arg (run 'tools/fuzz.sh --help')" >&2
        exit 2 ;;
    *[!0-9]*)
      if [[ " ${all_targets[*]} " != *" $arg "* ]]; then
        echo "fuzz.sh: unknown target $arg (${all_targets[*]})" >&2
        exit 2
      fi
      targets+=("$arg") ;;
    *) seconds=$arg ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

if [ "$do_build" = 1 ]; then
  mkdir -p "$build"
  CC=${CC:-clang} cmake -S "$root" -B "$build" -DHEATLS_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  if ! cmake --build "$build" -j"$(nproc)" \
      --target "${targets[@]/#/fuzz_}" >"$build/fuzz-build.log" 2>&1; then
    cat "$build/fuzz-build.log" >&2
    exit 1
  fi
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/heatls-fuzz.XXXXXX")
echo "fuzz.sh: ${seconds}s per target; scratch folder $scratch"
printf '%-10s %12s %8s %8s %10s %8s %s\n' target executions exec/s inputs \
  bytes crashes other
status=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  work=$scratch/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  cp "$root/tests/fuzz/corpus/$t"/* "$work/corpus/"
  # -jobs=1 runs the fuzzer in a child process whose output goes to
  # fuzz-0.log in the current folder.
  (cd "$work" && "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 \
     -timeout=10 -jobs=1 -artifact_prefix="$work/artifacts/" \
     "$work/corpus" >"$work/parent.log" 2>&1) || true
  log=$work/fuzz-0.log
  # The last status line: "#N DONE ... exec/s: R ..." or the last "#N ...".
  last=$(grep -E '^#[0-9]+' "$log" 2>/dev/null | tail -1 || true)
  execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  rate=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$last")
  inputs=$(find "$work/corpus" -type f | wc -l)
  bytes=$(find "$work/corpus" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
  crashes=$(find "$work/artifacts" -name 'crash-*' | wc -l)
  other=$(find "$work/artifacts" \( -name 'leak-*' -o -name 'timeout-*' \
            -o -name 'oom-*' \) | wc -l)
  printf '%-10s %12s %8s %8s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" \
    "$inputs" "$bytes" "$crashes" "$other"
  if [ "$crashes" -gt 0 ] || [ "$other" -gt 0 ]; then
    status=1
    find "$work/artifacts" -type f | sed 's/^/  /'
    grep -m1 -E 'invariant broken|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' \
      "$log" | sed 's/^/  /' || true
  elif [ -z "$execs" ]; then
    status=1
    echo "  no status line: see $work/parent.log and $log"
  fi
  if [ "$merge" = 1 ]; then
    # Only inputs up to MERGE_MAX_BYTES, and only for new code reached
    # (-use_counters=0: new hit counts of known edges do not count), so that
    # a handful of small files joins the corpus.
    mkdir -p "$work/merge-from"
    find "$work/corpus" -type f -size -$((merge_max + 1))c \
      -exec cp {} "$work/merge-from/" \;
    before=$(find "$root/tests/fuzz/corpus/$t" -type f | wc -l)
    "$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 -timeout=10 \
      "$root/tests/fuzz/corpus/$t" "$work/merge-from" \
      >"$work/merge.log" 2>&1 ||
      { echo "  merge failed: see $work/merge.log"; status=1; }
    after=$(find "$root/tests/fuzz/corpus/$t" -type f | wc -l)
    echo "  merged: $((after - before)) new inputs in tests/fuzz/corpus/$t"
  fi
done
exit $status
