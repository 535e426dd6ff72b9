// Node `ws` clients against wsframe's chat_server over TLS.
//
//   node tls_chat.js wss://localhost:PORT/ws CA.pem
//
// chat_server must run with --tls-cert and --tls-key for a certificate
// signed by CA.pem and valid for the URL's host. Steps: a client without
// the `ca` option is refused (the certificate does not verify); two clients
// with `ca` join the room with permessage-deflate agreed and a message from
// one reaches the other, a 4 KiB JSON-like one compressed both ways (RSV1
// counted inside ws, rsv1.js: a capture cannot see through TLS), 1 MiB
// whole; 1 MiB + 1 is refused with close 1009; a clean close. Prints `ok` /
// `FAIL` per step; exit 1 on any failure. Every wait is bounded.
"use strict";
const fs = require("fs");
const WebSocket = require("ws");
const rsv1 = require("./rsv1");

const MIB = 1 << 20;
const WAIT = 10000; // ms, any single wait
const [url, caFile] = process.argv.slice(2);
if (!url || !caFile) {
  console.error("usage: node tls_chat.js wss://HOST:PORT/ws CA.pem");
  process.exit(2);
}
const ca = fs.readFileSync(caFile);

let failed = 0;
function report(ok, name, detail) {
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}: ${detail}`);
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${WAIT} ms: ${what}`)), WAIT);
    }),
  ]).finally(() => clearTimeout(timer));
}

// A client whose text messages are queued; next(pred) takes the first match.
function open(options) {
  const ws = new WebSocket(url, { maxPayload: 2 * MIB, handshakeTimeout: WAIT, ...options });
  const inbox = [];
  const waiters = [];
  ws.on("message", (data, isBinary) => {
    if (isBinary) return;
    inbox.push(data.toString("utf8"));
    for (const w of waiters.splice(0)) w();
  });
  ws.next = (pred, what) =>
    withTimeout(
      new Promise((resolve) => {
        const look = () => {
          const i = inbox.findIndex(pred);
          if (i >= 0) resolve(inbox.splice(0, i + 1).pop());
          else waiters.push(look);
        };
        look();
      }),
      what,
    );
  ws.opened = withTimeout(
    new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    }),
    "open",
  );
  ws.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  return ws;
}

const joined = (m) => m.startsWith("* user ") && m.endsWith(" joined");

(async () => {
  const deadline = setTimeout(() => {
    console.log("FAIL node tls run: over 60 s");
    process.exit(1);
  }, 60000);

  // 1. Without `ca` the certificate must not verify.
  try {
    const bare = open({});
    await bare.opened;
    report(false, "untrusted CA refused", "connected without the CA");
    bare.terminate();
  } catch (e) {
    const ok = /certificate|self.signed|issuer/i.test(`${e.code} ${e.message}`);
    report(ok, "untrusted CA refused", `${e.code}: ${e.message}`);
  }

  let a, b;
  try {
    a = open({ ca });
    await a.opened;
    const ownA = await a.next(joined, "a's join notice");
    b = open({ ca });
    await b.opened;
    const ownB = await b.next(joined, "b's join notice");
    await a.next((m) => m === ownB, "b's join notice at a");
    const sock = a._socket;
    report(true, "two clients join over wss", `${sock.getProtocol()} ${sock.getCipher().name}; ${ownA} / ${ownB}`);

    const text = "node ws over wss ünïcødé ✓";
    a.send(text);
    await b.next((m) => m === text, "a's message at b");
    report(true, "a message from one reaches the other", JSON.stringify(text));

    const [seenA, seenB] = [rsv1.watch(a), rsv1.watch(b)];
    report(Boolean(seenA && seenB), "permessage-deflate agreed over wss", `ws.extensions ${JSON.stringify([a.extensions, b.extensions])}`);
    if (seenA && seenB) {
      const records = [];
      for (let i = 0; i < 60; i++) records.push(`{"id":${i},"user":"tls-${i % 7}","text":"ünïcødé ✓ message ${i}","ok":true}`);
      const doc = `[${records.join(",")}]`;
      a.send(doc);
      const got = await b.next((m) => m === doc, "a's JSON at b");
      report(
        got === doc && seenA.rsv1Out >= 1 && seenB.rsv1In >= 1,
        "compressed both ways over wss",
        `${Buffer.byteLength(doc)} bytes of JSON intact; a sent ${seenA.rsv1Out} RSV1 messages, b received ${seenB.rsv1In} from chat_server`,
      );
    }

    const big = "n".repeat(MIB);
    b.send(big);
    const got = await a.next((m) => m.length === MIB, "the 1 MiB message at a");
    report(got === big, "exactly 1 MiB over TLS", `${got.length} bytes, ${got === big ? "same" : "ALTERED"}`);

    b.send("o".repeat(MIB + 1));
    const refused = await withTimeout(b.closed, "the close of the oversized sender");
    report(refused.code === 1009, "1 MiB + 1 refused with 1009", `close code ${refused.code}`);

    a.close(1000, "bye");
    const closed = await withTimeout(a.closed, "the clean close");
    report(closed.code === 1000, "clean close", `close code ${closed.code}`);
  } catch (e) {
    report(false, "chat over wss", e.message);
    for (const ws of [a, b]) if (ws) ws.terminate();
  }
  clearTimeout(deadline);
  console.log(`node tls: ${failed ? "FAIL" : "all steps passed"}`);
  process.exit(failed ? 1 : 0);
})();
