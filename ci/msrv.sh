#!/usr/bin/env bash
# The library builds with its minimum supported Rust: the `rust-version` in
# Cargo.toml, with every feature combination (ci/feature-sets), for the
# host and for thumbv7em-none-eabihf.
#
# The dependency versions are the ones a user on that Rust gets: the lock
# file is re-resolved with the toolchain's own cargo under the MSRV-aware
# resolver (rust-version compatible versions first; heapless 0.9.4, say,
# declares 1.88 and 0.9.3 1.87), then put back as it was. Only the library
# is checked (`cargo check --lib`), so dev-dependencies, which may need a
# newer Rust, are resolved but never built.
#
#   ci/msrv.sh
#
# Needs rustup; installs the toolchain (minimal profile) and the target.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TERM_COLOR=never
target=thumbv7em-none-eabihf

msrv="$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' Cargo.toml | head -n 1)"
if [ -z "$msrv" ]; then
    echo "error: no rust-version in Cargo.toml" >&2
    exit 1
fi
echo "MSRV (Cargo.toml rust-version): $msrv"
rustup toolchain install "$msrv" --profile minimal --no-self-update
rustup target add --toolchain "$msrv" "$target"

# Resolve for the MSRV, and restore the project's lock file afterwards.
saved="$(mktemp)"
cp Cargo.lock "$saved"
trap 'cp "$saved" Cargo.lock; rm -f "$saved"' EXIT
CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo "+$msrv" update --quiet
cargo "+$msrv" tree --quiet --edges normal --prefix none --all-features --depth 1 |
    sed '1d; s/^/  resolved: /' | sort -u

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/msrv"
status=0
while IFS= read -r features; do
    for where in host "$target"; do
        args=(--lib --no-default-features --features "$features")
        [ "$where" = host ] || args+=(--target "$where")
        # `std` needs an operating system: host only.
        [ "$where" = host ] || [[ ",$features," != *,std,* ]] || continue
        if cargo "+$msrv" check --quiet "${args[@]}"; then
            echo "ok: rust $msrv, $where, features [${features}]"
        else
            echo "FAILED: rust $msrv, $where, features [${features}]"
            status=1
        fi
    done
done < <(ci/feature-sets)
exit "$status"
