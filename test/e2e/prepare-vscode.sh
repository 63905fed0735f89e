#!/usr/bin/env bash
# Prepares a real VS Code server + web workbench (from the npm package
# code-server, which carries both) for the end-to-end runner, in a cache
# directory outside the project so that it is built once and reused.
#
# VS Code desktop cannot be downloaded on the CI machines; code-server@4.100.3
# is VS Code 1.100.3, the last line whose server runs on Node 20. Its install
# scripts download prebuilt binaries, so everything is installed with
# --ignore-scripts and the native modules are rebuilt from source instead.
#
# Prints the path of the prepared lib/vscode directory on its last line.
# Environment: PACKER_BAKE_E2E_CACHE (default ~/.cache/packer-bake-e2e).
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# Bump when the recipe below changes, so a stale cache is not reused.
RECIPE=1
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
CACHE_ROOT=${PACKER_BAKE_E2E_CACHE:-$HOME/.cache/packer-bake-e2e}
KEY="code-server-${CODE_SERVER_VERSION}-node${NODE_MAJOR}-r${RECIPE}"
DIR="$CACHE_ROOT/$KEY"
VSCODE="$DIR/node_modules/code-server/lib/vscode"

log() { echo "prepare-vscode: $*" >&2; }

if [[ -f "$DIR/.ready" ]]; then
  log "cached: $DIR"
  echo "$VSCODE"
  exit 0
fi

# System packages: headers for the native modules, ripgrep (search), Chromium.
missing=()
for pkg in libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium build-essential python3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then log "not root: install these first: ${missing[*]}"; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

start=$(date +%s)
# Build in a scratch directory and move it into place at the end, so an
# interrupted run never leaves a half-prepared cache that looks ready.
TMP="$CACHE_ROOT/.tmp-$KEY-$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
echo '{"name":"packer-bake-e2e-vscode","private":true}' > package.json

log "npm install code-server@$CODE_SERVER_VERSION"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2

cd node_modules/code-server/lib/vscode
log "npm install (lib/vscode)"
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2

log "npm rebuild native modules"
# node-pty's own post-install step errors after pty.node is built; the check
# below is what decides.
npm rebuild @parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty >&2 || true
for m in @parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty; do
  node -e "require('$m')" >&2 || { log "native module $m does not load after rebuild"; exit 1; }
done

mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# The server loads node modules from node_modules.asar in a packaged build.
ln -sfn node_modules node_modules.asar

log "npm install (built-in extensions)"
(cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2)

[[ -f out/server-main.js ]] || { log "out/server-main.js missing"; exit 1; }

cd "$CACHE_ROOT"
rm -rf "$DIR"
mv "$TMP" "$DIR"
trap - EXIT
date -u +%FT%TZ > "$DIR/.ready"
log "prepared in $(( $(date +%s) - start )) s: $DIR"
echo "$VSCODE"
