//! The extension's parameters and their negotiation (RFC 7692 §5, §7.1).
//!
//! Each side describes its memory: the server a [`Capability`], the
//! client an [`Offer`]. The handshake turns them into one [`Params`] both
//! sides agree on: the server with
//! [`Request::select_deflate`](crate::handshake::Request::select_deflate)
//! and [`Acceptance::with_deflate`](crate::handshake::Acceptance::with_deflate),
//! the client with
//! [`ClientRequest::with_deflate`](crate::handshake::ClientRequest::with_deflate)
//! and [`Response::deflate`](crate::handshake::Response::deflate).
//!
//! Parameter and extension names are matched ASCII case-insensitively
//! (neither RFC 6455 nor RFC 7692 makes them case-sensitive; RFC 9110
//! §5.6.6 makes parameter names case-insensitive elsewhere) and always
//! written in lower case.

use core::fmt;

use crate::handshake::encode::Writer;
use crate::handshake::extension::{Extension, Malformed, Value};
use crate::handshake::{EncodeError, ResponseError};

/// The registered extension name (RFC 7692 §7).
pub(crate) const NAME: &str = "permessage-deflate";

/// The smallest and largest window bits a parameter may carry (RFC 7692
/// §7.1.2.1, §7.1.2.2): windows of 256 bytes to 32 KiB.
const MIN_BITS: u8 = 8;
const MAX_BITS: u8 = 15;

/// What one connection agreed for permessage-deflate (RFC 7692 §7.1).
///
/// Window bits are 8..=15; 15 (a 32 KiB window) is the RFC's default
/// when a `*_max_window_bits` parameter is absent.
///
/// Both ends of a connection hold the same value (the handshake's
/// [`Finished`](crate::handshake::Finished) token carries it) and read it
/// from their side: the client compresses within
/// `client_max_window_bits` and inflates a window of
/// `server_max_window_bits`, resetting its compressor after each message
/// when `client_no_context_takeover` and its inflater when
/// `server_no_context_takeover`; the server the other way round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Params {
    /// `server_no_context_takeover`: the server resets its compression
    /// context after every message.
    pub server_no_context_takeover: bool,
    /// `client_no_context_takeover`: the client resets its compression
    /// context after every message.
    pub client_no_context_takeover: bool,
    /// `server_max_window_bits`: the largest LZ77 window the server
    /// compresses with (8..=15).
    pub server_max_window_bits: u8,
    /// `client_max_window_bits`: the largest LZ77 window the client
    /// compresses with (8..=15).
    pub client_max_window_bits: u8,
}

impl Params {
    /// What a bare `permessage-deflate` agrees (RFC 7692 §7.1): context
    /// takeover both ways, 32 KiB windows both ways.
    pub const DEFAULT: Self = Self {
        server_no_context_takeover: false,
        client_no_context_takeover: false,
        server_max_window_bits: MAX_BITS,
        client_max_window_bits: MAX_BITS,
    };

    /// Whether both window bits are in 8..=15 (RFC 7692 §7.1.2).
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        valid_bits(self.server_max_window_bits) && valid_bits(self.client_max_window_bits)
    }
}

impl Default for Params {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What a server can do with its memory, for choosing among a client's
/// permessage-deflate offers (RFC 7692 §5, §7.1).
///
/// The server honours the first offer that fits and declines the others;
/// an offer it cannot honour, or a malformed one, is declined, never an
/// error (the connection then runs uncompressed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Capability {
    /// The base-2 logarithm of the window the server inflates with: the
    /// largest window it lets the client compress with, answered as
    /// `client_max_window_bits` (RFC 7692 §7.1.2.2). 8..=15, larger values
    /// count as 15; below 8 no offer is accepted. Below 15 the server
    /// declines every offer without `client_max_window_bits`, as it could
    /// not bound the client's window. Default 15 (32 KiB per connection).
    pub inflate_window_bits: u8,
    /// The base-2 logarithm of the window the server compresses with at
    /// most: the agreed `server_max_window_bits` is this or the client's
    /// smaller limit (RFC 7692 §7.1.2.1). Clamped to 8..=15. Default 15.
    pub compress_window_bits: u8,
    /// Answer `server_no_context_takeover` even when not offered
    /// (RFC 7692 §7.1.1.1): the server promises to compress every
    /// message on its own, so the client need not keep its inflate
    /// window between messages. An offer that asks for it is always
    /// honoured. Default `false`.
    pub server_no_context_takeover: bool,
    /// Answer `client_no_context_takeover` even when not offered
    /// (RFC 7692 §7.1.1.2): the client must compress every message on its
    /// own, so the server need not keep its inflate window between
    /// messages. Echoed whenever the client offers it. Default `false`.
    pub client_no_context_takeover: bool,
}

impl Capability {
    /// 32 KiB windows both ways, context takeover allowed: accepts every
    /// valid offer, Firefox's bare `permessage-deflate` and Chrome's
    /// `permessage-deflate; client_max_window_bits` among them.
    pub const DEFAULT: Self = Self {
        inflate_window_bits: MAX_BITS,
        compress_window_bits: MAX_BITS,
        server_no_context_takeover: false,
        client_no_context_takeover: false,
    };

    /// The first offer among `Sec-WebSocket-Extensions` header values
    /// that this capability can honour, and what to agree on it
    /// (RFC 7692 §5, §7): for a server whose framework did the HTTP
    /// handshake and hands over the raw values, in order. Other
    /// extensions and malformed or unhonourable offers are skipped.
    ///
    /// [`Request::select_deflate`](crate::handshake::Request::select_deflate)
    /// is the same over a parsed request.
    #[must_use]
    pub fn select_from<'v>(&self, values: impl IntoIterator<Item = &'v [u8]>) -> Option<Params> {
        self.select(
            values
                .into_iter()
                .flat_map(crate::handshake::extension::elements),
        )
    }

    /// [`Capability::select_from`], and the value of the answer's
    /// `Sec-WebSocket-Extensions` header written into `out`
    /// (`permessage-deflate; …`, without CRLF, as
    /// [`Request::accept_with`](crate::handshake::Request::accept_with)
    /// writes it), with its length; `Ok(None)` when every offer is
    /// declined and the answer names no extension (RFC 7692 §5, §7.1).
    ///
    /// ```
    /// use wsframe::deflate::{Capability, Params};
    ///
    /// let offers: [&[u8]; 1] = [b"permessage-deflate; client_max_window_bits"];
    /// let small = Capability { inflate_window_bits: 11, ..Capability::DEFAULT };
    /// let mut value = [0u8; Capability::MAX_ANSWER_LEN];
    /// let (agreed, n) = small.answer_from(offers, &mut value)?.unwrap();
    /// assert_eq!(&value[..n], b"permessage-deflate; client_max_window_bits=11");
    /// assert_eq!(agreed, Params { client_max_window_bits: 11, ..Params::DEFAULT });
    /// # Ok::<(), wsframe::handshake::EncodeError>(())
    /// ```
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] with the exact length needed;
    /// [`Capability::MAX_ANSWER_LEN`] bytes always suffice.
    pub fn answer_from<'v>(
        &self,
        values: impl IntoIterator<Item = &'v [u8]>,
        out: &mut [u8],
    ) -> Result<Option<(Params, usize)>, EncodeError> {
        let offers = values
            .into_iter()
            .flat_map(crate::handshake::extension::elements);
        let Some((offer, params)) = self.select_offer(offers) else {
            return Ok(None);
        };
        let mut w = Writer::new(out);
        put_answer(&mut w, &params, &offer);
        Ok(Some((params, w.finish()?)))
    }

    /// The longest value [`Capability::answer_from`] writes: every
    /// parameter, two-digit windows.
    pub const MAX_ANSWER_LEN: usize = 128;

    /// The first element of `offers` that is a valid permessage-deflate
    /// offer this capability can honour, agreed.
    pub(crate) fn select<'a>(
        &self,
        offers: impl Iterator<Item = Result<Extension<'a>, Malformed>>,
    ) -> Option<Params> {
        self.select_offer(offers).map(|(_, params)| params)
    }

    /// [`Capability::select`], with the offer chosen.
    fn select_offer<'a>(
        &self,
        offers: impl Iterator<Item = Result<Extension<'a>, Malformed>>,
    ) -> Option<(Element, Params)> {
        offers
            .filter_map(|e| e.ok().filter(|e| e.is(NAME)))
            .filter_map(|e| parse(&e, Role::Offer).ok())
            .find_map(|offer| Some((offer, self.agree(&offer)?)))
    }

    /// What to agree on one offer, or `None` to decline it (RFC 7692 §7:
    /// "the server doesn't support the offered configuration").
    pub(crate) fn agree(&self, offer: &Element) -> Option<Params> {
        if self.inflate_window_bits < MIN_BITS {
            return None;
        }
        let inflate = self.inflate_window_bits.min(MAX_BITS);
        let compress = self.compress_window_bits.clamp(MIN_BITS, MAX_BITS);
        let client_max_window_bits = match offer.client_max_window_bits {
            // §7.1.2.2: without the parameter the server may not bound the
            // client's window, which is then up to 32 KiB.
            ClientWindow::Absent if inflate < MAX_BITS => return None,
            ClientWindow::Absent => MAX_BITS,
            ClientWindow::Bare => inflate,
            ClientWindow::Bits(offered) => inflate.min(offered),
        };
        let server_max_window_bits = offer
            .server_max_window_bits
            .map_or(compress, |offered| compress.min(offered));
        Some(Params {
            // §7.1.1.1: asked for, it must be answered; our compressor can
            // always work without context takeover.
            server_no_context_takeover: offer.server_no_context_takeover
                || self.server_no_context_takeover,
            // §7.1.1.2: a hint when offered, echoed so both ends record it.
            client_no_context_takeover: offer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits,
        })
    }
}

impl Default for Capability {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What a client offers, from its memory (RFC 7692 §5, §7.1), for
/// [`ClientRequest::with_deflate`](crate::handshake::ClientRequest::with_deflate).
///
/// It is written as one offer, `permessage-deflate` and the parameters
/// below, and the server's answer is checked against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Offer {
    /// The base-2 logarithm of the window the client inflates with
    /// (8..=15). Below 15 it is offered as `server_max_window_bits=N`
    /// (RFC 7692 §7.1.2.1) and the server must answer with N or less.
    /// Default 15 (32 KiB), not sent.
    pub inflate_window_bits: u8,
    /// `client_max_window_bits` (RFC 7692 §7.1.2.2): `None` does not offer
    /// it (the server may then not bound the client's window);
    /// `Some(15)` offers it bare, letting the server choose any window
    /// for the client; `Some(N)` offers `client_max_window_bits=N`, a
    /// promise to compress with at most 2^N bytes of window. Default
    /// `Some(15)`, as Chrome, Python `websockets` and Node `ws` send.
    pub client_max_window_bits: Option<u8>,
    /// Ask the server to compress every message on its own
    /// (`server_no_context_takeover`, RFC 7692 §7.1.1.1), so the client
    /// need not keep its inflate window between messages; a server that
    /// does not answer it fails the handshake. Default `false`.
    pub server_no_context_takeover: bool,
    /// Promise to compress every message on its own
    /// (`client_no_context_takeover`, RFC 7692 §7.1.1.2). Default `false`.
    pub client_no_context_takeover: bool,
}

impl Offer {
    /// `permessage-deflate; client_max_window_bits`: 32 KiB windows, context
    /// takeover allowed, the server free to bound the client's window.
    pub const DEFAULT: Self = Self {
        inflate_window_bits: MAX_BITS,
        client_max_window_bits: Some(MAX_BITS),
        server_no_context_takeover: false,
        client_no_context_takeover: false,
    };

    /// Whether every window bits value is in 8..=15.
    pub(crate) const fn is_valid(&self) -> bool {
        valid_bits(self.inflate_window_bits)
            && match self.client_max_window_bits {
                Some(bits) => valid_bits(bits),
                None => true,
            }
    }

    /// Write the offer's element, `permessage-deflate; …` (RFC 7692 §7.1).
    pub(crate) fn put(&self, w: &mut Writer<'_>) {
        w.put(NAME.as_bytes());
        if self.server_no_context_takeover {
            w.put(b"; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            w.put(b"; client_no_context_takeover");
        }
        if self.inflate_window_bits < MAX_BITS {
            w.put(b"; server_max_window_bits=");
            w.put_decimal(u16::from(self.inflate_window_bits));
        }
        match self.client_max_window_bits {
            None => {}
            Some(MAX_BITS) => w.put(b"; client_max_window_bits"),
            Some(bits) => {
                w.put(b"; client_max_window_bits=");
                w.put_decimal(u16::from(bits));
            }
        }
    }

    /// Check the server's answer (already parsed as a response) against
    /// this offer and agree the parameters (RFC 7692 §7, "the client
    /// does not support the configuration that the response represents").
    pub(crate) fn check(&self, answer: &Element) -> Result<Params, ResponseError> {
        let inflate = self.inflate_window_bits.clamp(MIN_BITS, MAX_BITS);
        if self.server_no_context_takeover && !answer.server_no_context_takeover {
            return Err(ResponseError::MissingServerNoContextTakeover);
        }
        let server_max_window_bits = match answer.server_max_window_bits {
            // §7.1.2.1: an offer with it is accepted by answering it.
            None if inflate < MAX_BITS => return Err(ResponseError::MissingServerMaxWindowBits),
            None => MAX_BITS,
            Some(bits) if bits > inflate => return Err(ResponseError::ServerMaxWindowBitsTooLarge),
            Some(bits) => bits,
        };
        let answered = match answer.client_max_window_bits {
            ClientWindow::Bits(bits) => Some(bits),
            // A response parse never gives a bare one.
            ClientWindow::Absent | ClientWindow::Bare => None,
        };
        let client_max_window_bits = match (self.client_max_window_bits, answered) {
            // §7.1.2.2: "the corresponding extension negotiation response to
            // the offer MUST NOT include" it.
            (None, Some(_)) => return Err(ResponseError::ClientMaxWindowBitsNotOffered),
            (None, None) => MAX_BITS,
            (Some(offered), None) => offered.clamp(MIN_BITS, MAX_BITS),
            // §7.1.2.2: "a value equal to or smaller than the received value".
            (Some(offered), Some(bits)) if offered < MAX_BITS && bits > offered => {
                return Err(ResponseError::ClientMaxWindowBitsTooLarge);
            }
            (Some(_), Some(bits)) => bits,
        };
        Ok(Params {
            server_no_context_takeover: answer.server_no_context_takeover,
            // §7.1.1.2: offered, it is a promise kept whatever the answer.
            client_no_context_takeover: answer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits,
        })
    }
}

impl Default for Offer {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a permessage-deflate element's parameters are invalid (RFC 7692
/// §7): a server declines such an offer, a client fails on such an
/// answer ([`ResponseError::DeflateParameter`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ParamError {
    /// A parameter RFC 7692 §7.1 does not define (for this side).
    UnknownParameter,
    /// The same parameter twice (RFC 7692 §7).
    DuplicateParameter,
    /// `server_max_window_bits` without a value, or
    /// `client_max_window_bits` without one in a response (RFC 7692
    /// §7.1.2).
    MissingValue,
    /// A value on `server_no_context_takeover` or
    /// `client_no_context_takeover`, which have none (RFC 7692 §7.1.1).
    UnexpectedValue,
    /// A window bits value that is not a decimal 8..=15 without leading
    /// zeros (RFC 7692 §7.1.2), quoted or not.
    InvalidValue,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnknownParameter => "unknown permessage-deflate parameter",
            Self::DuplicateParameter => "permessage-deflate parameter given twice",
            Self::MissingValue => "permessage-deflate window bits parameter without a value",
            Self::UnexpectedValue => {
                "permessage-deflate no_context_takeover parameter with a value"
            }
            Self::InvalidValue => "permessage-deflate window bits not a decimal 8 to 15",
        })
    }
}

impl core::error::Error for ParamError {}

/// Which side wrote an element: the offer allows a bare
/// `client_max_window_bits`, the response does not (RFC 7692 §7.1.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Offer,
    Response,
}

/// `client_max_window_bits` in an element.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ClientWindow {
    #[default]
    Absent,
    /// Without a value: only in an offer.
    Bare,
    Bits(u8),
}

/// One permessage-deflate element's parameters, checked (RFC 7692 §7.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) server_no_context_takeover: bool,
    pub(crate) client_no_context_takeover: bool,
    pub(crate) server_max_window_bits: Option<u8>,
    pub(crate) client_max_window_bits: ClientWindow,
}

impl Element {
    /// Whether `params` answer this offer (RFC 7692 §7.1): what a server
    /// may accept it with. Then the answer must write
    /// `server_max_window_bits` when below 15 or offered, and
    /// `client_max_window_bits` when below 15 or offered with a value.
    pub(crate) fn admits(&self, params: &Params) -> bool {
        let server_window = self
            .server_max_window_bits
            .is_none_or(|offered| params.server_max_window_bits <= offered);
        let client_window = match self.client_max_window_bits {
            ClientWindow::Absent => params.client_max_window_bits == MAX_BITS,
            ClientWindow::Bare => true,
            ClientWindow::Bits(offered) => params.client_max_window_bits <= offered,
        };
        params.is_valid()
            && server_window
            && client_window
            && (params.server_no_context_takeover || !self.server_no_context_takeover)
    }
}

/// Write the element accepting `offer` with `params`, `permessage-deflate;
/// …` (RFC 7692 §7.1), parameters in §7.1's order: the takeovers when set,
/// `server_max_window_bits` when below 15 or offered (§7.1.2.1: an offer
/// with it is accepted by answering it), `client_max_window_bits` when
/// below 15 or offered with a value. `offer` must admit `params`.
pub(crate) fn put_answer(w: &mut Writer<'_>, params: &Params, offer: &Element) {
    w.put(NAME.as_bytes());
    if params.server_no_context_takeover {
        w.put(b"; server_no_context_takeover");
    }
    if params.client_no_context_takeover {
        w.put(b"; client_no_context_takeover");
    }
    if params.server_max_window_bits < MAX_BITS || offer.server_max_window_bits.is_some() {
        w.put(b"; server_max_window_bits=");
        w.put_decimal(u16::from(params.server_max_window_bits));
    }
    if params.client_max_window_bits < MAX_BITS
        || matches!(offer.client_max_window_bits, ClientWindow::Bits(_))
    {
        w.put(b"; client_max_window_bits=");
        w.put_decimal(u16::from(params.client_max_window_bits));
    }
}

/// Check the parameters of a permessage-deflate element (RFC 7692 §7):
/// the first fault, in order.
pub(crate) fn parse(extension: &Extension<'_>, role: Role) -> Result<Element, ParamError> {
    let mut e = Element::default();
    let mut seen = [false; 4];
    for param in extension.params() {
        let name = param.name;
        let index = [
            "server_no_context_takeover",
            "client_no_context_takeover",
            "server_max_window_bits",
            "client_max_window_bits",
        ]
        .iter()
        .position(|known| name.eq_ignore_ascii_case(known))
        .ok_or(ParamError::UnknownParameter)?;
        let slot = seen.get_mut(index).ok_or(ParamError::UnknownParameter)?;
        if core::mem::replace(slot, true) {
            return Err(ParamError::DuplicateParameter);
        }
        match (index, param.value) {
            (0 | 1, Some(_)) => return Err(ParamError::UnexpectedValue),
            (0, None) => e.server_no_context_takeover = true,
            (1, None) => e.client_no_context_takeover = true,
            (2, None) => return Err(ParamError::MissingValue),
            (2, Some(value)) => e.server_max_window_bits = Some(window_bits(&value)?),
            (_, None) if role == Role::Response => return Err(ParamError::MissingValue),
            (_, None) => e.client_max_window_bits = ClientWindow::Bare,
            (_, Some(value)) => e.client_max_window_bits = ClientWindow::Bits(window_bits(&value)?),
        }
    }
    Ok(e)
}

/// A window bits value: `1*DIGIT` without leading zeros, 8..=15
/// (RFC 7692 §7.1.2), after unquoting (RFC 6455 §9.1).
fn window_bits(value: &Value<'_>) -> Result<u8, ParamError> {
    let mut digits = value.bytes();
    let bits = match (digits.next(), digits.next(), digits.next()) {
        (Some(d @ b'8'..=b'9'), None, None) => d - b'0',
        (Some(b'1'), Some(d @ b'0'..=b'5'), None) => 10 + (d - b'0'),
        _ => return Err(ParamError::InvalidValue),
    };
    Ok(bits)
}

const fn valid_bits(bits: u8) -> bool {
    bits >= MIN_BITS && bits <= MAX_BITS
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;

    fn element(text: &str, role: Role) -> Result<Element, ParamError> {
        let extension = Extension::parse(text.as_bytes()).unwrap();
        assert!(extension.is(NAME));
        parse(&extension, role)
    }

    fn offer(text: &str) -> Result<Element, ParamError> {
        element(text, Role::Offer)
    }

    #[test]
    fn every_parameter() {
        assert_eq!(offer("permessage-deflate"), Ok(Element::default()));
        assert_eq!(
            offer(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
                 server_max_window_bits=10; client_max_window_bits"
            ),
            Ok(Element {
                server_no_context_takeover: true,
                client_no_context_takeover: true,
                server_max_window_bits: Some(10),
                client_max_window_bits: ClientWindow::Bare,
            })
        );
        assert_eq!(
            element(
                "permessage-deflate; client_max_window_bits=8",
                Role::Response
            ),
            Ok(Element {
                client_max_window_bits: ClientWindow::Bits(8),
                ..Element::default()
            })
        );
    }

    #[test]
    fn window_bits_values() {
        for (value, bits) in [
            ("8", Ok(8)),
            ("9", Ok(9)),
            ("10", Ok(10)),
            ("15", Ok(15)),
            ("\"10\"", Ok(10)),
            ("\"1\\5\"", Ok(15)),
            ("7", Err(ParamError::InvalidValue)),
            ("16", Err(ParamError::InvalidValue)),
            ("0", Err(ParamError::InvalidValue)),
            ("08", Err(ParamError::InvalidValue)),
            ("05", Err(ParamError::InvalidValue)),
            ("00", Err(ParamError::InvalidValue)),
            ("010", Err(ParamError::InvalidValue)),
            ("115", Err(ParamError::InvalidValue)),
            ("1", Err(ParamError::InvalidValue)),
            ("+9", Err(ParamError::InvalidValue)),
            ("\"\"", Err(ParamError::InvalidValue)),
            ("\" 9\"", Err(ParamError::InvalidValue)),
            ("a", Err(ParamError::InvalidValue)),
        ] {
            let text = format!("permessage-deflate; server_max_window_bits={value}");
            assert_eq!(
                offer(&text).map(|e| e.server_max_window_bits),
                bits.map(Some),
                "{value}"
            );
            let text = format!("permessage-deflate; client_max_window_bits={value}");
            assert_eq!(
                offer(&text).map(|e| e.client_max_window_bits),
                bits.map(ClientWindow::Bits),
                "{value}"
            );
        }
    }

    #[test]
    fn faults() {
        for (text, fault) in [
            ("permessage-deflate; x", ParamError::UnknownParameter),
            (
                "permessage-deflate; server_max_window",
                ParamError::UnknownParameter,
            ),
            (
                "permessage-deflate; client_max_window_bits; client_max_window_bits=9",
                ParamError::DuplicateParameter,
            ),
            (
                "permessage-deflate; server_no_context_takeover; Server_No_Context_Takeover",
                ParamError::DuplicateParameter,
            ),
            (
                "permessage-deflate; server_max_window_bits",
                ParamError::MissingValue,
            ),
            (
                "permessage-deflate; server_no_context_takeover=1",
                ParamError::UnexpectedValue,
            ),
            (
                "permessage-deflate; client_no_context_takeover=\"\"",
                ParamError::UnexpectedValue,
            ),
            // The first fault wins.
            (
                "permessage-deflate; server_max_window_bits=99; x",
                ParamError::InvalidValue,
            ),
            (
                "permessage-deflate; x; server_max_window_bits=99",
                ParamError::UnknownParameter,
            ),
        ] {
            assert_eq!(offer(text), Err(fault), "{text}");
        }
        // A bare client_max_window_bits is only for offers.
        assert_eq!(
            element("permessage-deflate; client_max_window_bits", Role::Response),
            Err(ParamError::MissingValue)
        );
    }

    #[test]
    fn upper_case_names() {
        assert_eq!(
            offer("PERMESSAGE-DEFLATE; CLIENT_MAX_WINDOW_BITS=9").map(|e| e.client_max_window_bits),
            Ok(ClientWindow::Bits(9))
        );
    }

    #[test]
    fn agreement() {
        let full = Capability::DEFAULT;
        let agree = |cap: &Capability, text: &str| cap.agree(&offer(text).unwrap());
        assert_eq!(agree(&full, "permessage-deflate"), Some(Params::DEFAULT));
        assert_eq!(
            agree(&full, "permessage-deflate; client_max_window_bits"),
            Some(Params::DEFAULT)
        );
        let small = Capability {
            inflate_window_bits: 10,
            compress_window_bits: 11,
            ..Capability::DEFAULT
        };
        assert_eq!(agree(&small, "permessage-deflate"), None);
        assert_eq!(
            agree(
                &small,
                "permessage-deflate; client_max_window_bits; server_max_window_bits=12"
            ),
            Some(Params {
                server_max_window_bits: 11,
                client_max_window_bits: 10,
                ..Params::DEFAULT
            })
        );
        assert_eq!(
            agree(
                &small,
                "permessage-deflate; client_max_window_bits=9; server_max_window_bits=9"
            ),
            Some(Params {
                server_max_window_bits: 9,
                client_max_window_bits: 9,
                ..Params::DEFAULT
            })
        );
        // Out-of-range capabilities: clamped, or nothing accepted.
        let odd = Capability {
            inflate_window_bits: 20,
            compress_window_bits: 3,
            ..Capability::DEFAULT
        };
        assert_eq!(
            agree(&odd, "permessage-deflate"),
            Some(Params {
                server_max_window_bits: 8,
                ..Params::DEFAULT
            })
        );
        let none = Capability {
            inflate_window_bits: 7,
            ..Capability::DEFAULT
        };
        assert_eq!(
            agree(&none, "permessage-deflate; client_max_window_bits"),
            None
        );
    }

    #[test]
    fn longest_answer() {
        let offers: [&[u8]; 1] = [b"permessage-deflate; server_no_context_takeover; \
            client_no_context_takeover; server_max_window_bits=15; client_max_window_bits=15"];
        let mut out = [0u8; Capability::MAX_ANSWER_LEN];
        let (_, n) = Capability::DEFAULT
            .answer_from(offers, &mut out)
            .unwrap()
            .unwrap();
        assert_eq!(n, Capability::MAX_ANSWER_LEN);
        assert_eq!(&out[..n], offers[0]);
        assert_eq!(
            Capability::DEFAULT.answer_from(offers, &mut out[..n - 1]),
            Err(EncodeError::BufferTooSmall { needed: n })
        );
        assert_eq!(Capability::DEFAULT.answer_from([], &mut out), Ok(None));
    }

    #[test]
    fn admits() {
        let offered =
            offer("permessage-deflate; server_no_context_takeover; server_max_window_bits=10")
                .unwrap();
        let agreed = Params {
            server_no_context_takeover: true,
            server_max_window_bits: 10,
            ..Params::DEFAULT
        };
        assert!(offered.admits(&agreed));
        assert!(!offered.admits(&Params {
            server_max_window_bits: 11,
            ..agreed
        }));
        assert!(!offered.admits(&Params {
            server_no_context_takeover: false,
            ..agreed
        }));
        assert!(!offered.admits(&Params {
            client_max_window_bits: 14,
            ..agreed
        }));
        assert!(!offered.admits(&Params {
            server_max_window_bits: 7,
            ..agreed
        }));
        let bare = offer("permessage-deflate; client_max_window_bits").unwrap();
        assert!(bare.admits(&Params {
            client_max_window_bits: 8,
            ..Params::DEFAULT
        }));
        let nine = offer("permessage-deflate; client_max_window_bits=9").unwrap();
        assert!(nine.admits(&Params {
            client_max_window_bits: 9,
            ..Params::DEFAULT
        }));
        assert!(!nine.admits(&Params::DEFAULT));
    }
}
