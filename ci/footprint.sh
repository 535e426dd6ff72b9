#!/usr/bin/env bash
# Flash footprint of wsframe on a Cortex-M4F (thumbv7em-none-eabihf), beside
# embedded-websocket and edge-ws linked the same way. Builds the probe
# firmware under footprint/ (opt-level "z", LTO, one codegen unit, panic =
# abort, cortex-m-rt, memory.x of 256K flash / 64K RAM) and prints, for
# each probe, .text + .rodata added over an empty probe with the same
# runtime, and the size of the connection state on the target.
#
#   ci/footprint.sh            # report
#   FOOTPRINT_STRICT=1 ci/footprint.sh   # also fail when a target is missed
#
# Needs rustup and cargo; installs the target and, when neither
# arm-none-eabi-* nor llvm-* binutils are there, binutils-arm-none-eabi
# (apt-get). See footprint/README.md for what each probe contains.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=thumbv7em-none-eabihf
fp="$root/footprint"

# --- tools -----------------------------------------------------------------
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    rustup target add "$target"
fi
pick() { # first of the given commands that exists
    for c in "$@"; do
        if command -v "$c" >/dev/null 2>&1; then echo "$c"; return 0; fi
    done
    return 1
}
if ! SIZE="$(pick arm-none-eabi-size llvm-size)" || ! NM="$(pick arm-none-eabi-nm llvm-nm)"; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    $sudo apt-get install -y binutils-arm-none-eabi
    SIZE=arm-none-eabi-size
    NM=arm-none-eabi-nm
fi

# --- build -----------------------------------------------------------------
build() { # crate directory under footprint/
    echo "building footprint/$1" >&2
    (cd "$fp/$1" && CARGO_TARGET_DIR="$fp/target/$1" cargo build --release --locked -q)
}
elf() { echo "$fp/target/$1/$target/release/$2"; }

# .text + .rodata of an ELF, in bytes.
code() {
    "$SIZE" -A "$1" | awk '$1 == ".text" || $1 == ".rodata" { s += $2 } END { print s + 0 }'
}
# Bytes of the compiler's mem* routines (compiler_builtins) in an ELF:
# every firmware links them, and wsframe's copies call them.
mem() {
    local total=0 size name
    while read -r _ size _ name; do
        case "$name" in
            *compiler_builtins3mem* | __aeabi_mem* | memcpy | memmove | memset | memcmp)
                total=$((total + 16#$size)) ;;
        esac
    done < <("$NM" -S "$1")
    echo "$total"
}
# The size of a symbol (an array whose length is the figure).
symbol_size() {
    local size name
    while read -r _ size _ name; do
        if [ "$name" = "$2" ]; then echo $((16#$size)); return 0; fi
    done < <("$NM" -S "$1")
    echo "symbol $2 not found in $1" >&2
    return 1
}

build wsframe-probes
build wsframe-deflate-probes
build peer-embedded-websocket
build peer-edge-ws

# --- report ----------------------------------------------------------------
missed=0
row() { # label crate probe target-bytes(or -)
    local base probe total added m
    base="$(code "$(elf "$2" baseline)")"
    probe="$(elf "$2" "$3")"
    total="$(code "$probe")"
    added=$((total - base))
    m="$(mem "$probe")"
    local verdict=""
    if [ "$4" != "-" ]; then
        if [ $((added - m)) -le "$4" ]; then verdict="ok (target <= $4)"; else verdict="MISSED (target <= $4)"; missed=1; fi
    fi
    printf '| %-48s | %7d | %7d | %6d | %7d | %s\n' "$1" "$total" "$added" "$m" $((added - m)) "$verdict"
}

echo
echo "Flash on $target: .text + .rodata in bytes. 'added' is over the empty probe"
echo "(cortex-m-rt + a volatile UART, $(code "$(elf wsframe-probes baseline)") bytes); 'mem*' is the share of the"
echo "compiler's memcpy/memmove/memset/memcmp in it; 'code' = added - mem*."
echo
printf '| %-48s | %7s | %7s | %6s | %7s | %s\n' probe total added "mem*" code target
printf '|%s|\n' "--------------------------------------------------|---------|---------|--------|---------|-------"
row "wsframe (a) frame decode+encode+mask" wsframe-probes a_frame 1536
row "wsframe (b) (a) + messages, close, keepalive" wsframe-probes b_message -
row "wsframe (c) (b) + server handshake" wsframe-probes c_server 8192
row "wsframe (c) on a 1 KiB buffer, RecvMode::Stream" wsframe-probes c_stream_1k -
row "wsframe (d) (c) + client handshake + client" wsframe-probes d_both -
row "wsframe (e) client only: (b) + client handshake" wsframe-probes e_client -
row "wsframe (c) built with feature deflate, unused" wsframe-deflate-probes c_server -
row "wsframe (f) (c) + permessage-deflate, inflate" wsframe-deflate-probes f_inflate -
row "wsframe (g) (f) + the compressor" wsframe-deflate-probes g_deflate -
row "embedded-websocket 0.9.5 read+write+close" peer-embedded-websocket frame -
row "embedded-websocket 0.9.5 + server handshake" peer-embedded-websocket server -
row "edge-ws 0.8.0 frame decode+encode+mask" peer-edge-ws frame -
row "edge-ws 0.8.0 + edge-http 0.8.0 ws upgrade" peer-edge-ws server -

state_elf="$(elf wsframe-probes state)"
state="$(symbol_size "$state_elf" WSFRAME_CONNECTION_STATE)"
config="$(symbol_size "$state_elf" WSFRAME_CONFIG)"
with_1k="$(symbol_size "$state_elf" WSFRAME_CONNECTION_1K)"
echo
echo "Connection state on $target (size_of::<Connection<&mut [u8], NoMask>>() - size_of::<&mut [u8]>()):"
if [ "$state" -le 64 ]; then verdict="ok (target <= 64)"; else verdict="MISSED (target <= 64)"; missed=1; fi
echo "  $state bytes, of which Config $config: $verdict"
echo "RAM of the 1 KiB stream setup: Connection<[u8; 1024], NoMask> $with_1k bytes + 256-byte tx buffer = $((with_1k + 256)) bytes"

deflate_elf="$(elf wsframe-deflate-probes state)"
inflater="$(symbol_size "$deflate_elf" WSFRAME_INFLATER)"
deflater="$(symbol_size "$deflate_elf" WSFRAME_DEFLATER)"
echo
echo "permessage-deflate RAM per connection on $target: Inflater state $inflater bytes + a window"
echo "of 2^bits bytes; Deflater state $deflater bytes + a hash table of 2 bytes an entry:"
for bits in 9 12 15; do
    echo "  window bits $bits: inflate $((inflater + (1 << bits))) bytes; with a 1,024-entry table, $((inflater + (1 << bits) + deflater + 2048)) bytes"
done

if [ "${FOOTPRINT_STRICT:-0}" = 1 ] && [ "$missed" = 1 ]; then
    exit 1
fi
