#!/usr/bin/env bash
# CI's fuzz step: every cargo-fuzz target for a short while against the committed corpus.
#
# New corpus entries go to a scratch directory that is deleted afterwards, so the committed
# corpus never changes. A crash, a hang (-timeout) or running out of memory (-rss_limit_mb)
# fails the script; the input is printed (base64) and left in fuzz/artifacts/<target>/.
#
#   FUZZ_SECONDS    time per target (default 45)
#   FUZZ_SANITIZER  cargo fuzz's --sanitizer (default address; `none` runs about 3x faster)
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-45}"
sanitizer="${FUZZ_SANITIZER:-address}"
# cargo-fuzz passes nightly -Z flags (sanitizers, coverage instrumentation); the stable
# toolchain accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "-- installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# One build for every target; `cargo fuzz run` below finds it up to date.
started=$SECONDS
cargo fuzz build --sanitizer "$sanitizer"
echo "-- built the targets in $((SECONDS - started))s"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
for target in $(cargo fuzz list); do
  mkdir -p "$scratch/$target"
  log="$scratch/$target.log"
  touch "$scratch/$target.start"
  started=$SECONDS
  # The scratch directory comes first: libFuzzer writes new inputs only to the first corpus.
  if cargo fuzz run --sanitizer "$sanitizer" "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -dict=flow.dict \
    -print_final_stats=1 >"$log" 2>&1; then
    summary="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
    echo "-- $target: ok in $((SECONDS - started))s: ${summary:-no summary}"
  else
    status=1
    echo "-- $target: FAILED after $((SECONDS - started))s; the end of its log:"
    tail -n 80 "$log"
    for artifact in $(find "artifacts/$target" -type f -newer "$scratch/$target.start" 2>/dev/null || true); do
      echo "-- fuzz/$artifact (base64; reproduce with: cargo fuzz run $target fuzz/$artifact):"
      base64 "$artifact"
    done
  fi
done
exit "$status"
