#!/usr/bin/env bash
# Miri over the library's unit tests that reach its one `unsafe` (the
# `&str` handed out after the UTF-8 DFA accepted the bytes, `utf8::from_utf8`)
# and the code around it: the UTF-8 and connection unit tests. Installs
# the nightly toolchain and the miri component when missing.
#
#   usage: ci/miri.sh [TEST FILTER ...]    (default: utf8:: conn::)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
rustup +nightly component add miri rust-src >/dev/null
cargo +nightly miri setup
filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=(utf8:: conn::)
cargo +nightly miri test --lib -- "${filters[@]}"
