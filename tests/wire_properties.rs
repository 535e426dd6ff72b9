//! Property tests for the wire layer: header round trips, decoding arbitrary
//! bytes, chunked masking, incremental UTF-8 against `core::str::from_utf8`,
//! and the close-payload parser against a reference model.

use proptest::prelude::*;
use proptest::sample::SizeRange;

use wsframe::close::{self, CloseError, CloseFrame};
use wsframe::frame::{FrameError, MAX_HEADER_LEN, Rsv};
use wsframe::mask::{self, Masker};
use wsframe::utf8::Validator;
use wsframe::{CloseCode, Header, Opcode, Status};

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

fn opcode() -> impl Strategy<Value = Opcode> {
    prop::sample::select(vec![
        Opcode::Continuation,
        Opcode::Text,
        Opcode::Binary,
        Opcode::Close,
        Opcode::Ping,
        Opcode::Pong,
    ])
}

/// A payload length from each of the three length forms, edges weighted up.
fn data_len() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..126,
        126u64..=65535,
        65536u64..(1 << 63),
        prop::sample::select(vec![0u64, 125, 126, 127, 65535, 65536, (1 << 63) - 1]),
    ]
}

/// Any header the RFC allows: control frames are final and at most 125 bytes.
fn valid_header() -> impl Strategy<Value = Header> {
    (
        opcode(),
        any::<bool>(),
        0u8..8,
        any::<Option<[u8; 4]>>(),
        data_len(),
        0u64..=125,
    )
        .prop_map(|(opcode, fin, rsv, mask, len, control_len)| {
            let control = opcode.is_control();
            Header {
                fin: fin || control,
                rsv: Rsv::from_bits(rsv),
                opcode,
                mask,
                payload_len: if control { control_len } else { len },
            }
        })
}

/// Split points for `len` bytes: a sorted list of cut positions.
fn cuts(len: usize, max_cuts: impl Into<SizeRange>) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..=len, max_cuts).prop_map(|mut v| {
        v.sort_unstable();
        v
    })
}

/// `bytes` cut at `cuts` (positions clamped to the length).
fn pieces<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for &c in cuts {
        let c = c.clamp(start, bytes.len());
        out.push(&bytes[start..c]);
        start = c;
    }
    out.push(&bytes[start..]);
    out
}

// ---------------------------------------------------------------------------
// Frame headers
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// encode → decode is the identity on every valid header.
    #[test]
    fn header_round_trip(h in valid_header(), trailing in prop::collection::vec(any::<u8>(), 0..8)) {
        let mut out = [0u8; MAX_HEADER_LEN + 8];
        let n = h.encode(&mut out).unwrap();
        prop_assert_eq!(n, h.encoded_len());
        prop_assert!((2..=MAX_HEADER_LEN).contains(&n));
        out[n..n + trailing.len()].copy_from_slice(&trailing);
        let buf = &out[..n + trailing.len()];
        prop_assert_eq!(Header::decode_with(buf, Rsv::ALL), Ok(Status::Complete((h, n))));
        prop_assert_eq!(Header::decode_with(buf, h.rsv), Ok(Status::Complete((h, n))));
        if h.rsv.is_empty() {
            prop_assert_eq!(Header::decode(buf), Ok(Status::Complete((h, n))));
        } else {
            prop_assert_eq!(Header::decode(buf), Err(FrameError::ReservedBitsSet));
        }
        // Every proper prefix is Partial, and `needed` never overshoots.
        for seen in 0..n {
            match Header::decode_with(&out[..seen], Rsv::ALL) {
                Ok(Status::Partial { needed }) => {
                    prop_assert!(needed >= 1 && seen + needed <= n, "seen {} needed {}", seen, needed);
                    if seen >= 2 {
                        prop_assert_eq!(seen + needed, n);
                    }
                }
                other => prop_assert!(false, "prefix {} gave {:?}", seen, other),
            }
        }
    }

    /// Decoding arbitrary bytes never panics; a Complete header fits in the
    /// input and is canonical (re-encodes to the same bytes); a Partial asks
    /// for no more than a maximal header; every error is 1002.
    #[test]
    fn decode_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..24), allowed in 0u8..8) {
        check_decode(&bytes, Rsv::from_bits(allowed))?;
    }

    /// The same over bytes that start like a real header (a valid header
    /// with a few bits flipped), so the deeper rules are reached too.
    #[test]
    fn decode_mutated_headers(
        h in valid_header(),
        flips in prop::collection::vec((0usize..MAX_HEADER_LEN, 0u8..8), 0..4),
        cut in 0usize..=MAX_HEADER_LEN,
        allowed in 0u8..8,
    ) {
        let mut out = [0u8; MAX_HEADER_LEN];
        let n = h.encode(&mut out).unwrap();
        for (at, bit) in flips {
            out[at % n] ^= 1 << bit;
        }
        check_decode(&out[..cut.min(n)], Rsv::from_bits(allowed))?;
        check_decode(&out[..n], Rsv::from_bits(allowed))?;
    }
}

fn check_decode(bytes: &[u8], allowed: Rsv) -> Result<(), TestCaseError> {
    match Header::decode_with(bytes, allowed) {
        Ok(Status::Complete((h, n))) => {
            prop_assert!(n <= bytes.len());
            prop_assert_eq!(n, h.encoded_len());
            prop_assert_eq!(h.validate(allowed), Ok(()));
            let mut out = [0u8; MAX_HEADER_LEN];
            prop_assert_eq!(h.encode(&mut out), Ok(n));
            prop_assert_eq!(&out[..n], &bytes[..n]);
        }
        Ok(Status::Partial { needed }) => {
            prop_assert!(needed >= 1);
            prop_assert!(bytes.len() + needed <= MAX_HEADER_LEN);
        }
        Err(e) => prop_assert_eq!(e.close_code(), CloseCode::PROTOCOL_ERROR),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Masking
// ---------------------------------------------------------------------------

fn bytewise(key: [u8; 4], offset: usize, data: &mut [u8]) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= key[(offset % 4 + i) % 4];
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Chunked masking at any offset and any split equals bytewise masking,
    /// through `mask::apply` with explicit offsets and through `Masker`.
    #[test]
    fn chunked_masking_equals_bytewise(
        key in any::<[u8; 4]>(),
        offset in prop_oneof![0usize..8, any::<usize>()],
        data in prop::collection::vec(any::<u8>(), 0..600),
        cuts in cuts(600, 0..8),
    ) {
        let mut expected = data.clone();
        bytewise(key, offset, &mut expected);

        let mut whole = data.clone();
        mask::apply(key, offset, &mut whole);
        prop_assert_eq!(&whole, &expected);

        // Chunk by chunk with explicit offsets.
        let mut chunked = data.clone();
        let mut pos = 0usize;
        let cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
        let mut rest = chunked.as_mut_slice();
        for &c in &cuts {
            let (a, b) = rest.split_at_mut(c.max(pos) - pos);
            mask::apply(key, offset % 4 + pos, a);
            pos += a.len();
            rest = b;
        }
        mask::apply(key, offset % 4 + pos, rest);
        prop_assert_eq!(&chunked, &expected);

        // Through a Masker starting at payload offset 0.
        if offset % 4 == 0 {
            let mut m = Masker::new(key);
            let mut by_masker = data.clone();
            let mut rest = by_masker.as_mut_slice();
            let mut pos = 0usize;
            for &c in &cuts {
                let (a, b) = rest.split_at_mut(c.max(pos) - pos);
                m.apply(a);
                pos += a.len();
                rest = b;
            }
            m.apply(rest);
            prop_assert_eq!(&by_masker, &expected);
        }

        // Masking is an involution.
        mask::apply(key, offset, &mut whole);
        prop_assert_eq!(&whole, &data);
    }
}

/// Exhaustively: every split point of a buffer longer than the 32-byte
/// block, at every key phase.
#[test]
fn masking_every_offset_every_split() {
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let data: Vec<u8> = (0..131u32).map(|i| (i * 13 + 5) as u8).collect();
    for offset in 0..8 {
        let mut expected = data.clone();
        bytewise(key, offset, &mut expected);
        for split in 0..=data.len() {
            let mut got = data.clone();
            let (a, b) = got.split_at_mut(split);
            mask::apply(key, offset, a);
            mask::apply(key, offset + split, b);
            assert_eq!(got, expected, "offset {offset} split {split}");
        }
    }
}

// ---------------------------------------------------------------------------
// UTF-8
// ---------------------------------------------------------------------------

/// One piece of adversarial text: valid characters mixed with every kind of
/// malformation `core::str::from_utf8` rejects.
fn utf8_piece() -> impl Strategy<Value = Vec<u8>> {
    let cont = 0x80u8..=0xBF;
    prop_oneof![
        // valid: ASCII, and any scalar value (1–4 bytes)
        4 => prop::collection::vec(0u8..0x80, 1..6),
        4 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        2 => prop::sample::select(vec!['é', '€', '\u{7FF}', '\u{800}', '\u{FFFF}', '\u{10000}', '\u{10FFFF}', '\u{D7FF}', '\u{E000}'])
            .prop_map(|c| c.to_string().into_bytes()),
        // overlong encodings
        1 => (0xC0u8..=0xC1, cont.clone()).prop_map(|(a, b)| vec![a, b]),
        1 => (0x80u8..=0x9F, cont.clone()).prop_map(|(b, c)| vec![0xE0, b, c]),
        1 => (0x80u8..=0x8F, cont.clone(), cont.clone()).prop_map(|(b, c, d)| vec![0xF0, b, c, d]),
        // surrogates U+D800..U+DFFF
        1 => (0xA0u8..=0xBF, cont.clone()).prop_map(|(b, c)| vec![0xED, b, c]),
        // above U+10FFFF
        1 => (0x90u8..=0xBF, cont.clone(), cont.clone()).prop_map(|(b, c, d)| vec![0xF4, b, c, d]),
        1 => (0xF5u8..=0xFF, cont.clone(), cont.clone()).prop_map(|(a, b, c)| vec![a, b, c]),
        1 => (0xF5u8..=0xFF).prop_map(|a| vec![a]),
        // lone continuation bytes
        1 => cont.clone().prop_map(|b| vec![b]),
        // truncated sequences: a proper, non-empty prefix of a multibyte char
        2 => (any::<char>().prop_filter("multibyte", |c| c.len_utf8() > 1), any::<prop::sample::Index>())
            .prop_map(|(c, i)| {
                let b = c.to_string().into_bytes();
                let keep = 1 + i.index(b.len() - 1);
                b[..keep].to_vec()
            }),
        // a lead byte followed by something that cannot continue it
        1 => (0xC2u8..=0xF4, 0u8..0x80).prop_map(|(a, b)| vec![a, b]),
    ]
}

fn adversarial_text() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(utf8_piece(), 0..12).prop_map(|v| v.concat())
}

/// Feed `bytes` to a [`Validator`] in the given pieces and compare with
/// `core::str::from_utf8` over the whole: same verdict, same `valid_up_to`,
/// `is_incomplete` exactly when core's `error_len()` is `None`, and an invalid
/// byte reported by the very piece that contains it (fail fast).
fn check_utf8(bytes: &[u8], cuts: &[usize]) -> Result<(), TestCaseError> {
    let mut v = Validator::new();
    let mut fed = 0usize;
    let mut first_err = None;
    for piece in pieces(bytes, cuts) {
        let start = fed;
        fed += piece.len();
        if let Err(e) = v.feed(piece) {
            first_err = Some((start, fed, e));
            break;
        }
        prop_assert_eq!(v.is_complete(), std::str::from_utf8(&bytes[..fed]).is_ok());
    }
    let finished = v.finish();
    match std::str::from_utf8(bytes) {
        Ok(_) => {
            prop_assert!(first_err.is_none(), "{:?}", first_err);
            prop_assert_eq!(finished, Ok(()));
        }
        Err(core_err) => match core_err.error_len() {
            Some(_) => {
                let Some((start, end, e)) = first_err else {
                    return Err(TestCaseError::fail(format!("no error for {bytes:x?}")));
                };
                prop_assert_eq!(e.valid_up_to(), core_err.valid_up_to());
                prop_assert!(!e.is_incomplete());
                prop_assert_eq!(finished, Err(e));
                // The first byte at which a prefix becomes invalid lies in the failing piece.
                let reveal = (0..bytes.len())
                    .find(|&k| {
                        std::str::from_utf8(&bytes[..=k]).is_err_and(|e| e.error_len().is_some())
                    })
                    .unwrap();
                prop_assert!(
                    start <= reveal && reveal < end,
                    "reveal {} piece {}..{}",
                    reveal,
                    start,
                    end
                );
                // And the validator stays failed.
                prop_assert_eq!(v.feed(b"a"), Err(e));
            }
            None => {
                prop_assert!(first_err.is_none(), "{:?}", first_err);
                let e = finished.unwrap_err();
                prop_assert!(e.is_incomplete());
                prop_assert_eq!(e.valid_up_to(), core_err.valid_up_to());
            }
        },
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn utf8_random_bytes_agree_with_core(
        bytes in prop::collection::vec(any::<u8>(), 0..48),
        cuts in cuts(48, 0..6),
    ) {
        check_utf8(&bytes, &cuts)?;
    }

    #[test]
    fn utf8_adversarial_agrees_with_core(bytes in adversarial_text(), cuts in cuts(64, 0..10)) {
        check_utf8(&bytes, &cuts)?;
    }

    #[test]
    fn utf8_valid_text_in_any_split(s in any::<String>(), cuts in cuts(64, 0..10)) {
        check_utf8(s.as_bytes(), &cuts)?;
    }
}

/// Every split of every adversarial sample into bytes one at a time and two pieces.
#[test]
fn utf8_one_byte_at_a_time() {
    let samples: [&[u8]; 8] = [
        b"a\xF0\x9F\x98\x80b",
        b"\xED\xA0\x80",
        b"\xF4\x90\x80\x80",
        b"ok\xE0\x80\xAF",
        b"\xE2\x82",
        b"x\xC3",
        b"\xC3\xA9\xFF",
        b"\xEF\xBF\xBF\xF4\x8F\xBF\xBF",
    ];
    for s in samples {
        let every: Vec<usize> = (0..=s.len()).collect();
        check_utf8(s, &every).unwrap();
        for cut in 0..=s.len() {
            check_utf8(s, &[cut]).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------
// Close payloads
// ---------------------------------------------------------------------------

/// The reference model of RFC 6455 §5.5.1 / §7.4, written from the RFC.
fn model_parse(payload: &[u8]) -> Result<Option<(u16, &str)>, CloseError> {
    if payload.len() > 125 {
        return Err(CloseError::PayloadTooLong);
    }
    match payload.len() {
        0 => Ok(None),
        1 => Err(CloseError::OneBytePayload),
        _ => {
            let code = u16::from(payload[0]) << 8 | u16::from(payload[1]);
            let defined = [
                1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
            ];
            if !(defined.contains(&code) || (3000..5000).contains(&code)) {
                return Err(CloseError::InvalidCode(code));
            }
            std::str::from_utf8(&payload[2..])
                .map(|r| Some((code, r)))
                .map_err(|_| CloseError::InvalidReason)
        }
    }
}

fn close_code() -> impl Strategy<Value = u16> {
    prop_oneof![
        any::<u16>(),
        990u16..1020,
        2990u16..3010,
        3990u16..4010,
        4990u16..5010,
    ]
}

fn close_payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..130),
        (close_code(), adversarial_text()).prop_map(|(c, r)| {
            let mut v = c.to_be_bytes().to_vec();
            v.extend_from_slice(&r);
            v
        }),
        (close_code(), "[a-z€]{0,60}").prop_map(|(c, r)| {
            let mut v = c.to_be_bytes().to_vec();
            v.extend_from_slice(r.as_bytes());
            v
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn close_parser_matches_model(payload in close_payload()) {
        let got = close::parse_payload(&payload);
        let want = model_parse(&payload);
        prop_assert_eq!(got.map(|o| o.map(|f| (f.code.as_u16(), f.reason))), want);
        if let Err(e) = got {
            let code = if e == CloseError::InvalidReason { 1007 } else { 1002 };
            prop_assert_eq!(e.close_code().as_u16(), code);
        }
    }

    #[test]
    fn close_encode_then_parse(code in close_code(), reason in "\\PC{0,50}") {
        let frame = CloseFrame { code: CloseCode::new(code), reason: &reason };
        let mut out = [0u8; 125];
        let res = close::encode_payload(Some(&frame), &mut out);
        if !CloseCode::new(code).is_sendable() {
            prop_assert_eq!(res, Err(CloseError::InvalidCode(code)));
        } else if reason.len() > 123 {
            prop_assert_eq!(res, Err(CloseError::ReasonTooLong));
        } else {
            let n = res.unwrap();
            prop_assert_eq!(n, close::payload_len(Some(&frame)));
            prop_assert_eq!(close::parse_payload(&out[..n]), Ok(Some(frame)));
        }
    }
}
