//! The deterministic masking keys every implementation uses.

/// The deterministic masking keys of every implementation:
/// `wsframe_testkit::Xorshift32`, with the `rand_core` traits that some
/// peers take their keys through.
#[derive(Clone, Debug, Default)]
pub struct Keys(wsframe_testkit::Xorshift32);

impl Keys {
    /// The next 4-byte key.
    pub fn next_key(&mut self) -> [u8; 4] {
        self.0.next_key()
    }
}

impl rand_core_06::RngCore for Keys {
    fn next_u32(&mut self) -> u32 {
        u32::from_be_bytes(self.next_key())
    }
    fn next_u64(&mut self) -> u64 {
        (u64::from(self.next_u32()) << 32) | u64::from(self.next_u32())
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let k = self.next_key();
            chunk.copy_from_slice(&k[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core_010::TryRng for Keys {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::from_be_bytes(self.next_key()))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(rand_core_06::RngCore::next_u64(self))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand_core_06::RngCore::fill_bytes(self, dst);
        Ok(())
    }
}
