//! The sending side's permessage-deflate memory (RFC 7692 §7.2.1).

use super::{Compressor, Params, Progress};
use crate::conn::Role;

/// Messages shorter than this go out uncompressed by default: below it
/// fixed-Huffman DEFLATE rarely saves more than its own overhead, and the
/// send fast path for short frames stays as it is.
pub const DEFAULT_THRESHOLD: usize = 128;

/// The sending side's permessage-deflate memory: the crate's compressor
/// and its hash table `T` in caller memory (`[u16; TABLE_LEN]`, 8 KiB, or
/// any length: see [`TABLE_LEN`](super::TABLE_LEN)).
///
/// Give it to [`Connection::with_deflate`](crate::Connection::with_deflate)
/// (or `()` there to send everything uncompressed). Once the handshake
/// agreed the extension, messages of at least the threshold are sent
/// compressed (RSV1 on the first frame), each on its own: the compressor
/// never refers to an earlier message, whatever was agreed about context
/// takeover, so its window is the only limit it must respect (the agreed
/// `*_max_window_bits` of its direction, down to 8). A message compression
/// would not shrink goes out uncompressed.
pub struct Deflater<T> {
    compressor: Compressor,
    table: T,
    /// The largest window this side compresses with (before the handshake).
    bits: u8,
    threshold: usize,
    active: bool,
}

impl<T> core::fmt::Debug for Deflater<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Deflater")
            .field("bits", &self.bits)
            .field("threshold", &self.threshold)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

impl<T: AsMut<[u16]>> Deflater<T> {
    /// A deflater with `table` as its hash table, compressing with windows
    /// of up to 32 KiB and a threshold of [`DEFAULT_THRESHOLD`].
    pub const fn new(table: T) -> Self {
        Self {
            compressor: Compressor::new(15),
            table,
            bits: 15,
            threshold: DEFAULT_THRESHOLD,
            active: false,
        }
    }

    /// Compress with windows of at most 2^`bits` bytes (8..=15; clamped):
    /// what a client offers as `client_max_window_bits` and a server
    /// accepts as `server_max_window_bits`.
    #[must_use]
    pub const fn with_window_bits(mut self, bits: u8) -> Self {
        self.bits = if bits < 8 {
            8
        } else if bits > 15 {
            15
        } else {
            bits
        };
        self
    }

    /// Send messages shorter than `len` bytes uncompressed (0: compress
    /// every message). Default [`DEFAULT_THRESHOLD`].
    #[must_use]
    pub const fn with_threshold(mut self, len: usize) -> Self {
        self.threshold = len;
        self
    }

    /// The table back.
    pub fn into_table(self) -> T {
        self.table
    }

    /// The largest window this side compresses with.
    #[must_use]
    pub const fn window_bits(&self) -> u8 {
        self.bits
    }

    pub(crate) fn start(&mut self, agreed: Option<Params>, role: Role) {
        self.active = false;
        let Some(params) = agreed.filter(Params::is_valid) else {
            return;
        };
        let agreed_bits = match role {
            Role::Server => params.server_max_window_bits,
            Role::Client => params.client_max_window_bits,
        };
        self.compressor = Compressor::new(agreed_bits.min(self.bits));
        self.active = true;
    }

    pub(crate) const fn is_active(&self) -> bool {
        self.active
    }

    pub(crate) const fn threshold(&self) -> usize {
        self.threshold
    }

    pub(crate) fn start_message(&mut self) {
        self.compressor.start_message();
    }

    pub(crate) fn start_piece(&mut self) {
        self.compressor.start_piece();
    }

    pub(crate) fn compress(&mut self, piece: &[u8], last: bool, out: &mut [u8]) -> Progress {
        self.compressor
            .compress(self.table.as_mut(), piece, last, out)
    }
}
