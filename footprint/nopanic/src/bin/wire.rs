//! The wire layers under the connection, each on its own, as a firmware
//! that does its own framing would call them: `Header::decode` /
//! `decode_with` / `validate` / `encode`, `mask::apply` / `copy_masked` /
//! `Masker`, `utf8::from_utf8` / `Validator`, `close::parse_payload` /
//! `payload_len` / `encode_payload`, `CloseCode`.
#![no_std]
#![no_main]

use wsframe::frame::{Header, Opcode, Rsv};
use wsframe::{CloseCode, CloseFrame, Status, close, mask, utf8};
use wsframe_nopanic::{bytes, entry, fill, flag, send, sink, size, text, word};

#[entry]
fn main() -> ! {
    let mut validator = utf8::Validator::new();
    loop {
        let mut input = [0u8; 256];
        let mut out = [0u8; 256];
        let out = wsframe_nopanic::prefix(&mut out);
        let key = word().to_be_bytes();
        match word() & 7 {
            0 => {
                let input = bytes(&mut input);
                let decoded = if flag() {
                    Header::decode(input)
                } else {
                    Header::decode_with(input, Rsv::from_bits(word() as u8))
                };
                if let Ok(Status::Complete((header, n))) = decoded {
                    sink(header.encoded_len() as u32 ^ n as u32);
                    sink(u32::from(
                        header.validate(Rsv::from_bits(word() as u8)).is_ok(),
                    ));
                }
                let opcode = Opcode::from_u8(word() as u8).unwrap_or(Opcode::Binary);
                let header = Header::new(opcode, u64::from(word()) << 32 | u64::from(word()))
                    .with_fin(flag())
                    .with_mask(flag().then_some(key));
                if let Ok(n) = header.encode(out) {
                    send(out.get(..n).unwrap_or_default());
                }
            }
            1 => {
                let n = fill(&mut input);
                let data = input.get_mut(..n).unwrap_or_default();
                mask::apply(key, size(), data);
                mask::Masker::new(key).apply(data);
                mask::copy_masked(key, size(), data, out);
                send(out);
            }
            2 => match utf8::from_utf8(bytes(&mut input)) {
                Ok(text) => send(text.as_bytes()),
                Err(e) => sink(e.valid_up_to() as u32 ^ u32::from(e.is_incomplete())),
            },
            3 => {
                if flag() {
                    validator.reset();
                }
                let fed = validator.feed(bytes(&mut input));
                sink(u32::from(
                    fed.is_ok() && validator.is_complete() && validator.finish().is_ok(),
                ));
            }
            4 => {
                if let Ok(Some(frame)) = close::parse_payload(bytes(&mut input)) {
                    send(frame.reason.as_bytes());
                }
                let frame = CloseFrame {
                    code: CloseCode::new(word() as u16),
                    reason: text(&mut input),
                };
                let frame = flag().then_some(&frame);
                sink(close::payload_len(frame) as u32);
                if let Ok(n) = close::encode_payload(frame, out) {
                    send(out.get(..n).unwrap_or_default());
                }
            }
            _ => {
                let code = CloseCode::new(word() as u16);
                sink(code.class() as u32 ^ u32::from(code.is_sendable()));
            }
        }
    }
}
