//! websocketz 0.2 through `WebSocket` over `embedded-io-async`.

use crate::{Count, Duplex, ENCODE_BATCH, Keys, LARGE, Msg, TEXTS, leak, run};
use websocketz::{Message, WebSocket};

/// A server over `rw` with `len`-byte read and write buffers.
pub fn server<RW>(rw: RW, len: usize) -> WebSocket<'static, RW, Keys> {
    WebSocket::server(rw, Keys::default(), leak(len), leak(len), leak(len))
}

/// A client over `rw` with `len`-byte read and write buffers.
pub fn client<RW>(rw: RW, len: usize) -> WebSocket<'static, RW, Keys> {
    WebSocket::client(rw, Keys::default(), leak(len), leak(len), leak(len))
}

/// Read `n` data messages (text is UTF-8 checked).
pub fn read<RW: embedded_io_async::Read + embedded_io_async::Write>(
    ws: &mut WebSocket<'static, RW, Keys>,
    n: usize,
) -> Count {
    run(async {
        let (mut msgs, mut bytes) = (0, 0);
        while msgs < n {
            match websocketz::next!(ws) {
                Some(Ok(Message::Text(t))) => {
                    msgs += 1;
                    bytes += t.len();
                }
                Some(Ok(Message::Binary(b))) => {
                    msgs += 1;
                    bytes += b.len();
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("websocketz: {e:?}"),
                None => panic!("websocketz: closed"),
            }
        }
        (msgs, bytes)
    })
}

/// W3: the output goes into a pipe whose other end is `peer`.
pub fn encode(ws: &mut WebSocket<'static, Duplex, Keys>, peer: &mut Duplex) -> usize {
    run(async {
        for i in 0..ENCODE_BATCH {
            ws.send(Message::Text(TEXTS[i % TEXTS.len()]))
                .await
                .expect("send");
        }
    });
    peer.clear_input()
}

/// W6 state.
pub struct Echo {
    client: WebSocket<'static, Duplex, Keys>,
    server: WebSocket<'static, Duplex, Keys>,
    scratch: Vec<u8>,
}

impl Default for Echo {
    fn default() -> Self {
        let (c, s) = Duplex::pair();
        Self {
            client: client(c, LARGE + 64),
            server: server(s, LARGE + 64),
            scratch: Vec::with_capacity(LARGE),
        }
    }
}

impl Echo {
    /// One round trip (the server echoes from a scratch copy: the
    /// message borrows the socket).
    pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
        let Self {
            client,
            server,
            scratch,
        } = self;
        run(async {
            let m = match msg {
                Msg::Text(t) => Message::Text(t),
                Msg::Binary(b) => Message::Binary(b),
            };
            client.send(m).await.expect("send");
            scratch.clear();
            let is_text = match websocketz::next!(server) {
                Some(Ok(Message::Text(t))) => {
                    scratch.extend_from_slice(t.as_bytes());
                    true
                }
                Some(Ok(Message::Binary(b))) => {
                    scratch.extend_from_slice(b);
                    false
                }
                other => panic!("websocketz server: {other:?}"),
            };
            let m = if is_text {
                Message::Text(std::str::from_utf8(scratch).expect("utf8"))
            } else {
                Message::Binary(scratch)
            };
            server.send(m).await.expect("echo");
            match websocketz::next!(client) {
                Some(Ok(Message::Text(t))) => t.len(),
                Some(Ok(Message::Binary(b))) => b.len(),
                other => panic!("websocketz client: {other:?}"),
            }
        })
    }
}
