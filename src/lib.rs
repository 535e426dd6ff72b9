//! `wsframe`: a `no_std`, zero-allocation, panic-free WebSocket (RFC 6455) codec.
//!
//! The crate is layered; each layer is usable on its own:
//!
//! - **The wire** — [`frame`], [`mask`], [`utf8`], [`close`]: pure
//!   functions over bytes: frame headers (RFC 6455 §5.2), masking in place
//!   at any offset (§5.3), incremental fail-fast UTF-8 (§8.1), close codes
//!   and payloads (§5.5.1, §7.4).
//! - **The handshake** — [`handshake`]: the HTTP/1.1 Upgrade exchange that
//!   opens a connection (§4), both roles, over caller buffers and input that
//!   arrives in pieces, with caps; it ends in a
//!   [`handshake::Finished`] token.
//! - **The connection** — [`Connection`]: the sans-I/O state machine of one
//!   connection: messages from frames (fragmentation, control frames
//!   between fragments, the caps, UTF-8), auto-pong, the closing handshake,
//!   keepalive and the close timeout on the caller's clock, the right Close
//!   for every violation. It reads no clock, socket or RNG: time and mask
//!   keys are arguments. [`Connection::split`] gives a [`Receiver`] and a
//!   [`Sender`] for full duplex, sharing a [`Link`].
//! - **The adapters** — [`io::blocking`] and `io::asynch` (feature
//!   `embedded-io-async`): thin loops that move bytes between an
//!   `embedded-io` transport and a connection, and make no protocol
//!   decisions.
//!
//! Nothing here touches a heap, reads a clock, draws random numbers or does I/O
//! outside the adapters: storage is the caller's.
//!
//! No input can make the crate panic: `unwrap`, `expect`, `panic!` and
//! indexing are denied in the library by lints, and fuzz targets cover
//! every entry point that takes bytes.
//!
//! # A round trip in memory
//!
//! A client and a server, the handshake and a message each way, over
//! byte slices:
//!
//! ```
//! use wsframe::handshake::{self, ClientRequest, Limits, Url};
//! use wsframe::{Config, Connection, Event, Status};
//!
//! let mut next_key = 0u8;
//! let masks = move || { next_key = next_key.wrapping_add(1); [next_key, 7, 7, 7] };
//! let mut client = Connection::client([0u8; 1024], Config::new(), masks).unwrap();
//! let mut server = Connection::server([0u8; 1024], Config::new()).unwrap();
//! let mut wire = [0u8; 512];
//!
//! // The client's request (its 16 key bytes come from your RNG).
//! let url = Url::parse("ws://example.com/chat").unwrap();
//! let request = ClientRequest::new(&url, [42; 16]);
//! let n = request.encode(&mut wire).unwrap();
//! server.handle_bytes(&wire[..n]);
//!
//! // The server parses it, answers 101, and opens.
//! let (n, finished) = match handshake::parse_request::<16>(server.pending_input(), &Limits::DEFAULT) {
//!     Ok(Status::Complete(req)) => (req.accept(None, &[], &mut wire).unwrap(), req.finished()),
//!     other => panic!("{other:?}"),
//! };
//! server.finish_handshake(finished);
//!
//! // The client checks the answer and opens.
//! client.handle_bytes(&wire[..n]);
//! let finished = match handshake::check_response(client.pending_input(), &request) {
//!     Ok(Status::Complete(response)) => response.finished(),
//!     other => panic!("{other:?}"),
//! };
//! client.finish_handshake(finished);
//!
//! // A masked text message up, an unmasked one down.
//! let n = client.encode_text("ping?", &mut wire).unwrap();
//! server.handle_bytes(&wire[..n]);
//! assert_eq!(server.poll_event(), Ok(Some(Event::Text("ping?"))));
//! let n = server.encode_text("pong!", &mut wire).unwrap();
//! client.handle_bytes(&wire[..n]);
//! assert_eq!(client.poll_event(), Ok(Some(Event::Text("pong!"))));
//!
//! // The closing handshake: the client closes, the server echoes.
//! client.close(wsframe::CloseCode::NORMAL, "bye").unwrap();
//! let n = client.poll_transmit(&mut wire);
//! server.handle_bytes(&wire[..n]);
//! assert!(matches!(server.poll_event(), Ok(Some(Event::Close(Some(_))))));
//! let n = server.poll_transmit(&mut wire);
//! assert!(server.is_closed());
//! client.handle_bytes(&wire[..n]);
//! assert!(matches!(client.poll_event(), Ok(Some(Event::Close(_)))));
//! assert!(client.is_closed());
//! ```
#![no_std]
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
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
#[cfg(feature = "deflate")]
pub mod deflate;
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
    ProtocolError, Receiver, RecvExtension, RecvMode, Role, SendError, SendExtension, Sender, Side,
    State,
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
