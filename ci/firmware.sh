#!/usr/bin/env bash
# The firmware check: the WebSocket client firmware of examples/firmware runs
# in QEMU (mps2-an386, Cortex-M4) and chats with the chat server through its
# UART, and reconnects with a backoff when the server goes away
# (tests/firmware_qemu.rs); its wss:// build (feature `tls`) does the same
# over TLS 1.3 with the server's certificate checked against a CA built in,
# and refuses a server of another CA. Installs what it needs on a fresh
# Debian machine, builds the firmware, lints both builds, runs the test
# with QEMU required (its absence is a failure here, not a skip), prints
# the sizes. The test makes the CAs (rcgen) and builds the wss:// image
# with its CA (examples/firmware/target/tls); nothing secret is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { echo; echo "=== $*"; }

step "qemu-system-arm"
if ! command -v qemu-system-arm >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq qemu-system-arm >/dev/null
fi
qemu-system-arm --version | head -1
qemu-system-arm -machine help | grep -q '^mps2-an386 ' \
  || { echo "this qemu-system-arm has no mps2-an386 machine" >&2; exit 1; }

step "openssl (a throwaway CA for the wss:// lint)"
if ! command -v openssl >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq openssl >/dev/null
fi

step "Rust target thumbv7em-none-eabihf"
rustup target add thumbv7em-none-eabihf

step "build the firmware"
# The same command the test runs, so the test finds it built.
(cd examples/firmware &&
  cargo build --release --target thumbv7em-none-eabihf --target-dir target)
elf=examples/firmware/target/thumbv7em-none-eabihf/release/wsframe-firmware

step "firmware size (text = flash, data + bss = static RAM; the stack is the rest of RAM)"
if command -v llvm-size >/dev/null; then
  llvm-size "$elf"
elif command -v arm-none-eabi-size >/dev/null; then
  arm-none-eabi-size "$elf"
else
  echo "(no llvm-size or arm-none-eabi-size: skipping the size report)"
fi

step "lints of the firmware crate (ws:// and wss:// builds)"
# The wss:// build needs a CA to embed: a throwaway one, for the lint only.
lint_pki=$(mktemp -d)
trap 'rm -rf "$lint_pki"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=wsframe firmware lint CA" -days 1 \
  -keyout "$lint_pki/key.pem" -outform DER -out "$lint_pki/ca.der" 2>/dev/null
(cd examples/firmware &&
  cargo fmt -- --check &&
  cargo clippy --release --target thumbv7em-none-eabihf --target-dir target -- -D warnings &&
  WSFRAME_FIRMWARE_CA="$lint_pki/ca.der" cargo clippy --release --features tls \
    --target thumbv7em-none-eabihf --target-dir target/lint-tls -- -D warnings)

step "the firmware in QEMU, talking to chat_server through uart_relay (ws:// and wss://)"
WSFRAME_REQUIRE_QEMU=1 cargo test --all-features --test firmware_qemu -- --nocapture

step "wss:// firmware size (as the test built it: text = flash, data + bss = static RAM)"
tls_elf=examples/firmware/target/tls/thumbv7em-none-eabihf/release/wsframe-firmware
if command -v llvm-size >/dev/null; then
  llvm-size "$tls_elf"
elif command -v arm-none-eabi-size >/dev/null; then
  arm-none-eabi-size "$tls_elf"
fi
