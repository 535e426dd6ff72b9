"""Python `websockets` clients against wsframe's chat_server over TLS.

    python tls_chat.py wss://localhost:PORT/ws CA.pem

chat_server must run with `--tls-cert` and `--tls-key` for a certificate
signed by CA.pem and valid for the URL's host. Steps: a client with the
system's trust store only is refused (certificate verify failed); two
clients trusting CA.pem join the room with permessage-deflate agreed, and a
message from one reaches the other, a 4 KiB JSON-like one compressed both
ways (RSV1 counted inside websockets, rsv1.py: a capture cannot see through
TLS), 1 MiB whole; 1 MiB + 1 is refused with close 1009; a clean close.
Prints `ok` or `FAIL` per step; exit status 1 if any failed. Every wait is
bounded.
"""

import asyncio
import ssl
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

import rsv1

MIB = 1 << 20
WAIT = 10  # seconds, any single wait

failed = 0


def report(ok, name, detail):
    global failed
    if not ok:
        failed += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)


def open_ws(url, context):
    return connect(
        url,
        ssl=context,
        max_size=2 * MIB,
        open_timeout=WAIT,
        close_timeout=WAIT,
        ping_interval=None,
    )


async def recv_until(ws, pred, what):
    """The first text message for which pred holds (others skipped)."""
    seen = []

    async def loop():
        while True:
            message = await ws.recv()
            if isinstance(message, str) and pred(message):
                return message
            seen.append(message if len(message) < 80 else f"{message[:20]}... ({len(message)})")

    try:
        return await asyncio.wait_for(loop(), WAIT)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out waiting for {what}; saw {seen}") from None


def joined(message):
    return message.startswith("* user ") and message.endswith(" joined")


async def main(url, ca):
    # 1. Without our CA the certificate must not verify.
    try:
        async with open_ws(url, ssl.create_default_context()):
            report(False, "untrusted CA refused", "connected without trusting the CA")
    except ssl.SSLCertVerificationError as e:
        report(True, "untrusted CA refused", f"{e.verify_message} ({e.reason})")
    except Exception as e:  # noqa: BLE001 - any other failure is a FAIL
        report(False, "untrusted CA refused", f"unexpected {type(e).__name__}: {e}")

    trusting = ssl.create_default_context(cafile=ca)
    try:
        async with open_ws(url, trusting) as a, open_ws(url, trusting) as b:
            tls = a.transport.get_extra_info("ssl_object")
            own_a = await recv_until(a, joined, "a's join notice")
            own_b = await recv_until(b, joined, "b's join notice")
            seen_b = await recv_until(a, lambda m: m == own_b, "b's join notice, seen by a")
            report(
                True,
                "two clients join over wss",
                f"{tls.version()} {tls.cipher()[0]}; a got {own_a!r}, b got {own_b!r}, a saw {seen_b!r}",
            )

            text = "python websockets over wss ünïcødé ✓"
            await a.send(text)
            await recv_until(b, lambda m: m == text, "a's message at b")
            report(True, "a message from one reaches the other", repr(text))

            seen_a, seen_b = rsv1.watch(a), rsv1.watch(b)
            names = [a.response.headers.get("Sec-WebSocket-Extensions"), b.response.headers.get("Sec-WebSocket-Extensions")]
            report(
                seen_a is not None and seen_b is not None,
                "permessage-deflate agreed over wss",
                f"the 101s answered {names}",
            )
            if seen_a is not None and seen_b is not None:
                records = [
                    f'{{"id":{i},"user":"tls-{i % 7}","text":"ünïcødé ✓ message {i}","ok":true}}'
                    for i in range(60)
                ]
                doc = "[" + ",".join(records) + "]"
                await a.send(doc)
                got = await recv_until(b, lambda m: m == doc, "a's JSON at b")
                report(
                    got == doc and seen_a["rsv1_out"] >= 1 and seen_b["rsv1_in"] >= 1,
                    "compressed both ways over wss",
                    f"{len(doc.encode())} bytes of JSON intact; a sent {seen_a['rsv1_out']} RSV1 frames, "
                    f"b received {seen_b['rsv1_in']} from chat_server",
                )

            big = "w" * MIB
            await b.send(big)
            got = await recv_until(a, lambda m: len(m) == MIB, "the 1 MiB message at a")
            report(got == big, "exactly 1 MiB over TLS", f"{len(got)} bytes, {'same' if got == big else 'ALTERED'}")

            await b.send("v" * (MIB + 1))
            try:
                await recv_until(b, lambda m: False, "the close")
            except ConnectionClosed as e:
                code = e.rcvd.code if e.rcvd else None
                report(code == 1009, "1 MiB + 1 refused with 1009", f"close code {code}")

            await a.close()
            report(a.close_code == 1000, "clean close", f"close code {a.close_code}")
    except Exception as e:  # noqa: BLE001
        report(False, "chat over wss", f"{type(e).__name__}: {e}")

    print(f"python tls: {'FAIL' if failed else 'all steps passed'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
