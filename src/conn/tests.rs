//! Unit tests of the packed connection state.

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
/// `thumbv7em-none-eabihf`.
///
/// Everything in it is `u32`, `u16` or `u8` except the four buffer indices
/// (`usize`, so that buffers may be as large as the target allows); the
/// bound is those indices plus the fixed rest, rounded up to the alignment.
/// On a 32-bit target that is 100 bytes; on a 64-bit host 120.
#[test]
fn connection_state_size_is_pinned() {
    let handle = size_of::<&mut [u8]>();
    let state = size_of::<Connection<&mut [u8], NoMask>>() - handle;
    let fixed = 84;
    let align = align_of::<Connection<&mut [u8], NoMask>>();
    let bound = (4 * size_of::<usize>() + fixed).next_multiple_of(align);
    assert!(state <= bound, "connection state {state} > {bound} bytes");
    // `Config`: five `u32`s, the switches and the reserved-bit mask.
    assert_eq!(size_of::<Config>(), 24);
    assert_eq!(align_of::<Config>(), 4);
}
