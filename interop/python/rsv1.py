"""Count, from inside `websockets`, the compressed frames of a connection.

`watch(ws)` wraps the connection's permessage-deflate extension: every data
frame that arrives with RSV1 set (a compressed message from wsframe, RFC 7692
§6) and every frame the library compresses and sends with RSV1 is counted.
Returns the counter, `{"rsv1_in": n, "rsv1_out": n}`; `None` when the
handshake agreed no permessage-deflate.
"""

from websockets.frames import Opcode

DATA = (Opcode.TEXT, Opcode.BINARY)


def watch(ws):
    deflate = next((e for e in ws.protocol.extensions if e.name == "permessage-deflate"), None)
    if deflate is None:
        return None
    seen = {"rsv1_in": 0, "rsv1_out": 0}
    decode, encode = deflate.decode, deflate.encode

    def counting_decode(frame, *, max_size=None):
        if frame.rsv1 and frame.opcode in DATA:
            seen["rsv1_in"] += 1
        return decode(frame, max_size=max_size)

    def counting_encode(frame):
        out = encode(frame)
        if out.rsv1 and out.opcode in DATA:
            seen["rsv1_out"] += 1
        return out

    deflate.decode, deflate.encode = counting_decode, counting_encode
    return seen
