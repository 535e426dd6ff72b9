//! Differential: `wsframe::Header::decode_with(bytes, Rsv::ALL)` against
//! `tungstenite::protocol::frame::FrameHeader::parse` (0.30) on the same bytes.
//!
//! When both complete, they must agree on FIN, the three RSV bits, the
//! opcode, the masking key, the payload length and the header length.
//! When only one completes, the difference must be one of the intended
//! ones below; anything else fails the target.
//!
//! Known, intended differences (wsframe validates more at the header level;
//! tungstenite checks some of these later, in its frame/message layer):
//! - Non-minimal length encodings (a 16-bit length < 126, a 64-bit length
//!   <= 0xFFFF): wsframe rejects (`NonMinimalLength`, RFC 6455 §5.2 "the
//!   minimal number of bytes MUST be used"); tungstenite's header parser
//!   accepts them.
//! - A 64-bit length with the top bit set: wsframe rejects
//!   (`LengthTopBitSet`); tungstenite's header parser accepts it.
//! - Control frames that are fragmented or declare > 125 bytes: wsframe
//!   rejects at decode time; tungstenite's header parser accepts them (its
//!   frame reader rejects them afterwards).
//! - Reserved opcodes: both reject, but wsframe does so after the first
//!   byte, while tungstenite first waits for the whole header (returns
//!   `Ok(None)` on a short input, then an error).
//! - RSV bits: this target allows all three in wsframe (`Rsv::ALL`) so
//!   they are compared; with the default `Rsv::NONE` wsframe would reject
//!   any set bit at decode time, which tungstenite leaves to its reader.
//! - Errors are reported by wsframe as soon as the bytes seen break a rule,
//!   so wsframe may report an error where tungstenite still wants bytes.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use tungstenite::protocol::frame::FrameHeader;
use tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use wsframe::Status;
use wsframe::frame::{FrameError, Header, Opcode, Rsv};

fn their_opcode(op: OpCode) -> Option<Opcode> {
    Some(match op {
        OpCode::Data(Data::Continue) => Opcode::Continuation,
        OpCode::Data(Data::Text) => Opcode::Text,
        OpCode::Data(Data::Binary) => Opcode::Binary,
        OpCode::Control(Control::Close) => Opcode::Close,
        OpCode::Control(Control::Ping) => Opcode::Ping,
        OpCode::Control(Control::Pong) => Opcode::Pong,
        OpCode::Data(Data::Reserved(_)) | OpCode::Control(Control::Reserved(_)) => return None,
    })
}

/// The length and header size as the wire declares them, whatever the form.
fn wire_len(bytes: &[u8]) -> Option<(u64, usize)> {
    let b1 = *bytes.get(1)?;
    let masked = b1 & 0x80 != 0;
    let mask_len = if masked { 4 } else { 0 };
    match b1 & 0x7F {
        126 => Some((
            u64::from(u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?)),
            4 + mask_len,
        )),
        127 => Some((
            u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?),
            10 + mask_len,
        )),
        n => Some((u64::from(n), 2 + mask_len)),
    }
}

fuzz_target!(|bytes: &[u8]| {
    let ours = Header::decode_with(bytes, Rsv::ALL);
    let mut cursor = Cursor::new(bytes);
    let theirs = FrameHeader::parse(&mut cursor);
    let their_len = cursor.position() as usize;

    match (ours, theirs) {
        (Ok(Status::Complete((h, len))), Ok(Some((t, tlen)))) => {
            assert_eq!(h.fin, t.is_final, "fin");
            assert_eq!(h.rsv.contains(Rsv::RSV1), t.rsv1, "rsv1");
            assert_eq!(h.rsv.contains(Rsv::RSV2), t.rsv2, "rsv2");
            assert_eq!(h.rsv.contains(Rsv::RSV3), t.rsv3, "rsv3");
            assert_eq!(Some(h.opcode), their_opcode(t.opcode), "opcode");
            assert_eq!(h.mask, t.mask, "mask");
            assert_eq!(h.payload_len, tlen, "payload length");
            assert_eq!(len, their_len, "header length");
        }
        (Ok(Status::Complete((h, _))), theirs) => {
            panic!("wsframe decoded {h:?}, tungstenite gave {theirs:?}");
        }
        (Ok(Status::Partial { needed }), Ok(Some((t, tlen)))) => {
            panic!("wsframe wants {needed} more bytes, tungstenite decoded {t:?} len {tlen}");
        }
        (Ok(Status::Partial { .. }), Ok(None)) => {
            // Both want more. tungstenite rewinds its cursor.
            assert_eq!(their_len, 0);
        }
        (Ok(Status::Partial { .. }), Err(e)) => {
            panic!("wsframe wants more bytes, tungstenite failed: {e}");
        }
        (Err(e), theirs) => {
            // Every wsframe error must be one of the documented differences,
            // and the bytes must really break that rule.
            let b0 = bytes[0];
            let opcode = Opcode::from_u8(b0 & 0x0F);
            match e {
                FrameError::ReservedBitsSet => panic!("Rsv::ALL cannot reject reserved bits"),
                FrameError::ReservedOpcode(op) => {
                    assert_eq!(op, b0 & 0x0F);
                    assert!(opcode.is_none());
                    // tungstenite rejects it too once the header is complete.
                    assert!(
                        !matches!(theirs, Ok(Some(_))),
                        "tungstenite accepted opcode {op:#x}"
                    );
                }
                FrameError::FragmentedControlFrame => {
                    assert!(opcode.is_some_and(Opcode::is_control) && b0 & 0x80 == 0);
                }
                FrameError::ControlFrameTooLong => {
                    assert!(opcode.is_some_and(Opcode::is_control));
                    assert!(bytes[1] & 0x7F > 125);
                }
                FrameError::NonMinimalLength | FrameError::LengthTopBitSet => {
                    let (len, _) = wire_len(bytes).expect("length error before the length arrived");
                    match e {
                        FrameError::LengthTopBitSet => assert!(len >> 63 == 1),
                        _ => assert!(
                            (bytes[1] & 0x7F == 126 && len < 126)
                                || (bytes[1] & 0x7F == 127 && len <= 0xFFFF)
                        ),
                    }
                }
            }
            // Where tungstenite accepts the header, it must read the same
            // fields wsframe saw before it objected.
            if let Ok(Some((t, tlen))) = theirs {
                assert_eq!(b0 & 0x80 != 0, t.is_final);
                assert_eq!(opcode, their_opcode(t.opcode));
                let (len, hlen) = wire_len(bytes).expect("tungstenite decoded without a length");
                assert_eq!(len, tlen);
                assert_eq!(hlen, their_len);
            }
        }
    }
});
