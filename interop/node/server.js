// Node `ws` echo server, the peer for wsframe's client role.
//
//   node server.js PORT
//
// Listens on 127.0.0.1:PORT with permessage-deflate enabled and the
// subprotocol `wsframe.interop.v1`. Echoes every data message and
// understands the text commands listed in examples/interop_client.rs
// (cmd:info, cmd:fragment-next, cmd:ping, cmd:close, cmd:oversize,
// cmd:closeof). Prints a line when a connection opens (what was offered and
// negotiated) and one when it closes (the close received, and the compressed
// messages counted inside ws: `rsv1 in=N out=M`, see rsv1.js). Exits after
// 300 s at the latest.
"use strict";
const { WebSocketServer } = require("ws");
const rsv1 = require("./rsv1");

const PROTOCOL = "wsframe.interop.v1";
const MIB = 1 << 20;
const port = Number(process.argv[2]);
const closes = new Map(); // request path -> [code, reason] received on it

const wss = new WebSocketServer({
  host: "127.0.0.1",
  port,
  perMessageDeflate: true,
  maxPayload: MIB,
  handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
});

// `data` split into `n` nearly equal byte ranges; a text message may be
// split inside a UTF-8 sequence, which the receiver must reassemble.
function split(data, n) {
  const size = Math.max(1, Math.ceil(data.length / n));
  const pieces = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return pieces.length ? pieces : [data];
}

wss.on("connection", (ws, req) => {
  const path = req.url;
  console.log(
    `${path}: protocol=${ws.protocol} offered extensions=${JSON.stringify(req.headers["sec-websocket-extensions"])} negotiated=${JSON.stringify(ws.extensions)}`,
  );
  const seen = rsv1.watch(ws) || { rsv1In: 0, rsv1Out: 0 };
  let fragments = 0;
  ws.on("message", (data, isBinary) => {
    const text = isBinary ? null : data.toString("utf8");
    if (text !== null && text.startsWith("cmd:")) {
      const parts = text.split(" ");
      switch (parts[0]) {
        case "cmd:info":
          ws.send(`info protocol=${ws.protocol} extensions=${ws.extensions}`);
          return;
        case "cmd:fragment-next":
          fragments = Number(parts[1]);
          return;
        case "cmd:ping": {
          const payload = text.slice("cmd:ping ".length);
          const timer = setTimeout(() => ws.send(`pong-timeout ${payload}`), 10000);
          const onPong = (got) => {
            if (got.toString("utf8") !== payload) return;
            clearTimeout(timer);
            ws.off("pong", onPong);
            ws.send(`pong-ok ${payload}`);
          };
          ws.on("pong", onPong);
          ws.ping(Buffer.from(payload, "utf8"));
          return;
        }
        case "cmd:close":
          ws.close(Number(parts[1]), parts.slice(2).join(" "));
          return;
        case "cmd:oversize":
          ws.send(Buffer.alloc(Number(parts[1])), { binary: true });
          return;
        case "cmd:closeof": {
          const seen = closes.get(parts[1]);
          ws.send(seen ? `close ${seen[0]} ${seen[1]}` : "close none");
          return;
        }
        default:
          break;
      }
    }
    if (fragments) {
      const n = fragments;
      fragments = 0;
      const pieces = split(data, n);
      pieces.forEach((piece, i) =>
        ws.send(piece, { binary: isBinary, fin: i === pieces.length - 1, compress: false }),
      );
      ws.send(`fragmented ${n}`);
      return;
    }
    ws.send(data, { binary: isBinary });
  });
  ws.on("close", (code, reason) => {
    closes.set(path, [code, reason.toString("utf8")]);
    console.log(
      `${path}: close received ${code} ${JSON.stringify(reason.toString("utf8"))} rsv1 in=${seen.rsv1In} out=${seen.rsv1Out}`,
    );
  });
  ws.on("error", (e) => console.log(`${path}: error ${e.message}`));
});

wss.on("listening", () => console.log(`node ws server on ws://127.0.0.1:${port}`));
setTimeout(() => process.exit(0), 300000).unref();
setTimeout(() => wss.close(), 300000);
