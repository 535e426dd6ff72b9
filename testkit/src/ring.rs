//! A receiver's inflater with a window of exactly 2^bits bytes, for
//! checking compressed output (RFC 7692 §7.2.2).

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{
    DecompressorOxide, decompress, inflate_flags::TINFL_FLAG_HAS_MORE_INPUT,
};

/// `miniz_oxide` writing into a ring of 2^bits bytes, kept across
/// messages (context takeover). A distance beyond the window reads the
/// wrong bytes (or fails), so a round trip through it proves every
/// distance is within the window.
pub struct RingInflater {
    d: Box<DecompressorOxide>,
    ring: Vec<u8>,
    at: usize,
}

impl RingInflater {
    /// A ring of 2^`window_bits` bytes.
    pub fn new(window_bits: u8) -> Self {
        Self {
            d: Box::default(),
            ring: vec![0; 1 << window_bits],
            at: 0,
        }
    }

    /// Inflate one message (its `00 00 ff ff` put back).
    ///
    /// # Panics
    /// When the stream does not inflate.
    pub fn inflate(&mut self, message: &[u8]) -> Vec<u8> {
        let mut input = message.to_vec();
        input.extend_from_slice(&[0, 0, 0xff, 0xff]);
        let mut rest = &input[..];
        let mut out = Vec::new();
        loop {
            let (status, used, wrote) = decompress(
                &mut self.d,
                rest,
                &mut self.ring,
                self.at,
                TINFL_FLAG_HAS_MORE_INPUT,
            );
            out.extend_from_slice(&self.ring[self.at..self.at + wrote]);
            self.at = (self.at + wrote) & (self.ring.len() - 1);
            rest = &rest[used..];
            match status {
                TINFLStatus::HasMoreOutput => {}
                TINFLStatus::NeedsMoreInput if rest.is_empty() => return out,
                TINFLStatus::NeedsMoreInput => {}
                other => panic!("inflate failed: {other:?}"),
            }
        }
    }
}
