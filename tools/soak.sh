#!/usr/bin/env bash
# tools/soak.sh: the soak and load test of the heatls language server
# (tools/soak.mjs): 1,000 open documents, 100,000 mixed operations with up to
# 32 requests in flight, 200 profile reloads (corrupt ones included),
# rewrites of the watched profile and cancellations, over stdio. It checks
# that heatls never dies, answers every request once and validly, keeps the
# last good profile after a failed load, and that its RSS (middle -> end)
# grows less than 5% and its open fds (after the warm-up -> end) do not
# change. Not part of ctest; it takes about 15 to 25 seconds on 2 cores
# (Release), about as long with --asan.
#
# Builds heatls first when needed (an incremental `cmake --build` of the
# heatls target): Release in <repo>/build-soak, or with --asan ASan + UBSan
# (RelWithDebInfo, -DHEATLS_SANITIZE=ON) in <repo>/build-soak-asan, where
# LeakSanitizer also checks for leaks at exit (a leak fails "no crash").
#
# Usage: tools/soak.sh [--asan] [--no-build] [--malloc-stats] [SOAK FLAGS...]
#   --asan          run the ASan build (REQUESTS defaults to 20000 there,
#                   and the RSS goal is only printed: an ASan process's RSS
#                   is mostly its quarantine and shadow memory)
#   --no-build      use the build tree as it is
#   --malloc-stats  (Release only) preload a small library, built into the
#                   build tree, that prints glibc's mallinfo2() every second,
#                   so that the report tells allocator retention (heap grows,
#                   memory in use does not) from a leak (in use grows)
#   SOAK FLAGS      passed to tools/soak.mjs: --requests N, --docs N,
#                   --reloads N, --time-cap SECONDS, --concurrency N,
#                   --seed N, --keep, --quiet, --heatls PATH
# Environment:
#   BUILD_DIR       the build tree (default build-soak, or build-soak-asan)
#   REQUESTS (100000), DOCS (1000), RELOADS (200), TIME_CAP (600 seconds),
#   CONCURRENCY (32), SEED (1), KEEP=1, HANG_SECONDS (60; 180 with --asan),
#   SOAK_RSS_ADVISORY (1 with --asan)
# Exit status: 0 when every goal is met, 1 when one is not (or the build
# failed), 2 on a usage error.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

asan=0
build_it=1
mstats=0
args=()
for arg in "$@"; do
  case $arg in
    --asan) asan=1 ;;
    --no-build) build_it=0 ;;
    --malloc-stats) mstats=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done
if [ "$asan" = 1 ] && [ "$mstats" = 1 ]; then
  echo "soak.sh: --malloc-stats measures glibc's allocator; ASan has its own" >&2
  exit 2
fi
if ! command -v node >/dev/null; then
  echo "soak.sh: needs Node.js 20 or later (node not found)" >&2
  exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "soak.sh: needs Node.js 20 or later (found $(node --version))" >&2
  exit 1
fi

if [ "$asan" = 1 ]; then
  build=${BUILD_DIR:-$root/build-soak-asan}
  config=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEATLS_SANITIZE=ON)
  export REQUESTS=${REQUESTS:-20000}
  export HANG_SECONDS=${HANG_SECONDS:-180}
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
  export SOAK_RSS_ADVISORY=${SOAK_RSS_ADVISORY:-1}
else
  build=${BUILD_DIR:-$root/build-soak}
  config=(-DCMAKE_BUILD_TYPE=Release)
fi

if [ "$build_it" = 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" "${config[@]}" >/dev/null
  fi
  if ! cmake --build "$build" -j"$(nproc)" --target heatls >"$build/soak-build.log" 2>&1; then
    cat "$build/soak-build.log" >&2
    exit 1
  fi
fi
heatls=$build/server/heatls
if [ ! -x "$heatls" ]; then
  echo "soak.sh: no heatls at $heatls (run without --no-build)" >&2
  exit 1
fi

if [ "$mstats" = 1 ]; then
  cat >"$build/soak-mstat.c" <<'EOF'
/* Preloaded into heatls by tools/soak.sh --malloc-stats: a thread that
 * prints glibc's allocator totals on stderr every second. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *report(void *arg) {
  (void)arg;
  for (;;) {
    sleep(1);
    struct mallinfo2 m = mallinfo2();
    fprintf(stderr, "MSTAT inuse=%zu free=%zu arena=%zu mmap=%zu\n",
            m.uordblks, m.fordblks, m.arena, m.hblkhd);
  }
  return NULL;
}

__attribute__((constructor)) static void start(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, report, NULL) == 0)
    pthread_detach(t);
}
EOF
  ${CC:-cc} -shared -fPIC -O2 -o "$build/soak-mstat.so" "$build/soak-mstat.c" -lpthread
  export SOAK_PRELOAD=$build/soak-mstat.so
fi

exec node "$root/tools/soak.mjs" --heatls "$heatls" "${args[@]}"
