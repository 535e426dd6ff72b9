//! Payload masking (RFC 6455 §5.3), in place, at any offset.
//!
//! Masking is an XOR with the 4-byte key repeated, where byte `i` of the
//! payload uses `key[i % 4]`. [`apply`] takes the payload offset of the first
//! byte it is given, so a payload can be (un)masked chunk by chunk as it
//! arrives. The loop works on 64-byte blocks of a pre-rotated key so the
//! compiler turns it into vector XORs, and short payloads on `u64` words;
//! no `unsafe` is involved.

/// The block the inner loop works on: two AVX-512, four AVX2 or eight SSE
/// registers. Shorter payloads, and the tail, go eight bytes at a time.
const BLOCK: usize = 64;

/// XOR `data` with `key`, where `data[0]` is byte `offset` of the payload.
///
/// Applying it twice with the same key and offset restores the input, and
/// splitting `data` anywhere (advancing `offset` by the first part's length)
/// gives the same result as one call.
///
/// ```
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut payload = *b"Hello";
/// let (a, b) = payload.split_at_mut(2);
/// wsframe::mask::apply(key, 0, a);
/// wsframe::mask::apply(key, 2, b);
/// assert_eq!(payload, [0x7f, 0x9f, 0x4d, 0x51, 0x58]); // RFC 6455 §5.7
/// ```
#[inline]
pub fn apply(key: [u8; 4], offset: usize, data: &mut [u8]) {
    // Rotate the key so that its first byte lines up with data[0].
    let key = u32::from_be_bytes(key)
        .rotate_left(8 * (offset % 4) as u32)
        .to_be_bytes();
    if data.len() < BLOCK {
        apply_short(key, data);
        return;
    }
    let block = block(key);
    let mut chunks = data.chunks_exact_mut(BLOCK);
    for chunk in &mut chunks {
        for (d, k) in chunk.iter_mut().zip(block) {
            *d ^= k;
        }
    }
    // BLOCK is a multiple of 4, so the tail starts key-aligned too.
    apply_short(key, chunks.into_remainder());
}

/// [`apply`] from the payload's first byte, with the short case inlined:
/// the whole-message receive path, where most payloads are a few words.
#[inline]
pub(crate) fn apply_from_start(key: [u8; 4], data: &mut [u8]) {
    if data.len() <= 16 {
        apply_short(key, data);
    } else {
        apply(key, 0, data);
    }
}

/// `key` repeated over a block.
fn block(key: [u8; 4]) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    for part in block.chunks_exact_mut(4) {
        part.copy_from_slice(&key);
    }
    block
}

/// Short payloads (most frames): eight bytes at a time in a `u64`, then
/// the last few bytewise. `key` is already rotated to `data[0]`.
#[inline(always)]
fn apply_short(key: [u8; 4], data: &mut [u8]) {
    let k = u32::from_ne_bytes(key);
    // `key` twice in native byte order: the same as `from_ne_bytes` of the
    // eight key bytes, without assembling it bytewise.
    let wide = u64::from(k) | (u64::from(k) << 32);
    let mut words = data.chunks_exact_mut(8);
    for word in &mut words {
        if let Ok(word) = <&mut [u8; 8]>::try_from(word) {
            *word = (u64::from_ne_bytes(*word) ^ wide).to_ne_bytes();
        }
    }
    // Eight is a multiple of 4: the tail starts key-aligned.
    let mut rest = words.into_remainder();
    if rest.len() >= 4 {
        if let Some((word, tail)) = core::mem::take(&mut rest).split_first_chunk_mut::<4>() {
            *word = (u32::from_ne_bytes(*word) ^ k).to_ne_bytes();
            rest = tail;
        }
    }
    for (d, k) in rest.iter_mut().zip(key) {
        *d ^= k;
    }
}

/// Write `src` masked with `key` into `dst` in one pass, where `src[0]` is
/// byte `offset` of the payload: the same bytes as copying then [`apply`],
/// without the second pass. Only the first `min(src.len(), dst.len())`
/// bytes of `dst` are written.
///
/// ```
/// let mut out = [0u8; 5];
/// wsframe::mask::copy_masked([0x37, 0xfa, 0x21, 0x3d], 0, b"Hello", &mut out);
/// assert_eq!(out, [0x7f, 0x9f, 0x4d, 0x51, 0x58]); // RFC 6455 §5.7
/// ```
#[inline]
pub fn copy_masked(key: [u8; 4], offset: usize, src: &[u8], dst: &mut [u8]) {
    let key = u32::from_be_bytes(key)
        .rotate_left(8 * (offset % 4) as u32)
        .to_be_bytes();
    let n = src.len().min(dst.len());
    let (src, dst) = (
        src.get(..n).unwrap_or_default(),
        dst.get_mut(..n).unwrap_or_default(),
    );
    // Most frames are short: inline, straight-line code for those, one call
    // for the rest.
    if n <= 16 {
        copy_upto_16(key, src, dst);
    } else {
        copy_long(key, src, dst);
    }
}

/// [`copy_masked`] of at most 16 bytes without a loop: two words that may
/// overlap (the first and the last eight, or four, bytes), each XORed with
/// the key rotated to its own start; writing a byte twice is harmless in a
/// copy. `key` is rotated to `src[0]`; both have the same length.
#[inline(always)]
fn copy_upto_16(key: [u8; 4], src: &[u8], dst: &mut [u8]) {
    let n = src.len();
    // The key rotated to `src[n - w]` for a word of `w` (a multiple of 4) bytes.
    let end_key = u32::from_be_bytes(key)
        .rotate_left(8 * (n % 4) as u32)
        .to_be_bytes();
    if n >= 8 {
        let wide = |k: [u8; 4]| {
            let k = u64::from(u32::from_ne_bytes(k));
            k | (k << 32)
        };
        if let (Some(s), Some(d)) = (src.first_chunk::<8>(), dst.first_chunk_mut::<8>()) {
            *d = (u64::from_ne_bytes(*s) ^ wide(key)).to_ne_bytes();
        }
        if let (Some(s), Some(d)) = (src.last_chunk::<8>(), dst.last_chunk_mut::<8>()) {
            *d = (u64::from_ne_bytes(*s) ^ wide(end_key)).to_ne_bytes();
        }
    } else if n >= 4 {
        if let (Some(s), Some(d)) = (src.first_chunk::<4>(), dst.first_chunk_mut::<4>()) {
            *d = (u32::from_ne_bytes(*s) ^ u32::from_ne_bytes(key)).to_ne_bytes();
        }
        if let (Some(s), Some(d)) = (src.last_chunk::<4>(), dst.last_chunk_mut::<4>()) {
            *d = (u32::from_ne_bytes(*s) ^ u32::from_ne_bytes(end_key)).to_ne_bytes();
        }
    } else {
        // Up to three bytes, without an iterator.
        let [k0, k1, k2, _] = key;
        if let (Some(s), Some(d)) = (src.first(), dst.first_mut()) {
            *d = *s ^ k0;
        }
        if let (Some(s), Some(d)) = (src.get(1), dst.get_mut(1)) {
            *d = *s ^ k1;
        }
        if let (Some(s), Some(d)) = (src.get(2), dst.get_mut(2)) {
            *d = *s ^ k2;
        }
    }
}

/// [`copy_masked`] past 16 bytes: whole blocks, then `u64` words, and the
/// last eight bytes as one word that may overlap the ones before it.
/// `key` is rotated to `src[0]`; both have the same length.
#[inline(never)]
fn copy_long(key: [u8; 4], src: &[u8], dst: &mut [u8]) {
    let wide = |k: [u8; 4]| {
        let k = u64::from(u32::from_ne_bytes(k));
        k | (k << 32)
    };
    let n = src.len();
    {
        let mut s_blocks = src.chunks_exact(BLOCK);
        let mut d_blocks = dst.chunks_exact_mut(BLOCK);
        if n >= BLOCK {
            let block = block(key);
            for (d, s) in (&mut d_blocks).zip(&mut s_blocks) {
                for ((d, s), k) in d.iter_mut().zip(s).zip(&block) {
                    *d = *s ^ *k;
                }
            }
        }
        // Both rests start after the same whole blocks, key-aligned.
        let k = wide(key);
        let (src, dst) = (s_blocks.remainder(), d_blocks.into_remainder());
        for (d, s) in dst.chunks_exact_mut(8).zip(src.chunks_exact(8)) {
            if let (Ok(d), Ok(s)) = (<&mut [u8; 8]>::try_from(d), <&[u8; 8]>::try_from(s)) {
                *d = (u64::from_ne_bytes(*s) ^ k).to_ne_bytes();
            }
        }
    }
    // The payload's last eight bytes (n > 16), whose key is rotated by
    // `(n - 8) % 4 = n % 4`; already done when n is a multiple of 8.
    if !n.is_multiple_of(8) {
        let end_key = u32::from_be_bytes(key)
            .rotate_left(8 * (n % 4) as u32)
            .to_be_bytes();
        if let (Some(s), Some(d)) = (src.last_chunk::<8>(), dst.last_chunk_mut::<8>()) {
            *d = (u64::from_ne_bytes(*s) ^ wide(end_key)).to_ne_bytes();
        }
    }
}

/// A masking key together with the payload offset reached so far: the state
/// for unmasking a payload that arrives in pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Masker {
    key: [u8; 4],
    offset: usize,
}

impl Masker {
    /// A masker at payload offset 0.
    #[must_use]
    pub const fn new(key: [u8; 4]) -> Self {
        Self { key, offset: 0 }
    }

    /// (Un)mask the next piece of the payload in place.
    pub fn apply(&mut self, data: &mut [u8]) {
        apply(self.key, self.offset, data);
        self.offset = (self.offset.wrapping_add(data.len())) % 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytewise(key: [u8; 4], offset: usize, data: &mut [u8]) {
        for (i, b) in data.iter_mut().enumerate() {
            *b ^= key[(offset + i) % 4];
        }
    }

    #[test]
    fn rfc_example() {
        let mut payload = *b"Hello";
        apply([0x37, 0xfa, 0x21, 0x3d], 0, &mut payload);
        assert_eq!(payload, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }

    #[test]
    fn every_offset_and_length_matches_bytewise() {
        let key = [0xde, 0xad, 0xbe, 0xef];
        let src: [u8; 200] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        for offset in 0..8 {
            for len in 0..src.len() {
                let mut fast = src;
                let mut slow = src;
                apply(key, offset, &mut fast[..len]);
                bytewise(key, offset, &mut slow[..len]);
                assert_eq!(fast, slow, "offset {offset} len {len}");
            }
        }
    }

    #[test]
    fn copy_masked_matches_copy_then_apply() {
        let key = [0xde, 0xad, 0xbe, 0xef];
        let src: [u8; 300] = core::array::from_fn(|i| (i * 13 + 5) as u8);
        for offset in 0..5 {
            for len in 0..src.len() {
                let mut want = [0u8; 300];
                want[..len].copy_from_slice(&src[..len]);
                apply(key, offset, &mut want[..len]);
                let mut got = [0u8; 300];
                copy_masked(key, offset, &src[..len], &mut got);
                assert_eq!(got, want, "offset {offset} len {len}");
            }
        }
    }

    #[test]
    fn masker_over_pieces_equals_one_call() {
        let key = [1, 2, 3, 4];
        let src: [u8; 100] = core::array::from_fn(|i| i as u8);
        let mut whole = src;
        apply(key, 0, &mut whole);
        for split in [1usize, 3, 5, 31, 33, 64] {
            let mut pieces = src;
            let mut m = Masker::new(key);
            for chunk in pieces.chunks_mut(split) {
                m.apply(chunk);
            }
            assert_eq!(pieces, whole, "split {split}");
        }
    }
}
