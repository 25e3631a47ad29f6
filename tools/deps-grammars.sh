#!/usr/bin/env bash
# Fetches the tree-sitter grammars that `heatls search` compiles in, from the
# npm registry, into HEATLS_GRAMMARS_DIR (default /opt/heatls-grammars): one
# folder per language holding the package's src/ (parser.c, scanner.c when
# there is one, tree_sitter/parser.h). They are dependencies, never part of
# the repository; CMake compiles them when it finds them
# (cache variable HEATLS_GRAMMARS_DIR). The runtime library, Debian's
# libtree-sitter-dev 0.20.7 (grammar ABI 13 and 14), comes from tools/deps.sh.
#
# The versions are pinned to the last ones whose parser.c is ABI 14
# (LANGUAGE_VERSION 14); 0.25 grammars are ABI 15, which 0.20.7 refuses.
# Does nothing when everything is there already.
set -euo pipefail

dir=${HEATLS_GRAMMARS_DIR:-/opt/heatls-grammars}
grammars=(go@0.23.4 c@0.23.6 python@0.23.6)

for spec in "${grammars[@]}"; do
  lang=${spec%@*}
  version=${spec#*@}
  dest=$dir/$lang
  if [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$version" ] &&
     [ -f "$dest/src/parser.c" ]; then
    continue
  fi
  command -v npm >/dev/null || { echo "heatls: npm is needed to fetch grammars" >&2; exit 1; }
  mkdir -p "$dir"
  work=$(mktemp -d "$dir/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "tree-sitter-$lang@$version" >/dev/null)
  tar -xzf "$work"/tree-sitter-"$lang"-"$version".tgz -C "$work"
  abi=$(sed -n 's/^#define LANGUAGE_VERSION \([0-9]*\).*/\1/p' "$work/package/src/parser.c")
  if [ "$abi" != 14 ]; then
    echo "heatls: tree-sitter-$lang@$version is grammar ABI '$abi', not 14" >&2
    exit 1
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  cp -r "$work/package/src" "$dest/src"
  [ -f "$work/package/LICENSE" ] && cp "$work/package/LICENSE" "$dest/"
  echo "$version" >"$dest/VERSION"
  rm -rf "$work"
  trap - EXIT
  echo "heatls: tree-sitter-$lang $version (ABI 14) in $dest"
done
