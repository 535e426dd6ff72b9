//! Bits the std examples share: randomness for handshake keys and masks.

use std::io::Read as _;

/// Masking keys from an xorshift generator seeded by the OS. Good enough for
/// an example; firmware would use its hardware RNG.
pub struct Masks(u64);

impl Masks {
    /// A generator seeded from `/dev/urandom`.
    pub fn from_os() -> Self {
        Self(u64::from_le_bytes(random()) | 1)
    }
}

impl wsframe::MaskSource for Masks {
    fn next_mask(&mut self) -> [u8; 4] {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 as u32).to_le_bytes()
    }
}

/// `N` random bytes from the OS (a handshake key needs 16).
pub fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut out))
        .expect("/dev/urandom");
    out
}
