//! `ws://` and `wss://` URLs (RFC 6455 §3, RFC 3986 §3).

use core::fmt;

/// A parsed WebSocket URL, borrowing the input (RFC 6455 §3).
///
/// `ws://[::1]:9001/chat?room=1` gives host `::1` (brackets removed; the
/// `Host` header puts them back), port 9001, path `/chat?room=1`, not secure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Url<'a> {
    /// The host: a name, an IPv4 address, or an IPv6 address without its
    /// brackets. Never empty. Percent-escapes are kept as written.
    pub host: &'a str,
    /// The port, from the URL or the scheme's default (80 for `ws`, 443 for `wss`).
    pub port: u16,
    /// Path and query, the request target: `/` when the URL has no path.
    /// It starts with `/`, or with `?` for a URL like `ws://host?q`, in
    /// which case [`ClientRequest`](super::ClientRequest) writes `/?q`.
    pub path: &'a str,
    /// `wss`: the caller must run TLS under the handshake.
    pub secure: bool,
}

/// Why a string is not a usable WebSocket URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum UrlError {
    /// No `scheme://` prefix.
    MissingScheme,
    /// A scheme other than `ws` or `wss` (e.g. `http`): RFC 6455 §3.
    UnsupportedScheme,
    /// No host between `//` and the path.
    EmptyHost,
    /// A host with characters a URI host may not hold, or an unclosed `[`.
    InvalidHost,
    /// A port that is not a number from 1 to 65535.
    InvalidPort,
    /// `user:password@` before the host: not sent in a WebSocket handshake;
    /// use an `Authorization` header instead.
    UserInfo,
    /// A `#` fragment: RFC 6455 §3 forbids fragments in WebSocket URIs.
    Fragment,
    /// A path or query with a space, a control character or non-ASCII text:
    /// percent-encode it first.
    InvalidPath,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingScheme => "URL has no scheme; expected ws:// or wss://",
            Self::UnsupportedScheme => "URL scheme is not ws or wss",
            Self::EmptyHost => "URL has no host",
            Self::InvalidHost => "URL host is malformed",
            Self::InvalidPort => "URL port is not a number from 1 to 65535",
            Self::UserInfo => "URL has user information, which a WebSocket handshake cannot send",
            Self::Fragment => "URL has a #fragment, which WebSocket URIs may not have",
            Self::InvalidPath => "URL path has characters that must be percent-encoded",
        })
    }
}

impl core::error::Error for UrlError {}

impl<'a> Url<'a> {
    /// Parse a `ws://` or `wss://` URL. The scheme is case-insensitive; an
    /// empty port (`ws://host:/`) means the default, as RFC 3986 §3.2.3 says.
    ///
    /// # Errors
    /// A [`UrlError`] naming the first fault, checked in this order:
    /// fragment, scheme, user information, host, port, path.
    pub fn parse(url: &'a str) -> Result<Self, UrlError> {
        if url.contains('#') {
            return Err(UrlError::Fragment);
        }
        // The first "://", found byte-wise: a `str` pattern would link
        // core's two-way substring searcher for three bytes.
        let (scheme, rest) = url
            .as_bytes()
            .windows(3)
            .position(|w| w == b"://")
            .and_then(|at| Some((url.get(..at)?, url.get(at + 3..)?)))
            .ok_or(UrlError::MissingScheme)?;
        let secure = if scheme.eq_ignore_ascii_case("ws") {
            false
        } else if scheme.eq_ignore_ascii_case("wss") {
            true
        } else {
            return Err(UrlError::UnsupportedScheme);
        };
        let authority_end = rest
            .bytes()
            .position(|b| b == b'/' || b == b'?')
            .unwrap_or(rest.len());
        let (authority, path) = rest
            .split_at_checked(authority_end)
            .ok_or(UrlError::InvalidPath)?;
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }

        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (host, after) = bracketed.split_once(']').ok_or(UrlError::InvalidHost)?;
            if host.is_empty() {
                return Err(UrlError::EmptyHost);
            }
            if !host
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
                || !host.contains(':')
            {
                return Err(UrlError::InvalidHost);
            }
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or(UrlError::InvalidHost)?),
            };
            (host, port)
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            if host.is_empty() {
                return Err(UrlError::EmptyHost);
            }
            if !host.bytes().all(is_reg_name_byte) {
                return Err(UrlError::InvalidHost);
            }
            (host, port)
        };

        let default_port = if secure { 443 } else { 80 };
        let port = match port {
            None | Some("") => default_port,
            Some(digits) => parse_port(digits).ok_or(UrlError::InvalidPort)?,
        };

        let path = if path.is_empty() { "/" } else { path };
        if !path.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(UrlError::InvalidPath);
        }
        Ok(Self {
            host,
            port,
            path,
            secure,
        })
    }

    /// The scheme's default port: 443 for `wss`, 80 for `ws` (RFC 6455 §3).
    #[must_use]
    pub const fn default_port(&self) -> u16 {
        if self.secure { 443 } else { 80 }
    }
}

/// 1 to 65535, digits only.
fn parse_port(digits: &str) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u16>().ok().filter(|&p| p != 0)
}

/// `unreserved / pct-encoded / sub-delims` (RFC 3986 §3.2.2), byte-wise.
pub(crate) const fn is_reg_name_byte(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'%'
        | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(
        host: &'static str,
        port: u16,
        path: &'static str,
        secure: bool,
    ) -> Result<Url<'static>, UrlError> {
        Ok(Url {
            host,
            port,
            path,
            secure,
        })
    }

    #[test]
    fn valid() {
        assert_eq!(
            Url::parse("ws://example.com"),
            url("example.com", 80, "/", false)
        );
        assert_eq!(
            Url::parse("wss://example.com"),
            url("example.com", 443, "/", true)
        );
        assert_eq!(
            Url::parse("WSS://Example.com:8443/a/b?c=d&e"),
            url("Example.com", 8443, "/a/b?c=d&e", true)
        );
        assert_eq!(
            Url::parse("ws://[::1]:9001/x"),
            url("::1", 9001, "/x", false)
        );
        assert_eq!(
            Url::parse("ws://[2001:db8::1]"),
            url("2001:db8::1", 80, "/", false)
        );
        assert_eq!(
            Url::parse("ws://127.0.0.1:1/"),
            url("127.0.0.1", 1, "/", false)
        );
        assert_eq!(Url::parse("ws://h:/p"), url("h", 80, "/p", false));
        assert_eq!(Url::parse("ws://h?q=1"), url("h", 80, "?q=1", false));
        assert_eq!(Url::parse("ws://h:65535"), url("h", 65535, "/", false));
        // The first "://" ends the scheme.
        assert_eq!(Url::parse("ws://h/a://b"), url("h", 80, "/a://b", false));
        assert_eq!(
            Url::parse("ws://h?a://b/c"),
            url("h", 80, "?a://b/c", false)
        );
        assert_eq!(Url::parse("wss://h").unwrap().default_port(), 443);
    }

    #[test]
    fn invalid() {
        assert_eq!(Url::parse("example.com/x"), Err(UrlError::MissingScheme));
        assert_eq!(Url::parse("ws:/h"), Err(UrlError::MissingScheme));
        assert_eq!(Url::parse("ws:"), Err(UrlError::MissingScheme));
        assert_eq!(Url::parse(""), Err(UrlError::MissingScheme));
        assert_eq!(Url::parse("://h"), Err(UrlError::UnsupportedScheme));
        assert_eq!(Url::parse("ws:/x://h"), Err(UrlError::UnsupportedScheme));
        assert_eq!(Url::parse("ws://"), Err(UrlError::EmptyHost));
        assert_eq!(Url::parse("ws://?q"), Err(UrlError::EmptyHost));
        assert_eq!(
            Url::parse("http://example.com"),
            Err(UrlError::UnsupportedScheme)
        );
        assert_eq!(
            Url::parse("wsx://example.com"),
            Err(UrlError::UnsupportedScheme)
        );
        assert_eq!(Url::parse("ws://"), Err(UrlError::EmptyHost));
        assert_eq!(Url::parse("ws:///path"), Err(UrlError::EmptyHost));
        assert_eq!(Url::parse("ws://:80/"), Err(UrlError::EmptyHost));
        assert_eq!(Url::parse("ws://[]/"), Err(UrlError::EmptyHost));
        assert_eq!(Url::parse("ws://[::1/"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("ws://[::1]x/"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("ws://[zz]/"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("ws://a b/"), Err(UrlError::InvalidHost));
        assert_eq!(Url::parse("ws://::1/"), Err(UrlError::EmptyHost));
        assert_eq!(Url::parse("ws://h:0/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://h:65536/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://h:8o/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://h:+80/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://h:1:2/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://[::1]:x/"), Err(UrlError::InvalidPort));
        assert_eq!(Url::parse("ws://u:p@h/"), Err(UrlError::UserInfo));
        assert_eq!(Url::parse("ws://h/a#b"), Err(UrlError::Fragment));
        assert_eq!(Url::parse("ws://h/a b"), Err(UrlError::InvalidPath));
        assert_eq!(Url::parse("ws://h/é"), Err(UrlError::InvalidPath));
    }
}
