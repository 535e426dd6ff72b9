//! Deterministic mask sources (RFC 6455 §5.3 wants an unpredictable key
//! per frame; tests want the same keys every run).

use wsframe::MaskSource;

/// Masking keys from a 32-bit linear congruential generator (Numerical
/// Recipes constants), one step per key, written big-endian. Any seed,
/// zero included, gives a full-period sequence. Tests only: real clients
/// use an RNG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Masks(pub u32);

impl Default for Masks {
    /// The seed the integration tests have always used.
    fn default() -> Self {
        Self(0x1234_5678)
    }
}

impl Masks {
    /// The next key.
    #[inline]
    pub fn next_key(&mut self) -> [u8; 4] {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.0.to_be_bytes()
    }
}

impl MaskSource for Masks {
    fn next_mask(&mut self) -> [u8; 4] {
        self.next_key()
    }
}

/// Masking keys from Marsaglia's xorshift32, written big-endian: the
/// benches' keys. Their workloads W3 and W6 draw one key per frame inside
/// the measured loop, so the generator's cost (a few instructions more
/// than [`Masks`]) is part of every number recorded in `benches/`; this
/// keeps it. A zero seed gives zero keys forever.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xorshift32(pub u32);

impl Default for Xorshift32 {
    /// The seed the benches have always used.
    fn default() -> Self {
        Self(0x9E37_79B9)
    }
}

impl Xorshift32 {
    /// The next key.
    #[inline]
    pub fn next_key(&mut self) -> [u8; 4] {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x.to_be_bytes()
    }
}

impl MaskSource for Xorshift32 {
    fn next_mask(&mut self) -> [u8; 4] {
        self.next_key()
    }
}

/// [`Masks::default`] as a closure (a closure is a `MaskSource` too).
pub fn counter_masks() -> impl FnMut() -> [u8; 4] {
    let mut masks = Masks::default();
    move || masks.next_key()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_and_repeat_per_seed() {
        let mut a = Masks(0);
        let first: Vec<_> = (0..4).map(|_| a.next_key()).collect();
        assert_eq!(first[0], 1_013_904_223u32.to_be_bytes());
        assert!(first.windows(2).all(|w| w[0] != w[1]));
        let mut b = Masks(0);
        assert_eq!(first, (0..4).map(|_| b.next_key()).collect::<Vec<_>>());
    }

    #[test]
    fn xorshift_is_the_benches_sequence() {
        let mut x = Xorshift32::default();
        let mut y = 0x9E37_79B9u32;
        for _ in 0..4 {
            y ^= y << 13;
            y ^= y >> 17;
            y ^= y << 5;
            assert_eq!(x.next_key(), y.to_be_bytes());
        }
    }
}
