# shellcheck shell=bash disable=SC2154
# net_lib.sh: what the net CLI tests share; sourced (bash) once heatls and
# svc (the stand-in service's binary) are set. svc_args, when set, go
# before each start's own arguments. Gives work (a temporary folder removed
# at exit, with every service started stopped), start, and what
# tests/support/checks.sh gives (ok, fail, run, expect, finish).
# shellcheck source=../support/checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

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
