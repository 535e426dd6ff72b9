//! embedded-websocket 0.9 (sans-I/O `read(from, to)` / `write(.., from, to)`).

use crate::{Count, ENCODE_BATCH, Keys, LARGE, Msg, TEXTS};
use embedded_websocket::{
    WebSocketClient, WebSocketReceiveMessageType as R, WebSocketSendMessageType as S,
    WebSocketServer, WebSocketState,
};

/// An open server.
pub fn server() -> WebSocketServer {
    let mut ws = WebSocketServer::new_server();
    ws.state = WebSocketState::Open;
    ws
}

/// An open client.
pub fn client() -> WebSocketClient<Keys> {
    let mut ws = WebSocketClient::new_client(Keys::default());
    ws.state = WebSocketState::Open;
    ws
}

/// Read every frame in `input` (whole frames), payloads into `to`.
/// It does not check UTF-8.
pub fn read<T: rand_core_06::RngCore, K: embedded_websocket::WebSocketType>(
    ws: &mut embedded_websocket::WebSocket<T, K>,
    mut input: &[u8],
    to: &mut [u8],
) -> Count {
    let (mut msgs, mut bytes) = (0, 0);
    while !input.is_empty() {
        let r = ws.read(input, to).expect("embedded-websocket read");
        input = &input[r.len_from..];
        if matches!(r.message_type, R::Text | R::Binary) && r.end_of_message {
            msgs += 1;
        }
        bytes += r.len_to;
    }
    (msgs, bytes)
}

/// W3.
pub fn encode(ws: &mut WebSocketClient<Keys>, out: &mut [u8]) -> usize {
    let mut pos = 0;
    for i in 0..ENCODE_BATCH {
        pos += ws
            .write(
                S::Text,
                true,
                TEXTS[i % TEXTS.len()].as_bytes(),
                &mut out[pos..],
            )
            .expect("write");
    }
    pos
}

/// W6 state.
pub struct Echo {
    client: WebSocketClient<Keys>,
    server: WebSocketServer,
    wire: Vec<u8>,
    payload: Vec<u8>,
}

impl Default for Echo {
    fn default() -> Self {
        Self {
            client: client(),
            server: server(),
            wire: vec![0; LARGE + 64],
            payload: vec![0; LARGE + 64],
        }
    }
}

impl Echo {
    /// One round trip.
    pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
        let kind = match msg {
            Msg::Text(_) => S::Text,
            Msg::Binary(_) => S::Binary,
        };
        let n = self
            .client
            .write(kind, true, msg.bytes(), &mut self.wire)
            .expect("send");
        let r = self
            .server
            .read(&self.wire[..n], &mut self.payload)
            .expect("server read");
        assert!(r.end_of_message);
        let n = self
            .server
            .write(kind, true, &self.payload[..r.len_to], &mut self.wire)
            .expect("echo");
        let r = self
            .client
            .read(&self.wire[..n], &mut self.payload)
            .expect("client read");
        r.len_to
    }
}
