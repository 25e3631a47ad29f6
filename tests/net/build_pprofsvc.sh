#!/usr/bin/env bash
# Builds testdata/programs/pprofsvc with Go, offline, caches in the build
# tree. Usage: build_pprofsvc.sh GO SOURCE_DIR BUILD_DIR
set -euo pipefail
go=$1
src=$2
out=$3
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
export GOCACHE="$out/go-cache" GOPATH="$out/go-path"
cd "$src"
"$go" build -o "$out/pprofsvc" .
