//! ratchet_rs 1.2 with its permessage-deflate extension
//! (`ratchet_deflate`, flate2 over C zlib), through
//! `WebSocket::from_upgraded` and `WebSocket::read` over a tokio-io
//! [`Feed`], polled by [`run`](crate::run).
//!
//! The extension is negotiated as ratchet's server handshake does it,
//! by `DeflateExtProvider::negotiate_server` on the client's request
//! headers (here `permessage-deflate` with no parameters: context
//! takeover, window 15). ratchet does not check UTF-8 on text (its
//! `Message::Text` docs leave that to the user), so [`read`] does it with
//! `std::str::from_utf8`, as a user must.

use crate::{Count, Feed};
use bytes::BytesMut;
use ratchet_rs::deflate::{Deflate, DeflateExtProvider};
use ratchet_rs::{
    ExtensionProvider, HeaderMap, HeaderValue, Message, Role, WebSocket, WebSocketConfig,
};

/// Our server type.
pub type Server = WebSocket<Feed<'static>, Deflate>;

/// A server over `stream` with permessage-deflate negotiated.
pub fn server(stream: &'static [u8]) -> Server {
    let mut headers = HeaderMap::new();
    headers.insert(
        "sec-websocket-extensions",
        HeaderValue::from_static("permessage-deflate"),
    );
    let (deflate, _answer) = DeflateExtProvider::default()
        .negotiate_server(&headers)
        .expect("negotiation")
        .expect("deflate agreed");
    WebSocket::from_upgraded(
        WebSocketConfig::default(),
        Feed::new(stream),
        Some(deflate),
        BytesMut::new(),
        Role::Server,
    )
}

/// Read `n` text messages into `buf` (cleared each time), checking
/// UTF-8 as a user must.
pub fn read(ws: &mut Server, buf: &mut BytesMut, n: usize) -> Count {
    let (mut msgs, mut bytes) = (0, 0);
    while msgs < n {
        buf.clear();
        match crate::run(ws.read(buf)).expect("ratchet read") {
            Message::Text => {
                let text = std::str::from_utf8(buf).expect("UTF-8");
                msgs += 1;
                bytes += text.len();
            }
            Message::Binary => {
                msgs += 1;
                bytes += buf.len();
            }
            _ => {}
        }
    }
    (msgs, bytes)
}
