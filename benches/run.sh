#!/bin/sh
# Run every side-by-side benchmark with short settings, then print the
# summary tables (ours / best peer; Z1 ours / bare miniz_oxide; Z2 ours /
# zlib), the compression ratios and the allocation counts.
# Usage (from the repository root): sh benches/run.sh [extra criterion args]
# Takes about 12 minutes; set WARMUP / MEASURE (seconds) to change the
# settings, PEERS=0 to skip the W groups, DEFLATE=0 to skip the Z groups.
set -eu
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-target}"
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac
ARGS="--warm-up-time ${WARMUP:-1} --measurement-time ${MEASURE:-3} --noplot"
if [ "${PEERS:-1}" != 0 ]; then
    # shellcheck disable=SC2086
    cargo bench -p wsframe-bench --bench peers -- $ARGS "$@"
fi
# permessage-deflate: Z1 inflate, Z2 compress (benches/deflate.rs).
if [ "${DEFLATE:-1}" != 0 ]; then
    # shellcheck disable=SC2086
    cargo bench -p wsframe-bench --bench deflate -- $ARGS "$@"
    # The permessage-deflate peer, in a build of its own: ratchet_deflate
    # makes C zlib flate2's backend (see Cargo.toml). Skip with RATCHET=0.
    if [ "${RATCHET:-1}" != 0 ]; then
        # shellcheck disable=SC2086
        cargo bench -p wsframe-bench --features ratchet --bench deflate -- $ARGS '^Z1/ratchet$'
    fi
fi
# The decode and round-trip groups again with wsframe's `simdutf8`
# feature: entries `wsframe+simdutf8`, in the same criterion tree, so the
# summary has a row for them. Skip with SIMD=0.
if [ "${SIMD:-1}" != 0 ]; then
    if [ "${PEERS:-1}" != 0 ]; then
        # shellcheck disable=SC2086
        cargo bench -p wsframe-bench --features simdutf8 --bench peers -- $ARGS \
            '^W(1|4|4t|6-16B|6-64KiB)/wsframe\+simdutf8$'
    fi
    if [ "${DEFLATE:-1}" != 0 ]; then
        # shellcheck disable=SC2086
        cargo bench -p wsframe-bench --features simdutf8 --bench deflate -- $ARGS \
            '^Z1/wsframe\+simdutf8(-stream)?$'
    fi
fi
echo
echo "## Summary (median; ns per element, or GB/s)"
python3 benches/summary.py "$TARGET/criterion"
if [ "${DEFLATE:-1}" != 0 ]; then
    echo
    echo "## Compressed sizes (Z2 inputs and the Z1 message)"
    cargo run --release -q -p wsframe-bench --bin ratios
fi
if [ "${PEERS:-1}" != 0 ]; then
    echo
    echo "## Allocations per operation"
    cargo run --release -q -p wsframe-bench --bin allocs
fi
# W5 again with every peer's SHA-1 on portable code (the target compares
# against peers using portable SHA-1); its own target dir, as RUSTFLAGS
# differ. Skip with W5_PORTABLE=0.
if [ "${PEERS:-1}" != 0 ] && [ "${W5_PORTABLE:-1}" != 0 ]; then
    echo
    echo "## W5 with portable SHA-1 everywhere"
    RUSTFLAGS='--cfg sha1_backend="soft"' CARGO_TARGET_DIR="$TARGET/portable-sha1" \
        cargo bench -p wsframe-bench --features portable-sha1 --bench peers -- $ARGS '^W5/' \
        >/dev/null 2>&1
    python3 benches/summary.py "$TARGET/portable-sha1/criterion"
fi
