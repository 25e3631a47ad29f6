# shellcheck shell=bash disable=SC2154
# net_lib.sh: what the net CLI tests share; sourced (bash) once heatls and
# svc (the stand-in service's binary) are set. svc_args, when set, go
# before each start's own arguments. Gives work (a temporary folder removed
# at exit, with every service started stopped), the counts passed and
# failed, and pass, fail, start, expect and finish.
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
fail() {
  echo "FAIL: $*" >&2
  failed=$((failed + 1))
}
pass() { passed=$((passed + 1)); }

# start NAME ARGS...: runs the service with ARGS, its port in $port. Its
# stdin is a fifo held open by this script, so it ends with the script.
start() {
  local name=$1
  shift
  mkfifo "$work/$name.in"
  "$svc" -life 170s ${svc_args[@]+"${svc_args[@]}"} "$@" <"$work/$name.in" \
    >"$work/$name.port" 2>"$work/$name.log" &
  pids+=($!)
  exec {fd}>"$work/$name.in"
  for _ in $(seq 100); do
    port=$(awk '/^port /{print $2}' "$work/$name.port")
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "$(basename "$svc") $name did not start: $(cat "$work/$name.log")" >&2
  exit 1
}

# expect STATUS PATTERN ARGS...: heatls's exit status, and stdout (status
# 0) or the one line on stderr (otherwise) matching PATTERN (grep -E).
expect() {
  local want=$1 pattern=$2
  shift 2
  timeout 60 "$heatls" "$@" >"$work/out" 2>"$work/err"
  local status=$?
  local what="heatls $*"
  if [ "$status" -ne "$want" ]; then
    fail "$what: exit $status, want $want; stderr: $(head -c 400 "$work/err")"
    return
  fi
  local file=$work/out
  if [ "$want" -ne 0 ]; then
    file=$work/err
    if [ "$(wc -l <"$work/err")" -ne 1 ]; then
      fail "$what: want one line on stderr: $(head -c 400 "$work/err")"
      return
    fi
  fi
  if ! grep -Eq -- "$pattern" "$file"; then
    fail "$what: no match for /$pattern/ in: $(head -c 400 "$file")"
    return
  fi
  pass
}

# finish: the counts; the script's status is 1 on any failure.
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
