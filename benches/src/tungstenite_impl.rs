//! tungstenite 0.30 through `WebSocket` over a blocking stream.

use crate::{Count, Duplex, ENCODE_BATCH, Msg, Sink, TEXTS};
use tungstenite::protocol::{Role, WebSocket};
use tungstenite::{Bytes, Message, Utf8Bytes};

/// A server over `stream`.
pub fn server<S: std::io::Read + std::io::Write>(stream: S) -> WebSocket<S> {
    WebSocket::from_raw_socket(stream, Role::Server, None)
}

/// A client over `stream`.
pub fn client<S: std::io::Read + std::io::Write>(stream: S) -> WebSocket<S> {
    WebSocket::from_raw_socket(stream, Role::Client, None)
}

/// Read `n` data messages.
pub fn read<S: std::io::Read + std::io::Write>(ws: &mut WebSocket<S>, n: usize) -> Count {
    let (mut msgs, mut bytes) = (0, 0);
    while msgs < n {
        match ws.read().expect("tungstenite read") {
            Message::Text(t) => {
                msgs += 1;
                bytes += t.len();
            }
            Message::Binary(b) => {
                msgs += 1;
                bytes += b.len();
            }
            _ => {}
        }
    }
    (msgs, bytes)
}

/// W3: write `ENCODE_BATCH` text messages (payloads are static, no copy).
pub fn encode(ws: &mut WebSocket<Sink>) -> usize {
    ws.get_mut().data.clear();
    for i in 0..ENCODE_BATCH {
        ws.write(Message::Text(Utf8Bytes::from_static(
            TEXTS[i % TEXTS.len()],
        )))
        .expect("write");
    }
    ws.flush().expect("flush");
    ws.get_ref().data.len()
}

/// W6 state.
pub struct Echo {
    client: WebSocket<Duplex>,
    server: WebSocket<Duplex>,
}

impl Default for Echo {
    fn default() -> Self {
        let (c, s) = Duplex::pair();
        Self {
            client: client(c),
            server: server(s),
        }
    }
}

impl Echo {
    /// One round trip.
    pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
        let m = match msg {
            Msg::Text(t) => Message::Text(Utf8Bytes::from(t)),
            Msg::Binary(b) => Message::Binary(Bytes::copy_from_slice(b)),
        };
        self.client.send(m).expect("send");
        let got = self.server.read().expect("server read");
        self.server.send(got).expect("echo");
        match self.client.read().expect("client read") {
            Message::Text(t) => t.len(),
            Message::Binary(b) => b.len(),
            other => panic!("unexpected {other:?}"),
        }
    }
}
