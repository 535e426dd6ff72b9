#!/bin/sh
# Run every side-by-side benchmark with short settings, then print the
# summary table (ours / best peer) and the allocation counts.
# Usage (from the repository root): sh benches/run.sh [extra criterion args]
# Takes about 5 minutes; set WARMUP / MEASURE (seconds) to change the settings.
set -eu
cd "$(dirname "$0")/.."
cargo bench -p wsframe-bench --bench peers -- \
    --warm-up-time "${WARMUP:-1}" --measurement-time "${MEASURE:-3}" --noplot "$@"
echo
echo "## Summary (median; ns per element, or GB/s)"
python3 benches/summary.py target/criterion
echo
echo "## Allocations per operation"
cargo run --release -q -p wsframe-bench --bin allocs
