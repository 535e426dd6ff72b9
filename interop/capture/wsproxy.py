#!/usr/bin/env python3
"""A recording TCP proxy for WebSocket connections: what flowed on the wire.

    python3 wsproxy.py serve LISTEN_PORT TARGET_PORT RECORD.jsonl
    python3 wsproxy.py check RECORD.jsonl [--min N] [--path PATH]... [--size BYTES]...

`serve` listens on 127.0.0.1:LISTEN_PORT and relays every connection to
127.0.0.1:TARGET_PORT byte for byte (half-closes included), while it reads
a copy of each direction: the HTTP head, then, after a 101, the frames
(RFC 6455 §5.2). Per connection and direction it counts data messages, the
compressed ones (RSV1 on the first frame, RFC 7692 §6) with their bytes on
the wire, and inflates those with zlib (raw deflate, the `00 00 ff ff`
tail put back, context kept across messages unless the 101 said
`*_no_context_takeover`): an independent check that the compressed bytes
are valid DEFLATE and of what they carry. One JSON line per connection goes
to RECORD.jsonl when it ends (or when the proxy is stopped). Plain HTTP
exchanges (a page, a favicon) are relayed and recorded as such.

`check` prints one line per WebSocket connection and the totals per
direction, and exits 1 unless: every 101 agreed permessage-deflate, no
compressed message failed to inflate and none set RSV1 where RFC 7692
forbids it (control and continuation frames), and at least N (default 1)
compressed messages went each way in total and on each `--path` given,
and for each `--size BYTES` a compressed message that inflates to exactly
BYTES bytes went each way.

Standard library only; nothing listens beyond 127.0.0.1.
"""
import asyncio
import json
import signal
import sys
import zlib

TAIL = b"\x00\x00\xff\xff"
OPCODES = {0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}


class Direction:
    """The frames of one direction of one connection, parsed from a copy."""

    def __init__(self, name):
        self.name = name
        self.buf = bytearray()
        self.head = None  # the HTTP head, once complete
        self.framing = False  # after the 101
        self.stats = {
            "frames": 0,
            "messages": 0,
            "compressed": 0,
            "compressed_wire_bytes": 0,
            "compressed_inflated_bytes": 0,
            "plain_bytes": 0,
            "inflate_errors": 0,
            "rsv1_misplaced": 0,
            "control": 0,
            "inflated_sizes": [],  # of the compressed messages, the first 1,000
        }
        self.message = None  # (compressed, [payloads]) of the message in progress
        self.inflater = None
        self.fresh_context = False  # *_no_context_takeover agreed

    def feed(self, data):
        self.buf += data
        if self.head is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            self.head = bytes(self.buf[: end + 4])
            del self.buf[: end + 4]
        if self.framing:
            self.frames()

    def frames(self):
        while True:
            b = self.buf
            if len(b) < 2:
                return
            fin, rsv1, opcode = b[0] & 0x80, b[0] & 0x40, b[0] & 0x0F
            masked, n = b[1] & 0x80, b[1] & 0x7F
            at = 2
            if n == 126:
                if len(b) < 4:
                    return
                n, at = int.from_bytes(b[2:4], "big"), 4
            elif n == 127:
                if len(b) < 10:
                    return
                n, at = int.from_bytes(b[2:10], "big"), 10
            key = b""
            if masked:
                if len(b) < at + 4:
                    return
                key, at = bytes(b[at : at + 4]), at + 4
            if len(b) < at + n:
                return
            payload = bytes(b[at : at + n])
            del b[: at + n]
            if key:
                payload = unmask(payload, key)
            self.frame(bool(fin), bool(rsv1), opcode, payload)

    def frame(self, fin, rsv1, opcode, payload):
        s = self.stats
        s["frames"] += 1
        if opcode >= 8:
            s["control"] += 1
            if rsv1:
                s["rsv1_misplaced"] += 1
            return
        if opcode == 0:
            if rsv1:
                s["rsv1_misplaced"] += 1
            if self.message is None:
                return  # the peer will fail the connection; nothing to count
        else:
            self.message = (rsv1, [])
        self.message[1].append(payload)
        if fin:
            compressed, parts = self.message
            self.message = None
            self.finish(compressed, b"".join(parts))

    def finish(self, compressed, data):
        s = self.stats
        s["messages"] += 1
        if not compressed:
            s["plain_bytes"] += len(data)
            return
        s["compressed"] += 1
        s["compressed_wire_bytes"] += len(data)
        if self.inflater is None or self.fresh_context:
            self.inflater = zlib.decompressobj(wbits=-15)
        try:
            out = self.inflater.decompress(data + TAIL)
            s["compressed_inflated_bytes"] += len(out)
            if len(s["inflated_sizes"]) < 1000:
                s["inflated_sizes"].append(len(out))
        except zlib.error:
            s["inflate_errors"] += 1
            self.inflater = None


def unmask(payload, key):
    n = len(payload)
    whole = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(whole, "little")).to_bytes(n, "little")


def header(head, name):
    for line in head.decode("latin-1").split("\r\n")[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == name.lower():
            return v.strip()
    return None


class Record:
    def __init__(self, number):
        self.number = number
        self.up = Direction("client->server")
        self.down = Direction("server->client")
        self.written = False

    def on_response(self):
        """Called once the response head is complete: start framing after a 101."""
        head = self.down.head
        if not head.startswith(b"HTTP/1.1 101"):
            return
        answered = header(head, "Sec-WebSocket-Extensions") or ""
        params = [p.strip() for p in answered.split(";")]
        self.up.fresh_context = "client_no_context_takeover" in params
        self.down.fresh_context = "server_no_context_takeover" in params
        for d in (self.up, self.down):
            d.framing = True
            d.frames()

    def json(self, still_open=False):
        req = self.up.head or b""
        res = self.down.head or b""
        line0 = req.split(b"\r\n", 1)[0].decode("latin-1")
        return {
            "conn": self.number,
            "request": line0,
            "path": line0.split(" ")[1] if line0.count(" ") >= 2 else None,
            "status": res[9:12].decode("latin-1") if res else None,
            "offered": header(req, "Sec-WebSocket-Extensions") if req else None,
            "answered": header(res, "Sec-WebSocket-Extensions") if res else None,
            "open_at_stop": still_open,
            "client_to_server": self.up.stats,
            "server_to_client": self.down.stats,
        }


async def relay(reader, writer, direction, record):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
            had_head = direction.head is not None
            direction.feed(data)
            if direction is record.down and not had_head and direction.head is not None:
                record.on_response()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.transport.abort()


async def serve(listen_port, target_port, path):
    out = open(path, "a", encoding="utf-8")
    records = []

    def write(record, still_open=False):
        if record.written:
            return
        record.written = True
        line = record.json(still_open)
        out.write(json.dumps(line) + "\n")
        out.flush()
        print(summary_line(line), flush=True)

    async def handle(client_r, client_w):
        record = Record(len(records) + 1)
        records.append(record)
        try:
            server_r, server_w = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", target_port), 10
            )
        except (OSError, asyncio.TimeoutError) as e:
            print(f"conn {record.number}: target 127.0.0.1:{target_port}: {e}", flush=True)
            client_w.close()
            return
        await asyncio.gather(
            relay(client_r, server_w, record.up, record),
            relay(server_r, client_w, record.down, record),
        )
        for w in (client_w, server_w):
            w.close()
        write(record)

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    print(f"wsproxy 127.0.0.1:{listen_port} -> 127.0.0.1:{target_port}, recording to {path}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), 600)
    except asyncio.TimeoutError:
        pass
    server.close()
    for record in records:
        write(record, still_open=True)
    out.close()


def summary_line(r):
    def side(s):
        return (
            f"{s['compressed']}/{s['messages']} compressed "
            f"({s['compressed_wire_bytes']} B on the wire -> {s['compressed_inflated_bytes']} B inflated"
            + (f", {s['inflate_errors']} INFLATE ERRORS" if s["inflate_errors"] else "")
            + (f", {s['rsv1_misplaced']} MISPLACED RSV1" if s["rsv1_misplaced"] else "")
            + ")"
        )

    if not r["request"]:
        return f"conn {r['conn']}: no request (closed without one: a port probe)"
    if r["status"] != "101":
        return f"conn {r['conn']} {r['request']!r}: HTTP {r['status']} (not a WebSocket)"
    return (
        f"conn {r['conn']} {r['path']}: answered {r['answered']!r}; "
        f"client->server {side(r['client_to_server'])}; server->client {side(r['server_to_client'])}"
    )


def check(path, minimum, paths, sizes):
    try:
        with open(path, encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.strip()]
    except OSError as e:
        print(f"FAIL capture: {e}")
        return 1
    sockets = [r for r in records if r["status"] == "101"]
    failures = []
    totals = {d: {"compressed": 0, "messages": 0, "wire": 0, "inflated": 0} for d in ("client_to_server", "server_to_client")}
    for r in sockets:
        print(summary_line(r))
        if "permessage-deflate" not in (r["answered"] or ""):
            failures.append(f"conn {r['conn']} {r['path']}: the 101 did not agree permessage-deflate ({r['answered']!r})")
        for d, t in totals.items():
            s = r[d]
            t["compressed"] += s["compressed"]
            t["messages"] += s["messages"]
            t["wire"] += s["compressed_wire_bytes"]
            t["inflated"] += s["compressed_inflated_bytes"]
            if s["inflate_errors"]:
                failures.append(f"conn {r['conn']} {r['path']} {d}: {s['inflate_errors']} compressed messages zlib could not inflate")
            if s["rsv1_misplaced"]:
                failures.append(f"conn {r['conn']} {r['path']} {d}: RSV1 on {s['rsv1_misplaced']} control/continuation frames")
    if not sockets:
        failures.append("no WebSocket connection recorded")
    for d, t in totals.items():
        ratio = f"{t['wire'] / t['inflated']:.3f}" if t["inflated"] else "-"
        print(
            f"total {d.replace('_to_', '->')}: {t['compressed']} of {t['messages']} messages compressed, "
            f"{t['inflated']} B carried in {t['wire']} B on the wire (ratio {ratio}), {len(sockets)} connections"
        )
        if t["compressed"] < minimum:
            failures.append(f"{d}: {t['compressed']} compressed messages, want >= {minimum}")
    for p in paths:
        mine = [r for r in sockets if r["path"] == p]
        for d in totals:
            n = sum(r[d]["compressed"] for r in mine)
            if n < minimum:
                failures.append(f"{p} {d}: {n} compressed messages, want >= {minimum}")
    for size in sizes:
        for d in totals:
            n = sum(r[d]["inflated_sizes"].count(size) for r in sockets)
            if n == 0:
                failures.append(f"{d}: no compressed message of {size} bytes")
            else:
                print(f"{d.replace('_to_', '->')}: {n} compressed messages of exactly {size} bytes")
    for f in failures:
        print(f"FAIL capture: {f}")
    return 1 if failures else 0


def main(argv):
    if len(argv) == 5 and argv[1] == "serve":
        asyncio.run(serve(int(argv[2]), int(argv[3]), argv[4]))
        return 0
    if len(argv) >= 3 and argv[1] == "check":
        minimum, paths, sizes, rest = 1, [], [], argv[3:]
        while rest:
            flag, value, rest = rest[0], rest[1], rest[2:]
            if flag == "--min":
                minimum = int(value)
            elif flag == "--path":
                paths.append(value)
            elif flag == "--size":
                sizes.append(int(value))
            else:
                raise SystemExit(f"unknown option {flag}")
        return check(argv[2], minimum, paths, sizes)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
