//! `handshake::check_response` on arbitrary bytes, for a fixed client
//! request (the RFC 6455 §1.3 sample key `dGhlIHNhbXBsZSBub25jZQ==`,
//! offering `chat` and `superchat`).
//!
//! Invariants:
//! - `Complete(resp)`: `resp.head_len <= input.len()`; the head ends with
//!   a line feed; re-checking exactly `input[..head_len]` gives the same
//!   response; the chosen protocol is one the client offered.
//! - `Partial { needed }`: `needed > 0`.
//! - Prefix monotonicity: a strict prefix of a complete head is
//!   `Partial`; a prefix that errs errs the same way on the full input.
//! - A second client with another key refuses a complete answer with
//!   `AcceptMismatch` (the accept value is checked).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::Status;
use wsframe::handshake::{self, ClientRequest, ResponseError, Url};

/// "the sample nonce", whose key is `dGhlIHNhbXBsZSBub25jZQ==` (RFC 6455 §1.3).
const NONCE: [u8; 16] = *b"the sample nonce";
const PROTOCOLS: &[&str] = &["chat", "superchat"];

fuzz_target!(|bytes: &[u8]| {
    let url = Url::parse("ws://server.example.com/chat").expect("static url");
    let client = ClientRequest::new(&url, NONCE).with_protocols(PROTOCOLS);
    let full = handshake::check_response(bytes, &client);
    let len = bytes.len();

    let mut cuts = [
        0,
        1,
        2,
        13,
        len / 3,
        len / 2,
        len.saturating_sub(2),
        len.saturating_sub(1),
        0,
        0,
        0,
    ];
    if let Ok(Status::Complete(resp)) = &full {
        cuts[8] = resp.head_len.saturating_sub(1);
        cuts[9] = resp.head_len.saturating_sub(2);
        cuts[10] = resp.head_len / 2;
    }
    for cut in cuts {
        if cut >= len {
            continue;
        }
        let part = handshake::check_response(&bytes[..cut], &client);
        match (&part, &full) {
            (_, Ok(Status::Complete(resp))) if cut < resp.head_len => assert!(
                matches!(part, Ok(Status::Partial { needed }) if needed > 0),
                "prefix {cut} of a {}-byte head gave {part:?}",
                resp.head_len
            ),
            (Ok(Status::Partial { needed }), _) => assert!(*needed > 0),
            (p, f) => assert_eq!(p, f, "prefix {cut} vs full input"),
        }
    }

    match full {
        Ok(Status::Complete(resp)) => {
            assert!(
                resp.head_len <= len,
                "head_len {} > input {len}",
                resp.head_len
            );
            assert!(bytes[..resp.head_len].ends_with(b"\n"));
            assert_eq!(
                handshake::check_response(&bytes[..resp.head_len], &client),
                Ok(Status::Complete(resp))
            );
            if let Some(p) = resp.protocol {
                assert!(PROTOCOLS.contains(&p), "protocol {p:?} was not offered");
            }
            let other = ClientRequest::new(&url, [0x55; 16]).with_protocols(PROTOCOLS);
            assert_eq!(
                handshake::check_response(&bytes[..resp.head_len], &other),
                Err(ResponseError::AcceptMismatch)
            );
        }
        Ok(Status::Partial { needed }) => assert!(needed > 0),
        Err(_) => {}
    }
});
