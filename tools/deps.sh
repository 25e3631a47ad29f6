#!/usr/bin/env bash
# Installs what heatls needs to build and test on Debian 12 (run as root).
# Does nothing when everything is there already, so that it is cheap to run
# before every build.
set -euo pipefail

# Build: the compiler, CMake, the six libraries (libcurl for profiles
# fetched from URLs; ISA-L, libisal-dev, for the index's streaming gzip
# inflate, about twice as fast as zlib's, which the tests still use to
# write and read gzip) and tree-sitter's runtime (libtree-sitter-dev; the
# grammars come from tools/deps-grammars.sh). Tests: Node.js and npm (the
# LSP transcript and client tests), Go's standard-library sources (real
# files for the client and search tests to open) and Go itself (the pprof
# service the net tests capture from, and `go tool pprof`, the oracle of
# the diff tests in tests/cli/compare_test.sh), curl (the net tests read
# what the Pyroscope stand-in received), valgrind, clang-format (the format
# test; Debian 12's is version 14, which .clang-format is written for).
packages=(cmake make gcc pkg-config libuv1-dev libjansson-dev
          libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libisal-dev
          libcurl4-openssl-dev libtree-sitter-dev golang-1.19-src
          golang-1.19-go curl valgrind clang-format)
# A Node.js from elsewhere (with its own npm) counts: Debian's npm package
# would conflict with it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "heatls: missing packages: ${missing[*]} (run this script as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
