#!/usr/bin/env bash
# Runs test_heatls.lua (or TEST, another test file here) in one Neovim,
# headless:
#   run.sh NVIM HEATLS_BINARY REPO SCRATCH_DIR [TEST]
# NVIM is a command on PATH or a path. When it is missing the test is skipped
# (exit 77), except under CI=true, where that is a failure. Prints the
# Neovim version and the wall time.
set -uo pipefail
nvim=$1 heatls=$2 repo=$3 scratch=$4 test=${5:-test_heatls.lua}
here=$(cd "$(dirname "$0")" && pwd)

if ! resolved=$(command -v "$nvim"); then
  case "${CI:-}" in
  true | TRUE | True | 1)
    echo "FAIL: $nvim is not installed and CI=true (run tools/deps-neovim.sh)" >&2
    exit 1
    ;;
  esac
  echo "SKIP: $nvim is not installed (tools/deps-neovim.sh installs it)"
  exit 77
fi
[ -x "$heatls" ] || { echo "FAIL: no heatls binary at $heatls" >&2; exit 1; }

rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
export HEATLS_BIN=$heatls HEATLS_TESTDATA=$repo/testdata HEATLS_TMP=$scratch
start=$(date +%s%N)
# stdin from /dev/null: Neovim reads a non-terminal stdin as text.
timeout -k 5 120 "$resolved" --headless -u NONE -i NONE -n \
  --cmd "set rtp^=$repo/editors/neovim" -c "luafile $here/$test" </dev/null
rc=$?
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf '%s: exit %d in %d.%03d s\n' "$resolved" "$rc" $((ms / 1000)) $((ms % 1000))
[ "$rc" -eq 124 ] && echo "FAIL: Neovim did not exit within 120 s" >&2
exit "$rc"
