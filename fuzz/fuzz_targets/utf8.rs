//! `utf8::Validator` fed arbitrary pieces of arbitrary bytes agrees with
//! `core::str::from_utf8` over the whole input.
//!
//! Invariants:
//! - valid input: every `feed` is `Ok`, `finish` is `Ok`, `is_complete`.
//! - invalid input (`error_len().is_some()`): some `feed` fails, with
//!   `valid_up_to` equal to core's and `is_incomplete() == false`; it
//!   fails no earlier than the piece holding the offending byte run, and
//!   every later `feed` and `finish` repeat the error.
//! - truncated input (`error_len().is_none()`): every `feed` is `Ok` and
//!   `finish` fails with core's `valid_up_to` and `is_incomplete()`.
//! - `is_complete()` after each piece ⇔ the prefix so far is valid UTF-8.
//! - `utf8::from_utf8` (the DFA for short text, which hands out a `&str`
//!   without a second check) gives exactly core's result on the whole
//!   input and on every prefix up to 300 bytes.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::utf8::Validator;
use wsframe_fuzz::Rest;

#[derive(Arbitrary, Debug)]
struct Input {
    /// Piece lengths (cycled; 0 gives an empty piece).
    splits: Vec<u8>,
    bytes: Rest,
}

fuzz_target!(|input: Input| {
    let Input { splits, bytes } = input;
    let bytes = bytes.0;
    let expected = core::str::from_utf8(&bytes);
    match (wsframe::utf8::from_utf8(&bytes), &expected) {
        (Ok(ours), Ok(core)) => assert_eq!(ours, *core),
        (Err(ours), Err(core)) => {
            assert_eq!(ours.valid_up_to(), core.valid_up_to());
            assert_eq!(ours.is_incomplete(), core.error_len().is_none());
        }
        (ours, core) => panic!("from_utf8 {ours:?}, core {core:?}"),
    }
    for end in 0..bytes.len().min(300) {
        let prefix = &bytes[..end];
        assert_eq!(
            wsframe::utf8::from_utf8(prefix).is_ok(),
            core::str::from_utf8(prefix).is_ok(),
            "{prefix:x?}"
        );
    }
    let mut v = Validator::new();
    let mut pos = 0;
    let mut first_err = None;
    let mut i = 0;
    let mut pieces = 0;
    while pos < bytes.len() || pieces == 0 {
        let len = splits
            .get(i % splits.len().max(1))
            .copied()
            .map_or(bytes.len(), usize::from);
        i += 1;
        pieces += 1;
        let end = (pos + len).min(bytes.len());
        let r = v.feed(&bytes[pos..end]);
        match (&r, first_err) {
            (Err(e), None) => {
                assert!(!e.is_incomplete());
                // The error cannot be reported before its bytes arrived.
                assert!(
                    e.valid_up_to() < end,
                    "error at {} before byte {end}",
                    e.valid_up_to()
                );
                first_err = Some(*e);
            }
            (Err(e), Some(first)) => assert_eq!(*e, first, "a later feed changed the error"),
            (Ok(()), Some(first)) => panic!("feed succeeded after {first:?}"),
            (Ok(()), None) => {
                let prefix_ok = core::str::from_utf8(&bytes[..end]).is_ok();
                assert_eq!(v.is_complete(), prefix_ok, "is_complete after {end} bytes");
            }
        }
        pos = end;
        if pieces > 4 * bytes.len() + 8 {
            break; // only zero-length splits: stop
        }
    }
    // Zero-length pieces only: feed the rest in one piece.
    if pos < bytes.len() && first_err.is_none() {
        if let Err(e) = v.feed(&bytes[pos..]) {
            first_err = Some(e);
        }
    }
    let fin = v.finish();
    match expected {
        Ok(_) => {
            assert_eq!(first_err, None);
            assert_eq!(fin, Ok(()));
            assert!(v.is_complete());
        }
        Err(e) if e.error_len().is_some() => {
            let got = first_err.expect("invalid input accepted by every feed");
            assert_eq!(got.valid_up_to(), e.valid_up_to());
            assert_eq!(fin, Err(got));
            assert!(!v.is_complete());
        }
        Err(e) => {
            assert_eq!(first_err, None, "truncated input rejected early");
            let got = fin.expect_err("truncated input passed finish");
            assert!(got.is_incomplete());
            assert_eq!(got.valid_up_to(), e.valid_up_to());
            assert!(!v.is_complete());
        }
    }
    // Reset gives a fresh validator.
    v.reset();
    assert_eq!(v, Validator::new());
});
