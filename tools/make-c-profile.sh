#!/usr/bin/env bash
# Records the CPU profile of testdata/programs/cwords again:
#   testdata/programs/cwords/cpu.pb.gz   about 3 s of work, pprof's profile.proto
#
# The C program is built (gcc -O1 -fno-inline -g: one function per frame) and run from a copy of its source at
# /home/ci/work/cwords (override with CWORDS_BUILD_DIR), a path unlike the
# repository's, so that heatls has to map the profile's file names onto the
# checkout. gperftools' CPU profiler records it (CPUPROFILE), and Go's pprof
# turns that into profile.proto with file names and lines from the binary's
# debug information.
#
# Needs gcc, gperftools (Debian: apt-get install libgoogle-perftools-dev) and
# Go 1.19 (apt-get install golang-1.19-go); installs nothing. Not run by CI:
# the profile is committed; its samples differ a little from run to run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/testdata/programs/cwords"
dest=${CWORDS_BUILD_DIR:-/home/ci/work/cwords}
seconds=${CWORDS_SECONDS:-3}
go=${GO:-$(command -v go || echo /usr/lib/go-1.19/bin/go)}
[ -x "$go" ] || { echo "make-c-profile: no go found (apt-get install golang-1.19-go)" >&2; exit 1; }

mkdir -p "$dest"
cp "$src/cwords.c" "$dest/"
cd "$dest"
gcc -std=c11 -O1 -fno-inline -g -o cwords cwords.c -Wl,--no-as-needed -lprofiler
CPUPROFILE="$dest/cpu.prof" CPUPROFILE_FREQUENCY=1000 ./cwords "$seconds"
"$go" tool pprof -proto ./cwords cpu.prof >"$src/cpu.pb.gz"
echo "make-c-profile: wrote $src/cpu.pb.gz"
