//! Unit tests of the packed connection state and the fast paths, compiled
//! only under `#[cfg(test)]` (see `mod tests;` in conn/mod.rs): `std`,
//! `unwrap` and `panic!` here never reach the library.
#![cfg(test)]

extern crate std;

use super::*;
use crate::close::CloseError;
use crate::frame::FrameError;

/// Feed `pieces` to a real `Validator` and to a `Carry`, the way the
/// connection does, and return both results (the first error, or the
/// result of `finish`).
fn both(pieces: &[&[u8]]) -> (Result<(), Utf8Error>, Result<(), Utf8Error>) {
    let mut v = Validator::new();
    let mut c = Carry::default();
    let mut before = 0;
    let mut expected = Ok(());
    let mut got = Ok(());
    for piece in pieces {
        if expected.is_ok() {
            expected = v.feed(piece);
        }
        if got.is_ok() {
            got = c.feed(before, piece);
        }
        before += piece.len();
    }
    if expected.is_ok() {
        expected = v.finish();
    }
    if got.is_ok() {
        got = c.finish(before);
    }
    (expected, got)
}

#[test]
fn carry_reports_what_a_validator_reports_under_every_split() {
    let cases: &[&[u8]] = &[
        "a€𝄞b κόσμε".as_bytes(),
        b"ab\xE2\x82",               // ends inside a sequence
        b"abc\xE2\x28\xA1xyz",       // bad continuation
        b"\xF0\x9D\x84\x9E\xF0\x9D", // complete, then incomplete
        b"x\xC0\xAFy",               // overlong
        b"\xED\xA0\x80",             // surrogate
        b"",
    ];
    for bytes in cases {
        for i in 0..=bytes.len() {
            for j in i..=bytes.len() {
                let pieces = [&bytes[..i], &bytes[i..j], &bytes[j..]];
                let (expected, got) = both(&pieces);
                assert_eq!(got, expected, "{bytes:?} split at {i}, {j}");
            }
        }
    }
}

#[test]
fn every_protocol_error_survives_packing() {
    let errors = [
        ProtocolError::Frame(FrameError::ReservedBitsSet),
        ProtocolError::Frame(FrameError::ReservedOpcode(0xB)),
        ProtocolError::Frame(FrameError::ControlFrameTooLong),
        ProtocolError::Frame(FrameError::FragmentedControlFrame),
        ProtocolError::Frame(FrameError::NonMinimalLength),
        ProtocolError::Frame(FrameError::LengthTopBitSet),
        ProtocolError::UnmaskedClientFrame,
        ProtocolError::MaskedServerFrame,
        ProtocolError::UnexpectedContinuation,
        ProtocolError::ExpectedContinuation,
        ProtocolError::InvalidUtf8(Utf8Error::at(12_345, false)),
        ProtocolError::InvalidUtf8(Utf8Error::at(7, true)),
        ProtocolError::InvalidClose(CloseError::OneBytePayload),
        ProtocolError::InvalidClose(CloseError::PayloadTooLong),
        ProtocolError::InvalidClose(CloseError::InvalidCode(999)),
        ProtocolError::InvalidClose(CloseError::InvalidReason),
        ProtocolError::InvalidClose(CloseError::ReasonTooLong),
        ProtocolError::InvalidClose(CloseError::BufferTooSmall { needed: 42 }),
        ProtocolError::MessageTooLong {
            len: u64::MAX,
            max: 1 << 20,
        },
        ProtocolError::FrameTooLong {
            len: (1 << 63) - 1,
            max: 4096,
        },
        ProtocolError::KeepaliveTimeout,
    ];
    for error in errors {
        let (code, wide) = error::pack(error);
        assert_ne!(code, 0);
        assert_eq!(error::unpack(code, wide, 1 << 20, 4096), Some(error));
    }
    assert_eq!(error::unpack(0, 0, 0, 0), None);
}

/// The connection state besides the buffer handle `B` and the mask source
/// `M` (zero-sized for a server), the figure `ci/footprint.sh` reports for
/// `thumbv7em-none-eabihf`: `Config` 24 bytes, the receive side 36 (four
/// buffer indices, frame and message lengths, the mask key, a UTF-8 carry,
/// four bytes of small state), the transmit side 28 (keepalive deadline and
/// ping counter, the streamed length, the owed close, a UTF-8 carry, five
/// bytes of small state). Only the buffer indices are `usize` (buffers may
/// be as large as the target allows), so on a 64-bit host they take 16
/// bytes more and the receive side pads to 8-byte alignment (+8).
#[test]
fn connection_state_size_is_pinned() {
    let handle = size_of::<&mut [u8]>();
    let state = size_of::<Connection<&mut [u8], NoMask>>() - handle;
    let bound = match size_of::<usize>() {
        4 => 88,
        8 => 112,
        _ => usize::MAX,
    };
    assert!(state <= bound, "connection state {state} > {bound} bytes");
    // `Config`: five `u32`s, the switches and the reserved-bit mask.
    assert_eq!(size_of::<Config>(), 24);
    assert_eq!(align_of::<Config>(), 4);
}

/// `frames` fed in one piece (so whole frames take the single-frame fast
/// path) and fed a byte at a time (the general path) to a connection whose
/// buffer starts full of junk: the same events, errors, state and owed
/// frames, event by event.
fn same_both_ways(client: bool, config: Config, frames: &[u8]) {
    type Trace = std::vec::Vec<std::string::String>;
    fn run(client: bool, config: Config, frames: &[u8], step: usize) -> Trace {
        let buf = std::vec![0xA5u8; 600];
        let role = if client { Role::Client } else { Role::Server };
        let mut conn = Connection::new(role, buf, config, || [9, 8, 7, 6]).unwrap();
        conn.finish_handshake(0);
        let mut trace = Trace::new();
        let mut sent = std::vec::Vec::new();
        let mut out = [0u8; 256];
        let mut rest = frames;
        // Each round takes at least a byte until the connection stops
        // reading (failed, closed, or its buffer full of an unread event).
        for _ in 0..=frames.len() {
            if rest.is_empty() {
                break;
            }
            let n = conn.handle_bytes(&rest[..step.min(rest.len())]);
            rest = &rest[n..];
            {
                loop {
                    let event = conn.poll_event();
                    let done = !matches!(event, Ok(Some(_)));
                    if !matches!(event, Ok(None)) {
                        trace.push(std::format!("{event:?}"));
                    }
                    if done {
                        break;
                    }
                }
                let n = conn.poll_transmit(&mut out);
                sent.extend_from_slice(&out[..n]);
            }
        }
        trace.push(std::format!(
            "{:?} {:?} {sent:?}",
            conn.state(),
            conn.error()
        ));
        trace
    }
    let whole = run(client, config, frames, frames.len().max(1));
    let bytewise = run(client, config, frames, 1);
    assert_eq!(whole, bytewise);
}

/// A frame with `b0`, masked with `key` when given.
fn frame(b0: u8, payload: &[u8], key: Option<[u8; 4]>) -> std::vec::Vec<u8> {
    let mut out = std::vec![0u8; 14 + payload.len()];
    let header = crate::frame::Header::new(Opcode::Binary, payload.len() as u64).with_mask(key);
    let n = header.encode(&mut out).unwrap();
    out[0] = b0;
    out.truncate(n);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = key {
        crate::mask::apply(key, 0, &mut out[start..]);
    }
    out
}

#[test]
fn single_frame_fast_path_matches_the_general_path() {
    let key = Some([0x37, 0xfa, 0x21, 0x3d]);
    let long: std::vec::Vec<u8> = (0..300u16).map(|i| b'a' + (i % 26) as u8).collect();
    let cases: &[(bool, std::vec::Vec<std::vec::Vec<u8>>)] = &[
        // Texts and binaries of every length form the fast path takes.
        (
            false,
            std::vec![
                frame(0x81, "κόσμε ok!!!".as_bytes(), key),
                frame(0x82, &[], key),
                frame(0x81, &long, key),
                frame(0x82, &long[..125], key),
                frame(0x82, &long[..126], key),
                frame(0x89, b"ping", key),
                frame(0x81, b"last", key),
            ],
        ),
        (
            true,
            std::vec![
                frame(0x81, b"to the client", None),
                frame(0x82, &long, None)
            ],
        ),
        // Errors the fast path leaves to the general one.
        (
            false,
            std::vec![frame(0x81, b"ok", key), frame(0x81, b"\xC0\xAF", key)],
        ),
        (false, std::vec![frame(0x81, b"unmasked", None)]),
        (true, std::vec![frame(0x82, b"masked", key)]),
        (false, std::vec![frame(0xC1, b"rsv1", key)]),
        (false, std::vec![frame(0x80, b"continuation", key)]),
        (
            false,
            std::vec![frame(0x01, b"first ", key), frame(0x80, b"second", key)],
        ),
        (
            false,
            std::vec![frame(0x01, b"first ", key), frame(0x81, b"new", key)],
        ),
        (false, std::vec![frame(0x82, &long, key)]), // past the buffer's capacity
        // A 5-byte payload in the 16-bit length form: not minimal (§5.2).
        (
            false,
            std::vec![std::vec![
                0x81, 0xFE, 0x00, 0x05, 0, 0, 0, 0, b'h', b'e', b'l', b'l', b'o'
            ]],
        ),
    ];
    for (client, frames) in cases {
        let bytes = frames.concat();
        same_both_ways(*client, Config::new(), &bytes);
        same_both_ways(*client, Config::new().with_max_frame_len(100), &bytes);
        same_both_ways(*client, Config::new().with_max_message_len(126), &bytes);
    }
}

/// Whole messages that fit one frame (`encode_single` up to 125 bytes,
/// `encode_general` above) give the same bytes as the header encoder plus
/// masking, every length form, both roles, with
/// and without a fragment size; a `tx` one byte short is refused without
/// drawing a key.
#[test]
fn single_frame_encode_matches_the_frame_layer() {
    let payload: std::vec::Vec<u8> = (0..300u16).map(|i| (i % 251) as u8).collect();
    for client in [false, true] {
        for fragment in [0, 200] {
            for len in [0, 1, 5, 16, 125, 126, 127, 200, 300] {
                let keys = core::cell::Cell::new(0u8);
                let next = || {
                    keys.set(keys.get() + 1);
                    [keys.get(), 0x5A, 0xC3, 0x0F]
                };
                let role = if client { Role::Client } else { Role::Server };
                let config = Config::new().with_fragment_size(fragment);
                let mut conn = Connection::new(role, [0u8; 1024], config, next).unwrap();
                conn.finish_handshake(0);
                let data = &payload[..len];
                let mut tx = [0u8; 400];
                let needed = conn.encoded_message_len(len);
                assert_eq!(
                    conn.encode_binary(data, &mut tx[..needed - 1]),
                    Err(SendError::BufferTooSmall { needed })
                );
                assert_eq!(keys.get(), 0, "no key drawn on error");
                let n = conn.encode_binary(data, &mut tx).unwrap();
                assert_eq!(n, needed);
                if fragment != 0 && len > fragment {
                    continue; // several frames: the general loop
                }
                let key = client.then_some([1, 0x5A, 0xC3, 0x0F]);
                let header = crate::frame::Header::new(Opcode::Binary, len as u64).with_mask(key);
                let mut expected = std::vec![0u8; 14];
                let h = header.encode(&mut expected).unwrap();
                expected.truncate(h);
                let start = expected.len();
                expected.extend_from_slice(data);
                if let Some(key) = key {
                    crate::mask::apply(key, 0, &mut expected[start..]);
                }
                assert_eq!(&tx[..n], &expected[..], "client {client}, len {len}");
            }
        }
    }
}
