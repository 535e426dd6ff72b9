//! Incremental UTF-8 validation (RFC 6455 §5.6, §8.1).
//!
//! A text message may arrive in fragments and each fragment in pieces; the
//! RFC asks an endpoint to fail the connection as soon as it sees invalid
//! UTF-8. [`Validator`] is fed the pieces in order, rejects at the first byte
//! that cannot begin or continue a valid sequence, carries an incomplete
//! sequence (at most 3 bytes) across piece boundaries, and [`Validator::finish`]
//! says whether the message ended mid-sequence.
//!
//! The bulk work is `core::str::from_utf8`, which is word-at-a-time on ASCII;
//! only the few bytes of a sequence split across pieces go through a small
//! side buffer.

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

/// An incremental UTF-8 validator: 16 bytes of state, no allocation.
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
        match core::str::from_utf8(bytes) {
            Ok(_) => {
                self.valid = self.valid.saturating_add(bytes.len());
                Ok(())
            }
            Err(e) => {
                let good = e.valid_up_to();
                self.valid = self.valid.saturating_add(good);
                if e.error_len().is_some() {
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
