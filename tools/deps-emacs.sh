#!/usr/bin/env bash
# Installs the two Emacsen that the Emacs client tests (tests/clients/emacs)
# run in, on Debian 12, as root, before the build:
#
#   Emacs 28.2 + eglot 1.9   Debian's emacs-nox and elpa-eglot: the system's
#                            `emacs` (client_emacs28*). eglot 1.9 has no inlay
#                            hints: heatls.el shows its own.
#   Emacs 30 + eglot 1.17    emacs-nox, emacs-common and emacs-bin-common from
#                            bookworm-backports (client_emacs30*), unpacked
#                            into $HEATLS_EMACS30 (default /opt/heatls-emacs30)
#                            and run through its bin/emacs, a wrapper that
#                            points Emacs at its Lisp, data and dump file.
#
# The two cannot both be installed as Debian packages (one emacs-nox), so the
# newer one is unpacked beside the system: its libraries all come from
# bookworm and are installed as ordinary packages. Backports are read through
# a private apt state (source list, lists, cache under $HEATLS_EMACS30/apt):
# nothing in /etc/apt or /var/lib/apt changes.
#
# Does nothing when both are there (dpkg's status, and the wrapper answering
# Emacs 30), so it is cheap to run before every build. About 20 s the first
# time.
set -euo pipefail

prefix=${HEATLS_EMACS30:-/opt/heatls-emacs30}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# Emacs 28 and eglot, and the libraries Emacs 30 needs beyond Emacs 28's.
packages=(emacs-nox elpa-eglot libtree-sitter0 libsqlite3-0 libattr1)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done

emacs30_ok() {
  [ -x "$prefix/bin/emacs" ] &&
    [ "$("$prefix/bin/emacs" --batch -Q --eval '(princ emacs-major-version)' \
         2>/dev/null)" = 30 ]
}

if [ ${#missing[@]} -eq 0 ] && emacs30_ok; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "heatls: Emacs 28 or 30 is missing (run this script as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
emacs30_ok && exit 0

# The machine's Debian mirror (the URIs of its bookworm source), else Debian's.
mirror=$(awk '/^URIs:/ {u = $2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' \
           /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' \
             /etc/apt/sources.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

apt=$prefix/apt
rm -rf "$apt" "${prefix:?}/root" "${prefix:?}/bin"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" \
         "$apt/debs" "$prefix/root" "$prefix/bin"
cat >"$apt/sources.list" <<EOF
deb [signed-by=$keyring] $mirror bookworm main
deb [signed-by=$keyring] $mirror bookworm-backports main
EOF
opts=(-o "Dir::Etc::sourcelist=$apt/sources.list"
      -o "Dir::Etc::sourceparts=$apt/parts"
      -o "Dir::State::Lists=$apt/lists"
      -o "Dir::Cache=$apt/cache"
      -o "APT::Sandbox::User=root")
apt-get "${opts[@]}" update -qq
version=$(apt-cache "${opts[@]}" madison emacs-nox |
            awk -F' *[|] *' '$3 ~ /bookworm-backports/ {print $2; exit}')
case "$version" in
1:30.*) ;;
*) echo "heatls: bookworm-backports has no Emacs 30 (emacs-nox ${version:-none})" >&2
   exit 1 ;;
esac
(cd "$apt/debs" &&
   apt-get "${opts[@]}" download -qq "emacs-nox=$version" \
     "emacs-common=$version" "emacs-bin-common=$version")
for deb in "$apt/debs"/*.deb; do
  dpkg-deb -x "$deb" "$prefix/root"
done
rm -rf "$apt/debs" "$apt/cache" "$apt/lists"

root=$prefix/root
found=("$root"/usr/share/emacs/30.*)
share=${found[0]}
found=("$root"/usr/libexec/emacs/30.*/*)
libexec=${found[0]}
found=("$libexec"/*.pdmp)
dump=${found[0]}
# Only Emacs's own lisp folder: startup adds its subfolders (subdirs.el), and
# Debian's site-lisp (Emacs 28's elpa-eglot) stays out.
cat >"$prefix/bin/emacs" <<EOF
#!/bin/sh
# Emacs $version from bookworm-backports, unpacked by tools/deps-emacs.sh.
EMACSLOADPATH=$share/lisp
EMACSDATA=$share/etc
EMACSDOC=$share/etc
EMACSPATH=$libexec
export EMACSLOADPATH EMACSDATA EMACSDOC EMACSPATH
exec $root/usr/bin/emacs-nox --dump-file=$dump "\$@"
EOF
chmod 755 "$prefix/bin/emacs"
if ! emacs30_ok; then
  echo "heatls: $prefix/bin/emacs does not run as Emacs 30" >&2
  exit 1
fi
