//! The HTTP/1.1 message head (RFC 9112 §2–§5), parsed with `nom` 8
//! streaming parsers.
//!
//! A head is a start line, header lines, and an empty line, every line ending
//! in CRLF. The parser is strict where leniency has caused request smuggling:
//! bare LF line endings and obsolete line folding are malformed; header names
//! must be tokens and values may not hold control characters other than HTAB.
//!
//! Parsing restarts from the first byte on every call and never looks past
//! [`Limits::max_head_len`], so feeding a head one byte at a time costs at
//! most `max_head_len²/2` byte comparisons in all, and a head that has not
//! ended within the cap is [`HeadError::HeadTooLarge`] even while incomplete.
//!
//! Layout: this file holds the head's types and the driver that walks its
//! lines, applies [`Limits`] and names each fault; `line` parses one
//! request, status or header line with `nom`; `field` holds the byte classes
//! and token helpers (RFC 9110 §5.5–§5.6) that the line parsers and the rest
//! of the handshake share; `tests` drives whole heads through this file's
//! entry points (each of the other two keeps its own tests beside it).

use core::fmt;

use heapless::Vec;
use nom::bytes::streaming::tag;
use nom::{Err as NomErr, Needed, Parser};

use super::Limits;
use crate::Status;

mod field;
mod line;
#[cfg(test)]
mod tests;

pub use field::{Tokens, eq_ignore_case};
pub(crate) use field::{is_field_byte, is_token, lists_token};
#[cfg(feature = "deflate")]
pub(crate) use field::{is_ows, is_tchar, trim};
use line::{Res, header_line, request_line, status_line};

/// One header line, borrowed from the input (RFC 9112 §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header<'a> {
    /// The field name as sent (compare it with [`eq_ignore_case`]); always
    /// an RFC 9110 §5.6.2 token.
    pub name: &'a str,
    /// The field value without surrounding whitespace. It holds no control
    /// characters but HTAB; bytes 0x80–0xFF (obs-text) are possible.
    pub value: &'a [u8],
}

/// An HTTP version from a start line, e.g. `HTTP/1.1` (RFC 9112 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Version {
    /// The digit before the dot.
    pub major: u8,
    /// The digit after the dot.
    pub minor: u8,
}

impl Version {
    /// `HTTP/1.1`, the version a WebSocket handshake needs at least
    /// (RFC 6455 §4.1).
    pub const HTTP_11: Self = Self { major: 1, minor: 1 };
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP/{}.{}", self.major, self.minor)
    }
}

/// A parsed request head with no WebSocket rules applied: what a server
/// needs to route a plain HTTP request (RFC 9112 §3).
///
/// Headers are kept in order in caller-sized storage `N`; the method,
/// target and headers borrow the input.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Head<'a, const N: usize> {
    /// The method token, e.g. `GET`, exactly as sent (methods are case-sensitive).
    pub method: &'a str,
    /// The request target, e.g. `/chat?room=1`: visible ASCII, never empty.
    pub path: &'a str,
    /// The HTTP version of the request line.
    pub version: Version,
    /// Every header line, in order.
    pub headers: Vec<Header<'a>, N>,
    /// How many bytes of the input the head used, final empty line
    /// included. Bytes after them are not part of the head.
    pub head_len: usize,
}

impl<'a, const N: usize> Head<'a, N> {
    /// The value of the first header called `name` (ASCII case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers
            .iter()
            .find(|h| eq_ignore_case(h.name, name))
            .map(|h| h.value)
    }

    /// The comma-separated elements of every header called `name`, trimmed,
    /// empty elements skipped (RFC 9110 §5.6.1).
    #[must_use]
    pub fn tokens<'h>(&'h self, name: &'h str) -> Tokens<'h, 'a> {
        Tokens::new(&self.headers, name)
    }
}

/// Why a message head is malformed or too large.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum HeadError {
    /// The head did not end within [`Limits::max_head_len`] bytes. 431.
    HeadTooLarge,
    /// More header lines than [`Limits::max_headers`] or the storage holds. 431.
    TooManyHeaders,
    /// The request line is not `method SP target SP HTTP/d.d CRLF`. 400.
    InvalidRequestLine,
    /// The status line is not `HTTP/d.d SP ddd [SP reason] CRLF`.
    InvalidStatusLine,
    /// A header line is malformed: a name that is not a token, a control
    /// character in the value, a bare LF, or obsolete line folding. 400.
    InvalidHeader,
}

impl HeadError {
    /// The HTTP status a server answers this fault with (RFC 6585 §5 for 431).
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            Self::HeadTooLarge | Self::TooManyHeaders => 431,
            Self::InvalidRequestLine | Self::InvalidStatusLine | Self::InvalidHeader => 400,
        }
    }
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::HeadTooLarge => "HTTP head longer than the limit",
            Self::TooManyHeaders => "more HTTP header lines than the limit",
            Self::InvalidRequestLine => "malformed HTTP request line",
            Self::InvalidStatusLine => "malformed HTTP status line",
            Self::InvalidHeader => "malformed HTTP header line",
        })
    }
}

impl core::error::Error for HeadError {}

/// Parse a request head that may arrive in pieces, without any WebSocket
/// rule: for serving plain HTTP beside WebSocket on one port (RFC 9112 §2).
///
/// Call again with the grown input after [`Status::Partial`]. The
/// `head_len` bytes of a complete head are the head; bytes after
/// them (a request body, a pipelined frame) are left alone.
///
/// # Errors
/// [`HeadError::HeadTooLarge`] once `bytes` holds `limits.max_head_len`
/// bytes without a complete head, [`HeadError::TooManyHeaders`] past
/// `limits.max_headers` or `N` header lines, and the syntax faults
/// [`HeadError::InvalidRequestLine`] and [`HeadError::InvalidHeader`], found
/// as soon as the offending bytes arrive.
pub fn parse_head<'a, const N: usize>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<Status<Head<'a, N>>, HeadError> {
    let mut headers = Vec::<Header<'a>, N>::new();
    let parsed = parse_message(
        bytes,
        limits,
        request_line,
        HeadError::InvalidRequestLine,
        |_| Ok(()),
        |h| headers.push(h).map_err(|_| HeadError::TooManyHeaders),
    )?;
    Ok(match parsed {
        Status::Complete(((method, path, version), head_len)) => Status::Complete(Head {
            method,
            path,
            version,
            headers,
            head_len,
        }),
        Status::Partial { needed } => Status::Partial { needed },
    })
}

/// The parsed start line of a response: version and status code.
pub(crate) type StatusLine = (Version, u16);

/// Parse a response head, handing the status line and each header to the
/// callbacks as soon as they are complete, so nothing needs storing.
pub(crate) fn parse_response_head<'a, E: From<HeadError>>(
    bytes: &'a [u8],
    limits: &Limits,
    on_status: impl FnMut(&StatusLine) -> Result<(), E>,
    on_header: impl FnMut(Header<'a>) -> Result<(), E>,
) -> Result<Status<usize>, E> {
    let parsed = parse_message(
        bytes,
        limits,
        status_line,
        HeadError::InvalidStatusLine,
        on_status,
        on_header,
    )?;
    Ok(match parsed {
        Status::Complete((_, head_len)) => Status::Complete(head_len),
        Status::Partial { needed } => Status::Partial { needed },
    })
}

/// The common driver: a start line, header lines, an empty line; at most
/// `limits.max_head_len` bytes looked at, at most `limits.max_headers` lines.
fn parse_message<'a, S, E: From<HeadError>>(
    bytes: &'a [u8],
    limits: &Limits,
    start_line: fn(&'a [u8]) -> Res<'a, S>,
    start_fault: HeadError,
    mut on_start: impl FnMut(&S) -> Result<(), E>,
    mut on_header: impl FnMut(Header<'a>) -> Result<(), E>,
) -> Result<Status<(S, usize)>, E> {
    let window = bytes.get(..limits.max_head_len).unwrap_or(bytes);
    // Out of bytes: wait for more, unless the cap is already reached.
    let incomplete = |needed: Needed| -> Result<Status<(S, usize)>, E> {
        if bytes.len() >= limits.max_head_len {
            Err(HeadError::HeadTooLarge.into())
        } else {
            let needed = match needed {
                Needed::Size(n) => n.get(),
                Needed::Unknown => 1,
            };
            Ok(Status::Partial { needed })
        }
    };

    let (mut rest, start) = match start_line(window) {
        Ok(parsed) => parsed,
        Err(NomErr::Incomplete(needed)) => return incomplete(needed),
        Err(NomErr::Error(()) | NomErr::Failure(())) => return Err(start_fault.into()),
    };
    on_start(&start)?;

    let mut count: usize = 0;
    loop {
        match tag::<_, _, ()>("\r\n").parse(rest) {
            Ok((after, _)) => {
                let head_len = window.len().saturating_sub(after.len());
                return Ok(Status::Complete((start, head_len)));
            }
            Err(NomErr::Incomplete(needed)) => return incomplete(needed),
            Err(NomErr::Error(()) | NomErr::Failure(())) => {}
        }
        let (after, header) = match header_line(rest) {
            Ok(parsed) => parsed,
            Err(NomErr::Incomplete(needed)) => return incomplete(needed),
            Err(NomErr::Error(()) | NomErr::Failure(())) => {
                return Err(HeadError::InvalidHeader.into());
            }
        };
        count = count.saturating_add(1);
        if count > limits.max_headers {
            return Err(HeadError::TooManyHeaders.into());
        }
        on_header(header)?;
        rest = after;
    }
}
