//! websocket-sans-io 0.1: frame layer only (no messages, no UTF-8 check).

use crate::{Count, ENCODE_BATCH, Feed, Keys, LARGE, Msg, TEXTS};
use websocket_sans_io::{
    FrameInfo, Opcode, WebsocketFrameDecoder, WebsocketFrameEncoder, WebsocketFrameEvent,
};

/// Decode (and unmask in place) every frame event in `data`; counts
/// ended data frames and payload bytes.
pub fn decode(dec: &mut WebsocketFrameDecoder, mut data: &mut [u8], c: &mut Count) {
    loop {
        let r = dec.add_data(data).expect("sans-io decode");
        match r.event {
            Some(WebsocketFrameEvent::PayloadChunk { .. }) => c.1 += r.consumed_bytes,
            Some(WebsocketFrameEvent::End { frame_info, .. }) if frame_info.opcode.is_data() => {
                c.0 += 1
            }
            Some(_) => {}
            None if r.consumed_bytes == 0 => return,
            None => {}
        }
        data = &mut data[r.consumed_bytes..];
    }
}

/// Read `n` data frames: copy the transport's bytes into `chunk` and decode in place.
pub fn read(
    dec: &mut WebsocketFrameDecoder,
    feed: &mut Feed<'_>,
    chunk: &mut [u8],
    n: usize,
) -> Count {
    let mut c = (0, 0);
    while c.0 < n {
        let k = feed.read_into(chunk);
        decode(dec, &mut chunk[..k], &mut c);
    }
    c
}

fn frame(
    enc: &mut WebsocketFrameEncoder,
    opcode: Opcode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
    out: &mut [u8],
) -> usize {
    let head = enc.start_frame(&FrameInfo {
        opcode,
        payload_length: payload.len() as u64,
        mask,
        fin: true,
        reserved: 0,
    });
    out[..head.len()].copy_from_slice(&head);
    let body = &mut out[head.len()..head.len() + payload.len()];
    body.copy_from_slice(payload);
    enc.transform_frame_payload(body);
    head.len() + payload.len()
}

/// W3.
pub fn encode(enc: &mut WebsocketFrameEncoder, keys: &mut Keys, out: &mut [u8]) -> usize {
    let mut pos = 0;
    for i in 0..ENCODE_BATCH {
        pos += frame(
            enc,
            Opcode::Text,
            TEXTS[i % TEXTS.len()].as_bytes(),
            Some(keys.next_key()),
            &mut out[pos..],
        );
    }
    pos
}

/// W6 state.
#[derive(Default)]
pub struct Echo {
    enc_c: WebsocketFrameEncoder,
    enc_s: WebsocketFrameEncoder,
    dec_c: WebsocketFrameDecoder,
    dec_s: WebsocketFrameDecoder,
    keys: Keys,
    wire: Vec<u8>,
    scratch: Vec<u8>,
}

/// Decode one whole frame in `wire`, appending its payload to `out`.
fn recv_one(dec: &mut WebsocketFrameDecoder, mut wire: &mut [u8], out: &mut Vec<u8>) {
    out.clear();
    loop {
        let r = dec.add_data(wire).expect("decode");
        let (now, rest) = wire.split_at_mut(r.consumed_bytes);
        match r.event {
            Some(WebsocketFrameEvent::PayloadChunk { .. }) => out.extend_from_slice(now),
            Some(WebsocketFrameEvent::End { .. }) => return,
            Some(_) => {}
            None => assert!(r.consumed_bytes > 0, "frame incomplete"),
        }
        wire = rest;
    }
}

impl Echo {
    /// One round trip.
    pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
        if self.wire.is_empty() {
            self.wire = vec![0; LARGE + 64];
            self.scratch = Vec::with_capacity(LARGE);
        }
        let op = match msg {
            Msg::Text(_) => Opcode::Text,
            Msg::Binary(_) => Opcode::Binary,
        };
        let key = self.keys.next_key();
        let n = frame(&mut self.enc_c, op, msg.bytes(), Some(key), &mut self.wire);
        recv_one(&mut self.dec_s, &mut self.wire[..n], &mut self.scratch);
        let n = frame(&mut self.enc_s, op, &self.scratch, None, &mut self.wire);
        recv_one(&mut self.dec_c, &mut self.wire[..n], &mut self.scratch);
        self.scratch.len()
    }
}
