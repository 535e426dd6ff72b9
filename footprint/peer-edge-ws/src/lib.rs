//! The frame work shared by the edge-ws probes, as in wsframe's (a): decode
//! a header and unmask its payload, encode a header, mask at an offset.
#![no_std]

use edge_ws::{FrameHeader, FrameType};
use footprint_rt::{receive, send, sink, word};

/// One round of frame work on bytes from the UART.
pub fn frames(buf: &mut [u8]) {
    let n = receive(buf);
    let input = &mut buf[..n];
    match FrameHeader::deserialize(input) {
        Ok((header, header_len)) => {
            sink(header.frame_type.is_final() as u32);
            let payload = input.get_mut(header_len..).unwrap_or_default();
            let len = payload.len().min(header.payload_len as usize);
            let payload = &mut payload[..len];
            header.mask(payload, 0);
            send(payload);
        }
        Err(_) => sink(u32::MAX),
    }
    let what = word();
    let frame_type = match what & 7 {
        0 => FrameType::Text(what & 8 != 0),
        1 => FrameType::Binary(what & 8 != 0),
        2 => FrameType::Ping,
        3 => FrameType::Pong,
        4 => FrameType::Close,
        _ => FrameType::Continue(what & 8 != 0),
    };
    let header = FrameHeader {
        frame_type,
        payload_len: u64::from(word()),
        mask_key: (what & 0x10 != 0).then(word),
    };
    let mut out = [0u8; 14];
    if let Ok(n) = header.serialize(&mut out) {
        send(&out[..n]);
    }
    let mut payload = [0u8; 256];
    let n = receive(&mut payload);
    FrameHeader::mask_with(&mut payload[..n], Some(word()), word() as usize);
    send(&payload[..n]);
}
