#!/usr/bin/env bash
# Tests the tree-sitter grammar of .flow files (editors/tree-sitter-flow), as CI runs it:
#   1. src/ is what `tree-sitter generate` makes from grammar.js (regenerated in a temporary
#      copy and compared), so editors that build from src/ get the grammar in grammar.js;
#   2. `tree-sitter test`: the corpus (test/corpus), the highlight assertions (test/highlight)
#      and every query in queries/ compiling against the grammar;
#   3. every .flow file of the repository, every ```flow block of its Markdown files, and every
#      text input of the lex_parse, format and check_pipeline fuzz corpora, has an ERROR or
#      MISSING node in tree-sitter exactly when flowc reports a syntax error (E0001-E0003) in
#      it. E0004-E0011 are checks of values and sizes in well-formed text (a port above 65535,
#      an address 10.0.0.300, nesting deeper than 64): tree-sitter must parse those files
#      cleanly, and files with name and semantic errors (E01xx, E02xx) too. Two precise
#      exceptions: tree-sitter's runtime skips a byte-order mark at the start of a file, which
#      flowc reports as E0001, so a file that begins with one is compared with flowc's verdict
#      on the same file without it; and where flowc reports E0011 it has dropped the tokens past
#      its nesting caps before parsing (spec/diagnostics.md), so an E0003 beside it may be about
#      the truncated text (`1 + 1 + ...` with 300 operators is E0011 and E0003 in flowc,
#      well-formed for tree-sitter): such a file passes when tree-sitter finds no error, and
#      must still have no error in tree-sitter when flowc reports no syntax error;
#   4. editors/helix/languages.toml parses and its grammar source holds the parser and the
#      queries.
# It ends with a line `N passed, M failed` and exits 1 when anything failed.
#
# Environment:
#   TREE_SITTER           the CLI to use; default: `tree-sitter` on PATH when it is version
#                         $cli_version (generate's output depends on the version), else the one
#                         that this script installs with cargo into TREE_SITTER_CLI_ROOT
#   TREE_SITTER_CLI_ROOT  default: ${CARGO_HOME:-~/.cargo}/tree-sitter-cli-$cli_version, kept
#                         between runs (the build takes minutes; a second run reuses it)
#   FLOWC                 the flowc binary; default target/debug/flowc, built with cargo if missing
#   FLOWC_REQUIRE_TOOLS   when set (and not 0), a CLI that cannot be installed or run (no cargo,
#                         no node for `generate`, no C compiler for `test`) is a failure instead
#                         of a skip
set -euo pipefail

cli_version=0.27.1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

passed=0
failed=0
pass() {
  passed=$((passed + 1))
}
fail() {
  failed=$((failed + 1))
  echo "FAIL $*"
}
summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
# A missing tool: a visible skip, or a failure when CI requires every tool.
missing_tool() {
  if [ -n "${FLOWC_REQUIRE_TOOLS:-}" ] && [ "${FLOWC_REQUIRE_TOOLS}" != 0 ]; then
    echo "error: $* (FLOWC_REQUIRE_TOOLS is set)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "SKIP tree-sitter grammar tests: $* (set FLOWC_REQUIRE_TOOLS=1 to make this a failure)" >&2
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
}

command -v node >/dev/null 2>&1 \
  || missing_tool "node not found (tree-sitter generate runs grammar.js with it)"
command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 \
  || missing_tool "no C compiler (cc, gcc or clang) to build the parser"

# The CLI: the pinned version, installed once with cargo.
if [ -n "${TREE_SITTER:-}" ]; then
  ts=$TREE_SITTER
elif command -v tree-sitter >/dev/null 2>&1 \
  && [ "$(tree-sitter --version 2>/dev/null)" = "tree-sitter $cli_version" ]; then
  ts=$(command -v tree-sitter)
else
  cli_root=${TREE_SITTER_CLI_ROOT:-${CARGO_HOME:-$HOME/.cargo}/tree-sitter-cli-$cli_version}
  ts=$cli_root/bin/tree-sitter
  if [ "$("$ts" --version 2>/dev/null)" != "tree-sitter $cli_version" ]; then
    command -v cargo >/dev/null 2>&1 || missing_tool "tree-sitter $cli_version is not installed and cargo is not found"
    echo "== installing tree-sitter-cli $cli_version with cargo into $cli_root (once; minutes on 2 cores)"
    started=$SECONDS
    # Without the default `qjs-rt` feature (an embedded JavaScript engine): generate uses node.
    cargo install tree-sitter-cli --version "$cli_version" --locked --no-default-features \
      --root "$cli_root" --quiet \
      || missing_tool "cargo could not install tree-sitter-cli $cli_version"
    echo "   installed in $((SECONDS - started)) s"
  fi
fi
"$ts" --version >/dev/null 2>&1 || missing_tool "$ts does not run"
echo "== $("$ts" --version) ($ts)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A private configuration and parser library directory: nothing from ~/.config or ~/.cache.
mkdir -p "$work/config" "$work/lib" "$work/no-grammars"
printf '{"parser-directories": ["%s"]}\n' "$work/no-grammars" >"$work/config/config.json"
export TREE_SITTER_DIR=$work/config TREE_SITTER_LIBDIR=$work/lib

echo "== src/ is what tree-sitter generate makes from grammar.js"
mkdir -p "$work/generate"
cp "$here/grammar.js" "$here/tree-sitter.json" "$work/generate/"
if ! (cd "$work/generate" && "$ts" generate) >"$work/generate.log" 2>&1; then
  cat "$work/generate.log"
  fail "tree-sitter generate failed on grammar.js"
elif ! diff -r "$here/src" "$work/generate/src" >"$work/generate.diff"; then
  head -n 40 "$work/generate.diff"
  fail "src/ differs from the output of tree-sitter generate: run it in" \
    "editors/tree-sitter-flow (tree-sitter-cli $cli_version) and commit src/"
else
  pass
fi

echo "== tree-sitter test (corpus, highlight assertions, queries)"
started=$SECONDS
if (cd "$here" && "$ts" test) >"$work/test.log" 2>&1; then
  grep -E '^Total parses' "$work/test.log" || true
  echo "   $(grep -c '✓' "$work/test.log") tests in $((SECONDS - started)) s"
  pass
else
  cat "$work/test.log"
  fail "tree-sitter test"
fi

echo "== editors/helix/languages.toml declares this grammar"
# Helix itself is not installable here; this checks what can be checked without it: the TOML
# parses, the language uses the grammar `flow`, and the documented `sed` of /path/to/flowc
# gives a source path that holds the parser and the queries Helix needs.
if python3 -c 'import tomllib' >/dev/null 2>&1; then
  if python3 - "$root" <<'PYTHON'
import sys, tomllib, pathlib
root = sys.argv[1]
text = open(f"{root}/editors/helix/languages.toml").read().replace("/path/to/flowc", root)
config = tomllib.loads(text)
[language] = [entry for entry in config["language"] if entry["name"] == "flow"]
assert language["file-types"] == ["flow"] and language.get("grammar", "flow") == "flow", language
[grammar] = [entry for entry in config["grammar"] if entry["name"] == "flow"]
source = pathlib.Path(grammar["source"]["path"])
for needed in ["src/parser.c", "src/tree_sitter/parser.h", "queries/highlights.scm",
               "queries/locals.scm", "queries/indents.scm", "queries/textobjects.scm"]:
    assert (source / needed).is_file(), f"{source / needed} is missing"
PYTHON
  then
    pass
  else
    fail "editors/helix/languages.toml"
  fi
else
  echo "   (skipped: no python3 with tomllib to read TOML)"
fi

echo "== tree-sitter and flowc agree on syntax errors"
started=$SECONDS
flowc=${FLOWC:-target/debug/flowc}
if [ ! -x "$flowc" ]; then
  if [ -n "${FLOWC:-}" ]; then
    echo "error: FLOWC=$flowc is not an executable" >&2
    exit 1
  fi
  echo "   building flowc (cargo build --bin flowc)"
  cargo build --quiet --bin flowc
fi

# The repository's .flow files and the fuzz corpora's text inputs (lsp_edits holds encoded
# edit scripts, not files).
git ls-files -z -- '*.flow' 'fuzz/corpus/lex_parse/*' 'fuzz/corpus/format/*' \
  'fuzz/corpus/check_pipeline/*' >"$work/files"
mapfile -d '' -t files <"$work/files"
# And every ```flow code block of the repository's Markdown files, as a file of its own.
mkdir -p "$work/markdown"
while IFS= read -r -d '' markdown; do
  awk -v out="$work/markdown/$(tr '/' '_' <<<"$markdown")" '
    /^```/ { if (inside) { inside = 0; next } if ($0 == "```flow") { inside = 1; n++; next } }
    inside { print > (out "." n ".flow") }' "$markdown"
done < <(git ls-files -z -- '*.md')
for block in "$work"/markdown/*.flow; do
  [ -e "$block" ] && files+=("$block")
done
if [ "${#files[@]}" -eq 0 ]; then
  fail "no .flow files found by git ls-files"
  summary
  exit 1
fi

# flowc's verdict is read from a copy without the byte-order mark for files that begin with one.
declare -A checked_as=()
mkdir -p "$work/bom"
bom=$'\xef\xbb\xbf'
for file in "${files[@]}"; do
  start=''
  LC_ALL=C IFS= read -r -d '' -n 3 start <"$file" || true
  if [ "$start" = "$bom" ]; then
    copy=$work/bom/${#checked_as[@]}.flow
    tail -c +4 "$file" >"$copy"
    checked_as[$file]=$copy
  fi
done

# flowc, in one run: syntax errors are found per file, whatever else the other files define.
declare -A flowc_codes=()
checked=()
for file in "${files[@]}"; do
  checked+=("${checked_as[$file]:-$file}")
done
status=0
"$flowc" check --format short "${checked[@]}" >"$work/flowc.out" 2>&1 || status=$?
if [ "$status" -gt 1 ]; then
  tail -n 20 "$work/flowc.out"
  fail "flowc check exited with status $status (1 means errors were reported; anything else is a crash)"
fi
declare -A nesting_capped=()
while IFS= read -r line; do
  path=${line%%:*}
  code=${line##*error[}
  code=${code%%]*}
  if [ "$code" = E0011 ]; then
    nesting_capped[$path]=1
  else
    flowc_codes[$path]="${flowc_codes[$path]:-}${flowc_codes[$path]:+ }$code"
  fi
done < <(grep -aE '^[^:]+:[0-9]+:[0-9]+: error\[E00(0[123]|11)\]' "$work/flowc.out" || true)

# tree-sitter: with -q it prints one line for each file with an ERROR or MISSING node.
declare -A tree_sitter_error=()
printf '%s\n' "${files[@]}" >"$work/paths"
"$ts" parse -p "$here" --paths "$work/paths" -q >"$work/parse.out" 2>"$work/parse.err" || true
while IFS= read -r line; do
  path=${line%%$'\t'Parse:*}
  path=${path%"${path##*[! ]}"}
  tree_sitter_error[$path]=${line##*$'\t'}
done < <(grep -aE $'\tParse:.*\\((ERROR|MISSING) .*\\)$' "$work/parse.out" || true)
if grep -aqvE $'\tParse:' "$work/parse.out"; then
  cat "$work/parse.err"
  fail "tree-sitter parse printed something else than failed parses (see above)"
fi

syntax_errors=0
capped=0
for file in "${files[@]}"; do
  codes=${flowc_codes[${checked_as[$file]:-$file}]:-}
  found=${tree_sitter_error[$file]:-}
  if [ -n "${nesting_capped[${checked_as[$file]:-$file}]:-}" ] && [ -z "$found" ] \
    && [ -z "$(tr ' ' '\n' <<<"$codes" | grep -v '^E0003$' || true)" ]; then
    capped=$((capped + 1))
    pass
  elif [ -n "$codes" ] && [ -z "$found" ]; then
    fail "$file: flowc reports $(tr ' ' '\n' <<<"$codes" | sort -u | tr '\n' ' ')but tree-sitter parses it without an error"
  elif [ -z "$codes" ] && [ -n "$found" ]; then
    fail "$file: tree-sitter finds $found but flowc reports no syntax error"
  else
    [ -n "$codes" ] && syntax_errors=$((syntax_errors + 1))
    pass
  fi
done
echo "   ${#files[@]} files ($syntax_errors with syntax errors, $capped over flowc's nesting" \
  "caps, ${#checked_as[@]} with a byte-order mark) in $((SECONDS - started)) s"

summary
