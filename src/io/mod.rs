//! I/O adapters: thin loops that move bytes between an `embedded-io`
//! transport and a [`Connection`](crate::Connection). They make no protocol
//! decisions; the blocking and the async adapter have the same surface.
//!
//! - [`blocking::WebSocket`] over `embedded_io::{Read, Write}` 0.7.
//! - [`asynch::WebSocket`] over `embedded_io_async::{Read, Write}` 0.7
//!   (feature `embedded-io-async`).

mod adapter;
pub mod blocking;

#[cfg(feature = "embedded-io-async")]
pub mod asynch;

use core::fmt;

use crate::{ProtocolError, SendError};

/// What an adapter call can fail with. Transport faults, a peer that
/// vanished mid-stream and protocol violations are kept apart; a normal
/// close is not an error (it arrives as [`Event::Close`](crate::Event::Close)).
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error<E> {
    /// The transport failed; its error is kept.
    Io(E),
    /// The transport reached end of stream before the closing handshake
    /// (RFC 6455 §7.1.5: the connection closed abnormally, code 1006).
    UnexpectedEof,
    /// The peer broke the protocol. The Close frame with the right code was
    /// sent before this was returned (as far as the transport allowed).
    Protocol(ProtocolError),
    /// A send was refused; nothing was written.
    Send(SendError),
    /// The opening handshake failed.
    Handshake(HandshakeFailure),
    /// The connection is closed: the closing handshake finished, or it failed earlier.
    Closed,
}

impl<E> From<ProtocolError> for Error<E> {
    fn from(e: ProtocolError) -> Self {
        Self::Protocol(e)
    }
}

impl<E> From<SendError> for Error<E> {
    fn from(e: SendError) -> Self {
        Self::Send(e)
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "transport error: {e:?}"),
            Self::UnexpectedEof => f.write_str("the transport closed before the closing handshake"),
            Self::Protocol(e) => write!(f, "protocol error: {e}"),
            Self::Send(e) => write!(f, "cannot send: {e}"),
            Self::Handshake(e) => write!(f, "opening handshake failed: {e}"),
            Self::Closed => f.write_str("the connection is closed"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for Error<E> {}

/// Why the opening handshake failed (placeholder until the handshake lands).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HandshakeFailure {
    /// The peer's head was malformed or refused.
    Rejected,
}

impl fmt::Display for HandshakeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("handshake rejected")
    }
}
