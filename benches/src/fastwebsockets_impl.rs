//! fastwebsockets 0.10 through `WebSocket` over a tokio stream.

use crate::{Count, Duplex, ENCODE_BATCH, LARGE, Msg, TEXTS, run};
use fastwebsockets::{Frame, OpCode, Payload, Role, WebSocket};

/// A server over `stream`.
pub fn server<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(stream: S) -> WebSocket<S> {
    let mut ws = WebSocket::after_handshake(stream, Role::Server);
    ws.set_auto_close(false);
    ws
}

/// A client over `stream`.
pub fn client<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(stream: S) -> WebSocket<S> {
    WebSocket::after_handshake(stream, Role::Client)
}

/// Read `n` data frames (text frames are UTF-8 checked by `read_frame`).
pub fn read<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    ws: &mut WebSocket<S>,
    n: usize,
) -> Count {
    run(async {
        let (mut msgs, mut bytes) = (0, 0);
        while msgs < n {
            let f = ws.read_frame().await.expect("fastwebsockets read");
            if matches!(f.opcode, OpCode::Text | OpCode::Binary) {
                msgs += 1;
                bytes += f.payload.len();
            }
        }
        (msgs, bytes)
    })
}

/// W3: write `ENCODE_BATCH` text frames; the client masks in place, so
/// each payload is first copied into a scratch (a borrowed payload would
/// be copied into a new `Vec` by `Frame::mask`).
/// The output goes into a pipe whose other end is `peer`.
pub fn encode(ws: &mut WebSocket<Duplex>, peer: &mut Duplex) -> usize {
    run(async {
        let mut scratch = [0u8; 16];
        for i in 0..ENCODE_BATCH {
            scratch.copy_from_slice(TEXTS[i % TEXTS.len()].as_bytes());
            ws.write_frame(Frame::text(Payload::BorrowedMut(&mut scratch)))
                .await
                .expect("write");
        }
    });
    peer.clear_input()
}

/// W6 state.
pub struct Echo {
    client: WebSocket<Duplex>,
    server: WebSocket<Duplex>,
    scratch: Vec<u8>,
}

impl Default for Echo {
    fn default() -> Self {
        let (c, s) = Duplex::pair();
        Self {
            client: client(c),
            server: server(s),
            scratch: Vec::with_capacity(LARGE),
        }
    }
}

impl Echo {
    /// One round trip (the server echoes the frame it read, as in the
    /// crate's echo example).
    pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
        let Self {
            client,
            server,
            scratch,
        } = self;
        run(async {
            scratch.clear();
            scratch.extend_from_slice(msg.bytes());
            let payload = Payload::BorrowedMut(scratch);
            let f = match msg {
                Msg::Text(_) => Frame::text(payload),
                Msg::Binary(_) => Frame::binary(payload),
            };
            client.write_frame(f).await.expect("send");
            let got = server.read_frame().await.expect("server read");
            server.write_frame(got).await.expect("echo");
            client
                .read_frame()
                .await
                .expect("client read")
                .payload
                .len()
        })
    }
}
