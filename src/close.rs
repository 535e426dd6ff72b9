//! Close codes and close-frame payloads (RFC 6455 §5.5.1, §7.4).
//!
//! A Close frame's payload is empty, or a 2-byte big-endian status code
//! followed by a UTF-8 reason, 125 bytes in all. [`CloseCode`] knows which
//! codes may appear on the wire; [`parse_payload`] validates a received
//! payload and [`encode_payload`] builds one.

use core::fmt;

/// The longest Close payload: a control frame's 125 bytes (RFC 6455 §5.5).
/// Kept here, not taken from `frame`, so that the wire modules do not
/// import each other (`frame` uses [`CloseCode`]); a test ties the two.
pub const MAX_PAYLOAD_LEN: usize = 125;

/// The longest reason that fits a Close frame beside its 2-byte code.
pub const MAX_REASON_LEN: usize = MAX_PAYLOAD_LEN - 2;

/// A close status code (RFC 6455 §7.4). Any `u16` can be held; use
/// [`CloseCode::is_sendable`] to ask whether it may appear on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CloseCode(u16);

/// Where a close code falls in the RFC 6455 §7.4.2 ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CodeClass {
    /// Defined by RFC 6455 or registered with IANA, and allowed in a Close
    /// frame: 1000–1003, 1007–1014.
    Standard,
    /// Defined but reserved for local use, never sent in a frame: 1004,
    /// 1005 (no status received), 1006 (abnormal closure), 1015 (TLS failure).
    Reserved,
    /// 3000–3999 (registered with IANA by libraries and frameworks) and
    /// 4000–4999 (private use): allowed on the wire.
    Private,
    /// Anything else (0–999, 1016–2999, 5000 and up): a protocol error if received.
    Invalid,
}

impl CloseCode {
    /// 1000: normal closure.
    pub const NORMAL: Self = Self(1000);
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    pub const GOING_AWAY: Self = Self(1001);
    /// 1002: protocol error.
    pub const PROTOCOL_ERROR: Self = Self(1002);
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: Self = Self(1003);
    /// 1005: no status code was present (local use only, never sent).
    pub const NO_STATUS: Self = Self(1005);
    /// 1006: the connection closed without a Close frame (local use only).
    pub const ABNORMAL: Self = Self(1006);
    /// 1007: data inconsistent with the message type (e.g. text that is not UTF-8).
    pub const INVALID_PAYLOAD: Self = Self(1007);
    /// 1008: a message violates the endpoint's policy.
    pub const POLICY_VIOLATION: Self = Self(1008);
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: Self = Self(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: Self = Self(1010);
    /// 1011: an unexpected condition prevented the server from fulfilling the request.
    pub const INTERNAL_ERROR: Self = Self(1011);
    /// 1012: the service is restarting (IANA registry).
    pub const SERVICE_RESTART: Self = Self(1012);
    /// 1013: try again later (IANA registry).
    pub const TRY_AGAIN_LATER: Self = Self(1013);
    /// 1014: bad gateway (IANA registry).
    pub const BAD_GATEWAY: Self = Self(1014);
    /// 1015: TLS handshake failure (local use only).
    pub const TLS_HANDSHAKE: Self = Self(1015);

    /// Any code, valid or not.
    #[must_use]
    pub const fn new(code: u16) -> Self {
        Self(code)
    }

    /// The numeric value.
    #[must_use]
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// Which §7.4 range the code is in.
    #[must_use]
    pub const fn class(self) -> CodeClass {
        match self.0 {
            1000..=1003 | 1007..=1014 => CodeClass::Standard,
            1004..=1006 | 1015 => CodeClass::Reserved,
            3000..=4999 => CodeClass::Private,
            _ => CodeClass::Invalid,
        }
    }

    /// Whether the code may be sent in, or accepted from, a Close frame.
    #[must_use]
    pub const fn is_sendable(self) -> bool {
        matches!(self.class(), CodeClass::Standard | CodeClass::Private)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        Self(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        code.0
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A parsed Close payload: a code and a reason borrowed from the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CloseFrame<'a> {
    /// The status code; always [`CloseCode::is_sendable`] when parsed.
    pub code: CloseCode,
    /// The reason, possibly empty.
    pub reason: &'a str,
}

/// Why a Close payload is malformed, or cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CloseError {
    /// A 1-byte payload: too short for a code, too long for none (§5.5.1). 1002.
    OneBytePayload,
    /// More than 125 bytes (§5.5). 1002.
    PayloadTooLong,
    /// A code that is reserved or outside the allowed ranges (§7.4). 1002.
    InvalidCode(u16),
    /// The reason is not UTF-8 (§5.5.1). 1007.
    InvalidReason,
    /// The reason is longer than 123 bytes (building only).
    ReasonTooLong,
    /// The output slice is too small (building only).
    BufferTooSmall {
        /// Bytes the payload needs.
        needed: usize,
    },
}

impl CloseError {
    /// The close code to answer a malformed received Close frame with.
    #[must_use]
    pub const fn close_code(self) -> CloseCode {
        match self {
            Self::InvalidReason => CloseCode::INVALID_PAYLOAD,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
}

impl fmt::Display for CloseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OneBytePayload => f.write_str("close payload of one byte"),
            Self::PayloadTooLong => f.write_str("close payload longer than 125 bytes"),
            Self::InvalidCode(code) => write!(f, "close code {code} is not allowed on the wire"),
            Self::InvalidReason => f.write_str("close reason is not UTF-8"),
            Self::ReasonTooLong => f.write_str("close reason longer than 123 bytes"),
            Self::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
        }
    }
}

impl core::error::Error for CloseError {}

/// Parse and validate a received Close payload (already unmasked).
///
/// Returns `None` for an empty payload (the peer gave no code; report 1005
/// locally and echo an empty Close).
///
/// # Errors
/// [`CloseError::OneBytePayload`], [`CloseError::PayloadTooLong`],
/// [`CloseError::InvalidCode`] or [`CloseError::InvalidReason`]; each knows
/// its [`CloseError::close_code`].
pub fn parse_payload(payload: &[u8]) -> Result<Option<CloseFrame<'_>>, CloseError> {
    if payload.len() > MAX_PAYLOAD_LEN {
        return Err(CloseError::PayloadTooLong);
    }
    let Some((code, reason)) = payload.split_first_chunk::<2>() else {
        return if payload.is_empty() {
            Ok(None)
        } else {
            Err(CloseError::OneBytePayload)
        };
    };
    let code = CloseCode(u16::from_be_bytes(*code));
    if !code.is_sendable() {
        return Err(CloseError::InvalidCode(code.0));
    }
    let reason = core::str::from_utf8(reason).map_err(|_| CloseError::InvalidReason)?;
    Ok(Some(CloseFrame { code, reason }))
}

/// The payload length [`encode_payload`] writes for `frame`.
#[must_use]
pub const fn payload_len(frame: Option<&CloseFrame<'_>>) -> usize {
    match frame {
        Some(f) => 2 + f.reason.len(),
        None => 0,
    }
}

/// Build a Close payload into `out`: nothing for `None`, else the code and
/// the reason. Returns the number of bytes written.
///
/// # Errors
/// [`CloseError::InvalidCode`] for a code that may not be sent,
/// [`CloseError::ReasonTooLong`] past 123 bytes, and
/// [`CloseError::BufferTooSmall`].
pub fn encode_payload(frame: Option<&CloseFrame<'_>>, out: &mut [u8]) -> Result<usize, CloseError> {
    let Some(frame) = frame else { return Ok(0) };
    if !frame.code.is_sendable() {
        return Err(CloseError::InvalidCode(frame.code.0));
    }
    if frame.reason.len() > MAX_REASON_LEN {
        return Err(CloseError::ReasonTooLong);
    }
    let needed = 2 + frame.reason.len();
    let Some((code, reason)) = out
        .get_mut(..needed)
        .and_then(|o| o.split_first_chunk_mut::<2>())
    else {
        return Err(CloseError::BufferTooSmall { needed });
    };
    *code = frame.code.0.to_be_bytes();
    // A zipped loop: no length check that could panic (the lengths match).
    for (d, s) in reason.iter_mut().zip(frame.reason.as_bytes()) {
        *d = *s;
    }
    Ok(needed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_cap_is_the_control_frame_cap() {
        assert_eq!(MAX_PAYLOAD_LEN, crate::frame::MAX_CONTROL_PAYLOAD);
    }

    #[test]
    fn classes() {
        for c in [
            1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
            4000, 4999,
        ] {
            assert!(CloseCode::new(c).is_sendable(), "{c}");
        }
        for c in [
            0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
        ] {
            assert!(!CloseCode::new(c).is_sendable(), "{c}");
        }
        assert_eq!(CloseCode::new(1005).class(), CodeClass::Reserved);
        assert_eq!(CloseCode::new(4001).class(), CodeClass::Private);
        assert_eq!(CloseCode::new(2000).class(), CodeClass::Invalid);
    }

    #[test]
    fn parse_valid() {
        assert_eq!(parse_payload(&[]), Ok(None));
        assert_eq!(
            parse_payload(b"\x03\xe8bye"),
            Ok(Some(CloseFrame {
                code: CloseCode::NORMAL,
                reason: "bye"
            }))
        );
    }

    #[test]
    fn parse_malformed() {
        assert_eq!(parse_payload(&[0x03]), Err(CloseError::OneBytePayload));
        assert_eq!(
            parse_payload(&[0x03, 0xed]),
            Err(CloseError::InvalidCode(1005))
        );
        assert_eq!(
            parse_payload(&[0x00, 0x00]),
            Err(CloseError::InvalidCode(0))
        );
        assert_eq!(
            parse_payload(b"\x03\xe8\xff"),
            Err(CloseError::InvalidReason)
        );
        assert_eq!(parse_payload(&[0x03; 126]), Err(CloseError::PayloadTooLong));
        assert_eq!(
            CloseError::InvalidReason.close_code(),
            CloseCode::INVALID_PAYLOAD
        );
        assert_eq!(
            CloseError::OneBytePayload.close_code(),
            CloseCode::PROTOCOL_ERROR
        );
    }

    #[test]
    fn encode_round_trip() {
        let mut out = [0u8; 125];
        let frame = CloseFrame {
            code: CloseCode::new(4000),
            reason: "going",
        };
        let n = encode_payload(Some(&frame), &mut out).unwrap();
        assert_eq!(n, 7);
        assert_eq!(parse_payload(&out[..n]), Ok(Some(frame)));
        assert_eq!(encode_payload(None, &mut out), Ok(0));
    }

    #[test]
    fn encode_refuses() {
        let mut out = [0u8; 125];
        let bad = CloseFrame {
            code: CloseCode::ABNORMAL,
            reason: "",
        };
        assert_eq!(
            encode_payload(Some(&bad), &mut out),
            Err(CloseError::InvalidCode(1006))
        );
        let long = [b'a'; 124];
        let long = core::str::from_utf8(&long).unwrap();
        let too_long = CloseFrame {
            code: CloseCode::NORMAL,
            reason: long,
        };
        assert_eq!(
            encode_payload(Some(&too_long), &mut out),
            Err(CloseError::ReasonTooLong)
        );
        let ok = CloseFrame {
            code: CloseCode::NORMAL,
            reason: "abc",
        };
        assert_eq!(
            encode_payload(Some(&ok), &mut out[..4]),
            Err(CloseError::BufferTooSmall { needed: 5 })
        );
    }
}
