"""Python `websockets` client against wsframe's echo_server (server role).

    python client.py ws://127.0.0.1:PORT

The echo_server must run with `--protocol wsframe.interop.v1 --commands`.
Each step opens its own connection (the path names it), offers
permessage-deflate (the library's default) and the subprotocols
`x-unknown.example, wsframe.interop.v1`, requires permessage-deflate agreed,
prints `ok` or `FAIL`, and the exit status is 1 if any failed. The frames
wsframe sent compressed (RSV1) and those websockets compressed are counted
inside websockets (rsv1.py) and printed at the end. Every wait is bounded.
"""

import asyncio
import contextlib
import os
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

import rsv1

PROTOCOL = "wsframe.interop.v1"
MIB = 1 << 20
SIZES = [0, 1, 125, 126, 127, 65535, 65536, 300001, MIB]
WAIT = 10  # seconds, any single wait
# Over all connections: opened, deflate agreed, RSV1 data frames each way.
TOTALS = {"connections": 0, "agreed": 0, "rsv1_in": 0, "rsv1_out": 0}


def text_of(n):
    """Text of exactly n UTF-8 bytes, mostly multi-byte characters."""
    phrase = "websockets ünïcødé ✓ 🦀 interop "
    out, size, i = [], 0, 0
    while True:
        c = phrase[i % len(phrase)]
        b = len(c.encode())
        if size + b > n:
            break
        out.append(c)
        size += b
        i += 1
    return "".join(out) + "x" * (n - size)


def json_of(n):
    """JSON-like text of about n bytes: records alike in shape, not content."""
    out = []
    i = 0
    while sum(map(len, out)) < n:
        out.append(
            f'{{"id":{i},"user":"websockets-{i % 7}","text":"ünïcødé ✓ message {i}",'
            f'"tags":["interop","deflate"],"ok":true}}'
        )
        i += 1
    return "[" + ",".join(out) + "]"


def binary_of(n):
    return bytes((i % 251) ^ ((i >> 8) & 0xFF) for i in range(n))


@contextlib.asynccontextmanager
async def open_ws(base, path):
    """A connection that agreed permessage-deflate, its RSV1 frames counted."""
    async with connect(
        base + path,
        subprotocols=["x-unknown.example", PROTOCOL],
        compression="deflate",
        max_size=MIB,
        open_timeout=WAIT,
        close_timeout=WAIT,
        ping_interval=None,
    ) as ws:
        TOTALS["connections"] += 1
        ws.rsv1 = rsv1.watch(ws)
        answered = ws.response.headers.get("Sec-WebSocket-Extensions")
        assert ws.rsv1 is not None, f"{path}: permessage-deflate not agreed (101 answered {answered!r})"
        TOTALS["agreed"] += 1
        try:
            yield ws
        finally:
            TOTALS["rsv1_in"] += ws.rsv1["rsv1_in"]
            TOTALS["rsv1_out"] += ws.rsv1["rsv1_out"]


async def recv(ws):
    return await asyncio.wait_for(ws.recv(), WAIT)


def same(sent, got):
    if type(sent) is not type(got):
        raise AssertionError(f"sent {type(sent).__name__}, got {type(got).__name__}")
    if sent != got:
        at = next((i for i, (a, b) in enumerate(zip(sent, got)) if a != b), None)
        raise AssertionError(
            f"{len(sent)} units came back as {len(got)}, first difference at {at}"
        )


async def handshake(base):
    async with open_ws(base, "/handshake") as ws:
        offered = ws.request.headers.get("Sec-WebSocket-Extensions") or ""
        answered = ws.response.headers.get("Sec-WebSocket-Extensions") or ""
        assert "permessage-deflate" in offered, f"deflate not offered: {offered!r}"
        assert answered.startswith("permessage-deflate"), f"server answered extensions {answered!r}"
        names = [e.name for e in ws.protocol.extensions]
        assert names == ["permessage-deflate"], f"extensions {names}"
        assert ws.subprotocol == PROTOCOL, f"subprotocol {ws.subprotocol!r}, expected {PROTOCOL!r}"
        await ws.send("short: below the size wsframe compresses")
        got = await recv(ws)
        assert got == "short: below the size wsframe compresses", got
    return f"subprotocol {ws.subprotocol}; offered {offered!r}, server answered {answered!r}"


async def compressed(base):
    async with open_ws(base, "/deflate") as ws:
        messages = [json_of(4096), json_of(4096).encode(), json_of(300_000)]
        for data in messages:
            await ws.send(data)
            same(data, await recv(ws))
        seen = dict(ws.rsv1)
    assert seen["rsv1_out"] >= len(messages), f"websockets compressed only {seen['rsv1_out']}"
    assert seen["rsv1_in"] >= len(messages), f"only {seen['rsv1_in']} RSV1 frames from wsframe"
    return (
        f"JSON-like text/binary/text of {[len(m) for m in messages]} bytes echoed intact; "
        f"websockets sent {seen['rsv1_out']} and received {seen['rsv1_in']} RSV1 frames"
    )


async def echo(base):
    async with open_ws(base, "/echo") as ws:
        for make in (text_of, binary_of):
            for n in SIZES:
                data = make(n)
                await ws.send(data)
                same(data, await recv(ws))
    return f"text and binary of {SIZES} bytes echoed byte-exact"


async def fragments(base):
    cases = [(text_of, 5, 10_000), (text_of, 9, 200_003), (binary_of, 3, 7), (binary_of, 16, MIB)]
    async with open_ws(base, "/fragments") as ws:
        for make, n, size in cases:
            data = make(size)
            step = -(-len(data) // n)
            # An iterable is sent as one fragmented message, one frame per item.
            await ws.send([data[i : i + step] for i in range(0, len(data), step)])
            same(data, await recv(ws))
    return "fragmented (pieces, bytes) " + str([(n, s) for _, n, s in cases]) + " echoed whole"


async def ping(base):
    async with open_ws(base, "/ping") as ws:
        payload = os.urandom(16) + b"python"
        waiter = await ws.ping(payload)
        # Resolved only by a pong that carries this payload.
        latency = await asyncio.wait_for(waiter, WAIT)
    return f"pong with our payload after {latency * 1000:.1f} ms"


async def over_cap(base):
    async with open_ws(base, "/over-cap") as ws:
        await ws.send(bytes(MIB + 1))
        try:
            got = await recv(ws)
            raise AssertionError(f"1 MiB + 1 was echoed ({len(got)} bytes)")
        except ConnectionClosed as e:
            assert e.rcvd is not None and e.rcvd.code == 1009, f"closed with {e.rcvd}"
            return f"1 MiB + 1 refused: {e.rcvd.code} {e.rcvd.reason!r}"


async def client_closes(base):
    async with open_ws(base, "/client-closes") as ws:
        await ws.close(4001, "python says bye ✓")
        assert ws.close_code == 4001, f"echo {ws.close_code}"
    return f"server echoed {ws.close_code} (server log shows the reason)"


async def server_closes(base):
    async with open_ws(base, "/server-closes") as ws:
        await ws.send("!close 4002 wsframe says bye ✓")
        try:
            got = await recv(ws)
            raise AssertionError(f"got {got!r} instead of a close")
        except ConnectionClosed as e:
            assert e.rcvd is not None, "no close frame"
            assert (e.rcvd.code, e.rcvd.reason) == (4002, "wsframe says bye ✓"), e.rcvd
            return f"received close {e.rcvd.code} {e.rcvd.reason!r}"


STEPS = [
    ("handshake + subprotocol + deflate agreed", handshake),
    ("compressed both ways", compressed),
    ("echo text/binary up to 1 MiB", echo),
    ("fragmented messages to the server", fragments),
    ("we ping the server", ping),
    ("1 MiB + 1 refused with 1009", over_cap),
    ("we close first", client_closes),
    ("server closes first", server_closes),
]


async def main(base):
    failed = 0
    for name, step in STEPS:
        try:
            detail = await asyncio.wait_for(step(base), 60)
            print(f"ok   {name}: {detail}", flush=True)
        except Exception as e:  # any failure of the step, reported
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    t = TOTALS
    print(
        f"python client: permessage-deflate agreed on {t['agreed']} of {t['connections']} connections; "
        f"RSV1 data frames received from wsframe {t['rsv1_in']}, sent {t['rsv1_out']}"
    )
    print(f"python client: {len(STEPS) - failed} of {len(STEPS)} steps passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1].rstrip("/"))))
