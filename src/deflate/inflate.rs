//! Decompression of received messages (RFC 7692 §7.2.2), into caller memory.
//!
//! An [`Inflater`] is `miniz_oxide`'s raw-DEFLATE decompressor and an
//! LZ77 window of 2^bits bytes that the caller places (an array, a field, a
//! `static`). The decompressor writes into the window, wrapping; the
//! connection copies each piece out into the message it assembles, or
//! hands it out as a chunk straight from the window.

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress_with_limit, inflate_flags};

use super::Params;
use crate::conn::Role;
use crate::conn::ext::{Corrupt, Step};

/// The smallest window: 2^8 bytes (`*_max_window_bits=8`, RFC 7692 §7.1.2).
pub const MIN_WINDOW_LEN: usize = 1 << 8;
/// The largest window: 2^15 bytes, the RFC's default (RFC 7692 §7.1.2).
pub const MAX_WINDOW_LEN: usize = 1 << 15;

/// The trailer a sender strips from every compressed message and the
/// receiver puts back before inflating (RFC 7692 §7.2.2).
pub(crate) const TRAILER: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// A window that is not a power of two between [`MIN_WINDOW_LEN`] and
/// [`MAX_WINDOW_LEN`] bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WindowError {
    /// The length given.
    pub len: usize,
}

impl core::fmt::Display for WindowError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "inflate window of {} bytes: it must be a power of two from 256 to 32768",
            self.len
        )
    }
}

impl core::error::Error for WindowError {}

/// The receiving side's permessage-deflate memory: the decompressor's
/// state (about 11 KiB, whatever the window) and the window `W`, 2^bits
/// bytes (`[u8; 4096]`, `&mut [u8]`, …).
///
/// A window of 2^bits bytes inflates what a peer compresses with a window
/// of at most 2^bits: a server answers offers with
/// `client_max_window_bits` of at most `bits`, a client offers
/// `server_max_window_bits=bits` (see [`crate::handshake`]). Give it to
/// [`Connection::with_deflate`](crate::Connection::with_deflate); it is
/// used once the handshake agreed the extension.
///
/// The window is zeroed whenever a connection starts with it, so a
/// distance that reaches before the stream's start never reads bytes of an
/// earlier connection.
pub struct Inflater<W> {
    core: DecompressorOxide,
    window: W,
    bits: u8,
    /// Next write position in the window.
    pos: usize,
    /// The extension was agreed: compressed messages are accepted.
    active: bool,
    /// The peer resets its context after every message
    /// (`*_no_context_takeover` for its direction).
    reset_each: bool,
    /// The decompressor is at the start of a stream.
    fresh: bool,
}

impl<W> core::fmt::Debug for Inflater<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Inflater")
            .field("bits", &self.bits)
            .field("active", &self.active)
            .field("reset_each", &self.reset_each)
            .finish_non_exhaustive()
    }
}

impl<W: AsRef<[u8]> + AsMut<[u8]>> Inflater<W> {
    /// An inflater over `window`, which it zeroes.
    ///
    /// # Errors
    /// [`WindowError`] unless `window` is a power of two from 256 to
    /// 32,768 bytes long.
    pub fn new(mut window: W) -> Result<Self, WindowError> {
        let len = window.as_ref().len();
        if !(MIN_WINDOW_LEN..=MAX_WINDOW_LEN).contains(&len) || !len.is_power_of_two() {
            return Err(WindowError { len });
        }
        window.as_mut().fill(0);
        Ok(Self {
            core: DecompressorOxide::new(),
            window,
            // 8..=15.
            bits: len.trailing_zeros() as u8,
            pos: 0,
            active: false,
            reset_each: false,
            fresh: true,
        })
    }

    /// The window's size as bits: the largest window a peer may compress
    /// with for this inflater to follow it.
    #[must_use]
    pub const fn window_bits(&self) -> u8 {
        self.bits
    }

    /// The window back.
    pub fn into_window(self) -> W {
        self.window
    }

    /// Start a connection: forget everything, zero the window, and accept
    /// compressed messages if `agreed` says so for a connection in `role`
    /// and the window is large enough for the peer's. Returns whether
    /// compression is on.
    pub(crate) fn start(&mut self, agreed: Option<Params>, role: Role) -> bool {
        self.window.as_mut().fill(0);
        self.core.init();
        self.pos = 0;
        self.fresh = true;
        let Some(params) = agreed.filter(Params::is_valid) else {
            self.active = false;
            return false;
        };
        // The peer's direction: a server inflates what the client sends.
        let (peer_bits, reset_each) = match role {
            Role::Server => (
                params.client_max_window_bits,
                params.client_no_context_takeover,
            ),
            Role::Client => (
                params.server_max_window_bits,
                params.server_no_context_takeover,
            ),
        };
        self.active = peer_bits <= self.bits;
        self.reset_each = reset_each;
        self.active
    }

    pub(crate) const fn is_active(&self) -> bool {
        self.active
    }

    /// A compressed message begins.
    pub(crate) fn start_message(&mut self) {
        if self.reset_each && !self.fresh {
            self.core.init();
            self.fresh = true;
        }
    }

    /// The window's bytes at `at..at + len` (a [`Step`]'s output).
    pub(crate) fn output(&self, at: usize, len: usize) -> &[u8] {
        self.window
            .as_ref()
            .get(at..at.saturating_add(len))
            .unwrap_or_default()
    }

    /// Inflate from `input`, writing at most `max` bytes (at least 1).
    ///
    /// # Errors
    /// [`Corrupt`] when the input is not a DEFLATE stream.
    pub(crate) fn step(&mut self, input: &[u8], max: usize) -> Result<Step, Corrupt> {
        let window = self.window.as_mut();
        if self.pos >= window.len() {
            self.pos = 0;
        }
        let at = self.pos;
        let flags = inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;
        let (status, read, written) =
            decompress_with_limit(&mut self.core, input, window, at, max.max(1), flags);
        self.pos = at.saturating_add(written);
        if read > 0 || written > 0 {
            self.fresh = false;
        }
        let (wants_input, ended) = match status {
            TINFLStatus::NeedsMoreInput => (true, false),
            TINFLStatus::HasMoreOutput => (false, false),
            TINFLStatus::Done => {
                // A final block: the peer's next message starts a new
                // stream (over the same window, so context carries on).
                self.core.init();
                self.fresh = true;
                (read == input.len(), true)
            }
            _ => return Err(Corrupt),
        };
        Ok(Step {
            read,
            at,
            written,
            wants_input,
            ended,
        })
    }
}
