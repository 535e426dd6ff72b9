//! Unit tests of the packed connection state and the fast paths, compiled
//! only under `#[cfg(test)]` (see `mod tests;` in conn/mod.rs): `std`,
//! `unwrap` and `panic!` here never reach the library.
#![cfg(test)]

extern crate std;

use super::*;
use crate::close::CloseError;
use crate::frame::FrameError;
use crate::utf8::Utf8Error;

#[test]
fn every_fault_kind_round_trips_through_its_byte() {
    for kind in error::FaultKind::ALL {
        assert_eq!(error::FaultKind::from_u8(kind as u8), Some(kind));
    }
    assert_eq!(error::FaultKind::from_u8(0), None);
    assert_eq!(
        error::FaultKind::from_u8(error::FaultKind::ALL.len() as u8 + 1),
        None
    );
}

#[test]
fn every_protocol_error_keeps_its_code_and_reason_through_its_kind() {
    let errors = [
        (ProtocolError::Frame(FrameError::ReservedBitsSet), 1002),
        (ProtocolError::Frame(FrameError::ReservedOpcode(0xB)), 1002),
        (ProtocolError::Frame(FrameError::ControlFrameTooLong), 1002),
        (
            ProtocolError::Frame(FrameError::FragmentedControlFrame),
            1002,
        ),
        (ProtocolError::Frame(FrameError::NonMinimalLength), 1002),
        (ProtocolError::Frame(FrameError::LengthTopBitSet), 1002),
        (ProtocolError::UnmaskedClientFrame, 1002),
        (ProtocolError::MaskedServerFrame, 1002),
        (ProtocolError::UnexpectedContinuation, 1002),
        (ProtocolError::ExpectedContinuation, 1002),
        (
            ProtocolError::InvalidUtf8(Utf8Error::at(12_345, false)),
            1007,
        ),
        (
            ProtocolError::InvalidClose(CloseError::OneBytePayload),
            1002,
        ),
        (
            ProtocolError::InvalidClose(CloseError::InvalidCode(999)),
            1002,
        ),
        (ProtocolError::InvalidClose(CloseError::InvalidReason), 1007),
        (
            ProtocolError::MessageTooLong {
                len: u64::MAX,
                max: 1 << 20,
            },
            1009,
        ),
        (
            ProtocolError::FrameTooLong {
                len: (1 << 63) - 1,
                max: 4096,
            },
            1009,
        ),
        (ProtocolError::TooManyFragments { max: 8 }, 1009),
        (ProtocolError::KeepaliveTimeout, 1011),
        (ProtocolError::CloseTimeout, 1006),
    ];
    for (error, code) in errors {
        let kind = error.kind();
        assert_eq!(error.close_code().as_u16(), code, "{error:?}");
        assert_eq!(kind.close_code(), error.close_code());
        assert_eq!(kind.reason(), error.reason());
        let phase = link::Link::new();
        phase.advance(link::Phase::Connecting, link::Phase::Open);
        assert!(phase.fail(kind));
        assert_eq!(phase.phase(), link::Phase::Failed(kind));
        // A second failure does not replace the first.
        assert!(!phase.fail(error::FaultKind::KeepaliveTimeout));
        assert_eq!(phase.phase(), link::Phase::Failed(kind));
    }
}

/// The connection state besides the buffer handle `B` and the mask source
/// `M` (zero-sized for a server), the figure `ci/footprint.sh` reports for
/// `thumbv7em-none-eabihf`, and what it is made of. The two 125-byte
/// control slots (the owed pong in the link, a queued Close in the sending
/// side) used to live in the receive buffer's reserve, which shrank by as
/// much (`CONTROL_RESERVE` 250 → 130).
#[test]
fn connection_state_size_is_pinned() {
    let handle = size_of::<&mut [u8]>();
    let state = size_of::<Connection<&mut [u8], NoMask>>() - handle;
    let slots = 2 * 128;
    // With `deflate`: the compressed message being inflated (its counters
    // and the chunk in the window), and the streamed send's flag.
    let deflate = if cfg!(feature = "deflate") {
        size_of::<[usize; 8]>()
    } else {
        0
    };
    let bound = match size_of::<usize>() {
        4 => 208 + slots + deflate,
        8 => 240 + slots + deflate,
        _ => usize::MAX,
    };
    assert!(state <= bound, "connection state {state} > {bound} bytes");
    // `Config`: seven `u32`s, the switches and the reserved-bit mask.
    assert_eq!(size_of::<Config>(), 32);
    assert_eq!(align_of::<Config>(), 4);
    assert_eq!(CONTROL_RESERVE, 130);
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
        conn.finish_handshake(crate::handshake::Finished::new(0));
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
                conn.finish_handshake(crate::handshake::Finished::new(0));
                let data = &payload[..len];
                let mut tx = [0u8; 400];
                let needed = conn.send.encoded_message_len(len, &config);
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
