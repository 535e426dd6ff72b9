"""Python `websockets` echo server, the peer for wsframe's client role.

    python server.py PORT

Listens on 127.0.0.1:PORT with permessage-deflate enabled (the library's
default) and the subprotocol `wsframe.interop.v1`. Echoes every data
message and understands the text commands listed in
examples/interop_client.rs (cmd:info, cmd:fragment-next, cmd:ping,
cmd:close, cmd:oversize, cmd:closeof). Prints a line when a connection
opens (what was offered and negotiated) and one when it closes (the close
received, and the compressed data frames counted inside websockets:
`rsv1 in=N out=M`, see rsv1.py). Exits after 300 s at the latest.
"""

import asyncio
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

import rsv1

PROTOCOL = "wsframe.interop.v1"
MIB = 1 << 20
CLOSES = {}  # request path -> (code, reason) received on it


def split(data, n):
    """`data` (str or bytes) in `n` nearly equal pieces (str: at character
    boundaries), none empty unless `data` is shorter than `n`."""
    size = max(1, -(-len(data) // n))
    return [data[i : i + size] for i in range(0, len(data), size)] or [data]


async def command(ws, text, state):
    parts = text.split(" ", 2)
    name = parts[0]
    if name == "cmd:info":
        ext = ", ".join(e.name for e in ws.protocol.extensions)
        await ws.send(f"info protocol={ws.subprotocol or ''} extensions={ext}")
    elif name == "cmd:fragment-next":
        state["fragments"] = int(parts[1])
    elif name == "cmd:ping":
        payload = text[len("cmd:ping ") :]
        waiter = await ws.ping(payload.encode())
        # websockets resolves the waiter only for a pong with this payload.
        await asyncio.wait_for(waiter, 10)
        await ws.send(f"pong-ok {payload}")
    elif name == "cmd:close":
        await ws.close(int(parts[1]), parts[2] if len(parts) > 2 else "")
    elif name == "cmd:oversize":
        await ws.send(bytes(int(parts[1])))
    elif name == "cmd:closeof":
        seen = CLOSES.get(parts[1])
        await ws.send("close none" if seen is None else f"close {seen[0]} {seen[1]}")
    else:
        await ws.send(text)


async def handler(ws):
    path = ws.request.path
    offered = ws.request.headers.get("Sec-WebSocket-Extensions")
    print(
        f"{path}: protocol={ws.subprotocol} offered extensions={offered!r} "
        f"negotiated={[e.name for e in ws.protocol.extensions]}",
        flush=True,
    )
    seen = rsv1.watch(ws) or {"rsv1_in": 0, "rsv1_out": 0}
    state = {"fragments": 0}
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("cmd:"):
                await command(ws, message, state)
            elif state["fragments"]:
                n, state["fragments"] = state["fragments"], 0
                # An iterable is sent as one message in fragments, one per item.
                await ws.send(split(message, n))
                await ws.send(f"fragmented {n}")
            else:
                await ws.send(message)
    except ConnectionClosed:
        pass
    finally:
        await asyncio.wait_for(ws.wait_closed(), 10)
        CLOSES[path] = (ws.close_code, ws.close_reason or "")
        print(
            f"{path}: close received {CLOSES[path]} rsv1 in={seen['rsv1_in']} out={seen['rsv1_out']}",
            flush=True,
        )


async def main(port):
    async with serve(
        handler,
        "127.0.0.1",
        port,
        subprotocols=[PROTOCOL],
        compression="deflate",
        max_size=MIB,
    ) as server:
        print(f"python websockets server on ws://127.0.0.1:{port}", flush=True)
        await asyncio.sleep(300)
        server.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
