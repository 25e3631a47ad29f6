#!/usr/bin/env bash
# Builds a Go program of testdata/programs (pprofsvc, pyroscopesvc) with
# Go, offline, caches in the build tree.
# Usage: build_pprofsvc.sh GO SOURCE_DIR BUILD_DIR [NAME (default pprofsvc)]
set -euo pipefail
go=$1
src=$2
out=$3
name=${4:-pprofsvc}
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
export GOCACHE="$out/go-cache" GOPATH="$out/go-path"
cd "$src"
"$go" build -o "$out/$name" .
