//! The receive path: bytes in, events out.

use super::{
    CONTROL_RESERVE, Chunk, Connection, Event, FRAME_ACTIVE, FRAME_FIN, FRAME_MASKED, FRAME_OPCODE,
    MaskSource, NO_PONG, PendingClose, RX_ACTIVITY, RX_CLOSE_RECEIVED, RX_MESSAGE, RX_RELEASE,
    RX_TEXT, RX_UNCHECKED, Ready, RecvMode, TX_CLIENT, TX_OPEN, TX_PING, TX_UNREPORTED, fail,
};
use crate::close::{self, CloseFrame};
use crate::frame::{Header, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, Opcode};
use crate::mask;
use crate::utf8;
use crate::{ProtocolError, Status};

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
        let movable = rx.ready == Ready::None && (rx.start > 0 || rx.parse > retained_end);
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
            self.rx.flags.set(RX_ACTIVITY, true);
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
        let ready = match core::mem::replace(&mut self.rx.ready, Ready::None) {
            Ready::None => match self.advance()? {
                Ready::None => return Ok(None),
                ready => ready,
            },
            ready => ready,
        };
        let Self { buf, rx, tx, .. } = self;
        let buf = buf.as_mut();
        let (start, len) = (rx.start, rx.msg_len);
        let control = usize::from(rx.seen);
        let event = match ready {
            Ready::Message if !rx.flags.has(RX_TEXT) => Event::Binary(slice(data(buf), start, len)),
            Ready::Message => {
                // A fragmented message was validated as it arrived
                // (fail-fast) and this pass only produces the `&str` without
                // `unsafe`; a single-frame one is checked here only.
                match utf8::from_utf8(slice(data(buf), start, len)) {
                    Ok(text) => Event::Text(text),
                    Err(error) => return Err(fail(rx, tx, ProtocolError::InvalidUtf8(error))),
                }
            }
            Ready::Chunk => {
                let end = u64::from(rx.message_received());
                Event::Chunk(Chunk {
                    kind: rx.kind(),
                    data: slice(data(buf), start, len),
                    offset: end.saturating_sub(len as u64),
                    last: !rx.flags.has(RX_MESSAGE),
                })
            }
            Ready::Ping => Event::Ping(slice(buf, 0, control)),
            Ready::Pong => Event::Pong(slice(buf, 0, control)),
            Ready::Close | Ready::None => {
                Event::Close(close::parse_payload(slice(buf, 0, control)).ok().flatten())
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
        if self.rx.ready == Ready::None {
            let ready = self.advance()?;
            if ready == Ready::Message && self.rx.flags.has(RX_UNCHECKED) {
                // Report invalid text now, before the caller flushes.
                let text = slice(data(self.buf.as_ref()), self.rx.start, self.rx.msg_len);
                if let Err(error) = utf8::from_utf8(text) {
                    return Err(self.fail(ProtocolError::InvalidUtf8(error)));
                }
            }
            self.rx.ready = ready;
        }
        Ok(self.rx.ready != Ready::None)
    }

    /// Drop the region the last event borrowed, once that event was taken:
    /// an event `process` found and `poll_event` has not returned yet still
    /// needs it.
    fn apply_release(&mut self) {
        if self.rx.flags.has(RX_RELEASE) && self.rx.ready == Ready::None {
            self.rx.flags.set(RX_RELEASE, false);
            self.rx.start = self.rx.parse;
            self.rx.msg_len = 0;
        }
    }

    fn fail(&mut self, error: ProtocolError) -> ProtocolError {
        fail(&mut self.rx, &mut self.tx, error)
    }

    /// Run the receive state machine until an event is ready or input runs out.
    fn advance(&mut self) -> Result<Ready, ProtocolError> {
        if self.tx.failed != 0 {
            return match self.error() {
                Some(error) if self.tx.flags.take(TX_UNREPORTED) => Err(error),
                _ => Ok(Ready::None),
            };
        }
        if !self.tx.flags.has(TX_OPEN) || self.rx.flags.has(RX_CLOSE_RECEIVED) {
            return Ok(Ready::None);
        }
        self.apply_release();
        if !self.rx.frame_active() && self.rx.parse >= self.rx.filled {
            // Between frames with no input: `read_header` would find no header.
            return Ok(Ready::None);
        }
        if let Some(ready) = self.whole_message() {
            return Ok(ready);
        }
        loop {
            if !self.rx.frame_active() {
                if !self.read_header()? {
                    return Ok(Ready::None);
                }
                continue;
            }
            let rx = &mut self.rx;
            let buf = self.buf.as_mut();
            let available = rx.filled.saturating_sub(rx.parse);
            let take = usize::try_from(rx.remaining).map_or(available, |r| r.min(available));
            let from = rx.parse;
            let key = (rx.frame & FRAME_MASKED != 0).then_some(rx.mask);
            let opcode = rx.opcode();
            // `take` is at most the frame's remaining `u32`.
            let take32 = u32::try_from(take).unwrap_or(u32::MAX);
            if opcode.is_control() {
                let seen = usize::from(rx.seen);
                let (ctrl, data) = buf.split_at_mut(CONTROL_RESERVE);
                let dst = ctrl.get_mut(seen..seen + take).unwrap_or_default();
                dst.copy_from_slice(data.get(from..from + take).unwrap_or_default());
                if let Some(key) = key {
                    mask::apply(key, seen, dst);
                }
                // A control payload is at most 125 bytes.
                rx.seen = u8::try_from(seen + take).unwrap_or(u8::MAX);
                rx.remaining -= take32;
                rx.parse += take;
                if rx.remaining > 0 {
                    return Ok(Ready::None);
                }
                rx.frame = 0;
                return self.on_control(opcode, usize::from(self.rx.seen));
            }
            if !rx.flags.has(RX_MESSAGE) {
                // Unreachable: a data frame always has a message.
                rx.frame = 0;
                continue;
            }
            let data = data_mut(buf);
            let chunk = data.get_mut(from..from + take).unwrap_or_default();
            if let Some(key) = key {
                mask::apply(key, usize::from(rx.seen), chunk);
            }
            let before = rx.message_received() as usize;
            // A whole text message in one frame, all here: `poll_event`'s
            // `from_utf8` (needed for the `&str`) is its only check, with the
            // same error; `process` runs it early.
            let whole = before == 0
                && take32 == rx.remaining
                && rx.frame & FRAME_FIN != 0
                && self.config.recv_mode() == RecvMode::Message;
            rx.flags.set(RX_UNCHECKED, whole && rx.flags.has(RX_TEXT));
            if rx.flags.has(RX_TEXT) && !whole {
                if let Err(e) = rx.utf8.feed(before, chunk) {
                    return Err(self.fail(ProtocolError::InvalidUtf8(e)));
                }
            }
            let rx = &mut self.rx;
            rx.seen = rx.seen.wrapping_add(take as u8);
            rx.remaining -= take32;
            rx.parse += take;
            let frame_done = rx.remaining == 0;
            let last = frame_done && rx.frame & FRAME_FIN != 0;
            if frame_done {
                rx.frame = 0;
            }
            if last && rx.flags.has(RX_TEXT) && !whole {
                if let Err(e) = rx.utf8.finish(before + take) {
                    return Err(self.fail(ProtocolError::InvalidUtf8(e)));
                }
            }
            let rx = &mut self.rx;
            match self.config.recv_mode() {
                RecvMode::Message => {
                    let to = rx.start + rx.msg_len;
                    if to != from && take > 0 {
                        data.copy_within(from..from + take, to);
                    }
                    rx.msg_len += take;
                    if !frame_done {
                        return Ok(Ready::None);
                    }
                    if !last {
                        continue;
                    }
                    rx.flags.set(RX_MESSAGE, false);
                    rx.flags.set(RX_RELEASE, true);
                    return Ok(Ready::Message);
                }
                RecvMode::Stream => {
                    if take == 0 && !last {
                        if frame_done {
                            continue;
                        }
                        return Ok(Ready::None);
                    }
                    if last {
                        rx.flags.set(RX_MESSAGE, false);
                    }
                    rx.start = from;
                    rx.msg_len = take;
                    rx.flags.set(RX_RELEASE, true);
                    return Ok(Ready::Chunk);
                }
            }
        }
    }

    /// The common case in one step: between messages in
    /// [`RecvMode::Message`], a whole single-frame text or binary message
    /// (FIN, no reserved bits, a 7- or 16-bit length within the caps,
    /// masked as the role requires) already in the buffer. It is unmasked
    /// in place and the state left exactly as the general loop leaves it.
    /// `None` (nothing changed) for anything else, which the general loop
    /// then decodes, errors included.
    fn whole_message(&mut self) -> Option<Ready> {
        let rx = &mut self.rx;
        if rx.frame_active()
            || rx.flags.has(RX_MESSAGE)
            || self.config.recv_mode() != RecvMode::Message
        {
            return None;
        }
        let client = self.tx.flags.has(TX_CLIENT);
        let cap = self
            .buf
            .as_ref()
            .len()
            .saturating_sub(CONTROL_RESERVE + MAX_HEADER_LEN);
        let max = self
            .config
            .max_message_len()
            .min(self.config.max_frame_len())
            .min(cap);
        let data = data_mut(self.buf.as_mut());
        let input = data.get(rx.parse..rx.filled)?;
        let (&[b0, b1], rest) = input.split_first_chunk::<2>()?;
        let text = match b0 {
            0x81 => true,
            0x82 => false,
            _ => return None,
        };
        // A server receives masked frames, a client unmasked ones.
        let masked = b1 & 0x80 != 0;
        if masked == client {
            return None;
        }
        let (len, ext, rest) = match b1 & 0x7F {
            126 => {
                let (ext, rest) = rest.split_first_chunk::<2>()?;
                let len = u16::from_be_bytes(*ext);
                if len < 126 {
                    return None;
                }
                (usize::from(len), 2, rest)
            }
            127 => return None,
            short => (usize::from(short), 0, rest),
        };
        let key = if masked {
            Some(*rest.first_chunk::<4>()?)
        } else {
            None
        };
        if len > max {
            return None;
        }
        let start = rx.parse + 2 + ext + if masked { 4 } else { 0 };
        let end = start + len;
        if end > rx.filled {
            return None;
        }
        let payload = data.get_mut(start..end)?;
        if let Some(key) = key {
            mask::apply_from_start(key, payload);
            rx.mask = key;
        }
        rx.start = start;
        rx.msg_len = len;
        rx.parse = end;
        // Within the caps, a `u32`.
        rx.declared = u32::try_from(len).unwrap_or(u32::MAX);
        rx.remaining = 0;
        rx.seen = len as u8;
        rx.frame = 0;
        rx.utf8 = super::Carry::default();
        rx.flags.set(RX_TEXT, text);
        rx.flags.set(RX_UNCHECKED, text);
        rx.flags.set(RX_RELEASE, true);
        Some(Ready::Message)
    }

    /// Decode the next header. `Ok(false)` when more bytes are needed.
    fn read_header(&mut self) -> Result<bool, ProtocolError> {
        let input = data(self.buf.as_ref())
            .get(self.rx.parse..self.rx.filled)
            .unwrap_or_default();
        let (header, header_len) = match Header::decode_with(input, self.config.allowed_rsv()) {
            Ok(Status::Complete(done)) => done,
            Ok(Status::Partial { .. }) => return Ok(false),
            Err(e) => return Err(self.fail(e.into())),
        };
        match (self.tx.flags.has(TX_CLIENT), header.mask.is_some()) {
            (false, false) => return Err(self.fail(ProtocolError::UnmaskedClientFrame)),
            (true, true) => return Err(self.fail(ProtocolError::MaskedServerFrame)),
            _ => {}
        }
        let len = header.payload_len;
        if !header.opcode.is_control() {
            let max_frame = self.config.max_frame_len() as u64;
            if len > max_frame {
                return Err(self.fail(ProtocolError::FrameTooLong {
                    len,
                    max: max_frame,
                }));
            }
            let declared = match (header.opcode, self.rx.flags.has(RX_MESSAGE)) {
                (Opcode::Continuation, false) => {
                    return Err(self.fail(ProtocolError::UnexpectedContinuation));
                }
                (Opcode::Continuation, true) => u64::from(self.rx.declared),
                (_, true) => return Err(self.fail(ProtocolError::ExpectedContinuation)),
                (_, false) => {
                    self.rx.start = self.rx.parse + header_len;
                    self.rx.msg_len = 0;
                    0
                }
            };
            let total = declared.saturating_add(len);
            let max = self.max_message_len() as u64;
            if total > max {
                return Err(self.fail(ProtocolError::MessageTooLong { len: total, max }));
            }
            if !self.rx.flags.has(RX_MESSAGE) {
                self.rx.flags.set(RX_TEXT, header.opcode == Opcode::Text);
                self.rx.flags.set(RX_MESSAGE, true);
                self.rx.utf8 = super::Carry::default();
            }
            // At most the message cap, a `u32`.
            self.rx.declared = u32::try_from(total).unwrap_or(u32::MAX);
        }
        self.rx.parse += header_len;
        let mut frame = FRAME_ACTIVE | (header.opcode.as_u8() & FRAME_OPCODE);
        if header.fin {
            frame |= FRAME_FIN;
        }
        if let Some(key) = header.mask {
            frame |= FRAME_MASKED;
            self.rx.mask = key;
        }
        self.rx.frame = frame;
        // A data frame's length is at most the frame cap, a control frame's 125.
        self.rx.remaining = u32::try_from(len).unwrap_or(u32::MAX);
        self.rx.seen = 0;
        Ok(true)
    }

    /// A complete control frame sits in the rx control slot.
    fn on_control(&mut self, opcode: Opcode, len: usize) -> Result<Ready, ProtocolError> {
        match opcode {
            Opcode::Ping => {
                if self.config.auto_pong() && !self.tx.closing() {
                    let buf = self.buf.as_mut();
                    buf.copy_within(0..len, MAX_CONTROL_PAYLOAD);
                    self.tx.pong = u8::try_from(len).unwrap_or(0);
                }
                Ok(Ready::Ping)
            }
            Opcode::Pong => Ok(Ready::Pong),
            _ => {
                let payload = self.buf.as_ref().get(..len).unwrap_or_default();
                let frame: Option<CloseFrame<'_>> = close::parse_payload(payload).map_err(|e| {
                    fail(&mut self.rx, &mut self.tx, ProtocolError::InvalidClose(e))
                })?;
                let code = frame.map(|f| f.code);
                self.rx.flags.set(RX_CLOSE_RECEIVED, true);
                self.rx.flags.set(RX_MESSAGE, false);
                if !self.tx.closing() {
                    self.tx.close = PendingClose::Echo;
                    self.tx.close_arg = code.map_or(0, |c| c.as_u16());
                    self.tx.pong = NO_PONG;
                    self.tx.flags.set(TX_PING, false);
                }
                Ok(Ready::Close)
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
