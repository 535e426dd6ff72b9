#!/usr/bin/env bash
# Interop with real peers no one here wrote (issue 6), both roles:
#   python-client  Python websockets client  -> examples/echo_server     (server role)
#   python-server  examples/interop_client   -> Python websockets server (client role)
#   node-client    Node ws client            -> examples/echo_server     (server role)
#   node-server    examples/interop_client   -> Node ws server           (client role)
#   browser        headless Chromium (playwright-core) -> examples/chat_server
#   browser-axum   the same browser run                -> examples/axum_chat (axum + hyper upgrade)
# and over TLS (issue 16), against chat_server --tls-cert/--tls-key with a
# throwaway CA and localhost certificate made here with openssl:
#   python-tls     Python websockets clients (ssl context trusting the CA) -> wss://
#   node-tls       Node ws clients (`ca` option)                          -> wss://
#   browser-tls    headless Chromium, trusting the server key by its SPKI hash -> https:// + wss://
# permessage-deflate (issue 15) is agreed in every run; in the five plain
# runs a recording proxy (interop/capture/wsproxy.py) sits between the peer
# and our program and proves compressed (RSV1) messages went both ways.
# Installs what it needs on a fresh Debian machine (apt: chromium, and node,
# npm, python3-venv, openssl if missing; a virtualenv under target/interop-venv from
# interop/python/requirements.txt; `npm ci` in interop/node), builds the
# examples once, runs every peer, prints a PASS/FAIL line per peer and exits
# 1 if any failed. Servers listen on 127.0.0.1 only; every process started
# here is killed on exit; every wait is bounded.
#   usage: ci/interop.sh [OUTDIR]      (default target/interop: logs, chat.png)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
OUT=${1:-$ROOT/target/interop}
VENV=$ROOT/target/interop-venv
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples
PROTOCOL=wsframe.interop.v1
mkdir -p "$OUT"
START=$SECONDS

PIDS=()
PKI=$(mktemp -d "${TMPDIR:-/tmp}/wsframe-interop-pki.XXXXXX") || exit 2
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$PKI"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo; echo "=== $*"; }
die() { echo "interop: $*" >&2; exit 2; }

# --- install -----------------------------------------------------------------
say "install"
apt_pkgs=()
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
command -v node >/dev/null && command -v npm >/dev/null || apt_pkgs+=(nodejs npm)
command -v python3 >/dev/null || apt_pkgs+=(python3)
command -v openssl >/dev/null || apt_pkgs+=(openssl)
if [ ! -x "$VENV/bin/python" ] && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt_pkgs+=(python3-venv)
fi
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  echo "apt-get install ${apt_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 120 apt-get update -qq >"$OUT/apt.log" 2>&1 || die "apt-get update failed (see $OUT/apt.log)"
  timeout 600 apt-get install -y -qq "${apt_pkgs[@]}" >>"$OUT/apt.log" 2>&1 ||
    die "apt-get install failed (see $OUT/apt.log)"
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || die "python3 -m venv failed"
timeout 300 "$VENV/bin/pip" install -q --disable-pip-version-check -r interop/python/requirements.txt ||
  die "pip install failed"
timeout 300 npm ci --prefix interop/node --no-audit --no-fund --loglevel=error >"$OUT/npm.log" 2>&1 ||
  { cat "$OUT/npm.log"; die "npm ci failed"; }
echo "python $("$VENV/bin/python" -c 'import sys, websockets; print(sys.version.split()[0], "websockets", websockets.__version__)')"
echo "node $(node --version) ws $(node -p 'require("./interop/node/node_modules/ws/package.json").version')" \
  "playwright-core $(node -p 'require("./interop/node/node_modules/playwright-core/package.json").version')"
/usr/bin/chromium --version 2>/dev/null | head -1

say "build the examples"
timeout 1200 cargo build --release --examples --quiet || die "cargo build failed"
echo "install + build: $((SECONDS - START)) s"

# --- helpers -----------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Start a server in the background (logging to $OUT/NAME-server.log) and wait
# up to 10 s for its port to accept connections.
start_server() { # NAME PORT CMD...
  local name=$1; shift
  start_logged "$OUT/$name-server.log" "$@"
}

start_logged() { # LOG PORT CMD...
  local log=$1 port=$2 name; shift 2
  name=$(basename "$log" .log)
  "$@" >"$log" 2>&1 &
  PIDS+=($!)
  local pid=$!
  for _ in $(seq 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2).close()" 2>/dev/null; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not listen on 127.0.0.1:$port"; cat "$log"
  return 1
}

# --- the capture: a recording proxy between a peer and our program -----------
# start_capture NAME TARGET-PORT: wsproxy.py on a free port (CAPTURE_PORT)
# relaying to TARGET-PORT, its log $OUT/NAME-capture.log, its record of
# every connection $OUT/NAME-capture.jsonl. Stop it with stop_server.
start_capture() {
  CAPTURE_PORT=$(free_port)
  rm -f "$OUT/$1-capture.jsonl"
  start_logged "$OUT/$1-capture.log" "$CAPTURE_PORT" \
    python3 interop/capture/wsproxy.py serve "$CAPTURE_PORT" "$2" "$OUT/$1-capture.jsonl"
}

# expect_capture NAME [--path P | --size N]...: every 101 agreed
# permessage-deflate, zlib inflated every compressed message, and compressed
# messages went both ways (in total, on each path, of each size).
expect_capture() {
  local name=$1; shift
  echo "-- the capture's view ($name-capture.jsonl)"
  python3 interop/capture/wsproxy.py check "$OUT/$name-capture.jsonl" "$@" | tee "$OUT/$name-capture.txt"
  [ "${PIPESTATUS[0]}" = 0 ] && echo "ok   compressed (RSV1) messages both ways on the wire"
}

stop_server() { kill "${PIDS[-1]}" 2>/dev/null; wait "${PIDS[-1]}" 2>/dev/null; unset 'PIDS[-1]'; }

# A log check: at least MIN lines match PATTERN (grep -E), or print why.
expect_lines() { # FILE MIN PATTERN WHAT
  local n
  n=$(grep -cE -- "$3" "$1" || true)
  if [ "$n" -ge "$2" ]; then echo "ok   $4 ($n lines)"; else echo "FAIL $4: $n lines match /$3/ in $(basename "$1"), want >= $2"; return 1; fi
}
expect_none() { # FILE PATTERN WHAT
  if grep -qE -- "$2" "$1"; then echo "FAIL $3: $(grep -m1 -E -- "$2" "$1")"; return 1; else echo "ok   $3"; fi
}

declare -A RESULT
ORDER=()
record() { # NAME STATUS SECONDS
  ORDER+=("$1"); RESULT[$1]="$2 ($3 s)"
}

# --- server role: peers' clients against echo_server -------------------------
server_role() { # NAME CLIENT-CMD...
  local name=$1; shift
  local t0=$SECONDS ok=1 port
  say "$name: $*  ->  echo_server"
  port=$(free_port)
  start_server "$name" "$port" "$BIN/echo_server" "127.0.0.1:$port" --protocol "$PROTOCOL" --verbose --commands || ok=0
  [ $ok = 1 ] && { start_capture "$name" "$port" || ok=0; }
  if [ $ok = 1 ]; then
    timeout 120 "$@" "ws://127.0.0.1:$CAPTURE_PORT" 2>&1 | tee "$OUT/$name.log"
    [ "${PIPESTATUS[0]}" = 0 ] || ok=0
    stop_server # the capture
    stop_server
    local log=$OUT/$name-server.log
    echo "-- echo_server's view ($(basename "$log"))"
    # Every connection offered deflate and the subprotocol; the server chose
    # the subprotocol and agreed permessage-deflate.
    local shakes
    shakes=$(grep -c ' handshake ' "$log" || true)
    expect_lines "$log" 7 "handshake .*offered \[x-unknown.example, $PROTOCOL\] chosen $PROTOCOL extensions offered \[permessage-deflate[^]]*\]\$" \
      "subprotocol chosen, permessage-deflate offered" || ok=0
    [ "$shakes" = "$(grep -cE "chosen $PROTOCOL extensions offered \[permessage-deflate" "$log")" ] ||
      { echo "FAIL some of the $shakes handshakes lacked the offer"; ok=0; }
    [ "$shakes" = "$(grep -cE ' deflate agreed$' "$log")" ] ||
      { echo "FAIL permessage-deflate agreed on $(grep -cE ' deflate agreed$' "$log") of $shakes handshakes"; ok=0; }
    expect_none "$log" ' deflate declined$' "permessage-deflate agreed on all $shakes" || ok=0
    expect_lines "$log" 1 'close received: code 4001 reason ".* says bye ✓"' "the client's close code and reason seen by the server" || ok=0
    # The peer's 1 MiB + 1 zeros arrive compressed (about 1 KB): refused
    # while inflating, once the output passes the cap.
    expect_lines "$log" 1 'message of 1048577 bytes exceeds the 1048576-byte limit \(close code 1009\)' "1 MiB + 1 (compressed) refused with 1009" || ok=0
    # Node also sends it uncompressed (compress: false): refused from the frame header.
    if grep -q '^ok   1 MiB + 1 uncompressed' "$OUT/$name.log"; then
      expect_lines "$log" 1 'frame of 1048577 bytes exceeds the 1048576-byte limit \(close code 1009\)' "1 MiB + 1 uncompressed refused from its header" || ok=0
    fi
    expect_capture "$name" --path /deflate || ok=0
  fi
  record "$name" "$([ $ok = 1 ] && echo PASS || echo FAIL)" $((SECONDS - t0))
}

# --- client role: interop_client against the peers' servers -------------------
client_role() { # NAME NEGOTIATED-PATTERN SERVER-CMD...
  local name=$1 negotiated=$2; shift 2
  local t0=$SECONDS ok=1 port
  port=$(free_port)
  say "$name: interop_client  ->  $*"
  start_server "$name" "$port" "$@" "$port" || ok=0
  [ $ok = 1 ] && { start_capture "$name" "$port" || ok=0; }
  if [ $ok = 1 ]; then
    timeout 180 "$BIN/interop_client" "ws://127.0.0.1:$CAPTURE_PORT" --protocol "$PROTOCOL" 2>&1 | tee "$OUT/$name.log"
    [ "${PIPESTATUS[0]}" = 0 ] || ok=0
    stop_server # the capture
    stop_server
    expect_lines "$OUT/$name.log" 1 '^interop_client: permessage-deflate offered, agreed on ([0-9]+) of \1 connections$' \
      "our client: permessage-deflate agreed on every connection" || ok=0
    local log=$OUT/$name-server.log
    echo "-- the peer server's view ($(basename "$log"))"
    # Our client offers permessage-deflate; the peer (deflate enabled) agrees.
    expect_lines "$log" 9 "protocol=$PROTOCOL offered extensions=$negotiated" \
      "subprotocol chosen; permessage-deflate offered and negotiated" || ok=0
    expect_none "$log" "protocol=$PROTOCOL offered extensions=(None|undefined)" "no connection without the offer" || ok=0
    expect_lines "$log" 1 '/deflate: close received .* rsv1 in=([3-9]|[0-9]{2,}) out=([3-9]|[0-9]{2,})$' \
      "the peer counted our 3 compressed messages on /deflate and compressed its 3 echoes" || ok=0
    expect_lines "$log" 1 "/we-close: close received.*4001.*wsframe says bye ✓" "our close code and reason seen by the peer" || ok=0
    expect_capture "$name" --path /deflate || ok=0
  fi
  record "$name" "$([ $ok = 1 ] && echo PASS || echo FAIL)" $((SECONDS - t0))
}

server_role python-client "$VENV/bin/python" interop/python/client.py
client_role python-server "'permessage-deflate; client_max_window_bits' negotiated=\\['permessage-deflate'\\]" \
  "$VENV/bin/python" interop/python/server.py
server_role node-client node interop/node/client.js
client_role node-server '"permessage-deflate; client_max_window_bits" negotiated="permessage-deflate"' \
  node interop/node/server.js

# --- a real browser -------------------------------------------------------------
t0=$SECONDS ok=1
port=$(free_port)
say "browser: headless Chromium  ->  chat_server"
rm -f "$OUT/chat.png"
start_server browser "$port" "$BIN/chat_server" "127.0.0.1:$port" || ok=0
[ $ok = 1 ] && { start_capture browser "$port" || ok=0; }
if [ $ok = 1 ]; then
  # The page is loaded through the capture too, so its socket goes there.
  timeout 180 node interop/node/browser.js "http://127.0.0.1:$CAPTURE_PORT" "$OUT/chat.png" 2>&1 | tee "$OUT/browser.log"
  [ "${PIPESTATUS[0]}" = 0 ] || ok=0
  [ -s "$OUT/chat.png" ] || { echo "FAIL no screenshot at $OUT/chat.png"; ok=0; }
  stop_server # the capture
  stop_server
  # browser.js sends two 4096-byte JSON messages between the pages: each
  # compressed by Chromium and, broadcast, by chat_server.
  expect_capture browser --size 4096 || ok=0
fi
record browser "$([ $ok = 1 ] && echo PASS || echo FAIL)" $((SECONDS - t0))

# The same page and room served by axum, upgraded through hyper (issue 17):
# browser.js is pointed at axum_chat's URL instead.
t0=$SECONDS ok=1
port=$(free_port)
say "browser-axum: headless Chromium  ->  axum_chat"
rm -f "$OUT/chat-axum.png"
start_server browser-axum "$port" "$BIN/axum_chat" "127.0.0.1:$port" || ok=0
if [ $ok = 1 ]; then
  timeout 180 node interop/node/browser.js "http://127.0.0.1:$port" "$OUT/chat-axum.png" 2>&1 | tee "$OUT/browser-axum.log"
  [ "${PIPESTATUS[0]}" = 0 ] || ok=0
  [ -s "$OUT/chat-axum.png" ] || { echo "FAIL no screenshot at $OUT/chat-axum.png"; ok=0; }
  stop_server
fi
record browser-axum "$([ $ok = 1 ] && echo PASS || echo FAIL)" $((SECONDS - t0))

# --- over TLS: wss:// and https:// ----------------------------------------------
# A throwaway CA and a certificate for localhost and 127.0.0.1 signed by it
# (EC P-256, valid 2 days), in a temporary directory removed on exit.
make_pki() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=wsframe interop throwaway CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.pem" &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
      -keyout "$PKI/key.pem" -out "$PKI/server.csr" &&
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$PKI/server.ext" &&
    openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
      -days 2 -extfile "$PKI/server.ext" -out "$PKI/cert.pem"
}
say "TLS: a throwaway CA and a localhost certificate (openssl $(openssl version | cut -d' ' -f2))"
if make_pki >"$OUT/pki.log" 2>&1; then
  # Chromium trusts exactly this key: the base64 SHA-256 of its SubjectPublicKeyInfo.
  SPKI=$(openssl x509 -in "$PKI/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)
  openssl x509 -in "$PKI/cert.pem" -noout -subject -issuer -ext subjectAltName | sed 's/^/  /'
  echo "  SPKI sha256 $SPKI"
else
  cat "$OUT/pki.log"
  SPKI=
fi

# NAME CLIENT-CMD... (the client gets the wss:// URL and the CA file)
tls_run() {
  local name=$1; shift
  local t0=$SECONDS ok=1 port
  say "$name: $*  ->  chat_server --tls-cert --tls-key"
  port=$(free_port)
  [ -n "$SPKI" ] || ok=0
  [ $ok = 1 ] && { start_server "$name" "$port" "$BIN/chat_server" "127.0.0.1:$port" \
    --tls-cert "$PKI/cert.pem" --tls-key "$PKI/key.pem" || ok=0; }
  if [ $ok = 1 ]; then
    timeout 120 "$@" "wss://localhost:$port/ws" "$PKI/ca.pem" 2>&1 | tee "$OUT/$name.log"
    [ "${PIPESTATUS[0]}" = 0 ] || ok=0
    stop_server
    local log=$OUT/$name-server.log
    echo "-- chat_server's view ($(basename "$log"))"
    # (The untrusting client's refusal is checked on its side: OpenSSL and
    # Node hang up without an alert chat_server gets to read.)
    expect_lines "$log" 1 'exceeds the 1048576-byte limit \(close code 1009\)' "1 MiB + 1 refused over TLS" || ok=0
  fi
  record "$name" "$([ $ok = 1 ] && echo PASS || echo FAIL)" $((SECONDS - t0))
}

tls_run python-tls "$VENV/bin/python" interop/python/tls_chat.py
tls_run node-tls node interop/node/tls_chat.js

t0=$SECONDS ok=1
port=$(free_port)
say "browser-tls: headless Chromium  ->  chat_server --tls-cert --tls-key (https:// + wss://)"
rm -f "$OUT/chat-tls.png"
[ -n "$SPKI" ] || ok=0
[ $ok = 1 ] && { start_server browser-tls "$port" "$BIN/chat_server" "127.0.0.1:$port" \
  --tls-cert "$PKI/cert.pem" --tls-key "$PKI/key.pem" || ok=0; }
if [ $ok = 1 ]; then
  timeout 180 node interop/node/browser.js "https://localhost:$port" "$OUT/chat-tls.png" "$SPKI" 2>&1 |
    tee "$OUT/browser-tls.log"
  [ "${PIPESTATUS[0]}" = 0 ] || ok=0
  [ -s "$OUT/chat-tls.png" ] || { echo "FAIL no screenshot at $OUT/chat-tls.png"; ok=0; }
  stop_server
  expect_lines "$OUT/browser-tls-server.log" 1 'TLS: handshake failed: received fatal alert' \
    "the browser without the SPKI flag refused the certificate, with an alert" || ok=0
fi
record browser-tls "$([ $ok = 1 ] && echo PASS || echo FAIL)" $((SECONDS - t0))

# --- summary -------------------------------------------------------------------
say "interop summary (logs in $OUT)"
fail=0
for name in "${ORDER[@]}"; do
  printf '%-14s %s\n' "$name" "${RESULT[$name]}"
  case ${RESULT[$name]} in PASS*) ;; *) fail=1 ;; esac
done
echo "total $((SECONDS - START)) s"
exit $fail
