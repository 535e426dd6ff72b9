//! I/O adapters: thin loops that move bytes between an `embedded-io`
//! transport and a [`Connection`](crate::Connection). They make no protocol
//! decisions; the blocking and the async adapter have the same surface.
//!
//! - [`blocking::WebSocket`] over `embedded_io::{Read, Write}` 0.7.
//! - `asynch::WebSocket` (feature `embedded-io-async`) over `embedded_io_async::{Read, Write}` 0.7
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
    Handshake(HandshakeError),
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

/// How a server answers a valid upgrade request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Answer {
    /// Switch protocols, with the subprotocol chosen from the client's list (if any).
    Accept(Option<&'static str>),
    /// Refuse with this HTTP status (403, 404, …).
    Reject(u16),
}

/// Why the opening handshake failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HandshakeError {
    /// The client's request was malformed; the matching 4xx was sent.
    Request(crate::handshake::RequestError),
    /// The server's answer was not an acceptable 101.
    Response(crate::handshake::ResponseError),
    /// Our own request or response did not fit the tx buffer (or had an invalid header).
    Encode(crate::handshake::EncodeError),
    /// The server's `answer` refused the request with this status.
    Rejected(u16),
    /// The peer's head does not fit the receive buffer.
    HeadTooLarge,
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(e) => write!(f, "bad request: {e}"),
            Self::Response(e) => write!(f, "bad response: {e}"),
            Self::Encode(e) => write!(f, "cannot encode the head: {e}"),
            Self::Rejected(status) => write!(f, "refused with HTTP {status}"),
            Self::HeadTooLarge => f.write_str("the head does not fit the receive buffer"),
        }
    }
}

impl core::error::Error for HandshakeError {}
