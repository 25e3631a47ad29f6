#!/usr/bin/env bash
# Several profiles on the command line: merges and diffs.
#   - merge parity: for each testdata/golden/merged-* folder, heatls given
#     the inputs of inputs.txt prints what it prints for the merged profile
#     (stat, json, dump at four thresholds; the golden tests compare the
#     same outputs with perf-heatmap's);
#   - globs heatls expands itself, and one that matches nothing;
#   - errors: a sample type missing from one input, another unit, one
#     unreadable input among five, a base of another sample type, flags
#     that need -base;
#   - diff values against pprof itself (Debian's Go): the flat deltas of
#     `heatls dump NEW -base BASE` summed per (file, line) equal the flat
#     column of `go tool pprof -top -lines -diff_base BASE NEW`, for pairs
#     of golden profiles, merged sides, and with -normalize (whose deltas
#     are pprof's times new total / base total: docs/levels.md); a profile
#     against itself gives all-zero deltas and no level.
# Usage: compare_test.sh HEATLS TESTDATA_DIR PROFILE_VARIANTS [GO]
# Without GO (or when it cannot run) the pprof part is skipped, unless
# CI=true, where that fails.
set -uo pipefail
heatls=$1
data=$2
variants=$3
go=${4:-}
golden=$data/golden

# shellcheck source=../support/checks.sh
. "$(dirname "$0")/../support/checks.sh"

cpu=$golden/utf8/utf8.pb.gz
bytes=$golden/bytes/bytes.pb.gz
strings=$golden/strings/strings.pb.gz
heap=$golden/json-heap/json-heap.pb.gz

# ---- merge parity ----
for dir in "$golden"/merged-*/; do
  name=$(basename "$dir")
  inputs=()
  while IFS= read -r line; do
    case $line in ../*) inputs+=("$dir$line") ;; esac
  done <"$dir/inputs.txt"
  [ "${#inputs[@]}" -ge 2 ] || { fail "$name: inputs.txt lists ${#inputs[@]} inputs"; continue; }
  for t in 0.1 0.5 0.9 1.0; do
    for cmd in stat json dump; do
      same_output "$cmd" -threshold "$t" "${inputs[@]}" -- "$cmd" -threshold "$t" "$dir/$name.pb.gz"
    done
  done
  same_output top -n 50 "${inputs[@]}" -- top -n 50 "$dir/$name.pb.gz"
done

# A merge of one profile with itself: every value doubled, levels kept.
run dump "$cpu" "$cpu"
awk -F'\t' '$1 == "P" { print $2, $3 / 2, $4 / 2, $5, $6 }' "$work/out" >"$work/twice"
run dump "$cpu"
awk -F'\t' '$1 == "P" { print $2, $3, $4, $5, $6 }' "$work/out" >"$work/once"
if cmp -s "$work/twice" "$work/once"; then ok; else fail "dump P P is not dump P doubled"; fi

# ---- globs ----
mkdir -p "$work/in" "$work/in[x]"
cp "$bytes" "$work/in/a-bytes.pb.gz"
cp "$strings" "$work/in/b-strings.pb.gz"
same_output stat "$work/in/*.pb.gz" -- stat "$golden/merged-bytes-strings/merged-bytes-strings.pb.gz"
same_output json "$work/in/?-*.pb.gz" -- json "$bytes" "$strings"
expect 1 "^heatls: $work/in/\\*\\.pprof: no file matches$" stat "$work/in/*.pprof"
# A file whose name has a pattern character is itself, not a pattern.
cp "$cpu" "$work/in[x]/p[1].pb.gz"
same_output stat "$work/in[x]/p[1].pb.gz" -- stat "$cpu"

# ---- errors ----
"$variants" --same --unit nanoseconds=count "$cpu" "$work/count" 1 ||
  fail "profile_variants failed"
"$variants" --same --unit nanoseconds=microseconds "$cpu" "$work/micro" 1 ||
  fail "profile_variants failed"
expect 1 "^heatls: $heap: no sample type \"cpu\" in the profile" stat "$cpu" "$heap"
expect 1 "^heatls: $cpu: no sample type \"alloc_space\"" stat --sample-type alloc_space "$heap" "$cpu"
expect 1 "^heatls: $work/count1.pb.gz: sample type cpu is in count" stat "$cpu" "$work/count1.pb.gz"
expect 1 "^heatls: $work/missing.pb.gz: No such file or directory$" \
  stat "$cpu" "$bytes" "$work/missing.pb.gz" "$strings" "$cpu"
expect 1 "^heatls: $work/in: is a directory$" \
  json "$cpu" "$bytes" "$strings" "$work/in" "$cpu"
expect 1 "^heatls: $heap: no sample type \"cpu\"" stat "$cpu" -base "$heap"
expect 1 "^heatls: $cpu: no sample type \"alloc_space\"" stat --sample-type alloc_space "$heap" -base "$cpu"
expect 2 "-normalize needs -base" stat -normalize "$cpu"
expect 2 "-improvements needs -base" top -improvements "$cpu"
expect 2 "flag provided but not defined: -improvements" stat -improvements "$cpu" -base "$cpu"
expect 2 "expected at least 1 profile, got none" stat -base "$cpu"
# Time units convert: the copy's nanoseconds, read as microseconds, weigh
# 1000 times more, so the merge (in nanoseconds) is 1001 times the profile.
run dump "$cpu" "$work/micro1.pb.gz"
awk -F'\t' '$1 == "P" { print $2, $3, $4, $5, $6 }' "$work/out" >"$work/got"
run dump "$cpu"
awk -F'\t' '$1 == "P" { printf "%s %.0f %.0f %s %s\n", $2, $3 * 1001, $4 * 1001, $5, $6 }' "$work/out" >"$work/want"
if cmp -s "$work/got" "$work/want"; then ok; else fail "ns + us merge: $(diff "$work/got" "$work/want" | head -3)"; fi

# ---- diffs: shape of the outputs ----
run dump "$cpu" -base "$cpu"
if awk -F'\t' '$1 == "P" && ($7 != 0 || $8 != 0 || $9 != 0 || $10 != 0) { bad = 1 } END { exit bad }' "$work/out" &&
   head -n 1 "$work/out" | grep -q "diff regressions=0 improvements=0$"; then ok; else fail "dump P -base P: a change or a level"; fi
run json "$cpu" -base "$cpu"
if [ "$(cat "$work/out")" = "$(printf '{\n\t"files": [\n\t]\n}')" ]; then ok; else fail "json P -base P is not empty"; fi
expect 0 "the 0 largest regressions of 0" top "$cpu" -base "$cpu"
expect 0 "^net change: +\\+0\\.00s \\(\\+0\\.00% of the base\\)$" info "$cpu" -base "$cpu"
expect 0 "^base total: +[0-9.]+s \\(normalized from [0-9.]+s, x" info "$bytes" -base "$strings" -normalize
expect 0 "largest improvements of" top -improvements "$bytes" -base "$strings"

# The formats of docs/cli.md, on bytes against strings.
run stat -filename 'bytes_test\.go$' "$bytes" -base "$strings"
if grep -qxE '    line  548:   0\.00s flat  17\.03s cum, base   0\.00s flat   0\.00s cum, delta  \+0\.00s flat \+17\.03s cum \(new\) L=5 G=5' "$work/out"; then ok; else fail "stat diff: no new line 548"; fi
run stat -filename 'strings/strings\.go$' "$bytes" -base "$strings"
if grep -qE ' cum, delta  \+0\.00s flat  -[0-9.]+s cum \(gone\) L=-[1-5] G=-?[0-5]$' "$work/out"; then ok; else fail "stat diff: no gone line"; fi
run dump "$bytes" -base "$strings"
if awk -F'\t' '$1 == "P" && (NF != 10 || $8 != $4 - $6 || $9 < -5 || $9 > 5) { bad = 1 }
                $1 == "F" && $NF !~ /^minG=/ { bad = 1 } END { exit bad }' "$work/out"; then ok; else fail "dump diff: bad P or F line"; fi
run json "$bytes" -base "$strings"
if grep -E '^\t\t\t\t\[' "$work/out" | grep -qvE '^\t\t\t\t\[[0-9]+, -?[0-5], -?[0-5], -?[0-9]+, [0-9]+, [0-9]+\],?$'; then
  fail "json diff: a row is not [line, L, G, delta, new, base]"
else ok; fi
expect 0 '^ +1 +-5 +-5 +-[0-9.]+s +-[0-9.]+% +gone ' top -n 1 -improvements "$bytes" -base "$strings"

# ---- diffs against pprof ----
pprof_ok=0
if [ -n "$go" ] && [ -x "$go" ]; then
  export HOME=${HOME:-$work} GOCACHE=$work/gocache GOFLAGS=-mod=mod
  if "$go" tool pprof -top "$cpu" >/dev/null 2>&1; then pprof_ok=1; fi
fi
if [ "$pprof_ok" = 0 ]; then
  if [ "${CI:-}" = true ]; then
    fail "go tool pprof is not available (tools/deps.sh installs golang-1.19-go)"
  else
    echo "compare_test: go tool pprof not available; the pprof checks are skipped"
  fi
else
  pprof() { "$go" tool pprof -symbolize=none "$@" 2>/dev/null; }

  # pprof's flat by file:line, in microseconds, for frames heatls keys
  # (a Go package: a dot after the last slash of the name).
  pprof_flat() {
    awk 'started && NF >= 7 {
           where = $NF; if (where ~ /^\(/) where = $(NF - 1)
           name = $6; sub(/.*\//, "", name)
           if (name !~ /\./) next
           v = $1; sub(/ns$/, "", v); flat[where] += v / 1000
         }
         /^ *flat  flat%/ { started = 1 }
         END { for (k in flat) printf "%s %.3f\n", k, flat[k] }'
  }
  # heatls's flat deltas by file:line, in microseconds.
  heatls_flat() {
    awk -F'\t' '$1 == "F" { path = $6; gsub(/^"|"$/, "", path) }
                $1 == "P" { flat[path ":" $2] += $7 }
                END { for (k in flat) printf "%s %.3f\n", k, flat[k] }'
  }
  # compare WHAT SCALE TOLERANCE: $work/h (heatls) times SCALE against
  # $work/p (pprof), every file:line of either.
  compare() {
    local what=$1 scale=$2 tol=$3
    local report
    report=$(awk -v scale="$scale" -v tol="$tol" '
      FNR == NR { h[$1] = $2 * scale; next }
      { p[$1] = $2 }
      END {
        for (k in h) keys[k] = 1
        for (k in p) keys[k] = 1
        for (k in keys) {
          d = h[k] - p[k]; if (d < 0) d = -d
          if (h[k] != 0 || p[k] != 0) n++
          if (d > tol) { bad++; if (bad <= 3) printf "%s heatls %.3f pprof %.3f; ", k, h[k], p[k] }
        }
        printf "%d lines compared, %d differ\n", n, bad
      }' "$work/h" "$work/p")
    case $report in
      *" 0 differ") case $report in "0 lines"*) fail "$what: nothing compared";; *) ok;; esac ;;
      *) fail "$what: $report" ;;
    esac
  }
  total_ns() { pprof -top -unit=ns "$@" | sed -n 's/.*Total samples = \([0-9]*\)ns.*/\1/p'; }
  top_lines=(-top -lines -nodecount=1000000 -nodefraction=0 -edgefraction=0 -unit=ns)

  pairs=("$strings $bytes" "$golden/sort/sort.pb.gz $cpu" "$golden/json/json.pb.gz $golden/fmt/fmt.pb.gz"
         "$cpu $cpu" "$golden/big/big.pb.gz $golden/flate/flate.pb.gz")
  for pair in "${pairs[@]}"; do
    read -r base new <<<"$pair"
    "$heatls" dump "$new" -base "$base" | heatls_flat >"$work/h"
    pprof "${top_lines[@]}" -diff_base "$base" "$new" | pprof_flat >"$work/p"
    if [ "$base" = "$new" ]; then
      # Nothing changes: no line may have a delta on either side.
      if awk '$2 != 0 { bad = 1 } END { exit bad }' "$work/h" "$work/p"; then ok; else fail "self diff $new: a delta"; fi
      continue
    fi
    compare "diff $(basename "$base") -> $(basename "$new")" 1 0.0005
    # -normalize: pprof scales the new side by base/new, heatls the base by
    # new/base; per-sample and per-point rounding differ by a few ns, and
    # the dump's truncation to microseconds is multiplied by base/new.
    "$heatls" dump "$new" -base "$base" -normalize | heatls_flat >"$work/h"
    pprof "${top_lines[@]}" -normalize -diff_base "$base" "$new" | pprof_flat >"$work/p"
    tb=$(total_ns "$base")
    tn=$(total_ns "$new")
    scale=$(awk -v b="$tb" -v n="$tn" 'BEGIN { printf "%.17g", b / n }')
    compare "diff -normalize $(basename "$base") -> $(basename "$new")" "$scale" \
      "$(awk -v s="$scale" 'BEGIN { printf "%.6f", 2 * (s > 1 ? s : 1) + 3 }')"
  done

  # Merged sides: pprof takes one base, so the bases are merged by pprof
  # first; the new side is merged by both.
  pprof -proto "$golden/sort/sort.pb.gz" "$cpu" >"$work/base.pb.gz"
  "$heatls" dump "$bytes" "$strings" -base "$golden/sort/sort.pb.gz" -base "$cpu" | heatls_flat >"$work/h"
  pprof "${top_lines[@]}" -diff_base "$work/base.pb.gz" "$bytes" "$strings" | pprof_flat >"$work/p"
  compare "diff bytes+strings -> sort+utf8" 1 0.0005
fi

finish compare_test
