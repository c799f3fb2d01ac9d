#!/usr/bin/env bash
# Installs VS Code as code-server 4.100.3 (the last release that runs on Node 20) from the npm
# registry into DEST, with nothing downloaded from elsewhere: `npm ci --ignore-scripts` skips
# the postinstall scripts that would fetch binaries, the native modules are rebuilt against
# the headers installed with Node (npm_config_nodedir), and ripgrep comes from Debian.
# Usage: install-code-server.sh DEST. DEST/.installed marks a complete install.
set -euo pipefail
dest=$(realpath -m "$1")
version=4.100.3
if [ -f "$dest/.installed" ] && [ "$(cat "$dest/.installed")" = "$version" ]; then
  exit 0
fi
rg=$(command -v rg) || { echo "install-code-server.sh: needs ripgrep (rg)" >&2; exit 1; }
# node-gyp would download Node's headers from nodejs.org; use those installed with node.
nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ ! -f "$nodedir/include/node/node.h" ]; then
  echo "install-code-server.sh: no Node.js headers in $nodedir/include/node (Debian: apt-get install libnode-dev, or a Node.js package that ships them)" >&2
  exit 1
fi
export npm_config_nodedir=$nodedir npm_config_fund=false npm_config_audit=false \
  npm_config_update_notifier=false npm_config_loglevel=error
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack -q "code-server@$version" >/dev/null && tar xzf "code-server-$version.tgz")
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$work/package" "$dest"
(cd "$dest" && npm ci --omit=dev --ignore-scripts && npm rebuild argon2)
cd "$dest/lib/vscode"
npm install --omit=dev --ignore-scripts
npm rebuild @parcel/watcher @vscode/spdlog native-watchdog
# node-pty's postinstall fails after building pty.node, which is all that is needed.
npm rebuild node-pty >/dev/null 2>&1 || test -f node_modules/node-pty/build/Release/pty.node
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$rg" node_modules/@vscode/ripgrep/bin/rg
# code-server's server loads node_modules.asar when it exists; point it at the plain folder.
ln -sfn node_modules node_modules.asar
echo "$version" >"$dest/.installed"
