#!/usr/bin/env bash
# tools/bench.sh: heatls's benchmark. It prints figures; it never passes or
# fails on time.
#
# What it measures (with tests/bench/bench_run, RUNS runs of each command,
# interleaved, stdout to /dev/null):
#   gzip -dc FILE      the decompression floor: the baseline of the table
#   heatls info FILE   building the index (load, decode, index, summary)
#   heatls json FILE   the whole `json` command
#   heatls stat FILE   the whole `stat` command
#   merge and diff: eight copies of FILE with different sample values
#   (tests/bench/profile_variants, written into a temporary folder and
#   removed at the end): `heatls info` on one copy, on all eight merged,
#   and on one copy against another as base (a diff), each with its peak RSS
#   the language server: initialize, loadProfile, textDocument/inlayHint on a
#   5,000-line document, each next to a same-run baseline, and RSS with 100
#   open documents (tests/bench/lsp_bench.mjs)
#   search and diagnostics: the delay from didChange to publishDiagnostics
#   (next to the 300 ms debounce), and heatls.search over the whole Go
#   standard library (GOROOT_SRC) with the golden json profile, next to
#   `heatls search` on the same folder (tests/bench/search_bench.mjs)
# on bench/large-synth.pb.gz in the shared folder (55.6 MB raw, 34.7 MB gzip),
# then `heatls json` on each small golden profile (mostly process start),
# next to `heatls --version` (process start alone) as the baseline,
# the language server, and last how cost grows: `heatls json` next to
# `gzip -dc` on seeded synthetic profiles of the large one's shape at 1/8 to
# 4 times its size (tests/bench/gen_synth.c, in a temporary folder).
#
# How to read it: "median s" is wall time; "x base" is a command's median over
# the floor's (goal for heatls json: 1.0x); "peak RSS MB" is the largest
# resident set over the runs and "RSS/raw" that over the uncompressed profile
# size (goal: 2x). The reference, perf-heatmap json, needs 7.29 s and 557 MB
# on this file (bench/README.md in the shared folder).
#
# Usage: tools/bench.sh [--self-check]
#   --self-check   only check bench_run's figures on known loads (sleep,
#                  allocating N MB); needs no heatls binary
# Environment:
#   BUILD_DIR          Release build tree (default: <repo>/build/release)
#   RUNS               runs per command on the large profile (default 7)
#   MERGE_RUNS         runs per merge and diff command (default 3)
#   MERGE_COPIES       copies merged (default 8)
#   GOLDEN_RUNS        runs per golden profile (default 3)
#   HEATLS_SHARED_DIR  the shared folder (default: <repo>/../shared)
#   HEATLS             a heatls binary to measure instead of the built one
#   LSP_REQUESTS       inlayHint requests in the server benchmark (default 1000)
#   GOROOT_SRC         the Go sources searched (default /usr/lib/go-1.19/src)
#   SEARCH_RUNS        runs per search (default 3; 0 skips the searches)
#   DIAGNOSTIC_EDITS   edits timed in the diagnostics delay (default 20)
#   SCALES             the scaling table's sizes, as factors of the large
#                      profile (default "0.125 0.25 0.5 1 2 4"; "" skips it)
#   SCALE_RUNS         runs per command per size (default 3)
#   SECTIONS           which sections run, of: large merge golden lsp search
#                      scale (default: all of them; "large" alone is the
#                      quick check of the load goal)
# Exit status: 0 if everything ran, 1 if a build or a command failed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$repo/build/release}
shared=${HEATLS_SHARED_DIR:-$repo/../shared}
runs=${RUNS:-7}
golden_runs=${GOLDEN_RUNS:-3}
profile=$shared/bench/large-synth.pb.gz

self_check=0
case "${1:-}" in
  "") ;;
  --self-check) self_check=1 ;;
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) echo "bench: unknown argument: $1 (try --help)" >&2; exit 1 ;;
esac

die() { echo "bench: $*" >&2; exit 1; }

log=$(mktemp)
variants_dir=
trap 'rm -f "$log"; [[ -z $variants_dir ]] || rm -rf "$variants_dir"' EXIT

# Runs a build step quietly; shows its output only when it fails.
quiet() {
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "failed: $*"
  fi
}

targets=(bench_run bench_touch profile_variants)
if [[ $self_check == 0 && -z ${HEATLS:-} ]]; then
  targets+=(heatls)
fi
echo "== building ${targets[*]} (Release) in $build"
# bench_run and bench_touch live under tests/: testing on, whatever the tree
# was configured with before (tools/quickstart.sh configures it without).
quiet cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=ON
quiet cmake --build "$build" --target "${targets[@]}" -j "$(nproc)"

bench_run=$build/tests/bench/bench_run
bench_touch=$build/tests/bench/bench_touch
[[ -x $bench_run ]] || die "no bench_run at $bench_run"

echo "machine: $(uname -m), $(nproc) CPUs; $(gzip --version | head -n 1)"

if [[ $self_check == 1 ]]; then
  echo
  echo "== bench_run self-check: expected about 0.20 s for sleep 0.2, and"
  echo "   100 / 300 MB peak RSS (plus 1-2 MB) for bench_touch 100 / 300"
  "$bench_run" --runs "$runs" -- \
    --label "sleep 0.2" sleep 0.2 -- \
    --label "bench_touch 100" "$bench_touch" 100 -- \
    --label "bench_touch 300" "$bench_touch" 300 \
    || die "bench_run self-check failed"
  exit 0
fi

if [[ -n ${HEATLS:-} ]]; then
  heatls=$HEATLS
else
  path_file=$build/tests/bench/heatls-path.txt
  [[ -f $path_file ]] || die "no heatls target in this build ($path_file missing)"
  heatls=$(<"$path_file")
fi
[[ -x $heatls ]] || die "no heatls binary at $heatls"
[[ -f $profile ]] || die "no benchmark profile at $profile (set HEATLS_SHARED_DIR)"

sections=" ${SECTIONS-large merge golden lsp search scale} "
section() { [[ $sections == *" $1 "* ]]; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

echo "heatls: $heatls"
if section large; then
echo
echo "== large profile: $profile (load average $(load_average))"
echo "   reference perf-heatmap json: median 7.29 s, peak RSS 557 MB;"
echo "   goals: heatls json within 1.0x the gzip -dc floor, peak RSS under 2x the raw size"
"$bench_run" --runs "$runs" --raw "$profile" --time-goal 1.0 --rss-goal 2 -- \
  --label "gzip -dc (floor)" gzip -dc "$profile" -- \
  --label "heatls info (build)" "$heatls" info "$profile" -- \
  --label "heatls json" "$heatls" json "$profile" -- \
  --label "heatls stat" "$heatls" stat "$profile" \
  || die "a command on the large profile failed to run (see above)"
echo "   load average after: $(load_average)"
fi

copies=${MERGE_COPIES:-8}
if section merge; then
echo
echo "== merge and diff: $copies copies of the large profile with different sample values"
variants_dir=$(mktemp -d)
"$build/tests/bench/profile_variants" "$profile" "$variants_dir/copy" "$copies" \
  || die "profile_variants failed"
all=()
for ((k = 1; k <= copies; k++)); do all+=("$variants_dir/copy$k.pb.gz"); done
echo "   goal: a merge of N costs about N loads of one copy; a diff about two"
"$bench_run" --runs "${MERGE_RUNS:-3}" -- \
  --label "heatls info (one copy)" "$heatls" info "${all[0]}" -- \
  --label "heatls info ($copies merged)" "$heatls" info "${all[@]}" -- \
  --label "heatls info (diff: copy -base copy)" "$heatls" info "${all[0]}" -base "${all[1]}" -- \
  --label "heatls top (diff, normalized)" "$heatls" top "${all[0]}" -base "${all[1]}" -normalize \
  || die "a merge or diff command failed to run (see above)"
rm -rf "$variants_dir"
variants_dir=
fi

# The small golden profiles: the project's copy, else the shared one.
shopt -s nullglob
if section golden; then
golden=("$repo"/testdata/golden/*/*.pb.gz)
if ((${#golden[@]} == 0)); then
  golden=("$shared"/golden/*/*.pb.gz)
fi
echo
if ((${#golden[@]} == 0)); then
  echo "== golden profiles: none found, skipped"
else
echo "== golden profiles: heatls json on ${#golden[@]} files from $(dirname "$(dirname "${golden[0]}")")"
echo "   (an \"exit N\" status is a profile heatls rejects; the folder's error.txt says why)"
echo "   goal: each at most 2 ms, process start included; the baseline is process start"
echo "   alone (heatls --version), measured in the same run"
args=(--runs "$golden_runs" --keep-going --total --
      --label "heatls --version (start)" "$heatls" --version)
for f in "${golden[@]}"; do
  args+=(-- --label "$(basename "$(dirname "$f")")" "$heatls" json "$f")
done
"$bench_run" "${args[@]}" || die "heatls json crashed or did not start on a golden profile"
fi
fi

if section lsp; then
echo
echo "== the language server on the large profile (tests/bench/lsp_bench.mjs; ${LSP_REQUESTS:-1000} requests)"
if command -v node >/dev/null; then
  node "$repo/tests/bench/lsp_bench.mjs" "$heatls" "$profile" "${LSP_REQUESTS:-1000}" \
    || die "the language server benchmark failed"
else
  echo "   node not found: skipped (tools/deps.sh installs it)"
fi
fi

if section search; then
echo
goroot_src=${GOROOT_SRC:-/usr/lib/go-1.19/src}
search_profile=$shared/golden/json/json.pb.gz
echo "== profile-guided search and hot-path diagnostics (tests/bench/search_bench.mjs; ${SEARCH_RUNS:-3} runs)"
if ! command -v node >/dev/null; then
  echo "   node not found: skipped (tools/deps.sh installs it)"
elif [ ! -d "$goroot_src" ] || [ ! -f "$search_profile" ]; then
  echo "   $goroot_src or $search_profile missing: skipped"
else
  node "$repo/tests/bench/search_bench.mjs" "$heatls" "$repo" "$goroot_src" "$search_profile" \
    "${SEARCH_RUNS:-3}" "${DIAGNOSTIC_EDITS:-20}" || die "the search benchmark failed"
fi
fi

# ---- how cost grows: synthetic profiles of the large one's shape --------
# Kept apart from the sections above. gen_synth writes one seeded profile per
# size into a temporary folder (removed at exit); each is measured on its
# own, heatls json interleaved with gzip -dc on the same file, and one line
# per size sums it up. On a busy machine only the ratios mean much.
scales=${SCALES-0.125 0.25 0.5 1 2 4}
scale_runs=${SCALE_RUNS:-3}
if [[ -n $scales ]] && section scale; then
  echo
  echo "== how cost grows: heatls json next to gzip -dc, synthetic profiles of the large one's shape (seed 1, $scale_runs runs each)"
  quiet cmake --build "$build" --target gen_synth -j "$(nproc)"
  gen_synth=$build/tests/bench/gen_synth
  synth_dir=$(mktemp -d)
  trap 'rm -f "$log"; rm -rf "$synth_dir"' EXIT
  rows=()
  for scale in $scales; do
    f=$synth_dir/synth-$scale.pb.gz
    "$gen_synth" "$scale" 1 "$f" || die "gen_synth $scale failed"
    out=$("$bench_run" --runs "$scale_runs" --raw "$f" -- \
      --label gzip gzip -dc "$f" -- \
      --label heatls-json "$heatls" json "$f") \
      || die "a command on the $scale profile failed to run"
    raw_mb=$(sed -nE 's/^raw size: ([0-9.]+) MB.*/\1/p' <<<"$out")
    rows+=("$(awk -v scale="$scale" -v raw="$raw_mb" '
      $1 == "gzip" { g = $2 }
      $1 == "heatls-json" { h = $2; cpu = $5; rss = $6; ratio = $7; rr = $8 }
      END { printf "%6s %9s %10.3f %11.3f %6.2f %8.3f %9.1f %7.2f %10.2f\n",
                   scale, raw, g, h, ratio, cpu, rss, rr, (raw > 0 ? h / raw * 1000 : 0) }' <<<"$out")")
    rm -f "$f"
  done
  printf '%6s %9s %10s %11s %6s %8s %9s %7s %10s\n' scale "raw MB" "gzip -dc s" \
    "heatls s" "x gzip" "cpu s" "RSS MB" RSS/raw "ms per MB"
  printf '%s\n' "${rows[@]}"
  echo "   (median wall time of the runs; cpu s is heatls's user + system time, both threads;"
  echo "    a flat \"ms per MB\" column is linear growth)"
fi
