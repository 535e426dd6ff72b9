//! `wsframe`: a `no_std`, zero-allocation, panic-free WebSocket (RFC 6455) codec.
//!
//! The crate is layered; each layer is usable on its own:
//!
//! - [`frame`], [`mask`], [`utf8`], [`close`]: the wire. Pure functions over
//!   bytes: frame headers, masking in place, incremental UTF-8, close codes.
//! - [`handshake`]: the HTTP/1.1 Upgrade exchange that opens a connection,
//!   both roles, over caller buffers and input that arrives in pieces.
//!
//! Nothing here allocates, reads a clock, draws random numbers or does I/O:
//! time and masking keys are arguments, storage is the caller's.
//!
//! No input can make the crate panic: `unwrap`, `expect`, `panic!` and
//! indexing are denied in the library by lints, and fuzz targets cover
//! every entry point that takes bytes.
#![no_std]
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod close;
mod conn;
pub mod frame;
pub mod handshake;
pub mod io;
pub mod mask;
pub mod utf8;

pub use close::{CloseCode, CloseFrame};
pub use conn::{
    BufferTooSmall, CONTROL_RESERVE, Chunk, Config, Connection, DEFAULT_CLOSE_TIMEOUT,
    DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_FRAME_LEN, DEFAULT_MAX_MESSAGE_LEN, Encoded, Event, Instant,
    Keepalive, Link, MAX_CONTROL_FRAME_LEN, MIN_BUFFER_LEN, MaskSource, MessageKind, NoMask,
    ProtocolError, Receiver, RecvMode, Role, SendError, Sender, Side, State,
};
pub use frame::{Header, Opcode};

/// The result of an incremental parse: done, or waiting for more bytes.
///
/// Running out of input is never an error: feed more bytes and call again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status<T> {
    /// Parsed: the value (which carries how many bytes it used where that matters).
    Complete(T),
    /// More bytes are needed. `needed` is a lower bound on how many, at
    /// least 1 (for a frame header, exact once its second byte is in).
    Partial {
        /// The minimum number of further bytes needed.
        needed: usize,
    },
}

impl<T> Status<T> {
    /// The completed value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Self::Complete(v) => Some(v),
            Self::Partial { .. } => None,
        }
    }

    /// Whether the parse is complete.
    pub const fn is_complete(&self) -> bool {
        matches!(self, Self::Complete(_))
    }
}
