//! Helpers shared by the integration tests: raw frame builders and a
//! client/server pair wired together in memory.
#![allow(dead_code)]

use wsframe::frame::{Header, Opcode, Rsv};
use wsframe::{Config, Connection, Event, NoMask, ProtocolError, Role};

pub const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A raw frame, masked with `KEY` when `masked`.
pub fn raw(opcode: Opcode, fin: bool, payload: &[u8], masked: bool) -> Vec<u8> {
    raw_rsv(opcode, fin, Rsv::NONE, payload, masked)
}

pub fn raw_rsv(opcode: Opcode, fin: bool, rsv: Rsv, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut h = Header::new(opcode, payload.len() as u64)
        .with_fin(fin)
        .with_mask(masked.then_some(KEY));
    h.rsv = rsv;
    let mut out = vec![0u8; 14 + payload.len()];
    let n = h.encode(&mut out).unwrap();
    out.truncate(n);
    let start = out.len();
    out.extend_from_slice(payload);
    if masked {
        wsframe::mask::apply(KEY, 0, &mut out[start..]);
    }
    out
}

/// A frame as a client sends it (masked).
pub fn from_client(opcode: Opcode, fin: bool, payload: &[u8]) -> Vec<u8> {
    raw(opcode, fin, payload, true)
}

/// An open server connection over a heap buffer of `len` bytes.
pub fn server(len: usize, config: Config) -> Connection<Vec<u8>, NoMask> {
    let mut c = Connection::server(vec![0u8; len], config).unwrap();
    c.finish_handshake(wsframe::handshake::Finished::elsewhere());
    c
}

/// A counter-based mask source (tests only; real clients use an RNG).
pub fn counter_masks() -> impl FnMut() -> [u8; 4] {
    let mut n: u32 = 0x1234_5678;
    move || {
        n = n.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        n.to_le_bytes()
    }
}

pub fn client(len: usize, config: Config) -> Connection<Vec<u8>, impl FnMut() -> [u8; 4]> {
    let mut c = Connection::new(Role::Client, vec![0u8; len], config, counter_masks()).unwrap();
    c.finish_handshake(wsframe::handshake::Finished::elsewhere());
    c
}

/// An owned copy of an event, for comparing event sequences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owned {
    Text(String),
    Binary(Vec<u8>),
    Chunk {
        text: bool,
        data: Vec<u8>,
        offset: u64,
        last: bool,
    },
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
    Error(ProtocolError),
}

pub fn own(e: &Event<'_>) -> Owned {
    match *e {
        Event::Text(t) => Owned::Text(t.to_owned()),
        Event::Binary(b) => Owned::Binary(b.to_vec()),
        Event::Chunk(c) => Owned::Chunk {
            text: c.kind == wsframe::MessageKind::Text,
            data: c.data.to_vec(),
            offset: c.offset,
            last: c.last,
        },
        Event::Ping(p) => Owned::Ping(p.to_vec()),
        Event::Pong(p) => Owned::Pong(p.to_vec()),
        Event::Close(c) => Owned::Close(c.map(|c| (c.code.as_u16(), c.reason.to_owned()))),
    }
}

/// Feed `input` to `conn` in pieces of the given sizes (cycled), collecting
/// every event (and a final error, after which input stops).
pub fn feed<B: AsRef<[u8]> + AsMut<[u8]>, M: wsframe::MaskSource>(
    conn: &mut Connection<B, M>,
    input: &[u8],
    splits: &[usize],
) -> Vec<Owned> {
    let mut events = Vec::new();
    let mut rest = input;
    let mut i = 0;
    loop {
        loop {
            match conn.poll_event() {
                Ok(Some(e)) => events.push(own(&e)),
                Ok(None) => break,
                Err(e) => {
                    events.push(Owned::Error(e));
                    return events;
                }
            }
        }
        if rest.is_empty() {
            return events;
        }
        let want = splits
            .get(i % splits.len().max(1))
            .copied()
            .unwrap_or(rest.len())
            .max(1);
        i += 1;
        let piece = &rest[..want.min(rest.len())];
        let n = conn.handle_bytes(piece);
        if n == 0 {
            panic!("connection took no bytes: buffer stuck");
        }
        rest = &rest[n..];
    }
}

/// Everything `conn` owes the peer, drained.
pub fn transmit<B: AsRef<[u8]> + AsMut<[u8]>, M: wsframe::MaskSource>(
    conn: &mut Connection<B, M>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut tx = [0u8; 512];
    loop {
        let n = conn.poll_transmit(&mut tx);
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&tx[..n]);
    }
}

/// Decode a stream of frames (unmasking them), returning (opcode, fin, payload, masked).
pub fn frames(mut bytes: &[u8]) -> Vec<(Opcode, bool, Vec<u8>, bool)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (h, n) = match Header::decode(bytes).unwrap() {
            wsframe::Status::Complete(v) => v,
            wsframe::Status::Partial { .. } => panic!("truncated frame"),
        };
        let len = h.payload_len as usize;
        let mut payload = bytes[n..n + len].to_vec();
        if let Some(k) = h.mask {
            wsframe::mask::apply(k, 0, &mut payload);
        }
        out.push((h.opcode, h.fin, payload, h.mask.is_some()));
        bytes = &bytes[n + len..];
    }
    out
}

/// The close code in a Close frame payload.
pub fn close_code(payload: &[u8]) -> Option<u16> {
    payload.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}
