//! The sans-I/O connection: frames to messages and back (RFC 6455 §5–§7).
//!
//! One concern a file:
//!
//! - `recv`: the receiving side (buffer, frames in flight, message
//!   assembly, UTF-8, the caps);
//! - `send`: the sending side (owed control frames, messages, fragments,
//!   keepalive and the close timeout);
//! - `link`: the control block the two share (the phase, and the duties one
//!   side records for the other);
//! - `split`: the two sides as halves that run concurrently;
//! - `config`, `error`: settings and faults.
//!
//! [`Connection`] is the two sides and an inline [`Link`]; its methods
//! hand each call to the side it belongs to. The halves run the same code
//! over a [`Link`] in caller memory, so a split connection keeps every duty
//! of a whole one.

mod config;
mod error;
pub(crate) mod ext;
mod link;
mod recv;
mod send;
mod split;
#[cfg(test)]
mod tests;

pub use config::{
    Config, DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_FRAGMENTS, DEFAULT_MAX_FRAME_LEN,
    DEFAULT_MAX_MESSAGE_LEN, Instant, Keepalive, RecvMode, Role,
};
pub use error::{BufferTooSmall, ProtocolError, SendError};
pub use ext::{RecvExtension, SendExtension};
pub use link::{Link, Side, State};
pub use send::Encoded;
pub use split::{Receiver, Sender};

use core::ops::Deref;

use crate::close::{CloseCode, CloseFrame};
use crate::frame::{MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, Opcode};
use crate::handshake;
use link::{Control, LocalLink, Phase};
use recv::Recv;
use send::Send;

/// Bytes at the front of the receive buffer reserved for the payload of
/// the control frame being received (at most 125), so that a control
/// frame between fragments never disturbs the message being assembled.
/// Rounded up to 130 so that, in a buffer that starts 8-byte aligned, the
/// payload of a masked frame with a 14-byte or 6-byte header starts 8-byte
/// aligned: the UTF-8 check's word loop is about a fifth cheaper on
/// aligned text (callgrind, 64 KiB text frames, `prof w4t`).
pub const CONTROL_RESERVE: usize = MAX_CONTROL_PAYLOAD + 5;

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
    /// A ping; with auto-pong on (and the connection open), the pong is
    /// already owed (see [`Connection::poll_transmit`]).
    Ping(&'a [u8]),
    /// A pong.
    Pong(&'a [u8]),
    /// The peer's Close: `None` when it carried no code (reported locally as
    /// 1005). If we had not closed yet, the echo is owed.
    Close(Option<CloseFrame<'a>>),
}

/// One WebSocket connection's protocol state, for either role, over a
/// caller-owned receive buffer `B` (`&mut [u8]`, `[u8; N]`, …) and a
/// source of masking keys `M` (clients only).
///
/// It owns the receive buffer and nothing else: no socket, no clock, no
/// random numbers. The caller moves bytes, in this order:
///
/// 1. **Open.** A new connection is [`State::Connecting`]: the handshake
///    bytes arrive in the same buffer ([`Connection::pending_input`]); once
///    the [`handshake`](crate::handshake) module has checked them, pass its
///    [`Finished`](crate::handshake::Finished) token to
///    [`Connection::finish_handshake`]; bytes after the head are kept as
///    the first frames. For a stream someone else upgraded, start with
///    [`Connection::upgraded`] instead.
/// 2. **Receive.** Read from the transport into [`Connection::rx_buffer`],
///    then report the count with [`Connection::handle_rx`] (or copy with
///    [`Connection::handle_bytes`]).
/// 3. **Events.** Call [`Connection::poll_event`] until it returns
///    `Ok(None)`. Payloads are borrowed from the receive buffer, unmasked in
///    place; a fragmented message is compacted in place, so it is returned
///    contiguous without a second buffer.
/// 4. **Transmit.** Call [`Connection::poll_transmit`] after every event and
///    timeout, and write what it returns: pongs, close replies, the Close
///    of a failure and keepalive pings owed to the peer. Data goes out
///    through [`Connection::encode_text`], [`Connection::encode_binary`],
///    [`Connection::encode_next`] (a message of any length, a frame at a
///    time, resumable) and [`Connection::encode_fragment`] (your own
///    pieces), which write frames into a caller slice.
/// 5. **Time.** Call [`Connection::handle_timeout`] when the clock passes
///    [`Connection::poll_timeout`]: keepalive pings, dead-peer detection
///    and the close timeout all run from it.
/// 6. **Close.** When [`Connection::is_closed`], close the transport.
///
/// The buffer's first [`CONTROL_RESERVE`] bytes hold the payload of the
/// control frame being received.
///
/// For full duplex, [`Connection::split`] gives a [`Receiver`] and a
/// [`Sender`] that can run concurrently (two tasks, two threads) and keep
/// every duty of the whole connection.
///
/// Connections are independent values: no globals, no shared state.
///
/// ```
/// use wsframe::{Config, Connection, Event, Role, NoMask};
///
/// let mut conn = Connection::upgraded(Role::Server, [0u8; 1024], Config::new(), NoMask).unwrap();
/// // A masked text frame "Hello" from a client (RFC 6455 §5.7).
/// conn.handle_bytes(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// assert_eq!(conn.poll_event(), Ok(Some(Event::Text("Hello"))));
/// ```
pub struct Connection<B, M = NoMask, I = (), C = ()> {
    recv: Recv<B, I>,
    send: Send<M, C>,
    link: LocalLink,
    config: Config,
}

impl<B, M, I, C> core::fmt::Debug for Connection<B, M, I, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The state, not the buffer: it is the caller's data, and large.
        f.debug_struct("Connection")
            .field("state", &self.link.phase())
            .field("recv", &self.recv)
            .field("send", &self.send)
            .field("config", &self.config)
            .finish()
    }
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
    #[inline(never)]
    pub fn new(role: Role, buf: B, config: Config, masks: M) -> Result<Self, BufferTooSmall> {
        if buf.as_ref().len() < MIN_BUFFER_LEN {
            return Err(BufferTooSmall {
                needed: MIN_BUFFER_LEN,
            });
        }
        Ok(Self {
            recv: Recv::new(role, buf, ()),
            send: Send::new(role, masks, ()),
            link: LocalLink::new(),
            config,
        })
    }

    /// A connection whose opening handshake was done elsewhere (hyper,
    /// axum, picoserve, edge-http, …): already [`State::Open`]. Hand it
    /// any bytes the upgrade read past the head with
    /// [`Connection::handle_bytes`]; they are its first frames. Whatever
    /// the upgrade negotiated (subprotocol, extensions) is the caller's to
    /// keep: the connection speaks plain RFC 6455.
    ///
    /// Adopting a stream takes three steps: the framework checks the
    /// request and writes the `101` (with
    /// [`handshake::accept_key`](crate::handshake::accept_key) for its
    /// `Sec-WebSocket-Accept`), then hands over the stream and the bytes it
    /// read past the head (hyper: `Upgraded::downcast` gives them as
    /// `Parts::read_buf`); the connection takes those bytes first, and an
    /// adapter runs it over the stream (`examples/axum_chat.rs` does this
    /// with hyper and the async adapter):
    ///
    /// ```
    /// use wsframe::io::blocking::WebSocket;
    /// use wsframe::{Config, Connection, Event, NoMask, Role};
    ///
    /// // The stream the framework upgraded, as an `embedded-io` transport:
    /// // here the rest of the client's bytes, and what we write.
    /// struct Stream { rest: &'static [u8], written: Vec<u8> }
    /// impl embedded_io::ErrorType for Stream { type Error = core::convert::Infallible; }
    /// impl embedded_io::Read for Stream {
    ///     fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
    ///         let n = buf.len().min(self.rest.len());
    ///         buf[..n].copy_from_slice(&self.rest[..n]);
    ///         self.rest = &self.rest[n..];
    ///         Ok(n)
    ///     }
    /// }
    /// impl embedded_io::Write for Stream {
    ///     fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
    ///         self.written.extend_from_slice(buf);
    ///         Ok(buf.len())
    ///     }
    ///     fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) }
    /// }
    ///
    /// // The framework read the head and, with it, the client's first frame
    /// // (a masked "Hello", RFC 6455 §5.7); a ping follows on the stream.
    /// let read_past_head = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    /// let stream = Stream { rest: &[0x89, 0x80, 1, 2, 3, 4], written: Vec::new() };
    ///
    /// let mut conn = Connection::upgraded(Role::Server, [0u8; 1024], Config::new(), NoMask)?;
    /// assert_eq!(conn.handle_bytes(&read_past_head), read_past_head.len());
    /// let mut ws = WebSocket::new(stream, conn, [0u8; 256])?;
    /// assert_eq!(ws.read()?, Event::Text("Hello"));  // from the leftover bytes
    /// assert_eq!(ws.read()?, Event::Ping(b""));      // from the stream; the pong is written
    /// ws.send_text("Hi!")?;
    /// let (stream, _, _) = ws.into_parts();
    /// assert_eq!(stream.written, b"\x8a\x00\x81\x03Hi!");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`BufferTooSmall`] when `buf` is shorter than [`MIN_BUFFER_LEN`].
    pub fn upgraded(role: Role, buf: B, config: Config, masks: M) -> Result<Self, BufferTooSmall> {
        let conn = Self::new(role, buf, config, masks)?;
        conn.link.advance(Phase::Connecting, Phase::Open);
        Ok(conn)
    }

    /// Give the connection permessage-deflate memory (RFC 7692): an
    /// [`Inflater`](crate::deflate::Inflater) for what it receives and a
    /// [`Deflater`](crate::deflate::Deflater) (or `()`, to send
    /// uncompressed) for what it sends. Compression is used once
    /// [`Connection::finish_handshake`] gets a token that agreed it; until
    /// then, and without that, the connection speaks plain RFC 6455.
    ///
    /// Either may be lent (`&mut Inflater`, `&mut Deflater`) where the
    /// memory lives elsewhere, e.g. in a `static` on a microcontroller.
    #[cfg(feature = "deflate")]
    pub fn with_deflate<I, D>(self, inflater: I, deflater: D) -> Connection<B, M, I, D>
    where
        I: RecvExtension,
        D: SendExtension,
    {
        let (recv, ()) = self.recv.with_ext(inflater);
        let (send, ()) = self.send.with_ext(deflater);
        Connection {
            recv,
            send,
            link: self.link,
            config: self.config,
        }
    }
}

impl<B, M, I, C> Connection<B, M, I, C>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
    I: RecvExtension,
    C: SendExtension,
{
    /// The role.
    #[must_use]
    pub const fn role(&self) -> Role {
        self.recv.role()
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// The life-cycle state (RFC 6455 §4, §7).
    #[must_use]
    pub fn state(&self) -> State {
        self.link.phase().state()
    }

    /// Whether the transport should now be closed: the closing handshake
    /// is over, or the connection failed and its Close (if one is owed)
    /// was written.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        match self.link.phase() {
            Phase::Closed => true,
            Phase::Failed(_) => !self.send.wants_transmit(&self.link),
            _ => false,
        }
    }

    /// What this connection's permessage-deflate memory lets a server
    /// accept (RFC 7692 §7.1), for
    /// [`Request::select_deflate`](crate::handshake::Request::select_deflate):
    /// `None` without an [`Inflater`](crate::deflate::Inflater). The async
    /// and blocking adapters' `accept` use it.
    #[cfg(feature = "deflate")]
    #[must_use]
    pub fn deflate_capability(&self) -> Option<crate::deflate::Capability> {
        let inflate = self.recv.ext_window_bits()?;
        Some(crate::deflate::Capability {
            inflate_window_bits: inflate,
            compress_window_bits: self.send.ext_window_bits().unwrap_or(15),
            ..crate::deflate::Capability::DEFAULT
        })
    }

    /// The permessage-deflate offer this connection's memory can honour,
    /// for [`ClientRequest::with_deflate`](crate::handshake::ClientRequest::with_deflate):
    /// `None` without an [`Inflater`](crate::deflate::Inflater).
    #[cfg(feature = "deflate")]
    #[must_use]
    pub fn deflate_offer(&self) -> Option<crate::deflate::Offer> {
        let inflate = self.recv.ext_window_bits()?;
        Some(crate::deflate::Offer {
            inflate_window_bits: inflate,
            client_max_window_bits: Some(self.send.ext_window_bits().unwrap_or(15)),
            ..crate::deflate::Offer::DEFAULT
        })
    }

    /// Whether the opening handshake agreed permessage-deflate and this
    /// connection inflates compressed messages (RFC 7692).
    #[must_use]
    pub fn deflate_agreed(&self) -> bool {
        self.recv.ext_active()
    }

    /// The fault that failed the connection, if one did.
    #[must_use]
    pub fn error(&self) -> Option<ProtocolError> {
        self.recv.error(&self.link)
    }

    /// The largest message this connection accepts: the configured cap and,
    /// in [`RecvMode::Message`], what the buffer can hold.
    #[must_use]
    pub fn max_message_len(&self) -> usize {
        self.recv.max_message_len(&self.config)
    }

    /// The buffer and the mask source back, e.g. to reuse them.
    pub fn into_parts(self) -> (B, M) {
        let (buf, masks, _, _) = self.into_all_parts();
        (buf, masks)
    }

    /// The buffer, the mask source and the extension memory back.
    pub fn into_all_parts(self) -> (B, M, I, C) {
        let (buf, inflate) = self.recv.into_parts();
        let (masks, deflate) = self.send.into_parts();
        (buf, masks, inflate, deflate)
    }

    /// Split into a [`Receiver`] and a [`Sender`] that share `link`, a
    /// control block in caller memory (a local both halves borrow, a
    /// `static`, an `Arc`: anything that derefs to a [`Link`]). The halves
    /// run concurrently and keep every duty of the whole connection: the
    /// receiver records a pong owed, the peer's Close or a failure in the
    /// link, and the sender writes the frame it calls for on its next call.
    /// [`Receiver::rejoin`] puts them back together.
    ///
    /// `link` takes over the connection's state; use a fresh one (or one
    /// no other connection uses).
    pub fn split<L: Deref<Target = Link> + Clone>(
        self,
        link: L,
    ) -> (Receiver<B, L, I>, Sender<M, L, C>) {
        link.copy_from(&self.link.0);
        split::halves(self.recv, self.send, self.config, link)
    }

    pub(crate) fn from_halves(
        recv: Recv<B, I>,
        send: Send<M, C>,
        config: Config,
        link: &Link,
    ) -> Self {
        let conn = Self {
            recv,
            send,
            link: LocalLink::new(),
            config,
        };
        conn.link.0.copy_from(link);
        conn
    }

    // ---- receiving -------------------------------------------------------

    /// Free space at the end of the receive buffer: read transport bytes
    /// into it, then call [`Connection::handle_rx`] with the count. Bytes
    /// already processed are dropped and the rest moved to the front first
    /// when that makes room. Empty only when input is waiting to be
    /// processed by [`Connection::poll_event`] (or, while connecting, when
    /// the handshake head fills the buffer).
    pub fn rx_buffer(&mut self) -> &mut [u8] {
        self.recv.rx_buffer()
    }

    /// Report that `n` bytes were written at the front of
    /// [`Connection::rx_buffer`]. `n` is clamped to the space there was.
    pub fn handle_rx(&mut self, n: usize) {
        self.recv.handle_rx(n, &self.link);
    }

    /// Copy as much of `bytes` as fits into the receive buffer and return
    /// how many were taken. Call [`Connection::poll_event`] to make room for
    /// the rest.
    pub fn handle_bytes(&mut self, bytes: &[u8]) -> usize {
        self.recv.handle_bytes(bytes, &self.link)
    }

    /// Received bytes not processed yet: while connecting, the handshake
    /// head (and anything after it).
    #[must_use]
    pub fn pending_input(&self) -> &[u8] {
        self.recv.pending_input()
    }

    /// Open the connection after its opening handshake: `head` is what
    /// [`Request::finished`](crate::handshake::Request::finished) or
    /// [`Response::finished`](crate::handshake::Response::finished) gave
    /// for the head at the front of [`Connection::pending_input`]; bytes
    /// after it are kept as the first frames. A close requested while
    /// connecting is sent by the next [`Connection::poll_transmit`]. Does
    /// nothing unless [`State::Connecting`].
    pub fn finish_handshake(&mut self, head: handshake::Finished) {
        #[cfg(feature = "deflate")]
        if self.link.phase() == Phase::Connecting {
            self.send.start_ext(head.deflate());
        }
        self.recv.finish_handshake(head, &self.link);
    }

    /// Process buffered input and return the next event, `Ok(None)` when more
    /// bytes are needed (or the connection is not open, or closed).
    ///
    /// Call it until `Ok(None)`, then [`Connection::poll_transmit`].
    ///
    /// # Errors
    /// A [`ProtocolError`] when the peer broke the protocol (or, once, the
    /// timeout [`Connection::handle_timeout`] found); the Close frame with
    /// its code is then owed (see [`Connection::poll_transmit`]) and no
    /// further input is processed.
    pub fn poll_event(&mut self) -> Result<Option<Event<'_>>, ProtocolError> {
        self.recv.poll_event(&self.link, &self.config)
    }

    /// Process buffered input up to the next event without returning it:
    /// `Ok(true)` when [`Connection::poll_event`] has an event ready. Owed
    /// frames (a pong, a close echo) are already queued then, so an I/O
    /// loop can flush [`Connection::poll_transmit`] before borrowing the event.
    ///
    /// # Errors
    /// As [`Connection::poll_event`].
    pub fn process(&mut self) -> Result<bool, ProtocolError> {
        self.recv.process(&self.link, &self.config)
    }

    // ---- sending ---------------------------------------------------------

    /// Write the control frames owed to the peer into `tx` and return the
    /// number of bytes to send: a close (the caller's, an echo, or one that
    /// fails the connection), else a pong to the latest ping, then a
    /// keepalive ping. A `tx` of [`MAX_CONTROL_FRAME_LEN`] bytes always fits
    /// the next one; frames that do not fit stay owed.
    #[must_use]
    pub fn poll_transmit(&mut self, tx: &mut [u8]) -> usize {
        self.send.poll_transmit(tx, &self.link)
    }

    /// Whether [`Connection::poll_transmit`] has something to write.
    #[must_use]
    pub fn wants_transmit(&self) -> bool {
        self.send.wants_transmit(&self.link)
    }

    /// Queue a Close with `code` and `reason` (RFC 6455 §5.5.1, §7.1.2);
    /// [`Connection::poll_transmit`] sends it, and the connection is
    /// [`State::Closing`] by [`Side::Local`] until the peer's Close
    /// arrives (or the close timeout passes). While [`State::Connecting`],
    /// the close is remembered and sent as soon as the connection opens; if
    /// the handshake fails instead, nothing is sent and the transport is
    /// simply dropped.
    ///
    /// # Errors
    /// [`SendError::Closing`] if a Close was already queued, sent or
    /// received, or the connection failed; [`SendError::InvalidClose`] for
    /// a code that may not be sent (1005, 1006, 1015, out of range) or a
    /// reason over 123 bytes.
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), SendError> {
        self.send.close(code, reason, &self.link)
    }

    /// Encode a whole text message into `tx` (RFC 6455 §5.6), split into
    /// frames of [`Config::fragment_size`] when that is set, and return the
    /// bytes written. For a message that may not fit `tx`, use
    /// [`Connection::encode_next`].
    ///
    /// # Errors
    /// See [`Connection::encode_binary`].
    #[inline(always)]
    pub fn encode_text(&mut self, text: &str, tx: &mut [u8]) -> Result<usize, SendError> {
        self.send.encode_whole(
            MessageKind::Text,
            text.as_bytes(),
            tx,
            &self.config,
            &self.link,
        )
    }

    /// Encode a whole binary message into `tx`, fragmented like
    /// [`Connection::encode_text`], and return the bytes written.
    ///
    /// # Errors
    /// [`SendError::NotOpen`] before the handshake completed,
    /// [`SendError::Closing`] once a Close was queued, sent or received,
    /// [`SendError::MessageInProgress`] while another message is being
    /// sent, [`SendError::MessageTooLong`] past the configured cap, and
    /// [`SendError::BufferTooSmall`] with the size that would fit. Nothing
    /// is written on error.
    #[inline(always)]
    pub fn encode_binary(&mut self, data: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.send
            .encode_whole(MessageKind::Binary, data, tx, &self.config, &self.link)
    }

    /// The bytes [`Connection::encode_text`] / [`Connection::encode_binary`]
    /// need for a message of `len` bytes with this configuration: the size
    /// of `tx` to give them.
    #[must_use]
    pub fn encoded_message_len(&self, len: usize) -> usize {
        self.send.encoded_message_len(len, &self.config)
    }

    /// Encode a whole message of `kind` from bytes, like
    /// [`Connection::encode_binary`]; text is UTF-8 checked.
    ///
    /// # Errors
    /// As [`Connection::encode_binary`], plus [`SendError::InvalidUtf8`].
    pub fn encode_message(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<usize, SendError> {
        self.send
            .encode_message(kind, payload, tx, &self.config, &self.link)
    }

    /// Encode the next frames of the message `payload` of `kind`, as many
    /// as fit `tx`, and say whether its last frame is among them (RFC 6455
    /// §5.4). A message of any length goes out through a `tx` of any size
    /// (at least [`MAX_HEADER_LEN`](crate::frame::MAX_HEADER_LEN) + 1):
    /// call it with the same `kind` and `payload` until
    /// [`Encoded::done`], writing each [`Encoded::len`] bytes to the
    /// transport between calls (and [`Connection::poll_transmit`]'s, which
    /// may go between fragments). Frames are at most
    /// [`Config::fragment_size`] when that is set. Text is UTF-8 checked
    /// whole on the first call.
    ///
    /// The connection remembers how far the message got, so a caller that
    /// stops midway (a cancelled async send, say) resumes it by calling
    /// again with the same message; starting another message first is
    /// [`SendError::MessageInProgress`].
    ///
    /// # Errors
    /// As [`Connection::encode_message`], checked on the first call; on
    /// later ones [`SendError::MessageInProgress`] for a different kind or
    /// length, [`SendError::Closing`] once the connection closes.
    /// [`SendError::BufferTooSmall`] when `tx` holds no frame at all.
    /// Nothing is written on error.
    pub fn encode_next(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<Encoded, SendError> {
        self.send
            .encode_next(kind, payload, tx, &self.config, &self.link)
    }

    /// Encode one frame of a message sent in your own pieces (RFC 6455
    /// §5.4): the first call starts a `kind` message, later calls continue
    /// it, and the call with `fin` ends it. Text is UTF-8 checked across
    /// pieces (a character may be split between them). Pings and pongs may
    /// be sent between pieces; other messages may not.
    ///
    /// # Errors
    /// As [`Connection::encode_binary`], plus [`SendError::MessageInProgress`]
    /// when `kind` differs from the open message's, and
    /// [`SendError::InvalidUtf8`]. Nothing is written on error and the
    /// message stays open.
    pub fn encode_fragment(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        fin: bool,
        tx: &mut [u8],
    ) -> Result<usize, SendError> {
        self.send
            .encode_fragment(kind, payload, fin, tx, &self.config, &self.link)
    }

    /// Encode a ping with `payload` (at most 125 bytes) into `tx` (§5.5.2).
    ///
    /// # Errors
    /// [`SendError::NotOpen`], [`SendError::Closing`],
    /// [`SendError::ControlPayloadTooLong`], [`SendError::BufferTooSmall`].
    pub fn encode_ping(&mut self, payload: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.send
            .encode_control(Opcode::Ping, payload, tx, &self.link)
    }

    /// Encode a pong with `payload` into `tx` (§5.5.3; needed only with
    /// auto-pong off).
    ///
    /// # Errors
    /// As [`Connection::encode_ping`].
    pub fn encode_pong(&mut self, payload: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.send
            .encode_control(Opcode::Pong, payload, tx, &self.link)
    }

    // ---- time ------------------------------------------------------------

    /// Advance the connection's timers to `now` on the caller's clock.
    ///
    /// - While open, with [`Config::with_keepalive`]: owe a ping when
    ///   nothing was received for the interval, and fail the connection
    ///   with [`ProtocolError::KeepaliveTimeout`] (close code 1011) when
    ///   nothing arrived within the timeout after one.
    /// - While closing by [`Side::Local`], with [`Config::with_close_timeout`]
    ///   (on by default): end the connection with
    ///   [`ProtocolError::CloseTimeout`] when the peer's Close did not
    ///   arrive in time.
    ///
    /// After a failure the next [`Connection::poll_event`] returns the
    /// error (once) and [`Connection::error`] keeps it.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.send.handle_timeout(now, &self.config, &self.link);
    }

    /// When [`Connection::handle_timeout`] next has work: the keepalive
    /// ping or dead-peer deadline, or the close deadline. `None` when no
    /// timer applies. An instant of 0 means "now": the first call starts
    /// a timer's clock.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.send.poll_timeout(&self.config, &self.link)
    }
}

/// The sending surface the I/O adapters drive, shared by a whole
/// [`Connection`] and a [`Sender`], so each adapter loop is written once.
pub(crate) trait SendSide {
    fn poll_transmit(&mut self, tx: &mut [u8]) -> usize;
    fn wants_transmit(&self) -> bool;
    fn encode_next(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<Encoded, SendError>;
    fn encode_fragment(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        fin: bool,
        tx: &mut [u8],
    ) -> Result<usize, SendError>;
    fn encode_ping(&mut self, payload: &[u8], tx: &mut [u8]) -> Result<usize, SendError>;
    fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), SendError>;
    fn handle_timeout(&mut self, now: Instant);
    /// The timeout that failed the connection, if one did.
    fn timeout_error(&self) -> Option<ProtocolError>;
}

macro_rules! send_side {
    ($ty:ty, $($generics:tt)*) => {
        impl<$($generics)*> SendSide for $ty {
            fn poll_transmit(&mut self, tx: &mut [u8]) -> usize {
                self.poll_transmit(tx)
            }
            fn wants_transmit(&self) -> bool {
                self.wants_transmit()
            }
            fn encode_next(&mut self, kind: MessageKind, payload: &[u8], tx: &mut [u8]) -> Result<Encoded, SendError> {
                self.encode_next(kind, payload, tx)
            }
            fn encode_fragment(&mut self, kind: MessageKind, payload: &[u8], fin: bool, tx: &mut [u8]) -> Result<usize, SendError> {
                self.encode_fragment(kind, payload, fin, tx)
            }
            fn encode_ping(&mut self, payload: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
                self.encode_ping(payload, tx)
            }
            fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), SendError> {
                self.close(code, reason)
            }
            fn handle_timeout(&mut self, now: Instant) {
                self.handle_timeout(now);
            }
            fn timeout_error(&self) -> Option<ProtocolError> {
                self.timeout_error()
            }
        }
    };
}

send_side!(Connection<B, M, I, C>, B: AsRef<[u8]> + AsMut<[u8]>, M: MaskSource, I: RecvExtension, C: SendExtension);
send_side!(Sender<M, L, C>, M: MaskSource, L: Deref<Target = Link>, C: SendExtension);

impl<B, M, I, C> Connection<B, M, I, C>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
    I: RecvExtension,
    C: SendExtension,
{
    /// A timeout [`Connection::handle_timeout`] found, if that is what
    /// failed the connection.
    #[must_use]
    pub fn timeout_error(&self) -> Option<ProtocolError> {
        match self.link.phase() {
            Phase::Failed(kind) => kind.timeout_error(),
            _ => None,
        }
    }
}
