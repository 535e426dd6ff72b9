//! The workloads of the side-by-side benchmarks (`benches/peers.rs`) and of
//! the allocation count (`src/bin/allocs.rs`), one module per implementation.
//!
//! Every workload is in memory. Stream-based implementations read from a
//! [`Feed`] (a cyclic reader over a prepared byte stream, so a decoder lives
//! across iterations) and write into a [`Sink`] or a [`Duplex`] pipe; all of
//! them implement `std::io`, `tokio::io` and `embedded-io-async`, and the
//! async implementations are driven by [`run`], which polls once per step
//! because memory I/O is always ready.
//!
//! Workloads (see `benches/README.md`):
//! W1 decode of [`FRAMES`] masked 16-byte text frames in the server role,
//! W2 unmask 1 MiB, W3 client encode of [`ENCODE_BATCH`] masked 16-byte text
//! frames, W4 decode of one 64 KiB masked frame (binary; W4t text),
//! W5 `Sec-WebSocket-Accept`, W6 an echo round trip (client encode, server
//! decode, server encode, client decode); with permessage-deflate
//! (`benches/deflate.rs`), Z1 inflate of a compressed 64 KiB text message
//! ([`inflate_impl`]) and Z2 compression of 64 KiB of chat JSON and of
//! prose ([`compress_impl`]), both over [`text`]'s generated inputs.
//!
//! Layout: this file holds the workload constants, [`Msg`] and [`Count`];
//! `keys` the masking keys ([`Keys`]), `workload` the prepared inputs
//! ([`w1_stream`], [`w4_stream`]), `transport` the in-memory I/O and
//! [`run`]. Each implementation has its module: [`ours`],
//! [`tungstenite_impl`], [`fastwebsockets_impl`],
//! [`embedded_websocket_impl`], [`edge_ws_impl`], [`sans_io_impl`],
//! [`websocketz_impl`]; with the `ratchet` feature, `ratchet_impl`.

mod keys;
pub mod text;
mod transport;
mod workload;

pub mod compress_impl;
pub mod edge_ws_impl;
pub mod embedded_websocket_impl;
pub mod fastwebsockets_impl;
pub mod inflate_impl;
pub mod ours;
#[cfg(feature = "ratchet")]
pub mod ratchet_impl;
pub mod sans_io_impl;
pub mod tungstenite_impl;
pub mod websocketz_impl;

pub use keys::Keys;
pub use transport::{Duplex, Feed, Sink, leak, run};
pub use workload::{large_payload, masked_frame, w1_stream, w4_stream};

/// Frames per W1 iteration.
pub const FRAMES: usize = 100_000;
/// Frames per W3 iteration.
pub const ENCODE_BATCH: usize = 1000;
/// The W4/W6 large message.
pub const LARGE: usize = 64 * 1024;
/// W2 buffer length.
pub const MIB: usize = 1 << 20;
/// The RFC 6455 §1.3 sample key.
pub const SAMPLE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// Its accept value.
pub const SAMPLE_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// The four 16-byte texts of W1/W3/W6 (ASCII and multibyte).
pub const TEXTS: [&str; 4] = [
    "sensor=21.5C ok!",
    "κόσμε ok!!!",
    "{\"t\":1,\"v\":[1]}\n",
    "€€€€€!",
];

/// A W6 message: text travels as `&str` so no harness step re-checks it.
#[derive(Clone, Copy, Debug)]
pub enum Msg<'a> {
    /// A text message.
    Text(&'a str),
    /// A binary message.
    Binary(&'a [u8]),
}

impl Msg<'_> {
    /// The payload length.
    pub fn len(&self) -> usize {
        match self {
            Msg::Text(t) => t.len(),
            Msg::Binary(b) => b.len(),
        }
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The payload bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Msg::Text(t) => t.as_bytes(),
            Msg::Binary(b) => b,
        }
    }
}

/// A result to feed `black_box`: messages seen and payload bytes.
pub type Count = (usize, usize);
