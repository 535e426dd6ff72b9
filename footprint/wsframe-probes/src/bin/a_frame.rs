//! (a) The wire layer alone: decode a frame header from received bytes,
//! unmask its payload, encode a header (masked or not) and mask a payload
//! at an arbitrary offset.
#![no_std]
#![no_main]

use footprint_rt::{entry, receive, send, sink, word};
use wsframe::frame::{Header, Opcode, Rsv};
use wsframe::{Status, mask};

#[entry]
fn main() -> ! {
    loop {
        let mut buf = [0u8; 256];
        let n = receive(&mut buf);
        let input = &mut buf[..n];
        match Header::decode_with(input, Rsv::NONE) {
            Ok(Status::Complete((header, header_len))) => {
                sink(u32::from(header.opcode.as_u8()) | u32::from(header.fin) << 8);
                let payload = input.get_mut(header_len..).unwrap_or_default();
                let len = payload.len().min(header.payload_len as usize);
                let payload = &mut payload[..len];
                if let Some(key) = header.mask {
                    mask::apply(key, 0, payload);
                }
                send(payload);
            }
            Ok(Status::Partial { needed }) => sink(needed as u32),
            Err(e) => sink(u32::from(e.close_code().as_u16())),
        }

        let what = word();
        let opcode = Opcode::from_u8((what & 0xF) as u8).unwrap_or(Opcode::Binary);
        let key = (what & 0x10 != 0).then(|| word().to_be_bytes());
        let header = Header::new(opcode, u64::from(word()))
            .with_fin(what & 0x20 != 0)
            .with_mask(key);
        let mut out = [0u8; 14];
        if let Ok(n) = header.encode(&mut out) {
            send(&out[..n]);
        }
        let mut payload = [0u8; 256];
        let n = receive(&mut payload);
        mask::apply(word().to_be_bytes(), word() as usize, &mut payload[..n]);
        send(&payload[..n]);
    }
}
