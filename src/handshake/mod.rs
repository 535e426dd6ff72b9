//! The opening handshake: an HTTP/1.1 Upgrade exchange (RFC 6455 §4, §1.3).
//!
//! Both sides are sans-I/O: bytes in, bytes out, caller buffers, no heap.
//!
//! **Client** ([`Url`], [`ClientRequest`], [`check_response`]): parse a
//! `ws://` / `wss://` URL, build the request with a caller-supplied random
//! key, then feed the growing response to [`check_response`] until it is
//! [`Status::Complete`](crate::Status::Complete). Bytes after
//! [`Response::head_len`] are the first frames.
//!
//! **Server** ([`parse_request`], [`Request::accept`], [`reject`]): feed the
//! growing request to [`parse_request`]; answer a valid one with
//! [`Request::accept`] and a faulty one with [`RequestError::encode_response`],
//! which carries the HTTP status the RFC prescribes. [`parse_head`] parses a
//! head without WebSocket rules, for serving plain HTTP on the same port.
//!
//! **permessage-deflate** (feature `deflate`, RFC 7692 §5–§7.1): the
//! client offers with `ClientRequest::with_deflate` and finds what was
//! agreed in `Response::deflate`; the server picks among the offers with
//! `Request::select_deflate` and a `deflate::Capability`, answers with
//! [`Request::accept_with`] and an [`Acceptance`] carrying the choice, and
//! both ends' [`Finished`] tokens carry the same `deflate::Params` to the
//! connection. Without the feature no extension is ever offered or
//! accepted, and a client refuses any in the answer.
//!
//! Parsing re-reads the input from its first byte on every call and never
//! looks past [`Limits::max_head_len`]; incomplete input is never an error.
//! Every header the crate writes is checked first, so caller-supplied names
//! and values cannot smuggle CR or LF into the head.
//!
//! ```
//! use wsframe::Status;
//! use wsframe::handshake::{self, ClientRequest, Limits, Url};
//!
//! // Client: build the request.
//! let url = Url::parse("ws://example.com/chat")?;
//! let request = ClientRequest::new(&url, [7; 16]).with_protocols(&["chat"]);
//! let mut wire = [0u8; 512];
//! let len = request.encode(&mut wire)?;
//!
//! // Server: parse it and accept it.
//! let Status::Complete(parsed) = handshake::parse_request::<16>(&wire[..len], &Limits::DEFAULT)? else {
//!     unreachable!("the request is complete");
//! };
//! assert_eq!(parsed.path(), "/chat");
//! let mut reply = [0u8; 256];
//! let reply_len = parsed.accept(Some("chat"), &[], &mut reply)?;
//!
//! // Client: check the answer.
//! let Status::Complete(response) = handshake::check_response(&reply[..reply_len], &request)? else {
//!     unreachable!("the response is complete");
//! };
//! assert_eq!(response.protocol, Some("chat"));
//! assert_eq!(response.head_len, reply_len);
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

mod accept;
mod client;
pub(crate) mod encode;
#[cfg(feature = "deflate")]
pub(crate) mod extension;
mod http;
mod server;
mod url;

pub use accept::{ACCEPT_KEY_LEN, GUID, KEY_LEN, accept_key, encode_key};
pub use client::{ClientRequest, Response, ResponseError, check_response, check_response_with};
pub use encode::{EncodeError, encode_response, reason_phrase, reject};
pub use http::{Head, HeadError, Header, Tokens, Version, eq_ignore_case, parse_head};
pub use server::{Acceptance, Request, RequestError, parse_request};
pub use url::{Url, UrlError};

/// Proof that an opening handshake completed, for
/// [`Connection::finish_handshake`](crate::Connection::finish_handshake):
/// how many bytes of the connection's pending input its head took and,
/// with the `deflate` feature, the permessage-deflate parameters the
/// handshake agreed (RFC 7692 §5). Only the parsers make one
/// ([`Request::finished`], [`Response::finished`]), so a connection is
/// never opened on a length nothing checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use]
pub struct Finished {
    head_len: usize,
    #[cfg(feature = "deflate")]
    deflate: Option<crate::deflate::Params>,
}

impl Finished {
    pub(crate) const fn new(head_len: usize) -> Self {
        Self {
            head_len,
            #[cfg(feature = "deflate")]
            deflate: None,
        }
    }

    /// The handshake was done elsewhere and its head is not in the
    /// connection's buffer (a framework upgraded the stream, a test opens a
    /// connection directly): the connection's pending input is all frames.
    /// No extension is in use; with the `deflate` feature, add what the
    /// framework's handshake agreed with `Finished::with_deflate`.
    /// See also [`Connection::upgraded`](crate::Connection::upgraded).
    pub const fn elsewhere() -> Self {
        Self::new(0)
    }

    /// How many bytes the head took.
    #[must_use]
    pub const fn head_len(self) -> usize {
        self.head_len
    }

    /// The permessage-deflate parameters the handshake agreed, `None` when
    /// messages are not compressed (RFC 7692 §5). A client's token has
    /// them from [`Response::finished`]; a server's from
    /// [`Finished::with_deflate`].
    #[cfg(feature = "deflate")]
    #[must_use]
    pub const fn deflate(self) -> Option<crate::deflate::Params> {
        self.deflate
    }

    /// The same token with the permessage-deflate parameters the
    /// handshake agreed (RFC 7692 §5): a server passes what it accepted
    /// with [`Acceptance::with_deflate`], a framework-upgraded stream what
    /// the framework's handshake agreed:
    ///
    /// ```
    /// use wsframe::deflate::{Capability, Params};
    /// use wsframe::handshake::Finished;
    ///
    /// // The framework handed over the client's offers and wrote the answer.
    /// let agreed = Capability::DEFAULT.select_from([&b"permessage-deflate"[..]]);
    /// let finished = Finished::elsewhere().with_deflate(agreed);
    /// assert_eq!(finished.deflate(), Some(Params::DEFAULT));
    /// ```
    #[cfg(feature = "deflate")]
    pub const fn with_deflate(self, deflate: Option<crate::deflate::Params>) -> Self {
        Self { deflate, ..self }
    }
}

/// Caps on what a peer may make the parser look at (RFC 6455 §4.2.1 leaves
/// them to the implementation; RFC 6585 §5 gives 431 for exceeding them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Limits {
    /// The longest head, request or status line to final empty line.
    /// Default 8192 bytes (browsers send under 1 KiB). Raising it lets a
    /// peer make every parse call re-read more bytes.
    pub max_head_len: usize,
    /// The most header lines. Default 64. A request is further bounded by
    /// the storage `N` its caller picks. Raising it costs nothing but time.
    pub max_headers: usize,
}

impl Limits {
    /// 8192-byte heads, 64 header lines.
    pub const DEFAULT: Self = Self {
        max_head_len: 8192,
        max_headers: 64,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
