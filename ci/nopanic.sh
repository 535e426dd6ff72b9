#!/usr/bin/env bash
# Linker-confirmed panic freedom on a Cortex-M4F (thumbv7em-none-eabihf).
#
# The wire and connection probes (both roles, split halves; no handshake)
# must link no panic path at all. The probes with the opening handshake
# (server, client, adapter, handshake) link the panic paths inside its
# named dependencies, nom, sha1_smol and base64, which no code of ours can
# remove; they pass when ci/nopanic-classify.py finds that every path
# starts there and none in wsframe or the probe. The deflate probe (the
# connection with permessage-deflate, feature `deflate`) links only the
# panic paths of miniz_oxide, inflate's named dependency; the crate's own
# compressor and inflate glue link none.
#
# Builds the firmware probes in footprint/nopanic/ (a whole server, a whole
# client, the wire layers, the handshake helpers, the blocking adapter;
# every input from a volatile register) with LTO, one codegen unit and
# panic = abort, at opt-level "z" and at opt-level 3, with and without the
# simdutf8 feature. Their #[panic_handler] calls
# `wsframe_panic_path_is_linked`, which is defined nowhere: a probe links
# only when no panic path of wsframe survives.
#
# When a link fails, the probe is built again with a looping handler
# (feature `report`) and the script lists the panic symbols in it (nm) and
# every call into them, with the inlined call chain down to file:line
# (objdump, addr2line), then exits 1.
#
#   ci/nopanic.sh                                   # every probe, profile, feature set
#   NOPANIC_PROBES="server client" ci/nopanic.sh    # only these probes
#   NOPANIC_PROFILES=release-o3 ci/nopanic.sh       # only these Cargo profiles
#   NOPANIC_OVERFLOW_CHECKS=1 ci/nopanic.sh         # also with overflow checks on
#   NOPANIC_REPORT_ONLY=1 ci/nopanic.sh             # report, exit 0 (until fixed)
#
# Needs rustup and cargo; adds the target and, when neither llvm-* nor
# arm-none-eabi-* binutils are there, installs binutils-arm-none-eabi
# (apt-get). See footprint/nopanic/README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=thumbv7em-none-eabihf
crate="$root/footprint/nopanic"
out="$root/footprint/target/nopanic"
export CARGO_TERM_COLOR=never

# --- tools -----------------------------------------------------------------
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    rustup target add "$target"
fi
have() { command -v "$1" >/dev/null 2>&1; }
if have llvm-nm && have llvm-objdump && have llvm-addr2line; then
    NM=llvm-nm OBJDUMP=llvm-objdump ADDR2LINE=llvm-addr2line
else
    if ! have arm-none-eabi-nm; then
        sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update
        $sudo apt-get install -y binutils-arm-none-eabi
    fi
    NM=arm-none-eabi-nm OBJDUMP=arm-none-eabi-objdump ADDR2LINE=arm-none-eabi-addr2line
fi

# Symbols of the panic machinery: what a panic path calls into.
panic_re='core::panicking::|panic_bounds_check|panic_fmt|panic_const|panic_nounwind|'
panic_re+='slice_index_fail|slice_(start_|end_)?index_(len_)?fail|slice_index_order_fail|'
panic_re+='len_mismatch_fail|copy_from_slice_impl|str::slice_error_fail|unwrap_failed|'
panic_re+='expect_failed|overflow|assert_failed|rust_begin_unwind'

# Rust's legacy symbol escapes, as addr2line prints DWARF names, made readable.
demangle() {
    sed -e 's/::h[0-9a-f]\{16\}//g' -e 's/\$LT\$/</g' -e 's/\$GT\$/>/g' -e 's/\$RF\$/\&/g' \
        -e 's/\$u20\$/ /g' -e 's/\$u5b\$/[/g' -e 's/\$u5d\$/]/g' -e 's/\$u3b\$/;/g' \
        -e 's/\$C\$/,/g' -e 's/\$BP\$/*/g' -e 's/\$u7b\$/{/g' -e 's/\$u7d\$/}/g' \
        -e 's/\.\./::/g' -e 's/^\( *\)_</\1</' \
        -e 's|/root/.cargo/registry/src/[^/]*/||g' -e "s|$root/||g" \
        -e 's|/rustc/[0-9a-f]*/library/|std:|g'
}

# Every branch in an ELF (objdump -d -C), one a line: "site caller callee
# target", addresses in hex; callee is "+" for a branch inside the caller.
branches() {
    "$OBJDUMP" -d -C --no-show-raw-insn "$1" | awk '
        /^[0-9a-f]+ <.*>:$/ {
            name = substr($0, index($0, "<") + 1); sub(/>:$/, "", name)
            if (name !~ /^\$[adt]($|\.)/) fn = name   # not an ARM mapping symbol
            next
        }
        {
            line = $0; sub(/ +@ .*$/, "", line)   # llvm-objdump: "@ imm = #..."
            if (line !~ /\t(b[a-z.]*|cbn?z)\t/ || line !~ />$/) next
            site = $1; sub(/:$/, "", site)
            lt = index(line, "<"); callee = substr(line, lt + 1); sub(/>$/, "", callee)
            n = split(substr(line, 1, lt - 1), words, /[ \t,]+/); addr = words[n]
            if (addr == "") addr = words[n - 1]
            sub(/^0x/, "", addr)
            if (callee ~ /\+0x[0-9a-f]+$/) callee = "+"
            if (callee != fn) print site "\t" fn "\t" callee "\t" addr
        }'
}

# The inlined chain at every branch site of ELF $1 (the sites listed in
# file $2), one addr2line run: "site function file:line" a line, innermost
# frame first.
chains() {
    cut -f1 "$2" | sort -u | sed 's/^/0x/' | "$ADDR2LINE" -a -f -i -C -e "$1" | awk '
        /^0x[0-9a-f]+$/ { site = substr($0, 3); sub(/^0+/, "", site); fn = ""; next }
        fn == "" { fn = $0; next }
        {   # GNU addr2line: "file:?" for no line, and discriminators
            loc = $0; sub(/ \(discriminator [0-9]+\)$/, "", loc); sub(/:\?$/, ":0", loc)
            print site "\t" fn "\t" loc; fn = ""
        }'
}

# The chain at one site, from the table chains() made.
chain() {
    awk -F'\t' -v site="$2" '$1 == site { print "        " $2 "\t" $3 }' "$1" | demangle
}

# Name every call into the panic machinery in ELF $1, with the inlined
# chain at the call. A call whose chain shows no wsframe frame (inside a
# dependency or an outlined core helper) is followed to that function's
# callers, up to three levels; a call at line 0 (a panic block the compiler
# shared between several checks) is followed to the branches that reach it.
report() {
    local elf="$1" edges frames_at site caller callee addr seen=" "
    edges="$(mktemp)"
    frames_at="$(mktemp)"
    branches "$elf" >"$edges"
    chains "$elf" "$edges" >"$frames_at"
    echo "    panic symbols linked ($NM):"
    "$NM" -C "$elf" | awk '{ $1 = ""; $2 = ""; sub(/^  /, ""); print }' | grep -E "$panic_re" |
        grep -v wsframe_nopanic | sort -u | sed 's/^/        /' || true
    echo "    calls into them, with the inlined chain (innermost first):"
    explain() { # site caller callee indent depth
        local frames
        case "$seen" in *" $1 "*) return ;; esac
        seen+="$1 "
        echo "$4  0x$1 in $(demangle <<<"$2") -> $(demangle <<<"$3"):"
        frames="$(chain "$frames_at" "$1" | sed "s/^/$4/")"
        echo "$frames"
        [ "$5" -lt 4 ] || return 0
        if [[ $3 =~ $panic_re || $3 == "(a shared panic block)" ]] &&
            head -1 <<<"$frames" | grep -q 'footprint/nopanic/.*:[1-9][0-9]*$'; then
            echo "$4    (a check in the probe's own code: fix the probe)"
            return 0
        fi
        local s f t a lo=$((16#$1 - 8)) hi=$((16#$1))
        if head -1 <<<"$frames" | grep -q ':0$'; then
            # The shared block starts after the branch before the call.
            local own
            own="$(awk -F'\t' -v fn="$2" '$2 == fn' "$edges")"
            while IFS=$'\t' read -r s f t a; do
                [ $((16#$s)) -lt "$hi" ] && [ $((16#$s)) -ge "$lo" ] && lo=$((16#$s + 1))
            done <<<"$own"
            while IFS=$'\t' read -r s f t a; do
                [ "$t" = + ] && [ $((16#$a)) -ge "$lo" ] && [ $((16#$a)) -le "$hi" ] &&
                    explain "$s" "$f" "(a shared panic block)" "$4  " $(($5 + 1))
            done <<<"$own"
        fi
        if ! grep -q 'wsframe::' <<<"$frames"; then
            while IFS=$'\t' read -r s f t a; do
                [ -n "$s" ] && explain "$s" "$f" "$t" "$4  " $(($5 + 1))
            done < <(awk -F'\t' -v fn="$2" '$3 == fn' "$edges")
        fi
        return 0
    }
    while IFS=$'\t' read -r site caller callee addr; do
        [[ $callee =~ $panic_re ]] || continue
        # Calls inside the panic machinery itself are not paths into it.
        [[ $caller =~ $panic_re|^core::fmt ]] && continue
        explain "$site" "$caller" "$callee" "    " 0
    done <"$edges"
    rm -f "$edges" "$frames_at"
}

# --- check -----------------------------------------------------------------
cd "$crate"
probes="${NOPANIC_PROBES:-$(for f in src/bin/*.rs; do basename "$f" .rs; done)}"
# Probes that include the opening handshake (see the check below); every
# other probe (wire, connection) must link no panic path at all.
dependency_probes="server client adapter handshake deflate"
failed=()
profiles="${NOPANIC_PROFILES:-release release-o3}"
if [ "${NOPANIC_OVERFLOW_CHECKS:-0}" = 1 ]; then profiles+=" release-overflow"; fi
for profile in $profiles; do
    for features in "" simdutf8; do
        label="$profile${features:+ +$features}"
        for probe in $probes; do
            log="$(mktemp)"
            # The deflate probe needs its feature.
            probe_features="$features"
            [ "$probe" = deflate ] && probe_features="deflate${features:+,$features}"
            if CARGO_TARGET_DIR="$out/check" cargo build --locked -q --profile "$profile" \
                --features "$probe_features" --bin "$probe" 2>"$log"; then
                echo "ok: $probe ($label): no panic path linked"
                rm -f "$log"
                continue
            fi
            if ! grep -q wsframe_panic_path_is_linked "$log"; then
                cat "$log" >&2
                echo "error: $probe ($label) did not build" >&2
                exit 1
            fi
            grep -m1 'undefined symbol' "$log" | sed 's/^[ =a-z:]*rust-lld: /    the link: /' || true
            rm -f "$log"
            CARGO_TARGET_DIR="$out/report" cargo build --locked -q --profile "$profile" \
                --features "report,$probe_features" --bin "$probe"
            found="$(mktemp)"
            report "$out/report/$target/$profile/$probe" >"$found"
            # The probes with the opening handshake link the panic paths of
            # its named dependencies (nom, sha1_smol, base64), which no code
            # of ours can remove; they pass when every path starts there.
            if [[ " $dependency_probes " == *" $probe "* ]] \
                && classified="$(python3 "$root/ci/nopanic-classify.py" <"$found")"; then
                echo "ok: $probe ($label): panic paths only inside named dependencies (nom, sha1_smol, base64; miniz_oxide)"
                echo "$classified" | sed 's/^/   /'
                rm -f "$found"
                continue
            fi
            echo "FAILED: $probe ($label): a panic path is linked"
            cat "$found"
            [[ " $dependency_probes " == *" $probe "* ]] && python3 "$root/ci/nopanic-classify.py" <"$found" || true
            rm -f "$found"
            failed+=("$probe ($label)")
        done
    done
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo
    echo "panic paths linked in: ${failed[*]}"
    echo "(a probe's #[panic_handler] calls wsframe_panic_path_is_linked, defined nowhere;"
    echo " see footprint/nopanic/README.md for reading the report above)"
    if [ "${NOPANIC_REPORT_ONLY:-0}" = 1 ]; then
        echo "NOPANIC_REPORT_ONLY=1: reported, not failed"
        exit 0
    fi
    exit 1
fi
echo "no panic path linked in any probe"
