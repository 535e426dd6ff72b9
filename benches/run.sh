#!/bin/sh
# Run every side-by-side benchmark with short settings, then print the
# summary table (ours / best peer) and the allocation counts.
# Usage (from the repository root): sh benches/run.sh [extra criterion args]
# Takes about 9 minutes; set WARMUP / MEASURE (seconds) to change the settings.
set -eu
cd "$(dirname "$0")/.."
cargo bench -p wsframe-bench --bench peers -- \
    --warm-up-time "${WARMUP:-1}" --measurement-time "${MEASURE:-3}" --noplot "$@"
# The decode and round-trip groups again with wsframe's `simdutf8`
# feature: entries `wsframe+simdutf8`, in the same criterion tree, so the
# summary has a row for them. Skip with SIMD=0.
if [ "${SIMD:-1}" != 0 ]; then
    cargo bench -p wsframe-bench --features simdutf8 --bench peers -- \
        --warm-up-time "${WARMUP:-1}" --measurement-time "${MEASURE:-3}" --noplot \
        '^W(1|4|4t|6-16B|6-64KiB)/wsframe\+simdutf8$'
fi
echo
echo "## Summary (median; ns per element, or GB/s)"
python3 benches/summary.py target/criterion
echo
echo "## Allocations per operation"
cargo run --release -q -p wsframe-bench --bin allocs
# W5 again with every peer's SHA-1 on portable code (the target compares
# against peers using portable SHA-1); its own target dir, as RUSTFLAGS
# differ. Skip with W5_PORTABLE=0.
if [ "${W5_PORTABLE:-1}" != 0 ]; then
    echo
    echo "## W5 with portable SHA-1 everywhere"
    RUSTFLAGS='--cfg sha1_backend="soft"' CARGO_TARGET_DIR="$PWD/target/portable-sha1" \
        cargo bench -p wsframe-bench --features portable-sha1 --bench peers -- \
        --warm-up-time "${WARMUP:-1}" --measurement-time "${MEASURE:-3}" --noplot '^W5/' \
        >/dev/null 2>&1
    python3 benches/summary.py target/portable-sha1/criterion
fi
