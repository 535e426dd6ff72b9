//! The server's side: parse and validate the request, answer it
//! (RFC 6455 §4.2).

use core::fmt;

use super::Limits;
use super::accept::{accept_key, is_valid_key};
use super::encode::{EncodeError, Writer, check_headers, put_headers, reject};
use super::http::{self, Head, HeadError, Header, Tokens, Version, eq_ignore_case, is_token};
use crate::Status;
#[cfg(feature = "deflate")]
use crate::deflate::{self, Capability, Params};

/// The headers [`Request::accept`] writes itself, refused among the extras.
const RESERVED: &[&str] = &[
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions",
    "Sec-WebSocket-Version",
    "Content-Length",
    "Transfer-Encoding",
];

/// A valid WebSocket opening handshake request (RFC 6455 §4.2.1), borrowing
/// the input; up to `N` headers are kept.
///
/// Every accessor is infallible: the checks ran in [`parse_request`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Request<'a, const N: usize> {
    head: Head<'a, N>,
    host: &'a [u8],
    key: &'a str,
}

impl<'a, const N: usize> Request<'a, N> {
    /// The request target, e.g. `/chat?room=1` (RFC 6455 §4.2.1 item 2).
    #[must_use]
    pub const fn path(&self) -> &'a str {
        self.head.path
    }

    /// The HTTP version, 1.1 or later.
    #[must_use]
    pub const fn version(&self) -> Version {
        self.head.version
    }

    /// The `Host` header value (item 3).
    #[must_use]
    pub const fn host(&self) -> &'a [u8] {
        self.host
    }

    /// The `Origin` header, if the client sent one (item 8): a browser
    /// always does; check it to stop cross-site use (RFC 6455 §10.2).
    #[must_use]
    pub fn origin(&self) -> Option<&'a [u8]> {
        self.head.header("Origin")
    }

    /// The `Sec-WebSocket-Key` value as sent: base64 of 16 bytes (item 5).
    #[must_use]
    pub const fn key(&self) -> &'a str {
        self.key
    }

    /// The subprotocols the client offers, in its order of preference
    /// (`Sec-WebSocket-Protocol`, item 10), across header lines.
    #[must_use]
    pub fn protocols(&self) -> Tokens<'_, 'a> {
        self.head.tokens("Sec-WebSocket-Protocol")
    }

    /// The extensions the client offers, each with its parameters, e.g.
    /// `permessage-deflate; client_max_window_bits` (item 9), split at
    /// every comma. [`Request::accept`] accepts none; with the `deflate`
    /// feature, `Request::select_deflate` reads the list by its full
    /// grammar (RFC 6455 §9.1) and [`Request::accept_with`] accepts
    /// permessage-deflate.
    #[must_use]
    pub fn extensions(&self) -> Tokens<'_, 'a> {
        self.head.tokens("Sec-WebSocket-Extensions")
    }

    /// The first of the client's permessage-deflate offers that
    /// `capability` can honour, in the client's order, and the parameters
    /// to agree on it (RFC 7692 §5, §7.1), for
    /// [`Acceptance::with_deflate`]; `None` declines them all and the
    /// connection runs uncompressed.
    ///
    /// Every offer is considered, across header lines, other extensions
    /// skipped (as Autobahn 13.7 sends fallbacks). A malformed offer, or
    /// one with an unknown, duplicate or invalid parameter, is declined
    /// (RFC 7692 §7), as is one `capability` cannot honour: without
    /// `client_max_window_bits` when its inflate window is below 32 KiB.
    /// The agreed `server_max_window_bits` is the smaller of ours and the
    /// client's; the agreed `client_max_window_bits` is our inflate window
    /// or the client's smaller value; `server_no_context_takeover` offered
    /// is always honoured; `client_no_context_takeover` offered is echoed.
    #[cfg(feature = "deflate")]
    #[must_use]
    pub fn select_deflate(&self, capability: &Capability) -> Option<Params> {
        capability.select(super::extension::Extensions::new(&self.head.headers))
    }

    /// The first valid permessage-deflate offer that `params` answer.
    #[cfg(feature = "deflate")]
    fn deflate_offer_admitting(&self, params: &Params) -> Option<deflate::Element> {
        super::extension::Extensions::new(&self.head.headers)
            .filter_map(|e| e.ok().filter(|e| e.is(deflate::NAME)))
            .filter_map(|e| deflate::parse(&e, deflate::Role::Offer).ok())
            .find(|offer| offer.admits(params))
    }

    /// The first of `supported` (the server's preference order) that the
    /// client offers, for [`Request::accept`].
    #[must_use]
    pub fn select_protocol<'s>(&self, supported: &[&'s str]) -> Option<&'s str> {
        supported
            .iter()
            .copied()
            .find(|s| self.protocols().any(|offered| offered == *s))
    }

    /// The value of the first header called `name` (ASCII case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.head.header(name)
    }

    /// Every header line, in order.
    #[must_use]
    pub fn headers(&self) -> &[Header<'a>] {
        &self.head.headers
    }

    /// The generic head: method, target, version, headers.
    #[must_use]
    pub const fn head(&self) -> &Head<'a, N> {
        &self.head
    }

    /// How many bytes of the input the head used. Bytes after them (a
    /// client may send its first frame right away) are frames.
    #[must_use]
    pub const fn head_len(&self) -> usize {
        self.head.head_len
    }

    /// The token that opens the connection once the 101 is written:
    /// [`Connection::finish_handshake`](crate::Connection::finish_handshake).
    /// No extension is in use: after [`Request::accept_with`], use
    /// [`Request::finished_with`].
    pub const fn finished(&self) -> super::Finished {
        super::Finished::new(self.head.head_len)
    }

    /// The token that opens the connection once the 101 written by
    /// [`Request::accept_with`] with `answer` is sent: with the `deflate`
    /// feature it carries the permessage-deflate parameters accepted.
    pub const fn finished_with(&self, answer: &Acceptance<'_>) -> super::Finished {
        let finished = super::Finished::new(self.head.head_len);
        #[cfg(feature = "deflate")]
        let finished = finished.with_deflate(answer.deflate);
        #[cfg(not(feature = "deflate"))]
        let _ = answer;
        finished
    }

    /// Write the `101 Switching Protocols` answer (RFC 6455 §4.2.2 step 5):
    /// `Upgrade: websocket`, `Connection: Upgrade`, `Sec-WebSocket-Accept`,
    /// `Sec-WebSocket-Protocol` when `protocol` is given, then the extra
    /// headers (e.g. `Set-Cookie`). No extension is accepted: see
    /// [`Request::accept_with`].
    ///
    /// # Errors
    /// [`EncodeError::ProtocolNotOffered`] when `protocol` is not among
    /// [`Request::protocols`], [`EncodeError::InvalidProtocol`] when it is
    /// not a token, [`EncodeError::ReservedHeader`] for an extra header the
    /// answer writes itself, [`EncodeError::InvalidHeaderName`] /
    /// [`EncodeError::InvalidHeaderValue`], and
    /// [`EncodeError::BufferTooSmall`] with the exact length needed.
    pub fn accept(
        &self,
        protocol: Option<&str>,
        extra_headers: &[(&str, &str)],
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        self.accept_with(
            &Acceptance::new()
                .with_protocol(protocol)
                .with_headers(extra_headers),
            out,
        )
    }

    /// Write the `101 Switching Protocols` answer `answer` describes
    /// (RFC 6455 §4.2.2 step 5): as [`Request::accept`], and with the
    /// `deflate` feature a `Sec-WebSocket-Extensions: permessage-deflate`
    /// header for the parameters of `Acceptance::with_deflate` (RFC 7692
    /// §5, §7.1), between `Sec-WebSocket-Protocol` and the extra headers.
    ///
    /// The extension's parameters are written in RFC 7692 §7.1's order:
    /// `server_no_context_takeover` and `client_no_context_takeover` when
    /// set, `server_max_window_bits` when below 15 or offered (an offer
    /// with it is accepted by answering it, §7.1.2.1), and
    /// `client_max_window_bits` when below 15 or offered with a value.
    /// Then open the connection with [`Request::finished_with`].
    ///
    /// # Errors
    /// As [`Request::accept`], and `EncodeError::DeflateNotOffered` when
    /// the permessage-deflate parameters answer none of the client's
    /// offers (what `Request::select_deflate` returns always does).
    pub fn accept_with(
        &self,
        answer: &Acceptance<'_>,
        out: &mut [u8],
    ) -> Result<usize, EncodeError> {
        if let Some(protocol) = answer.protocol {
            if !is_token(protocol) {
                return Err(EncodeError::InvalidProtocol);
            }
            if !self.protocols().any(|offered| offered == protocol) {
                return Err(EncodeError::ProtocolNotOffered);
            }
        }
        check_headers(answer.headers, RESERVED)?;
        #[cfg(feature = "deflate")]
        let deflate = match answer.deflate {
            Some(params) => Some((
                params,
                self.deflate_offer_admitting(&params)
                    .ok_or(EncodeError::DeflateNotOffered)?,
            )),
            None => None,
        };
        let mut w = Writer::new(out);
        w.put(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
        w.header("Sec-WebSocket-Accept", &accept_key(self.key.as_bytes()));
        if let Some(protocol) = answer.protocol {
            w.header("Sec-WebSocket-Protocol", protocol.as_bytes());
        }
        #[cfg(feature = "deflate")]
        if let Some((params, offer)) = deflate {
            w.put(b"Sec-WebSocket-Extensions: ");
            deflate::put_answer(&mut w, &params, &offer);
            w.put(b"\r\n");
        }
        put_headers(&mut w, answer.headers);
        w.put(b"\r\n");
        w.finish()
    }
}

/// How [`Request::accept_with`] answers a request (RFC 6455 §4.2.2): the
/// subprotocol chosen, extra headers and, with the `deflate` feature, the
/// permessage-deflate parameters accepted (RFC 7692 §5). Build it with
/// [`Acceptance::new`] and the `with_*` methods; the default accepts no
/// subprotocol, no extension, with no extra header.
///
/// ```
/// # #[cfg(feature = "deflate")] {
/// use wsframe::Status;
/// use wsframe::deflate::{Capability, Params};
/// use wsframe::handshake::{self, Acceptance, Limits};
///
/// let wire = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///     Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
/// let Ok(Status::Complete(request)) = handshake::parse_request::<16>(wire, &Limits::DEFAULT) else {
///     unreachable!()
/// };
/// // A server that inflates with a 4 KiB window bounds the client's to it.
/// let capability = Capability { inflate_window_bits: 12, ..Capability::DEFAULT };
/// let answer = Acceptance::new().with_deflate(request.select_deflate(&capability));
/// let mut out = [0u8; 256];
/// let n = request.accept_with(&answer, &mut out).unwrap();
/// assert!(out[..n].ends_with(b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=12\r\n\r\n"));
/// let finished = request.finished_with(&answer);
/// assert_eq!(finished.deflate(), Some(Params { client_max_window_bits: 12, ..Params::DEFAULT }));
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use]
pub struct Acceptance<'a> {
    protocol: Option<&'a str>,
    headers: &'a [(&'a str, &'a str)],
    #[cfg(feature = "deflate")]
    deflate: Option<Params>,
}

impl<'a> Acceptance<'a> {
    /// No subprotocol, no extension, no extra header.
    pub const fn new() -> Self {
        Self {
            protocol: None,
            headers: &[],
            #[cfg(feature = "deflate")]
            deflate: None,
        }
    }

    /// With the subprotocol chosen, e.g. from [`Request::select_protocol`]
    /// (`Sec-WebSocket-Protocol`, RFC 6455 §4.2.2 step 5 item 4).
    pub const fn with_protocol(self, protocol: Option<&'a str>) -> Self {
        Self { protocol, ..self }
    }

    /// With extra headers, written after the handshake's own.
    pub const fn with_headers(self, headers: &'a [(&'a str, &'a str)]) -> Self {
        Self { headers, ..self }
    }

    /// With the permessage-deflate parameters accepted, e.g. from
    /// [`Request::select_deflate`]; `None` accepts no extension
    /// (RFC 7692 §5).
    #[cfg(feature = "deflate")]
    pub const fn with_deflate(self, deflate: Option<Params>) -> Self {
        Self { deflate, ..self }
    }

    /// The subprotocol chosen.
    #[must_use]
    pub const fn protocol(&self) -> Option<&'a str> {
        self.protocol
    }

    /// The permessage-deflate parameters accepted (RFC 7692 §5).
    #[cfg(feature = "deflate")]
    #[must_use]
    pub const fn deflate(&self) -> Option<Params> {
        self.deflate
    }
}

/// Why a request is not a valid opening handshake; each fault knows the
/// HTTP status to refuse it with ([`RequestError::status`],
/// [`RequestError::encode_response`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RequestError {
    /// The head did not end within [`Limits::max_head_len`] bytes. 431.
    HeadTooLarge,
    /// More header lines than [`Limits::max_headers`] or the storage `N`. 431.
    TooManyHeaders,
    /// The request line is malformed. 400.
    InvalidRequestLine,
    /// A header line is malformed. 400.
    InvalidHeader,
    /// A well-formed HTTP request with no `Upgrade` header: plain HTTP, for
    /// the caller to serve itself (see [`parse_head`](super::parse_head))
    /// or refuse. 426, which tells the client to upgrade. Checked before
    /// every other WebSocket rule, so any method lands here.
    NotWebSocket,
    /// A method other than `GET` (§4.2.1 item 1). 405, with `Allow: GET`.
    MethodNotGet,
    /// HTTP/1.0 or older (§4.2.1 item 1). 400.
    UnsupportedHttpVersion,
    /// No `Host` header (item 3). 400.
    MissingHost,
    /// More than one `Host` header (RFC 9112 §3.2). 400.
    DuplicateHost,
    /// An `Upgrade` header not listing `websocket` (item 4). 400.
    UpgradeNotWebSocket,
    /// No `Connection` header listing `Upgrade` (item 5). 400.
    MissingConnectionUpgrade,
    /// No `Sec-WebSocket-Version: 13`, or another version (item 6, §4.4).
    /// 426, with `Sec-WebSocket-Version: 13`.
    UnsupportedWebSocketVersion,
    /// No `Sec-WebSocket-Key` header (item 5). 400.
    MissingKey,
    /// A `Sec-WebSocket-Key` that is not base64 of exactly 16 bytes, or
    /// more than one (item 5). 400.
    InvalidKey,
}

impl RequestError {
    /// The HTTP status to refuse the request with (RFC 6455 §4.2.1, §4.4).
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            Self::HeadTooLarge | Self::TooManyHeaders => 431,
            Self::NotWebSocket | Self::UnsupportedWebSocketVersion => 426,
            Self::MethodNotGet => 405,
            Self::InvalidRequestLine
            | Self::InvalidHeader
            | Self::UnsupportedHttpVersion
            | Self::MissingHost
            | Self::DuplicateHost
            | Self::UpgradeNotWebSocket
            | Self::MissingConnectionUpgrade
            | Self::MissingKey
            | Self::InvalidKey => 400,
        }
    }

    /// Write the refusal: [`reject`] with [`RequestError::status`]. Send it
    /// and close the connection.
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`]; 128 bytes always suffice.
    pub fn encode_response(self, out: &mut [u8]) -> Result<usize, EncodeError> {
        reject(self.status(), &[], out)
    }
}

impl From<HeadError> for RequestError {
    fn from(e: HeadError) -> Self {
        match e {
            HeadError::HeadTooLarge => Self::HeadTooLarge,
            HeadError::TooManyHeaders => Self::TooManyHeaders,
            HeadError::InvalidRequestLine | HeadError::InvalidStatusLine => {
                Self::InvalidRequestLine
            }
            HeadError::InvalidHeader => Self::InvalidHeader,
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::HeadTooLarge => "request head longer than the limit",
            Self::TooManyHeaders => "request has more header lines than the limit",
            Self::InvalidRequestLine => "malformed HTTP request line",
            Self::InvalidHeader => "malformed HTTP header line",
            Self::NotWebSocket => "request has no Upgrade header: not a WebSocket handshake",
            Self::MethodNotGet => "WebSocket handshake method is not GET",
            Self::UnsupportedHttpVersion => "WebSocket handshake is older than HTTP/1.1",
            Self::MissingHost => "request has no Host header",
            Self::DuplicateHost => "request has more than one Host header",
            Self::UpgradeNotWebSocket => "Upgrade header does not list websocket",
            Self::MissingConnectionUpgrade => "Connection header does not list upgrade",
            Self::UnsupportedWebSocketVersion => "Sec-WebSocket-Version is missing or not 13",
            Self::MissingKey => "request has no Sec-WebSocket-Key header",
            Self::InvalidKey => "Sec-WebSocket-Key is not base64 of 16 bytes",
        })
    }
}

impl core::error::Error for RequestError {}

/// Parse and validate an opening handshake request that may arrive in
/// pieces (RFC 6455 §4.2.1). Call again with the grown input after
/// [`Status::Partial`]; up to `N` headers are kept.
///
/// A complete request's [`Request::head_len`] bytes are the head; bytes
/// after them are left alone.
///
/// # Errors
/// The size and syntax faults ([`RequestError::HeadTooLarge`],
/// [`RequestError::TooManyHeaders`], [`RequestError::InvalidRequestLine`],
/// [`RequestError::InvalidHeader`]) as soon as they are seen, even on an
/// incomplete head; then, once the head is complete, in this order:
/// [`RequestError::NotWebSocket`], [`RequestError::MethodNotGet`],
/// [`RequestError::UnsupportedHttpVersion`], [`RequestError::MissingHost`] /
/// [`RequestError::DuplicateHost`], [`RequestError::UpgradeNotWebSocket`],
/// [`RequestError::MissingConnectionUpgrade`],
/// [`RequestError::UnsupportedWebSocketVersion`],
/// [`RequestError::MissingKey`] / [`RequestError::InvalidKey`].
pub fn parse_request<'a, const N: usize>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<Status<Request<'a, N>>, RequestError> {
    let head = match http::parse_head::<N>(bytes, limits)? {
        Status::Complete(head) => head,
        Status::Partial { needed } => return Ok(Status::Partial { needed }),
    };
    let named = |name: &'static str| {
        head.headers
            .iter()
            .filter(move |h| eq_ignore_case(h.name, name))
    };

    if named("Upgrade").next().is_none() {
        return Err(RequestError::NotWebSocket);
    }
    // A byte pattern: three compares in line, no call to `str`'s `==`.
    if !matches!(head.method.as_bytes(), b"GET") {
        return Err(RequestError::MethodNotGet);
    }
    if head.version < Version::HTTP_11 {
        return Err(RequestError::UnsupportedHttpVersion);
    }
    let host = single(named("Host")).map_err(|many| {
        if many {
            RequestError::DuplicateHost
        } else {
            RequestError::MissingHost
        }
    })?;
    if !head
        .tokens("Upgrade")
        .any(|t| eq_ignore_case(t, "websocket"))
    {
        return Err(RequestError::UpgradeNotWebSocket);
    }
    if !head
        .tokens("Connection")
        .any(|t| eq_ignore_case(t, "upgrade"))
    {
        return Err(RequestError::MissingConnectionUpgrade);
    }
    if single(named("Sec-WebSocket-Version")).ok() != Some(b"13") {
        return Err(RequestError::UnsupportedWebSocketVersion);
    }
    let key = single(named("Sec-WebSocket-Key")).map_err(|many| {
        if many {
            RequestError::InvalidKey
        } else {
            RequestError::MissingKey
        }
    })?;
    if !is_valid_key(key) {
        return Err(RequestError::InvalidKey);
    }
    // A valid key is base64 text: ASCII, so this cannot fail.
    let key = core::str::from_utf8(key).map_err(|_| RequestError::InvalidKey)?;
    Ok(Status::Complete(Request { head, host, key }))
}

/// The value of the only header in `headers`; `Err(false)` when there is
/// none, `Err(true)` when there are several.
fn single<'h, 'a: 'h>(mut headers: impl Iterator<Item = &'h Header<'a>>) -> Result<&'a [u8], bool> {
    let first = headers.next().ok_or(false)?;
    if headers.next().is_some() {
        return Err(true);
    }
    Ok(first.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6455 §1.3 request.
    const RFC: &[u8] = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\n\
        Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n";

    fn parse(bytes: &[u8]) -> Result<Status<Request<'_, 16>>, RequestError> {
        parse_request::<16>(bytes, &Limits::DEFAULT)
    }

    #[test]
    fn rfc_6455_section_1_3() {
        let request = parse(RFC).unwrap().complete().unwrap();
        assert_eq!(request.path(), "/chat");
        assert_eq!(request.host(), b"server.example.com");
        assert_eq!(request.origin(), Some(&b"http://example.com"[..]));
        assert_eq!(request.key(), "dGhlIHNhbXBsZSBub25jZQ==");
        assert!(request.protocols().eq(["chat", "superchat"]));
        assert_eq!(request.extensions().next(), None);
        assert_eq!(request.head_len(), RFC.len());
        assert_eq!(
            request.select_protocol(&["superchat", "chat"]),
            Some("superchat")
        );
        assert_eq!(request.select_protocol(&["other"]), None);

        let mut out = [0u8; 256];
        let n = request.accept(Some("chat"), &[], &mut out).unwrap();
        assert_eq!(
            &out[..n],
            &b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
               Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"[..]
        );
        assert_eq!(
            request.accept(Some("other"), &[], &mut out),
            Err(EncodeError::ProtocolNotOffered)
        );
        assert_eq!(
            request.accept(Some("a b"), &[], &mut out),
            Err(EncodeError::InvalidProtocol)
        );
        assert_eq!(
            request.accept(None, &[("Sec-WebSocket-Accept", "x")], &mut out),
            Err(EncodeError::ReservedHeader)
        );
        assert_eq!(
            request.accept(None, &[("X", "a\r\nb")], &mut out),
            Err(EncodeError::InvalidHeaderValue)
        );
        assert_eq!(
            request.accept(None, &[], &mut out[..10]),
            Err(EncodeError::BufferTooSmall { needed: 129 })
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(RequestError::HeadTooLarge.status(), 431);
        assert_eq!(RequestError::TooManyHeaders.status(), 431);
        assert_eq!(RequestError::MethodNotGet.status(), 405);
        assert_eq!(RequestError::UnsupportedWebSocketVersion.status(), 426);
        assert_eq!(RequestError::NotWebSocket.status(), 426);
        assert_eq!(RequestError::InvalidKey.status(), 400);
        let mut out = [0u8; 128];
        let n = RequestError::UnsupportedWebSocketVersion
            .encode_response(&mut out)
            .unwrap();
        assert!(
            out[..n]
                .windows(25)
                .any(|w| w == b"Sec-WebSocket-Version: 13")
        );
    }
}
