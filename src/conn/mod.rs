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
use crate::utf8::{Utf8Error, Validator};

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

/// A close we owe the peer; its argument is in `Tx::close_arg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PendingClose {
    None,
    /// The caller's close; its payload is in the tx control slot and its
    /// length in `close_arg`.
    User,
    /// The echo of the peer's close code (§5.5.1): `close_arg`, 0 for none.
    Echo,
    /// Failing the connection with the fault in `Tx::failed`.
    Error,
}

/// The event `advance` found, so that the borrow of the buffer is taken only
/// when the event is built. Its indices are in the receive state: a message
/// or chunk at `Rx::start`, `Rx::msg_len` bytes; a control payload of
/// `Rx::seen` bytes at the front of the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ready {
    None,
    Message,
    Chunk,
    Ping,
    Pong,
    Close,
}

/// Keepalive progress on the caller's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alive {
    /// The first `handle_timeout` starts the clock.
    NotStarted,
    /// Waiting for input; a ping is owed at the deadline.
    Idle,
    /// A ping was sent; the peer is dead at the deadline.
    PingSent,
}

/// The first bytes of a UTF-8 sequence split between pieces of a text
/// message: the state of a [`Validator`] between two pieces, in 4 bytes.
/// Together with the count of bytes validated before it, it rebuilds the
/// validator exactly (see [`Carry::feed`]).
#[derive(Clone, Copy, Debug, Default)]
struct Carry {
    bytes: [u8; 3],
    len: u8,
}

impl Carry {
    /// The validator this state stands for, counting from the carried bytes.
    fn validator(&self) -> Validator {
        let mut v = Validator::new();
        // A valid prefix of one sequence: the validator only keeps it.
        let _ = v.feed(self.carried());
        v
    }

    fn carried(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// A validator's error, counted from the message start: `total` bytes
    /// were fed before the validator rebuilt from `self`.
    fn rebase(&self, total: usize, e: Utf8Error) -> Utf8Error {
        let base = total.saturating_sub(self.carried().len());
        Utf8Error::at(base.saturating_add(e.valid_up_to()), e.is_incomplete())
    }

    /// Validate `piece`, which follows `before` bytes of the message
    /// (counting the carried ones), and carry its unfinished tail. Errors
    /// are those a [`Validator`] fed the whole message would report; on
    /// error `self` is unchanged.
    fn feed(&mut self, before: usize, piece: &[u8]) -> Result<(), Utf8Error> {
        let mut v = self.validator();
        v.feed(piece).map_err(|e| self.rebase(before, e))?;
        let mut next = Self::default();
        if !v.is_complete() {
            // The carried tail: from the lead byte among the last three.
            for &b in self.carried().iter().chain(piece).rev().take(3) {
                next.bytes.rotate_right(1);
                if let Some(first) = next.bytes.first_mut() {
                    *first = b;
                }
                next.len += 1;
                if b & 0xC0 != 0x80 {
                    break;
                }
            }
        }
        *self = next;
        Ok(())
    }

    /// The message ends after `total` bytes: is it complete?
    fn finish(&self, total: usize) -> Result<(), Utf8Error> {
        self.validator().finish().map_err(|e| self.rebase(total, e))
    }
}

/// A few switches in one byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bits(u8);

impl Bits {
    const fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    const fn set(&mut self, bit: u8, on: bool) {
        // Branch-free: these sit on the per-message path.
        self.0 = (self.0 & !bit) | (bit * on as u8);
    }

    /// Clear `bit` and return whether it was set.
    const fn take(&mut self, bit: u8) -> bool {
        let was = self.has(bit);
        self.set(bit, false);
        was
    }
}

/// `Rx::flags`: a data message is in progress.
const RX_MESSAGE: u8 = 1;
/// `Rx::flags`: it is text (kept after it ends, for the last event).
const RX_TEXT: u8 = 2;
/// `Rx::flags`: the peer's Close arrived.
const RX_CLOSE_RECEIVED: u8 = 4;
/// `Rx::flags`: bytes arrived since the last keepalive tick.
const RX_ACTIVITY: u8 = 8;
/// `Rx::flags`: the last event borrowed the data region; drop it on the next call.
const RX_RELEASE: u8 = 16;
/// `Rx::flags`: the text message arrived as one whole frame and was not
/// UTF-8 checked on the way in; the `from_utf8` that makes its `&str` is
/// its check.
const RX_UNCHECKED: u8 = 32;

/// `Tx::flags`: our Close was sent.
const TX_CLOSE_SENT: u8 = 1;
/// `Tx::flags`: a failure found outside `poll_event` (keepalive) that it
/// has not reported yet.
const TX_UNREPORTED: u8 = 2;
/// `Tx::flags`: a keepalive ping is owed.
const TX_PING: u8 = 4;
/// `Tx::flags`: a message sent with `encode_fragment` is unfinished.
const TX_STREAMING: u8 = 8;
/// `Tx::flags`: it is text.
const TX_STREAMING_TEXT: u8 = 16;
/// `Tx::flags`: the client role.
const TX_CLIENT: u8 = 32;
/// `Tx::flags`: the opening handshake is done.
const TX_OPEN: u8 = 64;

/// `Rx::frame`: the frame's opcode is in the low four bits.
const FRAME_OPCODE: u8 = 0x0F;
/// `Rx::frame`: a frame's payload is being received.
const FRAME_ACTIVE: u8 = 0x80;
/// `Rx::frame`: it has FIN.
const FRAME_FIN: u8 = 0x40;
/// `Rx::frame`: it is masked with `Rx::mask`.
const FRAME_MASKED: u8 = 0x20;

/// Receive-side state: indices into the data region of the buffer.
#[derive(Clone, Copy, Debug)]
struct Rx {
    /// Start of retained bytes: the message being assembled (in stream
    /// mode, the chunk being handed out).
    start: usize,
    /// Retained bytes at `start`.
    msg_len: usize,
    /// Next unprocessed byte.
    parse: usize,
    /// End of received bytes.
    filled: usize,
    /// Payload bytes of the current frame still to come (0 between frames).
    /// Once the connection failed, the high half of the fault's argument.
    remaining: u32,
    /// Declared payload bytes of the data message's frames so far. Once the
    /// connection failed, the low half of the fault's argument.
    declared: u32,
    /// The current frame's masking key.
    mask: [u8; 4],
    /// UTF-8 carried between pieces of a text message.
    utf8: Carry,
    /// Payload bytes of the current frame seen so far: exact for a control
    /// frame (it is the payload length once complete), modulo 256 for a
    /// data frame, where only the mask phase (modulo 4) matters.
    seen: u8,
    /// `FRAME_*`.
    frame: u8,
    /// `RX_*`.
    flags: Bits,
    ready: Ready,
}

impl Rx {
    const fn opcode(&self) -> Opcode {
        match Opcode::from_u8(self.frame & FRAME_OPCODE) {
            Some(op) => op,
            None => Opcode::Continuation,
        }
    }

    const fn frame_active(&self) -> bool {
        self.frame & FRAME_ACTIVE != 0
    }

    const fn kind(&self) -> MessageKind {
        if self.flags.has(RX_TEXT) {
            MessageKind::Text
        } else {
            MessageKind::Binary
        }
    }

    /// Payload bytes of the data message received so far.
    fn message_received(&self) -> u32 {
        let pending = if self.frame_active() && !self.opcode().is_control() {
            self.remaining
        } else {
            0
        };
        self.declared.saturating_sub(pending)
    }
}

/// Transmit-side state: what is owed and what was sent.
#[derive(Clone, Copy, Debug)]
struct Tx {
    /// The keepalive deadline (see `Alive`), milliseconds, as two halves so
    /// that the state needs no 8-byte alignment.
    deadline: [u32; 2],
    ping_seq: u32,
    /// Bytes of the message sent with `encode_fragment` so far.
    streamed_len: u32,
    /// `PendingClose::User`: the payload length; `Echo`: the code or 0.
    close_arg: u16,
    close: PendingClose,
    /// The fault that failed the connection, packed (see `error::pack`);
    /// 0 for none. Its 64-bit argument lives in `Rx::remaining:declared`.
    failed: u8,
    /// An owed pong's payload length (in the tx control slot), or `NO_PONG`.
    pong: u8,
    alive: Alive,
    /// `TX_*`.
    flags: Bits,
    utf8: Carry,
}

/// `Tx::pong` when no pong is owed.
const NO_PONG: u8 = u8::MAX;

impl Tx {
    const fn new() -> Self {
        Self {
            deadline: [0; 2],
            ping_seq: 0,
            streamed_len: 0,
            close_arg: 0,
            close: PendingClose::None,
            failed: 0,
            pong: NO_PONG,
            alive: Alive::NotStarted,
            flags: Bits(0),
            utf8: Carry {
                bytes: [0; 3],
                len: 0,
            },
        }
    }

    const fn closing(&self) -> bool {
        !matches!(self.close, PendingClose::None)
            || self.flags.has(TX_CLOSE_SENT)
            || self.failed != 0
    }

    const fn deadline(&self) -> Instant {
        let [hi, lo] = self.deadline;
        Instant::from_millis(((hi as u64) << 32) | lo as u64)
    }

    const fn set_deadline(&mut self, at: u64) {
        self.deadline = [(at >> 32) as u32, at as u32];
    }
}

/// Fail the connection (§7.1.7): queue a Close with the fault's code
/// unless one was already queued, and stop reading. The receive fields the
/// fault's argument is kept in are dead from here on.
fn fail(rx: &mut Rx, tx: &mut Tx, error: ProtocolError) -> ProtocolError {
    if tx.failed == 0 {
        let (code, wide) = error::pack(error);
        tx.failed = code;
        if code != error::KEEPALIVE {
            // A pending event still reads these; keepalive has no argument.
            rx.remaining = (wide >> 32) as u32;
            rx.declared = wide as u32;
        }
        if matches!(tx.close, PendingClose::None) && !tx.flags.has(TX_CLOSE_SENT) {
            tx.close = PendingClose::Error;
        }
        tx.pong = NO_PONG;
        tx.flags.set(TX_PING, false);
    }
    error
}

/// One WebSocket connection's protocol state, for either role, over a
/// caller-owned receive buffer `B` (`&mut [u8]`, `[u8; N]`, …).
///
/// A connection owns the receive buffer the caller gives it and nothing
/// else: no socket, no clock, no random numbers. The caller moves bytes:
///
/// 1. **Receive.** Read from the transport into [`Connection::rx_buffer`],
///    then report the count with [`Connection::handle_rx`] (or copy with
///    [`Connection::handle_bytes`]).
/// 2. **Events.** Call [`Connection::poll_event`] until it returns
///    `Ok(None)`. Payloads are borrowed from the receive buffer, unmasked in
///    place; a fragmented message is compacted in place, so it is returned
///    contiguous without a second buffer.
/// 3. **Transmit.** Call [`Connection::poll_transmit`] after every event and
///    timeout, and write what it returns: pongs, close replies and keepalive
///    pings owed to the peer. Data goes out through
///    [`Connection::encode_text`], [`Connection::encode_binary`] and
///    [`Connection::encode_fragment`], which write frames into a caller slice.
/// 4. **Time.** With keepalive configured, call [`Connection::handle_timeout`]
///    when the clock passes [`Connection::poll_timeout`] (and, for precise
///    ping timing, after receiving bytes).
///
/// A new connection is [`State::Connecting`]: the handshake bytes arrive
/// in the same buffer ([`Connection::pending_input`]); once the
/// [`handshake`](crate::handshake) module has checked them, call
/// [`Connection::finish_handshake`] with the head's length and any bytes
/// after it are kept as the first frames.
///
/// The buffer's first [`CONTROL_RESERVE`] bytes hold control-frame payloads
/// (an incoming ping, close or pong; an owed pong; a queued close), so a
/// control frame between fragments never disturbs the message being
/// assembled.
///
/// Connections are independent values: no globals, no shared state. The
/// state is packed: 88 bytes on a 32-bit target besides `B` and `M`.
#[derive(Debug)]
pub struct Connection<B, M = NoMask> {
    buf: B,
    masks: M,
    config: Config,
    rx: Rx,
    tx: Tx,
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
            rx: Rx {
                start: 0,
                msg_len: 0,
                parse: 0,
                filled: 0,
                remaining: 0,
                declared: 0,
                mask: [0; 4],
                utf8: Carry::default(),
                seen: 0,
                frame: 0,
                flags: Bits(0),
                ready: Ready::None,
            },
            tx: Tx {
                flags: Bits(if matches!(role, Role::Client) {
                    TX_CLIENT
                } else {
                    0
                }),
                ..Tx::new()
            },
        })
    }

    /// The role.
    #[must_use]
    pub const fn role(&self) -> Role {
        if self.tx.flags.has(TX_CLIENT) {
            Role::Client
        } else {
            Role::Server
        }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// The life-cycle state.
    #[must_use]
    pub const fn state(&self) -> State {
        if !self.tx.flags.has(TX_OPEN) {
            State::Connecting
        } else if self.tx.flags.has(TX_CLOSE_SENT)
            && (self.rx.flags.has(RX_CLOSE_RECEIVED) || self.tx.failed != 0)
        {
            State::Closed
        } else if self.tx.closing() || self.rx.flags.has(RX_CLOSE_RECEIVED) {
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
    pub fn error(&self) -> Option<ProtocolError> {
        let wide = (u64::from(self.rx.remaining) << 32) | u64::from(self.rx.declared);
        error::unpack(
            self.tx.failed,
            wide,
            self.max_message_len() as u64,
            self.config.max_frame_len() as u64,
        )
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
        if self.tx.flags.has(TX_OPEN) {
            return;
        }
        let head_len = head_len.min(self.rx.filled.saturating_sub(self.rx.parse));
        self.rx.parse += head_len;
        self.rx.start = self.rx.parse;
        self.tx.flags.set(TX_OPEN, true);
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
        if self.tx.closing() || self.rx.flags.has(RX_CLOSE_RECEIVED) {
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
        self.tx.close = PendingClose::User;
        self.tx.close_arg = u16::try_from(len).unwrap_or(0);
        self.tx.pong = NO_PONG;
        self.tx.flags.set(TX_PING, false);
        Ok(())
    }
}
