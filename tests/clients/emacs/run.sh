#!/usr/bin/env bash
# Runs one Emacs Lisp test script of editors/emacs in a real Emacs, in batch:
#   run.sh EMACS MAJOR SCRIPT HEATLS_BINARY REPO
# EMACS is a command on PATH or a path; MAJOR the Emacs major version it must
# be (28 for Debian 12's emacs-nox + elpa-eglot, 30 for the one that
# tools/deps-emacs.sh unpacks from bookworm-backports). When that Emacs is
# missing, or is another version, the test is skipped (exit 77), except under
# CI=true, where that is a failure. The scratch folder is a fresh one under
# $TMPDIR (outside any repository, so that project.el sees no project), removed
# afterwards. Prints the Emacs version and the wall time.
set -uo pipefail
emacs=$1 major=$2 script=$3 heatls=$4 repo=$5

missing() {
  case "${CI:-}" in
  true | TRUE | True | 1)
    echo "FAIL: $1 and CI=true (run tools/deps-emacs.sh)" >&2
    exit 1
    ;;
  esac
  echo "SKIP: $1 (tools/deps-emacs.sh installs it)"
  exit 77
}

resolved=$(command -v "$emacs") || missing "$emacs is not installed"
version=$("$resolved" --batch -Q --eval '(princ emacs-version)' 2>/dev/null) \
  || missing "$resolved does not run"
[ "${version%%.*}" = "$major" ] || missing "$resolved is Emacs $version, not $major"
[ -x "$heatls" ] || { echo "FAIL: no heatls binary at $heatls" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/heatls-emacs$major.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
export HEATLS_BIN=$heatls HEATLS_TESTDATA=$repo/testdata \
       HEATLS_EMACS_DIR=$repo/editors/emacs HEATLS_TMP=$scratch
export HOME=$scratch/home # no ~/.emacs.d of the user's, no eln-cache there
mkdir -p "$HOME"
start=$(date +%s%N)
timeout -k 5 150 "$resolved" --batch -Q -l "$script" </dev/null
rc=$?
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf '%s (Emacs %s): %s exit %d in %d.%03d s\n' "$resolved" "$version" \
  "$(basename "$script")" "$rc" $((ms / 1000)) $((ms % 1000))
[ "$rc" -eq 124 ] && echo "FAIL: Emacs did not exit within 150 s" >&2
exit "$rc"
