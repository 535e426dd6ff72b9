//! The sans-I/O connection: frames to messages and back (RFC 6455 §5–§7).
//!
//! A [`Connection`] owns the receive buffer the caller gives it and nothing
//! else: no socket, no clock, no random numbers. The caller moves bytes:
//!
//! 1. **Receive.** Read from the transport into [`Connection::rx_buffer`],
//!    then report the count with [`Connection::handle_rx`] (or copy with
//!    [`Connection::handle_bytes`]).
//! 2. **Events.** Call [`Connection::poll_event`] until it returns
//!    `Ok(None)`. Payloads are borrowed from the receive buffer, unmasked in
//!    place; a fragmented message is compacted in place, so it is returned
//!    contiguous without a second buffer.
//! 3. **Transmit.** Call [`Connection::poll_transmit`] after every event and
//!    timeout, and write what it returns: pongs, close replies and keepalive
//!    pings owed to the peer. Data goes out through
//!    [`Connection::encode_text`], [`Connection::encode_binary`] and
//!    [`Connection::encode_fragment`], which write frames into a caller slice.
//! 4. **Time.** With keepalive configured, call [`Connection::handle_timeout`]
//!    when the clock passes [`Connection::poll_timeout`] (and, for precise
//!    ping timing, after receiving bytes).
//!
//! A new connection is [`State::Connecting`]: the handshake bytes arrive
//! in the same buffer ([`Connection::pending_input`]); once the
//! [`handshake`](crate::handshake) module has checked them, call
//! [`Connection::finish_handshake`] with the head's length and any bytes
//! after it are kept as the first frames.
//!
//! The buffer's first [`CONTROL_RESERVE`] bytes hold control-frame payloads
//! (an incoming ping, close or pong; an owed pong; a queued close), so a
//! control frame between fragments never disturbs the message being
//! assembled.

mod config;
mod error;
mod recv;
mod send;
#[cfg(test)]
mod tests;

pub use config::{Config, DEFAULT_MAX_MESSAGE_LEN, Instant, Keepalive, RecvMode, Role};
pub use error::{BufferTooSmall, ProtocolError, SendError};

use crate::close::{CloseCode, CloseFrame};
use crate::frame::{MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, Opcode};
use crate::utf8::Validator;

/// Bytes at the front of the receive buffer reserved for control payloads:
/// 125 for the one being received, 125 for the one owed.
pub const CONTROL_RESERVE: usize = 2 * MAX_CONTROL_PAYLOAD;

/// The smallest receive buffer [`Connection::new`] accepts.
pub const MIN_BUFFER_LEN: usize = CONTROL_RESERVE + 2 * MAX_HEADER_LEN;

/// The largest control frame [`Connection::poll_transmit`] writes: a tx
/// slice this long always has room for the next owed frame.
pub const MAX_CONTROL_FRAME_LEN: usize = MAX_HEADER_LEN + MAX_CONTROL_PAYLOAD;

/// A source of masking keys for frames a client sends (RFC 6455 §5.3:
/// "derived from a strong source of entropy"). The connection never makes
/// its own; give it your RNG. Closures `FnMut() -> [u8; 4]` qualify.
pub trait MaskSource {
    /// The key for the next frame.
    fn next_mask(&mut self) -> [u8; 4];
}

impl<F: FnMut() -> [u8; 4]> MaskSource for F {
    fn next_mask(&mut self) -> [u8; 4] {
        self()
    }
}

/// The mask source of a server, which never masks. It returns zeros; a
/// client built with it would send predictable keys, so use a real source there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NoMask;

impl MaskSource for NoMask {
    fn next_mask(&mut self) -> [u8; 4] {
        [0; 4]
    }
}

/// The kind of a data message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum MessageKind {
    /// UTF-8 text (opcode 0x1).
    Text,
    /// Binary data (opcode 0x2).
    Binary,
}

impl MessageKind {
    const fn opcode(self) -> Opcode {
        match self {
            Self::Text => Opcode::Text,
            Self::Binary => Opcode::Binary,
        }
    }
}

/// A piece of a data message in [`RecvMode::Stream`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Chunk<'a> {
    /// Text or binary, from the message's first frame.
    pub kind: MessageKind,
    /// The payload bytes, unmasked. For text, every byte delivered so far is
    /// a valid UTF-8 prefix, but a chunk may end inside a character.
    pub data: &'a [u8],
    /// Where `data` starts within the message.
    pub offset: u64,
    /// This is the message's last chunk.
    pub last: bool,
}

/// Something the peer sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Event<'a> {
    /// A whole text message, UTF-8 checked ([`RecvMode::Message`]).
    Text(&'a str),
    /// A whole binary message ([`RecvMode::Message`]).
    Binary(&'a [u8]),
    /// Part of a data message ([`RecvMode::Stream`]).
    Chunk(Chunk<'a>),
    /// A ping; with auto-pong on, the pong is already owed (see
    /// [`Connection::poll_transmit`]).
    Ping(&'a [u8]),
    /// A pong.
    Pong(&'a [u8]),
    /// The peer's Close: `None` when it carried no code (reported locally as
    /// 1005). If we had not closed yet, the echo is owed.
    Close(Option<CloseFrame<'a>>),
}

/// Where a connection is in its life cycle (RFC 6455 §4, §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum State {
    /// The opening handshake has not completed.
    Connecting,
    /// Data flows both ways.
    Open,
    /// A Close was queued, sent or received; the closing handshake is under way.
    Closing,
    /// The closing handshake is over (or the connection failed and its
    /// Close is sent): close the transport.
    Closed,
}

/// A close we owe the peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PendingClose {
    /// The caller's close; its payload (length) is in the tx control slot.
    User(u8),
    /// The echo of the peer's close code (§5.5.1).
    Echo(Option<CloseCode>),
    /// Failing the connection.
    Error(ProtocolError),
}

/// Transmit-side state: what is owed and what was sent.
#[derive(Clone, Copy, Debug)]
struct Tx {
    close: Option<PendingClose>,
    close_sent: bool,
    failed: Option<ProtocolError>,
    /// A failure found outside `poll_event` (keepalive) that it has not reported yet.
    unreported: bool,
    /// An owed pong; its payload (length) is in the tx control slot.
    pong: Option<u8>,
    /// A keepalive ping is owed.
    ping: bool,
    ping_seq: u32,
    /// A message sent with `encode_fragment` is unfinished.
    streaming: Option<MessageKind>,
    streamed_len: u64,
    utf8: Validator,
}

impl Tx {
    const fn new() -> Self {
        Self {
            close: None,
            close_sent: false,
            failed: None,
            unreported: false,
            pong: None,
            ping: false,
            ping_seq: 0,
            streaming: None,
            streamed_len: 0,
            utf8: Validator::new(),
        }
    }

    /// Fail the connection (§7.1.7): queue a Close with the fault's code
    /// unless one was already queued, and stop reading.
    fn fail(&mut self, error: ProtocolError) -> ProtocolError {
        if self.failed.is_none() {
            self.failed = Some(error);
            if self.close.is_none() && !self.close_sent {
                self.close = Some(PendingClose::Error(error));
            }
            self.pong = None;
            self.ping = false;
        }
        error
    }

    const fn closing(&self) -> bool {
        self.close.is_some() || self.close_sent || self.failed.is_some()
    }
}

/// A data message being received.
#[derive(Clone, Copy, Debug)]
struct RxMessage {
    kind: MessageKind,
    /// Declared payload bytes of the frames seen so far.
    declared: u64,
    /// Bytes delivered so far (stream mode).
    delivered: u64,
    utf8: Validator,
}

/// The frame whose payload is being received.
#[derive(Clone, Copy, Debug)]
struct RxFrame {
    opcode: Opcode,
    fin: bool,
    remaining: u64,
    mask: Option<[u8; 4]>,
    /// Payload bytes seen so far (for the mask phase and control payloads).
    seen: usize,
}

/// Receive-side state: indices into the data region of the buffer.
#[derive(Clone, Copy, Debug)]
struct Rx {
    /// Start of retained bytes: the message being assembled.
    start: usize,
    /// Assembled message bytes at `start` (message mode).
    msg_len: usize,
    /// Next unprocessed byte.
    parse: usize,
    /// End of received bytes.
    filled: usize,
    /// The last event borrowed the data region; drop it on the next call.
    release: bool,
    frame: Option<RxFrame>,
    message: Option<RxMessage>,
    close_received: bool,
    /// Bytes arrived since the last keepalive tick.
    activity: bool,
}

/// Keepalive bookkeeping on the caller's clock.
#[derive(Clone, Copy, Debug)]
struct Alive {
    idle_since: Option<Instant>,
    ping_sent: Option<Instant>,
}

/// One WebSocket connection's protocol state, for either role, over a
/// caller-owned receive buffer `B` (`&mut [u8]`, `[u8; N]`, …).
///
/// See the [module documentation](self) for the call order. Connections
/// are independent values: no globals, no shared state.
#[derive(Debug)]
pub struct Connection<B, M = NoMask> {
    buf: B,
    masks: M,
    config: Config,
    role: Role,
    open: bool,
    rx: Rx,
    tx: Tx,
    alive: Alive,
    ready: Option<recv::Ready>,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> Connection<B, NoMask> {
    /// A server connection (it never masks, so needs no mask source).
    ///
    /// # Errors
    /// [`BufferTooSmall`] when `buf` is shorter than [`MIN_BUFFER_LEN`].
    pub fn server(buf: B, config: Config) -> Result<Self, BufferTooSmall> {
        Self::new(Role::Server, buf, config, NoMask)
    }
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, M: MaskSource> Connection<B, M> {
    /// A client connection, masking its frames with keys from `masks`.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when `buf` is shorter than [`MIN_BUFFER_LEN`].
    pub fn client(buf: B, config: Config, masks: M) -> Result<Self, BufferTooSmall> {
        Self::new(Role::Client, buf, config, masks)
    }

    /// A connection in [`State::Connecting`] for `role`.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when `buf` is shorter than [`MIN_BUFFER_LEN`].
    pub fn new(role: Role, buf: B, config: Config, masks: M) -> Result<Self, BufferTooSmall> {
        if buf.as_ref().len() < MIN_BUFFER_LEN {
            return Err(BufferTooSmall {
                needed: MIN_BUFFER_LEN,
            });
        }
        Ok(Self {
            buf,
            masks,
            config,
            role,
            open: false,
            rx: Rx {
                start: 0,
                msg_len: 0,
                parse: 0,
                filled: 0,
                release: false,
                frame: None,
                message: None,
                close_received: false,
                activity: false,
            },
            tx: Tx::new(),
            alive: Alive {
                idle_since: None,
                ping_sent: None,
            },
            ready: None,
        })
    }

    /// The role.
    #[must_use]
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// The life-cycle state.
    #[must_use]
    pub const fn state(&self) -> State {
        if !self.open {
            State::Connecting
        } else if self.tx.close_sent && (self.rx.close_received || self.tx.failed.is_some()) {
            State::Closed
        } else if self.tx.closing() || self.rx.close_received {
            State::Closing
        } else {
            State::Open
        }
    }

    /// Whether the transport should now be closed: [`State::Closed`].
    #[must_use]
    pub const fn is_closed(&self) -> bool {
        matches!(self.state(), State::Closed)
    }

    /// The fault that failed the connection, if one did.
    #[must_use]
    pub const fn error(&self) -> Option<ProtocolError> {
        self.tx.failed
    }

    /// The largest message this connection accepts: the configured cap and,
    /// in [`RecvMode::Message`], what the buffer can hold.
    #[must_use]
    pub fn max_message_len(&self) -> usize {
        let cap = self.config.max_message_len();
        match self.config.recv_mode() {
            RecvMode::Message => cap.min(self.data_capacity()),
            RecvMode::Stream => cap,
        }
    }

    fn data_capacity(&self) -> usize {
        self.buf
            .as_ref()
            .len()
            .saturating_sub(CONTROL_RESERVE + MAX_HEADER_LEN)
    }

    /// The buffer and the caller's storage back, e.g. to reuse it.
    pub fn into_parts(self) -> (B, M) {
        (self.buf, self.masks)
    }

    /// Mark the opening handshake done: its head was the first `head_len`
    /// bytes of [`Connection::pending_input`]; bytes after it are kept as the
    /// first frames. A close requested while connecting is sent now.
    pub fn finish_handshake(&mut self, head_len: usize) {
        if self.open {
            return;
        }
        let head_len = head_len.min(self.rx.filled.saturating_sub(self.rx.parse));
        self.rx.parse += head_len;
        self.rx.start = self.rx.parse;
        self.open = true;
    }

    /// Queue a Close with `code` and `reason` (RFC 6455 §5.5.1, §7.1.2);
    /// [`Connection::poll_transmit`] sends it. While [`State::Connecting`],
    /// the close is remembered and sent as soon as
    /// [`Connection::finish_handshake`] is called; if the handshake fails
    /// instead, nothing is sent and the transport is simply dropped.
    ///
    /// # Errors
    /// [`SendError::Closing`] if a Close was already queued, sent or
    /// received; [`SendError::InvalidClose`] for a code that may not be sent
    /// (1005, 1006, 1015, out of range) or a reason over 123 bytes.
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), SendError> {
        if self.tx.closing() || self.rx.close_received {
            return Err(SendError::Closing);
        }
        let slot = self
            .buf
            .as_mut()
            .get_mut(MAX_CONTROL_PAYLOAD..CONTROL_RESERVE)
            .unwrap_or_default();
        let frame = CloseFrame { code, reason };
        let len =
            crate::close::encode_payload(Some(&frame), slot).map_err(SendError::InvalidClose)?;
        self.tx.close = Some(PendingClose::User(u8::try_from(len).unwrap_or(0)));
        self.tx.pong = None;
        self.tx.ping = false;
        Ok(())
    }
}
