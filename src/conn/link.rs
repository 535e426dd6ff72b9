//! The control block the receiving and the sending side share: the phase
//! of the connection and the duties one side records for the other.
//!
//! A whole [`Connection`](super::Connection) keeps one inline; split halves
//! reach one in caller memory (a `static`, a local the halves borrow, an
//! `Arc`). Either way the same code runs, so the halves keep every duty of
//! the whole connection.
//!
//! ## Synchronisation
//!
//! Everything here is an atomic: no lock, no critical section, no
//! `unsafe`. Each field but the phase has one writer:
//!
//! | field | written by | read by |
//! | --- | --- | --- |
//! | `phase` | both, by compare-and-swap | both |
//! | `peer_close` | receiving side | sending side (the echo) |
//! | `activity` | receiving side | sending side (keepalive) |
//! | `pong_seq`, `pong_len`, `pong` | receiving side | sending side |
//! | `pong_sent` | sending side | both |
//! | `close_sent` | sending side | receiving side |
//!
//! The owed pong's payload (at most 125 bytes) is a sequence lock: the
//! receiving side makes `pong_seq` odd, writes the bytes, makes it even;
//! the sending side copies the bytes and keeps the copy only if `pong_seq`
//! was the same even value before and after. The writer never waits; a
//! reader that raced a write tries again on its next call. The bytes are
//! atomics too, so a race is a stale copy, never undefined behaviour.
//!
//! The phase moves by compare-and-swap, so the target needs atomic CAS on
//! bytes (`target_has_atomic = "8"`: every Cortex-M3/M4/M7/M33, RISC-V with
//! the A extension, every hosted target; not the Cortex-M0/M0+ of thumbv6m).

use core::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};

use super::error::FaultKind;
use crate::frame::MAX_CONTROL_PAYLOAD;

/// Who started the closing handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Side {
    /// We did ([`Connection::close`](super::Connection::close)).
    Local,
    /// The peer's Close came first.
    Peer,
}

/// Where a connection is in its life cycle (RFC 6455 §4, §7): the phase
/// both sides share, stored, not derived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum State {
    /// The opening handshake has not completed.
    Connecting,
    /// Data flows both ways.
    Open,
    /// The closing handshake is under way, started by the given side.
    /// `Closing(Side::Local)`: our Close is queued or sent, and frames are
    /// still read until the peer's arrives. `Closing(Side::Peer)`: the
    /// peer's Close arrived and our echo is owed.
    Closing(Side),
    /// The closing handshake is over: close the transport.
    Closed,
    /// The connection failed ([`Connection::error`](super::Connection::error)
    /// says why). Its Close, if one is owed, is still to be sent with
    /// [`Connection::poll_transmit`](super::Connection::poll_transmit);
    /// then close the transport.
    Failed,
}

/// The phase as stored: one byte, the fault's kind in it when failed, so
/// that a failure and its reason change together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Connecting,
    Open,
    Closing(Side),
    Closed,
    Failed(FaultKind),
}

impl Phase {
    #[inline]
    const fn encode(self) -> u8 {
        match self {
            Self::Connecting => 0,
            Self::Open => 1,
            Self::Closing(Side::Local) => 2,
            Self::Closing(Side::Peer) => 3,
            Self::Closed => 4,
            Self::Failed(kind) => 0x80 | kind as u8,
        }
    }

    fn decode(byte: u8) -> Self {
        match byte {
            0 => Self::Connecting,
            1 => Self::Open,
            2 => Self::Closing(Side::Local),
            3 => Self::Closing(Side::Peer),
            4 => Self::Closed,
            // Only `encode` writes the byte: the fault is always there.
            _ => FaultKind::from_u8(byte & 0x7F).map_or(Self::Closed, Self::Failed),
        }
    }

    pub(crate) const fn state(self) -> State {
        match self {
            Self::Connecting => State::Connecting,
            Self::Open => State::Open,
            Self::Closing(side) => State::Closing(side),
            Self::Closed => State::Closed,
            Self::Failed(_) => State::Failed,
        }
    }

    /// Over: nothing more is read.
    pub(crate) const fn is_final(self) -> bool {
        matches!(self, Self::Closed | Self::Failed(_))
    }
}

/// `peer_close` when the peer's Close carried no code.
const PEER_CLOSE_NO_CODE: u32 = 0x2_0000;
/// `peer_close` flag: a Close arrived; the low 16 bits are its code.
const PEER_CLOSE_CODE: u32 = 0x1_0000;

/// The control block of one connection, shared by its receiving and its
/// sending half (see [`Connection::split`](super::Connection::split)).
///
/// Make one with [`Link::new`] (a `const fn`, so a `static` works) where
/// both halves can reach it: a local they borrow (scoped threads, two
/// futures joined in one task), a `static`, or an `Arc` for tasks that must
/// be `'static`. It is about 150 bytes, all atomics; the halves are `Send`
/// and `Sync` when their buffers and mask source are.
#[derive(Debug)]
pub struct Link {
    phase: AtomicU8,
    close_sent: AtomicBool,
    pong_len: AtomicU8,
    /// 0: no Close from the peer; else `PEER_CLOSE_*`.
    peer_close: AtomicU32,
    /// Bumped by the receiving side when bytes arrive (keepalive).
    activity: AtomicU32,
    /// The pong slot's sequence: odd while written, bumped by 2 per pong owed.
    pong_seq: AtomicU32,
    /// The sequence of the last pong written (by the sending side).
    pong_sent: AtomicU32,
    pong: [AtomicU8; MAX_CONTROL_PAYLOAD],
}

impl Default for Link {
    fn default() -> Self {
        Self::new()
    }
}

impl Link {
    /// A control block for a new connection.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            phase: AtomicU8::new(Phase::Connecting.encode()),
            close_sent: AtomicBool::new(false),
            pong_len: AtomicU8::new(0),
            peer_close: AtomicU32::new(0),
            activity: AtomicU32::new(0),
            pong_seq: AtomicU32::new(0),
            pong_sent: AtomicU32::new(0),
            pong: [const { AtomicU8::new(0) }; MAX_CONTROL_PAYLOAD],
        }
    }

    /// Take over `other`'s state (when a connection is split or rejoined;
    /// neither block is in use by the other side then).
    pub(crate) fn copy_from(&self, other: &Self) {
        let relaxed = Ordering::Relaxed;
        self.phase.store(other.phase.load(relaxed), relaxed);
        self.close_sent
            .store(other.close_sent.load(relaxed), relaxed);
        self.pong_len.store(other.pong_len.load(relaxed), relaxed);
        self.peer_close
            .store(other.peer_close.load(relaxed), relaxed);
        self.activity.store(other.activity.load(relaxed), relaxed);
        for (to, from) in self.pong.iter().zip(&other.pong) {
            to.store(from.load(relaxed), relaxed);
        }
        self.pong_sent.store(other.pong_sent.load(relaxed), relaxed);
        self.pong_seq
            .store(other.pong_seq.load(Ordering::Acquire), Ordering::Release);
    }

    pub(crate) fn phase(&self) -> Phase {
        Phase::decode(self.phase.load(Ordering::Acquire))
    }

    /// Open, tested without decoding the phase (the send fast path).
    #[inline(always)]
    pub(crate) fn is_open(&self) -> bool {
        self.phase.load(Ordering::Acquire) == Phase::Open.encode()
    }

    /// Move from `from` to `to`; `false` (and no change) when the phase
    /// was not `from`.
    pub(crate) fn advance(&self, from: Phase, to: Phase) -> bool {
        self.phase
            .compare_exchange(
                from.encode(),
                to.encode(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
    }

    /// Fail the connection with `kind` unless it is already over; `true`
    /// when this call failed it.
    pub(crate) fn fail(&self, kind: FaultKind) -> bool {
        let mut current = self.phase();
        loop {
            if current.is_final() {
                return false;
            }
            match self.phase.compare_exchange(
                current.encode(),
                Phase::Failed(kind).encode(),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(now) => current = Phase::decode(now),
            }
        }
    }

    pub(crate) fn close_sent(&self) -> bool {
        self.close_sent.load(Ordering::SeqCst)
    }

    /// Our Close is on the wire. If the peer's had arrived, the closing
    /// handshake is over. (With [`Link::set_peer_close`] this is the
    /// classic store-then-load pair: whichever side comes second sees the
    /// other's store, so one of them ends the handshake.)
    pub(crate) fn set_close_sent(&self) {
        self.close_sent.store(true, Ordering::SeqCst);
        if self.peer_close.load(Ordering::SeqCst) != 0 {
            self.advance(Phase::Closing(Side::Local), Phase::Closed);
        }
    }

    /// The peer's Close arrived with `code` (`None`: no code). Moves an
    /// open connection to closing by the peer, and ends the handshake if
    /// our Close was already sent.
    pub(crate) fn set_peer_close(&self, code: Option<u16>) {
        let value = code.map_or(PEER_CLOSE_NO_CODE, |c| PEER_CLOSE_CODE | u32::from(c));
        self.peer_close.store(value, Ordering::SeqCst);
        if !self.advance(Phase::Open, Phase::Closing(Side::Peer)) && self.close_sent() {
            self.advance(Phase::Closing(Side::Local), Phase::Closed);
        }
    }

    /// The peer's Close: `None` if none arrived, `Some(None)` if it had no code.
    pub(crate) fn peer_close(&self) -> Option<Option<u16>> {
        match self.peer_close.load(Ordering::SeqCst) {
            0 => None,
            PEER_CLOSE_NO_CODE => Some(None),
            // The low half is the code (`set_peer_close`).
            v => Some(Some((v & 0xFFFF) as u16)),
        }
    }

    #[inline]
    pub(crate) fn bump_activity(&self) {
        // One writer: a load and a store, no read-modify-write needed.
        let n = self.activity.load(Ordering::Relaxed);
        self.activity.store(n.wrapping_add(1), Ordering::Relaxed);
    }

    pub(crate) fn activity(&self) -> u32 {
        self.activity.load(Ordering::Relaxed)
    }

    /// Owe a pong with `payload` (at most 125 bytes; longer is cut, which
    /// the frame layer already rules out). Replaces an unsent one: only the
    /// latest ping needs an answer (RFC 6455 §5.5.3).
    pub(crate) fn owe_pong(&self, payload: &[u8]) {
        let seq = self.pong_seq.load(Ordering::Relaxed);
        self.pong_seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        core::sync::atomic::fence(Ordering::Release);
        let len = payload.len().min(MAX_CONTROL_PAYLOAD);
        let (payload, _) = payload.split_at(len);
        for (slot, &b) in self.pong.iter().zip(payload) {
            slot.store(b, Ordering::Relaxed);
        }
        // At most 125.
        self.pong_len.store(len as u8, Ordering::Relaxed);
        self.pong_seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// Whether a pong is owed: a ping arrived after the last pong sent.
    pub(crate) fn pong_owed(&self) -> bool {
        self.pong_seq.load(Ordering::Acquire) & !1 != self.pong_sent.load(Ordering::Relaxed)
    }

    /// The pong with sequence `seq` ([`Link::read_pong`]) is written.
    pub(crate) fn set_pong_sent(&self, seq: u32) {
        self.pong_sent.store(seq, Ordering::Relaxed);
    }

    /// Copy the owed pong into `out` (125 bytes): its length and sequence
    /// number, or `None` when a write raced the copy (try again later).
    pub(crate) fn read_pong(&self, out: &mut [u8; MAX_CONTROL_PAYLOAD]) -> Option<(usize, u32)> {
        let before = self.pong_seq.load(Ordering::Acquire);
        if before & 1 != 0 {
            return None;
        }
        let len = usize::from(self.pong_len.load(Ordering::Relaxed)).min(MAX_CONTROL_PAYLOAD);
        for (o, slot) in out.iter_mut().zip(&self.pong).take(len) {
            *o = slot.load(Ordering::Relaxed);
        }
        core::sync::atomic::fence(Ordering::Acquire);
        let after = self.pong_seq.load(Ordering::Relaxed);
        (before == after).then_some((len, before))
    }
}
