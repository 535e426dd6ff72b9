//! Ours, through [`wsframe::Connection`].

use crate::{Count, ENCODE_BATCH, Feed, Keys, LARGE, Msg, TEXTS};
use wsframe::{Config, Connection, Event, MaskSource, NoMask};

/// The client's masking keys.
pub struct KeySource(pub Keys);
impl MaskSource for KeySource {
    fn next_mask(&mut self) -> [u8; 4] {
        self.0.next_key()
    }
}

fn open<M: MaskSource>(mut c: Connection<Vec<u8>, M>) -> Connection<Vec<u8>, M> {
    c.finish_handshake(wsframe::handshake::Finished::elsewhere());
    c
}

/// A server connection with a `len`-byte receive buffer.
pub fn server(len: usize) -> Connection<Vec<u8>, NoMask> {
    open(Connection::server(vec![0; len], Config::new()).expect("buffer"))
}

/// A client connection with a `len`-byte receive buffer.
pub fn client(len: usize) -> Connection<Vec<u8>, KeySource> {
    open(
        Connection::client(vec![0; len], Config::new(), KeySource(Keys::default()))
            .expect("buffer"),
    )
}

/// Read `n` data messages from `feed` the way a user does: poll events,
/// and when there are none, read the transport into `rx_buffer`.
pub fn read<M: MaskSource>(
    conn: &mut Connection<Vec<u8>, M>,
    feed: &mut Feed<'_>,
    n: usize,
) -> Count {
    let (mut msgs, mut bytes) = (0, 0);
    while msgs < n {
        match conn.poll_event() {
            Ok(Some(Event::Text(t))) => {
                msgs += 1;
                bytes += t.len();
            }
            Ok(Some(Event::Binary(b))) => {
                msgs += 1;
                bytes += b.len();
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                let k = feed.read_into(conn.rx_buffer());
                conn.handle_rx(k);
            }
            Err(e) => panic!("wsframe: {e:?}"),
        }
    }
    (msgs, bytes)
}

/// W3: encode `ENCODE_BATCH` masked text frames into `out`.
pub fn encode(conn: &mut Connection<Vec<u8>, KeySource>, out: &mut [u8]) -> usize {
    let mut pos = 0;
    for i in 0..ENCODE_BATCH {
        pos += conn
            .encode_text(TEXTS[i % TEXTS.len()], &mut out[pos..])
            .expect("room");
    }
    pos
}

/// W6 state: a client and a server connected in memory.
pub struct Echo {
    client: Connection<Vec<u8>, KeySource>,
    server: Connection<Vec<u8>, NoMask>,
    wire: Vec<u8>,
    text: String,
    binary: Vec<u8>,
}

impl Default for Echo {
    fn default() -> Self {
        let len = 2 * LARGE;
        Self {
            client: client(len),
            server: server(len),
            wire: vec![0; LARGE + 64],
            text: String::with_capacity(LARGE),
            binary: Vec::with_capacity(LARGE),
        }
    }
}

/// Receive one message from `wire`, copying it out (the event borrows
/// the connection, and the echo needs it again): `true` for text.
fn recv_one<M: MaskSource>(
    conn: &mut Connection<Vec<u8>, M>,
    mut wire: &[u8],
    text: &mut String,
    binary: &mut Vec<u8>,
) -> bool {
    loop {
        match conn.poll_event() {
            Ok(Some(Event::Text(t))) => {
                text.clear();
                text.push_str(t);
                return true;
            }
            Ok(Some(Event::Binary(b))) => {
                binary.clear();
                binary.extend_from_slice(b);
                return false;
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                assert!(!wire.is_empty(), "wsframe echo: message incomplete");
                let k = conn.handle_bytes(wire);
                wire = &wire[k..];
            }
            Err(e) => panic!("wsframe: {e:?}"),
        }
    }
}

impl Echo {
    /// One round trip; returns the length echoed back.
    pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
        let Self {
            client,
            server,
            wire,
            text,
            binary,
        } = self;
        let n = match msg {
            Msg::Text(t) => client.encode_text(t, wire),
            Msg::Binary(b) => client.encode_binary(b, wire),
        }
        .expect("room");
        let n = if recv_one(server, &wire[..n], text, binary) {
            server.encode_text(text, wire)
        } else {
            server.encode_binary(binary, wire)
        }
        .expect("room");
        if recv_one(client, &wire[..n], text, binary) {
            text.len()
        } else {
            binary.len()
        }
    }
}
