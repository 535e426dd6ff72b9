#!/usr/bin/env bash
# Fuzz smoke test: build every cargo-fuzz target and run each for a bounded
# time with its seed corpus (and the HTTP dictionary for the handshake
# targets). Exits non-zero if any target crashes, leaks, times out or fails
# to build. Needs the nightly toolchain; installs cargo-fuzz if missing.
#
#   usage: ci/fuzz-smoke.sh [SECONDS_PER_TARGET]     (default 20)
#   env:   FUZZ_TARGETS   space-separated subset (default: all)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS=${1:-20}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "installing the nightly toolchain (cargo fuzz needs -Z flags)" >&2
  rustup toolchain install nightly --profile minimal || { echo "the nightly toolchain is required" >&2; exit 2; }
fi

cargo +nightly fuzz build
TARGETS=${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}

# Work on a scratch copy of the corpus so a smoke run leaves the tree clean.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

failed=()
for t in $TARGETS; do
  mkdir -p "$WORK/corpus/$t" "$WORK/artifacts/$t"
  if [ -d "corpus/$t" ]; then cp -r "corpus/$t/." "$WORK/corpus/$t/"; fi
  extra=()
  case $t in handshake_*) extra+=(-dict=http.dict) ;; esac
  echo "=== $t (${SECS}s)"
  if cargo +nightly fuzz run "$t" "$WORK/corpus/$t" -- \
      -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$WORK/artifacts/$t/" "${extra[@]}" >"$WORK/$t.log" 2>&1; then
    grep -E 'DONE|stat::number_of_executed_units' "$WORK/$t.log" || true
  else
    echo "!!! $t FAILED" >&2
    grep -E -A30 'panicked|ERROR: libFuzzer|SUMMARY' "$WORK/$t.log" | head -60 >&2 || tail -40 "$WORK/$t.log" >&2
    for a in "$WORK/artifacts/$t"/*; do
      [ -f "$a" ] && { echo "crash input ($a):" >&2; od -An -tx1 "$a" | head -20 >&2; }
    done
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz smoke: FAILED targets: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz smoke: all targets passed"
