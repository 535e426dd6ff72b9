//! `mask::apply` and `mask::Masker` over arbitrary pieces and offsets equal
//! the bytewise definition `data[i] ^= key[(offset + i) % 4]` (RFC 6455 §5.3).
//!
//! Invariants:
//! - one `apply` at an arbitrary offset equals bytewise;
//! - `apply` piece by piece (offset advanced by each piece's length) equals
//!   one call; so does a `Masker` fed the same pieces;
//! - applying twice restores the input;
//! - `copy_masked` into a destination of any length writes exactly the
//!   bytewise result over the common prefix and leaves the rest untouched.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::mask::{self, Masker};
use wsframe_fuzz::Rest;

#[derive(Arbitrary, Debug)]
struct Input {
    key: [u8; 4],
    offset: usize,
    splits: Vec<u8>,
    data: Rest,
}

fn bytewise(key: [u8; 4], offset: usize, data: &mut [u8]) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= key[(offset % 4 + i % 4) % 4];
    }
}

fuzz_target!(|input: Input| {
    let Input {
        key,
        offset,
        splits,
        data,
    } = input;
    let data = data.0;

    let mut expected = data.clone();
    bytewise(key, offset, &mut expected);

    let mut whole = data.clone();
    mask::apply(key, offset, &mut whole);
    assert_eq!(whole, expected, "one call at offset {offset}");

    // Piecewise with explicit offsets (wrapping, as a usize offset may be huge).
    let mut pieces = data.clone();
    let mut masker = Masker::new(key);
    let mut via_masker = data.clone();
    // The Masker starts at offset 0: compare it with offset-0 bytewise.
    let mut expected0 = data.clone();
    bytewise(key, 0, &mut expected0);
    let mut pos = 0;
    let mut i = 0;
    while pos < data.len() {
        let len = splits
            .get(i % splits.len().max(1))
            .copied()
            .map_or(data.len(), usize::from)
            .max(1);
        i += 1;
        let end = (pos + len).min(data.len());
        mask::apply(key, offset.wrapping_add(pos), &mut pieces[pos..end]);
        masker.apply(&mut via_masker[pos..end]);
        pos = end;
    }
    // `offset.wrapping_add(pos)` stays congruent mod 4 only without wrap-around
    // of a non-multiple-of-4 modulus: usize::MAX + 1 is a multiple of 4.
    assert_eq!(pieces, expected, "piecewise");
    assert_eq!(via_masker, expected0, "masker");

    // copy_masked into a destination shorter or longer than the source.
    let extra = splits.first().copied().map_or(0, usize::from);
    let dst_len = if extra % 2 == 0 {
        data.len() + extra / 2
    } else {
        data.len().saturating_sub(extra / 2)
    };
    let mut dst = vec![0xA5u8; dst_len];
    mask::copy_masked(key, offset, &data, &mut dst);
    let n = dst_len.min(data.len());
    assert_eq!(dst[..n], expected[..n], "copy_masked at offset {offset}");
    assert!(
        dst[n..].iter().all(|&b| b == 0xA5),
        "copy_masked wrote past the source"
    );

    // Involution.
    mask::apply(key, offset, &mut whole);
    assert_eq!(whole, data);
});
