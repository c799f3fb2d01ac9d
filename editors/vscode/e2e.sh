#!/usr/bin/env bash
# Drives the flowc extension in a real VS Code, as a user would: code-server 4.100.3 (VS Code
# 1.100, from npm) serves a site on 127.0.0.1, Debian's Chromium shows it, Playwright (PyPI)
# drives it, and test/e2e/test_vscode.py asserts in the page: the squiggle, the Problems row,
# the hover, completion, the quick fix, "Spaces: 2", and the flowc bundled in a linux-x64 .vsix.
# Then, unless FLOWC_E2E_NEGATIVE=0, it checks that the test fails against a flowc that
# rejects `lsp --stdio` (the bug it was written for).
#
#   bash editors/vscode/e2e.sh            # flowc under test: $FLOWC, default target/debug/flowc
#
# Installs what is missing: apt packages when root (chromium, ripgrep, python3-venv, make,
# g++), code-server and a Playwright venv into $FLOWC_E2E_CACHE (default target/e2e-cache/,
# reused by later runs). Screenshots and logs go to $FLOWC_E2E_OUT (default target/e2e/vscode/).
# A missing tool skips the test with a notice, or fails it when FLOWC_REQUIRE_TOOLS=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
cache=${FLOWC_E2E_CACHE:-$target_dir/e2e-cache}
out=${FLOWC_E2E_OUT:-$target_dir/e2e/vscode}
start=$SECONDS
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

missing() {
  if [ "${FLOWC_REQUIRE_TOOLS:-0}" = 1 ]; then
    echo "editors/vscode/e2e.sh: FAIL: $1 (FLOWC_REQUIRE_TOOLS=1)" >&2
    exit 1
  fi
  echo "editors/vscode/e2e.sh: SKIPPED, VS Code was not tested: $1" >&2
  exit 0
}

# --- tools -----------------------------------------------------------------------------
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing "needs Node.js 20+ and npm"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || missing "needs Node.js 20+, found $(node --version)"
chromium_binary() {
  for candidate in /usr/lib/chromium/chromium /usr/bin/chromium; do
    if [ -x "$candidate" ]; then
      echo "$candidate"
      return
    fi
  done
}
apt_need=()
[ -n "$(chromium_binary)" ] || apt_need+=(chromium)
command -v rg >/dev/null 2>&1 || apt_need+=(ripgrep)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_need+=(python3-venv)
command -v make >/dev/null 2>&1 || apt_need+=(make)
command -v g++ >/dev/null 2>&1 || apt_need+=(g++)
if [ "${#apt_need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== apt-get install ${apt_need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_need[@]}" >/dev/null
  else
    missing "needs ${apt_need[*]} (apt-get install ${apt_need[*]})"
  fi
fi
chromium=$(chromium_binary)

# --- the flowc under test ------------------------------------------------------------------
if [ -z "${FLOWC:-}" ]; then
  FLOWC=$target_dir/debug/flowc
  if [ ! -x "$FLOWC" ]; then
    echo "== cargo build --bin flowc"
    (cd "$root" && cargo build --quiet --bin flowc)
  fi
fi
if [ ! -f "$FLOWC" ] || [ ! -x "$FLOWC" ]; then
  echo "editors/vscode/e2e.sh: FLOWC=$FLOWC is not an executable file" >&2
  exit 1
fi
FLOWC=$(realpath "$FLOWC")

# --- cached installs ---------------------------------------------------------------------
code_server=$cache/code-server-4.100.3
if [ ! -f "$code_server/.installed" ]; then
  echo "== code-server 4.100.3 from npm into $code_server"
  bash "$here/test/e2e/install-code-server.sh" "$code_server"
fi
venv=$cache/playwright-venv
if [ ! -f "$venv/.installed" ]; then
  echo "== Playwright and pytest from PyPI into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # Only the Python package: the browser is Debian's (`playwright install` is never run).
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "playwright==1.65.2" "pytest>=8,<10"
  touch "$venv/.installed"
fi

# --- the .vsix files of this checkout ------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/flowc-vscode-e2e.XXXXXX")
cleanup() {
  # Process groups of code-servers a test could not stop itself (it was killed).
  for group in "$work"/pgids/*; do
    [ -e "$group" ] && kill -KILL -- "-$(basename "$group")" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$here"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
echo "== package the .vsix (generic, and linux-x64 with $FLOWC inside)"
node build.mjs
node_modules/.bin/vsce package --no-dependencies --allow-missing-repository --out "$work/flowc.vsix" </dev/null >/dev/null
node test/check-vsix.js "$work/flowc.vsix" >/dev/null
platform_vsix=
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  platform_vsix=$work/flowc-linux-x64.vsix
  FLOWC_BINARY=$FLOWC node scripts/package-platform.js linux-x64 --out "$platform_vsix" </dev/null >/dev/null
  node test/check-vsix.js "$platform_vsix" --target linux-x64 >/dev/null
else
  echo "note: no platform .vsix test on $(uname -s)-$(uname -m) (it bundles a linux-x64 flowc)"
fi

# --- the test ------------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out"
run_pytest() {
  # timeout signals pytest's whole process group; the EXIT trap kills what is left.
  FLOWC_E2E_CODE_SERVER=$code_server FLOWC_E2E_CHROMIUM=$chromium FLOWC_E2E_WORK=$work \
    FLOWC_E2E_VSIX=$work/flowc.vsix FLOWC_E2E_PLATFORM_VSIX=$platform_vsix \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    timeout --kill-after=20 600 "$venv/bin/pytest" -q -p no:cacheprovider -rs "$@"
}
echo "== VS Code end to end with $FLOWC"
FLOWC=$FLOWC FLOWC_E2E_OUT=$out run_pytest test/e2e/test_vscode.py

if [ "${FLOWC_E2E_NEGATIVE:-1}" != 0 ]; then
  echo "== the test fails against a flowc that rejects \`lsp --stdio\` (as before 9979aa9)"
  broken=$work/broken-flowc
  cat >"$broken" <<EOF
#!/bin/sh
# flowc before 9979aa9: \`flowc lsp --stdio\` is a usage error.
for argument in "\$@"; do
  if [ "\$argument" = --stdio ]; then
    echo "error: unexpected argument '--stdio' found" >&2
    exit 2
  fi
done
exec "$FLOWC" "\$@"
EOF
  chmod +x "$broken"
  negative_log=$out/negative/pytest.log
  mkdir -p "$out/negative"
  if FLOWC=$broken FLOWC_E2E_OUT=$out/negative run_pytest test/e2e/test_vscode.py \
    -k test_errors_hover_completion_quick_fix_and_indentation >"$negative_log" 2>&1; then
    cat "$negative_log"
    echo "editors/vscode/e2e.sh: FAIL: the test passed with a flowc that cannot start" >&2
    exit 1
  fi
  # The failure must be the one a user would see: no diagnostic, the server reported gone.
  reason=$(grep -m1 -o "AssertionError: VS Code step 1 .*no diagnostic reached VS Code.*" "$negative_log" || true)
  if [ -z "$reason" ]; then
    cat "$negative_log"
    echo "editors/vscode/e2e.sh: FAIL: the test failed for another reason than the missing diagnostic" >&2
    exit 1
  fi
  echo "   it failed as it should ($negative_log): $reason"
fi
echo "== VS Code end to end: ok ($((SECONDS - start)) s); screenshots in $out"
