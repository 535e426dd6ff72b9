//! Helpers shared by the integration tests: a client/server pair wired
//! together in memory, a driver that feeds a connection and collects its
//! events, and a decoder for what it sends. Raw frame builders, owned
//! events, chunk reassembly and the mask source live in `wsframe-testkit`
//! (shared with fuzz/ and benches/) and are re-exported here under the
//! names the tests use.
#![allow(dead_code, unused_imports)]

use wsframe::frame::{Header, Opcode};
use wsframe::{Config, Connection, NoMask, Role};
pub use wsframe_testkit::{
    KEY, LenForm, Masks, Owned, RawFrame, counter_masks, from_client, merge_chunks, own, raw,
    raw_rsv, reassemble,
};

/// An open server connection over a heap buffer of `len` bytes.
pub fn server(len: usize, config: Config) -> Connection<Vec<u8>, NoMask> {
    let mut c = Connection::server(vec![0u8; len], config).unwrap();
    c.finish_handshake(wsframe::handshake::Finished::elsewhere());
    c
}

pub fn client(len: usize, config: Config) -> Connection<Vec<u8>, impl FnMut() -> [u8; 4]> {
    let mut c = Connection::new(Role::Client, vec![0u8; len], config, counter_masks()).unwrap();
    c.finish_handshake(wsframe::handshake::Finished::elsewhere());
    c
}

/// Feed `input` to `conn` in pieces of the given sizes (cycled), collecting
/// every event (and a final error, after which input stops).
pub fn feed<B, M, I, C>(
    conn: &mut Connection<B, M, I, C>,
    input: &[u8],
    splits: &[usize],
) -> Vec<Owned>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: wsframe::MaskSource,
    I: wsframe::RecvExtension,
    C: wsframe::SendExtension,
{
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
pub fn transmit<B, M, I, C>(conn: &mut Connection<B, M, I, C>) -> Vec<u8>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: wsframe::MaskSource,
    I: wsframe::RecvExtension,
    C: wsframe::SendExtension,
{
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
