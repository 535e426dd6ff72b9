//! Z2: compress one ~64 KiB message as a permessage-deflate sender
//! (RFC 7692 §7.2.1): wsframe's [`Compressor`] with its hash table in
//! caller memory, against zlib (flate2's zlib-rs backend) at levels 1
//! and 6, each producing the message's payload (sync flush, `00 00 ff ff`
//! removed) and each starting from nothing (no context takeover, so the
//! same input every iteration compresses alike).

use crate::inflate_impl::{zlib, zlib_message};
use crate::{LARGE, text};
use wsframe::deflate::{Compressor, max_compressed_len};

/// The Z2 inputs: (name, bytes), about 64 KiB each.
pub fn z2_inputs() -> [(&'static str, Vec<u8>); 2] {
    [
        ("json", text::chat_json(1, LARGE)),
        ("prose", text::prose(1, LARGE)),
    ]
}

/// The table sizes measured (entries; 2 bytes each).
pub const TABLES: [usize; 2] = [1024, 4096];

/// Ours: a [`Compressor`] (window 15), its table and an output buffer.
pub struct Ours {
    c: Compressor,
    table: Vec<u16>,
    /// The compressed message.
    pub out: Vec<u8>,
}

impl Ours {
    /// With a table of `entries`, for messages up to `max` bytes.
    pub fn new(entries: usize, max: usize) -> Self {
        Self {
            c: Compressor::new(15),
            table: vec![0; entries],
            out: vec![0; max_compressed_len(max)],
        }
    }

    /// Compress `data` as one message; the compressed length.
    pub fn compress(&mut self, data: &[u8]) -> usize {
        self.c.start_message();
        let p = self.c.compress(&mut self.table, data, true, &mut self.out);
        assert!(p.done, "room for the whole message");
        p.written
    }
}

/// zlib at one level through `flate2::Compress` (raw, window 15), reset
/// per message.
pub struct Zlib {
    z: flate2::Compress,
    /// The compressed message.
    pub out: Vec<u8>,
}

impl Zlib {
    /// At `level`, for messages up to `max` bytes.
    pub fn new(level: u32, max: usize) -> Self {
        Self {
            z: zlib(level),
            out: Vec::with_capacity(max + max / 8 + 1024),
        }
    }

    /// Compress `data` as one message; the compressed length.
    pub fn compress(&mut self, data: &[u8]) -> usize {
        zlib_message(&mut self.z, data, &mut self.out)
    }
}
