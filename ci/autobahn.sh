#!/usr/bin/env bash
# Autobahn|Testsuite against both roles.
#   - server role: the fuzzing client against examples/echo_server
#   - client role: the fuzzing server driving examples/autobahn_client
# Cases 1-10, each role twice: at the default 1 MiB cap (cases 9.x over
# 1 MiB must be refused with 1009: summarize.py --cap-ok) and at a 16 MiB
# cap (every case). Then both roles once more on the split halves (--split:
# a reader thread and a writer thread per connection), at the 16 MiB cap.
# Then cases 12-13 (permessage-deflate, RFC 7692; no case is over 1 MiB),
# each role once, strict (no case NON-STRICT): in CI a subset, cases 1-9 of
# every group (messages up to 4 KiB, every parameter set) and all of 12.1
# and 13.7 (up to 128 KiB, ~70 s a role); with --full all 216 (~4.5 min a
# role).
# Then the server role once more against examples/axum_chat's /echo (axum
# and hyper upgrade, wsframe adopts the stream), at its fixed 1 MiB cap,
# strict: no case FAILED and none NON-STRICT (under a minute; same venv).
# Exit 1 if any case FAILED (or, for the strict runs, is NON-STRICT).
#   usage: ci/autobahn.sh [--full] [OUTDIR]     (default target/autobahn)
#   env:   CONFORMANCE   path of shared/conformance (default ../shared/conformance)
#          AUTOBAHN_ONLY=axum   run only the axum_chat part
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONF=${CONFORMANCE:-$ROOT/../shared/conformance}
FULL=0
if [ "${1:-}" = --full ]; then FULL=1; shift; fi
OUT=${1:-$ROOT/target/autobahn}
mkdir -p "$OUT"
[ -x "$CONF/run-server-tests.sh" ] || { echo "no conformance scripts at $CONF" >&2; exit 2; }

cargo build --release --examples --quiet
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples
"$CONF/setup.sh" /tmp/ab3 >"$OUT/setup.log" 2>&1 || { cat "$OUT/setup.log"; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

fail=0
verdict() { # OUTDIR [--cap-ok]
  if python3 "$CONF/summarize.py" "$@"; then :; else fail=1; fi
}
# As verdict, and a NON-STRICT case fails too.
verdict_strict() { # OUTDIR [--cap-ok]
  local out
  out=$(python3 "$CONF/summarize.py" "$@") || fail=1
  echo "$out"
  echo "$out" | grep -qE '^ +NON-STRICT +0$' || { echo "  some cases are NON-STRICT"; fail=1; }
}

# Server role behind axum + hyper: examples/axum_chat's /echo route.
axum_run() {
  local port
  port=$(free_port)
  "$BIN/axum_chat" "127.0.0.1:$port" >"$OUT/axum_chat.log" 2>&1 &
  PIDS+=($!)
  AB_PATH=/echo AB_AGENT="wsframe-axum" "$CONF/run-server-tests.sh" 127.0.0.1 "$port" "$OUT/server-axum" >/dev/null 2>&1 || true
  echo "== server role behind axum/hyper (axum_chat /echo), cap 1 MiB (fixed), strict"
  verdict_strict "$OUT/server-axum" --cap-ok
}
if [ "${AUTOBAHN_ONLY:-}" = axum ]; then
  axum_run
  exit $fail
fi

# Server role.
for cap in default 16m; do
  port=$(free_port)
  args=("127.0.0.1:$port"); [ "$cap" = 16m ] && args+=(--max-message 16777216)
  "$BIN/echo_server" "${args[@]}" >"$OUT/echo_server-$cap.log" 2>&1 &
  PIDS+=($!)
  AB_AGENT="wsframe-$cap" "$CONF/run-server-tests.sh" 127.0.0.1 "$port" "$OUT/server-$cap" >/dev/null 2>&1 || true
  echo "== server role, cap $cap"
  if [ "$cap" = default ]; then verdict "$OUT/server-$cap" --cap-ok; else verdict "$OUT/server-$cap"; fi
done

# Client role.
for cap in default 16m; do
  port=$(free_port)
  extra=(); [ "$cap" = 16m ] && extra=(--max-message 16777216)
  "$CONF/run-client-tests.sh" "$port" "$OUT/client-$cap" all -- \
    "$BIN/autobahn_client" "ws://127.0.0.1:$port" "wsframe-$cap" "${extra[@]}" >/dev/null 2>&1 || true
  echo "== client role, cap $cap"
  if [ "$cap" = default ]; then verdict "$OUT/client-$cap" --cap-ok; else verdict "$OUT/client-$cap"; fi
done
# Both roles on the split halves.
port=$(free_port)
"$BIN/echo_server" "127.0.0.1:$port" --max-message 16777216 --split >"$OUT/echo_server-split.log" 2>&1 &
PIDS+=($!)
AB_AGENT="wsframe-split" "$CONF/run-server-tests.sh" 127.0.0.1 "$port" "$OUT/server-split" >/dev/null 2>&1 || true
echo "== server role on split halves, cap 16m"
verdict "$OUT/server-split"
port=$(free_port)
"$CONF/run-client-tests.sh" "$port" "$OUT/client-split" all -- \
  "$BIN/autobahn_client" "ws://127.0.0.1:$port" "wsframe-split" --max-message 16777216 --split >/dev/null 2>&1 || true
echo "== client role on split halves, cap 16m"
verdict "$OUT/client-split"

# permessage-deflate, both roles.
if [ $FULL = 1 ]; then
  DEFLATE_CASES='12.*,13.*'
else
  DEFLATE_CASES=$(python3 -c 'print(",".join([f"{a}.{b}.{n}" for a, groups in ((12, 5), (13, 7)) for b in range(1, groups + 1) for n in range(1, 10)] + ["12.1.*", "13.7.*"]))')
fi
port=$(free_port)
"$BIN/echo_server" "127.0.0.1:$port" >"$OUT/echo_server-deflate.log" 2>&1 &
PIDS+=($!)
AB_EXCLUDE="" AB_AGENT="wsframe-deflate" "$CONF/run-server-tests.sh" 127.0.0.1 "$port" "$OUT/server-deflate" "$DEFLATE_CASES" >/dev/null 2>&1 || true
echo "== server role, permessage-deflate (12-13$([ $FULL = 1 ] || echo ', CI subset')), strict"
verdict_strict "$OUT/server-deflate"
port=$(free_port)
AB_EXCLUDE="" "$CONF/run-client-tests.sh" "$port" "$OUT/client-deflate" "$DEFLATE_CASES" -- \
  "$BIN/autobahn_client" "ws://127.0.0.1:$port" "wsframe-deflate" >/dev/null 2>&1 || true
echo "== client role, permessage-deflate (12-13$([ $FULL = 1 ] || echo ', CI subset')), strict"
verdict_strict "$OUT/client-deflate"

axum_run
exit $fail
