//! The receiving side: bytes in, events out.
//!
//! [`Recv`] owns the receive buffer and everything about frames in flight;
//! what the sending side must act on (a pong owed, the peer's Close, a
//! failure, activity for keepalive) goes to the [`Link`].

use super::ext::RecvExtension;
use super::link::{Control, Phase};
use super::{
    CONTROL_RESERVE, Chunk, Config, Event, MessageKind, ProtocolError, RecvMode, Role, handshake,
};
use crate::Status;
use crate::close;
use crate::frame::{Header, MAX_HEADER_LEN, Opcode, Rsv};
use crate::mask;
use crate::utf8::{self, Validator};

#[cfg(feature = "deflate")]
use crate::deflate::TRAILER;

/// The frame whose payload is being received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Frame {
    opcode: Opcode,
    fin: bool,
    mask: Option<[u8; 4]>,
    /// Payload bytes still to come.
    remaining: u32,
}

/// The event `advance` found, kept until `poll_event` borrows the buffer
/// for it. A message or chunk is `Recv::msg_len` bytes at `Recv::start`; a
/// control payload is `Recv::control_len` bytes at the front of the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ready {
    None,
    Binary,
    /// `checked`: validated as it arrived; otherwise (one whole frame)
    /// the `from_utf8` that makes its `&str` is its check.
    Text {
        checked: bool,
    },
    Chunk {
        kind: MessageKind,
        /// Where the chunk starts within the message.
        offset: u32,
        last: bool,
    },
    /// A chunk of an inflated message, in the inflater's window at
    /// `Inflating::out_at` (stream mode).
    #[cfg(feature = "deflate")]
    InflatedChunk {
        kind: MessageKind,
        offset: u32,
        last: bool,
    },
    Ping,
    Pong,
    Close,
}

/// A compressed message being inflated (RFC 7692 §7.2.2).
#[cfg(feature = "deflate")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Inflating {
    /// Inflated bytes so far.
    inflated: u32,
    /// Bytes of the trailer (`00 00 ff ff`) inflated after its last frame.
    trailer: u8,
    /// The peer ended its stream with a final block: no trailer.
    ended: bool,
    /// The decompressor has output left for the input it was given.
    draining: bool,
    /// Stream mode: go on inflating before the next frame (output left, or
    /// the trailer after the message's last frame).
    resume: bool,
    /// The last piece handed to the inflater was the message's last.
    last: bool,
    /// The chunk handed out from the window (stream mode).
    out_at: usize,
    out_len: usize,
}

/// A data message being received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Message {
    kind: MessageKind,
    /// Declared payload bytes of its frames so far (the current one whole).
    declared: u32,
    /// Its frames so far.
    frames: u32,
    /// Payload bytes received so far.
    received: u32,
}

/// The receiving side's state over the caller's buffer `B`: indices into
/// the data region (the buffer after its first [`CONTROL_RESERVE`] bytes).
pub(crate) struct Recv<B, I = ()> {
    buf: B,
    /// Extension memory (the inflater).
    ext: I,
    #[cfg(feature = "deflate")]
    inflating: Option<Inflating>,
    /// Start of retained bytes: the message being assembled (in stream
    /// mode, the chunk being handed out).
    start: usize,
    /// Retained bytes at `start`.
    msg_len: usize,
    /// Next unprocessed byte.
    parse: usize,
    /// End of received bytes.
    filled: usize,
    frame: Option<Frame>,
    message: Option<Message>,
    /// UTF-8 of the text message being received.
    utf8: Validator,
    /// Payload bytes of the current frame seen so far: the mask phase, and
    /// for a control frame the bytes in the control slot.
    seen: usize,
    ready: Ready,
    /// The last event borrowed the data region: drop it on the next call.
    release: bool,
    /// The fault that failed the connection, whole (the link keeps its
    /// kind); `reported` once `poll_event` returned it.
    fault: Option<ProtocolError>,
    reported: bool,
    role: Role,
}

impl<B, I> core::fmt::Debug for Recv<B, I> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Not the buffer: it is the caller's data, and large.
        f.debug_struct("Recv")
            .field("start", &self.start)
            .field("msg_len", &self.msg_len)
            .field("parse", &self.parse)
            .field("filled", &self.filled)
            .field("frame", &self.frame)
            .field("message", &self.message)
            .field("ready", &self.ready)
            .field("fault", &self.fault)
            .finish_non_exhaustive()
    }
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, I: RecvExtension> Recv<B, I> {
    pub(crate) const fn new(role: Role, buf: B, ext: I) -> Self {
        Self {
            buf,
            ext,
            #[cfg(feature = "deflate")]
            inflating: None,
            start: 0,
            msg_len: 0,
            parse: 0,
            filled: 0,
            frame: None,
            message: None,
            utf8: Validator::new(),
            seen: 0,
            ready: Ready::None,
            release: false,
            fault: None,
            reported: false,
            role,
        }
    }

    pub(crate) const fn role(&self) -> Role {
        self.role
    }

    #[cfg(feature = "deflate")]
    pub(crate) fn ext_window_bits(&self) -> Option<u8> {
        self.ext.window_bits()
    }

    pub(crate) fn ext_active(&self) -> bool {
        self.ext.is_active()
    }

    pub(crate) fn into_parts(self) -> (B, I) {
        (self.buf, self.ext)
    }

    /// Swap the extension memory (the connection is not open yet).
    #[cfg(feature = "deflate")]
    pub(crate) fn with_ext<J: RecvExtension>(self, ext: J) -> (Recv<B, J>, I) {
        let Self {
            buf,
            ext: old,
            #[cfg(feature = "deflate")]
                inflating: _,
            start,
            msg_len,
            parse,
            filled,
            frame,
            message,
            utf8,
            seen,
            ready,
            release,
            fault,
            reported,
            role,
        } = self;
        let recv = Recv {
            buf,
            ext,
            #[cfg(feature = "deflate")]
            inflating: None,
            start,
            msg_len,
            parse,
            filled,
            frame,
            message,
            utf8,
            seen,
            ready,
            release,
            fault,
            reported,
            role,
        };
        (recv, old)
    }

    /// The fault, whole when this side found it; a timeout the sending
    /// side found is rebuilt from its kind.
    pub(crate) fn error(&self, link: &impl Control) -> Option<ProtocolError> {
        match (self.fault, link.phase()) {
            (Some(fault), _) => Some(fault),
            (None, Phase::Failed(kind)) => kind.timeout_error(),
            _ => None,
        }
    }

    /// See [`Connection::max_message_len`](super::Connection::max_message_len).
    pub(crate) fn max_message_len(&self, config: &Config) -> usize {
        let cap = config.max_message_len();
        match config.recv_mode() {
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

    /// See [`Connection::rx_buffer`](super::Connection::rx_buffer).
    pub(crate) fn rx_buffer(&mut self) -> &mut [u8] {
        self.apply_release();
        if self.ready == Ready::None {
            if self.msg_len == 0 && self.parse >= self.filled {
                // Nothing retained, everything processed: start over at the
                // front, so the write position never walks across the
                // buffer (and touches all of it).
                self.start = 0;
                self.parse = 0;
                self.filled = 0;
            } else {
                self.compact();
            }
        }
        data_mut(self.buf.as_mut())
            .get_mut(self.filled..)
            .unwrap_or_default()
    }

    /// Move the retained bytes and the unprocessed ones to the front when
    /// the free tail is short.
    fn compact(&mut self) {
        let data = data_mut(self.buf.as_mut());
        let retained_end = self.start.saturating_add(self.msg_len);
        let tail = data.len().saturating_sub(self.filled);
        let short = tail < data.len() / 2 || tail < MAX_HEADER_LEN;
        if !short || (self.start == 0 && self.parse <= retained_end) {
            return;
        }
        let keep = self.msg_len;
        if self.start > 0 {
            shift(data, self.start, keep, 0);
        }
        let unparsed = self.filled.saturating_sub(self.parse);
        if self.parse > keep {
            shift(data, self.parse, unparsed, keep);
        }
        self.start = 0;
        self.msg_len = keep;
        self.parse = keep;
        self.filled = keep + unparsed;
    }

    /// See [`Connection::handle_rx`](super::Connection::handle_rx).
    pub(crate) fn handle_rx(&mut self, n: usize, link: &impl Control) {
        let cap = data_len(self.buf.as_ref());
        let n = n.min(cap.saturating_sub(self.filled));
        self.filled += n;
        if n > 0 {
            link.bump_activity();
        }
    }

    /// See [`Connection::handle_bytes`](super::Connection::handle_bytes).
    pub(crate) fn handle_bytes(&mut self, bytes: &[u8], link: &impl Control) -> usize {
        let n = copy_prefix(self.rx_buffer(), bytes);
        self.handle_rx(n, link);
        n
    }

    pub(crate) fn pending_input(&self) -> &[u8] {
        data(self.buf.as_ref())
            .get(self.parse..self.filled)
            .unwrap_or_default()
    }

    /// See [`Connection::finish_handshake`](super::Connection::finish_handshake).
    pub(crate) fn finish_handshake(&mut self, head: handshake::Finished, link: &impl Control) {
        if link.phase() != Phase::Connecting {
            return;
        }
        let head_len = head.head_len().min(self.filled.saturating_sub(self.parse));
        self.parse += head_len;
        self.start = self.parse;
        #[cfg(feature = "deflate")]
        self.ext.start(head.deflate(), self.role);
        link.advance(Phase::Connecting, Phase::Open);
    }

    /// See [`Connection::poll_event`](super::Connection::poll_event).
    pub(crate) fn poll_event(
        &mut self,
        link: &impl Control,
        config: &Config,
    ) -> Result<Option<Event<'_>>, ProtocolError> {
        let ready = match core::mem::replace(&mut self.ready, Ready::None) {
            Ready::None => match self.advance(link, config)? {
                Ready::None => return Ok(None),
                ready => ready,
            },
            ready => ready,
        };
        let buf = self.buf.as_mut();
        let message = slice(data(buf), self.start, self.msg_len);
        let control = slice(buf, 0, self.seen);
        let event = match ready {
            Ready::Binary => Event::Binary(message),
            Ready::Text { .. } => match utf8::from_utf8(message) {
                Ok(text) => Event::Text(text),
                Err(e) => {
                    let error = ProtocolError::InvalidUtf8(e);
                    self.fault = Some(error);
                    self.reported = true;
                    link.fail(error.kind());
                    return Err(error);
                }
            },
            Ready::Chunk { kind, offset, last } => Event::Chunk(Chunk {
                kind,
                data: message,
                offset: u64::from(offset),
                last,
            }),
            #[cfg(feature = "deflate")]
            Ready::InflatedChunk { kind, offset, last } => {
                let (at, len) = self.inflating.map_or((0, 0), |z| (z.out_at, z.out_len));
                Event::Chunk(Chunk {
                    kind,
                    data: self.ext.output(at, len),
                    offset: u64::from(offset),
                    last,
                })
            }
            Ready::Ping => Event::Ping(control),
            Ready::Pong => Event::Pong(control),
            Ready::Close | Ready::None => {
                Event::Close(close::parse_payload(control).ok().flatten())
            }
        };
        Ok(Some(event))
    }

    /// See [`Connection::process`](super::Connection::process).
    pub(crate) fn process(
        &mut self,
        link: &impl Control,
        config: &Config,
    ) -> Result<bool, ProtocolError> {
        if self.ready == Ready::None {
            let ready = self.advance(link, config)?;
            if ready == (Ready::Text { checked: false }) {
                // Report invalid text now, before the caller flushes.
                let text = slice(data(self.buf.as_ref()), self.start, self.msg_len);
                if let Err(e) = utf8::from_utf8(text) {
                    return Err(self.fail(link, ProtocolError::InvalidUtf8(e)));
                }
                self.ready = Ready::Text { checked: true };
            } else {
                self.ready = ready;
            }
        }
        Ok(self.ready != Ready::None)
    }

    /// Drop the region the last event borrowed, once that event was taken.
    fn apply_release(&mut self) {
        if self.release && self.ready == Ready::None {
            self.release = false;
            self.start = self.parse;
            self.msg_len = 0;
        }
    }

    /// Fail the connection (§7.1.7): record the fault, tell the sending
    /// side (it sends the Close), stop reading.
    fn fail(&mut self, link: &impl Control, error: ProtocolError) -> ProtocolError {
        if self.fault.is_none() {
            self.fault = Some(error);
            self.reported = true;
            link.fail(error.kind());
        }
        error
    }

    /// Run the receive state machine until an event is ready or input runs out.
    fn advance(&mut self, link: &impl Control, config: &Config) -> Result<Ready, ProtocolError> {
        // The common case tested without decoding the phase.
        let phase = if link.is_open() {
            Phase::Open
        } else {
            link.phase()
        };
        match phase {
            Phase::Open | Phase::Closing(super::Side::Local) => {}
            Phase::Failed(kind) => {
                // A timeout the sending side found: report it once.
                if self.fault.is_none() {
                    self.fault = kind.timeout_error();
                }
                return match self.fault {
                    Some(error) if !self.reported => {
                        self.reported = true;
                        Err(error)
                    }
                    _ => Ok(Ready::None),
                };
            }
            Phase::Connecting | Phase::Closing(super::Side::Peer) | Phase::Closed => {
                return Ok(Ready::None);
            }
        }
        self.apply_release();
        #[cfg(feature = "deflate")]
        if I::PRESENT && self.frame.is_none() {
            if let Some(ready) = self.resume_inflate(link, config)? {
                return Ok(ready);
            }
        }
        if self.frame.is_none() {
            if self.parse >= self.filled {
                return Ok(Ready::None);
            }
            if let Some(ready) = self.whole_message(config) {
                return Ok(ready);
            }
        }
        loop {
            let Some(frame) = self.frame else {
                if !self.read_header(link, config)? {
                    return Ok(Ready::None);
                }
                continue;
            };
            let available = self.filled.saturating_sub(self.parse);
            let take = usize::try_from(frame.remaining).map_or(available, |r| r.min(available));
            // At most the frame's remaining `u32`.
            let take32 = u32::try_from(take).unwrap_or(u32::MAX);
            let remaining = frame.remaining.saturating_sub(take32);
            let from = self.parse;
            let to = from.saturating_add(take);
            self.parse = to;
            let done = remaining == 0;
            self.frame = (!done).then_some(Frame { remaining, ..frame });
            let buf = self.buf.as_mut();
            if frame.opcode.is_control() {
                let (ctrl, data) = buf
                    .split_at_mut_checked(CONTROL_RESERVE)
                    .unwrap_or_default();
                let seen = self.seen;
                if let (Some(dst), Some(src)) = (ctrl.get_mut(seen..), data.get(from..to)) {
                    let n = copy_prefix(dst, src);
                    if let (Some(key), Some(dst)) = (frame.mask, dst.get_mut(..n)) {
                        mask::apply(key, seen, dst);
                    }
                }
                self.seen = seen.saturating_add(take);
                if !done {
                    return Ok(Ready::None);
                }
                return self.on_control(frame.opcode, link, config);
            }
            let Some(message) = self.message else {
                // A data frame always has a message (`read_header`).
                self.frame = None;
                continue;
            };
            let offset = message.received;
            self.message = Some(Message {
                // Within the message cap, a `u32`.
                received: offset.saturating_add(take32),
                ..message
            });
            let data = data_mut(buf);
            let chunk = data.get_mut(from..to).unwrap_or_default();
            if let Some(key) = frame.mask {
                mask::apply(key, self.seen, chunk);
            }
            self.seen = self.seen.wrapping_add(take);
            let last = done && frame.fin;
            #[cfg(feature = "deflate")]
            if I::PRESENT && self.inflating.is_some() {
                let piece = Piece {
                    frame,
                    from,
                    take,
                    last,
                };
                match self.inflate(piece, message, link, config)? {
                    Some(ready) => return Ok(ready),
                    None if self.frame.is_none() => continue,
                    None => return Ok(Ready::None),
                }
            }
            // A whole text message in one frame, all here: the `from_utf8`
            // that makes its `&str` is its only check (`process` runs it
            // early), so it is not validated twice.
            let whole = last && offset == 0 && config.recv_mode() == RecvMode::Message;
            if message.kind == MessageKind::Text && !whole {
                if let Err(e) = self.utf8.feed(chunk) {
                    return Err(self.fail(link, ProtocolError::InvalidUtf8(e)));
                }
                if last {
                    if let Err(e) = self.utf8.finish() {
                        return Err(self.fail(link, ProtocolError::InvalidUtf8(e)));
                    }
                }
            }
            if last {
                self.message = None;
            }
            match config.recv_mode() {
                RecvMode::Message => {
                    let at = self.start.saturating_add(self.msg_len);
                    if at != from {
                        shift(data, from, take, at);
                    }
                    self.msg_len += take;
                    if !last {
                        if done {
                            continue;
                        }
                        return Ok(Ready::None);
                    }
                    self.release = true;
                    return Ok(match message.kind {
                        MessageKind::Text => Ready::Text { checked: !whole },
                        MessageKind::Binary => Ready::Binary,
                    });
                }
                RecvMode::Stream => {
                    if take == 0 && !last {
                        if done {
                            continue;
                        }
                        return Ok(Ready::None);
                    }
                    self.start = from;
                    self.msg_len = take;
                    self.release = true;
                    return Ok(Ready::Chunk {
                        kind: message.kind,
                        offset,
                        last,
                    });
                }
            }
        }
    }

    /// The common case in one step: between messages in
    /// [`RecvMode::Message`], a whole single-frame text or binary message
    /// ([`Header::decode_short`]) within the caps, masked as the role
    /// requires, already in the buffer. It is unmasked in place and the
    /// state left as the general loop leaves it. `None` (nothing changed)
    /// for anything else, which the general loop then decodes, errors
    /// included.
    #[inline]
    fn whole_message(&mut self, config: &Config) -> Option<Ready> {
        if self.message.is_some() || config.recv_mode() != RecvMode::Message {
            return None;
        }
        let max = config
            .max_message_len()
            .min(config.max_frame_len())
            .min(self.data_capacity());
        let masked_role = self.role == Role::Server;
        let data = data_mut(self.buf.as_mut());
        let input = data.get(self.parse..self.filled)?;
        let (header, header_len) = Header::decode_short(input)?;
        if header.mask.is_some() != masked_role {
            return None;
        }
        // A 16-bit length: fits `usize`.
        let len = header.payload_len as usize;
        if len > max {
            return None;
        }
        let start = self.parse + header_len;
        let end = start + len;
        if end > self.filled {
            return None;
        }
        let payload = data.get_mut(start..end)?;
        if let Some(key) = header.mask {
            mask::apply_from_start(key, payload);
        }
        self.start = start;
        self.msg_len = len;
        self.parse = end;
        self.seen = len;
        self.release = true;
        Some(match header.opcode {
            Opcode::Text => Ready::Text { checked: false },
            _ => Ready::Binary,
        })
    }

    /// Decode the next header. `Ok(false)` when more bytes are needed.
    fn read_header(&mut self, link: &impl Control, config: &Config) -> Result<bool, ProtocolError> {
        let input = data(self.buf.as_ref())
            .get(self.parse..self.filled)
            .unwrap_or_default();
        let allowed = if self.ext.is_active() {
            config.allowed_rsv().union(Rsv::RSV1)
        } else {
            config.allowed_rsv()
        };
        let (header, header_len) = match Header::decode_with(input, allowed) {
            Ok(Status::Complete(done)) => done,
            Ok(Status::Partial { .. }) => return Ok(false),
            Err(e) => return Err(self.fail(link, e.into())),
        };
        // RSV1 on a message's first frame: compressed (RFC 7692 §6.1). On a
        // control or continuation frame it is a reserved bit set.
        let compressed = self.ext.is_active() && header.rsv.contains(Rsv::RSV1);
        if compressed && (header.opcode.is_control() || header.opcode == Opcode::Continuation) {
            let error = ProtocolError::Frame(crate::frame::FrameError::ReservedBitsSet);
            return Err(self.fail(link, error));
        }
        match (self.role, header.mask.is_some()) {
            (Role::Server, false) => {
                return Err(self.fail(link, ProtocolError::UnmaskedClientFrame));
            }
            (Role::Client, true) => return Err(self.fail(link, ProtocolError::MaskedServerFrame)),
            _ => {}
        }
        let len = header.payload_len;
        if !header.opcode.is_control() {
            let max_frame = config.max_frame_len() as u64;
            if len > max_frame {
                return Err(self.fail(
                    link,
                    ProtocolError::FrameTooLong {
                        len,
                        max: max_frame,
                    },
                ));
            }
            let message = match (header.opcode, self.message) {
                (Opcode::Continuation, None) => {
                    return Err(self.fail(link, ProtocolError::UnexpectedContinuation));
                }
                (Opcode::Continuation, Some(message)) => message,
                (_, Some(_)) => return Err(self.fail(link, ProtocolError::ExpectedContinuation)),
                (opcode, None) => {
                    self.start = self.parse + header_len;
                    self.msg_len = 0;
                    self.utf8.reset();
                    #[cfg(feature = "deflate")]
                    if I::PRESENT {
                        self.inflating = compressed.then_some(Inflating {
                            inflated: 0,
                            trailer: 0,
                            ended: false,
                            draining: false,
                            resume: false,
                            last: false,
                            out_at: 0,
                            out_len: 0,
                        });
                        if compressed {
                            self.ext.start_message();
                        }
                    }
                    let kind = if opcode == Opcode::Text {
                        MessageKind::Text
                    } else {
                        MessageKind::Binary
                    };
                    Message {
                        kind,
                        declared: 0,
                        frames: 0,
                        received: 0,
                    }
                }
            };
            let total = u64::from(message.declared).saturating_add(len);
            let max = self.max_message_len(config) as u64;
            // A compressed message's cap is on its inflated size
            // (checked while inflating); its frames only count.
            if total > max && !self.is_inflating() {
                return Err(self.fail(link, ProtocolError::MessageTooLong { len: total, max }));
            }
            let max_fragments = config.max_fragments();
            if message.frames >= max_fragments {
                return Err(self.fail(link, ProtocolError::TooManyFragments { max: max_fragments }));
            }
            self.message = Some(Message {
                // Within the message cap, a `u32` (saturated for a
                // compressed message).
                declared: u32::try_from(total).unwrap_or(u32::MAX),
                frames: message.frames + 1,
                ..message
            });
        }
        self.parse += header_len;
        self.frame = Some(Frame {
            opcode: header.opcode,
            fin: header.fin,
            mask: header.mask,
            // Within the frame cap (data) or 125 (control), a `u32`.
            remaining: u32::try_from(len).unwrap_or(u32::MAX),
        });
        self.seen = 0;
        Ok(true)
    }

    /// A complete control frame sits in the control slot.
    fn on_control(
        &mut self,
        opcode: Opcode,
        link: &impl Control,
        config: &Config,
    ) -> Result<Ready, ProtocolError> {
        let payload = self.buf.as_ref().get(..self.seen).unwrap_or_default();
        match opcode {
            Opcode::Ping => {
                if config.auto_pong() && link.phase() == Phase::Open {
                    link.owe_pong(payload);
                }
                Ok(Ready::Ping)
            }
            Opcode::Pong => Ok(Ready::Pong),
            _ => match close::parse_payload(payload) {
                Ok(frame) => {
                    self.message = None;
                    link.set_peer_close(frame.map(|f| f.code.as_u16()));
                    Ok(Ready::Close)
                }
                Err(e) => Err(self.fail(link, ProtocolError::InvalidClose(e))),
            },
        }
    }
}

/// The payload bytes of a data frame just taken and unmasked.
#[cfg(feature = "deflate")]
#[derive(Clone, Copy)]
struct Piece {
    frame: Frame,
    /// Where they start in the data region.
    from: usize,
    take: usize,
    /// The message's last bytes.
    last: bool,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, I: RecvExtension> Recv<B, I> {
    #[inline(always)]
    fn is_inflating(&self) -> bool {
        #[cfg(feature = "deflate")]
        return I::PRESENT && self.inflating.is_some();
        #[cfg(not(feature = "deflate"))]
        false
    }
}

#[cfg(feature = "deflate")]
impl<B: AsRef<[u8]> + AsMut<[u8]>, I: RecvExtension> Recv<B, I> {
    /// Inflate a piece of a compressed message (RFC 7692 §7.2.2). In
    /// [`RecvMode::Message`] the output is assembled in the data region
    /// (room made by moving the message to the front, or the unread input
    /// to the end); in [`RecvMode::Stream`] each step's output is a chunk
    /// in the window, and input it did not consume is given back to the
    /// frame. `Ok(None)`: more input needed (the next frame, or bytes).
    fn inflate(
        &mut self,
        mut piece: Piece,
        message: Message,
        link: &impl Control,
        config: &Config,
    ) -> Result<Option<Ready>, ProtocolError> {
        let max = self.max_message_len(config);
        let stream = config.recv_mode() == RecvMode::Stream;
        let mut consumed = 0;
        loop {
            let Some(mut z) = self.inflating else {
                return Ok(None);
            };
            let input_left = consumed < piece.take;
            let trailer_left = piece.last && !z.ended && usize::from(z.trailer) < TRAILER.len();
            if !input_left && !trailer_left && !z.draining {
                break;
            }
            let inflated = z.inflated as usize;
            // One byte past the cap shows that the message exceeds it.
            let mut room = max.saturating_sub(inflated).saturating_add(1);
            let input_at = piece.from.saturating_add(consumed);
            if !stream {
                // The output goes between the message and the unread input.
                let keep = if input_left { input_at } else { self.parse };
                let at = self.start.saturating_add(self.msg_len);
                let gap = keep.saturating_sub(at);
                if gap == 0 {
                    let Some(moved) = self.make_room(keep) else {
                        let error = ProtocolError::MessageTooLong {
                            len: (inflated as u64).saturating_add(1),
                            max: max as u64,
                        };
                        return Err(self.fail(link, error));
                    };
                    if input_left {
                        piece.from = piece.from.saturating_add(moved);
                    }
                    continue;
                }
                room = room.min(gap);
            }
            let input = if input_left {
                data(self.buf.as_ref())
                    .get(input_at..piece.from.saturating_add(piece.take))
                    .unwrap_or_default()
            } else if trailer_left {
                TRAILER.get(usize::from(z.trailer)..).unwrap_or_default()
            } else {
                &[]
            };
            let Ok(step) = self.ext.step(input, room) else {
                return Err(self.fail(link, ProtocolError::InvalidCompressedData));
            };
            if step.read == 0 && step.written == 0 && !input.is_empty() {
                return Err(self.fail(link, ProtocolError::InvalidCompressedData));
            }
            if input_left {
                consumed += step.read;
            } else if trailer_left {
                // At most 4.
                z.trailer = z.trailer.saturating_add(step.read as u8);
            }
            z.ended |= step.ended;
            z.draining = !step.wants_input && !step.ended;
            let total = inflated.saturating_add(step.written);
            if total > max {
                let error = ProtocolError::MessageTooLong {
                    len: total as u64,
                    max: max as u64,
                };
                return Err(self.fail(link, error));
            }
            // Within the cap, a `u32`.
            z.inflated = total as u32;
            if message.kind == MessageKind::Text {
                let output = self.ext.output(step.at, step.written);
                if let Err(e) = self.utf8.feed(output) {
                    return Err(self.fail(link, ProtocolError::InvalidUtf8(e)));
                }
            }
            if !stream {
                let at = self.start.saturating_add(self.msg_len);
                let dst = data_mut(self.buf.as_mut())
                    .get_mut(at..)
                    .unwrap_or_default();
                self.msg_len += copy_prefix(dst, self.ext.output(step.at, step.written));
            }
            let finished = piece.last
                && consumed >= piece.take
                && !z.draining
                && (z.ended || usize::from(z.trailer) >= TRAILER.len());
            self.inflating = Some(z);
            if finished && message.kind == MessageKind::Text {
                if let Err(e) = self.utf8.finish() {
                    return Err(self.fail(link, ProtocolError::InvalidUtf8(e)));
                }
            }
            if stream && (step.written > 0 || finished) {
                self.give_back(piece, consumed);
                z.out_at = step.at;
                z.out_len = step.written;
                // Output still to come without new input: resume there.
                z.resume = consumed >= piece.take && !finished && (z.draining || piece.last);
                z.last = piece.last;
                self.inflating = (!finished).then_some(z);
                if finished {
                    self.message = None;
                }
                self.release = true;
                return Ok(Some(Ready::InflatedChunk {
                    kind: message.kind,
                    offset: z.inflated.saturating_sub(step.written as u32),
                    last: finished,
                }));
            }
            if finished {
                self.inflating = None;
                self.message = None;
                self.release = true;
                return Ok(Some(match message.kind {
                    MessageKind::Text => Ready::Text { checked: true },
                    MessageKind::Binary => Ready::Binary,
                }));
            }
        }
        Ok(None)
    }

    /// Stream mode: the chunk handed out left output (or the trailer) to
    /// inflate without further input; go on from there.
    fn resume_inflate(
        &mut self,
        link: &impl Control,
        config: &Config,
    ) -> Result<Option<Ready>, ProtocolError> {
        let (Some(mut z), Some(message)) = (self.inflating, self.message) else {
            return Ok(None);
        };
        if !z.resume {
            return Ok(None);
        }
        z.resume = false;
        self.inflating = Some(z);
        let piece = Piece {
            frame: Frame {
                opcode: Opcode::Continuation,
                fin: z.last,
                mask: None,
                remaining: 0,
            },
            from: self.parse,
            take: 0,
            last: z.last,
        };
        self.inflate(piece, message, link, config)
    }

    /// Message mode: room for output at the end of the message, by moving
    /// the message to the front of the data region or, if it is there, the
    /// unread bytes from `keep` on to the end; how far `keep` moved, `None`
    /// when there is no room at all.
    fn make_room(&mut self, keep: usize) -> Option<usize> {
        if self.start > 0 {
            let data = data_mut(self.buf.as_mut());
            shift(data, self.start, self.msg_len, 0);
            self.start = 0;
            return Some(0);
        }
        match self.move_to_end(keep) {
            0 => None,
            moved => Some(moved),
        }
    }

    /// Move the bytes from `from` to the end of the received ones to the
    /// end of the data region; how far they moved.
    fn move_to_end(&mut self, from: usize) -> usize {
        let data = data_mut(self.buf.as_mut());
        let len = self.filled.saturating_sub(from);
        let to = data.len().saturating_sub(len);
        if to <= from {
            return 0;
        }
        shift(data, from, len, to);
        let delta = to - from;
        self.parse = self.parse.saturating_add(delta);
        self.filled = self.filled.saturating_add(delta);
        delta
    }

    /// Stream mode: the bytes of `piece` after its first `consumed` were
    /// not inflated yet; mask them again and return them to the frame.
    fn give_back(&mut self, piece: Piece, consumed: usize) {
        let rest = piece.take.saturating_sub(consumed);
        if rest == 0 {
            return;
        }
        let from = piece.from.saturating_add(consumed);
        let seen = self.seen.wrapping_sub(rest);
        if let Some(key) = piece.frame.mask {
            let data = data_mut(self.buf.as_mut());
            if let Some(bytes) = data.get_mut(from..from.saturating_add(rest)) {
                mask::apply(key, seen, bytes);
            }
        }
        self.seen = seen;
        self.parse = from;
        // At most the frame's remaining `u32`.
        let rest32 = rest as u32;
        self.frame = Some(Frame {
            remaining: self.frame.map_or(0, |f| f.remaining).saturating_add(rest32),
            ..piece.frame
        });
        if let Some(m) = self.message.as_mut() {
            m.received = m.received.saturating_sub(rest32);
        }
    }
}

// The buffer is at least `MIN_BUFFER_LEN` long when the connection is
// made; only an `AsRef`/`AsMut` that later returns a shorter slice (not a
// real buffer) could fail these, and such a buffer reads as empty.

fn data(buf: &[u8]) -> &[u8] {
    buf.get(CONTROL_RESERVE..).unwrap_or_default()
}

fn data_mut(buf: &mut [u8]) -> &mut [u8] {
    buf.get_mut(CONTROL_RESERVE..).unwrap_or_default()
}

fn data_len(buf: &[u8]) -> usize {
    buf.len().saturating_sub(CONTROL_RESERVE)
}

fn slice(buf: &[u8], start: usize, len: usize) -> &[u8] {
    buf.get(start..start.saturating_add(len))
        .unwrap_or_default()
}

/// `data.copy_within(from..from + len, to)`, or nothing when a range is
/// out of bounds. The guard is the check `copy_within` makes, written out
/// so that the compiler drops its panic path.
pub(crate) fn shift(data: &mut [u8], from: usize, len: usize, to: usize) {
    let Some(end) = from.checked_add(len) else {
        return;
    };
    if len > 0 && end <= data.len() && to <= data.len() - len {
        data.copy_within(from..end, to);
    }
}

/// Copy as much of `src` as fits to the front of `dst`; the bytes copied.
/// A zipped loop, not `copy_from_slice`: the compiler turns it into a
/// `memcpy` all the same, and it has no length check that could panic
/// (at opt-level "z", `copy_from_slice` keeps one out of line).
pub(crate) fn copy_prefix(dst: &mut [u8], src: &[u8]) -> usize {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
    dst.len().min(src.len())
}
