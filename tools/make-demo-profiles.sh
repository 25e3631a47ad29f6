#!/usr/bin/env bash
# Records the demo profiles of testdata/programs/wordfreq again:
#   testdata/programs/wordfreq/cpu.pb.gz   CPU profile, about 3 s of work
#   testdata/programs/wordfreq/heap.pb.gz  heap profile, MemProfileRate = 1
#
# The program is built and run from a copy of its sources at
# /home/ci/work/wordfreq (override with WORDFREQ_BUILD_DIR), a path unlike the
# repository's, so that the file names inside the profiles look like those of
# a CI machine and editor tests have to map them onto the checkout.
#
# Needs Go 1.19 (Debian: apt-get install golang-1.19-go); installs nothing.
# Uses only the standard library, so no network is needed. Set GO to choose the
# go binary. Not run by CI: the profiles are committed; the samples differ a
# little from run to run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/testdata/programs/wordfreq"
dest=${WORDFREQ_BUILD_DIR:-/home/ci/work/wordfreq}
cpu_seconds=${WORDFREQ_CPU_SECONDS:-3}
heap_seconds=${WORDFREQ_HEAP_SECONDS:-1}

go=${GO:-}
if [ -z "$go" ]; then
  if command -v go >/dev/null 2>&1; then
    go=$(command -v go)
  elif [ -x /usr/lib/go-1.19/bin/go ]; then
    go=/usr/lib/go-1.19/bin/go
  else
    echo "make-demo-profiles: no go found; install Go 1.19, e.g. apt-get install golang-1.19-go," >&2
    echo "or set GO to the go binary" >&2
    exit 1
  fi
fi
version=$("$go" env GOVERSION)
case $version in
  go1.19*) ;;
  *) echo "make-demo-profiles: warning: $go is $version; the committed profiles were made with go1.19" >&2 ;;
esac
echo "== $version ($go)"

# A fresh copy of the sources and a module made with go mod init, as on CI.
mkdir -p "$dest"
rm -f "$dest"/*.go "$dest/go.mod" "$dest/wordfreq"
cp "$src"/*.go "$dest/"
export GOFLAGS= GOPROXY=off GO111MODULE=on
(cd "$dest" && "$go" mod init example.com/wordfreq 2>/dev/null && "$go" build -o wordfreq .)
if ! cmp -s "$dest/go.mod" "$src/go.mod"; then
  echo "make-demo-profiles: warning: go.mod made by go mod init differs from $src/go.mod:" >&2
  diff "$src/go.mod" "$dest/go.mod" >&2 || true
fi

echo "== CPU profile (${cpu_seconds}s)"
(cd "$dest" && ./wordfreq -seconds "$cpu_seconds" -cpuprofile "$dest/cpu.pb.gz" >/dev/null)
echo "== heap profile (${heap_seconds}s)"
(cd "$dest" && ./wordfreq -seconds "$heap_seconds" -memprofile "$dest/heap.pb.gz" >/dev/null)

# The profiles must name the copy's files, not the repository's.
for p in cpu heap; do
  if ! "$go" tool pprof -list 'main\.' "$dest/$p.pb.gz" 2>/dev/null |
      grep -q "in $dest/tokenize.go"; then
    echo "make-demo-profiles: $p.pb.gz does not name $dest/tokenize.go" >&2
    exit 1
  fi
done

cp "$dest/cpu.pb.gz" "$dest/heap.pb.gz" "$src/"
for p in cpu heap; do
  printf '%s.pb.gz: %s bytes\n' "$p" "$(wc -c <"$src/$p.pb.gz")"
done
echo "== top of the CPU profile"
"$go" tool pprof -top -nodecount=12 "$src/cpu.pb.gz" 2>/dev/null
