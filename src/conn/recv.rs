//! The receive path: bytes in, events out.

use super::{
    CONTROL_RESERVE, Chunk, Connection, Event, MaskSource, MessageKind, PendingClose, RecvMode,
    Role, RxFrame, RxMessage,
};
use crate::close::{self, CloseFrame};
use crate::frame::{Header, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, Opcode};
use crate::mask;
use crate::utf8::{Utf8Error, Validator};
use crate::{ProtocolError, Status};

/// What `advance` found, as indices, so the borrow of the buffer is taken
/// only when the event is built.
#[derive(Clone, Copy, Debug)]
pub(super) enum Ready {
    Message {
        kind: MessageKind,
        start: usize,
        len: usize,
    },
    Chunk {
        kind: MessageKind,
        start: usize,
        len: usize,
        offset: u64,
        last: bool,
    },
    Ping(usize),
    Pong(usize),
    Close(usize),
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, M: MaskSource> Connection<B, M> {
    /// Free space at the end of the receive buffer: read transport bytes
    /// into it, then call [`Connection::handle_rx`] with the count. Bytes
    /// already processed are dropped and the rest moved to the front first
    /// when that makes room. Empty only when input is waiting to be
    /// processed by [`Connection::poll_event`] (or, while connecting, when
    /// the handshake head fills the buffer).
    pub fn rx_buffer(&mut self) -> &mut [u8] {
        self.apply_release();
        let data = data_mut(self.buf.as_mut());
        let rx = &mut self.rx;
        let tail = data.len().saturating_sub(rx.filled);
        let retained_end = rx.start + rx.msg_len;
        // An event found by `process` but not yet taken pins the bytes it refers to.
        let movable = self.ready.is_none() && (rx.start > 0 || rx.parse > retained_end);
        if movable && (tail < data.len() / 2 || tail < MAX_HEADER_LEN) {
            if rx.msg_len > 0 && rx.start > 0 {
                data.copy_within(rx.start..retained_end, 0);
            }
            if rx.parse > rx.msg_len {
                data.copy_within(rx.parse..rx.filled, rx.msg_len);
            }
            rx.filled = rx.msg_len + (rx.filled - rx.parse);
            rx.parse = rx.msg_len;
            rx.start = 0;
        }
        data.get_mut(rx.filled..).unwrap_or_default()
    }

    /// Report that `n` bytes were written at the front of
    /// [`Connection::rx_buffer`]. `n` is clamped to the space there was.
    pub fn handle_rx(&mut self, n: usize) {
        let cap = data_len(self.buf.as_ref());
        let n = n.min(cap.saturating_sub(self.rx.filled));
        self.rx.filled += n;
        if n > 0 {
            self.rx.activity = true;
        }
    }

    /// Copy as much of `bytes` as fits into the receive buffer and return
    /// how many were taken. Call [`Connection::poll_event`] to make room for
    /// the rest.
    pub fn handle_bytes(&mut self, bytes: &[u8]) -> usize {
        let space = self.rx_buffer();
        let n = space.len().min(bytes.len());
        if let (Some(dst), Some(src)) = (space.get_mut(..n), bytes.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.handle_rx(n);
        n
    }

    /// Received bytes not processed yet: while connecting, the handshake
    /// head (and anything after it).
    #[must_use]
    pub fn pending_input(&self) -> &[u8] {
        data(self.buf.as_ref())
            .get(self.rx.parse..self.rx.filled)
            .unwrap_or_default()
    }

    /// Process buffered input and return the next event, `Ok(None)` when more
    /// bytes are needed (or the connection is closed or not open yet).
    ///
    /// Call it until `Ok(None)`, then [`Connection::poll_transmit`].
    ///
    /// # Errors
    /// A [`ProtocolError`] when the peer broke the protocol; the Close frame
    /// with its code is then owed (see [`Connection::poll_transmit`]) and no
    /// further input is processed.
    pub fn poll_event(&mut self) -> Result<Option<Event<'_>>, ProtocolError> {
        let ready = match self.ready.take() {
            Some(ready) => ready,
            None => match self.advance()? {
                Some(ready) => ready,
                None => return Ok(None),
            },
        };
        let Self { buf, tx, .. } = self;
        let buf = buf.as_mut();
        let event = match ready {
            Ready::Message {
                kind: MessageKind::Binary,
                start,
                len,
            } => Event::Binary(slice(data(buf), start, len)),
            Ready::Message {
                kind: MessageKind::Text,
                start,
                len,
            } => {
                // Already validated as it arrived (fail-fast); this second
                // pass only produces the `&str` without `unsafe`.
                match core::str::from_utf8(slice(data(buf), start, len)) {
                    Ok(text) => Event::Text(text),
                    Err(e) => {
                        let error = Utf8Error::from_core(e);
                        return Err(tx.fail(ProtocolError::InvalidUtf8(error)));
                    }
                }
            }
            Ready::Chunk {
                kind,
                start,
                len,
                offset,
                last,
            } => Event::Chunk(Chunk {
                kind,
                data: slice(data(buf), start, len),
                offset,
                last,
            }),
            Ready::Ping(len) => Event::Ping(slice(buf, 0, len)),
            Ready::Pong(len) => Event::Pong(slice(buf, 0, len)),
            Ready::Close(len) => {
                Event::Close(close::parse_payload(slice(buf, 0, len)).ok().flatten())
            }
        };
        Ok(Some(event))
    }

    /// Process buffered input up to the next event without returning it:
    /// `Ok(true)` when [`Connection::poll_event`] has an event ready. Owed
    /// frames (a pong, a close echo) are already queued then, so an I/O
    /// loop can flush [`Connection::poll_transmit`] before borrowing the event.
    ///
    /// # Errors
    /// As [`Connection::poll_event`].
    pub fn process(&mut self) -> Result<bool, ProtocolError> {
        if self.ready.is_none() {
            self.ready = self.advance()?;
        }
        Ok(self.ready.is_some())
    }

    fn apply_release(&mut self) {
        if self.rx.release {
            self.rx.release = false;
            self.rx.start = self.rx.parse;
            self.rx.msg_len = 0;
        }
    }

    /// Run the receive state machine until an event is ready or input runs out.
    fn advance(&mut self) -> Result<Option<Ready>, ProtocolError> {
        if let Some(error) = self.tx.failed {
            return if core::mem::take(&mut self.tx.unreported) {
                Err(error)
            } else {
                Ok(None)
            };
        }
        if !self.open || self.rx.close_received {
            return Ok(None);
        }
        self.apply_release();
        loop {
            let Some(mut frame) = self.rx.frame else {
                if !self.read_header()? {
                    return Ok(None);
                }
                continue;
            };
            let buf = self.buf.as_mut();
            let available = self.rx.filled.saturating_sub(self.rx.parse);
            let take = usize::try_from(frame.remaining).map_or(available, |r| r.min(available));
            let from = self.rx.parse;
            if frame.opcode.is_control() {
                let (ctrl, data) = buf.split_at_mut(CONTROL_RESERVE);
                let dst = ctrl
                    .get_mut(frame.seen..frame.seen + take)
                    .unwrap_or_default();
                dst.copy_from_slice(data.get(from..from + take).unwrap_or_default());
                if let Some(key) = frame.mask {
                    mask::apply(key, frame.seen, dst);
                }
                frame.seen += take;
                frame.remaining -= take as u64;
                self.rx.parse += take;
                if frame.remaining > 0 {
                    self.rx.frame = Some(frame);
                    return Ok(None);
                }
                self.rx.frame = None;
                return self.on_control(frame.opcode, frame.seen).map(Some);
            }
            let Some(mut message) = self.rx.message else {
                // Unreachable: a data frame always has a message.
                self.rx.frame = None;
                continue;
            };
            let data = data_mut(buf);
            let chunk = data.get_mut(from..from + take).unwrap_or_default();
            if let Some(key) = frame.mask {
                mask::apply(key, frame.seen, chunk);
            }
            if message.kind == MessageKind::Text {
                if let Err(e) = message.utf8.feed(chunk) {
                    return Err(self.tx.fail(ProtocolError::InvalidUtf8(e)));
                }
            }
            frame.seen += take;
            frame.remaining -= take as u64;
            self.rx.parse += take;
            let frame_done = frame.remaining == 0;
            let last = frame_done && frame.fin;
            self.rx.frame = if frame_done { None } else { Some(frame) };
            if last && message.kind == MessageKind::Text {
                if let Err(e) = message.utf8.finish() {
                    return Err(self.tx.fail(ProtocolError::InvalidUtf8(e)));
                }
            }
            match self.config.recv_mode() {
                RecvMode::Message => {
                    let to = self.rx.start + self.rx.msg_len;
                    if to != from && take > 0 {
                        data.copy_within(from..from + take, to);
                    }
                    self.rx.msg_len += take;
                    if !frame_done {
                        self.rx.message = Some(message);
                        return Ok(None);
                    }
                    if !last {
                        self.rx.message = Some(message);
                        continue;
                    }
                    self.rx.message = None;
                    self.rx.release = true;
                    return Ok(Some(Ready::Message {
                        kind: message.kind,
                        start: self.rx.start,
                        len: self.rx.msg_len,
                    }));
                }
                RecvMode::Stream => {
                    if take == 0 && !last {
                        self.rx.message = Some(message);
                        if frame_done {
                            continue;
                        }
                        return Ok(None);
                    }
                    let offset = message.delivered;
                    message.delivered += take as u64;
                    self.rx.message = if last { None } else { Some(message) };
                    self.rx.release = true;
                    return Ok(Some(Ready::Chunk {
                        kind: message.kind,
                        start: from,
                        len: take,
                        offset,
                        last,
                    }));
                }
            }
        }
    }

    /// Decode the next header. `Ok(false)` when more bytes are needed.
    fn read_header(&mut self) -> Result<bool, ProtocolError> {
        let input = data(self.buf.as_ref())
            .get(self.rx.parse..self.rx.filled)
            .unwrap_or_default();
        let (header, header_len) = match Header::decode_with(input, self.config.allowed_rsv()) {
            Ok(Status::Complete(done)) => done,
            Ok(Status::Partial { .. }) => return Ok(false),
            Err(e) => return Err(self.tx.fail(e.into())),
        };
        match (self.role, header.mask.is_some()) {
            (Role::Server, false) => return Err(self.tx.fail(ProtocolError::UnmaskedClientFrame)),
            (Role::Client, true) => return Err(self.tx.fail(ProtocolError::MaskedServerFrame)),
            _ => {}
        }
        let len = header.payload_len;
        if !header.opcode.is_control() {
            let max_frame = self.config.max_frame_len() as u64;
            if len > max_frame {
                return Err(self.tx.fail(ProtocolError::FrameTooLong {
                    len,
                    max: max_frame,
                }));
            }
            let message = match (header.opcode, self.rx.message) {
                (Opcode::Continuation, None) => {
                    return Err(self.tx.fail(ProtocolError::UnexpectedContinuation));
                }
                (Opcode::Continuation, Some(m)) => m,
                (_, Some(_)) => return Err(self.tx.fail(ProtocolError::ExpectedContinuation)),
                (opcode, None) => {
                    let kind = if opcode == Opcode::Text {
                        MessageKind::Text
                    } else {
                        MessageKind::Binary
                    };
                    self.rx.start = self.rx.parse + header_len;
                    self.rx.msg_len = 0;
                    RxMessage {
                        kind,
                        declared: 0,
                        delivered: 0,
                        utf8: Validator::new(),
                    }
                }
            };
            let total = message.declared.saturating_add(len);
            let max = self.max_message_len() as u64;
            if total > max {
                return Err(self
                    .tx
                    .fail(ProtocolError::MessageTooLong { len: total, max }));
            }
            self.rx.message = Some(RxMessage {
                declared: total,
                ..message
            });
        }
        self.rx.parse += header_len;
        self.rx.frame = Some(RxFrame {
            opcode: header.opcode,
            fin: header.fin,
            remaining: len,
            mask: header.mask,
            seen: 0,
        });
        Ok(true)
    }

    /// A complete control frame sits in the rx control slot.
    fn on_control(&mut self, opcode: Opcode, len: usize) -> Result<Ready, ProtocolError> {
        match opcode {
            Opcode::Ping => {
                if self.config.auto_pong() && !self.tx.closing() {
                    let buf = self.buf.as_mut();
                    buf.copy_within(0..len, MAX_CONTROL_PAYLOAD);
                    self.tx.pong = Some(u8::try_from(len).unwrap_or(0));
                }
                Ok(Ready::Ping(len))
            }
            Opcode::Pong => Ok(Ready::Pong(len)),
            _ => {
                let payload = self.buf.as_ref().get(..len).unwrap_or_default();
                let frame: Option<CloseFrame<'_>> = close::parse_payload(payload)
                    .map_err(|e| self.tx.fail(ProtocolError::InvalidClose(e)))?;
                self.rx.close_received = true;
                self.rx.message = None;
                if !self.tx.closing() {
                    self.tx.close = Some(PendingClose::Echo(frame.map(|f| f.code)));
                    self.tx.pong = None;
                    self.tx.ping = false;
                }
                Ok(Ready::Close(len))
            }
        }
    }
}

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
