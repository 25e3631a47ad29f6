#!/usr/bin/env bash
# The heatls command line as a user meets it: every subcommand, the flag
# forms, and each kind of bad input with its exit status and its one-line
# message. Usage: cli_test.sh HEATLS TESTDATA_DIR
set -uo pipefail
heatls=$1
data=$2
# shellcheck source=../support/checks.sh
. "$(dirname "$0")/../support/checks.sh"
expect_case=-i

# equals_file FILE ARGS...: heatls succeeds and prints exactly FILE.
equals_file() {
  local file=$1
  shift
  if "$heatls" "$@" >"$work/out" 2>"$work/err" && cmp -s "$work/out" "$file"; then
    ok
  else
    fail "heatls $* does not print $file"
  fi
}

cpu=$data/golden/utf8/utf8.pb.gz
heap=$data/golden/json-heap/json-heap.pb.gz
golden=$data/golden/utf8

# ---- commands, help, version
# No arguments: the language server; with stdin at its end at once and no
# shutdown request, it exits 1 and prints nothing on stdout.
run </dev/null
[ "$status" -eq 1 ] && [ ! -s "$work/out" ] && ok || fail "no arguments: language server"
run --stdio --log-level=bogus </dev/null
[ "$status" -eq 2 ] && grep -q "bad argument" "$work/err" && ok || fail "bad --log-level"
run --max-message 0 </dev/null
[ "$status" -eq 2 ] && ok || fail "bad --max-message"
run --help; [ "$status" -eq 0 ] && grep -q "usage: heatls" "$work/out" && ok || fail "--help"
run --version; [ "$status" -eq 0 ] && grep -qE "^heatls [0-9]+\.[0-9]+\.[0-9]+$" "$work/out" && ok || fail "--version"
expect 2 "unknown command" nosuch "$cpu"
for cmd in stat json dump top info; do
  run "$cmd" --help
  [ "$status" -eq 0 ] && grep -q "usage: heatls $cmd" "$work/out" && ok || fail "$cmd --help"
done

# ---- usage errors: exit 2, one line
expect 2 "expected at least 1 profile" json
expect 0 "" json "$cpu" "$cpu"
expect 2 "must be in \(0, 1\]" json -threshold 1.5 "$cpu"
expect 2 "must be in \(0, 1\]" json -threshold -1 "$cpu"
expect 2 "not a number" json -threshold abc "$cpu"
expect 2 "not a number" json -threshold nan "$cpu"
expect 2 "unexpected value format" json -value-format cpu/seconds "$cpu"
expect 2 "not defined: -filename" json -filename x "$cpu"
expect 2 "not defined: -value-format" stat -value-format raw "$cpu"
expect 2 "not defined: --bogus" stat --bogus "$cpu"
expect 2 "needs an argument" stat "$cpu" -threshold
expect 2 "function or file" stat --local-scope module "$cpu"
expect 2 "auto, go or raw" stat --symbols c "$cpu"
expect 2 "not a size" stat --max-size 12Q "$cpu"
expect 2 "positive number" top -n 0 "$cpu"

# ---- the reference's outputs, through every flag form
equals_file "$golden/json.t0.5.json" json "$cpu"
equals_file "$golden/json.t0.1.json" json -threshold 0.1 "$cpu"
equals_file "$golden/json.t0.1.json" json "$cpu" -threshold 0.1
equals_file "$golden/json.t0.1.json" json -threshold=0.1 "$cpu"
equals_file "$golden/json.t0.1.json" json --threshold 0.1 "$cpu"
equals_file "$golden/json.t0.1.json" json --threshold=0.1 -- "$cpu"
equals_file "$golden/json.t0.5.json" json -threshold 0 "$cpu"
equals_file "$golden/dump.t0.9.tsv" dump -threshold 0.9 "$cpu"
same_output stat "$cpu" -- stat -filename '.*' "$cpu"

# -filename keeps exactly the functions of matching files.
run stat -threshold 1 -filename 'utf8/utf8\.go$' "$cpu"
if [ "$status" -eq 0 ] && [ "$(grep -c '^  func' "$work/out")" -gt 0 ] &&
   ! grep '^  func' "$work/out" | grep -v 'unicode/utf8/utf8.go):$' | grep -q .; then
  ok
else
  fail "stat -filename did not keep exactly utf8.go"
fi
expect 1 "compile -filename regexp" stat -filename '(' "$cpu"

# ---- top: the first row is the point with the largest cum in the dump
run top -n 3 "$cpu"
rows=$(grep -cE '^ +[0-9]+  [0-5]  [0-5]' "$work/out")
[ "$status" -eq 0 ] && [ "$rows" -eq 3 ] && ok || fail "top -n 3 printed $rows rows"
best=$(grep '^P' "$golden/dump.t0.5.tsv" | sort -t$'\t' -k4,4nr | head -1 | cut -f4)
first=$(grep -E '^ +1  ' "$work/out" | awk '{print $5}')
want=$(awk -v us="$best" 'BEGIN { printf "%.2fs", us / 1e6 }')
[ "$first" = "$want" ] && ok || fail "top first cum $first, want $want"

# ---- other sample types
run info "$heap"
[ "$status" -eq 0 ] && grep -q "inuse_space/bytes" "$work/out" && ok || fail "info heap"
expect 1 "needs a time sample type" json -value-format cpu/microseconds "$heap"
expect 1 'no sample type "nosuch".*alloc_objects' json --sample-type nosuch "$heap"
for t in alloc_objects alloc_space inuse_objects inuse_space/bytes; do
  run info --sample-type "$t" "$heap"
  [ "$status" -eq 0 ] && grep -q "${t%%/*}/[a-z]* (used)" "$work/out" && ok ||
    fail "--sample-type $t"
done

# ---- bad profiles: exit 1, one line naming the file
expect 1 "$work/missing.pb.gz: No such file" json "$work/missing.pb.gz"
mkdir "$work/dir"
expect 1 "dir: is a directory" json "$work/dir"
: >"$work/empty.pb.gz"
expect 1 "empty" json "$work/empty.pb.gz"
size=$(stat -c %s "$cpu")
head -c $((size / 2)) "$cpu" >"$work/truncated.pb.gz"
expect 1 "truncated gzip" json "$work/truncated.pb.gz"
cp "$cpu" "$work/badcrc.pb.gz"
# The CRC-32 is the 4 bytes before the 4-byte size at the end.
printf '\x00\x00\x00\x00' | dd of="$work/badcrc.pb.gz" bs=1 seek=$((size - 8)) conv=notrunc status=none
expect 1 "check" json "$work/badcrc.pb.gz"
awk 'BEGIN { srand(7); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 255) + 1 }' \
  >"$work/random.bin"
expect 1 "protobuf|profile|sample" json "$work/random.bin"
# A bomb that stays valid protobuf to the end: 8 MiB of fields heatls skips
# (mappings, field 3, of 1000 bytes each).
{ printf '\x1a\xe8\x07'; head -c 1000 /dev/zero; } >"$work/field"
for _ in $(seq 13); do cat "$work/field" "$work/field" >"$work/field2"; mv "$work/field2" "$work/field"; done
gzip -1 <"$work/field" >"$work/bomb.gz"
expect 1 "over the limit of 1048576 bytes" json --max-size 1M "$work/bomb.gz"
expect 1 "no sample type" json "$work/bomb.gz"
head -c $((8 << 20)) /dev/zero | gzip -1 >"$work/zeros.gz"
expect 1 "protobuf" json "$work/zeros.gz"

# ---- output that cannot be written
if [ -w /dev/full ]; then
  "$heatls" json "$cpu" >/dev/full 2>"$work/err"
  [ $? -eq 1 ] && grep -q "cannot write" "$work/err" && ok || fail "write to /dev/full"
fi

finish
