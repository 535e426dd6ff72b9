//! What can go wrong on a connection, each fault with its close code.

use core::fmt;

use crate::close::{CloseCode, CloseError};
use crate::frame::FrameError;
use crate::utf8::Utf8Error;

/// A violation by the peer (or a dead peer) that failed the connection.
///
/// By the time the caller sees one, the connection has queued the Close
/// frame with [`ProtocolError::close_code`] (RFC 6455 §7.1.7, §7.4.1);
/// send it with [`Connection::poll_transmit`](crate::Connection::poll_transmit)
/// and then close the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ProtocolError {
    /// A malformed frame header (§5.2). 1002.
    Frame(FrameError),
    /// A server received an unmasked frame (§5.1). 1002.
    UnmaskedClientFrame,
    /// A client received a masked frame (§5.1). 1002.
    MaskedServerFrame,
    /// A continuation frame with no message in progress (§5.4). 1002.
    UnexpectedContinuation,
    /// A new text or binary frame while a fragmented message is still open (§5.4). 1002.
    ExpectedContinuation,
    /// A text message (or close reason) that is not UTF-8 (§8.1). 1007.
    InvalidUtf8(Utf8Error),
    /// A malformed Close payload (§5.5.1, §7.4). 1002, or 1007 for a reason that is not UTF-8.
    InvalidClose(CloseError),
    /// A frame whose declared length takes the message past the cap (or
    /// past what the receive buffer can hold). Refused from the header. 1009.
    MessageTooLong {
        /// The message length the frame would reach, saturated at `u64::MAX`.
        len: u64,
        /// The cap in force.
        max: u64,
    },
    /// A single frame declares more than the configured frame cap. 1009.
    FrameTooLong {
        /// The declared payload length.
        len: u64,
        /// The cap in force.
        max: u64,
    },
    /// Nothing arrived within the keepalive timeout after a ping. 1011.
    KeepaliveTimeout,
}

impl ProtocolError {
    /// The close code sent to the peer for this fault (RFC 6455 §7.4.1).
    #[must_use]
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Self::Frame(_)
            | Self::UnmaskedClientFrame
            | Self::MaskedServerFrame
            | Self::UnexpectedContinuation
            | Self::ExpectedContinuation => CloseCode::PROTOCOL_ERROR,
            Self::InvalidUtf8(_) => CloseCode::INVALID_PAYLOAD,
            Self::InvalidClose(e) => e.close_code(),
            Self::MessageTooLong { .. } | Self::FrameTooLong { .. } => CloseCode::MESSAGE_TOO_BIG,
            Self::KeepaliveTimeout => CloseCode::INTERNAL_ERROR,
        }
    }

    /// The short reason sent in the Close frame.
    #[must_use]
    pub const fn reason(&self) -> &'static str {
        match self {
            Self::Frame(FrameError::ReservedBitsSet) => "reserved bits set",
            Self::Frame(FrameError::ReservedOpcode(_)) => "reserved opcode",
            Self::Frame(FrameError::ControlFrameTooLong) => "control frame too long",
            Self::Frame(FrameError::FragmentedControlFrame) => "fragmented control frame",
            Self::Frame(FrameError::NonMinimalLength) => "non-minimal length",
            Self::Frame(FrameError::LengthTopBitSet) => "invalid length",
            Self::UnmaskedClientFrame => "unmasked client frame",
            Self::MaskedServerFrame => "masked server frame",
            Self::UnexpectedContinuation => "unexpected continuation frame",
            Self::ExpectedContinuation => "expected continuation frame",
            Self::InvalidUtf8(_) => "invalid UTF-8",
            Self::InvalidClose(CloseError::InvalidReason) => "invalid UTF-8 in close reason",
            Self::InvalidClose(_) => "invalid close frame",
            Self::MessageTooLong { .. } => "message too big",
            Self::FrameTooLong { .. } => "frame too big",
            Self::KeepaliveTimeout => "keepalive ping timeout",
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Frame(e) => write!(f, "malformed frame: {e}"),
            Self::InvalidUtf8(e) => write!(f, "text message: {e}"),
            Self::InvalidClose(e) => write!(f, "close frame: {e}"),
            Self::MessageTooLong { len, max } => {
                write!(f, "message of {len} bytes exceeds the {max}-byte limit")
            }
            Self::FrameTooLong { len, max } => {
                write!(f, "frame of {len} bytes exceeds the {max}-byte limit")
            }
            other => f.write_str(other.reason()),
        }?;
        write!(f, " (close code {})", self.close_code())
    }
}

impl core::error::Error for ProtocolError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Frame(e) => Some(e),
            Self::InvalidUtf8(e) => Some(e),
            Self::InvalidClose(e) => Some(e),
            _ => None,
        }
    }
}

impl From<FrameError> for ProtocolError {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

/// Why something could not be sent. Nothing was written when one is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SendError {
    /// The opening handshake has not completed; data cannot be sent yet.
    NotOpen,
    /// A Close frame was sent or queued (§5.5.1: no data after Close).
    Closing,
    /// The message is longer than the configured cap.
    MessageTooLong {
        /// The message length (for a streamed message, the length so far).
        len: u64,
        /// The cap in force.
        max: u64,
    },
    /// A control frame payload over 125 bytes (§5.5).
    ControlPayloadTooLong,
    /// The output slice is too small; `needed` bytes would fit everything.
    BufferTooSmall {
        /// The bytes needed.
        needed: usize,
    },
    /// A streamed text message is not UTF-8 (§8.1).
    InvalidUtf8(Utf8Error),
    /// A new message was started while a streamed one is unfinished (§5.4).
    MessageInProgress,
    /// The close code may not be sent, or the reason is too long.
    InvalidClose(CloseError),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotOpen => f.write_str("the opening handshake has not completed"),
            Self::Closing => f.write_str("the connection is closing"),
            Self::MessageTooLong { len, max } => {
                write!(f, "message of {len} bytes exceeds the {max}-byte limit")
            }
            Self::ControlPayloadTooLong => {
                f.write_str("control frame payload longer than 125 bytes")
            }
            Self::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Self::InvalidUtf8(e) => write!(f, "text message: {e}"),
            Self::MessageInProgress => f.write_str("a streamed message is still in progress"),
            Self::InvalidClose(e) => write!(f, "close frame: {e}"),
        }
    }
}

impl core::error::Error for SendError {}

/// The receive buffer handed to [`Connection::new`](crate::Connection::new) is too small.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferTooSmall {
    /// The minimum length.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "buffer too small: at least {} bytes needed", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}

/// [`pack`] code of [`ProtocolError::KeepaliveTimeout`], the one fault
/// found while an event may still be pending.
pub(super) const KEEPALIVE: u8 = 21;

/// A fault as one byte (never 0) and a 64-bit argument, so that a
/// connection need not hold a whole `ProtocolError` (24 bytes on 32-bit
/// targets). Caps are not kept: [`unpack`] is given them back.
pub(super) const fn pack(error: ProtocolError) -> (u8, u64) {
    match error {
        ProtocolError::Frame(e) => match e {
            FrameError::ReservedBitsSet => (1, 0),
            FrameError::ReservedOpcode(op) => (2, op as u64),
            FrameError::ControlFrameTooLong => (3, 0),
            FrameError::FragmentedControlFrame => (4, 0),
            FrameError::NonMinimalLength => (5, 0),
            FrameError::LengthTopBitSet => (6, 0),
        },
        ProtocolError::UnmaskedClientFrame => (7, 0),
        ProtocolError::MaskedServerFrame => (8, 0),
        ProtocolError::UnexpectedContinuation => (9, 0),
        ProtocolError::ExpectedContinuation => (10, 0),
        ProtocolError::InvalidUtf8(e) => {
            let code = if e.is_incomplete() { 12 } else { 11 };
            (code, e.valid_up_to() as u64)
        }
        ProtocolError::InvalidClose(e) => match e {
            CloseError::OneBytePayload => (13, 0),
            CloseError::PayloadTooLong => (14, 0),
            CloseError::InvalidCode(code) => (15, code as u64),
            CloseError::InvalidReason => (16, 0),
            CloseError::ReasonTooLong => (17, 0),
            CloseError::BufferTooSmall { needed } => (18, needed as u64),
        },
        ProtocolError::MessageTooLong { len, .. } => (19, len),
        ProtocolError::FrameTooLong { len, .. } => (20, len),
        ProtocolError::KeepaliveTimeout => (KEEPALIVE, 0),
    }
}

/// The fault [`pack`] packed, with the caps in force (`max_message` for
/// [`ProtocolError::MessageTooLong`], `max_frame` for
/// [`ProtocolError::FrameTooLong`]); `None` for 0.
pub(super) fn unpack(
    code: u8,
    wide: u64,
    max_message: u64,
    max_frame: u64,
) -> Option<ProtocolError> {
    let narrow = usize::try_from(wide).unwrap_or(usize::MAX);
    let byte = u8::try_from(wide).unwrap_or(u8::MAX);
    let short = u16::try_from(wide).unwrap_or(u16::MAX);
    Some(match code {
        1 => ProtocolError::Frame(FrameError::ReservedBitsSet),
        2 => ProtocolError::Frame(FrameError::ReservedOpcode(byte)),
        3 => ProtocolError::Frame(FrameError::ControlFrameTooLong),
        4 => ProtocolError::Frame(FrameError::FragmentedControlFrame),
        5 => ProtocolError::Frame(FrameError::NonMinimalLength),
        6 => ProtocolError::Frame(FrameError::LengthTopBitSet),
        7 => ProtocolError::UnmaskedClientFrame,
        8 => ProtocolError::MaskedServerFrame,
        9 => ProtocolError::UnexpectedContinuation,
        10 => ProtocolError::ExpectedContinuation,
        11 => ProtocolError::InvalidUtf8(Utf8Error::at(narrow, false)),
        12 => ProtocolError::InvalidUtf8(Utf8Error::at(narrow, true)),
        13 => ProtocolError::InvalidClose(CloseError::OneBytePayload),
        14 => ProtocolError::InvalidClose(CloseError::PayloadTooLong),
        15 => ProtocolError::InvalidClose(CloseError::InvalidCode(short)),
        16 => ProtocolError::InvalidClose(CloseError::InvalidReason),
        17 => ProtocolError::InvalidClose(CloseError::ReasonTooLong),
        18 => ProtocolError::InvalidClose(CloseError::BufferTooSmall { needed: narrow }),
        19 => ProtocolError::MessageTooLong {
            len: wide,
            max: max_message,
        },
        20 => ProtocolError::FrameTooLong {
            len: wide,
            max: max_frame,
        },
        KEEPALIVE => ProtocolError::KeepaliveTimeout,
        _ => return None,
    })
}
