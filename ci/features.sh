#!/usr/bin/env bash
# Every combination of the library's features (ci/feature-sets: the
# [features] table of Cargo.toml, the empty set first) builds without
# warnings under clippy, for the host and for thumbv7em-none-eabihf:
#
#   cargo clippy --lib --no-default-features --features SET [--target T] -- -D warnings
#
# clippy runs the compiler's full check, so this is `cargo check` plus the
# lints, in one build per set and target (sets with `std`: host only). A plain loop: cargo-hack's
# --feature-powerset does the same but takes ~40 s to install from source.
#
#   ci/features.sh
#
# Needs rustup, cargo and clippy; adds the target and clippy if missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TERM_COLOR=never
target=thumbv7em-none-eabihf

if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    rustup target add "$target"
fi
if ! cargo clippy --version >/dev/null 2>&1; then
    rustup component add clippy
fi

status=0
while IFS= read -r features; do
    for where in host "$target"; do
        args=(--lib --no-default-features --features "$features")
        [ "$where" = host ] || args+=(--target "$where")
        # `std` needs an operating system: host only.
        [ "$where" = host ] || [[ ",$features," != *,std,* ]] || continue
        if cargo clippy --quiet "${args[@]}" -- -D warnings; then
            echo "ok: $where, features [${features}]"
        else
            echo "FAILED: $where, features [${features}]"
            status=1
        fi
    done
done < <(ci/feature-sets)
exit "$status"
