#!/usr/bin/env bash
# Installs the Neovims that the client tests (tests/clients/neovim) run,
# on Debian 12, as root:
#   1. Debian's neovim (0.7.2), with apt-get: the `nvim` on PATH.
#   2. A newer Neovim (0.10, from Debian trixie) unpacked into
#      /opt/heatls-nvim-new without touching the system: its .deb and
#      those of its direct dependencies, libc6 and libgcc-s1 are fetched
#      through a private apt state folder (nothing in /etc/apt changes),
#      unpacked with dpkg-deb -x, and the nvim binary is patched with
#      patchelf to use the unpacked dynamic loader and libraries. No
#      LD_LIBRARY_PATH, which would leak into the language server that
#      Neovim starts. bin/nvim there is a wrapper that sets VIMRUNTIME.
# Each part does nothing when already done, so the script is cheap to run
# before every build.
#
# Options (environment):
#   HEATLS_NVIM_NEW=0          skip part 2
#   HEATLS_NVIM_NEW_DIR=DIR    where part 2 goes (default /opt/heatls-nvim-new,
#                              where tests/clients/neovim looks: CMake cache
#                              variable HEATLS_NVIM_NEW = DIR/bin/nvim)
#   HEATLS_NVIM_SUITE=SUITE    the Debian suite of part 2 (default trixie)
#   HEATLS_NVIM_SID=1          also unpack sid's Neovim (0.12 at the time of
#                              writing) into HEATLS_NVIM_SID_DIR (default
#                              /opt/heatls-nvim-sid). sid is a moving target,
#                              so this is not done by default; the test
#                              client_neovim_sid exists when that Neovim is
#                              there at configure time.
set -euo pipefail

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "heatls: $1 (run this script as root)" >&2
    exit 1
  fi
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

export DEBIAN_FRONTEND=noninteractive
# Another apt-get may be running (other deps scripts): wait for its lock.
apt_lock=(-o DPkg::Lock::Timeout=600)

apt_install() {
  if ! apt-get install -y -qq --no-install-recommends "${apt_lock[@]}" "$@" >/dev/null; then
    apt-get update -qq "${apt_lock[@]}"
    apt-get install -y -qq --no-install-recommends "${apt_lock[@]}" "$@" >/dev/null
  fi
}

# ---------------------------------------------------------------- part 1
if ! installed neovim; then
  need_root "neovim is missing"
  echo "heatls: installing Debian's neovim"
  apt_install neovim
fi

# ---------------------------------------------------------------- part 2
work=
cleanup() {
  [ -z "$work" ] || rm -rf "$work"
}
trap cleanup EXIT

# unpack DIR SUITE: Neovim from Debian SUITE into DIR (see the top).
unpack() {
  local dir=$1 suite=$2
  if [ -x "$dir/bin/nvim" ] && [ "$(cat "$dir/.suite" 2>/dev/null)" = "$suite" ] &&
    "$dir/bin/nvim" --headless -u NONE -i NONE -n +qall! </dev/null >/dev/null 2>&1; then
    return 0
  fi
  need_root "the Neovim of Debian $suite is missing from $dir"
  echo "heatls: unpacking Neovim from Debian $suite into $dir"
  installed patchelf || apt_install patchelf

  # The machine's Debian mirror, from its bookworm entry.
  local mirror
  mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
    /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n 1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}

  work=$(mktemp -d /tmp/heatls-nvim-apt.XXXXXX)
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  # apt downloads as the _apt user.
  chmod 755 "$work"
  chown _apt "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" 2>/dev/null || true
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
    >"$work/sources.list"
  local apt_private=(-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
    -o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "APT::Get::List-Cleanup=0")
  apt-get "${apt_private[@]}" update -qq

  # neovim, its direct dependencies, libc6 and libgcc-s1: the newer
  # libraries it was built against.
  local deps packages
  deps=$(apt-cache "${apt_private[@]}" depends --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances neovim |
    sed -n 's/^ *|\{0,1\}Depends: \([^<][^ ]*\).*/\1/p' | sort -u)
  packages=$(printf '%s\n' neovim "$deps" libc6 libgcc-s1 | sort -u)
  # shellcheck disable=SC2086 # one word per package
  (cd "$work/debs" && apt-get "${apt_private[@]}" download -qq $packages)

  local new="$dir.new" interp rpath deb
  rm -rf "$new"
  mkdir -p "$new"
  for deb in "$work"/debs/*.deb; do
    dpkg-deb -x "$deb" "$new"
  done
  interp=$(find "$new" -name 'ld-linux-x86-64.so.2' \( -type f -o -type l \) | head -n 1)
  if [ -z "$interp" ]; then
    echo "heatls: no dynamic loader in the libc6 of $suite" >&2
    exit 1
  fi
  # Every folder of the unpacked tree that holds a shared library.
  rpath=$(find "$new" -name '*.so*' \( -type f -o -type l \) -printf '%h\n' | sort -u | paste -sd:)
  patchelf --set-interpreter "$(readlink -f "$interp" | sed "s|^$new|$dir|")" \
    --force-rpath --set-rpath "$(printf '%s' "$rpath" | sed "s|$new|$dir|g")" \
    "$new/usr/bin/nvim"
  mkdir -p "$new/bin"
  printf '%s\n' '#!/bin/sh' \
    "# Neovim from Debian $suite, unpacked by tools/deps-neovim.sh." \
    "VIMRUNTIME=$dir/usr/share/nvim/runtime" \
    'export VIMRUNTIME' \
    "exec $dir/usr/bin/nvim \"\$@\"" >"$new/bin/nvim"
  chmod 755 "$new/bin/nvim"
  echo "$suite" >"$new/.suite"
  rm -rf "$dir"
  mv "$new" "$dir"
  rm -rf "$work"
  work=
  "$dir/bin/nvim" --version | head -n 1
}

if [ "${HEATLS_NVIM_NEW:-1}" != 0 ]; then
  unpack "${HEATLS_NVIM_NEW_DIR:-/opt/heatls-nvim-new}" "${HEATLS_NVIM_SUITE:-trixie}"
fi
if [ "${HEATLS_NVIM_SID:-0}" != 0 ]; then
  unpack "${HEATLS_NVIM_SID_DIR:-/opt/heatls-nvim-sid}" sid
fi
