//! The `Sec-WebSocket-Extensions` list (RFC 6455 §9.1): elements, each a
//! name and `;`-separated parameters, over every header line of the field.
//!
//! ```text
//! extension-list = 1#extension
//! extension      = extension-token *( ";" extension-param )
//! extension-param = token [ "=" (token | quoted-string) ]
//! ```
//!
//! Choices where the RFCs leave room, all on the lenient side of
//! RFC 9110 §5.6.1 and harmless for negotiation:
//!
//! - Elements end at a comma outside a quoted string; elements do not
//!   span header lines (each line is a complete list, RFC 9110 §5.3).
//!   Empty elements (`a,,b`, a trailing `,`) are skipped (RFC 9110 §5.6.1).
//! - Optional whitespace is allowed around `;` and `=` (RFC 6455 §9.1
//!   builds on RFC 2616, whose implied `*LWS` allows it there).
//! - A quoted string that does not end before the end of the line makes
//!   the rest of the line one malformed element.
//! - Names are compared ASCII case-insensitively by the callers: neither
//!   RFC 6455 nor RFC 7692 makes extension or parameter names
//!   case-sensitive, and RFC 9110 §5.6.6 makes parameter names
//!   case-insensitive for the parameters of other fields.
//!
//! Nothing is allocated: the elements and values borrow the header values;
//! a quoted value is unescaped lazily ([`Value::bytes`]).

use super::Header;
use super::http::{eq_ignore_case, is_ows, is_tchar, trim};

/// A `Sec-WebSocket-Extensions` element that breaks the RFC 6455 §9.1
/// grammar: no extension name, a `;` without a parameter after it, a
/// parameter name that is not a token, an `=` without a value, or an
/// unterminated quoted string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Malformed;

/// The elements of every `Sec-WebSocket-Extensions` line, in order.
#[derive(Clone, Debug)]
pub(crate) struct Extensions<'h, 'a> {
    headers: core::slice::Iter<'h, Header<'a>>,
    /// What is left of the line being read.
    current: Option<&'a [u8]>,
}

impl<'h, 'a> Extensions<'h, 'a> {
    /// The elements of the `Sec-WebSocket-Extensions` lines among `headers`.
    pub(crate) fn new(headers: &'h [Header<'a>]) -> Self {
        Self {
            headers: headers.iter(),
            current: None,
        }
    }
}

impl<'a> Iterator for Extensions<'_, 'a> {
    type Item = Result<Extension<'a>, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let value = match self.current.take() {
                Some(value) => value,
                None => {
                    self.headers
                        .by_ref()
                        .find(|h| eq_ignore_case(h.name, "Sec-WebSocket-Extensions"))?
                        .value
                }
            };
            let (element, rest) = split_element(value);
            self.current = rest;
            let element = trim(element);
            if !element.is_empty() {
                return Some(Extension::parse(element));
            }
        }
    }
}

/// The elements of one header value, e.g. the values a framework hands
/// over: the same grammar as [`Extensions`].
pub(crate) fn elements(value: &[u8]) -> impl Iterator<Item = Result<Extension<'_>, Malformed>> {
    let mut current = Some(value);
    core::iter::from_fn(move || {
        loop {
            let (element, rest) = split_element(current?);
            current = rest;
            let element = trim(element);
            if !element.is_empty() {
                return Some(Extension::parse(element));
            }
        }
    })
}

/// The bytes up to the first comma outside a quoted string, and what
/// follows that comma (`None` at the end of the value).
fn split_element(value: &[u8]) -> (&[u8], Option<&[u8]>) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in value.iter().enumerate() {
        if escaped {
            escaped = false;
        } else if quoted {
            match b {
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == b',' {
            let element = value.get(..i).unwrap_or(value);
            return (
                element,
                Some(value.get(i.saturating_add(1)..).unwrap_or(&[])),
            );
        }
    }
    (value, None)
}

/// One element: an extension name and its parameters, checked against the
/// grammar (RFC 6455 §9.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Extension<'a> {
    name: &'a str,
    /// The text after the name: `*( OWS ";" OWS param OWS )`, checked.
    params: &'a [u8],
}

impl<'a> Extension<'a> {
    /// Check one trimmed element against the grammar.
    pub(crate) fn parse(element: &'a [u8]) -> Result<Self, Malformed> {
        let (name, params) = take_token(element);
        let name = core::str::from_utf8(name).map_err(|_| Malformed)?;
        if name.is_empty() {
            return Err(Malformed);
        }
        let mut rest = params;
        while let Some(step) = next_param(rest) {
            rest = step?.1;
        }
        Ok(Self { name, params })
    }

    /// Whether this is the extension `name` (ASCII case-insensitive).
    pub(crate) fn is(&self, name: &str) -> bool {
        eq_ignore_case(self.name, name)
    }

    /// The parameters, in order.
    pub(crate) fn params(&self) -> impl Iterator<Item = Param<'a>> + use<'a> {
        let mut rest = self.params;
        // `parse` checked the grammar: no step fails.
        core::iter::from_fn(move || {
            let (param, after) = next_param(rest)?.ok()?;
            rest = after;
            Some(param)
        })
    }
}

/// One `extension-param`: a name and, after `=`, a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Param<'a> {
    /// The parameter name, a token as sent.
    pub(crate) name: &'a str,
    /// The value, if the parameter has one.
    pub(crate) value: Option<Value<'a>>,
}

/// A parameter value: a token, or a quoted string (RFC 9110 §5.6.4) whose
/// unescaped content, RFC 6455 §9.1 says, must itself be a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Value<'a> {
    /// The token, or the quoted string's content between the quotes,
    /// still escaped.
    raw: &'a [u8],
    quoted: bool,
}

impl<'a> Value<'a> {
    /// The value's bytes, quoted-pairs unescaped.
    pub(crate) fn bytes(&self) -> impl Iterator<Item = u8> + use<'a> {
        let mut rest = self.raw;
        let quoted = self.quoted;
        core::iter::from_fn(move || {
            let (&b, after) = rest.split_first()?;
            rest = after;
            if quoted && b == b'\\' {
                let (&escaped, after) = rest.split_first()?;
                rest = after;
                return Some(escaped);
            }
            Some(b)
        })
    }

    /// Whether the value was sent as a quoted string.
    #[cfg(test)]
    pub(crate) const fn is_quoted(&self) -> bool {
        self.quoted
    }
}

/// The next `OWS ";" OWS param OWS` of `input`: `None` when `input` is
/// empty, else the parameter and what follows it, or [`Malformed`].
#[allow(clippy::type_complexity)]
fn next_param(input: &[u8]) -> Option<Result<(Param<'_>, &[u8]), Malformed>> {
    let input = skip_ows(input);
    let (&first, rest) = input.split_first()?;
    Some(param_after(first, rest))
}

fn param_after(first: u8, rest: &[u8]) -> Result<(Param<'_>, &[u8]), Malformed> {
    if first != b';' {
        return Err(Malformed);
    }
    let (name, rest) = take_token(skip_ows(rest));
    let name = core::str::from_utf8(name).map_err(|_| Malformed)?;
    if name.is_empty() {
        return Err(Malformed);
    }
    let rest = skip_ows(rest);
    let Some((b'=', rest)) = rest.split_first() else {
        return Ok((Param { name, value: None }, rest));
    };
    let rest = skip_ows(rest);
    let (value, rest) = match rest.split_first() {
        Some((b'"', inside)) => {
            let (raw, rest) = take_quoted(inside)?;
            (Value { raw, quoted: true }, rest)
        }
        _ => {
            let (raw, rest) = take_token(rest);
            if raw.is_empty() {
                return Err(Malformed);
            }
            (Value { raw, quoted: false }, rest)
        }
    };
    Ok((
        Param {
            name,
            value: Some(value),
        },
        skip_ows(rest),
    ))
}

/// The leading run of `tchar`s and the rest.
fn take_token(input: &[u8]) -> (&[u8], &[u8]) {
    let end = input
        .iter()
        .position(|&b| !is_tchar(b))
        .unwrap_or(input.len());
    input.split_at_checked(end).unwrap_or((input, &[]))
}

/// `input` without leading SP and HTAB.
fn skip_ows(input: &[u8]) -> &[u8] {
    let start = input
        .iter()
        .position(|&b| !is_ows(b))
        .unwrap_or(input.len());
    input.get(start..).unwrap_or(&[])
}

/// After an opening `"`: the content up to the closing `"` (escapes kept)
/// and the rest after it. Content is `qdtext` or `quoted-pair`
/// (RFC 9110 §5.6.4).
fn take_quoted(input: &[u8]) -> Result<(&[u8], &[u8]), Malformed> {
    let mut escaped = false;
    for (i, &b) in input.iter().enumerate() {
        let text = b == b'\t' || b == b' ' || b >= 0x21 && b != 0x7f;
        if !text {
            return Err(Malformed);
        }
        if escaped {
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            let content = input.get(..i).unwrap_or(input);
            return Ok((content, input.get(i.saturating_add(1)..).unwrap_or(&[])));
        }
    }
    Err(Malformed)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::borrow::ToOwned;
    use std::format;
    use std::string::String;
    use std::vec::Vec;

    use super::*;

    fn header(value: &str) -> Header<'_> {
        Header {
            name: "Sec-WebSocket-Extensions",
            value: value.as_bytes(),
        }
    }

    /// Every element as `name(param=value,…)`, unescaped, or `!` for a
    /// malformed one.
    fn show(headers: &[Header<'_>]) -> Vec<String> {
        Extensions::new(headers)
            .map(|e| match e {
                Err(Malformed) => "!".to_owned(),
                Ok(e) => {
                    let params: Vec<String> = e
                        .params()
                        .map(|p| match p.value {
                            None => p.name.to_owned(),
                            Some(v) => {
                                let q = if v.is_quoted() { "q" } else { "" };
                                format!(
                                    "{}={q}{}",
                                    p.name,
                                    String::from_utf8(v.bytes().collect()).unwrap()
                                )
                            }
                        })
                        .collect();
                    format!("{}({})", e.name, params.join(","))
                }
            })
            .collect()
    }

    #[test]
    fn browsers() {
        assert_eq!(
            show(&[header("permessage-deflate")]),
            ["permessage-deflate()"]
        );
        assert_eq!(
            show(&[header("permessage-deflate; client_max_window_bits")]),
            ["permessage-deflate(client_max_window_bits)"]
        );
    }

    #[test]
    fn lists_across_lines_with_empty_elements() {
        let headers = [
            header("a; x=1, ,b"),
            Header {
                name: "Other",
                value: b"c",
            },
            header(",, c ,"),
            header(""),
            header("d"),
        ];
        assert_eq!(show(&headers), ["a(x=1)", "b()", "c()", "d()"]);
    }

    #[test]
    fn whitespace_around_separators() {
        assert_eq!(
            show(&[header("a ;x = 1\t;\ty ;z=\"2\" , b")]),
            ["a(x=1,y,z=q2)", "b()"]
        );
    }

    #[test]
    fn quoted_values() {
        // A comma and a semicolon inside quotes are content.
        assert_eq!(
            show(&[header(r#"a; x="1,2;3", b; y="\"q\\", c; z="""#)]),
            ["a(x=q1,2;3)", "b(y=q\"q\\)", "c(z=q)"]
        );
        assert_eq!(show(&[header(r#"a; x="1\0""#)]), ["a(x=q10)"]);
        // Unterminated: the rest of the line is one malformed element.
        assert_eq!(show(&[header(r#"a; x="1, b"#), header("c")]), ["!", "c()"]);
        // A quote inside a token value is not a value.
        assert_eq!(show(&[header(r#"a; x=1"2""#)]), ["!"]);
        assert_eq!(show(&[header("a; x=\"\x01\"")]), ["!"]);
    }

    #[test]
    fn malformed_elements() {
        for value in [
            "a;", "a; ", "a;;x", "a; x=", "a; x= ;y", "a; =1", "a x", "a; x y", "a; x=1 2", "; x",
            "\"a\"", "a; x=1;", "a; é",
        ] {
            assert_eq!(show(&[header(value)]), ["!"], "{value:?}");
        }
        // A malformed element does not hide the next one.
        assert_eq!(show(&[header("a;, b")]), ["!", "b()"]);
    }

    #[test]
    fn names_compare_case_insensitively() {
        let headers = [header("PerMessage-Deflate; Client_Max_Window_Bits")];
        let e = Extensions::new(&headers).next().unwrap().unwrap();
        assert!(e.is("permessage-deflate"));
        assert_eq!(e.name, "PerMessage-Deflate");
        assert_eq!(e.params().next().unwrap().name, "Client_Max_Window_Bits");
    }

    #[test]
    fn one_value() {
        let got: Vec<_> = elements(b"a, b; x=\"1\"")
            .map(|e| e.unwrap().name)
            .collect();
        assert_eq!(got, ["a", "b"]);
        assert_eq!(elements(b" , ").count(), 0);
    }
}
