//! A connection's two halves, for full duplex: a [`Receiver`] that reads
//! and a [`Sender`] that writes, each usable from its own task or thread.
//!
//! Each half is one side of the connection and a handle `L` to the
//! [`Link`] they share. The receiver records in the link what the sender
//! owes the peer (a pong, the echo of a Close, the Close of a failure);
//! the sender writes it on its next [`Sender::poll_transmit`] (which every
//! adapter's send and flush call). So that an idle sender answers
//! promptly, the receiver's adapter can wake it: see
//! [`Receiver::wants_transmit`]. Keepalive and the close timeout run on the
//! sender ([`Sender::handle_timeout`]); a failure it finds stops the
//! receiver too.
//!
//! The link is all atomics (see its docs): no lock, no heap, nothing
//! a single-core microcontroller cannot do. The halves are `Send` when `B`,
//! `M` and `L` are, and `Sync` when they are `Sync`.

use core::ops::Deref;

use super::ext::{RecvExtension, SendExtension};
use super::link::{Control, Link, Phase};
use super::recv::Recv;
use super::send::{Encoded, Send};
use super::{
    Config, Connection, Event, Instant, MaskSource, MessageKind, ProtocolError, Role, SendError,
    State,
};
use crate::close::CloseCode;
use crate::frame::Opcode;
use crate::handshake;

/// The receiving half of a split [`Connection`]: bytes in, events out.
/// Its methods are the receiving methods of [`Connection`], with the same
/// contracts.
#[derive(Debug)]
pub struct Receiver<B, L, I = ()> {
    recv: Recv<B, I>,
    config: Config,
    link: L,
}

/// The sending half of a split [`Connection`]: owed control frames,
/// messages, timers. Its methods are the sending methods of
/// [`Connection`], with the same contracts.
#[derive(Debug)]
pub struct Sender<M, L, C = ()> {
    send: Send<M, C>,
    config: Config,
    link: L,
}

pub(super) fn halves<B, M, I, C, L: Clone>(
    recv: Recv<B, I>,
    send: Send<M, C>,
    config: Config,
    link: L,
) -> (Receiver<B, L, I>, Sender<M, L, C>) {
    (
        Receiver {
            recv,
            config,
            link: link.clone(),
        },
        Sender { send, config, link },
    )
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, L: Deref<Target = Link>, I: RecvExtension> Receiver<B, L, I> {
    /// Put the halves back together. They must come from the same split
    /// (the same link); otherwise both are handed back.
    ///
    /// # Errors
    /// The two halves, when `sender` shares another link.
    #[allow(
        clippy::result_large_err,
        clippy::type_complexity,
        reason = "the halves come back by value: no heap to box them in"
    )]
    pub fn rejoin<M: MaskSource, C: SendExtension>(
        self,
        sender: Sender<M, L, C>,
    ) -> Result<Connection<B, M, I, C>, (Self, Sender<M, L, C>)> {
        if !core::ptr::eq(&*self.link, &*sender.link) {
            return Err((self, sender));
        }
        Ok(Connection::from_halves(
            self.recv,
            sender.send,
            self.config,
            &self.link,
        ))
    }

    /// See [`Connection::role`].
    #[must_use]
    pub const fn role(&self) -> Role {
        self.recv.role()
    }

    /// See [`Connection::config`].
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// See [`Connection::state`].
    #[must_use]
    pub fn state(&self) -> State {
        self.link.phase().state()
    }

    /// Whether nothing more will be received: the closing handshake is
    /// over, or the connection failed, or the peer's Close arrived.
    #[must_use]
    pub fn is_done(&self) -> bool {
        matches!(
            self.link.phase(),
            Phase::Closed | Phase::Failed(_) | Phase::Closing(super::Side::Peer)
        )
    }

    /// See [`Connection::error`].
    #[must_use]
    pub fn error(&self) -> Option<ProtocolError> {
        self.recv.error(&*self.link)
    }

    /// See [`Connection::max_message_len`].
    #[must_use]
    pub fn max_message_len(&self) -> usize {
        self.recv.max_message_len(&self.config)
    }

    /// Whether the sender owes a control frame because of what this half
    /// received (a pong, a Close echo, the Close of a failure): an I/O
    /// loop wakes its sender when this turns true after
    /// [`Receiver::poll_event`] or [`Receiver::process`].
    #[must_use]
    pub fn wants_transmit(&self) -> bool {
        match self.link.phase() {
            Phase::Open => self.link.pong_owed(),
            Phase::Closing(super::Side::Peer) => !self.link.close_sent(),
            Phase::Failed(kind) => {
                kind != super::error::FaultKind::CloseTimeout && !self.link.close_sent()
            }
            _ => false,
        }
    }

    /// See [`Connection::rx_buffer`].
    pub fn rx_buffer(&mut self) -> &mut [u8] {
        self.recv.rx_buffer()
    }

    /// See [`Connection::handle_rx`].
    pub fn handle_rx(&mut self, n: usize) {
        self.recv.handle_rx(n, &*self.link);
    }

    /// See [`Connection::handle_bytes`].
    pub fn handle_bytes(&mut self, bytes: &[u8]) -> usize {
        self.recv.handle_bytes(bytes, &*self.link)
    }

    /// See [`Connection::pending_input`].
    #[must_use]
    pub fn pending_input(&self) -> &[u8] {
        self.recv.pending_input()
    }

    /// See [`Connection::finish_handshake`].
    pub fn finish_handshake(&mut self, head: handshake::Finished) {
        self.recv.finish_handshake(head, &*self.link);
    }

    /// See [`Connection::poll_event`].
    ///
    /// # Errors
    /// As [`Connection::poll_event`].
    pub fn poll_event(&mut self) -> Result<Option<Event<'_>>, ProtocolError> {
        self.recv.poll_event(&*self.link, &self.config)
    }

    /// See [`Connection::process`].
    ///
    /// # Errors
    /// As [`Connection::poll_event`].
    pub fn process(&mut self) -> Result<bool, ProtocolError> {
        self.recv.process(&*self.link, &self.config)
    }
}

impl<M: MaskSource, L: Deref<Target = Link>, C: SendExtension> Sender<M, L, C> {
    /// See [`Connection::state`].
    #[must_use]
    pub fn state(&self) -> State {
        self.link.phase().state()
    }

    /// Whether the transport should now be closed: see
    /// [`Connection::is_closed`].
    #[must_use]
    pub fn is_closed(&self) -> bool {
        match self.link.phase() {
            Phase::Closed => true,
            Phase::Failed(_) => !self.send.wants_transmit(&*self.link),
            _ => false,
        }
    }

    /// The close code of the failure, if the connection failed (the
    /// receiver's [`Receiver::error`] has the whole fault).
    #[must_use]
    pub fn failure(&self) -> Option<CloseCode> {
        match self.link.phase() {
            Phase::Failed(kind) => Some(kind.close_code()),
            _ => None,
        }
    }

    /// A timeout this half found ([`Sender::handle_timeout`]), if that is
    /// what failed the connection.
    #[must_use]
    pub fn timeout_error(&self) -> Option<ProtocolError> {
        match self.link.phase() {
            Phase::Failed(kind) => kind.timeout_error(),
            _ => None,
        }
    }

    /// See [`Connection::poll_transmit`].
    #[must_use]
    pub fn poll_transmit(&mut self, tx: &mut [u8]) -> usize {
        self.send.poll_transmit(tx, &*self.link)
    }

    /// See [`Connection::wants_transmit`].
    #[must_use]
    pub fn wants_transmit(&self) -> bool {
        self.send.wants_transmit(&*self.link)
    }

    /// See [`Connection::close`].
    ///
    /// # Errors
    /// As [`Connection::close`].
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), SendError> {
        self.send.close(code, reason, &*self.link)
    }

    /// See [`Connection::encode_text`].
    ///
    /// # Errors
    /// As [`Connection::encode_binary`].
    #[inline(always)]
    pub fn encode_text(&mut self, text: &str, tx: &mut [u8]) -> Result<usize, SendError> {
        self.send.encode_whole(
            MessageKind::Text,
            text.as_bytes(),
            tx,
            &self.config,
            &*self.link,
        )
    }

    /// See [`Connection::encode_binary`].
    ///
    /// # Errors
    /// As [`Connection::encode_binary`].
    #[inline(always)]
    pub fn encode_binary(&mut self, data: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.send
            .encode_whole(MessageKind::Binary, data, tx, &self.config, &*self.link)
    }

    /// See [`Connection::encoded_message_len`].
    #[must_use]
    pub fn encoded_message_len(&self, len: usize) -> usize {
        self.send.encoded_message_len(len, &self.config)
    }

    /// See [`Connection::encode_message`].
    ///
    /// # Errors
    /// As [`Connection::encode_message`].
    pub fn encode_message(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<usize, SendError> {
        self.send
            .encode_message(kind, payload, tx, &self.config, &*self.link)
    }

    /// See [`Connection::encode_next`].
    ///
    /// # Errors
    /// As [`Connection::encode_next`].
    pub fn encode_next(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        tx: &mut [u8],
    ) -> Result<Encoded, SendError> {
        self.send
            .encode_next(kind, payload, tx, &self.config, &*self.link)
    }

    /// See [`Connection::encode_fragment`].
    ///
    /// # Errors
    /// As [`Connection::encode_fragment`].
    pub fn encode_fragment(
        &mut self,
        kind: MessageKind,
        payload: &[u8],
        fin: bool,
        tx: &mut [u8],
    ) -> Result<usize, SendError> {
        self.send
            .encode_fragment(kind, payload, fin, tx, &self.config, &*self.link)
    }

    /// See [`Connection::encode_ping`].
    ///
    /// # Errors
    /// As [`Connection::encode_ping`].
    pub fn encode_ping(&mut self, payload: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.send
            .encode_control(Opcode::Ping, payload, tx, &*self.link)
    }

    /// See [`Connection::encode_pong`].
    ///
    /// # Errors
    /// As [`Connection::encode_ping`].
    pub fn encode_pong(&mut self, payload: &[u8], tx: &mut [u8]) -> Result<usize, SendError> {
        self.send
            .encode_control(Opcode::Pong, payload, tx, &*self.link)
    }

    /// See [`Connection::handle_timeout`].
    pub fn handle_timeout(&mut self, now: Instant) {
        self.send.handle_timeout(now, &self.config, &*self.link);
    }

    /// See [`Connection::poll_timeout`].
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.send.poll_timeout(&self.config, &*self.link)
    }
}
