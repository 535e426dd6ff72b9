//! Connection configuration, roles and the caller's clock.

use core::time::Duration;

use crate::frame::Rsv;

/// The default cap on one message: 1 MiB (1,048,576 bytes), inclusive.
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 1 << 20;

/// The default cap on one received frame's payload: 1 MiB, like a message.
pub const DEFAULT_MAX_FRAME_LEN: usize = 1 << 20;

/// The default cap on the frames of one received data message: 65,536
/// (a 1 MiB message in 16-byte fragments).
pub const DEFAULT_MAX_FRAGMENTS: u32 = 1 << 16;

/// The default close timeout: 10 s, as in Python `websockets`.
pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which end of the connection this is (RFC 6455 §5.1, §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Role {
    /// Sends masked frames, requires unmasked ones.
    Client,
    /// Sends unmasked frames, requires masked ones.
    Server,
}

/// How received data messages are handed to the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecvMode {
    /// Whole messages, reassembled in the receive buffer and returned as
    /// [`Event::Text`](crate::Event::Text) / [`Event::Binary`](crate::Event::Binary).
    /// A message must fit the buffer (see [`Connection::max_message_len`](crate::Connection::max_message_len)).
    #[default]
    Message,
    /// Payload chunks as they arrive, as [`Event::Chunk`](crate::Event::Chunk),
    /// so a message can be larger than the buffer. Nothing is buffered
    /// beyond the bytes the transport delivered.
    Stream,
}

/// Keepalive: ping an idle peer, and give up on one that stays silent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Keepalive {
    /// Send a ping after this long without receiving anything.
    pub interval: Duration,
    /// After a keepalive ping, the peer is dead if nothing at all arrives
    /// within this long; the connection then fails with close code 1011.
    pub timeout: Duration,
}

#[cfg(feature = "defmt")]
impl defmt::Format for Keepalive {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Keepalive {{ interval: {=u64} ms, timeout: {=u64} ms }}",
            duration_millis(self.interval),
            duration_millis(self.timeout)
        );
    }
}

/// A point in time on the caller's clock, in milliseconds from any epoch
/// the caller likes (boot, the Unix epoch, …). The connection never reads
/// a clock; it compares the instants it is given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Instant(u64);

impl Instant {
    /// An instant `millis` milliseconds after the caller's epoch.
    #[must_use]
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the caller's epoch.
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + d`, saturating at the end of time.
    #[must_use]
    pub const fn saturating_add(self, d: Duration) -> Self {
        Self(self.0.saturating_add(duration_millis(d)))
    }
}

pub(crate) const fn duration_millis(d: Duration) -> u64 {
    let ms = d.as_millis();
    if ms > u64::MAX as u128 {
        u64::MAX
    } else {
        ms as u64
    }
}

/// Connection settings. Every field has a safe default; build with
/// [`Config::new`] and the `with_*` methods.
///
/// ```
/// use core::time::Duration;
/// use wsframe::{Config, RecvMode};
/// let config = Config::new()
///     .with_max_message_len(64 * 1024)
///     .with_fragment_size(4096)
///     .with_keepalive(Duration::from_secs(20), Duration::from_secs(10));
/// assert_eq!(config.recv_mode(), RecvMode::Message);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    // Stored narrow so that a `Connection` stays small on 32-bit targets:
    // lengths as `u32` (saturating), keepalive in whole milliseconds (the
    // unit of `Instant`), switches as bits.
    max_message_len: u32,
    max_frame_len: u32,
    max_fragments: u32,
    fragment_size: u32,
    keepalive_interval_ms: u32,
    keepalive_timeout_ms: u32,
    /// 0: no close timeout.
    close_timeout_ms: u32,
    flags: u8,
    allowed_rsv: Rsv,
}

/// `Config::flags`: [`RecvMode::Stream`].
const STREAM: u8 = 1;
/// `Config::flags`: auto-pong on.
const AUTO_PONG: u8 = 2;
/// `Config::flags`: keepalive on.
const KEEPALIVE: u8 = 4;

/// A length as stored: saturated at `u32::MAX`.
const fn narrow(len: usize) -> u32 {
    if len as u64 > u32::MAX as u64 {
        u32::MAX
    } else {
        len as u32
    }
}

/// A duration as stored: whole milliseconds, saturated at `u32::MAX` (49.7 days).
const fn narrow_millis(d: Duration) -> u32 {
    let ms = duration_millis(d);
    if ms > u32::MAX as u64 {
        u32::MAX
    } else {
        ms as u32
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

impl Config {
    /// The defaults: 1 MiB messages and frames, 65,536 frames per message,
    /// whole-message receive, auto-pong on, no fragmentation of sent
    /// messages, no keepalive, a 10 s close timeout, no extensions.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            max_message_len: narrow(DEFAULT_MAX_MESSAGE_LEN),
            max_frame_len: narrow(DEFAULT_MAX_FRAME_LEN),
            max_fragments: DEFAULT_MAX_FRAGMENTS,
            fragment_size: 0,
            keepalive_interval_ms: 0,
            keepalive_timeout_ms: 0,
            close_timeout_ms: narrow_millis(DEFAULT_CLOSE_TIMEOUT),
            flags: AUTO_PONG,
            allowed_rsv: Rsv::NONE,
        }
    }

    /// The largest message, received or sent, in bytes, inclusive.
    /// Default 1 MiB (1,048,576). A received frame whose declared length
    /// would take the message past it is refused from its header with close
    /// code 1009, before any payload byte is read. Raising it lets a peer
    /// make you receive (and, in [`RecvMode::Message`], buffer) that much.
    /// Values above `u32::MAX` (4 GiB − 1) are saturated to it.
    #[must_use]
    pub const fn with_max_message_len(mut self, len: usize) -> Self {
        self.max_message_len = narrow(len);
        self
    }

    /// The largest single received frame payload, in bytes. Default 1 MiB
    /// ([`DEFAULT_MAX_FRAME_LEN`]). Refused from the header with close
    /// code 1009 ([`ProtocolError::FrameTooLong`](crate::ProtocolError::FrameTooLong)),
    /// like the message cap. Raising it has the same risk as raising the
    /// message cap. Saturated at `u32::MAX`.
    #[must_use]
    pub const fn with_max_frame_len(mut self, len: usize) -> Self {
        self.max_frame_len = narrow(len);
        self
    }

    /// The most frames one received data message may arrive in, counting
    /// its first frame. Default 65,536 ([`DEFAULT_MAX_FRAGMENTS`]). The
    /// frame past the cap is refused from its header with close code 1009
    /// ([`ProtocolError::TooManyFragments`](crate::ProtocolError::TooManyFragments)).
    /// Raising it lets a peer spend your CPU on per-frame work (2 to 14
    /// header bytes for every payload byte, at worst). 0 counts as 1.
    #[must_use]
    pub const fn with_max_fragments(mut self, count: u32) -> Self {
        self.max_fragments = if count == 0 { 1 } else { count };
        self
    }

    /// How long to wait for the peer's Close after ours before giving up
    /// on the closing handshake (RFC 6455 §7.1.1), as Python `websockets`'
    /// `close_timeout` does: [`Connection::handle_timeout`](crate::Connection::handle_timeout)
    /// then ends the connection with [`ProtocolError::CloseTimeout`](crate::ProtocolError::CloseTimeout).
    /// Default 10 s ([`DEFAULT_CLOSE_TIMEOUT`]); `None` waits for ever,
    /// which lets a peer that never answers hold the connection open.
    /// Kept in whole milliseconds, saturated at `u32::MAX` ms.
    #[must_use]
    pub const fn with_close_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.close_timeout_ms = match timeout {
            Some(d) => {
                let ms = narrow_millis(d);
                if ms == 0 { 1 } else { ms }
            }
            None => 0,
        };
        self
    }

    /// Whole messages or streamed chunks. Default [`RecvMode::Message`].
    #[must_use]
    pub const fn with_recv_mode(mut self, mode: RecvMode) -> Self {
        self.flags = match mode {
            RecvMode::Message => self.flags & !STREAM,
            RecvMode::Stream => self.flags | STREAM,
        };
        self
    }

    /// Answer every ping with a pong automatically (RFC 6455 §5.5.2).
    /// Default on. Switched off, pings are still reported as events and
    /// the caller must answer them with [`Connection::encode_pong`](crate::Connection::encode_pong).
    #[must_use]
    pub const fn with_auto_pong(mut self, on: bool) -> Self {
        self.flags = if on {
            self.flags | AUTO_PONG
        } else {
            self.flags & !AUTO_PONG
        };
        self
    }

    /// Split sent messages into frames of at most this many payload bytes
    /// (RFC 6455 §5.4). Default 0: every message is one frame. Small values
    /// cost 2–14 header bytes per fragment. Saturated at `u32::MAX`.
    #[must_use]
    pub const fn with_fragment_size(mut self, size: usize) -> Self {
        self.fragment_size = narrow(size);
        self
    }

    /// Ping after `interval` without receiving anything, and fail the
    /// connection (1011) if nothing arrives within `timeout` of that ping.
    /// Default off. Short intervals cost traffic (and radio time). Both are
    /// kept in whole milliseconds (the unit of [`Instant`]), saturated at
    /// `u32::MAX` ms (49.7 days).
    #[must_use]
    pub const fn with_keepalive(mut self, interval: Duration, timeout: Duration) -> Self {
        self.keepalive_interval_ms = narrow_millis(interval);
        self.keepalive_timeout_ms = narrow_millis(timeout);
        self.flags |= KEEPALIVE;
        self
    }

    /// Reserved bits that a negotiated extension uses (RFC 6455 §5.2).
    /// Default none: any reserved bit is a protocol error. Allowing bits no
    /// extension interprets lets malformed frames through.
    #[must_use]
    pub const fn with_allowed_rsv(mut self, rsv: Rsv) -> Self {
        self.allowed_rsv = rsv;
        self
    }

    /// See [`Config::with_max_message_len`].
    #[must_use]
    pub const fn max_message_len(&self) -> usize {
        self.max_message_len as usize
    }

    /// See [`Config::with_max_frame_len`].
    #[must_use]
    pub const fn max_frame_len(&self) -> usize {
        self.max_frame_len as usize
    }

    /// See [`Config::with_max_fragments`].
    #[must_use]
    pub const fn max_fragments(&self) -> u32 {
        self.max_fragments
    }

    /// See [`Config::with_close_timeout`].
    #[must_use]
    pub const fn close_timeout(&self) -> Option<Duration> {
        match self.close_timeout_ms {
            0 => None,
            ms => Some(Duration::from_millis(ms as u64)),
        }
    }

    /// See [`Config::with_recv_mode`].
    #[must_use]
    pub const fn recv_mode(&self) -> RecvMode {
        if self.flags & STREAM == 0 {
            RecvMode::Message
        } else {
            RecvMode::Stream
        }
    }

    /// See [`Config::with_auto_pong`].
    #[must_use]
    pub const fn auto_pong(&self) -> bool {
        self.flags & AUTO_PONG != 0
    }

    /// See [`Config::with_fragment_size`].
    #[must_use]
    pub const fn fragment_size(&self) -> usize {
        self.fragment_size as usize
    }

    /// See [`Config::with_keepalive`].
    #[must_use]
    pub const fn keepalive(&self) -> Option<Keepalive> {
        if self.flags & KEEPALIVE == 0 {
            return None;
        }
        Some(Keepalive {
            interval: Duration::from_millis(self.keepalive_interval_ms as u64),
            timeout: Duration::from_millis(self.keepalive_timeout_ms as u64),
        })
    }

    /// The keepalive interval and timeout in milliseconds, without the
    /// round trip through `Duration`.
    pub(crate) const fn keepalive_millis(&self) -> Option<(u64, u64)> {
        if self.flags & KEEPALIVE == 0 {
            None
        } else {
            Some((
                self.keepalive_interval_ms as u64,
                self.keepalive_timeout_ms as u64,
            ))
        }
    }

    /// The close timeout in milliseconds, without the round trip through `Duration`.
    pub(crate) const fn close_timeout_millis(&self) -> Option<u64> {
        match self.close_timeout_ms {
            0 => None,
            ms => Some(ms as u64),
        }
    }

    /// See [`Config::with_allowed_rsv`].
    #[must_use]
    pub const fn allowed_rsv(&self) -> Rsv {
        self.allowed_rsv
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Config {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Config {{ max_message_len: {=usize}, max_frame_len: {=usize}, max_fragments: {=u32}, close_timeout_ms: {=u32}, recv_mode: {}, auto_pong: {=bool}, fragment_size: {=usize}, keepalive: {} }}",
            self.max_message_len(),
            self.max_frame_len(),
            self.max_fragments(),
            self.close_timeout_ms,
            self.recv_mode(),
            self.auto_pong(),
            self.fragment_size(),
            self.keepalive()
        );
    }
}
