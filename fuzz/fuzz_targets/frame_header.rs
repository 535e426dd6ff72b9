//! `Header::decode_with` on arbitrary bytes, with an arbitrary set of
//! allowed reserved bits (the first input byte's low three bits).
//!
//! Invariants:
//! - `Complete((h, n))`: `n <= input.len()`, `n <= MAX_HEADER_LEN`,
//!   `n == h.encoded_len()`, and `h.encode` writes exactly `input[..n]`;
//!   the header's RSV bits are within the allowed set and it validates.
//! - `Partial { needed }`: `needed > 0`, and the input plus `needed` more
//!   bytes never reports `Partial` again with a larger total.
//! - Decoding is a function of the prefix: every shorter prefix of a
//!   complete header is `Partial` (never an error, never complete), and
//!   extra trailing bytes do not change the result.
//! - `decode` equals `decode_with(.., Rsv::NONE)`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::Status;
use wsframe::frame::{Header, MAX_HEADER_LEN, Rsv};

fuzz_target!(|data: &[u8]| {
    let Some((&knob, bytes)) = data.split_first() else {
        return;
    };
    let allowed = Rsv::from_bits(knob);
    let result = Header::decode_with(bytes, allowed);

    if allowed.is_empty() {
        assert_eq!(result, Header::decode(bytes));
    }
    // Allowing more bits never turns a success into a failure.
    if let Ok(Status::Complete(done)) = result {
        assert_eq!(
            Header::decode_with(bytes, Rsv::ALL),
            Ok(Status::Complete(done))
        );
    }

    match result {
        Ok(Status::Complete((header, len))) => {
            assert!(
                len <= bytes.len(),
                "header length {len} > input {}",
                bytes.len()
            );
            assert!(
                len <= MAX_HEADER_LEN,
                "header length {len} > {MAX_HEADER_LEN}"
            );
            assert!(len >= 2);
            assert_eq!(len, header.encoded_len());
            assert!(allowed.contains(header.rsv));
            assert_eq!(header.validate(allowed), Ok(()));

            let mut out = [0u8; MAX_HEADER_LEN];
            let written = header
                .encode(&mut out)
                .expect("a decoded header re-encodes");
            assert_eq!(written, len);
            assert_eq!(&out[..written], &bytes[..len], "re-encoding differs");
            // A too-small output is refused, never truncated.
            assert!(header.encode(&mut out[..len - 1]).is_err());

            // Every strict prefix is Partial with the exact shortfall once
            // the second byte is in.
            for cut in 0..len {
                match Header::decode_with(&bytes[..cut], allowed) {
                    Ok(Status::Partial { needed }) => {
                        assert!(needed > 0);
                        if cut >= 2 {
                            assert_eq!(cut + needed, len, "needed not exact at {cut}");
                        } else {
                            assert!(cut + needed <= len);
                        }
                    }
                    other => panic!("prefix {cut} of a {len}-byte header gave {other:?}"),
                }
            }
            // Trailing bytes are not looked at.
            assert_eq!(
                Header::decode_with(&bytes[..len], allowed),
                Ok(Status::Complete((header, len)))
            );
        }
        Ok(Status::Partial { needed }) => {
            assert!(needed > 0);
            assert!(bytes.len() < MAX_HEADER_LEN);
            assert!(bytes.len() + needed <= MAX_HEADER_LEN);
        }
        Err(e) => {
            // An error is final: more bytes do not make it go away.
            let mut longer = [0u8; MAX_HEADER_LEN * 2];
            let n = bytes.len().min(MAX_HEADER_LEN);
            longer[..n].copy_from_slice(&bytes[..n]);
            if n == bytes.len() {
                assert_eq!(Header::decode_with(&longer, allowed), Err(e));
            }
            let _ = e.close_code();
        }
    }
});
