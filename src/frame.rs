//! Frame headers: RFC 6455 §5.2 base framing.
//!
//! [`Header::decode`] reads a header from the front of a byte slice and
//! returns [`Status::Partial`] when more bytes are needed — running out of
//! input is never an error. [`Header::encode`] writes one into a caller slice.
//! Both enforce the RFC's well-formedness rules, so a header that encodes
//! always decodes to itself.

use core::fmt;

use crate::Status;
use crate::close::CloseCode;

/// The longest header: 2 fixed bytes, an 8-byte extended length, a 4-byte
/// masking key (RFC 6455 §5.2).
pub const MAX_HEADER_LEN: usize = 14;

/// The largest payload a control frame may carry (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// A frame opcode (RFC 6455 §5.2, §11.8). Reserved values are rejected at
/// decode time, so an `Opcode` is always one the RFC defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Opcode {
    /// `0x0`: a continuation of a fragmented message (§5.4).
    Continuation,
    /// `0x1`: the first frame of a text message (UTF-8 payload).
    Text,
    /// `0x2`: the first frame of a binary message.
    Binary,
    /// `0x8`: connection close (§5.5.1).
    Close,
    /// `0x9`: ping (§5.5.2).
    Ping,
    /// `0xA`: pong (§5.5.3).
    Pong,
}

impl Opcode {
    /// The opcode for a 4-bit value, or `None` for the reserved values
    /// `0x3`–`0x7` and `0xB`–`0xF` (and anything wider than 4 bits).
    #[must_use]
    pub const fn from_u8(value: u8) -> Option<Self> {
        match value {
            0x0 => Some(Self::Continuation),
            0x1 => Some(Self::Text),
            0x2 => Some(Self::Binary),
            0x8 => Some(Self::Close),
            0x9 => Some(Self::Ping),
            0xA => Some(Self::Pong),
            _ => None,
        }
    }

    /// The 4-bit wire value.
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::Continuation => 0x0,
            Self::Text => 0x1,
            Self::Binary => 0x2,
            Self::Close => 0x8,
            Self::Ping => 0x9,
            Self::Pong => 0xA,
        }
    }

    /// Close, ping and pong are control frames (RFC 6455 §5.5): at most 125
    /// payload bytes, never fragmented, allowed between data fragments.
    #[must_use]
    pub const fn is_control(self) -> bool {
        matches!(self, Self::Close | Self::Ping | Self::Pong)
    }
}

/// The three reserved bits of the first header byte (RFC 6455 §5.2), as a
/// small bit set: [`Rsv::RSV1`] is `0b100`, [`Rsv::RSV3`] is `0b001`.
///
/// They must be zero unless an extension negotiated in the handshake gives
/// them a meaning (permessage-deflate uses RSV1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rsv(u8);

impl Rsv {
    /// No reserved bit.
    pub const NONE: Self = Self(0);
    /// RSV1 (`0x40` in the first byte).
    pub const RSV1: Self = Self(0b100);
    /// RSV2 (`0x20` in the first byte).
    pub const RSV2: Self = Self(0b010);
    /// RSV3 (`0x10` in the first byte).
    pub const RSV3: Self = Self(0b001);
    /// All three bits.
    pub const ALL: Self = Self(0b111);

    /// The bits from their low-three-bit form (higher bits are dropped).
    #[must_use]
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits & 0b111)
    }

    /// The bits in their low-three-bit form (RSV1 = `0b100`).
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Both sets together.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether every bit in `other` is also in `self`.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no bit is set.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A decoded or to-be-encoded frame header (RFC 6455 §5.2): a small `Copy`
/// value; the payload stays where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header {
    /// FIN: this is the final fragment of a message.
    pub fin: bool,
    /// The reserved bits.
    pub rsv: Rsv,
    /// The opcode.
    pub opcode: Opcode,
    /// The masking key, present exactly when the MASK bit is set (§5.3).
    pub mask: Option<[u8; 4]>,
    /// The payload length as declared on the wire (at most `2^63 - 1`).
    pub payload_len: u64,
}

/// Why a header is not a well-formed RFC 6455 header. Every variant is a
/// protocol error, answered with close code 1002 (§7.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FrameError {
    /// A reserved bit is set that no negotiated extension uses (§5.2).
    ReservedBitsSet,
    /// The opcode is one of the reserved values `0x3`–`0x7`, `0xB`–`0xF`.
    ReservedOpcode(u8),
    /// A control frame declares more than 125 payload bytes (§5.5).
    ControlFrameTooLong,
    /// A control frame without FIN: control frames cannot be fragmented (§5.5).
    FragmentedControlFrame,
    /// The length uses a longer form than needed (§5.2: "the minimal number of
    /// bytes MUST be used").
    NonMinimalLength,
    /// The 64-bit length has its most significant bit set (§5.2).
    LengthTopBitSet,
}

impl FrameError {
    /// The close code to send for this error: always 1002 (protocol error).
    #[must_use]
    pub const fn close_code(self) -> CloseCode {
        CloseCode::PROTOCOL_ERROR
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReservedBitsSet => {
                f.write_str("reserved bits set without a negotiated extension")
            }
            Self::ReservedOpcode(op) => write!(f, "reserved opcode {op:#x}"),
            Self::ControlFrameTooLong => f.write_str("control frame payload longer than 125 bytes"),
            Self::FragmentedControlFrame => f.write_str("control frame without FIN"),
            Self::NonMinimalLength => f.write_str("payload length not minimally encoded"),
            Self::LengthTopBitSet => f.write_str("64-bit payload length with the top bit set"),
        }
    }
}

impl core::error::Error for FrameError {}

/// Why a header could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The output slice is shorter than the header; `needed` is the header's length.
    BufferTooSmall {
        /// Bytes the header needs.
        needed: usize,
    },
    /// The header breaks a rule the decoder enforces (so it would not decode).
    Invalid(FrameError),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Self::Invalid(e) => write!(f, "invalid header: {e}"),
        }
    }
}

impl core::error::Error for EncodeError {}

impl Header {
    /// A final, unmasked header with no reserved bits.
    #[must_use]
    pub const fn new(opcode: Opcode, payload_len: u64) -> Self {
        Self {
            fin: true,
            rsv: Rsv::NONE,
            opcode,
            mask: None,
            payload_len,
        }
    }

    /// The same header with the given FIN bit.
    #[must_use]
    pub const fn with_fin(mut self, fin: bool) -> Self {
        self.fin = fin;
        self
    }

    /// The same header with the given masking key.
    #[must_use]
    pub const fn with_mask(mut self, mask: Option<[u8; 4]>) -> Self {
        self.mask = mask;
        self
    }

    /// Decode a header from the front of `bytes`, with every reserved bit
    /// forbidden. See [`Header::decode_with`].
    ///
    /// # Errors
    /// A [`FrameError`] when the bytes seen so far already break a rule.
    pub fn decode(bytes: &[u8]) -> Result<Status<(Self, usize)>, FrameError> {
        Self::decode_with(bytes, Rsv::NONE)
    }

    /// Decode a header from the front of `bytes` (RFC 6455 §5.2).
    ///
    /// Returns `Complete((header, header_len))` where the payload starts at
    /// `bytes[header_len..]`, or `Partial { needed }` with the number of
    /// further bytes the header needs: exact once the second byte (which
    /// holds the length form and the MASK bit) has been seen, and before
    /// that the bytes up to and including it. Errors are reported as early as the
    /// bytes allow: reserved bits and opcodes after one byte, control-frame
    /// rules after two. `allowed_rsv` names the reserved bits a negotiated
    /// extension has given a meaning to.
    ///
    /// # Errors
    /// A [`FrameError`] for a reserved bit outside `allowed_rsv`, a reserved
    /// opcode, a control frame that is fragmented or longer than 125 bytes,
    /// a non-minimal length or a 64-bit length with its top bit set.
    #[inline]
    pub fn decode_with(
        bytes: &[u8],
        allowed_rsv: Rsv,
    ) -> Result<Status<(Self, usize)>, FrameError> {
        let Some((&b0, rest)) = bytes.split_first() else {
            return Ok(Status::Partial { needed: 2 });
        };
        let fin = b0 & 0x80 != 0;
        let rsv = Rsv::from_bits(b0 >> 4);
        if !allowed_rsv.contains(rsv) {
            return Err(FrameError::ReservedBitsSet);
        }
        let raw_opcode = b0 & 0x0F;
        let opcode = Opcode::from_u8(raw_opcode).ok_or(FrameError::ReservedOpcode(raw_opcode))?;
        if opcode.is_control() && !fin {
            return Err(FrameError::FragmentedControlFrame);
        }
        let Some((&b1, rest)) = rest.split_first() else {
            return Ok(Status::Partial { needed: 1 });
        };
        let masked = b1 & 0x80 != 0;
        let len7 = b1 & 0x7F;
        if opcode.is_control() && usize::from(len7) > MAX_CONTROL_PAYLOAD {
            return Err(FrameError::ControlFrameTooLong);
        }
        let ext_len = match len7 {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let mask_len = if masked { 4 } else { 0 };
        let header_len = 2 + ext_len + mask_len;
        if rest.len() < ext_len + mask_len {
            return Ok(Status::Partial {
                needed: ext_len + mask_len - rest.len(),
            });
        }
        let (payload_len, rest) = match len7 {
            126 => {
                let Some((ext, rest)) = rest.split_first_chunk::<2>() else {
                    return Ok(Status::Partial { needed: 2 });
                };
                let len = u16::from_be_bytes(*ext);
                if len < 126 {
                    return Err(FrameError::NonMinimalLength);
                }
                (u64::from(len), rest)
            }
            127 => {
                let Some((ext, rest)) = rest.split_first_chunk::<8>() else {
                    return Ok(Status::Partial { needed: 8 });
                };
                let len = u64::from_be_bytes(*ext);
                if len & (1 << 63) != 0 {
                    return Err(FrameError::LengthTopBitSet);
                }
                if len <= u64::from(u16::MAX) {
                    return Err(FrameError::NonMinimalLength);
                }
                (len, rest)
            }
            short => (u64::from(short), rest),
        };
        let mask = if masked {
            let Some((key, _)) = rest.split_first_chunk::<4>() else {
                return Ok(Status::Partial { needed: 4 });
            };
            Some(*key)
        } else {
            None
        };
        Ok(Status::Complete((
            Self {
                fin,
                rsv,
                opcode,
                mask,
                payload_len,
            },
            header_len,
        )))
    }

    /// Decode the common case in one step: a final text or binary frame
    /// header with no reserved bits and a 7- or 16-bit length, complete in
    /// `bytes`. `None` for anything else, including a header that is still
    /// partial or malformed; [`Header::decode_with`] then decides. Whenever
    /// this returns a header, `decode_with` returns the same one with the
    /// same length (the tests compare the two on every first two bytes).
    #[inline(always)]
    #[must_use]
    pub fn decode_short(bytes: &[u8]) -> Option<(Self, usize)> {
        let (&[b0, b1], rest) = bytes.split_first_chunk::<2>()?;
        let opcode = match b0 {
            0x81 => Opcode::Text,
            0x82 => Opcode::Binary,
            _ => return None,
        };
        let (payload_len, ext, rest) = match b1 & 0x7F {
            126 => {
                let (ext, rest) = rest.split_first_chunk::<2>()?;
                let len = u16::from_be_bytes(*ext);
                if len < 126 {
                    return None;
                }
                (u64::from(len), 2, rest)
            }
            127 => return None,
            short => (u64::from(short), 0, rest),
        };
        let (mask, mask_len) = if b1 & 0x80 != 0 {
            (Some(*rest.first_chunk::<4>()?), 4)
        } else {
            (None, 0)
        };
        let header = Self {
            fin: true,
            rsv: Rsv::NONE,
            opcode,
            mask,
            payload_len,
        };
        Some((header, 2 + ext + mask_len))
    }

    /// Encode the header of a final frame with no reserved bits and a
    /// payload of at most 125 bytes (`len`): 2 bytes, or 6 with a mask. The
    /// bytes [`Header::encode`] writes for the same header; `None`, with
    /// nothing written, when `len` is over 125 or `out` is too short.
    #[inline(always)]
    pub fn encode_short(
        opcode: Opcode,
        len: usize,
        mask: Option<[u8; 4]>,
        out: &mut [u8],
    ) -> Option<usize> {
        if len > MAX_CONTROL_PAYLOAD {
            return None;
        }
        let b0 = 0x80 | opcode.as_u8();
        let len7 = len as u8; // at most 125
        match mask {
            None => put(out, [b0, len7]).then_some(2),
            Some([k0, k1, k2, k3]) => put(out, [b0, 0x80 | len7, k0, k1, k2, k3]).then_some(6),
        }
    }

    /// The number of bytes [`Header::encode`] writes: 2 to 14.
    #[must_use]
    pub const fn encoded_len(&self) -> usize {
        let ext = if self.payload_len < 126 {
            0
        } else if self.payload_len <= u16::MAX as u64 {
            2
        } else {
            8
        };
        let mask = if self.mask.is_some() { 4 } else { 0 };
        2 + ext + mask
    }

    /// Check the rules [`Header::decode`] enforces, with `allowed_rsv` as
    /// the reserved bits in use.
    ///
    /// # Errors
    /// The first rule the header breaks.
    pub const fn validate(&self, allowed_rsv: Rsv) -> Result<(), FrameError> {
        if !allowed_rsv.contains(self.rsv) {
            return Err(FrameError::ReservedBitsSet);
        }
        if self.opcode.is_control() {
            if !self.fin {
                return Err(FrameError::FragmentedControlFrame);
            }
            if self.payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(FrameError::ControlFrameTooLong);
            }
        }
        if self.payload_len & (1 << 63) != 0 {
            return Err(FrameError::LengthTopBitSet);
        }
        Ok(())
    }

    /// Encode the header into the front of `out` with the minimal length
    /// form, returning the number of bytes written. The payload (masked, if
    /// the header has a key) is the caller's to write after it.
    ///
    /// Reserved bits set in the header are written as given; a header that
    /// breaks a control-frame or length rule is refused.
    ///
    /// # Errors
    /// [`EncodeError::BufferTooSmall`] when `out` is shorter than
    /// [`Header::encoded_len`]; [`EncodeError::Invalid`] when the header
    /// would not decode.
    #[inline]
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate(Rsv::ALL).map_err(EncodeError::Invalid)?;
        let needed = self.encoded_len();
        if out.len() < needed {
            return Err(EncodeError::BufferTooSmall { needed });
        }
        let b0 = (u8::from(self.fin) << 7) | (self.rsv.bits() << 4) | self.opcode.as_u8();
        let [w0, w1, w2, w3, w4, w5, w6, w7] = self.payload_len.to_be_bytes();
        // One fixed-size store per length form (no per-part copies).
        let written = match (self.mask, u8::try_from(self.payload_len)) {
            (None, Ok(len7 @ 0..=125)) => put(out, [b0, len7]),
            (Some([k0, k1, k2, k3]), Ok(len7 @ 0..=125)) => {
                put(out, [b0, 0x80 | len7, k0, k1, k2, k3])
            }
            (None, _) if self.payload_len <= u64::from(u16::MAX) => put(out, [b0, 126, w6, w7]),
            (Some([k0, k1, k2, k3]), _) if self.payload_len <= u64::from(u16::MAX) => {
                put(out, [b0, 0x80 | 126, w6, w7, k0, k1, k2, k3])
            }
            (None, _) => put(out, [b0, 127, w0, w1, w2, w3, w4, w5, w6, w7]),
            (Some([k0, k1, k2, k3]), _) => put(
                out,
                [
                    b0,
                    0x80 | 127,
                    w0,
                    w1,
                    w2,
                    w3,
                    w4,
                    w5,
                    w6,
                    w7,
                    k0,
                    k1,
                    k2,
                    k3,
                ],
            ),
        };
        if !written {
            return Err(EncodeError::BufferTooSmall { needed });
        }
        Ok(needed)
    }
}

/// Write `bytes` at the front of `out`; `false` when it is too short.
fn put<const N: usize>(out: &mut [u8], bytes: [u8; N]) -> bool {
    match out.first_chunk_mut::<N>() {
        Some(dst) => {
            *dst = bytes;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests;
