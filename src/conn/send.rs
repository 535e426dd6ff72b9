//! The transmit path: owed control frames, data messages, fragments.

use super::{
    Alive, Connection, MaskSource, MessageKind, NO_PONG, PendingClose, ProtocolError, RX_ACTIVITY,
    RX_CLOSE_RECEIVED, SendError, TX_CLIENT, TX_CLOSE_SENT, TX_OPEN, TX_PING, TX_STREAMING,
    TX_STREAMING_TEXT, TX_UNREPORTED, fail,
};
use crate::close::{self, CloseFrame};
use crate::frame::{Header, MAX_CONTROL_PAYLOAD, Opcode};
use crate::mask;

use super::Instant;

/// Bytes a frame with `payload_len` takes on the wire.
const fn frame_len(payload_len: usize, masked: bool) -> usize {
    let header = Header::new(Opcode::Binary, payload_len as u64)
        .with_mask(if masked { Some([0; 4]) } else { None })
        .encoded_len();
    header + payload_len
}

/// Write one frame (header, payload, masked when `mask` is set) at the
/// front of `out`; `None` when it does not fit.
fn write_frame(header: Header, payload: &[u8], out: &mut [u8]) -> Option<usize> {
    let header_len = header.encode(out).ok()?;
    let end = header_len.checked_add(payload.len())?;
    let dst = out.get_mut(header_len..end)?;
    match header.mask {
        Some(key) => mask::copy_masked(key, 0, payload, dst),
        None => dst.copy_from_slice(payload),
    }
    Some(end)
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, M: MaskSource> Connection<B, M> {
    fn mask_key(&mut self) -> Option<[u8; 4]> {
        if self.tx.flags.has(TX_CLIENT) {
            Some(self.masks.next_mask())
        } else {
            None
        }
    }

    fn frame_header(&mut self, opcode: Opcode, fin: bool, len: usize) -> Header {
        let mask = self.mask_key();
        Header::new(opcode, len as u64)
            .with_fin(fin)
            .with_mask(mask)
    }

    /// Write the control frames owed to the peer into `tx` and return the
    /// number of bytes to send: a close (the caller's, an echo, or one that
    /// fails the connection), else a pong to the latest ping, then a
    /// keepalive ping. A `tx` of [`MAX_CONTROL_FRAME_LEN`](super::MAX_CONTROL_FRAME_LEN)
    /// bytes always fits the next one; frames that do not fit stay owed.
    #[must_use]
    pub fn poll_transmit(&mut self, tx: &mut [u8]) -> usize {
        if !self.tx.flags.has(TX_OPEN) || self.tx.flags.has(TX_CLOSE_SENT) {
            return 0;
        }
        if self.tx.close != PendingClose::None {
            let mut payload = [0u8; MAX_CONTROL_PAYLOAD];
            let len = match self.tx.close {
                PendingClose::User => {
                    let len = usize::from(self.tx.close_arg);
                    let slot = self
                        .buf
                        .as_ref()
                        .get(MAX_CONTROL_PAYLOAD..MAX_CONTROL_PAYLOAD + len);
                    if let (Some(dst), Some(src)) = (payload.get_mut(..len), slot) {
                        dst.copy_from_slice(src);
                    }
                    len
                }
                PendingClose::Echo => {
                    let code = self.tx.close_arg;
                    let frame = (code != 0).then(|| CloseFrame {
                        code: close::CloseCode::new(code),
                        reason: "",
                    });
                    close::encode_payload(frame.as_ref(), &mut payload).unwrap_or(0)
                }
                PendingClose::Error | PendingClose::None => match self.error() {
                    Some(error) => {
                        let frame = CloseFrame {
                            code: error.close_code(),
                            reason: error.reason(),
                        };
                        close::encode_payload(Some(&frame), &mut payload).unwrap_or(0)
                    }
                    None => 0,
                },
            };
            let header = self.frame_header(Opcode::Close, true, len);
            let Some(n) = write_frame(header, payload.get(..len).unwrap_or_default(), tx) else {
                return 0;
            };
            self.tx.close = PendingClose::None;
            self.tx.flags.set(TX_CLOSE_SENT, true);
            self.tx.pong = NO_PONG;
            self.tx.flags.set(TX_PING, false);
            return n;
        }
        let mut written = 0;
        if self.tx.pong != NO_PONG {
            let len = usize::from(self.tx.pong);
            let header = self.frame_header(Opcode::Pong, true, len);
            let payload = self
                .buf
                .as_ref()
                .get(MAX_CONTROL_PAYLOAD..MAX_CONTROL_PAYLOAD + len)
                .unwrap_or_default();
            match write_frame(header, payload, tx) {
                Some(n) => {
                    written += n;
                    self.tx.pong = NO_PONG;
                }
                None => return written,
            }
        }
        if self.tx.flags.has(TX_PING) {
            let payload = self.tx.ping_seq.to_be_bytes();
            let header = self.frame_header(Opcode::Ping, true, payload.len());
            if let Some(n) =
                write_frame(header, &payload, tx.get_mut(written..).unwrap_or_default())
            {
                written += n;
                self.tx.flags.set(TX_PING, false);
            }
        }
        written
    }

    /// Whether [`Connection::poll_transmit`] has something to write.
    #[must_use]
    pub const fn wants_transmit(&self) -> bool {
        self.tx.flags.has(TX_OPEN)
            && !self.tx.flags.has(TX_CLOSE_SENT)
            && (!matches!(self.tx.close, PendingClose::None)
                || self.tx.pong != NO_PONG
                || self.tx.flags.has(TX_PING))
    }

    fn check_can_send(&self) -> Result<(), SendError> {
        if !self.tx.flags.has(TX_OPEN) {
            Err(SendError::NotOpen)
        } else if self.tx.closing() || self.rx.flags.has(RX_CLOSE_RECEIVED) {
            Err(SendError::Closing)
        } else {
            Ok(())
        }
    }

    /// Encode a whole text message into `tx` (RFC 6455 §5.6), split into
    /// frames of [`Config::fragment_size`](super::Config::fragment_size)
    /// when that is set, and return the bytes written.
    ///
    /// # Errors
    /// See [`Connection::encode_binary`].
    #[inline(always)]
    pub fn encode_text(&mut self, text: &str, tx: &mut [u8]) -> Result<usize, SendError> {
        self.encode_checked(MessageKind::Text, text.as_bytes(), tx)
    }

    /// Encode a whole binary message into `tx`, fragmented like
    /// [`Connection::encode_text`], and return the bytes written.
    ///
    /// # Errors
    /// [`SendError::NotOpen`] before the handshake completed,
    /// [`SendError::Closing`] once a Close was queued, sent or received,
    /// [`SendError::MessageInProgress`] while a streamed message is open,
    /// [`SendError::MessageTooLong`] past the configured cap, and
    /// [`SendError::BufferTooSmall`] with the size that would fit. Nothing
    /// is written on error.
    #[inline(always)]
    pub fn encode_binary(&mut self, data: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.encode_checked(MessageKind::Binary, data, tx)
    }

    /// The bytes [`Connection::encode_text`] / [`Connection::encode_binary`]
    /// need for a message of `len` bytes with this configuration.
    #[must_use]
    pub fn encoded_message_len(&self, len: usize) -> usize {
        let masked = self.tx.flags.has(TX_CLIENT);
        let size = match self.config.fragment_size() {
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

    /// Encode a whole message of `kind` from bytes; text is UTF-8 checked.
    ///
    /// # Errors
    /// As [`Connection::encode_binary`], plus [`SendError::InvalidUtf8`].
    pub fn encode_message(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<usize, SendError> {
        if kind == MessageKind::Text {
            if let Err(e) = crate::utf8::from_utf8(payload) {
                return Err(SendError::InvalidUtf8(e));
            }
        }
        self.encode_checked(kind, payload, tx)
    }

    /// Whether a whole message of `kind` and `len` bytes may be sent now.
    ///
    /// # Errors
    /// [`SendError::NotOpen`], [`SendError::Closing`],
    /// [`SendError::MessageInProgress`], [`SendError::MessageTooLong`].
    pub fn check_message(&self, len: usize) -> Result<(), SendError> {
        self.check_can_send()?;
        if self.tx.flags.has(TX_STREAMING) {
            return Err(SendError::MessageInProgress);
        }
        let max = self.config.max_message_len();
        if len > max {
            return Err(SendError::MessageTooLong {
                len: len as u64,
                max: max as u64,
            });
        }
        Ok(())
    }

    /// The payload bytes per frame when a message is sent in pieces through
    /// a `tx_len`-byte buffer: the configured fragment size, capped by what
    /// fits beside a frame header (at least 1).
    #[must_use]
    pub fn fragment_len(&self, tx_len: usize) -> usize {
        let fits = tx_len.saturating_sub(crate::frame::MAX_HEADER_LEN).max(1);
        match self.config.fragment_size() {
            0 => fits,
            size => size.min(fits),
        }
    }

    /// Encode a whole message: a message that fits one short frame (most of
    /// them) goes straight out of [`Connection::encode_single`], inlined in
    /// the caller; anything else, errors included, through
    /// [`Connection::encode_general`].
    #[inline]
    fn encode_checked(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<usize, SendError> {
        match self.encode_single(kind.opcode(), payload, tx) {
            Some(n) => Ok(n),
            None => self.encode_general(kind, payload, tx),
        }
    }

    /// A message that may be sent now and fits one frame with a 7-bit
    /// length in `tx`: the bytes [`Connection::encode_general`] writes, or
    /// `None` with nothing written, no key drawn and no state changed, and
    /// the general path decides (and reports the error, if any). One test
    /// of the transmit flags covers open, no Close sent, no message
    /// streaming; the other states that refuse are rare and tested after.
    #[inline(always)]
    fn encode_single(&mut self, opcode: Opcode, payload: &[u8], tx: &mut [u8]) -> Option<usize> {
        const SEND: u8 = TX_OPEN | TX_CLOSE_SENT | TX_STREAMING;
        let len = payload.len();
        let fragment = self.config.fragment_size();
        if self.tx.flags.0 & SEND != TX_OPEN
            || len > 125
            || len > self.config.max_message_len()
            || (fragment != 0 && len > fragment)
            || self.tx.closing()
            || self.rx.flags.has(RX_CLOSE_RECEIVED)
        {
            return None;
        }
        let len7 = len as u8; // at most 125
        let b0 = 0x80 | opcode.as_u8();
        if self.tx.flags.has(TX_CLIENT) {
            let (head, body) = tx.split_first_chunk_mut::<6>()?;
            let body = body.get_mut(..len)?;
            let key = self.masks.next_mask();
            let [k0, k1, k2, k3] = key;
            *head = [b0, 0x80 | len7, k0, k1, k2, k3];
            mask::copy_masked(key, 0, payload, body);
            Some(len + 6)
        } else {
            let (head, body) = tx.split_first_chunk_mut::<2>()?;
            let body = body.get_mut(..len)?;
            *head = [b0, len7];
            body.copy_from_slice(payload);
            Some(len + 2)
        }
    }

    /// Every whole message [`Connection::encode_single`] leaves: the checks
    /// in order (the first failing one is the error), then one frame, or
    /// frames of [`Config::fragment_size`](super::Config::fragment_size).
    /// The masking key of a frame is drawn only once the frames are known
    /// to fit.
    #[inline(never)]
    fn encode_general(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<usize, SendError> {
        self.check_message(payload.len())?;
        let needed = self.encoded_message_len(payload.len());
        if tx.len() < needed {
            return Err(SendError::BufferTooSmall { needed });
        }
        let size = match self.config.fragment_size() {
            0 => payload.len().max(1),
            size => size,
        };
        let mut written = 0;
        let mut opcode = kind.opcode();
        let mut rest = payload;
        loop {
            let (part, tail) = rest.split_at_checked(size).unwrap_or((rest, &[]));
            let fin = tail.is_empty();
            let header = self.frame_header(opcode, fin, part.len());
            let out = tx.get_mut(written..).unwrap_or_default();
            written +=
                write_frame(header, part, out).ok_or(SendError::BufferTooSmall { needed })?;
            if fin {
                return Ok(written);
            }
            opcode = Opcode::Continuation;
            rest = tail;
        }
    }

    /// Encode one frame of a message sent in pieces (RFC 6455 §5.4): the
    /// first call starts a `kind` message, later calls continue it, and the
    /// call with `fin` ends it. Text is UTF-8 checked across pieces (a
    /// character may be split between them). Pings and pongs may be sent
    /// between pieces; other messages may not.
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
        self.check_can_send()?;
        let fresh = !self.tx.flags.has(TX_STREAMING);
        let opcode = if fresh {
            kind.opcode()
        } else if self.tx.flags.has(TX_STREAMING_TEXT) == (kind == MessageKind::Text) {
            Opcode::Continuation
        } else {
            return Err(SendError::MessageInProgress);
        };
        let sent = if fresh { 0 } else { self.tx.streamed_len };
        let len = u64::from(sent).saturating_add(payload.len() as u64);
        let max = self.config.max_message_len() as u64;
        if len > max {
            return Err(SendError::MessageTooLong { len, max });
        }
        let mut utf8 = if fresh {
            super::Carry::default()
        } else {
            self.tx.utf8
        };
        if kind == MessageKind::Text {
            utf8.feed(sent as usize, payload)
                .map_err(SendError::InvalidUtf8)?;
            if fin {
                utf8.finish(len as usize).map_err(SendError::InvalidUtf8)?;
            }
        }
        let needed = frame_len(payload.len(), self.tx.flags.has(TX_CLIENT));
        if tx.len() < needed {
            return Err(SendError::BufferTooSmall { needed });
        }
        let header = self.frame_header(opcode, fin, payload.len());
        let n = write_frame(header, payload, tx).ok_or(SendError::BufferTooSmall { needed })?;
        self.tx.flags.set(TX_STREAMING, !fin);
        self.tx
            .flags
            .set(TX_STREAMING_TEXT, kind == MessageKind::Text);
        // At most the message cap, a `u32`.
        self.tx.streamed_len = u32::try_from(len).unwrap_or(u32::MAX);
        self.tx.utf8 = utf8;
        Ok(n)
    }

    /// Encode a ping with `payload` (at most 125 bytes) into `tx`.
    ///
    /// # Errors
    /// [`SendError::NotOpen`], [`SendError::Closing`],
    /// [`SendError::ControlPayloadTooLong`], [`SendError::BufferTooSmall`].
    pub fn encode_ping(&mut self, payload: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.encode_control(Opcode::Ping, payload, tx)
    }

    /// Encode a pong with `payload` into `tx` (needed only with auto-pong off).
    ///
    /// # Errors
    /// As [`Connection::encode_ping`].
    pub fn encode_pong(&mut self, payload: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.encode_control(Opcode::Pong, payload, tx)
    }

    fn encode_control(
        &mut self,
        opcode: Opcode,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<usize, SendError> {
        self.check_can_send()?;
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(SendError::ControlPayloadTooLong);
        }
        let needed = frame_len(payload.len(), self.tx.flags.has(TX_CLIENT));
        if tx.len() < needed {
            return Err(SendError::BufferTooSmall { needed });
        }
        let header = self.frame_header(opcode, true, payload.len());
        write_frame(header, payload, tx).ok_or(SendError::BufferTooSmall { needed })
    }

    /// Advance the keepalive clock to `now`: owe a ping when nothing was
    /// received for the interval, and fail the connection with
    /// [`ProtocolError::KeepaliveTimeout`] (close code 1011) when nothing
    /// arrived within the timeout after one; the next
    /// [`Connection::poll_event`] then returns that error (once), and
    /// [`Connection::error`] keeps it. Does nothing without
    /// [`Config::with_keepalive`](super::Config::with_keepalive) or before
    /// the connection is open.
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some((interval, timeout)) = self.config.keepalive_millis() else {
            return;
        };
        if !self.tx.flags.has(TX_OPEN) || self.tx.closing() || self.rx.flags.has(RX_CLOSE_RECEIVED)
        {
            return;
        }
        let now = now.as_millis();
        if self.rx.flags.has(RX_ACTIVITY) || self.tx.alive == Alive::NotStarted {
            self.rx.flags.set(RX_ACTIVITY, false);
            self.tx.alive = Alive::Idle;
            self.tx.set_deadline(now.saturating_add(interval));
        }
        let due = now >= self.tx.deadline().as_millis();
        match self.tx.alive {
            Alive::PingSent if due => {
                fail(&mut self.rx, &mut self.tx, ProtocolError::KeepaliveTimeout);
                self.tx.flags.set(TX_UNREPORTED, true);
            }
            Alive::Idle if due => {
                self.tx.flags.set(TX_PING, true);
                self.tx.ping_seq = self.tx.ping_seq.wrapping_add(1);
                self.tx.alive = Alive::PingSent;
                self.tx.set_deadline(now.saturating_add(timeout));
            }
            _ => {}
        }
    }

    /// When [`Connection::handle_timeout`] next has work: the ping deadline,
    /// or the dead-peer deadline after a ping. `None` without keepalive.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.config.keepalive_millis()?;
        if !self.tx.flags.has(TX_OPEN) || self.tx.closing() || self.rx.flags.has(RX_CLOSE_RECEIVED)
        {
            return None;
        }
        match self.tx.alive {
            // Not started: the first tick starts the clock.
            Alive::NotStarted => Some(Instant::from_millis(0)),
            Alive::Idle | Alive::PingSent => Some(self.tx.deadline()),
        }
    }
}
