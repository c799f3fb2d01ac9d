#!/usr/bin/env bash
# Side-by-side comparison of flowc and aerleon (aclgen) on the same generated sites.
#
#   bash benches/aerleon/compare.sh                      # 1k, 10k and 100k flows
#   bash benches/aerleon/compare.sh --sizes 1000,10000   # any option of compare.py
#   FLOWC=/path/to/flowc bash benches/aerleon/compare.sh # an existing binary, no build
#
# Installs what is missing (GNU time, hyperfine, nftables; apt, as root), creates the venv
# target/aerleon-venv with the pinned aerleon, builds the release flowc (CARGO_TARGET_DIR is
# respected), then runs compare.py, which prints the Markdown tables. Needs root for
# `unshare -n` (the rulesets are loaded into throw-away network namespaces).
set -euo pipefail

AERLEON_VERSION=1.18.0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"

missing=()
[ -x /usr/bin/time ] || missing+=(time)
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v nft >/dev/null || missing+=(nftables)
command -v python3 >/dev/null || missing+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "compare.sh: please install: ${missing[*]}" >&2
    command -v hyperfine >/dev/null || echo "(hyperfine is optional)" >&2
  fi
fi

venv="$repo/target/aerleon-venv"
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('aerleon') != '$AERLEON_VERSION')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "aerleon==$AERLEON_VERSION"
fi

# FLOWC=/path/to/flowc uses that binary instead of building one.
if [ -n "${FLOWC:-}" ]; then
  flowc=$FLOWC
else
  cargo build --release --bin flowc
  flowc="${CARGO_TARGET_DIR:-$repo/target}/release/flowc"
  case "$flowc" in /*) ;; *) flowc="$repo/$flowc" ;; esac
fi

exec python3 "$here/compare.py" --flowc "$flowc" --aclgen "$venv/bin/aclgen" "$@"
