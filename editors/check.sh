#!/usr/bin/env bash
# Checks the Vim/Neovim and Emacs support with whichever of vim, nvim and emacs are
# installed (each missing tool is skipped, and said so). The VS Code extension has its
# own script: editors/vscode/test.sh.
set -euo pipefail
cd "$(dirname "$0")"
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {
  local name=$1
  shift
  if "$@" >"$tmp/out" 2>&1 </dev/null; then
    echo "ok    $name"
  else
    echo "FAIL  $name"
    sed 's/^/      /' "$tmp/out"
    failed=1
  fi
}

if command -v vim >/dev/null 2>&1; then
  run "vim: syntax/flow.vim" timeout 60 vim -Nu NONE -Es -S nvim/test/syntax.vim
else
  echo "skip  vim: not installed"
fi

if command -v nvim >/dev/null 2>&1; then
  run "nvim: syntax/flow.vim" timeout 60 nvim --headless -u NONE -S nvim/test/syntax.vim
  if command -v node >/dev/null 2>&1; then
    run "nvim: ftdetect, ftplugin, indent, lsp.lua" \
      bash -c 'cd nvim && timeout 120 nvim --headless -u NONE -c "luafile test/nvim_test.lua"'
  else
    echo "skip  nvim: lsp.lua check needs node for the stand-in server"
  fi
else
  echo "skip  nvim: not installed"
fi

if command -v emacs >/dev/null 2>&1; then
  run "emacs: byte-compile flow-mode.el (warnings are errors)" \
    timeout 120 emacs -Q --batch \
      --eval '(setq byte-compile-error-on-warn t)' \
      --eval "(setq byte-compile-dest-file-function (lambda (_) \"$tmp/flow-mode.elc\"))" \
      -f batch-byte-compile emacs/flow-mode.el
  run "emacs: ert tests" \
    timeout 120 emacs -Q --batch -L emacs -l emacs/test/flow-mode-test.el -f ert-run-tests-batch-and-exit
else
  echo "skip  emacs: not installed (apt-get install emacs-nox)"
fi

exit "$failed"
