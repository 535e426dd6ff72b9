//! The line parsers of a message head (RFC 9112 §2.3, §3, §4, §5), built
//! on `nom` 8 streaming combinators: the request line, the status line and
//! a header line, each one line up to and including its CRLF.
//!
//! The seam: a parser here sees one line and answers "parsed", "malformed"
//! (the unit error) or "incomplete, need this much more". It knows nothing
//! of limits, line counts or [`HeadError`](super::HeadError); the driver in
//! `http.rs` walks the lines, caps the window and names the fault. The byte
//! classes come from `field`.
//!
//! All three parsers go through one non-inlined `run` (a `take_while` over
//! a byte `Class`, then a literal) so that a firmware carries one copy of
//! nom's loop, not one per grammar element. The tests check them against the
//! one-combinator-per-element nom tuples they replaced.

use nom::bytes::streaming::{tag, take_while, take_while_m_n};
use nom::{Err as NomErr, IResult, Parser};

use super::field::{is_field_byte, is_ows, is_tchar, is_vchar, trim};
use super::{Header, StatusLine, Version};

/// A nom result over bytes with the unit error: the parser only needs to
/// know *that* a line is malformed, the caller knows *which* line it was.
pub(super) type Res<'a, T> = IResult<&'a [u8], T, ()>;

/// The byte classes of the grammar, so that every run below goes through
/// one instance of nom's `take_while` rather than one per class.
#[derive(Clone, Copy)]
enum Class {
    /// `tchar`.
    Token,
    /// `VCHAR`.
    Visible,
    /// `OWS`.
    Space,
    /// A field-value byte.
    Field,
}

impl Class {
    const fn has(self, b: u8) -> bool {
        match self {
            Self::Token => is_tchar(b),
            Self::Visible => is_vchar(b),
            Self::Space => is_ows(b),
            Self::Field => is_field_byte(b),
        }
    }
}

/// A run of `class` bytes, at least one when `nonempty`, then the literal
/// `end`; the run. Shared by every line parser, so one copy in a firmware.
#[inline(never)]
fn run<'a>(input: &'a [u8], class: Class, nonempty: bool, end: &'static str) -> Res<'a, &'a [u8]> {
    let (rest, run) = take_while(|b| class.has(b)).parse(input)?;
    // nom's `take_while1` is exactly this: `take_while`, then an error for
    // an empty run (streaming: running out of input is `Incomplete` first).
    if nonempty && run.is_empty() {
        return Err(NomErr::Error(()));
    }
    let (rest, _) = tag(end).parse(rest)?;
    Ok((rest, run))
}

/// `method SP request-target SP HTTP-version CRLF` (RFC 9112 §3).
pub(super) fn request_line(input: &[u8]) -> Res<'_, (&str, &str, Version)> {
    let (rest, method) = run(input, Class::Token, true, " ")?;
    let (rest, target) = run(rest, Class::Visible, true, " ")?;
    let (rest, version) = http_version(rest)?;
    let (rest, _) = tag("\r\n").parse(rest)?;
    // Both are ASCII by construction; the checks cannot fail.
    let method = core::str::from_utf8(method).map_err(|_| NomErr::Error(()))?;
    let target = core::str::from_utf8(target).map_err(|_| NomErr::Error(()))?;
    Ok((rest, (method, target, version)))
}

/// `HTTP-version SP status-code [SP reason-phrase] CRLF` (RFC 9112 §4).
/// The space before an empty reason is optional, as servers often omit it.
pub(super) fn status_line(input: &[u8]) -> Res<'_, StatusLine> {
    let (rest, version) = http_version(input)?;
    let (rest, _) = tag(" ").parse(rest)?;
    let (rest, code) = digits(rest, 3)?;
    let (rest, reason) = run(rest, Class::Field, false, "\r\n")?;
    if reason.first().is_some_and(|&b| b != b' ') {
        return Err(NomErr::Error(()));
    }
    let code = code
        .iter()
        .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
    Ok((rest, (version, code)))
}

/// `HTTP/` DIGIT `.` DIGIT (RFC 9112 §2.3).
fn http_version(input: &[u8]) -> Res<'_, Version> {
    let (rest, _) = tag("HTTP/").parse(input)?;
    let (rest, major) = digits(rest, 1)?;
    let (rest, _) = tag(".").parse(rest)?;
    let (rest, minor) = digits(rest, 1)?;
    let value = |d: &[u8]| d.first().map_or(0, |b| b - b'0');
    Ok((
        rest,
        Version {
            major: value(major),
            minor: value(minor),
        },
    ))
}

/// Exactly `n` ASCII digits.
fn digits(input: &[u8], n: usize) -> Res<'_, &[u8]> {
    take_while_m_n(n, n, |b: u8| b.is_ascii_digit()).parse(input)
}

/// `field-name ":" OWS field-value OWS CRLF` (RFC 9112 §5). A value
/// starting on a continuation line (obs-fold) fails at the CR/LF check.
pub(super) fn header_line(input: &[u8]) -> Res<'_, Header<'_>> {
    let (rest, name) = run(input, Class::Token, true, ":")?;
    let (rest, _) = run(rest, Class::Space, false, "")?;
    let (rest, value) = run(rest, Class::Field, false, "\r\n")?;
    let name = core::str::from_utf8(name).map_err(|_| NomErr::Error(()))?;
    Ok((
        rest,
        Header {
            name,
            value: trim(value),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line parsers as nom tuples, one combinator per grammar element:
    /// what `run` replaced, kept to check that nothing changed, down to the
    /// `Needed` of every incomplete input.
    mod tuples {
        use nom::bytes::streaming::{tag, take_while, take_while_m_n, take_while1};
        use nom::{Err as NomErr, Parser};

        use super::super::{Res, StatusLine, Version, is_field_byte, is_ows, is_tchar, is_vchar};

        pub fn request_line(input: &[u8]) -> Res<'_, (&[u8], &[u8], Version)> {
            let (rest, (method, _, target, _, version, _)) = (
                take_while1(is_tchar),
                tag(" "),
                take_while1(is_vchar),
                tag(" "),
                http_version,
                tag("\r\n"),
            )
                .parse(input)?;
            Ok((rest, (method, target, version)))
        }

        pub fn status_line(input: &[u8]) -> Res<'_, StatusLine> {
            let (rest, (version, _, code, reason, _)) = (
                http_version,
                tag(" "),
                take_while_m_n(3, 3, |b: u8| b.is_ascii_digit()),
                take_while(is_field_byte),
                tag("\r\n"),
            )
                .parse(input)?;
            if reason.first().is_some_and(|&b| b != b' ') {
                return Err(NomErr::Error(()));
            }
            let code = code
                .iter()
                .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
            Ok((rest, (version, code)))
        }

        fn http_version(input: &[u8]) -> Res<'_, Version> {
            let digit = || take_while_m_n(1, 1, |b: u8| b.is_ascii_digit());
            let (rest, (_, major, _, minor)) =
                (tag("HTTP/"), digit(), tag("."), digit()).parse(input)?;
            let value = |d: &[u8]| d.first().map_or(0, |b| b - b'0');
            Ok((
                rest,
                Version {
                    major: value(major),
                    minor: value(minor),
                },
            ))
        }

        pub fn header_line(input: &[u8]) -> Res<'_, (&[u8], &[u8])> {
            let (rest, (name, _, _, value, _)) = (
                take_while1(is_tchar),
                tag(":"),
                take_while(is_ows),
                take_while(is_field_byte),
                tag("\r\n"),
            )
                .parse(input)?;
            Ok((rest, (name, super::super::trim(value))))
        }
    }

    #[test]
    fn line_parsers_match_the_nom_tuples() {
        let lines: &[&[u8]] = &[
            b"GET /chat?x=1 HTTP/1.1\r\nrest",
            b"GET / HTTP/1.0\r\n",
            b"G\x01T / HTTP/1.1\r\n",
            b" / HTTP/1.1\r\n",
            b"GET  HTTP/1.1\r\n",
            b"GET /\x7f HTTP/1.1\r\n",
            b"GET / HTTP/11\r\n",
            b"GET / HTTP/1.1\n",
            b"GET / HTTX/1.1\r\n",
            b"HTTP/1.1 101 Switching Protocols\r\nrest",
            b"HTTP/1.1 404\r\n",
            b"HTTP/1.1 404 \r\n",
            b"HTTP/1.1 10 x\r\n",
            b"HTTP/1.1 1011 x\r\n",
            b"HTTP/1.1 101 x\x01\r\n",
            b"HTTP/a.1 101 x\r\n",
            b"Host: example.com\r\nrest",
            b"X-Y:  a b \t\r\n",
            b"Empty:\r\n",
            b"Bad Name: x\r\n",
            b":x\r\n",
            b"A: \x80\xff ok\r\n",
            b"A: x\ny\r\n",
            b"A: x\r y\r\n",
            b"A:\t\t\r\n",
            b"\r\n",
            b"",
        ];
        for line in lines {
            for end in 0..=line.len() {
                let input = &line[..end];
                let ours =
                    request_line(input).map(|(r, (m, t, v))| (r, (m.as_bytes(), t.as_bytes(), v)));
                assert_eq!(ours, tuples::request_line(input), "{input:?}");
                assert_eq!(status_line(input), tuples::status_line(input), "{input:?}");
                let ours = header_line(input).map(|(r, h)| (r, (h.name.as_bytes(), h.value)));
                assert_eq!(ours, tuples::header_line(input), "{input:?}");
            }
        }
    }
}
