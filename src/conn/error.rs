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
///
/// Non-exhaustive: features add faults of their own (`deflate`:
/// [`ProtocolError::InvalidCompressedData`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
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
    /// A data message arrived in more frames than the configured cap
    /// ([`Config::with_max_fragments`](crate::Config::with_max_fragments)). 1009.
    TooManyFragments {
        /// The cap in force: frames per message.
        max: u32,
    },
    /// A compressed message whose payload does not inflate (RFC 7692
    /// §7.2.2): 1007, as Node's `ws` sends (the frames are well formed; the
    /// data is not what the message type says).
    #[cfg(feature = "deflate")]
    InvalidCompressedData,
    /// Nothing arrived within the keepalive timeout after a ping. 1011.
    KeepaliveTimeout,
    /// The peer did not answer our Close within the close timeout
    /// ([`Config::with_close_timeout`](crate::Config::with_close_timeout)).
    /// Our Close was already sent, so no frame carries this; it is
    /// reported locally with 1006 (abnormal closure, RFC 6455 §7.1.5).
    CloseTimeout,
}

impl ProtocolError {
    /// The close code sent to the peer for this fault (RFC 6455 §7.4.1).
    #[must_use]
    pub const fn close_code(&self) -> CloseCode {
        self.kind().close_code()
    }

    /// The short reason sent in the Close frame.
    #[must_use]
    pub const fn reason(&self) -> &'static str {
        self.kind().reason()
    }

    /// The fault without its argument: what the Close frame says.
    pub(crate) const fn kind(&self) -> FaultKind {
        match self {
            Self::Frame(e) => match e {
                FrameError::ReservedBitsSet => FaultKind::ReservedBits,
                FrameError::ReservedOpcode(_) => FaultKind::ReservedOpcode,
                FrameError::ControlFrameTooLong => FaultKind::ControlFrameTooLong,
                FrameError::FragmentedControlFrame => FaultKind::FragmentedControlFrame,
                FrameError::NonMinimalLength => FaultKind::NonMinimalLength,
                FrameError::LengthTopBitSet => FaultKind::LengthTopBitSet,
            },
            Self::UnmaskedClientFrame => FaultKind::UnmaskedClientFrame,
            Self::MaskedServerFrame => FaultKind::MaskedServerFrame,
            Self::UnexpectedContinuation => FaultKind::UnexpectedContinuation,
            Self::ExpectedContinuation => FaultKind::ExpectedContinuation,
            Self::InvalidUtf8(_) => FaultKind::InvalidUtf8,
            Self::InvalidClose(CloseError::InvalidReason) => FaultKind::InvalidCloseReason,
            Self::InvalidClose(_) => FaultKind::InvalidClose,
            Self::MessageTooLong { .. } => FaultKind::MessageTooLong,
            Self::FrameTooLong { .. } => FaultKind::FrameTooLong,
            Self::TooManyFragments { .. } => FaultKind::TooManyFragments,
            #[cfg(feature = "deflate")]
            Self::InvalidCompressedData => FaultKind::InvalidCompressedData,
            Self::KeepaliveTimeout => FaultKind::KeepaliveTimeout,
            Self::CloseTimeout => FaultKind::CloseTimeout,
        }
    }
}

/// What a failed connection tells its peer: a [`ProtocolError`] without
/// its argument. It is all the sending side needs (the code and reason of
/// its Close), so it is what the control block shared by the halves keeps,
/// in one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum FaultKind {
    ReservedBits = 1,
    ReservedOpcode,
    ControlFrameTooLong,
    FragmentedControlFrame,
    NonMinimalLength,
    LengthTopBitSet,
    UnmaskedClientFrame,
    MaskedServerFrame,
    UnexpectedContinuation,
    ExpectedContinuation,
    InvalidUtf8,
    InvalidCloseReason,
    InvalidClose,
    MessageTooLong,
    FrameTooLong,
    TooManyFragments,
    KeepaliveTimeout,
    CloseTimeout,
    #[cfg(feature = "deflate")]
    InvalidCompressedData,
}

impl FaultKind {
    /// Every kind, in `repr` order (the index is the value less one).
    pub(crate) const ALL: [Self; 18 + cfg!(feature = "deflate") as usize] = [
        Self::ReservedBits,
        Self::ReservedOpcode,
        Self::ControlFrameTooLong,
        Self::FragmentedControlFrame,
        Self::NonMinimalLength,
        Self::LengthTopBitSet,
        Self::UnmaskedClientFrame,
        Self::MaskedServerFrame,
        Self::UnexpectedContinuation,
        Self::ExpectedContinuation,
        Self::InvalidUtf8,
        Self::InvalidCloseReason,
        Self::InvalidClose,
        Self::MessageTooLong,
        Self::FrameTooLong,
        Self::TooManyFragments,
        Self::KeepaliveTimeout,
        Self::CloseTimeout,
        #[cfg(feature = "deflate")]
        Self::InvalidCompressedData,
    ];

    /// The kind whose `repr` is `value`.
    pub(crate) fn from_u8(value: u8) -> Option<Self> {
        Self::ALL.get(usize::from(value).checked_sub(1)?).copied()
    }

    pub(crate) const fn close_code(self) -> CloseCode {
        match self {
            Self::ReservedBits
            | Self::ReservedOpcode
            | Self::ControlFrameTooLong
            | Self::FragmentedControlFrame
            | Self::NonMinimalLength
            | Self::LengthTopBitSet
            | Self::UnmaskedClientFrame
            | Self::MaskedServerFrame
            | Self::UnexpectedContinuation
            | Self::ExpectedContinuation
            | Self::InvalidClose => CloseCode::PROTOCOL_ERROR,
            Self::InvalidUtf8 | Self::InvalidCloseReason => CloseCode::INVALID_PAYLOAD,
            #[cfg(feature = "deflate")]
            Self::InvalidCompressedData => CloseCode::INVALID_PAYLOAD,
            Self::MessageTooLong | Self::FrameTooLong | Self::TooManyFragments => {
                CloseCode::MESSAGE_TOO_BIG
            }
            Self::KeepaliveTimeout => CloseCode::INTERNAL_ERROR,
            Self::CloseTimeout => CloseCode::ABNORMAL,
        }
    }

    pub(crate) const fn reason(self) -> &'static str {
        match self {
            Self::ReservedBits => "reserved bits set",
            Self::ReservedOpcode => "reserved opcode",
            Self::ControlFrameTooLong => "control frame too long",
            Self::FragmentedControlFrame => "fragmented control frame",
            Self::NonMinimalLength => "non-minimal length",
            Self::LengthTopBitSet => "invalid length",
            Self::UnmaskedClientFrame => "unmasked client frame",
            Self::MaskedServerFrame => "masked server frame",
            Self::UnexpectedContinuation => "unexpected continuation frame",
            Self::ExpectedContinuation => "expected continuation frame",
            Self::InvalidUtf8 => "invalid UTF-8",
            Self::InvalidCloseReason => "invalid UTF-8 in close reason",
            Self::InvalidClose => "invalid close frame",
            Self::MessageTooLong => "message too big",
            Self::FrameTooLong => "frame too big",
            Self::TooManyFragments => "too many fragments",
            Self::KeepaliveTimeout => "keepalive ping timeout",
            Self::CloseTimeout => "close timeout",
            #[cfg(feature = "deflate")]
            Self::InvalidCompressedData => "invalid compressed data",
        }
    }

    /// The error the sending side reports for a fault it found itself
    /// (the timeouts, which carry no argument); `None` for the others,
    /// whose whole error only the receiving side keeps.
    pub(crate) const fn timeout_error(self) -> Option<ProtocolError> {
        match self {
            Self::KeepaliveTimeout => Some(ProtocolError::KeepaliveTimeout),
            Self::CloseTimeout => Some(ProtocolError::CloseTimeout),
            _ => None,
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
            Self::TooManyFragments { max } => {
                write!(f, "message in more than {max} frames")
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
    /// A Close frame was sent, queued or received, or the connection
    /// failed (§5.5.1: no data after Close).
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
    /// A new message was started while another is unfinished (§5.4): one
    /// sent with [`Connection::encode_fragment`](crate::Connection::encode_fragment),
    /// or one sent in parts with [`Connection::encode_next`](crate::Connection::encode_next)
    /// (resume that with the same kind and payload).
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
            Self::MessageInProgress => f.write_str("another message is still being sent"),
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
