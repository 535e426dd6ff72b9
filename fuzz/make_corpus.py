#!/usr/bin/env python3
"""Write the seed corpus: fuzz/corpus/TARGET/seed-*.

Seeds come from the RFC 6455 section 5.7 framing examples, the section 1.3
handshake sample, and request heads as Chrome and Firefox send them.

Byte-level targets get the bytes as they are. Targets with `arbitrary`
input get a fixed prefix that decodes to the knobs noted beside it
(arbitrary 1.x: bool = 1 byte & 1, integers little-endian, Option = 1 tag
byte, Vec = a 1/0 "another element" byte before each element, and the
last field takes the rest). Check one with:
    cargo +nightly fuzz fmt TARGET corpus/TARGET/seed-NAME

usage: python3 make_corpus.py   (from fuzz/ or anywhere)
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = bytes([0x37, 0xFA, 0x21, 0x3D])  # the RFC's masking key


def frame(opcode, payload, fin=True, mask=None):
    out = bytearray([(0x80 if fin else 0) | opcode])
    mbit = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        out.append(mbit | n)
    elif n <= 0xFFFF:
        out.append(mbit | 126)
        out += struct.pack(">H", n)
    else:
        out.append(mbit | 127)
        out += struct.pack(">Q", n)
    if mask:
        out += mask
        out += bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    else:
        out += payload
    return bytes(out)


def close_payload(code, reason=b""):
    return struct.pack(">H", code) + reason


# RFC 6455 section 5.7, unmasked (server to client) and masked (client to server).
def rfc_frames(mask):
    return {
        "hello": frame(0x1, b"Hello", mask=mask),
        "fragmented": frame(0x1, b"Hel", fin=False, mask=mask) + frame(0x0, b"lo", mask=mask),
        "ping": frame(0x9, b"Hello", mask=mask),
        "pong": frame(0xA, b"Hello", mask=mask),
        "binary256": frame(0x2, bytes(range(256)), mask=mask),
        "binary64k_header": frame(0x2, bytes(65536), mask=mask)[: 14 if mask else 10],
        "close": frame(0x8, close_payload(1000, b"bye"), mask=mask),
        "session": frame(0x1, b"Hel", fin=False, mask=mask)
        + frame(0x9, b"", mask=mask)
        + frame(0x0, b"lo", mask=mask)
        + frame(0x2, bytes(300), mask=mask)
        + frame(0x8, close_payload(1001), mask=mask),
    }


RFC_UNMASKED_HELLO = bytes.fromhex("810548656c6c6f")
RFC_MASKED_HELLO = bytes.fromhex("818537fa213d7f9f4d5158")
assert rfc_frames(None)["hello"] == RFC_UNMASKED_HELLO
assert rfc_frames(KEY)["hello"] == RFC_MASKED_HELLO

CHROME = (
    b"GET /chat HTTP/1.1\r\n"
    b"Host: example.com:8000\r\n"
    b"Connection: Upgrade\r\n"
    b"Pragma: no-cache\r\n"
    b"Cache-Control: no-cache\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n"
    b"Upgrade: websocket\r\n"
    b"Origin: http://example.com\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"Accept-Encoding: gzip, deflate, br, zstd\r\n"
    b"Accept-Language: en-US,en;q=0.9\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    b"\r\n"
)
FIREFOX = (
    b"GET /socket?room=1 HTTP/1.1\r\n"
    b"Host: localhost:9001\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0\r\n"
    b"Accept: */*\r\n"
    b"Accept-Language: en-US,en;q=0.5\r\n"
    b"Accept-Encoding: gzip, deflate, br, zstd\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"Origin: http://localhost:9001\r\n"
    b"Sec-WebSocket-Protocol: chat, superchat\r\n"
    b"Sec-WebSocket-Extensions: permessage-deflate\r\n"
    b"Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"
    b"Connection: keep-alive, Upgrade\r\n"
    b"Sec-Fetch-Dest: empty\r\n"
    b"Sec-Fetch-Mode: websocket\r\n"
    b"Sec-Fetch-Site: same-origin\r\n"
    b"Pragma: no-cache\r\n"
    b"Cache-Control: no-cache\r\n"
    b"Upgrade: websocket\r\n"
    b"\r\n"
)
RFC_REQUEST = (
    b"GET /chat HTTP/1.1\r\n"
    b"Host: server.example.com\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Origin: http://example.com\r\n"
    b"Sec-WebSocket-Protocol: chat, superchat\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"\r\n"
)
# RFC 6455 section 1.3: the answer to the sample key.
RFC_RESPONSE = (
    b"HTTP/1.1 101 Switching Protocols\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    b"Sec-WebSocket-Protocol: chat\r\n"
    b"\r\n"
)
RESPONSE_NO_PROTOCOL = (
    b"HTTP/1.1 101 Switching Protocols\r\n"
    b"upgrade: WebSocket\r\n"
    b"connection: upgrade\r\n"
    b"sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    b"\r\n"
)
RESPONSE_WITH_FRAME = RFC_RESPONSE + RFC_UNMASKED_HELLO
REFUSAL = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def vec(elements):
    """arbitrary's Vec: a continue byte before each element, 0 at the end."""
    out = b""
    for e in elements:
        out += b"\x01" + e
    return out + b"\x00"


def stream_prefix(stream_mode, splits, buf_extra=0, head=b""):
    """StreamInput knobs up to (not including) the `tail` wire bytes."""
    return (
        bytes([stream_mode, 1])  # stream_mode, auto_pong
        + u16(buf_extra)
        + b"\x00"  # max_message_len: None
        + b"\x00"  # max_frame_len: None
        + b"\x00"  # allowed_rsv
        + vec([bytes([b]) for b in head])
        + b"\x00"  # raw_masks
        + b"\x00"  # pieces: []
        + vec([u16(s) for s in splits])
        + u32(0x12345678)  # mask_seed
    )


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def main():
    unmasked, masked = rfc_frames(None), rfc_frames(KEY)
    for name, data in {**{"u-" + k: v for k, v in unmasked.items()},
                       **{"m-" + k: v for k, v in masked.items()}}.items():
        write("differential_frame", name, data)
        # First byte: allowed RSV bits (none), then the frame.
        write("frame_header", name, b"\x00" + data)
    write("frame_header", "rsv1-allowed", b"\x04" + bytes([0xC1]) + RFC_UNMASKED_HELLO[1:])

    # The server reads masked frames, the client unmasked ones; each once
    # in pieces of 700 (split 699) and the session also in 1-, 3- and 2-byte pieces.
    for target, frames in (("server_stream", masked), ("client_stream", unmasked)):
        for name in ("hello", "fragmented", "ping", "binary256", "close", "session"):
            for mode in (0, 1):
                write(target, f"{name}-{'stream' if mode else 'message'}",
                      stream_prefix(mode, [699]) + frames[name])
        write(target, "session-bytewise", stream_prefix(1, [0, 2, 1]) + frames["session"])
        write(target, "head-then-hello", stream_prefix(0, [3], 100, b"GET / HTTP/1.1\r\n\r\n")
              + frames["hello"])

    for name, head in (("chrome", CHROME), ("firefox", FIREFOX), ("rfc", RFC_REQUEST),
                       ("rfc-with-frame", RFC_REQUEST + RFC_MASKED_HELLO)):
        write("handshake_request", name, head)
    for name, head in (("rfc", RFC_RESPONSE), ("no-protocol", RESPONSE_NO_PROTOCOL),
                       ("with-frame", RESPONSE_WITH_FRAME), ("refusal", REFUSAL)):
        write("handshake_response", name, head)

    # utf8: splits Vec<u8>, then the bytes (the rest).
    write("utf8", "kosme", vec([b"\x03", b"\x01"]) + "κόσμε €𝄞 Hello".encode())
    write("utf8", "truncated", vec([b"\x02"]) + b"ok\xf0\x9f\x98")
    write("utf8", "surrogate", vec([b"\x01"]) + b"ab\xed\xa0\x80cd")

    # mask: key, offset (usize, 8 bytes), splits, data: the RFC's "Hello" vector.
    write("mask", "rfc-hello", KEY + struct.pack("<Q", 0) + vec([b"\x02"]) + b"Hello")
    write("mask", "offset3", KEY + struct.pack("<Q", 3) + vec([b"\x01", b"\x21"]) + bytes(range(100)))

    # roundtrip: fragment_size u16, client/server stream mode, buf_extra u16,
    # splits Vec<u16>, mask_seed u32, to_server Vec<Msg>, to_client Vec<Msg>,
    # close Option<(u16, String)>, close_from_server bool. A String's length
    # is read from the END of the input (so the length bytes trail it, last
    # string first). Msg variant tags are u32: variant i of 5 for
    # tag in [i * 2^32 / 5, (i+1) * 2^32 / 5).
    def tag(i):
        return u32(i * (2**32 // 5) + 1)
    text_hello = b"\x01" + tag(0) + b"Hello"
    binary = b"\x01" + tag(1) + vec([b"\x01", b"\x02", b"\x03"])
    ping = b"\x01" + tag(4) + vec([b"H", b"i"])
    close = b"\x01" + u16(1000) + b"bye"
    write("roundtrip", "hello-close",
          u16(2) + b"\x00\x01" + u16(0) + vec([u16(3)]) + KEY
          + text_hello + ping + b"\x00"          # to_server
          + binary + b"\x00"                    # to_client
          + close + b"\x00"                     # close (1000, "bye"), from the client
          + bytes([3, 5]))                      # lengths: "bye", then "Hello"


if __name__ == "__main__":
    main()
