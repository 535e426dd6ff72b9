//! The sending side: owed control frames, data messages, fragments, time.
//!
//! [`Send`] writes frames into caller slices. What it owes the peer
//! because of what the receiving side saw (a pong, the echo of a Close,
//! the Close of a failure) it reads from the [`Link`].

use super::ext::SendExtension;
use super::link::{Control, Phase, Side};
use super::recv::copy_prefix;
use super::{Config, Instant, MaskSource, MessageKind, Role, SendError};
use crate::close::{self, CloseCode, CloseFrame};
use crate::frame::{Header, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, Opcode};
use crate::mask;
use crate::utf8::Validator;

use super::error::FaultKind;

/// What [`Connection::encode_next`](super::Connection::encode_next) wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use]
pub struct Encoded {
    /// Bytes written at the front of `tx`: write them to the transport.
    pub len: usize,
    /// The message's last frame is among them: the message is sent once
    /// these bytes are written.
    pub done: bool,
}

/// A data message being sent in more than one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sending {
    Idle,
    /// The caller's pieces ([`Send::encode_fragment`]).
    Pieces {
        kind: MessageKind,
        sent: u32,
        utf8: Validator,
        /// The pieces go out compressed (RFC 7692).
        #[cfg(feature = "deflate")]
        compressed: bool,
    },
    /// A whole message sent frame by frame ([`Send::encode_next`]): the
    /// same `kind` and `len` come back each call; `sent` bytes are out.
    Parts {
        kind: MessageKind,
        len: u32,
        sent: u32,
    },
    /// A whole message sent compressed frame by frame
    /// ([`Send::encode_next`]); the compressor knows how far it got.
    #[cfg(feature = "deflate")]
    Compressed {
        kind: MessageKind,
        len: u32,
    },
}

/// The one timer the sending side keeps, on the caller's clock
/// (milliseconds): keepalive while open, the close timeout while closing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Timer {
    /// Armed by the next `handle_timeout`.
    Unarmed,
    /// A keepalive ping is due then, unless something arrives first.
    Ping(u64),
    /// A ping was sent; the peer is dead then, unless something arrives.
    Dead(u64),
    /// Our Close was sent; the handshake is abandoned then.
    Close(u64),
}

/// The caller's Close, queued until [`Send::poll_transmit`] writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct QueuedClose {
    payload: [u8; MAX_CONTROL_PAYLOAD],
    len: u8,
}

/// The sending side's state.
pub(crate) struct Send<M, C = ()> {
    masks: M,
    /// Extension memory (the compressor).
    ext: C,
    role: Role,
    close: Option<QueuedClose>,
    ping_owed: bool,
    ping_seq: u32,
    /// [`Link::activity`] at the last keepalive tick.
    activity: u32,
    timer: Timer,
    sending: Sending,
}

impl<M, C> core::fmt::Debug for Send<M, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Send")
            .field("role", &self.role)
            .field("close_queued", &self.close.is_some())
            .field("ping_owed", &self.ping_owed)
            .field("timer", &self.timer)
            .field("sending", &self.sending)
            .finish_non_exhaustive()
    }
}

/// The first `len` bytes of a control payload slot (`len` is at most 125
/// by construction; larger is cut to the slot).
fn control_prefix(slot: &[u8; MAX_CONTROL_PAYLOAD], len: usize) -> &[u8] {
    slot.split_at(len.min(MAX_CONTROL_PAYLOAD)).0
}

/// Bytes a frame with `payload_len` takes on the wire.
pub(crate) const fn frame_len(payload_len: usize, masked: bool) -> usize {
    let header = Header::new(Opcode::Binary, payload_len as u64)
        .with_mask(if masked { Some([0; 4]) } else { None })
        .encoded_len();
    header + payload_len
}

/// Write one frame (header, then the payload, masked when the header has a
/// key) at the front of `out`; `None` when it does not fit (the bytes of
/// `out` are scratch then: a header may have been written).
fn write_frame(header: Header, payload: &[u8], out: &mut [u8]) -> Option<usize> {
    let header_len = header.encode(out).ok()?;
    let end = header_len.checked_add(payload.len())?;
    let body = out.get_mut(header_len..end)?;
    match header.mask {
        Some(key) => mask::copy_masked(key, 0, payload, body),
        None => {
            copy_prefix(body, payload);
        }
    }
    Some(end)
}

impl<M: MaskSource, C: SendExtension> Send<M, C> {
    pub(crate) const fn new(role: Role, masks: M, ext: C) -> Self {
        Self {
            masks,
            ext,
            role,
            close: None,
            ping_owed: false,
            ping_seq: 0,
            activity: 0,
            timer: Timer::Unarmed,
            sending: Sending::Idle,
        }
    }

    pub(crate) fn into_parts(self) -> (M, C) {
        (self.masks, self.ext)
    }

    /// Swap the extension memory (the connection is not open yet).
    #[cfg(feature = "deflate")]
    pub(crate) fn with_ext<D: SendExtension>(self, ext: D) -> (Send<M, D>, C) {
        let Self {
            masks,
            ext: old,
            role,
            close,
            ping_owed,
            ping_seq,
            activity,
            timer,
            sending,
        } = self;
        let send = Send {
            masks,
            ext,
            role,
            close,
            ping_owed,
            ping_seq,
            activity,
            timer,
            sending,
        };
        (send, old)
    }

    #[cfg(feature = "deflate")]
    pub(crate) fn ext_window_bits(&self) -> Option<u8> {
        self.ext.window_bits()
    }

    /// Start the extension with what the handshake agreed.
    #[cfg(feature = "deflate")]
    pub(crate) fn start_ext(&mut self, agreed: Option<crate::deflate::Params>) {
        self.ext.start(agreed, self.role);
    }

    fn header(&mut self, opcode: Opcode, fin: bool, len: usize) -> Header {
        let mask = match self.role {
            Role::Client => Some(self.masks.next_mask()),
            Role::Server => None,
        };
        Header::new(opcode, len as u64)
            .with_fin(fin)
            .with_mask(mask)
    }

    /// Write a Close with `payload` and mark it sent.
    fn write_close(&mut self, payload: &[u8], tx: &mut [u8], link: &impl Control) -> usize {
        let header = self.header(Opcode::Close, true, payload.len());
        match write_frame(header, payload, tx) {
            Some(n) => {
                link.set_close_sent();
                self.close = None;
                self.ping_owed = false;
                n
            }
            None => 0,
        }
    }

    /// See [`Connection::poll_transmit`](super::Connection::poll_transmit).
    pub(crate) fn poll_transmit(&mut self, tx: &mut [u8], link: &impl Control) -> usize {
        let phase = link.phase();
        let mut payload = [0u8; MAX_CONTROL_PAYLOAD];
        // The one Close this connection owes, if it owes one now.
        let len = match phase {
            Phase::Connecting | Phase::Closed | Phase::Failed(FaultKind::CloseTimeout) => return 0,
            Phase::Open if self.close.is_none() => return self.write_owed_control(tx, link),
            Phase::Open | Phase::Closing(Side::Local) => {
                // Closed while connecting: the close goes first.
                if phase == Phase::Open && !link.advance(Phase::Open, Phase::Closing(Side::Local)) {
                    self.close = None;
                    return 0;
                }
                match &self.close {
                    Some(queued) => {
                        payload = queued.payload;
                        usize::from(queued.len)
                    }
                    None => 0,
                }
            }
            Phase::Failed(kind) => close::encode_payload(
                Some(&CloseFrame {
                    code: kind.close_code(),
                    reason: kind.reason(),
                }),
                &mut payload,
            )
            .unwrap_or(0),
            // The echo carries the peer's code (RFC 6455 §5.5.1).
            Phase::Closing(Side::Peer) => {
                let frame = link.peer_close().flatten().map(|code| CloseFrame {
                    code: CloseCode::new(code),
                    reason: "",
                });
                close::encode_payload(frame.as_ref(), &mut payload).unwrap_or(0)
            }
        };
        if link.close_sent() {
            return 0;
        }
        let n = self.write_close(control_prefix(&payload, len), tx, link);
        if n > 0 {
            link.advance(Phase::Closing(Side::Peer), Phase::Closed);
        }
        n
    }

    /// While open: the pong to the latest ping, then a keepalive ping.
    fn write_owed_control(&mut self, tx: &mut [u8], link: &impl Control) -> usize {
        let mut written = 0;
        if link.pong_owed() {
            let mut payload = [0u8; MAX_CONTROL_PAYLOAD];
            if let Some((len, seq)) = link.read_pong(&mut payload) {
                let header = self.header(Opcode::Pong, true, len);
                let body = control_prefix(&payload, len);
                match write_frame(header, body, tx) {
                    Some(n) => {
                        written = n;
                        link.set_pong_sent(seq);
                    }
                    None => return 0,
                }
            }
        }
        if self.ping_owed {
            let payload = self.ping_seq.to_be_bytes();
            let header = self.header(Opcode::Ping, true, payload.len());
            if let Some(n) = tx
                .get_mut(written..)
                .and_then(|out| write_frame(header, &payload, out))
            {
                written += n;
                self.ping_owed = false;
            }
        }
        written
    }

    /// See [`Connection::wants_transmit`](super::Connection::wants_transmit).
    pub(crate) fn wants_transmit(&self, link: &impl Control) -> bool {
        match link.phase() {
            Phase::Connecting | Phase::Closed | Phase::Failed(FaultKind::CloseTimeout) => false,
            Phase::Open => self.close.is_some() || self.ping_owed || link.pong_owed(),
            Phase::Closing(_) | Phase::Failed(_) => !link.close_sent(),
        }
    }

    /// See [`Connection::close`](super::Connection::close).
    pub(crate) fn close(
        &mut self,
        code: CloseCode,
        reason: &str,
        link: &impl Control,
    ) -> Result<(), SendError> {
        let phase = link.phase();
        if !matches!(phase, Phase::Connecting | Phase::Open) || self.close.is_some() {
            return Err(SendError::Closing);
        }
        let mut payload = [0u8; MAX_CONTROL_PAYLOAD];
        let frame = CloseFrame { code, reason };
        let len =
            close::encode_payload(Some(&frame), &mut payload).map_err(SendError::InvalidClose)?;
        if phase == Phase::Open && !link.advance(Phase::Open, Phase::Closing(Side::Local)) {
            // The peer's Close or a failure came first.
            return Err(SendError::Closing);
        }
        self.close = Some(QueuedClose {
            payload,
            // At most 125.
            len: len as u8,
        });
        self.ping_owed = false;
        Ok(())
    }

    fn check_open(&self, link: &impl Control) -> Result<(), SendError> {
        match link.phase() {
            Phase::Open if self.close.is_none() => Ok(()),
            Phase::Connecting => Err(SendError::NotOpen),
            _ => Err(SendError::Closing),
        }
    }

    /// Whether a whole message of `len` bytes may be started now.
    fn check_message(
        &self,
        len: usize,
        config: &Config,
        link: &impl Control,
    ) -> Result<(), SendError> {
        self.check_open(link)?;
        if self.sending != Sending::Idle {
            return Err(SendError::MessageInProgress);
        }
        let max = config.max_message_len();
        if len > max {
            return Err(SendError::MessageTooLong {
                len: len as u64,
                max: max as u64,
            });
        }
        Ok(())
    }

    /// The bytes a whole message of `len` bytes takes in frames of the
    /// configured fragment size.
    pub(crate) fn encoded_message_len(&self, len: usize, config: &Config) -> usize {
        let masked = self.role == Role::Client;
        let size = match config.fragment_size() {
            0 => return frame_len(len, masked),
            size => size,
        };
        let full = len / size;
        let rest = len % size;
        let mut total = full.saturating_mul(frame_len(size, masked));
        if rest > 0 || len == 0 {
            total = total.saturating_add(frame_len(rest, masked));
        }
        total
    }

    /// A message that may be sent now and fits one frame with a 7-bit
    /// length in `tx`: its bytes, or `None` with nothing written, no key
    /// drawn and no state changed, and the general path decides (and
    /// reports the error, if any).
    #[inline(always)]
    pub(crate) fn encode_single(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        tx: &mut [u8],
        config: &Config,
        link: &impl Control,
    ) -> Option<usize> {
        let len = payload.len();
        let fragment = config.fragment_size();
        if !link.is_open()
            || self.sending != Sending::Idle
            || self.close.is_some()
            || len > config.max_message_len()
            || (fragment != 0 && len > fragment)
        {
            return None;
        }
        let client = self.role == Role::Client;
        let head = if client { 6 } else { 2 };
        if len > MAX_CONTROL_PAYLOAD || tx.len() < head + len {
            return None;
        }
        let mask = client.then(|| self.masks.next_mask());
        let head = Header::encode_short(opcode, len, mask, tx)?;
        let body = tx.get_mut(head..head + len)?;
        match mask {
            Some(key) => mask::copy_masked(key, 0, payload, body),
            None => {
                copy_prefix(body, payload);
            }
        }
        Some(head + len)
    }

    /// A whole message from bytes: text is UTF-8 checked first.
    pub(crate) fn encode_message(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
        config: &Config,
        link: &impl Control,
    ) -> Result<usize, SendError> {
        if kind == MessageKind::Text {
            crate::utf8::from_utf8(payload).map_err(SendError::InvalidUtf8)?;
        }
        self.encode_whole(kind, payload, tx, config, link)
    }

    /// A whole message: one that fits one short frame (most of them) goes
    /// straight out of the inlined fast path; anything else, errors
    /// included, through the general one.
    #[inline(always)]
    pub(crate) fn encode_whole(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
        config: &Config,
        link: &impl Control,
    ) -> Result<usize, SendError> {
        match self.encode_single(kind.opcode(), payload, tx, config, link) {
            Some(n) => Ok(n),
            None => self.encode_general(kind, payload, tx, config, link),
        }
    }

    /// Every whole message [`Send::encode_single`] leaves: the checks in
    /// order (the first failing one is the error), then one frame, or
    /// frames of the configured fragment size.
    #[inline(never)]
    pub(crate) fn encode_general(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
        config: &Config,
        link: &impl Control,
    ) -> Result<usize, SendError> {
        self.check_message(payload.len(), config, link)?;
        #[cfg(feature = "deflate")]
        if config.fragment_size() == 0 && self.compresses(payload.len()) {
            if let Some((n, true)) = self.first_compressed(kind, payload, tx, usize::MAX) {
                return Ok(n);
            }
        }
        let needed = self.encoded_message_len(payload.len(), config);
        if tx.len() < needed {
            return Err(SendError::BufferTooSmall { needed });
        }
        // `tx` holds every frame: all are written.
        let (written, _) = self.write_frames(kind, payload, 0, tx, config);
        Ok(written)
    }

    /// Frames of `payload` from byte `from` on, as many as fit `tx`, each
    /// of at most the fragment size: the bytes written and where the next
    /// frame starts (`payload.len()` when the last one is written).
    fn write_frames(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        mut from: usize,
        tx: &mut [u8],
        config: &Config,
    ) -> (usize, usize) {
        let masked = self.role == Role::Client;
        let mut written = 0;
        loop {
            let Some(rest) = payload.get(from..) else {
                // `from` came back from the state: past the end only if the
                // caller resumed with a shorter payload, which `encode_next`
                // refuses. Nothing more to write.
                return (written, payload.len());
            };
            let room = tx.len().saturating_sub(written);
            let mut piece = rest.len();
            if config.fragment_size() != 0 {
                piece = piece.min(config.fragment_size());
            }
            if frame_len(piece, masked) > room {
                // Not the whole rest: as much as surely fits, if any.
                piece = piece.min(room.saturating_sub(MAX_HEADER_LEN));
                if piece == 0 {
                    return (written, from);
                }
            }
            let fin = piece == rest.len();
            let opcode = if from == 0 {
                kind.opcode()
            } else {
                Opcode::Continuation
            };
            let header = self.header(opcode, fin, piece);
            // `piece` is at most `rest.len()`: no panic path.
            let (part, _) = rest.split_at(piece.min(rest.len()));
            let Some(out) = tx.get_mut(written..) else {
                return (written, from);
            };
            match write_frame(header, part, out) {
                Some(n) => written += n,
                None => return (written, from),
            }
            from += piece;
            if fin {
                return (written, payload.len());
            }
        }
    }

    /// See [`Connection::encode_next`](super::Connection::encode_next).
    pub(crate) fn encode_next(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
        config: &Config,
        link: &impl Control,
    ) -> Result<Encoded, SendError> {
        let from = match self.sending {
            Sending::Parts { kind: k, len, sent } => {
                if k != kind || len as usize != payload.len() {
                    return Err(SendError::MessageInProgress);
                }
                self.check_open(link)?;
                sent as usize
            }
            #[cfg(feature = "deflate")]
            Sending::Compressed { kind: k, len } => {
                if k != kind || len as usize != payload.len() {
                    return Err(SendError::MessageInProgress);
                }
                self.check_open(link)?;
                return self.next_compressed(payload, tx, config);
            }
            _ => {
                self.check_message(payload.len(), config, link)?;
                if kind == MessageKind::Text {
                    crate::utf8::from_utf8(payload).map_err(SendError::InvalidUtf8)?;
                }
                #[cfg(feature = "deflate")]
                if self.compresses(payload.len()) {
                    let max = match config.fragment_size() {
                        0 => usize::MAX,
                        size => size,
                    };
                    if let Some((len, done)) = self.first_compressed(kind, payload, tx, max) {
                        self.sending = if done {
                            Sending::Idle
                        } else {
                            Sending::Compressed {
                                kind,
                                // Within the message cap, a `u32`.
                                len: u32::try_from(payload.len()).unwrap_or(u32::MAX),
                            }
                        };
                        return Ok(Encoded { len, done });
                    }
                }
                0
            }
        };
        let (len, next) = self.write_frames(kind, payload, from, tx, config);
        if len == 0 {
            let piece = payload.len().saturating_sub(from).min(1);
            return Err(SendError::BufferTooSmall {
                needed: frame_len(piece, self.role == Role::Client),
            });
        }
        let done = next >= payload.len();
        self.sending = if done {
            Sending::Idle
        } else {
            Sending::Parts {
                kind,
                // Within the message cap, a `u32`.
                len: u32::try_from(payload.len()).unwrap_or(u32::MAX),
                sent: u32::try_from(next).unwrap_or(u32::MAX),
            }
        };
        Ok(Encoded { len, done })
    }

    /// See [`Connection::encode_fragment`](super::Connection::encode_fragment).
    pub(crate) fn encode_fragment(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        fin: bool,
        tx: &mut [u8],
        config: &Config,
        link: &impl Control,
    ) -> Result<usize, SendError> {
        self.check_open(link)?;
        #[cfg(feature = "deflate")]
        let (opcode, sent, mut utf8, compressed) = match self.sending {
            Sending::Idle => (
                kind.opcode(),
                0,
                Validator::new(),
                self.compresses(payload.len()),
            ),
            Sending::Pieces {
                kind: k,
                sent,
                utf8,
                compressed,
            } if k == kind => (Opcode::Continuation, sent, utf8, compressed),
            _ => return Err(SendError::MessageInProgress),
        };
        #[cfg(not(feature = "deflate"))]
        let (opcode, sent, mut utf8) = match self.sending {
            Sending::Idle => (kind.opcode(), 0, Validator::new()),
            Sending::Pieces {
                kind: k,
                sent,
                utf8,
            } if k == kind => (Opcode::Continuation, sent, utf8),
            _ => return Err(SendError::MessageInProgress),
        };
        let len = u64::from(sent).saturating_add(payload.len() as u64);
        let max = config.max_message_len() as u64;
        if len > max {
            return Err(SendError::MessageTooLong { len, max });
        }
        if kind == MessageKind::Text {
            utf8.feed(payload).map_err(SendError::InvalidUtf8)?;
            if fin {
                utf8.finish().map_err(SendError::InvalidUtf8)?;
            }
        }
        #[cfg(feature = "deflate")]
        let needed = if compressed {
            MAX_HEADER_LEN.saturating_add(crate::deflate::max_compressed_len(payload.len()))
        } else {
            frame_len(payload.len(), self.role == Role::Client)
        };
        #[cfg(not(feature = "deflate"))]
        let needed = frame_len(payload.len(), self.role == Role::Client);
        if tx.len() < needed {
            return Err(SendError::BufferTooSmall { needed });
        }
        #[cfg(feature = "deflate")]
        let n = if compressed {
            if opcode != Opcode::Continuation {
                self.ext.start_message();
            }
            self.ext.start_piece();
            let first = opcode != Opcode::Continuation;
            self.write_compressed(opcode, first, payload, fin, tx, usize::MAX)
                .map(|(n, _)| n)
        } else {
            let header = self.header(opcode, fin, payload.len());
            write_frame(header, payload, tx)
        };
        #[cfg(not(feature = "deflate"))]
        let n = {
            let header = self.header(opcode, fin, payload.len());
            write_frame(header, payload, tx)
        };
        let n = n.ok_or(SendError::BufferTooSmall { needed })?;
        self.sending = if fin {
            Sending::Idle
        } else {
            Sending::Pieces {
                kind,
                // At most the message cap, a `u32`.
                sent: u32::try_from(len).unwrap_or(u32::MAX),
                utf8,
                #[cfg(feature = "deflate")]
                compressed,
            }
        };
        Ok(n)
    }

    /// Whether a message of `len` bytes goes out compressed.
    #[cfg(feature = "deflate")]
    fn compresses(&self, len: usize) -> bool {
        self.ext.is_active() && len >= self.ext.threshold()
    }

    /// The first frame of a compressed message (RFC 7692 §6.1: RSV1 on
    /// it), of at most `max` payload bytes: its length and whether it is
    /// the last, or `None` (nothing sent, nothing changed) when compression
    /// does not shrink the message so far, or `tx` has no room.
    #[cfg(feature = "deflate")]
    fn first_compressed(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
        max: usize,
    ) -> Option<(usize, bool)> {
        self.ext.start_message();
        let (n, progress) = self.write_compressed(kind.opcode(), true, payload, true, tx, max)?;
        let shrinks = if progress.done {
            n < frame_len(payload.len(), self.role == Role::Client)
        } else {
            progress.written < progress.read
        };
        shrinks.then_some((n, progress.done))
    }

    /// The next frame of a message [`Send::first_compressed`] started.
    #[cfg(feature = "deflate")]
    fn next_compressed(
        &mut self,
        payload: &[u8],
        tx: &mut [u8],
        config: &Config,
    ) -> Result<Encoded, SendError> {
        let max = match config.fragment_size() {
            0 => usize::MAX,
            size => size,
        };
        let needed = MAX_HEADER_LEN + 1;
        let (len, progress) = self
            .write_compressed(Opcode::Continuation, false, payload, true, tx, max)
            .ok_or(SendError::BufferTooSmall { needed })?;
        if progress.done {
            self.sending = Sending::Idle;
        }
        Ok(Encoded {
            len,
            done: progress.done,
        })
    }

    /// One frame of compressed data: more of `piece` compressed into `tx`
    /// after room for the longest header, at most `max` bytes of it, then
    /// the header (RSV1 when `first`; FIN once the message's output is
    /// complete) moved up against it. `None` when `tx` has no room.
    #[cfg(feature = "deflate")]
    fn write_compressed(
        &mut self,
        opcode: Opcode,
        first: bool,
        piece: &[u8],
        last: bool,
        tx: &mut [u8],
        max: usize,
    ) -> Option<(usize, crate::deflate::Progress)> {
        let room = tx.len().checked_sub(MAX_HEADER_LEN)?.min(max);
        if room == 0 {
            return None;
        }
        let out = tx.get_mut(MAX_HEADER_LEN..MAX_HEADER_LEN + room)?;
        let progress = self.ext.compress(piece, last, out);
        let written = progress.written.min(room);
        let mut header = self.header(opcode, last && progress.done, written);
        if first {
            header.rsv = crate::frame::Rsv::RSV1;
        }
        let head = header.encoded_len();
        if head < MAX_HEADER_LEN {
            super::recv::shift(tx, MAX_HEADER_LEN, written, head);
        }
        header.encode(tx).ok()?;
        let body = tx.get_mut(head..head + written)?;
        if let Some(key) = header.mask {
            mask::apply(key, 0, body);
        }
        Some((head + written, progress))
    }

    /// See [`Connection::encode_ping`](super::Connection::encode_ping).
    pub(crate) fn encode_control(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        tx: &mut [u8],
        link: &impl Control,
    ) -> Result<usize, SendError> {
        self.check_open(link)?;
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(SendError::ControlPayloadTooLong);
        }
        let needed = frame_len(payload.len(), self.role == Role::Client);
        if tx.len() < needed {
            return Err(SendError::BufferTooSmall { needed });
        }
        let header = self.header(opcode, true, payload.len());
        write_frame(header, payload, tx).ok_or(SendError::BufferTooSmall { needed })
    }

    /// See [`Connection::handle_timeout`](super::Connection::handle_timeout).
    pub(crate) fn handle_timeout(&mut self, now: Instant, config: &Config, link: &impl Control) {
        let now = now.as_millis();
        match link.phase() {
            Phase::Open => {
                let Some((interval, timeout)) = config.keepalive_millis() else {
                    return;
                };
                let activity = link.activity();
                let heard = activity != self.activity;
                self.activity = activity;
                if heard || !matches!(self.timer, Timer::Ping(_) | Timer::Dead(_)) {
                    self.timer = Timer::Ping(now.saturating_add(interval));
                }
                match self.timer {
                    Timer::Ping(at) if now >= at => {
                        self.ping_owed = true;
                        self.ping_seq = self.ping_seq.wrapping_add(1);
                        self.timer = Timer::Dead(now.saturating_add(timeout));
                    }
                    Timer::Dead(at) if now >= at => {
                        self.timer = Timer::Unarmed;
                        link.fail(FaultKind::KeepaliveTimeout);
                    }
                    _ => {}
                }
            }
            Phase::Closing(Side::Local) => {
                let Some(timeout) = config.close_timeout_millis() else {
                    return;
                };
                match self.timer {
                    Timer::Close(at) if now >= at => {
                        self.timer = Timer::Unarmed;
                        link.fail(FaultKind::CloseTimeout);
                    }
                    Timer::Close(_) => {}
                    _ => self.timer = Timer::Close(now.saturating_add(timeout)),
                }
            }
            _ => {}
        }
    }

    /// See [`Connection::poll_timeout`](super::Connection::poll_timeout).
    pub(crate) fn poll_timeout(&self, config: &Config, link: &impl Control) -> Option<Instant> {
        let at = match (link.phase(), self.timer) {
            (Phase::Open, timer) => {
                config.keepalive_millis()?;
                match timer {
                    Timer::Ping(at) | Timer::Dead(at) => at,
                    _ => 0,
                }
            }
            (Phase::Closing(Side::Local), timer) => {
                config.close_timeout_millis()?;
                match timer {
                    Timer::Close(at) => at,
                    _ => 0,
                }
            }
            _ => return None,
        };
        Some(Instant::from_millis(at))
    }
}
