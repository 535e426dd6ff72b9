//! The blocking adapter over `embedded_io::{Read, Write}` 0.7.

use embedded_io::{Read, Write};

use super::Error;
use crate::conn::{
    BufferTooSmall, Connection, Event, MAX_CONTROL_FRAME_LEN, MaskSource, MessageKind, SendError,
    State,
};
use crate::{CloseCode, Instant};

/// A WebSocket over a blocking transport: a [`Connection`], the transport,
/// and a caller-owned transmit buffer `W`.
///
/// Every method first writes the control frames the connection owes (pongs,
/// close replies, keepalive pings), so they go out before the adapter
/// blocks on a read. After a transport error (a read timeout, say) the
/// adapter is in a consistent state and the call can be repeated.
#[derive(Debug)]
pub struct WebSocket<T, R, W, M> {
    transport: T,
    conn: Connection<R, M>,
    tx: W,
}

impl<T, R, W, M> WebSocket<T, R, W, M>
where
    T: Read + Write,
    R: AsRef<[u8]> + AsMut<[u8]>,
    W: AsMut<[u8]>,
    M: MaskSource,
{
    /// Wrap an open (or still connecting) connection. `tx` must hold at
    /// least [`MAX_CONTROL_FRAME_LEN`] bytes; larger messages than it holds
    /// are sent as fragments.
    ///
    /// # Errors
    /// [`BufferTooSmall`] for a shorter `tx`.
    pub fn new(transport: T, conn: Connection<R, M>, mut tx: W) -> Result<Self, BufferTooSmall> {
        if tx.as_mut().len() < MAX_CONTROL_FRAME_LEN {
            return Err(BufferTooSmall {
                needed: MAX_CONTROL_FRAME_LEN,
            });
        }
        Ok(Self {
            transport,
            conn,
            tx,
        })
    }

    /// The protocol state.
    pub const fn connection(&self) -> &Connection<R, M> {
        &self.conn
    }

    /// The protocol state, mutably (e.g. to queue a close without writing it).
    pub const fn connection_mut(&mut self) -> &mut Connection<R, M> {
        &mut self.conn
    }

    /// The transport.
    pub const fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The parts back.
    pub fn into_parts(self) -> (T, Connection<R, M>, W) {
        (self.transport, self.conn, self.tx)
    }

    /// Write every frame the connection owes, then flush the transport.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn flush(&mut self) -> Result<(), Error<T::Error>> {
        self.write_owed()?;
        self.transport.flush().map_err(Error::Io)
    }

    fn write_owed(&mut self) -> Result<(), Error<T::Error>> {
        while self.conn.wants_transmit() {
            let tx = self.tx.as_mut();
            let n = self.conn.poll_transmit(tx);
            if n == 0 {
                break;
            }
            self.transport
                .write_all(tx.get(..n).unwrap_or_default())
                .map_err(Error::Io)?;
        }
        Ok(())
    }

    /// Read until the next event: a message (or chunk, in stream mode), a
    /// ping, a pong or the peer's close. Pongs and the close echo are
    /// written before the event is returned.
    ///
    /// # Errors
    /// [`Error::Protocol`] when the peer broke the protocol (the Close with
    /// the right code has been written); [`Error::UnexpectedEof`] when the
    /// transport ends first; [`Error::Closed`] once the connection is
    /// closed; [`Error::Io`].
    pub fn read(&mut self) -> Result<Event<'_>, Error<T::Error>> {
        loop {
            self.write_owed()?;
            match self.conn.process() {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => {
                    self.flush()?;
                    return Err(Error::Protocol(e));
                }
            }
            if self.conn.state() == State::Closed || self.conn.error().is_some() {
                self.transport.flush().map_err(Error::Io)?;
                return Err(Error::Closed);
            }
            self.transport.flush().map_err(Error::Io)?;
            let space = self.conn.rx_buffer();
            if space.is_empty() {
                return Err(Error::Closed);
            }
            let n = self.transport.read(space).map_err(Error::Io)?;
            if n == 0 {
                return Err(Error::UnexpectedEof);
            }
            self.conn.handle_rx(n);
        }
        self.flush()?;
        match self.conn.poll_event() {
            Ok(Some(event)) => Ok(event),
            Ok(None) => Err(Error::Closed),
            Err(e) => Err(Error::Protocol(e)),
        }
    }

    /// Send a text message (fragmented when it does not fit `tx`, or per
    /// [`Config::with_fragment_size`](crate::Config::with_fragment_size)).
    ///
    /// # Errors
    /// [`Error::Send`] (nothing written), [`Error::Io`].
    pub fn send_text(&mut self, text: &str) -> Result<(), Error<T::Error>> {
        self.send(MessageKind::Text, text.as_bytes())
    }

    /// Send a binary message; see [`WebSocket::send_text`].
    ///
    /// # Errors
    /// [`Error::Send`] (nothing written), [`Error::Io`].
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), Error<T::Error>> {
        self.send(MessageKind::Binary, data)
    }

    /// Send a whole message of `kind` (text is UTF-8 checked).
    ///
    /// # Errors
    /// [`Error::Send`] (nothing written), [`Error::Io`].
    pub fn send(&mut self, kind: MessageKind, payload: &[u8]) -> Result<(), Error<T::Error>> {
        self.write_owed()?;
        let tx = self.tx.as_mut();
        if self.conn.encoded_message_len(payload.len()) <= tx.len() {
            let n = self.conn.encode_message(kind, payload, tx)?;
            self.transport
                .write_all(tx.get(..n).unwrap_or_default())
                .map_err(Error::Io)?;
        } else {
            self.conn.check_message(payload.len())?;
            if kind == MessageKind::Text {
                crate::utf8::Validator::new()
                    .feed(payload)
                    .map_err(|e| Error::Send(SendError::InvalidUtf8(e)))?;
            }
            let piece = self.conn.fragment_len(tx.len());
            let mut rest = payload;
            loop {
                let (part, tail) = rest.split_at_checked(piece).unwrap_or((rest, &[]));
                let tx = self.tx.as_mut();
                let n = self.conn.encode_fragment(kind, part, tail.is_empty(), tx)?;
                self.transport
                    .write_all(tx.get(..n).unwrap_or_default())
                    .map_err(Error::Io)?;
                if tail.is_empty() {
                    break;
                }
                rest = tail;
            }
        }
        self.transport.flush().map_err(Error::Io)
    }

    /// Send one frame of a message sent in pieces; see
    /// [`Connection::encode_fragment`].
    ///
    /// # Errors
    /// [`Error::Send`] (nothing written), [`Error::Io`].
    pub fn send_fragment(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        fin: bool,
    ) -> Result<(), Error<T::Error>> {
        self.write_owed()?;
        let tx = self.tx.as_mut();
        let n = self.conn.encode_fragment(kind, payload, fin, tx)?;
        self.transport
            .write_all(tx.get(..n).unwrap_or_default())
            .map_err(Error::Io)?;
        self.transport.flush().map_err(Error::Io)
    }

    /// Send a ping (at most 125 bytes).
    ///
    /// # Errors
    /// [`Error::Send`], [`Error::Io`].
    pub fn send_ping(&mut self, payload: &[u8]) -> Result<(), Error<T::Error>> {
        self.write_owed()?;
        let tx = self.tx.as_mut();
        let n = self.conn.encode_ping(payload, tx)?;
        self.transport
            .write_all(tx.get(..n).unwrap_or_default())
            .map_err(Error::Io)?;
        self.transport.flush().map_err(Error::Io)
    }

    /// Start the closing handshake: send a Close with `code` and `reason`.
    /// Keep calling [`WebSocket::read`] until it returns the peer's
    /// [`Event::Close`] (then [`Error::Closed`]), and close the transport.
    ///
    /// # Errors
    /// [`Error::Send`] for a code that may not be sent or a second close; [`Error::Io`].
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error<T::Error>> {
        self.conn.close(code, reason)?;
        self.flush()
    }

    /// Advance the keepalive clock and write any ping it owes.
    ///
    /// # Errors
    /// [`Error::Protocol`] with [`ProtocolError::KeepaliveTimeout`](crate::ProtocolError::KeepaliveTimeout)
    /// when the peer stopped answering (the Close 1011 has been written);
    /// [`Error::Io`].
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), Error<T::Error>> {
        self.conn.handle_timeout(now);
        self.flush()?;
        match self.conn.error() {
            Some(e @ crate::ProtocolError::KeepaliveTimeout) => Err(Error::Protocol(e)),
            _ => Ok(()),
        }
    }
}
