#!/usr/bin/env bash
# The firmware check: the WebSocket client firmware of examples/firmware runs
# in QEMU (mps2-an386, Cortex-M4) and chats with the chat server through its
# UART, and reconnects with a backoff when the server goes away
# (tests/firmware_qemu.rs). Installs what it needs on a fresh Debian
# machine, builds the firmware, prints its size, runs the test with QEMU
# required (its absence is a failure here, not a skip).
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

step "lints of the firmware crate"
(cd examples/firmware &&
  cargo fmt -- --check &&
  cargo clippy --release --target thumbv7em-none-eabihf --target-dir target -- -D warnings)

step "the firmware in QEMU, talking to chat_server through uart_relay"
WSFRAME_REQUIRE_QEMU=1 cargo test --all-features --test firmware_qemu -- --nocapture
