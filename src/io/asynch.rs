//! The async adapter over `embedded_io_async::{Read, Write}` 0.7: the same
//! surface as [`super::blocking`], every I/O method `async`.

use embedded_io_async::{Read, Write};

use super::adapter::websocket_adapter;
use super::{Answer, Error, HandshakeError};
use core::ops::Deref;

use crate::conn::{
    BufferTooSmall, Connection, Event, Link, MAX_CONTROL_FRAME_LEN, MaskSource, MessageKind,
    Receiver, RecvExtension, SendExtension, SendSide, Sender,
};
use crate::{CloseCode, Instant, Status, handshake};

websocket_adapter! {
    /// A WebSocket over an async transport: a [`Connection`], the transport,
    /// and a caller-owned transmit buffer `W`.
    ///
    /// # Cancellation
    /// [`WebSocket::read`] is cancel-safe, so it can sit in a `select!`
    /// beside a timer or a queue: a transport read only counts once it
    /// completed (`handle_rx` records it after), an event found but not yet
    /// returned stays cached in the connection, and encoded frames are
    /// written from a resumable range of `tx`, so a write dropped part-way
    /// is finished by the next call instead of being lost or repeated.
    /// Dropping a `send` of a message sent in several fragments leaves that
    /// message unfinished: later sends report
    /// [`SendError::MessageInProgress`] and the connection should be closed.
    ;
    async;
    .await
}
