//! Unit tests for `frame`, compiled only under `#[cfg(test)]` (see `mod tests;`
//! in frame.rs): `std`, `unwrap` and `panic!` here never reach the library.
//! Frame header tests, grouped by RFC 6455 section.
#![cfg(test)]

extern crate std;

use std::{format, vec, vec::Vec};

use super::*;
use crate::mask;

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn decode_all(bytes: &[u8]) -> (Header, usize) {
    match Header::decode(bytes).unwrap() {
        Status::Complete(v) => v,
        Status::Partial { needed } => panic!("partial, needed {needed}"),
    }
}

/// Decode `frame` (header + payload), check the header and unmasked payload,
/// then encode `header` + `payload` back (masking with the header's key) and
/// check the bytes are `frame` again.
fn both_ways(frame: &[u8], header: Header, payload: &[u8]) {
    // Decode.
    let (h, n) = decode_all(frame);
    assert_eq!(h, header);
    assert_eq!(n, h.encoded_len());
    let mut body = frame[n..].to_vec();
    assert_eq!(body.len() as u64, h.payload_len);
    if let Some(key) = h.mask {
        mask::apply(key, 0, &mut body);
    }
    assert_eq!(body, payload);

    // Encode.
    let mut out = vec![0u8; MAX_HEADER_LEN + payload.len()];
    let n = header.encode(&mut out).unwrap();
    assert_eq!(n, header.encoded_len());
    out[n..n + payload.len()].copy_from_slice(payload);
    if let Some(key) = header.mask {
        mask::apply(key, 0, &mut out[n..n + payload.len()]);
    }
    out.truncate(n + payload.len());
    assert_eq!(out, frame);
}

// --- §5.7 examples, byte for byte, both directions ---

#[test]
fn rfc_5_7_single_frame_unmasked_text() {
    let frame = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    both_ways(&frame, Header::new(Opcode::Text, 5), b"Hello");
}

#[test]
fn rfc_5_7_single_frame_masked_text() {
    let frame = [
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    both_ways(
        &frame,
        Header::new(Opcode::Text, 5).with_mask(Some(KEY)),
        b"Hello",
    );
}

#[test]
fn rfc_5_7_fragmented_unmasked_text() {
    let first = [0x01, 0x03, 0x48, 0x65, 0x6c];
    let second = [0x80, 0x02, 0x6c, 0x6f];
    both_ways(&first, Header::new(Opcode::Text, 3).with_fin(false), b"Hel");
    both_ways(&second, Header::new(Opcode::Continuation, 2), b"lo");
}

#[test]
fn rfc_5_7_unmasked_ping() {
    let frame = [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    both_ways(&frame, Header::new(Opcode::Ping, 5), b"Hello");
}

#[test]
fn rfc_5_7_masked_pong() {
    let frame = [
        0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ];
    both_ways(
        &frame,
        Header::new(Opcode::Pong, 5).with_mask(Some(KEY)),
        b"Hello",
    );
}

#[test]
fn rfc_5_7_256_bytes_binary() {
    let payload: Vec<u8> = (0..=255u8).collect();
    let mut frame = vec![0x82, 0x7E, 0x01, 0x00];
    frame.extend_from_slice(&payload);
    both_ways(&frame, Header::new(Opcode::Binary, 256), &payload);
}

#[test]
fn rfc_5_7_64k_binary() {
    let payload: Vec<u8> = (0..65536u32).map(|i| (i * 31 + 7) as u8).collect();
    let mut frame = vec![0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00];
    frame.extend_from_slice(&payload);
    both_ways(&frame, Header::new(Opcode::Binary, 65536), &payload);
}

#[test]
fn rfc_5_7_masked_binary_256_and_64k() {
    // The RFC only shows these unmasked; the masked forms add a key after the length.
    for (len, ext) in [
        (256u64, &[0x7E, 0x01, 0x00][..]),
        (65536, &[0x7F, 0, 0, 0, 0, 0, 1, 0, 0][..]),
    ] {
        let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut frame = vec![0x82];
        frame.extend_from_slice(ext);
        frame[1] |= 0x80;
        frame.extend_from_slice(&KEY);
        let start = frame.len();
        frame.extend_from_slice(&payload);
        mask::apply(KEY, 0, &mut frame[start..]);
        both_ways(
            &frame,
            Header::new(Opcode::Binary, len).with_mask(Some(KEY)),
            &payload,
        );
    }
}

// --- §5.2 payload length forms ---

#[test]
fn length_form_edges() {
    for (len, header_len, prefix) in [
        (0u64, 2, &[0x82, 0x00][..]),
        (125, 2, &[0x82, 0x7D][..]),
        (126, 4, &[0x82, 0x7E, 0x00, 0x7E][..]),
        (65535, 4, &[0x82, 0x7E, 0xFF, 0xFF][..]),
        (65536, 10, &[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0][..]),
        (
            (1 << 63) - 1,
            10,
            &[0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF][..],
        ),
    ] {
        for mask in [None, Some(KEY)] {
            let h = Header::new(Opcode::Binary, len).with_mask(mask);
            let expected_len = header_len + if mask.is_some() { 4 } else { 0 };
            assert_eq!(h.encoded_len(), expected_len, "len {len}");
            let mut out = [0u8; MAX_HEADER_LEN];
            assert_eq!(h.encode(&mut out), Ok(expected_len), "len {len}");
            let mut expected = prefix.to_vec();
            if let Some(key) = mask {
                expected[1] |= 0x80;
                expected.extend_from_slice(&key);
            }
            assert_eq!(&out[..expected_len], &expected[..], "len {len}");
            assert_eq!(
                decode_all(&out[..expected_len]),
                (h, expected_len),
                "len {len}"
            );
            // Trailing payload bytes are not consumed.
            let mut longer = expected.clone();
            longer.extend_from_slice(b"xyz");
            assert_eq!(decode_all(&longer), (h, expected_len), "len {len}");
        }
    }
}

// --- §5.2 / §5.5 rejections, fed the malformed bytes ---

fn decode_err(bytes: &[u8]) -> FrameError {
    let err = Header::decode(bytes).unwrap_err();
    assert_eq!(err.close_code(), CloseCode::PROTOCOL_ERROR, "{err:?}");
    assert_eq!(err.close_code().as_u16(), 1002);
    err
}

#[test]
fn each_reserved_bit_is_rejected_unless_declared() {
    for (bit, rsv) in [(0x40u8, Rsv::RSV1), (0x20, Rsv::RSV2), (0x10, Rsv::RSV3)] {
        let bytes = [0x81 | bit, 0x05, b'H', b'e', b'l', b'l', b'o'];
        assert_eq!(decode_err(&bytes), FrameError::ReservedBitsSet, "{bit:#x}");
        // Rejected after the first byte already.
        assert_eq!(
            Header::decode(&bytes[..1]),
            Err(FrameError::ReservedBitsSet)
        );
        // Another bit declared does not help.
        let others = Rsv::ALL.bits() & !rsv.bits();
        assert_eq!(
            Header::decode_with(&bytes, Rsv::from_bits(others)),
            Err(FrameError::ReservedBitsSet),
            "{bit:#x}"
        );
        // Declared: allowed, and carried in the header.
        for allowed in [rsv, Rsv::ALL] {
            let (h, n) = Header::decode_with(&bytes, allowed)
                .unwrap()
                .complete()
                .unwrap();
            assert_eq!(n, 2);
            assert_eq!(h.rsv, rsv);
            assert_eq!(h.opcode, Opcode::Text);
            assert_eq!(h.payload_len, 5);
            // and it encodes back to the same bytes
            let mut out = [0u8; 2];
            assert_eq!(h.encode(&mut out), Ok(2));
            assert_eq!(out, bytes[..2]);
        }
    }
    // All three at once.
    let bytes = [0xF1, 0x00];
    assert_eq!(decode_err(&bytes), FrameError::ReservedBitsSet);
    let (h, _) = Header::decode_with(&bytes, Rsv::ALL)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(h.rsv, Rsv::ALL);
}

#[test]
fn each_reserved_opcode_is_rejected() {
    for op in (0x3..=0x7).chain(0xB..=0xF) {
        for fin in [0x00, 0x80] {
            let bytes = [fin | op, 0x00];
            assert_eq!(
                decode_err(&bytes),
                FrameError::ReservedOpcode(op),
                "{op:#x}"
            );
            assert_eq!(
                decode_err(&bytes[..1]),
                FrameError::ReservedOpcode(op),
                "{op:#x}"
            );
        }
        assert_eq!(Opcode::from_u8(op), None);
    }
    for op in [0x0, 0x1, 0x2, 0x8, 0x9, 0xA] {
        assert_eq!(Opcode::from_u8(op).map(Opcode::as_u8), Some(op));
    }
    assert_eq!(Opcode::from_u8(0x10), None);
}

#[test]
fn control_frame_with_extended_length_is_rejected() {
    for op in [0x88u8, 0x89, 0x8A] {
        for mask in [0x00u8, 0x80] {
            // 126: 2-byte length follows (even a value that would be ≤ 125).
            let bytes = [op, mask | 126, 0x00, 0x7E];
            assert_eq!(
                decode_err(&bytes),
                FrameError::ControlFrameTooLong,
                "{op:#x}"
            );
            // Rejected as soon as the length byte is seen.
            assert_eq!(decode_err(&bytes[..2]), FrameError::ControlFrameTooLong);
            let bytes = [op, mask | 127, 0, 0, 0, 0, 0, 1, 0, 0];
            assert_eq!(
                decode_err(&bytes),
                FrameError::ControlFrameTooLong,
                "{op:#x}"
            );
            assert_eq!(decode_err(&bytes[..2]), FrameError::ControlFrameTooLong);
        }
        // 125 is fine.
        let (h, _) = decode_all(&[op, 125]);
        assert_eq!(h.payload_len, 125);
    }
}

#[test]
fn control_frame_without_fin_is_rejected() {
    for op in [0x08u8, 0x09, 0x0A] {
        let bytes = [op, 0x00];
        assert_eq!(
            decode_err(&bytes),
            FrameError::FragmentedControlFrame,
            "{op:#x}"
        );
        assert_eq!(decode_err(&bytes[..1]), FrameError::FragmentedControlFrame);
        let masked = [op, 0x85, 1, 2, 3, 4];
        assert_eq!(decode_err(&masked), FrameError::FragmentedControlFrame);
    }
    // Data frames may be fragmented.
    for op in [0x00u8, 0x01, 0x02] {
        let (h, _) = decode_all(&[op, 0x00]);
        assert!(!h.fin);
    }
}

#[test]
fn non_minimal_lengths_are_rejected() {
    // 126-form carrying a value that fits in 7 bits.
    for v in [0u16, 1, 125] {
        let [hi, lo] = v.to_be_bytes();
        assert_eq!(
            decode_err(&[0x82, 126, hi, lo]),
            FrameError::NonMinimalLength,
            "{v}"
        );
        assert_eq!(
            decode_err(&[0x82, 0xFE, hi, lo, 1, 2, 3, 4]),
            FrameError::NonMinimalLength,
            "{v}"
        );
    }
    // 127-form carrying a value that fits in 16 bits.
    for v in [0u64, 125, 126, 65535] {
        let mut bytes = vec![0x82, 127];
        bytes.extend_from_slice(&v.to_be_bytes());
        assert_eq!(decode_err(&bytes), FrameError::NonMinimalLength, "{v}");
    }
    // The smallest values of each form are fine.
    assert_eq!(decode_all(&[0x82, 126, 0, 126]).0.payload_len, 126);
    assert_eq!(
        decode_all(&[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0])
            .0
            .payload_len,
        65536
    );
}

#[test]
fn length_with_top_bit_set_is_rejected() {
    for v in [1u64 << 63, u64::MAX, (1 << 63) | 65536, (1 << 63) | 5] {
        let mut bytes = vec![0x82, 127];
        bytes.extend_from_slice(&v.to_be_bytes());
        assert_eq!(decode_err(&bytes), FrameError::LengthTopBitSet, "{v:#x}");
        bytes[1] |= 0x80;
        bytes.extend_from_slice(&KEY);
        assert_eq!(decode_err(&bytes), FrameError::LengthTopBitSet, "{v:#x}");
    }
}

#[test]
fn every_error_is_a_protocol_error() {
    for e in [
        FrameError::ReservedBitsSet,
        FrameError::ReservedOpcode(3),
        FrameError::ControlFrameTooLong,
        FrameError::FragmentedControlFrame,
        FrameError::NonMinimalLength,
        FrameError::LengthTopBitSet,
    ] {
        assert_eq!(e.close_code().as_u16(), 1002, "{e:?}");
        assert!(!format!("{e}").is_empty());
    }
}

// --- Partial input: never an error ---

/// The `needed` a decoder can know after `seen` bytes of a `total`-byte
/// header: before the second byte only the 2 fixed bytes are known.
fn expected_needed(seen: usize, total: usize) -> usize {
    match seen {
        0 => 2,
        1 => 1,
        _ => total - seen,
    }
}

#[test]
fn every_proper_prefix_is_partial_with_exact_needed() {
    let lens = [0u64, 5, 125, 126, 300, 65535, 65536, 1 << 40, (1 << 63) - 1];
    let opcodes = [
        Opcode::Continuation,
        Opcode::Text,
        Opcode::Binary,
        Opcode::Close,
        Opcode::Ping,
        Opcode::Pong,
    ];
    let mut checked = 0;
    for opcode in opcodes {
        for len in lens {
            if opcode.is_control() && len > 125 {
                continue;
            }
            for mask in [None, Some(KEY), Some([0, 0, 0, 0])] {
                for fin in [true, false] {
                    if opcode.is_control() && !fin {
                        continue;
                    }
                    let h = Header::new(opcode, len).with_mask(mask).with_fin(fin);
                    let mut out = [0u8; MAX_HEADER_LEN];
                    let total = h.encode(&mut out).unwrap();
                    for seen in 0..total {
                        let got = Header::decode(&out[..seen]);
                        assert_eq!(
                            got,
                            Ok(Status::Partial {
                                needed: expected_needed(seen, total)
                            }),
                            "{h:?} seen {seen}"
                        );
                        // Once the length byte is known, `needed` more bytes complete it.
                        if seen >= 2 {
                            let Ok(Status::Partial { needed }) = got else {
                                unreachable!()
                            };
                            assert_eq!(
                                Header::decode(&out[..seen + needed]),
                                Ok(Status::Complete((h, total)))
                            );
                        }
                    }
                    assert_eq!(
                        Header::decode(&out[..total]),
                        Ok(Status::Complete((h, total)))
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100);
}

#[test]
fn empty_input_is_partial() {
    assert_eq!(Header::decode(&[]), Ok(Status::Partial { needed: 2 }));
    assert_eq!(
        Header::decode_with(&[], Rsv::ALL),
        Ok(Status::Partial { needed: 2 })
    );
}

// --- Encoding errors ---

#[test]
fn encode_buffer_too_small_reports_exact_needed() {
    for (len, mask) in [
        (5u64, None),
        (5, Some(KEY)),
        (126, None),
        (300, Some(KEY)),
        (65536, None),
        (65536, Some(KEY)),
    ] {
        let h = Header::new(Opcode::Binary, len).with_mask(mask);
        let needed = h.encoded_len();
        for short in 0..needed {
            let mut out = vec![0u8; short];
            assert_eq!(
                h.encode(&mut out),
                Err(EncodeError::BufferTooSmall { needed }),
                "{h:?} {short}"
            );
            assert!(out.iter().all(|&b| b == 0), "nothing written on error");
        }
        let mut out = vec![0u8; needed];
        assert_eq!(h.encode(&mut out), Ok(needed));
    }
}

#[test]
fn encode_refuses_invalid_control_frames() {
    for op in [Opcode::Close, Opcode::Ping, Opcode::Pong] {
        let mut out = [0u8; MAX_HEADER_LEN];
        for len in [126u64, 65535, 65536] {
            assert_eq!(
                Header::new(op, len).encode(&mut out),
                Err(EncodeError::Invalid(FrameError::ControlFrameTooLong)),
                "{op:?} {len}"
            );
        }
        assert_eq!(
            Header::new(op, 0).with_fin(false).encode(&mut out),
            Err(EncodeError::Invalid(FrameError::FragmentedControlFrame))
        );
        // Invalid is reported even when the buffer is also too small.
        assert_eq!(
            Header::new(op, 200).encode(&mut []),
            Err(EncodeError::Invalid(FrameError::ControlFrameTooLong))
        );
        assert_eq!(Header::new(op, 125).encode(&mut out), Ok(2));
    }
}

#[test]
fn encode_refuses_top_bit_length() {
    let mut out = [0u8; MAX_HEADER_LEN];
    assert_eq!(
        Header::new(Opcode::Binary, 1 << 63).encode(&mut out),
        Err(EncodeError::Invalid(FrameError::LengthTopBitSet))
    );
    assert_eq!(
        Header::new(Opcode::Binary, u64::MAX).encode(&mut out),
        Err(EncodeError::Invalid(FrameError::LengthTopBitSet))
    );
}

#[test]
fn validate_matches_decode_rules() {
    let h = Header {
        fin: true,
        rsv: Rsv::RSV1,
        opcode: Opcode::Text,
        mask: None,
        payload_len: 1,
    };
    assert_eq!(h.validate(Rsv::NONE), Err(FrameError::ReservedBitsSet));
    assert_eq!(h.validate(Rsv::RSV1), Ok(()));
    assert_eq!(
        Header::new(Opcode::Ping, 126).validate(Rsv::NONE),
        Err(FrameError::ControlFrameTooLong)
    );
    assert_eq!(
        Header::new(Opcode::Close, 0)
            .with_fin(false)
            .validate(Rsv::NONE),
        Err(FrameError::FragmentedControlFrame)
    );
}

#[test]
fn rsv_set_operations() {
    assert!(Rsv::ALL.contains(Rsv::RSV1.union(Rsv::RSV3)));
    assert!(!Rsv::RSV1.contains(Rsv::RSV2));
    assert!(Rsv::NONE.is_empty());
    assert!(Rsv::RSV2.contains(Rsv::NONE));
    assert_eq!(Rsv::from_bits(0xFF), Rsv::ALL);
    assert_eq!(Rsv::RSV1.union(Rsv::RSV2).union(Rsv::RSV3), Rsv::ALL);
}

/// Every first two bytes, with 16-bit lengths around the minimal-form edge
/// and with and without a key: wherever the short decode answers, the
/// general decode gives the same header and length.
#[test]
fn short_decode_agrees_with_the_general_decode() {
    let mut answered = 0;
    for b0 in 0..=255u8 {
        for b1 in 0..=255u8 {
            for ext in [[0u8, 0], [0, 125], [0, 126], [1, 0], [0xFF, 0xFF]] {
                let mut bytes = std::vec![b0, b1];
                bytes.extend_from_slice(&ext);
                bytes.extend_from_slice(&[9, 8, 7, 6, 5, 4, 3, 2]);
                for cut in 0..=bytes.len() {
                    let input = &bytes[..cut];
                    if let Some(short) = Header::decode_short(input) {
                        answered += 1;
                        assert_eq!(
                            Header::decode_with(input, Rsv::NONE),
                            Ok(Status::Complete(short)),
                            "{input:x?}"
                        );
                    }
                }
            }
        }
    }
    assert!(answered > 0);
    // What it is for: final text and binary frames with short lengths.
    assert!(Header::decode_short(&[0x81, 0x05, b'h']).is_some());
    assert!(Header::decode_short(&[0x82, 0xFE, 0x01, 0x00, 1, 2, 3, 4]).is_some());
    // And not for the rest.
    assert!(Header::decode_short(&[0x01, 0x05]).is_none(), "not final");
    assert!(Header::decode_short(&[0xC1, 0x05]).is_none(), "RSV1");
    assert!(Header::decode_short(&[0x89, 0x00]).is_none(), "control");
    assert!(
        Header::decode_short(&[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]).is_none(),
        "64-bit"
    );
    assert!(
        Header::decode_short(&[0x82, 0x7E, 0, 100]).is_none(),
        "non-minimal"
    );
    assert!(
        Header::decode_short(&[0x81, 0x85, 1, 2]).is_none(),
        "partial key"
    );
}

#[test]
fn short_encode_writes_what_the_general_encode_writes() {
    for opcode in [
        Opcode::Text,
        Opcode::Binary,
        Opcode::Continuation,
        Opcode::Ping,
        Opcode::Pong,
        Opcode::Close,
    ] {
        for len in 0..=130usize {
            for mask in [None, Some([1, 2, 3, 4])] {
                let mut short = [0u8; 14];
                let mut general = [0u8; 14];
                let got = Header::encode_short(opcode, len, mask, &mut short);
                if len > MAX_CONTROL_PAYLOAD {
                    assert_eq!(got, None);
                    continue;
                }
                let header = Header::new(opcode, len as u64).with_mask(mask);
                let n = header.encode(&mut general).unwrap();
                assert_eq!(got, Some(n));
                assert_eq!(short[..n], general[..n]);
                // Too short an output: nothing written.
                let mut tiny = [0xAAu8; 5];
                if n > 5 {
                    assert_eq!(Header::encode_short(opcode, len, mask, &mut tiny), None);
                    assert_eq!(tiny, [0xAA; 5]);
                }
            }
        }
    }
}
