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

    fn phase_in<O: Order>(&self) -> Phase {
        Phase::decode(self.phase.load(O::ACQUIRE))
    }

    #[inline(always)]
    fn is_open_in<O: Order>(&self) -> bool {
        self.phase.load(O::ACQUIRE) == Phase::Open.encode()
    }

    #[inline(always)]
    fn advance_in<O: Order>(&self, from: Phase, to: Phase) -> bool {
        if O::SHARED {
            self.phase
                .compare_exchange(
                    from.encode(),
                    to.encode(),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
        } else {
            // One owner (`&mut` on the whole connection): a load and a store.
            let moves = self.phase.load(Ordering::Relaxed) == from.encode();
            if moves {
                self.phase.store(to.encode(), Ordering::Relaxed);
            }
            moves
        }
    }

    #[inline(always)]
    fn fail_in<O: Order>(&self, kind: FaultKind) -> bool {
        let mut current = self.phase_in::<O>();
        if !O::SHARED {
            // One owner: nothing can move the phase meanwhile.
            let fails = !current.is_final();
            if fails {
                self.phase
                    .store(Phase::Failed(kind).encode(), Ordering::Relaxed);
            }
            return fails;
        }
        loop {
            if current.is_final() {
                return false;
            }
            if self.advance_in::<O>(current, Phase::Failed(kind)) {
                return true;
            }
            current = self.phase_in::<O>();
        }
    }

    #[inline(always)]
    fn close_sent_in<O: Order>(&self) -> bool {
        self.close_sent.load(O::SEQ_CST)
    }

    /// Our Close is on the wire. If the peer's had arrived, the closing
    /// handshake is over. (With [`Link::set_peer_close`] this is the
    /// classic store-then-load pair: whichever side comes second sees the
    /// other's store, so one of them ends the handshake.)
    #[inline(always)]
    fn set_close_sent_in<O: Order>(&self) {
        self.close_sent.store(true, O::SEQ_CST);
        if self.peer_close.load(O::SEQ_CST) != 0 {
            self.advance_in::<O>(Phase::Closing(Side::Local), Phase::Closed);
        }
    }

    /// The peer's Close arrived with `code` (`None`: no code). Moves an
    /// open connection to closing by the peer, and ends the handshake if
    /// our Close was already sent.
    #[inline(always)]
    fn set_peer_close_in<O: Order>(&self, code: Option<u16>) {
        let value = code.map_or(PEER_CLOSE_NO_CODE, |c| PEER_CLOSE_CODE | u32::from(c));
        self.peer_close.store(value, O::SEQ_CST);
        if !self.advance_in::<O>(Phase::Open, Phase::Closing(Side::Peer))
            && self.close_sent_in::<O>()
        {
            self.advance_in::<O>(Phase::Closing(Side::Local), Phase::Closed);
        }
    }

    /// The peer's Close: `None` if none arrived, `Some(None)` if it had no code.
    #[inline(always)]
    fn peer_close_in<O: Order>(&self) -> Option<Option<u16>> {
        match self.peer_close.load(O::SEQ_CST) {
            0 => None,
            PEER_CLOSE_NO_CODE => Some(None),
            // The low half is the code (`set_peer_close`).
            v => Some(Some((v & 0xFFFF) as u16)),
        }
    }

    #[inline]
    fn bump_activity_in(&self) {
        // One writer: a load and a store, no read-modify-write needed.
        let n = self.activity.load(Ordering::Relaxed);
        self.activity.store(n.wrapping_add(1), Ordering::Relaxed);
    }

    #[inline(always)]
    fn activity_in(&self) -> u32 {
        self.activity.load(Ordering::Relaxed)
    }

    /// Owe a pong with `payload` (at most 125 bytes; longer is cut, which
    /// the frame layer already rules out). Replaces an unsent one: only the
    /// latest ping needs an answer (RFC 6455 §5.5.3).
    #[inline(always)]
    fn owe_pong_in<O: Order>(&self, payload: &[u8]) {
        let seq = self.pong_seq.load(Ordering::Relaxed);
        if O::SHARED {
            self.pong_seq.store(seq.wrapping_add(1), Ordering::Relaxed);
            core::sync::atomic::fence(Ordering::Release);
        }
        let len = payload.len().min(MAX_CONTROL_PAYLOAD);
        let (payload, _) = payload.split_at(len);
        for (slot, &b) in self.pong.iter().zip(payload) {
            slot.store(b, Ordering::Relaxed);
        }
        // At most 125.
        self.pong_len.store(len as u8, Ordering::Relaxed);
        self.pong_seq.store(seq.wrapping_add(2), O::RELEASE);
    }

    /// Whether a pong is owed: a ping arrived after the last pong sent.
    #[inline(always)]
    fn pong_owed_in<O: Order>(&self) -> bool {
        self.pong_seq.load(O::ACQUIRE) & !1 != self.pong_sent.load(Ordering::Relaxed)
    }

    /// The pong with sequence `seq` ([`Link::read_pong`]) is written.
    #[inline(always)]
    fn set_pong_sent_in(&self, seq: u32) {
        self.pong_sent.store(seq, Ordering::Relaxed);
    }

    /// Copy the owed pong into `out` (125 bytes): its length and sequence
    /// number, or `None` when a write raced the copy (try again later).
    #[inline(always)]
    fn read_pong_in<O: Order>(&self, out: &mut [u8; MAX_CONTROL_PAYLOAD]) -> Option<(usize, u32)> {
        let before = self.pong_seq.load(O::ACQUIRE);
        if before & 1 != 0 {
            return None;
        }
        let len = usize::from(self.pong_len.load(Ordering::Relaxed)).min(MAX_CONTROL_PAYLOAD);
        for (o, slot) in out.iter_mut().zip(&self.pong).take(len) {
            *o = slot.load(Ordering::Relaxed);
        }
        if !O::SHARED {
            return Some((len, before));
        }
        core::sync::atomic::fence(Ordering::Acquire);
        let after = self.pong_seq.load(Ordering::Relaxed);
        (before == after).then_some((len, before))
    }
}

/// How a control block is reached: by two halves that may run at once
/// (`Shared`: compare-and-swap, acquire/release, the sequence lock), or
/// by one owner through `&mut` on a whole connection (`Local`: plain
/// loads and stores, no barrier; the same memory, so it can be handed to
/// halves when the connection is split).
trait Order {
    const SHARED: bool;
    const ACQUIRE: Ordering;
    const RELEASE: Ordering;
    const SEQ_CST: Ordering;
}

struct Shared;
struct Local;

impl Order for Shared {
    const SHARED: bool = true;
    const ACQUIRE: Ordering = Ordering::Acquire;
    const RELEASE: Ordering = Ordering::Release;
    const SEQ_CST: Ordering = Ordering::SeqCst;
}

impl Order for Local {
    const SHARED: bool = false;
    const ACQUIRE: Ordering = Ordering::Relaxed;
    const RELEASE: Ordering = Ordering::Relaxed;
    const SEQ_CST: Ordering = Ordering::Relaxed;
}

/// The control block a whole [`Connection`](super::Connection) keeps
/// inline: a [`Link`] that only its owner reaches (every mutating method
/// of a whole connection takes `&mut self`), so it is read and written
/// without barriers or read-modify-writes. Its memory is a `Link`'s, so a
/// split copies it into the halves' link and a rejoin back.
#[derive(Debug, Default)]
pub(crate) struct LocalLink(pub(crate) Link);

impl LocalLink {
    pub(crate) const fn new() -> Self {
        Self(Link::new())
    }
}

/// The control block's operations, for whichever way it is reached.
pub(crate) trait Control {
    fn phase(&self) -> Phase;
    fn is_open(&self) -> bool;
    fn advance(&self, from: Phase, to: Phase) -> bool;
    fn fail(&self, kind: FaultKind) -> bool;
    fn close_sent(&self) -> bool;
    fn set_close_sent(&self);
    fn set_peer_close(&self, code: Option<u16>);
    fn peer_close(&self) -> Option<Option<u16>>;
    fn bump_activity(&self);
    fn activity(&self) -> u32;
    fn owe_pong(&self, payload: &[u8]);
    fn pong_owed(&self) -> bool;
    fn set_pong_sent(&self, seq: u32);
    fn read_pong(&self, out: &mut [u8; MAX_CONTROL_PAYLOAD]) -> Option<(usize, u32)>;
}

macro_rules! control {
    ($ty:ty, $order:ty, |$s:ident| $link:expr) => {
        impl Control for $ty {
            #[inline]
            fn phase(&self) -> Phase {
                let $s = self;
                $link.phase_in::<$order>()
            }
            #[inline(always)]
            fn is_open(&self) -> bool {
                let $s = self;
                $link.is_open_in::<$order>()
            }
            fn advance(&self, from: Phase, to: Phase) -> bool {
                let $s = self;
                $link.advance_in::<$order>(from, to)
            }
            fn fail(&self, kind: FaultKind) -> bool {
                let $s = self;
                $link.fail_in::<$order>(kind)
            }
            fn close_sent(&self) -> bool {
                let $s = self;
                $link.close_sent_in::<$order>()
            }
            fn set_close_sent(&self) {
                let $s = self;
                $link.set_close_sent_in::<$order>();
            }
            fn set_peer_close(&self, code: Option<u16>) {
                let $s = self;
                $link.set_peer_close_in::<$order>(code);
            }
            fn peer_close(&self) -> Option<Option<u16>> {
                let $s = self;
                $link.peer_close_in::<$order>()
            }
            #[inline]
            fn bump_activity(&self) {
                let $s = self;
                $link.bump_activity_in();
            }
            fn activity(&self) -> u32 {
                let $s = self;
                $link.activity_in()
            }
            fn owe_pong(&self, payload: &[u8]) {
                let $s = self;
                $link.owe_pong_in::<$order>(payload);
            }
            fn pong_owed(&self) -> bool {
                let $s = self;
                $link.pong_owed_in::<$order>()
            }
            fn set_pong_sent(&self, seq: u32) {
                let $s = self;
                $link.set_pong_sent_in(seq);
            }
            fn read_pong(&self, out: &mut [u8; MAX_CONTROL_PAYLOAD]) -> Option<(usize, u32)> {
                let $s = self;
                $link.read_pong_in::<$order>(out)
            }
        }
    };
}

control!(Link, Shared, |s| s);
control!(LocalLink, Local, |s| s.0);
