#!/usr/bin/env bash
# Builds and tests the VS Code extension, then packages it into a temporary directory.
# Needs Node.js 20+ and the npm registry (for `npm ci`); nothing else from the network.
set -euo pipefail
cd "$(dirname "$0")"
start=$SECONDS

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "editors/vscode/test.sh needs Node.js 20+ and npm" >&2
  exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "editors/vscode/test.sh needs Node.js 20+, found $(node --version)" >&2
  exit 1
fi

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

echo "== npm ci"
# --ignore-scripts: no package needs its install script here (esbuild finds its
# platform binary package without it), and nothing is downloaded outside the registry.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

echo "== grammar is generated from syntaxes/generate.mjs"
node syntaxes/generate.mjs --check

echo "== build"
node build.mjs

echo "== unit tests"
node --test --test-reporter=spec test/unit/

echo "== grammar tests"
# timeout: the tool can hang on a malformed assertion line (its parser backtracks).
timeout 300 node_modules/.bin/vscode-tmgrammar-test --compact 'test/grammar/*.flow'

echo "== package"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(node -p 'require("./package.json").version')
vsix="$tmp/flowc-$version.vsix"
node_modules/.bin/vsce package --no-dependencies --allow-missing-repository --out "$vsix" </dev/null
test -s "$vsix"
node test/check-vsix.js "$vsix"

echo "== platform package (linux-x64, with /bin/true standing in for flowc)"
# The real flowc goes through the same script in e2e.sh; here only the packaging is checked.
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  FLOWC_BINARY=/bin/true node scripts/package-platform.js linux-x64 --out "$tmp/flowc-linux-x64.vsix" </dev/null >/dev/null
  node test/check-vsix.js "$tmp/flowc-linux-x64.vsix" --target linux-x64
  if [ -e server ]; then
    echo "scripts/package-platform.js left server/ behind" >&2
    exit 1
  fi
  if FLOWC_BINARY=package.json node scripts/package-platform.js linux-x64 --out "$tmp/wrong.vsix" 2>"$tmp/err" </dev/null; then
    echo "scripts/package-platform.js packaged a file that is not a linux-x64 executable" >&2
    exit 1
  fi
  grep -q 'not an executable' "$tmp/err"
else
  echo "skip: the stand-in binary is an x86-64 Linux one, this is $(uname -s)-$(uname -m)"
fi

echo "== ok ($((SECONDS - start)) s)"
