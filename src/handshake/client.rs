//! The client's side: build the request, check the response (RFC 6455 §4.1).

use core::fmt;

use super::Limits;
use super::accept::{KEY_LEN, accept_key, encode_key};
use super::encode::{EncodeError, Writer, check_headers, check_value, put_headers};
use super::http::{self, HeadError, Version, eq_ignore_case, is_token, lists_token};
use super::url::{Url, is_reg_name_byte};
use crate::Status;
#[cfg(feature = "deflate")]
use crate::deflate::{self, Offer, ParamError, Params};

/// The headers [`ClientRequest::encode`] writes itself, refused among the
/// extra headers. `Content-Length` and `Transfer-Encoding` are refused too:
/// a body would be read as frames.
const RESERVED: &[&str] = &[
    "Host",
    "Upgrade",
    "Connection",
    "Origin",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions",
    "Content-Length",
    "Transfer-Encoding",
];

/// A client's opening handshake request (RFC 6455 §4.1).
///
/// Build it with [`ClientRequest::new`] from a [`Url`] and 16 fresh random
/// bytes, add what you need with the `with_*` methods, write it with
/// [`ClientRequest::encode`], and keep it to check the server's answer with
/// [`check_response`]. No extension is requested unless, with the
/// `deflate` feature, `ClientRequest::with_deflate` offers
/// permessage-deflate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClientRequest<'a> {
    /// The host, IPv6 addresses without brackets.
    pub host: &'a str,
    /// The port; written in `Host` only when not the scheme's default.
    pub port: u16,
    /// Whether the scheme is `wss` (default port 443) rather than `ws` (80).
    pub secure: bool,
    /// The request target: path and query. Empty means `/`; a `/` is put
    /// in front of a target that lacks one.
    pub path: &'a str,
    /// The `Origin` header, which browsers send and servers may check
    /// (RFC 6455 §4.1 item 8, §10.2).
    pub origin: Option<&'a str>,
    /// Subprotocols offered, in order of preference (`Sec-WebSocket-Protocol`).
    pub protocols: &'a [&'a str],
    /// Extra headers, e.g. `("Authorization", "Bearer …")`, written after
    /// the handshake's own.
    pub headers: &'a [(&'a str, &'a str)],
    /// 16 random bytes, fresh for each connection (RFC 6455 §4.1 item 7);
    /// sent base64-encoded as `Sec-WebSocket-Key`.
    pub key: [u8; 16],
    /// The permessage-deflate offer, if any (`Sec-WebSocket-Extensions`,
    /// RFC 7692 §5); [`check_response`] checks the answer against it.
    #[cfg(feature = "deflate")]
    pub deflate: Option<Offer>,
}

impl<'a> ClientRequest<'a> {
    /// A request for `url` with `key` (16 bytes from a random number
    /// generator), no origin, no subprotocols, no extra headers.
    #[must_use]
    pub const fn new(url: &Url<'a>, key: [u8; 16]) -> Self {
        Self {
            host: url.host,
            port: url.port,
            secure: url.secure,
            path: url.path,
            origin: None,
            protocols: &[],
            headers: &[],
            key,
            #[cfg(feature = "deflate")]
            deflate: None,
        }
    }

    /// With an `Origin` header.
    #[must_use]
    pub const fn with_origin(self, origin: &'a str) -> Self {
        Self {
            origin: Some(origin),
            ..self
        }
    }

    /// With subprotocols to offer, most preferred first.
    #[must_use]
    pub const fn with_protocols(self, protocols: &'a [&'a str]) -> Self {
        Self { protocols, ..self }
    }

    /// With extra headers.
    #[must_use]
    pub const fn with_headers(self, headers: &'a [(&'a str, &'a str)]) -> Self {
        Self { headers, ..self }
    }

    /// Offering permessage-deflate (RFC 7692 §5, §7.1): the request
    /// carries `Sec-WebSocket-Extensions: permessage-deflate` with the
    /// parameters of `offer` in RFC 7692 §7.1's order
    /// (`server_no_context_takeover`, `client_no_context_takeover`,
    /// `server_max_window_bits=N` when the inflate window is below 15,
    /// `client_max_window_bits[=N]`), and [`check_response`] checks the
    /// answer against it, giving the agreed [`Response::deflate`].
    ///
    /// ```
    /// use wsframe::deflate::Offer;
    /// use wsframe::handshake::{ClientRequest, Url};
    ///
    /// let url = Url::parse("ws://example.com/")?;
    /// let offer = Offer { inflate_window_bits: 10, ..Offer::DEFAULT };
    /// let request = ClientRequest::new(&url, [7; 16]).with_deflate(offer);
    /// let mut out = [0u8; 512];
    /// let n = request.encode(&mut out)?;
    /// let line = b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; client_max_window_bits\r\n";
    /// assert!(out[..n].windows(line.len()).any(|w| w == line));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    #[cfg(feature = "deflate")]
    #[must_use]
    pub const fn with_deflate(self, offer: Offer) -> Self {
        Self {
            deflate: Some(offer),
            ..self
        }
    }

    /// The `Sec-WebSocket-Key` value sent.
    #[must_use]
    pub fn encoded_key(&self) -> [u8; KEY_LEN] {
        encode_key(&self.key)
    }

    /// The `Sec-WebSocket-Accept` value the server must answer with.
    #[must_use]
    pub fn expected_accept(&self) -> [u8; super::ACCEPT_KEY_LEN] {
        accept_key(&self.encoded_key())
    }

    /// Write the request head into `out`; returns its length.
    ///
    /// Everything is checked before a byte is written: no caller string can
    /// add a line to the head.
    ///
    /// # Errors
    /// [`EncodeError::InvalidHost`], [`EncodeError::InvalidPath`],
    /// [`EncodeError::InvalidHeaderValue`] (origin or extra header),
    /// [`EncodeError::InvalidProtocol`], [`EncodeError::InvalidHeaderName`],
    /// [`EncodeError::ReservedHeader`] for an extra header the request
    /// writes itself, `EncodeError::InvalidDeflateOffer` (feature
    /// `deflate`) for window bits outside 8..=15, and
    /// [`EncodeError::BufferTooSmall`] with the exact length needed.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let ipv6 = self.host.contains(':');
        let host_ok = if ipv6 {
            self.host
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        } else {
            !self.host.is_empty() && self.host.bytes().all(is_reg_name_byte)
        };
        if !host_ok {
            return Err(EncodeError::InvalidHost);
        }
        if !self.path.bytes().all(|b| b.is_ascii_graphic() && b != b'#') {
            return Err(EncodeError::InvalidPath);
        }
        if let Some(origin) = self.origin {
            check_value(origin)?;
        }
        if !self.protocols.iter().all(|p| is_token(p)) {
            return Err(EncodeError::InvalidProtocol);
        }
        check_headers(self.headers, RESERVED)?;
        #[cfg(feature = "deflate")]
        if self.deflate.is_some_and(|offer| !offer.is_valid()) {
            return Err(EncodeError::InvalidDeflateOffer);
        }

        let mut w = Writer::new(out);
        w.put(b"GET ");
        if !self.path.starts_with('/') {
            w.put(b"/");
        }
        w.put_str(self.path);
        w.put(b" HTTP/1.1\r\nHost: ");
        if ipv6 {
            w.put(b"[");
            w.put_str(self.host);
            w.put(b"]");
        } else {
            w.put_str(self.host);
        }
        if self.port != if self.secure { 443 } else { 80 } {
            w.put(b":");
            w.put_decimal(self.port);
        }
        w.put(b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
        w.put(&self.encoded_key());
        w.put(b"\r\nSec-WebSocket-Version: 13\r\n");
        if let Some(origin) = self.origin {
            w.header("Origin", origin.as_bytes());
        }
        if let Some((first, rest)) = self.protocols.split_first() {
            w.put(b"Sec-WebSocket-Protocol: ");
            w.put_str(first);
            for protocol in rest {
                w.put(b", ");
                w.put_str(protocol);
            }
            w.put(b"\r\n");
        }
        #[cfg(feature = "deflate")]
        if let Some(offer) = &self.deflate {
            w.put(b"Sec-WebSocket-Extensions: ");
            offer.put(&mut w);
            w.put(b"\r\n");
        }
        put_headers(&mut w, self.headers);
        w.put(b"\r\n");
        w.finish()
    }
}

/// A server's accepted handshake, as [`check_response`] found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Response<'a> {
    /// The subprotocol the server chose, borrowed from the request's list;
    /// `None` when it chose none (RFC 6455 §4.1 item 6 of the response checks).
    pub protocol: Option<&'a str>,
    /// How many bytes the response head took. Bytes after them are the
    /// first frames of the connection: hand them to the frame decoder.
    pub head_len: usize,
    /// The permessage-deflate parameters agreed (RFC 7692 §5, §7.1):
    /// `None` when the server declined the offer (or none was made), and
    /// messages are not compressed. Checked against
    /// [`ClientRequest::deflate`]: what the server answered, with the
    /// client's own promises (`client_no_context_takeover`, a
    /// `client_max_window_bits` value) kept when the answer omits them.
    #[cfg(feature = "deflate")]
    pub deflate: Option<Params>,
}

impl Response<'_> {
    /// The token that opens the connection:
    /// [`Connection::finish_handshake`](crate::Connection::finish_handshake).
    /// With the `deflate` feature it carries `Response::deflate`.
    pub const fn finished(&self) -> super::Finished {
        let finished = super::Finished::new(self.head_len);
        #[cfg(feature = "deflate")]
        let finished = finished.with_deflate(self.deflate);
        finished
    }
}

/// Why a server's handshake response is refused (RFC 6455 §4.1, "the
/// client MUST _Fail the WebSocket Connection_").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ResponseError {
    /// The head did not end within [`Limits::max_head_len`] bytes.
    HeadTooLarge,
    /// More header lines than [`Limits::max_headers`].
    TooManyHeaders,
    /// The status line is malformed.
    InvalidStatusLine,
    /// A header line is malformed.
    InvalidHeader,
    /// The status is not 101: the server refused, e.g. 401 (authenticate),
    /// 403 (forbidden origin), 404 (no such endpoint), 426 (version).
    /// Reported as soon as the status line arrives.
    Status(u16),
    /// A 101 with an HTTP version before 1.1.
    UnsupportedHttpVersion,
    /// No `Upgrade` header.
    MissingUpgrade,
    /// An `Upgrade` header other than `websocket` (any case).
    InvalidUpgrade,
    /// No `Connection` header listing `upgrade` (any case).
    MissingConnectionUpgrade,
    /// No `Sec-WebSocket-Accept` header.
    MissingAccept,
    /// A `Sec-WebSocket-Accept` that is not the one the key calls for.
    AcceptMismatch,
    /// A `Sec-WebSocket-Protocol` naming a subprotocol the client did not
    /// offer, or any subprotocol when none was offered.
    ProtocolNotOffered,
    /// More than one `Sec-WebSocket-Protocol` header.
    MultipleProtocols,
    /// A `Sec-WebSocket-Extensions` header: the client requests no extension.
    ExtensionNotRequested,
    /// A `Sec-WebSocket-Extensions` element that breaks the RFC 6455 §9.1
    /// grammar (`name *( ";" param )`, `param = token [ "=" (token |
    /// quoted-string) ]`), e.g. a trailing `;` or an unterminated quote.
    #[cfg(feature = "deflate")]
    MalformedExtension,
    /// An extension other than the permessage-deflate offered (RFC 6455
    /// §9.1: the server may only accept what the client offered).
    #[cfg(feature = "deflate")]
    ExtensionNotOffered,
    /// More than one permessage-deflate element in the answer, on one line
    /// or several: the client made one offer (RFC 7692 §5: "A server MUST
    /// NOT accept multiple PMCE extension negotiation offers").
    #[cfg(feature = "deflate")]
    MultipleExtensions,
    /// An unknown, duplicate, valueless or invalid parameter in the
    /// permessage-deflate answer (RFC 7692 §7).
    #[cfg(feature = "deflate")]
    DeflateParameter(ParamError),
    /// `client_max_window_bits` answered though not offered (RFC 7692
    /// §7.1.2.2: the response "MUST NOT include" it).
    #[cfg(feature = "deflate")]
    ClientMaxWindowBitsNotOffered,
    /// `client_max_window_bits` answered larger than the value offered
    /// (RFC 7692 §7.1.2.2: "equal to or smaller than the received value").
    #[cfg(feature = "deflate")]
    ClientMaxWindowBitsTooLarge,
    /// `server_max_window_bits=N` was offered and the answer lacks it (RFC
    /// 7692 §7.1.2.1: a server accepts such an offer by answering the
    /// parameter; without it the server's window is 32 KiB, more than
    /// the client inflates with).
    #[cfg(feature = "deflate")]
    MissingServerMaxWindowBits,
    /// `server_max_window_bits` answered larger than offered (RFC 7692
    /// §7.1.2.1: "the same or smaller value as the offer").
    #[cfg(feature = "deflate")]
    ServerMaxWindowBitsTooLarge,
    /// `server_no_context_takeover` was offered and the answer lacks it
    /// (RFC 7692 §7.1.1.1: a server accepts such an offer by answering
    /// the parameter).
    #[cfg(feature = "deflate")]
    MissingServerNoContextTakeover,
}

impl From<HeadError> for ResponseError {
    fn from(e: HeadError) -> Self {
        match e {
            HeadError::HeadTooLarge => Self::HeadTooLarge,
            HeadError::TooManyHeaders => Self::TooManyHeaders,
            HeadError::InvalidRequestLine | HeadError::InvalidStatusLine => Self::InvalidStatusLine,
            HeadError::InvalidHeader => Self::InvalidHeader,
        }
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HeadTooLarge => f.write_str("handshake response head longer than the limit"),
            Self::TooManyHeaders => {
                f.write_str("handshake response has more header lines than the limit")
            }
            Self::InvalidStatusLine => f.write_str("malformed HTTP status line"),
            Self::InvalidHeader => f.write_str("malformed HTTP header line"),
            Self::Status(status) => write!(
                f,
                "server answered {status} instead of 101 Switching Protocols"
            ),
            Self::UnsupportedHttpVersion => {
                f.write_str("handshake response is older than HTTP/1.1")
            }
            Self::MissingUpgrade => f.write_str("handshake response has no Upgrade header"),
            Self::InvalidUpgrade => {
                f.write_str("handshake response Upgrade header is not websocket")
            }
            Self::MissingConnectionUpgrade => {
                f.write_str("handshake response Connection header lacks upgrade")
            }
            Self::MissingAccept => {
                f.write_str("handshake response has no Sec-WebSocket-Accept header")
            }
            Self::AcceptMismatch => f.write_str("Sec-WebSocket-Accept does not match the key sent"),
            Self::ProtocolNotOffered => {
                f.write_str("server chose a subprotocol that was not offered")
            }
            Self::MultipleProtocols => {
                f.write_str("server sent more than one Sec-WebSocket-Protocol header")
            }
            Self::ExtensionNotRequested => {
                f.write_str("server enabled an extension that was not requested")
            }
            #[cfg(feature = "deflate")]
            Self::MalformedExtension => f.write_str("malformed Sec-WebSocket-Extensions element"),
            #[cfg(feature = "deflate")]
            Self::ExtensionNotOffered => {
                f.write_str("server enabled an extension other than permessage-deflate")
            }
            #[cfg(feature = "deflate")]
            Self::MultipleExtensions => {
                f.write_str("server accepted permessage-deflate more than once")
            }
            #[cfg(feature = "deflate")]
            Self::DeflateParameter(fault) => write!(f, "server answer: {fault}"),
            #[cfg(feature = "deflate")]
            Self::ClientMaxWindowBitsNotOffered => {
                f.write_str("server answered client_max_window_bits, which was not offered")
            }
            #[cfg(feature = "deflate")]
            Self::ClientMaxWindowBitsTooLarge => {
                f.write_str("server answered client_max_window_bits larger than offered")
            }
            #[cfg(feature = "deflate")]
            Self::MissingServerMaxWindowBits => {
                f.write_str("server did not answer the server_max_window_bits offered")
            }
            #[cfg(feature = "deflate")]
            Self::ServerMaxWindowBitsTooLarge => {
                f.write_str("server answered server_max_window_bits larger than offered")
            }
            #[cfg(feature = "deflate")]
            Self::MissingServerNoContextTakeover => {
                f.write_str("server did not answer the server_no_context_takeover offered")
            }
        }
    }
}

impl core::error::Error for ResponseError {}

/// [`check_response_with`] under [`Limits::DEFAULT`].
///
/// # Errors
/// As [`check_response_with`].
pub fn check_response<'a>(
    bytes: &[u8],
    request: &ClientRequest<'a>,
) -> Result<Status<Response<'a>>, ResponseError> {
    check_response_with(bytes, request, &Limits::DEFAULT)
}

/// Check the server's answer to `request` as it arrives: call again with
/// the grown input after [`Status::Partial`] (RFC 6455 §4.1, §4.2.2).
///
/// A complete, valid head gives [`Response`], whose `head_len` says where
/// the frames start; bytes after the head are never looked at.
///
/// # Errors
/// [`ResponseError::Status`] as soon as a status line other than 101
/// arrives; the syntax and size faults as soon as they are seen; the
/// header rules ([`ResponseError::InvalidUpgrade`],
/// [`ResponseError::AcceptMismatch`], [`ResponseError::ProtocolNotOffered`],
/// [`ResponseError::ExtensionNotRequested`], …) as soon as the offending
/// line arrives, and the missing-header faults once the head is complete.
///
#[cfg_attr(
    feature = "deflate",
    doc = concat!(
        "With the `deflate` feature and a [`ClientRequest::with_deflate`] ",
        "offer, the `Sec-WebSocket-Extensions` lines are read as one list ",
        "(RFC 6455 §9.1, RFC 7692 §5, §7): empty elements are skipped, at ",
        "most one element, permessage-deflate, may be there, and its ",
        "parameters must answer the offer; the faults are ",
        "[`ResponseError::MalformedExtension`], ",
        "[`ResponseError::ExtensionNotOffered`], ",
        "[`ResponseError::MultipleExtensions`], ",
        "[`ResponseError::DeflateParameter`], ",
        "[`ResponseError::ClientMaxWindowBitsNotOffered`], ",
        "[`ResponseError::ClientMaxWindowBitsTooLarge`], ",
        "[`ResponseError::MissingServerMaxWindowBits`], ",
        "[`ResponseError::ServerMaxWindowBitsTooLarge`] and ",
        "[`ResponseError::MissingServerNoContextTakeover`], each as soon as ",
        "its line arrives. Without an offer any such line is ",
        "[`ResponseError::ExtensionNotRequested`]."
    )
)]
pub fn check_response_with<'a>(
    bytes: &[u8],
    request: &ClientRequest<'a>,
    limits: &Limits,
) -> Result<Status<Response<'a>>, ResponseError> {
    let expected_accept = request.expected_accept();
    let mut upgrade = false;
    let mut connection = false;
    let mut accept = false;
    let mut protocol: Option<&'a str> = None;
    #[cfg(feature = "deflate")]
    let mut deflate: Option<Params> = None;

    let parsed = http::parse_response_head(
        bytes,
        limits,
        |&(version, status)| {
            if status != 101 {
                Err(ResponseError::Status(status))
            } else if version < Version::HTTP_11 {
                Err(ResponseError::UnsupportedHttpVersion)
            } else {
                Ok(())
            }
        },
        |header| {
            let name = header.name;
            if eq_ignore_case(name, "Upgrade") {
                if !header.value.eq_ignore_ascii_case(b"websocket") {
                    return Err(ResponseError::InvalidUpgrade);
                }
                upgrade = true;
            } else if eq_ignore_case(name, "Connection") {
                connection |= lists_token(header.value, "upgrade");
            } else if eq_ignore_case(name, "Sec-WebSocket-Accept") {
                if header.value != expected_accept {
                    return Err(ResponseError::AcceptMismatch);
                }
                accept = true;
            } else if eq_ignore_case(name, "Sec-WebSocket-Protocol") {
                if protocol.is_some() {
                    return Err(ResponseError::MultipleProtocols);
                }
                let chosen = request
                    .protocols
                    .iter()
                    .find(|offered| offered.as_bytes() == header.value);
                protocol = Some(chosen.ok_or(ResponseError::ProtocolNotOffered)?);
            } else if eq_ignore_case(name, "Sec-WebSocket-Extensions") {
                #[cfg(feature = "deflate")]
                if let Some(offer) = &request.deflate {
                    return check_deflate_answer(header.value, offer, &mut deflate);
                }
                return Err(ResponseError::ExtensionNotRequested);
            }
            Ok(())
        },
    )?;

    let head_len = match parsed {
        Status::Complete(head_len) => head_len,
        Status::Partial { needed } => return Ok(Status::Partial { needed }),
    };
    if !upgrade {
        return Err(ResponseError::MissingUpgrade);
    }
    if !connection {
        return Err(ResponseError::MissingConnectionUpgrade);
    }
    if !accept {
        return Err(ResponseError::MissingAccept);
    }
    Ok(Status::Complete(Response {
        protocol,
        head_len,
        #[cfg(feature = "deflate")]
        deflate,
    }))
}

/// One `Sec-WebSocket-Extensions` line of the answer to `offer`; `agreed`
/// holds what an earlier element agreed (RFC 7692 §5, §7).
#[cfg(feature = "deflate")]
fn check_deflate_answer(
    value: &[u8],
    offer: &Offer,
    agreed: &mut Option<Params>,
) -> Result<(), ResponseError> {
    for element in super::extension::elements(value) {
        let element = element.map_err(|_| ResponseError::MalformedExtension)?;
        if !element.is(deflate::NAME) {
            return Err(ResponseError::ExtensionNotOffered);
        }
        if agreed.is_some() {
            return Err(ResponseError::MultipleExtensions);
        }
        let answer = deflate::parse(&element, deflate::Role::Response)
            .map_err(ResponseError::DeflateParameter)?;
        *agreed = Some(offer.check(&answer)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 16] = *b"the sample nonce";

    fn request() -> ClientRequest<'static> {
        ClientRequest::new(&Url::parse("ws://server.example.com/chat").unwrap(), KEY)
    }

    fn encode(r: &ClientRequest<'_>) -> heapless::String<1024> {
        let mut out = [0u8; 1024];
        let n = r.encode(&mut out).unwrap();
        let mut text = heapless::String::new();
        text.push_str(core::str::from_utf8(&out[..n]).unwrap())
            .unwrap();
        text
    }

    #[test]
    fn rfc_6455_section_1_3_request() {
        let r = request()
            .with_origin("http://example.com")
            .with_protocols(&["chat", "superchat"]);
        assert_eq!(
            encode(&r),
            "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n"
        );
    }

    #[test]
    fn host_and_port() {
        let with = |url: &'static str| encode(&ClientRequest::new(&Url::parse(url).unwrap(), KEY));
        assert!(with("ws://h:80/").contains("\r\nHost: h\r\n"));
        assert!(with("ws://h:443/").contains("\r\nHost: h:443\r\n"));
        assert!(with("wss://h:443/").contains("\r\nHost: h\r\n"));
        assert!(with("wss://h:80/").contains("\r\nHost: h:80\r\n"));
        assert!(with("ws://[::1]:9001/x").starts_with("GET /x HTTP/1.1\r\nHost: [::1]:9001\r\n"));
        assert!(with("ws://[::1]/x").contains("\r\nHost: [::1]\r\n"));
        assert!(with("ws://h").starts_with("GET / HTTP/1.1\r\n"));
        assert!(with("ws://h?q=1").starts_with("GET /?q=1 HTTP/1.1\r\n"));
    }

    #[test]
    fn refuses_bad_fields() {
        let mut out = [0u8; 1024];
        let r = request();
        assert_eq!(
            ClientRequest {
                host: "a\r\nb",
                ..r
            }
            .encode(&mut out),
            Err(EncodeError::InvalidHost)
        );
        assert_eq!(
            ClientRequest { host: "", ..r }.encode(&mut out),
            Err(EncodeError::InvalidHost)
        );
        assert_eq!(
            ClientRequest { path: "/a b", ..r }.encode(&mut out),
            Err(EncodeError::InvalidPath)
        );
        assert_eq!(
            ClientRequest { path: "/a#b", ..r }.encode(&mut out),
            Err(EncodeError::InvalidPath)
        );
        assert_eq!(
            r.with_origin("x\r\nEvil: 1").encode(&mut out),
            Err(EncodeError::InvalidHeaderValue)
        );
        assert_eq!(
            r.with_protocols(&["a b"]).encode(&mut out),
            Err(EncodeError::InvalidProtocol)
        );
        assert_eq!(
            r.with_protocols(&[""]).encode(&mut out),
            Err(EncodeError::InvalidProtocol)
        );
        assert_eq!(
            r.with_headers(&[("X", "1\r\nEvil: 1")]).encode(&mut out),
            Err(EncodeError::InvalidHeaderValue)
        );
        assert_eq!(
            r.with_headers(&[("X\r\nEvil", "1")]).encode(&mut out),
            Err(EncodeError::InvalidHeaderName)
        );
        assert_eq!(
            r.with_headers(&[("sec-websocket-key", "1")])
                .encode(&mut out),
            Err(EncodeError::ReservedHeader)
        );
    }

    #[test]
    fn buffer_too_small_reports_exact_length() {
        let r = request().with_headers(&[("Authorization", "Bearer abc")]);
        let full = encode(&r).len();
        let mut out = [0u8; 1024];
        for len in [0, 1, 20, full - 1] {
            assert_eq!(
                r.encode(&mut out[..len]),
                Err(EncodeError::BufferTooSmall { needed: full })
            );
        }
        assert_eq!(r.encode(&mut out[..full]), Ok(full));
    }

    #[test]
    fn rfc_6455_section_1_3_response() {
        let r = request().with_protocols(&["chat", "superchat"]);
        let response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n\x81\x00";
        let head_len = response.len() - 2;
        assert_eq!(
            check_response(response, &r),
            Ok(Status::Complete(Response {
                protocol: Some("chat"),
                head_len,
                #[cfg(feature = "deflate")]
                deflate: None,
            }))
        );
        for end in 0..head_len {
            assert!(
                matches!(
                    check_response(&response[..end], &r),
                    Ok(Status::Partial { .. })
                ),
                "{end}"
            );
        }
    }
}
