// Node `ws` client against wsframe's echo_server (server role).
//
//   node client.js ws://127.0.0.1:PORT
//
// The echo_server must run with `--protocol wsframe.interop.v1 --commands`.
// Each step opens its own connection (the path names it), offers
// permessage-deflate and the subprotocols `x-unknown.example,
// wsframe.interop.v1`, requires permessage-deflate agreed, prints `ok` or
// `FAIL`, and the exit status is 1 if any failed. The messages wsframe sent
// compressed (RSV1) and those ws compressed are counted inside ws (rsv1.js)
// and printed at the end. Every wait is bounded.
"use strict";
const crypto = require("crypto");
const WebSocket = require("ws");
const rsv1 = require("./rsv1");

const PROTOCOL = "wsframe.interop.v1";
const MIB = 1 << 20;
const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 300001, MIB];
const WAIT = 10000; // ms, any single wait
const base = (process.argv[2] || "ws://127.0.0.1:9001").replace(/\/$/, "");
// Over all connections: opened, deflate agreed, RSV1 messages each way.
const totals = { connections: 0, agreed: 0, rsv1In: 0, rsv1Out: 0 };

function textOf(n) {
  const phrase = [..."node ws ünïcødé ✓ 🦀 interop "];
  let out = "";
  let size = 0;
  for (let i = 0; ; i++) {
    const c = phrase[i % phrase.length];
    const b = Buffer.byteLength(c);
    if (size + b > n) break;
    out += c;
    size += b;
  }
  return out + "x".repeat(n - size);
}

// JSON-like text of about n bytes: records alike in shape, not content.
function jsonOf(n) {
  const out = [];
  let size = 0;
  for (let i = 0; size < n; i++) {
    const r = `{"id":${i},"user":"node-${i % 7}","text":"ünïcødé ✓ message ${i}","tags":["interop","deflate"],"ok":true}`;
    out.push(r);
    size += Buffer.byteLength(r) + 1;
  }
  return `[${out.join(",")}]`;
}

function binaryOf(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i % 251) ^ ((i >> 8) & 0xff);
  return b;
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), WAIT);
    }),
  ]).finally(() => clearTimeout(timer));
}

// A connection with a queue of received messages and a promise of its close.
function open(path) {
  const ws = new WebSocket(base + path, ["x-unknown.example", PROTOCOL], {
    perMessageDeflate: true,
    maxPayload: MIB,
    handshakeTimeout: WAIT,
  });
  const queue = [];
  const waiters = [];
  let closed = null;
  const state = { ws, answered: undefined };
  ws.on("upgrade", (res) => {
    state.answered = res.headers["sec-websocket-extensions"];
  });
  state.closed = new Promise((resolve) => {
    ws.on("close", (code, reason) => {
      if (state.rsv1) {
        totals.rsv1In += state.rsv1.rsv1In;
        totals.rsv1Out += state.rsv1.rsv1Out;
      }
      closed = { code, reason: reason.toString("utf8") };
      resolve(closed);
      while (waiters.length) waiters.shift().reject(new Error(`closed ${code} ${closed.reason}`));
    });
  });
  ws.on("message", (data, isBinary) => {
    const m = isBinary ? Buffer.from(data) : data.toString("utf8");
    if (waiters.length) waiters.shift().resolve(m);
    else queue.push(m);
  });
  ws.on("error", () => {}); // reported through close / the open promise
  state.recv = () =>
    withTimeout(
      new Promise((resolve, reject) => {
        if (queue.length) resolve(queue.shift());
        else if (closed) reject(new Error(`closed ${closed.code} ${closed.reason}`));
        else waiters.push({ resolve, reject });
      }),
      "a message",
    );
  state.opened = withTimeout(
    new Promise((resolve, reject) => {
      ws.once("open", () => {
        totals.connections++;
        state.rsv1 = rsv1.watch(ws);
        if (!state.rsv1) {
          reject(new Error(`${path}: permessage-deflate not agreed (101 answered ${JSON.stringify(state.answered)})`));
          ws.terminate();
          return;
        }
        totals.agreed++;
        resolve(state);
      });
      ws.once("error", reject);
    }),
    "the handshake",
  );
  return state.opened;
}

function same(sent, got) {
  if (typeof sent !== typeof got || Buffer.isBuffer(sent) !== Buffer.isBuffer(got)) {
    throw new Error(`sent ${typeof sent}, got ${typeof got}`);
  }
  const a = Buffer.isBuffer(sent) ? sent : Buffer.from(sent);
  const b = Buffer.isBuffer(got) ? got : Buffer.from(got);
  if (!a.equals(b)) {
    let at = 0;
    while (at < a.length && at < b.length && a[at] === b[at]) at++;
    throw new Error(`${a.length} bytes came back as ${b.length}, first difference at ${at}`);
  }
}

async function finish(c) {
  c.ws.close(1000, "done");
  const seen = await withTimeout(c.closed, "the close echo");
  if (seen.code !== 1000) throw new Error(`close echo ${seen.code}`);
}

const steps = [
  ["handshake + subprotocol + deflate agreed", async () => {
    const c = await open("/handshake");
    if (c.ws.protocol !== PROTOCOL) throw new Error(`subprotocol ${c.ws.protocol}`);
    if (!(c.answered || "").startsWith("permessage-deflate")) throw new Error(`server answered extensions ${c.answered}`);
    if (c.ws.extensions !== "permessage-deflate") throw new Error(`extensions ${c.ws.extensions}`);
    c.ws.send("short: below the sizes anyone compresses");
    same("short: below the sizes anyone compresses", await c.recv());
    await finish(c);
    return `subprotocol ${c.ws.protocol}, server answered ${JSON.stringify(c.answered)} (offer checked in the server log)`;
  }],
  ["compressed both ways", async () => {
    const c = await open("/deflate");
    const messages = [jsonOf(4096), Buffer.from(jsonOf(4096)), jsonOf(300000)];
    for (const data of messages) {
      c.ws.send(data);
      same(data, await c.recv());
    }
    const seen = { ...c.rsv1 };
    await finish(c);
    if (seen.rsv1Out < messages.length) throw new Error(`ws compressed only ${seen.rsv1Out}`);
    if (seen.rsv1In < messages.length) throw new Error(`only ${seen.rsv1In} RSV1 messages from wsframe`);
    const sizes = messages.map((m) => Buffer.byteLength(m));
    return `JSON-like text/binary/text of ${JSON.stringify(sizes)} bytes echoed intact; ws sent ${seen.rsv1Out} and received ${seen.rsv1In} RSV1 messages`;
  }],
  ["echo text/binary up to 1 MiB", async () => {
    const c = await open("/echo");
    for (const make of [textOf, binaryOf]) {
      for (const n of SIZES) {
        const data = make(n);
        c.ws.send(data);
        same(data, await c.recv());
      }
    }
    await finish(c);
    return `text and binary of ${JSON.stringify(SIZES)} bytes echoed byte-exact`;
  }],
  ["fragmented messages to the server", async () => {
    const c = await open("/fragments");
    const cases = [[false, 4, 10000], [false, 8, 200003], [true, 3, 7], [true, 16, MIB]];
    for (const [binary, n, size] of cases) {
      // Byte ranges: a text message is split inside UTF-8 sequences too.
      const data = binary ? binaryOf(size) : Buffer.from(textOf(size));
      const step = Math.ceil(data.length / n);
      for (let i = 0; i < data.length; i += step) {
        c.ws.send(data.subarray(i, i + step), { binary, fin: i + step >= data.length, compress: false });
      }
      same(binary ? data : data.toString("utf8"), await c.recv());
    }
    await finish(c);
    return `fragmented (binary, pieces, bytes) ${JSON.stringify(cases)} echoed whole`;
  }],
  ["we ping the server", async () => {
    const c = await open("/ping");
    const payload = crypto.randomBytes(16);
    const pong = withTimeout(new Promise((resolve) => c.ws.once("pong", resolve)), "the pong");
    c.ws.ping(payload);
    const got = await pong;
    if (!payload.equals(got)) throw new Error(`pong ${got.toString("hex")} for ${payload.toString("hex")}`);
    await finish(c);
    return `pong carried our 16 random bytes ${payload.toString("hex")}`;
  }],
  ["1 MiB + 1 refused with 1009", async () => {
    const c = await open("/over-cap");
    c.ws.send(Buffer.alloc(MIB + 1));
    const seen = await withTimeout(c.closed, "the refusal");
    if (seen.code !== 1009) throw new Error(`closed with ${seen.code} ${seen.reason}`);
    return `refused: ${seen.code} ${JSON.stringify(seen.reason)}`;
  }],
  ["1 MiB + 1 uncompressed refused from its header with 1009", async () => {
    const c = await open("/over-cap-plain");
    c.ws.send(Buffer.alloc(MIB + 1), { compress: false });
    const seen = await withTimeout(c.closed, "the refusal");
    if (seen.code !== 1009) throw new Error(`closed with ${seen.code} ${seen.reason}`);
    return `refused: ${seen.code} ${JSON.stringify(seen.reason)}`;
  }],
  ["we close first", async () => {
    const c = await open("/client-closes");
    c.ws.close(4001, "node says bye ✓");
    const seen = await withTimeout(c.closed, "the close echo");
    if (seen.code !== 4001) throw new Error(`echo ${seen.code}`);
    return `server echoed ${seen.code} (server log shows the reason)`;
  }],
  ["server closes first", async () => {
    const c = await open("/server-closes");
    c.ws.send("!close 4002 wsframe says bye ✓");
    const seen = await withTimeout(c.closed, "the server's close");
    if (seen.code !== 4002 || seen.reason !== "wsframe says bye ✓") {
      throw new Error(`closed with ${seen.code} ${JSON.stringify(seen.reason)}`);
    }
    return `received close ${seen.code} ${JSON.stringify(seen.reason)}`;
  }],
];

(async () => {
  let failed = 0;
  for (const [name, step] of steps) {
    try {
      console.log(`ok   ${name}: ${await step()}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.message}`);
    }
  }
  console.log(
    `node client: permessage-deflate agreed on ${totals.agreed} of ${totals.connections} connections; ` +
      `RSV1 messages received from wsframe ${totals.rsv1In}, sent ${totals.rsv1Out}`,
  );
  console.log(`node client: ${steps.length - failed} of ${steps.length} steps passed`);
  process.exit(failed ? 1 : 0);
})();
