//! Field syntax (RFC 9110 §5.5–§5.6): which bytes a header name, a header
//! value or a request line may hold, and how a list-valued header reads.
//!
//! The seam: everything here is a pure function of a few bytes or of
//! already-parsed [`Header`]s. Nothing here knows about lines, CRLF, limits
//! or `nom`; the line parsers in `line` build on the byte classes, and the
//! rest of the handshake uses the token helpers to read and to check what it
//! writes (`encode`, `client`, `server`).
//!
//! - Byte classes: `tchar` (through a 128-bit table built at compile time),
//!   `VCHAR`, `OWS`, field-value bytes, and [`trim`] for `OWS`.
//! - Tokens: [`is_token`], the `#rule` list iterator [`Tokens`],
//!   [`lists_token`], and [`eq_ignore_case`] for names and tokens.

use super::Header;

/// An iterator over the comma-separated elements of every header line with
/// one name (RFC 9110 §5.6.1 `#rule`): trimmed, empty elements skipped,
/// elements that are not UTF-8 skipped.
///
/// Commas inside quoted strings are not special-cased: extension parameters
/// with quoted commas split in the wrong place.
#[derive(Clone, Debug)]
pub struct Tokens<'h, 'a> {
    headers: core::slice::Iter<'h, Header<'a>>,
    name: &'h str,
    current: Option<&'a [u8]>,
}

impl<'h, 'a> Tokens<'h, 'a> {
    pub(crate) fn new(headers: &'h [Header<'a>], name: &'h str) -> Self {
        Self {
            headers: headers.iter(),
            name,
            current: None,
        }
    }
}

impl<'a> Iterator for Tokens<'_, 'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            let value = match self.current {
                Some(value) => value,
                None => {
                    let name = self.name;
                    self.headers
                        .by_ref()
                        .find(|h| eq_ignore_case(h.name, name))?
                        .value
                }
            };
            let (element, rest) = match value.iter().position(|&b| b == b',') {
                Some(comma) => {
                    let (element, rest) = value.split_at_checked(comma).unwrap_or((value, &[]));
                    (element, Some(rest.get(1..).unwrap_or(&[])))
                }
                None => (value, None),
            };
            self.current = rest;
            let element = trim(element);
            if !element.is_empty() {
                if let Ok(element) = core::str::from_utf8(element) {
                    return Some(element);
                }
            }
        }
    }
}

/// Whether a comma-separated header value lists `token` (ASCII case-insensitive).
pub(crate) fn lists_token(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|element| trim(element).eq_ignore_ascii_case(token.as_bytes()))
}

/// ASCII case-insensitive equality, the comparison for header names and
/// most header tokens.
#[must_use]
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Strip leading and trailing SP and HTAB.
pub(crate) fn trim(mut bytes: &[u8]) -> &[u8] {
    while let Some((first, rest)) = bytes.split_first() {
        if !is_ows(*first) {
            break;
        }
        bytes = rest;
    }
    while let Some((last, rest)) = bytes.split_last() {
        if !is_ows(*last) {
            break;
        }
        bytes = rest;
    }
    bytes
}

/// `tchar` (RFC 9110 §5.6.2): one bit of [`TCHAR`], a lookup rather than
/// a chain of fifteen comparisons and three ranges.
pub(crate) const fn is_tchar(b: u8) -> bool {
    let word = match b >> 5 {
        0 => TCHAR.0,
        1 => TCHAR.1,
        2 => TCHAR.2,
        3 => TCHAR.3,
        _ => 0,
    };
    word >> (b & 31) & 1 != 0
}

/// The `tchar` bit set, 32 ASCII bytes a word, built from the grammar.
const TCHAR: (u32, u32, u32, u32) = (
    tchar_bits(0),
    tchar_bits(32),
    tchar_bits(64),
    tchar_bits(96),
);

/// The `tchar` bits of the 32 bytes from `first`.
const fn tchar_bits(first: u8) -> u32 {
    let mut bits = 0;
    let mut i = 0;
    while i < 32 {
        if matches!(first + i,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
        {
            bits |= 1 << i;
        }
        i += 1;
    }
    bits
}

/// A non-empty string of `tchar`s (RFC 9110 §5.6.2).
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// Visible ASCII, `VCHAR` (RFC 5234 B.1).
pub(crate) const fn is_vchar(b: u8) -> bool {
    matches!(b, 0x21..=0x7e)
}

/// Optional whitespace, `OWS` (RFC 9110 §5.6.3).
pub(crate) const fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A byte allowed in a field value: VCHAR, SP, HTAB, obs-text (RFC 9110 §5.5).
pub(crate) const fn is_field_byte(b: u8) -> bool {
    is_vchar(b) || is_ows(b) || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_table_matches_the_grammar() {
        for b in 0..=u8::MAX {
            let grammar = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(is_tchar(b), grammar, "{b:#04x}");
        }
    }

    #[test]
    fn trims() {
        assert_eq!(trim(b" \t a b \t"), b"a b");
        assert_eq!(trim(b"   "), b"");
        assert!(is_token("Sec-WebSocket-Key"));
        assert!(!is_token("a b"));
        assert!(!is_token(""));
    }
}
