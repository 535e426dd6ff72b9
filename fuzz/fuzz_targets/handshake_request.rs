//! `handshake::parse_request` (and `parse_head`) on arbitrary bytes.
//!
//! Invariants:
//! - `Complete(req)`: `req.head_len() <= input.len()`; the head ends with
//!   an empty line; re-parsing exactly `input[..head_len]` gives the same
//!   request; `parse_head` agrees on the head.
//! - `Partial { needed }`: `needed > 0`.
//! - Prefix monotonicity (input that arrives in pieces): for several
//!   prefixes, a strict prefix of a complete head is `Partial`; a prefix
//!   that errs errs the same way on the full input.
//! - `parse_head` and `parse_request` agree on Partial / syntax errors.
//! - A complete request's `accept(..)` answer is accepted by
//!   `check_response` for a client whose key is the parsed key and whose
//!   offered subprotocols are the parsed ones, with the chosen protocol
//!   and `head_len` equal to the answer's length.
//! - A refused request's `encode_response` fits 128 bytes and a client
//!   reads it as a refusal with the same status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::Status;
use wsframe::handshake::{
    self, ClientRequest, HeadError, Limits, RequestError, ResponseError, Url,
};

const N: usize = 32;

fn b64_value(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

/// Decode a canonical 24-character base64 key into its 16 bytes.
fn decode_key(key: &str) -> Option<[u8; 16]> {
    let k = key.as_bytes();
    if k.len() != 24 || &k[22..] != b"==" {
        return None;
    }
    // 22 characters carry 132 bits: 128 of data, then 4 zero padding bits.
    let mut bits: u128 = 0;
    for &c in &k[..21] {
        bits = (bits << 6) | u128::from(b64_value(c)?);
    }
    let last = b64_value(k[21])?;
    if last & 0xF != 0 {
        return None;
    }
    bits = (bits << 2) | u128::from(last >> 4);
    Some(bits.to_be_bytes())
}

fn same_outcome(
    a: &Result<Status<handshake::Request<'_, N>>, RequestError>,
    b: &Result<Status<handshake::Request<'_, N>>, RequestError>,
) -> bool {
    match (a, b) {
        (Ok(Status::Complete(x)), Ok(Status::Complete(y))) => {
            x.head_len() == y.head_len() && x.key() == y.key() && x.path() == y.path()
        }
        (Ok(Status::Partial { .. }), Ok(Status::Partial { .. })) => true,
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

fuzz_target!(|bytes: &[u8]| {
    let limits = Limits::DEFAULT;
    let full = handshake::parse_request::<N>(bytes, &limits);
    let head = handshake::parse_head::<N>(bytes, &limits);

    // parse_head sees the same syntax.
    match (&full, &head) {
        (Ok(Status::Partial { needed }), Ok(Status::Partial { needed: n2 })) => {
            assert!(*needed > 0);
            assert_eq!(needed, n2);
        }
        (Ok(Status::Complete(req)), Ok(Status::Complete(h))) => assert_eq!(req.head(), h),
        (Err(e), Ok(Status::Complete(_))) => assert!(
            !matches!(
                e,
                RequestError::HeadTooLarge
                    | RequestError::TooManyHeaders
                    | RequestError::InvalidRequestLine
                    | RequestError::InvalidHeader
            ),
            "syntax error {e:?} on a head parse_head accepts"
        ),
        (Err(e), Err(h)) => assert_eq!(*e, RequestError::from(*h)),
        (r, h) => panic!("parse_request {r:?} vs parse_head {h:?}"),
    }
    if let Err(HeadError::InvalidStatusLine) = head {
        panic!("a request parse reported a status-line error");
    }

    // Prefixes.
    let len = bytes.len();
    let mut cuts = [
        0,
        1,
        2,
        len / 4,
        len / 3,
        len / 2,
        len.saturating_sub(3),
        len.saturating_sub(2),
        len.saturating_sub(1),
        0,
        0,
        0,
    ];
    if let Ok(Status::Complete(req)) = &full {
        let h = req.head_len();
        cuts[9] = h.saturating_sub(1);
        cuts[10] = h.saturating_sub(2);
        cuts[11] = h / 2;
    }
    for cut in cuts {
        if cut >= len {
            continue;
        }
        let part = handshake::parse_request::<N>(&bytes[..cut], &limits);
        match (&part, &full) {
            (_, Ok(Status::Complete(req))) if cut < req.head_len() => {
                assert!(
                    matches!(part, Ok(Status::Partial { needed }) if needed > 0),
                    "prefix {cut} of a {}-byte head gave {part:?}",
                    req.head_len()
                );
            }
            (Ok(Status::Partial { needed }), _) => assert!(*needed > 0),
            (p, f) => assert!(
                same_outcome(p, f),
                "prefix {cut}: {p:?} but full input: {f:?}"
            ),
        }
    }

    match full {
        Ok(Status::Complete(req)) => {
            let head_len = req.head_len();
            assert!(head_len <= len, "head_len {head_len} > input {len}");
            assert!(bytes[..head_len].ends_with(b"\n"));
            let again = handshake::parse_request::<N>(&bytes[..head_len], &limits);
            assert!(same_outcome(&again, &Ok(Status::Complete(req.clone()))));

            // The key is canonical base64 of 16 bytes.
            let nonce = decode_key(req.key()).expect("accepted key is not base64 of 16 bytes");
            assert_eq!(&handshake::encode_key(&nonce)[..], req.key().as_bytes());

            let offered: Vec<&str> = req.protocols().collect();
            let mut out = [0u8; 1024];
            // Choose the first offered protocol the answer accepts (a token).
            let mut chosen = None;
            let mut answer_len = None;
            for p in offered.iter().copied().map(Some).chain([None]) {
                match req.accept(p, &[], &mut out) {
                    Ok(n) => {
                        chosen = p;
                        answer_len = Some(n);
                        break;
                    }
                    Err(handshake::EncodeError::InvalidProtocol) => continue,
                    Err(e) => panic!("accept({p:?}) failed: {e:?}"),
                }
            }
            let n = answer_len.expect("accept(None) always succeeds");
            let url = Url::parse("ws://example.com/").expect("static url");
            let client = ClientRequest::new(&url, nonce).with_protocols(&offered);
            match handshake::check_response(&out[..n], &client) {
                Ok(Status::Complete(resp)) => {
                    assert_eq!(resp.head_len, n);
                    assert_eq!(resp.protocol, chosen);
                }
                other => panic!(
                    "client refused our answer: {other:?}\n{}",
                    String::from_utf8_lossy(&out[..n])
                ),
            }
        }
        Ok(Status::Partial { needed }) => assert!(needed > 0),
        Err(e) => {
            let mut out = [0u8; 128];
            let n = e
                .encode_response(&mut out)
                .expect("a refusal fits 128 bytes");
            let url = Url::parse("ws://example.com/").expect("static url");
            let client = ClientRequest::new(&url, [0; 16]);
            assert_eq!(
                handshake::check_response(&out[..n], &client),
                Err(ResponseError::Status(e.status()))
            );
        }
    }
});
