# shellcheck shell=bash disable=SC2154
# checks.sh: what the command-line test scripts share; sourced (bash) once
# heatls is set. Gives work (a temporary folder, removed at exit), the
# counts passed and failed, and ok, fail, run, expect, same_output and
# finish. A script that sets its own EXIT trap removes work itself.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() {
  echo "FAIL: $*" >&2
  failed=$((failed + 1))
}

# run ARGS...: runs heatls (60 s at most), leaving $work/out, $work/err and
# $status.
run() {
  timeout 60 "$heatls" "$@" >"$work/out" 2>"$work/err"
  status=$?
}

# expect STATUS PATTERN ARGS...: heatls's exit status; for an error, exactly
# one line on stderr; and PATTERN (grep -E; case-insensitive when
# expect_case is -i) found in stdout or stderr. An empty PATTERN matches.
expect_case=
expect() {
  local want=$1 pattern=$2
  shift 2
  run "$@"
  if [ "$status" -ne "$want" ]; then
    fail "heatls $*: exit $status, want $want; stderr: $(head -c 400 "$work/err")"
    return
  fi
  if [ "$want" -ne 0 ] && [ "$(wc -l <"$work/err")" -ne 1 ]; then
    fail "heatls $*: want one line on stderr: $(head -c 400 "$work/err")"
    return
  fi
  if [ -n "$pattern" ] &&
    ! grep -qE $expect_case -- "$pattern" "$work/err" "$work/out"; then
    fail "heatls $*: no /$pattern/ in: $(cat "$work/err" "$work/out" | head -c 400)"
    return
  fi
  ok
}

# same_output ARGS1 -- ARGS2: both succeed with equal stdout.
same_output() {
  local a=() b=()
  while [ "$1" != "--" ]; do a+=("$1"); shift; done
  shift
  b=("$@")
  "$heatls" "${a[@]}" >"$work/a" 2>"$work/a.err" || { fail "heatls ${a[*]} failed: $(head -c 300 "$work/a.err")"; return; }
  "$heatls" "${b[@]}" >"$work/b" 2>"$work/b.err" || { fail "heatls ${b[*]} failed: $(head -c 300 "$work/b.err")"; return; }
  if cmp -s "$work/a" "$work/b"; then ok; else fail "heatls ${a[*]} != heatls ${b[*]}"; fi
}

# finish [NAME]: prints the counts; the script's status is 1 on any failure.
finish() {
  echo "${1:+$1: }$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
