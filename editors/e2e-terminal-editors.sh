#!/usr/bin/env bash
# Starts the real `flowc lsp` from Neovim (headless) and Emacs (batch, eglot + flymake), each
# set up as editors/README.md documents, and checks what the editor shows: the diagnostic of
# a misspelt name at the position `flowc check` gives, hover, go to definition, and the
# diagnostic clearing once fixed. Installs nothing (Debian: neovim emacs-nox elpa-eglot).
#
#   FLOWC=/path/to/flowc bash editors/e2e-terminal-editors.sh
#
# FLOWC defaults to the checkout's target/debug/flowc. A missing nvim, emacs or eglot is
# skipped with a notice, or is a failure with FLOWC_REQUIRE_TOOLS=1. Each editor gets at most
# 60 s. Ends with "N passed, M failed" and exits 1 when a test failed.
set -uo pipefail
editors="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$editors/.." && pwd)"
flowc="${FLOWC:-${CARGO_TARGET_DIR:-$root/target}/debug/flowc}"
require="${FLOWC_REQUIRE_TOOLS:-0}"
limit=60
passed=0
failed=0
skipped=0

# The editors' state, caches, logs and the server's cache stay out of the user's home, and the
# test sites (under TMPDIR) out of any git repository.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
  XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache" TMPDIR="$tmp"
mkdir -p "$HOME"

fail() {
  echo "FAIL  $1"
  shift
  [ $# -gt 0 ] && printf '      %s\n' "$@"
  failed=$((failed + 1))
}

missing() {
  if [ "$require" = 1 ]; then
    fail "$1" "$2 (FLOWC_REQUIRE_TOOLS=1)"
  else
    echo "skip  $1: $2"
    skipped=$((skipped + 1))
  fi
}

# run NAME COMMAND...: bounded; the editor's own report is shown indented. Exit status 77
# means the editor lacks a package (eglot), which counts as missing.
run() {
  local name=$1 started status
  shift
  started=$(date +%s)
  timeout -k 5 "$limit" "$@" >"$tmp/out" 2>&1 </dev/null
  status=$?
  sed 's/^/      /' "$tmp/out"
  # Neovim's last message may lack its newline.
  [ -n "$(tail -c 1 "$tmp/out")" ] && echo
  if [ "$status" = 0 ]; then
    echo "ok    $name ($(($(date +%s) - started)) s)"
    passed=$((passed + 1))
  elif [ "$status" = 77 ]; then
    missing "$name" "$(tail -n 1 "$tmp/out" | sed 's/^ *//')"
  elif [ "$status" = 124 ] || [ "$status" = 137 ]; then
    fail "$name" "timed out after $limit s"
  else
    fail "$name" "exit status $status"
  fi
}

if [ ! -x "$flowc" ]; then
  fail "flowc under test" "$flowc is not an executable: run cargo build, or set FLOWC"
else
  flowc="$(cd "$(dirname "$flowc")" && pwd)/$(basename "$flowc")"
  echo "flowc under test: $flowc"

  if command -v nvim >/dev/null 2>&1; then
    # A Lua error in the test must end Neovim, not leave it waiting for input.
    test="local ok, err = pcall(dofile, vim.env.FLOWC_NVIM_DIR .. '/test/lsp_e2e.lua')"
    test="$test if not ok then io.stderr:write(tostring(err) .. '\\n') vim.cmd('cquit 2') end"
    run "nvim: flowc lsp diagnostics, hover, definition, fix" \
      env FLOWC="$flowc" FLOWC_NVIM_DIR="$editors/nvim" \
      nvim --headless -u "$editors/nvim/test/e2e_init.lua" -i NONE -c "lua $test"
  else
    missing "nvim" "not installed (Debian: neovim)"
  fi

  if command -v emacs >/dev/null 2>&1; then
    run "emacs: eglot + flymake with flowc lsp: diagnostics, hover, M-., fix" \
      env FLOWC="$flowc" emacs --batch -Q -L "$editors/emacs" -l "$editors/emacs/test/lsp-e2e.el"
  else
    missing "emacs" "not installed (Debian: emacs-nox elpa-eglot)"
  fi
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ]
