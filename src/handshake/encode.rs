//! Writing HTTP heads into caller buffers, and the server's rejections
//! (RFC 6455 §4.2.2, RFC 9112 §4–§5).

use core::fmt;

use super::http::{eq_ignore_case, is_field_byte, is_token};

/// Why a handshake head could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The output slice is too small; the head needs exactly `needed` bytes.
    /// Part of the output may have been written.
    BufferTooSmall {
        /// The length of the whole head.
        needed: usize,
    },
    /// An extra header name that is empty or not an RFC 9110 §5.6.2 token
    /// (spaces, colons, CR, LF…).
    InvalidHeaderName,
    /// An extra header value, or the origin, holding CR, LF, NUL or another
    /// control character (header injection), or surrounding whitespace.
    InvalidHeaderValue,
    /// An extra header the handshake writes itself (`Host`, `Upgrade`,
    /// `Connection`, `Sec-WebSocket-*`, …); setting it twice would make the
    /// head ambiguous.
    ReservedHeader,
    /// A host that is empty or holds characters a URI host may not.
    InvalidHost,
    /// A path that holds anything but visible ASCII, or a `#` (RFC 6455 §3).
    InvalidPath,
    /// A subprotocol that is not a token (RFC 6455 §4.1).
    InvalidProtocol,
    /// The server chose a subprotocol the client did not offer (RFC 6455 §4.2.2).
    ProtocolNotOffered,
    /// A status code outside the range the function writes.
    InvalidStatus(u16),
    /// A [`deflate::Offer`](crate::deflate::Offer) with window bits
    /// outside 8..=15 (RFC 7692 §7.1.2).
    #[cfg(feature = "deflate")]
    InvalidDeflateOffer,
    /// permessage-deflate parameters that answer none of the client's
    /// offers (RFC 7692 §5, §7.1): none offered, window bits outside
    /// 8..=15 or larger than offered, `server_no_context_takeover`
    /// offered but not in the parameters, or a bounded client window
    /// the client did not offer to bound.
    #[cfg(feature = "deflate")]
    DeflateNotOffered,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Self::InvalidHeaderName => f.write_str("header name is not an HTTP token"),
            Self::InvalidHeaderValue => {
                f.write_str("header value holds a control character such as CR or LF")
            }
            Self::ReservedHeader => f.write_str("header is written by the handshake itself"),
            Self::InvalidHost => f.write_str("host holds characters not allowed in a URI host"),
            Self::InvalidPath => {
                f.write_str("path holds characters other than visible ASCII, or a '#'")
            }
            Self::InvalidProtocol => f.write_str("subprotocol is not an HTTP token"),
            Self::ProtocolNotOffered => f.write_str("subprotocol was not offered by the client"),
            Self::InvalidStatus(status) => write!(f, "status code {status} is out of range here"),
            #[cfg(feature = "deflate")]
            Self::InvalidDeflateOffer => {
                f.write_str("permessage-deflate offer has window bits outside 8 to 15")
            }
            #[cfg(feature = "deflate")]
            Self::DeflateNotOffered => {
                f.write_str("permessage-deflate parameters answer none of the client's offers")
            }
        }
    }
}

impl core::error::Error for EncodeError {}

/// A cursor over an output slice that keeps counting once the slice is
/// full, so a failed write reports exactly how long the head is.
pub(crate) struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl<'o> Writer<'o> {
    pub(crate) fn new(out: &'o mut [u8]) -> Self {
        Self { out, len: 0 }
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.out.get_mut(self.len..end) {
            // A zipped loop: no length check that could panic.
            for (d, s) in dst.iter_mut().zip(bytes) {
                *d = *s;
            }
        }
        self.len = end;
    }

    pub(crate) fn put_str(&mut self, s: &str) {
        self.put(s.as_bytes());
    }

    pub(crate) fn put_decimal(&mut self, mut value: u16) {
        let mut digits = [0u8; 5];
        let mut start = digits.len();
        for (i, digit) in digits.iter_mut().enumerate().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
            start = i;
            if value == 0 {
                break;
            }
        }
        self.put(digits.get(start..).unwrap_or(&[]));
    }

    /// `name: value CRLF`, unchecked: for names and values the crate controls.
    pub(crate) fn header(&mut self, name: &str, value: &[u8]) {
        self.put_str(name);
        self.put(b": ");
        self.put(value);
        self.put(b"\r\n");
    }

    pub(crate) fn finish(self) -> Result<usize, EncodeError> {
        if self.len <= self.out.len() {
            Ok(self.len)
        } else {
            Err(EncodeError::BufferTooSmall { needed: self.len })
        }
    }
}

/// Check caller-supplied headers before anything is written: names are
/// tokens not in `reserved`, values are field content with no CR, LF or
/// other control character but HTAB, and no surrounding whitespace.
pub(crate) fn check_headers(
    headers: &[(&str, &str)],
    reserved: &[&str],
) -> Result<(), EncodeError> {
    for (name, value) in headers {
        if !is_token(name) {
            return Err(EncodeError::InvalidHeaderName);
        }
        if reserved.iter().any(|r| eq_ignore_case(r, name)) {
            return Err(EncodeError::ReservedHeader);
        }
        check_value(value)?;
    }
    Ok(())
}

/// A header value: field bytes only, no leading or trailing whitespace.
pub(crate) fn check_value(value: &str) -> Result<(), EncodeError> {
    let bytes = value.as_bytes();
    let padded = bytes.first().is_some_and(|&b| b == b' ' || b == b'\t')
        || bytes.last().is_some_and(|&b| b == b' ' || b == b'\t');
    if padded || !bytes.iter().all(|&b| is_field_byte(b)) {
        return Err(EncodeError::InvalidHeaderValue);
    }
    Ok(())
}

/// Write checked extra headers.
pub(crate) fn put_headers(w: &mut Writer<'_>, headers: &[(&str, &str)]) {
    for (name, value) in headers {
        w.header(name, value.as_bytes());
    }
}

/// The standard reason phrase for a status code (RFC 9110 §15, RFC 6585),
/// for the codes a WebSocket server is likely to send.
#[must_use]
pub const fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        101 => "Switching Protocols",
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => return None,
    })
}

/// Write a plain response head: `HTTP/1.1 status reason`, the headers, an
/// empty line. Nothing is added: for serving plain HTTP (a page, a health
/// check) beside WebSocket, where the caller writes the body after it.
///
/// # Errors
/// [`EncodeError::InvalidStatus`] outside 100–999,
/// [`EncodeError::InvalidHeaderName`] / [`EncodeError::InvalidHeaderValue`]
/// for a header that could inject lines, and [`EncodeError::BufferTooSmall`].
pub fn encode_response(
    status: u16,
    headers: &[(&str, &str)],
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    if !(100..=999).contains(&status) {
        return Err(EncodeError::InvalidStatus(status));
    }
    check_headers(headers, &[])?;
    let mut w = Writer::new(out);
    status_line(&mut w, status);
    put_headers(&mut w, headers);
    w.put(b"\r\n");
    w.finish()
}

/// The headers [`reject`] writes itself.
const REJECT_RESERVED: &[&str] = &[
    "Content-Length",
    "Transfer-Encoding",
    "Connection",
    "Upgrade",
];

/// Write a response refusing the handshake (RFC 6455 §4.2.1, §4.4), with
/// no body: `HTTP/1.1 status reason`, `Content-Length: 0`,
/// `Connection: close`, the extra headers, an empty line. Close the
/// connection after sending it.
///
/// Status-specific headers are added: `Allow: GET` for 405 (RFC 9110
/// §15.5.6); for 426, `Upgrade: websocket`, `Connection: Upgrade, close`
/// and `Sec-WebSocket-Version: 13` (RFC 6455 §4.4, RFC 9110 §15.5.22).
///
/// # Errors
/// [`EncodeError::InvalidStatus`] outside 300–599,
/// [`EncodeError::ReservedHeader`] for `Content-Length`,
/// `Transfer-Encoding`, `Connection` or `Upgrade` among the extra headers,
/// [`EncodeError::InvalidHeaderName`] / [`EncodeError::InvalidHeaderValue`],
/// and [`EncodeError::BufferTooSmall`].
pub fn reject(
    status: u16,
    extra_headers: &[(&str, &str)],
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    if !(300..=599).contains(&status) {
        return Err(EncodeError::InvalidStatus(status));
    }
    check_headers(extra_headers, REJECT_RESERVED)?;
    let mut w = Writer::new(out);
    status_line(&mut w, status);
    w.header("Content-Length", b"0");
    if status == 426 {
        w.header("Upgrade", b"websocket");
        w.header("Connection", b"Upgrade, close");
        w.header("Sec-WebSocket-Version", b"13");
    } else {
        w.header("Connection", b"close");
    }
    if status == 405 {
        w.header("Allow", b"GET");
    }
    put_headers(&mut w, extra_headers);
    w.put(b"\r\n");
    w.finish()
}

fn status_line(w: &mut Writer<'_>, status: u16) {
    w.put(b"HTTP/1.1 ");
    w.put_decimal(status);
    w.put(b" ");
    w.put_str(reason_phrase(status).unwrap_or(""));
    w.put(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_counts_past_the_end() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        w.put(b"abc");
        w.put(b"de");
        w.put(b"f");
        assert_eq!(w.finish(), Err(EncodeError::BufferTooSmall { needed: 6 }));
    }

    #[test]
    fn decimals() {
        for (value, text) in [
            (0u16, "0"),
            (7, "7"),
            (80, "80"),
            (443, "443"),
            (65535, "65535"),
        ] {
            let mut buf = [0u8; 5];
            let mut w = Writer::new(&mut buf);
            w.put_decimal(value);
            let n = w.finish().unwrap();
            assert_eq!(&buf[..n], text.as_bytes());
        }
    }

    #[test]
    fn rejections() {
        let mut out = [0u8; 256];
        let n = reject(400, &[], &mut out).unwrap();
        assert_eq!(
            &out[..n],
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let n = reject(426, &[], &mut out).unwrap();
        assert_eq!(
            &out[..n],
            &b"HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\nUpgrade: websocket\r\n\
               Connection: Upgrade, close\r\nSec-WebSocket-Version: 13\r\n\r\n"[..]
        );
        let n = reject(405, &[("Retry-After", "5")], &mut out).unwrap();
        assert_eq!(
            &out[..n],
            &b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\
               Allow: GET\r\nRetry-After: 5\r\n\r\n"[..]
        );
        let n = reject(599, &[], &mut out).unwrap();
        assert_eq!(
            &out[..n],
            b"HTTP/1.1 599 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            reject(200, &[], &mut out),
            Err(EncodeError::InvalidStatus(200))
        );
        assert_eq!(
            reject(600, &[], &mut out),
            Err(EncodeError::InvalidStatus(600))
        );
        assert_eq!(
            reject(400, &[("connection", "x")], &mut out),
            Err(EncodeError::ReservedHeader)
        );
        assert_eq!(
            reject(400, &[], &mut out[..10]),
            Err(EncodeError::BufferTooSmall { needed: 66 })
        );
        for status in [400, 403, 404, 405, 426, 431, 500, 503] {
            assert!(reason_phrase(status).is_some(), "{status}");
        }
    }

    #[test]
    fn plain_responses() {
        let mut out = [0u8; 128];
        let n = encode_response(
            200,
            &[("Content-Type", "text/html"), ("Content-Length", "5")],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            &out[..n],
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n"
        );
        assert_eq!(
            encode_response(99, &[], &mut out),
            Err(EncodeError::InvalidStatus(99))
        );
    }

    #[test]
    fn injection_refused() {
        let mut out = [0u8; 128];
        for value in [
            "a\r\nSet-Cookie: x",
            "a\nb",
            "a\rb",
            "a\0b",
            " a",
            "a\t",
            "\x7f",
        ] {
            assert_eq!(
                encode_response(200, &[("X", value)], &mut out),
                Err(EncodeError::InvalidHeaderValue),
                "{value:?}"
            );
        }
        for name in ["", "X Y", "X:", "X\r\nY", "X\n", "é"] {
            assert_eq!(
                encode_response(200, &[(name, "v")], &mut out),
                Err(EncodeError::InvalidHeaderName),
                "{name:?}"
            );
        }
        assert_eq!(
            encode_response(200, &[("X", "a\tb é")], &mut out).map(|_| ()),
            Ok(())
        );
    }
}
