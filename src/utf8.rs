//! Incremental UTF-8 validation (RFC 6455 §5.6, §8.1).
//!
//! A text message may arrive in fragments and each fragment in pieces; the
//! RFC asks an endpoint to fail the connection as soon as it sees invalid
//! UTF-8. [`Validator`] is fed the pieces in order, rejects at the first byte
//! that cannot begin or continue a valid sequence, carries an incomplete
//! sequence (at most 3 bytes) across piece boundaries, and [`Validator::finish`]
//! says whether the message ended mid-sequence.
//!
//! [`from_utf8`] is the whole-text check: `core::str::from_utf8`'s result,
//! faster on the short texts WebSocket messages mostly are. On 64-bit CPUs
//! it checks ASCII eight bytes at a time, then runs a shift-based DFA (one
//! table load and one shift per byte, see `Dfa`); longer texts, and all
//! text on 32-bit targets, go to `core` (or, with the `simdutf8` feature,
//! to `simdutf8` from 64 bytes on). The validator uses the same check on
//! each piece; only the few bytes of a sequence split across pieces go
//! through a small side buffer.

use core::fmt;

use crate::close::CloseCode;

/// Where and how a text payload stopped being UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Utf8Error {
    valid_up_to: usize,
    incomplete: bool,
}

impl Utf8Error {
    /// An error at `valid_up_to`; `incomplete` when the input ended mid-sequence.
    /// The same fault as `core`'s error over the whole message.
    pub(crate) const fn from_core(e: core::str::Utf8Error) -> Self {
        Self::at(e.valid_up_to(), e.error_len().is_none())
    }

    pub(crate) const fn at(valid_up_to: usize, incomplete: bool) -> Self {
        Self {
            valid_up_to,
            incomplete,
        }
    }

    /// The number of bytes, from the start of the message, that form valid
    /// UTF-8; the offending sequence starts here. Equal to
    /// `core::str::Utf8Error::valid_up_to` over the whole message.
    #[must_use]
    pub const fn valid_up_to(&self) -> usize {
        self.valid_up_to
    }

    /// `true` when the message ended inside a sequence that was valid so far
    /// (reported by [`Validator::finish`]); `false` for an invalid byte.
    #[must_use]
    pub const fn is_incomplete(&self) -> bool {
        self.incomplete
    }

    /// The close code for a text message that is not UTF-8: 1007 (§7.4.1).
    #[must_use]
    pub const fn close_code(&self) -> CloseCode {
        CloseCode::INVALID_PAYLOAD
    }
}

impl fmt::Display for Utf8Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.incomplete {
            write!(
                f,
                "text ends inside a UTF-8 sequence starting at byte {}",
                self.valid_up_to
            )
        } else {
            write!(f, "invalid UTF-8 sequence at byte {}", self.valid_up_to)
        }
    }
}

impl core::error::Error for Utf8Error {}

/// Texts up to this long are checked by the DFA; longer ones by `core` (or
/// `simdutf8`), which are faster there.
const DFA_MAX: usize = 256;

/// The DFA shifts 64-bit rows and reads a 2 KiB table: a win on 64-bit
/// CPUs (about 1.6x `core` on short multibyte text), not on 32-bit
/// microcontrollers, where a 64-bit shift takes several instructions and
/// the table would cost flash. There `core::str::from_utf8` does it all.
const USE_DFA: bool = cfg!(target_pointer_width = "64");

/// With `simdutf8`, texts from this long go to it (it wins from about 64 bytes).
#[cfg(feature = "simdutf8")]
const SIMD_MIN: usize = 64;

/// Check `bytes` and return them as text: the same result as
/// `core::str::from_utf8`, faster on short and (with the `simdutf8`
/// feature) long texts.
///
/// ```
/// assert_eq!(wsframe::utf8::from_utf8("κόσμε".as_bytes()), Ok("κόσμε"));
/// let err = wsframe::utf8::from_utf8(b"ok\xe2\x28").unwrap_err();
/// assert_eq!(err.valid_up_to(), 2);
/// ```
///
/// # Errors
/// [`Utf8Error`] at the same position `core` reports.
pub fn from_utf8(bytes: &[u8]) -> Result<&str, Utf8Error> {
    #[cfg(feature = "simdutf8")]
    if bytes.len() >= SIMD_MIN {
        if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
            return Ok(text);
        }
    }
    if USE_DFA && bytes.len() <= DFA_MAX && Dfa::accepts(bytes) {
        #[allow(unsafe_code)]
        // SAFETY: `Dfa::accepts` is true only for well-formed UTF-8 (the
        // DFA is the RFC 3629 grammar; tests compare it with `core` on every
        // input of up to three bytes, every four-byte sequence shape, and
        // random texts, and `ci/miri.sh` runs them under Miri; the `utf8`
        // fuzz target compares `from_utf8` with `core` on every input).
        return Ok(unsafe { core::str::from_utf8_unchecked(bytes) });
    }
    core::str::from_utf8(bytes).map_err(Utf8Error::from_core)
}

/// A shift-based DFA for UTF-8 (RFC 3629 §4). A state is a bit offset (a
/// multiple of 6) into a 64-bit row; the row of a byte holds, at each
/// state's offset, the next state. So a step is one load and one shift:
/// `state = ROWS[byte] >> state`, with the shift count taken modulo 64 so
/// the bits above a state's six never matter. Rejection is absorbing.
struct Dfa;

impl Dfa {
    const ACCEPT: u32 = 0;
    const REJECT: u32 = 6;
    /// One continuation byte (80..=BF) left.
    const CONT1: u32 = 12;
    /// Two left.
    const CONT2: u32 = 18;
    /// Three left.
    const CONT3: u32 = 24;
    /// After E0: A0..=BF (no overlong), then one.
    const E0: u32 = 30;
    /// After ED: 80..=9F (no surrogate), then one.
    const ED: u32 = 36;
    /// After F0: 90..=BF (no overlong), then two.
    const F0: u32 = 42;
    /// After F4: 80..=8F (not above U+10FFFF), then two.
    const F4: u32 = 48;
    const STATES: [u32; 9] = [
        Self::ACCEPT,
        Self::REJECT,
        Self::CONT1,
        Self::CONT2,
        Self::CONT3,
        Self::E0,
        Self::ED,
        Self::F0,
        Self::F4,
    ];

    const fn next(state: u32, byte: u8) -> u32 {
        let cont = matches!(byte, 0x80..=0xBF);
        match state {
            Self::ACCEPT => match byte {
                0x00..=0x7F => Self::ACCEPT,
                0xC2..=0xDF => Self::CONT1,
                0xE0 => Self::E0,
                0xE1..=0xEC | 0xEE..=0xEF => Self::CONT2,
                0xED => Self::ED,
                0xF0 => Self::F0,
                0xF1..=0xF3 => Self::CONT3,
                0xF4 => Self::F4,
                _ => Self::REJECT,
            },
            Self::CONT1 if cont => Self::ACCEPT,
            Self::CONT2 if cont => Self::CONT1,
            Self::CONT3 if cont => Self::CONT2,
            Self::E0 if matches!(byte, 0xA0..=0xBF) => Self::CONT1,
            Self::ED if matches!(byte, 0x80..=0x9F) => Self::CONT1,
            Self::F0 if matches!(byte, 0x90..=0xBF) => Self::CONT2,
            Self::F4 if matches!(byte, 0x80..=0x8F) => Self::CONT2,
            _ => Self::REJECT,
        }
    }

    /// Built at compile time, where an index out of bounds would fail the
    /// build (it cannot panic at run time).
    #[allow(clippy::indexing_slicing)]
    const ROWS: [u64; 256] = {
        let mut rows = [0u64; 256];
        let mut byte = 0;
        while byte < 256 {
            let mut row = 0u64;
            let mut i = 0;
            while i < Self::STATES.len() {
                let state = Self::STATES[i];
                row |= (Self::next(state, byte as u8) as u64) << state;
                i += 1;
            }
            rows[byte] = row;
            byte += 1;
        }
        rows
    };

    /// Whether `bytes` is well-formed UTF-8: ASCII words skipped, the rest
    /// through the DFA.
    #[inline]
    fn accepts(bytes: &[u8]) -> bool {
        let mut rest = bytes;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            if u64::from_ne_bytes(*word) & 0x8080_8080_8080_8080 != 0 {
                break;
            }
            rest = tail;
        }
        let mut state = u64::from(Self::ACCEPT);
        for &byte in rest {
            let row = Self::ROWS.get(usize::from(byte)).copied().unwrap_or(0);
            // Only the low six bits of `state` count as the shift.
            state = row.wrapping_shr(state as u32);
        }
        state & 63 == u64::from(Self::ACCEPT)
    }
}

/// An incremental UTF-8 validator: 16 bytes of state, no heap.
///
/// ```
/// use wsframe::utf8::Validator;
/// let mut v = Validator::new();
/// let euro = "€".as_bytes(); // e2 82 ac
/// v.feed(&euro[..1]).unwrap();
/// v.feed(&euro[1..]).unwrap();
/// v.finish().unwrap();
///
/// let mut v = Validator::new();
/// let err = v.feed(b"ok\xe2\x28").unwrap_err(); // 0x28 cannot continue e2
/// assert_eq!(err.valid_up_to(), 2);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Validator {
    /// Bytes of a sequence that began in an earlier piece.
    pending: [u8; 4],
    pending_len: u8,
    /// Bytes validated so far, not counting `pending`. Saturating: a text
    /// stream longer than `usize::MAX` (4 GiB on 32-bit targets) must not
    /// overflow-panic in a debug build.
    valid: usize,
    /// Set once an error was reported; later feeds repeat it.
    failed: bool,
}

impl Validator {
    /// A validator at the start of a message.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            pending: [0; 4],
            pending_len: 0,
            valid: 0,
            failed: false,
        }
    }

    /// Forget everything: ready for the next message.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Validate the next piece of the message.
    ///
    /// # Errors
    /// [`Utf8Error`] at the first byte that cannot begin or continue a valid
    /// sequence. After an error the validator keeps failing.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), Utf8Error> {
        if self.failed {
            return Err(self.error(false));
        }
        // Finish a sequence carried over from the previous piece, one byte at a time.
        while self.pending_len > 0 {
            let Some((&byte, rest)) = bytes.split_first() else {
                return Ok(());
            };
            let len = usize::from(self.pending_len);
            if let Some(slot) = self.pending.get_mut(len) {
                *slot = byte;
            }
            let candidate = self.pending.get(..=len).unwrap_or_default();
            match core::str::from_utf8(candidate) {
                Ok(_) => {
                    self.valid = self.valid.saturating_add(len + 1);
                    self.pending_len = 0;
                }
                Err(e) if e.error_len().is_none() => self.pending_len += 1,
                Err(_) => return Err(self.fail()),
            }
            bytes = rest;
        }
        match from_utf8(bytes) {
            Ok(_) => {
                self.valid = self.valid.saturating_add(bytes.len());
                Ok(())
            }
            Err(e) => {
                let good = e.valid_up_to();
                self.valid = self.valid.saturating_add(good);
                if !e.is_incomplete() {
                    return Err(self.fail());
                }
                // A valid prefix of a sequence (1 to 3 bytes) ends the piece.
                let tail = bytes.get(good..).unwrap_or_default();
                for (slot, &b) in self.pending.iter_mut().zip(tail) {
                    *slot = b;
                }
                self.pending_len = u8::try_from(tail.len().min(3)).unwrap_or(3);
                Ok(())
            }
        }
    }

    /// Whether the bytes fed so far end between two characters.
    #[must_use]
    pub const fn is_complete(&self) -> bool {
        self.pending_len == 0 && !self.failed
    }

    /// Check that the message, now over, did not stop mid-sequence.
    ///
    /// # Errors
    /// [`Utf8Error`] with [`Utf8Error::is_incomplete`] when it did, or the
    /// earlier error if one was reported.
    pub const fn finish(&self) -> Result<(), Utf8Error> {
        if self.failed {
            Err(self.error(false))
        } else if self.pending_len > 0 {
            Err(self.error(true))
        } else {
            Ok(())
        }
    }

    const fn error(&self, incomplete: bool) -> Utf8Error {
        Utf8Error {
            valid_up_to: self.valid,
            incomplete,
        }
    }

    fn fail(&mut self) -> Utf8Error {
        self.failed = true;
        self.pending_len = 0;
        self.error(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(bytes: &[u8]) -> Result<(), Utf8Error> {
        let mut v = Validator::new();
        v.feed(bytes)?;
        v.finish()
    }

    /// The DFA against `core`, on `bytes` and through `from_utf8`.
    fn agrees(bytes: &[u8]) {
        let core = core::str::from_utf8(bytes);
        assert_eq!(Dfa::accepts(bytes), core.is_ok(), "{bytes:x?}");
        assert_eq!(
            from_utf8(bytes),
            core.map_err(Utf8Error::from_core),
            "{bytes:x?}"
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "16 M inputs; the smaller tests cover the same code under Miri"
    )]
    fn dfa_agrees_with_core_on_every_input_up_to_three_bytes() {
        agrees(b"");
        for a in 0..=255u8 {
            agrees(&[a]);
            for b in 0..=255u8 {
                agrees(&[a, b]);
                for c in 0..=255u8 {
                    let three = [a, b, c];
                    assert_eq!(
                        Dfa::accepts(&three),
                        core::str::from_utf8(&three).is_ok(),
                        "{three:x?}"
                    );
                }
            }
        }
    }

    /// Every byte value that starts or ends a range the grammar cares about.
    const EDGES: [u8; 17] = [
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xF0,
        0xF4, 0xFF,
    ];

    const ALL: [u8; 256] = {
        let mut all = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            all[i] = i as u8;
            i += 1;
        }
        all
    };

    #[test]
    fn dfa_agrees_with_core_on_four_byte_shapes() {
        // Under Miri (slow), fewer: lead bytes and the rest from a few edges.
        let (leads, rest): (&[u8], &[u8]) = if cfg!(miri) {
            (
                &[0x41, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5],
                &[0x41, 0x80, 0x9F, 0xBF, 0xC0],
            )
        } else {
            (&ALL, &EDGES)
        };
        for &a in leads {
            for &b in rest {
                for &c in rest {
                    for &d in rest {
                        agrees(&[a, b, c, d]);
                        // After ASCII words, so the word skip runs first.
                        agrees(&[b'x', b'y', b'z', b'w', b'v', b'u', b't', b's', a, b, c, d]);
                    }
                }
            }
        }
    }

    #[test]
    fn dfa_agrees_with_core_on_long_and_corrupted_texts() {
        let text = "sensor=21.5C ok! κόσμε €uro 漢字 𝄞 plain ascii, more ascii here.".repeat(5);
        let bytes = text.as_bytes();
        let span = if cfg!(miri) { 40 } else { DFA_MAX + 20 };
        for len in 0..bytes.len().min(span) {
            agrees(&bytes[..len]);
        }
        let mut copy = bytes.to_vec();
        for i in 0..copy.len().min(span) {
            let saved = copy[i];
            for bad in [0x80, 0xBF, 0xC0, 0xED, 0xF5, 0xFF, b'a'] {
                copy[i] = bad;
                agrees(&copy[..(i + 7).min(copy.len())]);
                agrees(&copy);
            }
            copy[i] = saved;
        }
    }

    #[test]
    fn ascii_and_multibyte() {
        assert!(whole(b"Hello").is_ok());
        assert!(whole("κόσμε €𝄞".as_bytes()).is_ok());
        assert!(whole(b"").is_ok());
    }

    #[test]
    fn split_sequence_carried() {
        let s = "a𝄞b".as_bytes();
        for i in 0..=s.len() {
            for j in i..=s.len() {
                let mut v = Validator::new();
                v.feed(&s[..i]).unwrap();
                v.feed(&s[i..j]).unwrap();
                v.feed(&s[j..]).unwrap();
                v.finish().unwrap();
            }
        }
    }

    #[test]
    fn fails_fast_inside_a_piece() {
        // 0xed 0xa0 starts a surrogate: invalid at the second byte, before the third arrives.
        let mut v = Validator::new();
        v.feed(b"ab\xed").unwrap();
        let e = v.feed(b"\xa0").unwrap_err();
        assert_eq!(e.valid_up_to(), 2);
        assert!(!e.is_incomplete());
        // and it stays failed
        assert!(v.feed(b"x").is_err());
        assert!(v.finish().is_err());
    }

    #[test]
    fn incomplete_at_end() {
        let mut v = Validator::new();
        v.feed(b"x\xf0\x9f").unwrap();
        let e = v.finish().unwrap_err();
        assert!(e.is_incomplete());
        assert_eq!(e.valid_up_to(), 1);
    }

    #[test]
    fn rejects_overlong_surrogate_and_above_max() {
        for bad in [
            &b"\xc0\xaf"[..],
            b"\xe0\x80\xaf",
            b"\xf0\x80\x80\xaf",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xf5",
            b"\xff",
            b"\x80",
        ] {
            let mut v = Validator::new();
            assert!(v.feed(bad).is_err(), "{bad:x?}");
        }
    }
}
