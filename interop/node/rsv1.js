// Count, from inside `ws`, the compressed messages of a connection.
//
// watch(ws) wraps the connection's permessage-deflate extension (the one
// instance its Receiver and Sender share): the Receiver inflates only
// frames that arrived with RSV1 set (RFC 7692 §6: a compressed message
// from wsframe), the Sender deflates only what it sends with RSV1. Returns
// the counter { rsv1In, rsv1Out } (messages, counted at their final frame),
// or null when the handshake agreed no permessage-deflate. Call it on
// "open" (client) or "connection" (server), before any message.
"use strict";
// The key ws keeps it under (PerMessageDeflate.extensionName; ws/lib is not exported).
const NAME = "permessage-deflate";

function watch(ws) {
  const deflate = ws._extensions[NAME];
  if (!deflate) return null;
  const seen = { rsv1In: 0, rsv1Out: 0 };
  const decompress = deflate.decompress.bind(deflate);
  const compress = deflate.compress.bind(deflate);
  deflate.decompress = (data, fin, callback) => {
    if (fin) seen.rsv1In++;
    return decompress(data, fin, callback);
  };
  deflate.compress = (data, fin, callback) => {
    if (fin) seen.rsv1Out++;
    return compress(data, fin, callback);
  };
  return seen;
}

module.exports = { watch };
