//! The blocking adapter over `embedded_io::{Read, Write}` 0.7.

use embedded_io::{Read, Write};

use super::adapter::websocket_adapter;
use super::{Answer, Error, HandshakeError};
use core::ops::Deref;

use crate::conn::{
    BufferTooSmall, Connection, Event, Link, MAX_CONTROL_FRAME_LEN, MaskSource, MessageKind,
    Receiver, RecvExtension, SendExtension, SendSide, Sender,
};
use crate::{CloseCode, Instant, Status, handshake};

websocket_adapter! {
    /// A WebSocket over a blocking transport: a [`Connection`], the
    /// transport, and a caller-owned transmit buffer `W`.
    ///
    /// Every method first writes what the connection owes (pongs, close
    /// replies, keepalive pings), so they go out before the adapter blocks
    /// on a read. A transport error (a read timeout, say) leaves the adapter
    /// consistent: bytes count only once read, encoded bytes not yet written
    /// are kept and written by the next call, so the call can be repeated.
    ;
    ;
}
