#!/usr/bin/env bash
# Runs the pytest-lsp suite against a built flowc: creates a virtual environment under target/
# with pytest-lsp from PyPI (once), then drives `flowc lsp` over stdio.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
flowc="${FLOWC:-${CARGO_TARGET_DIR:-$root/target}/debug/flowc}"
venv="${CARGO_TARGET_DIR:-$root/target}/pytest-lsp-venv"
if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pytest-lsp>=1.0,<2" "pytest>=8"
fi
cd "$here"
FLOWC="$flowc" "$venv/bin/pytest" -q -p no:cacheprovider -o asyncio_mode=auto -o asyncio_default_fixture_loop_scope=function test_flowc_lsp.py
