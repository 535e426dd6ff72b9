//! The compressor (RFC 7692 §7.2.1, RFC 1951).
//!
//! LZ77 over the message being sent, coded with the fixed Huffman codes
//! (RFC 1951 §3.2.6), with no heap and no window buffer: the bytes it
//! refers back to are the caller's own, the piece of the message being
//! compressed. Its only memory besides the [`Compressor`] (a few words)
//! is the hash table the caller lends on every call.
//!
//! # The stream
//!
//! A message's output is one run of a raw DEFLATE stream (RFC 1951):
//! a fixed-Huffman block (BFINAL=0, BTYPE=01) holding the message, its
//! end-of-block code, then the header of an empty stored block (BFINAL=0,
//! BTYPE=00) padded to a byte: a sync flush with its `00 00 ff ff` tail
//! removed, as RFC 7692 §7.2.1 asks. An empty message is the single
//! byte `00`. No block has BFINAL=1, so one receiver's inflater can take
//! message after message (context takeover, RFC 7692 §7.2.3), and no
//! message ever refers to bytes before its own start, so the receiver
//! may equally reset between messages.
//!
//! # Matches
//!
//! One probe per position: the next four bytes are hashed into the table,
//! whose entry names the last position that hashed there; its bytes are
//! compared, and a match is extended to at most 258 bytes (RFC 1951
//! §3.2.5). A match never reaches further back than the window, 2^bits
//! bytes (RFC 7692 §7.1.2), nor before the start of the current piece.
//! A match shorter than 8 bytes is held back one position in case a
//! longer one starts there (lazy matching), and after 128 misses in a row
//! literals are taken up to four a probe, to get through incompressible
//! data quickly.
//!
//! # Cost
//!
//! The state is a few words; the table is the caller's (2 bytes an entry,
//! see [`TABLE_LEN`] for what sizes give); the code tables are 1 KiB of
//! flash. No stack buffers. On x86-64 it takes about 45 instructions a byte
//! on chat-like JSON, 64 on prose and 32 on random bytes.

mod codes;
#[cfg(test)]
mod tests;

use codes::{END_OF_BLOCK_BITS, LENGTH, LITERAL, distance, unpack};

/// The hash table size this module is tuned for: 4096 entries, 8 KiB.
///
/// Any length works (see [`Compressor::compress`]). Measured on 64 KiB of
/// chat-like JSON and of English-like prose (window 15; output/input):
///
/// | entries | RAM     | chat JSON | prose |
/// |--------:|--------:|----------:|------:|
/// |     256 | 512 B   | 0.486     | 0.777 |
/// |    1024 | 2 KiB   | 0.390     | 0.633 |
/// |    4096 | 8 KiB   | 0.348     | 0.558 |
/// |   16384 | 32 KiB  | 0.339     | 0.542 |
/// |   65536 | 128 KiB | 0.337     | 0.538 |
///
/// (zlib 1.2.13's level 1 makes 0.290 and 0.436 of them, with dynamic
/// Huffman codes and 256 KiB of state.)
pub const TABLE_LEN: usize = 4096;

/// The largest hash table used: 65536 entries (128 KiB). Entries past
/// it are left alone.
pub const MAX_TABLE_LEN: usize = 1 << 16;

/// The shortest match searched for: four bytes, the hashed prefix.
const MIN_MATCH: usize = 4;

/// The longest match DEFLATE can code (RFC 1951 §3.2.5).
const MAX_MATCH: usize = 258;

/// Bits the buffer may hold before a step is coded: a match is at most
/// 31 bits (an 8-bit length code with 5 extra bits, a 5-bit distance code
/// with 13), the literal a lazy match may put before it 9 (or a step of
/// up to four literals, 36 bits), the block header 3, and the buffer is
/// 64 bits wide.
const ROOM: u32 = 64 - 31 - 9 - 3;

/// Misses in a row after which each probe takes one more literal, up to
/// four (as LZ4 and Snappy skip through incompressible data).
const SKIP_AFTER: u32 = 128;

/// Matches shorter than this are held back a byte, in case the next
/// position starts a longer one (lazy matching); 0 turns that off.
const LAZY_BELOW: usize = 8;

/// The block header of a fixed-Huffman block: BFINAL=0, then BTYPE=01,
/// least significant bit first (RFC 1951 §3.2.3).
const FIXED_BLOCK_HEADER: u64 = 0b010;

/// An upper bound on the compressed size of a message of `n` bytes:
/// `n + n / 8 + 4` (saturating).
///
/// Every byte costs at most 9 bits (a literal of 144..=255, RFC 1951
/// §3.2.6; a match of `k >= 4` bytes costs at most 31 bits), and a message
/// adds at most 20: the block header, the end-of-block code and the
/// padded stored-block header of the sync flush (RFC 7692 §7.2.1).
/// Useful to size an output buffer, or to decide to send a message
/// uncompressed when it would not shrink.
pub const fn max_compressed_len(n: usize) -> usize {
    n.saturating_add(n / 8).saturating_add(4)
}

/// How far a [`Compressor::compress`] call got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use]
pub struct Progress {
    /// Bytes of the piece consumed so far, in total over this piece's calls.
    pub read: usize,
    /// Bytes put at the start of `out` by this call.
    pub written: usize,
    /// The piece is consumed and its output written out, but for at most
    /// 7 bits kept for the next piece; if it was the message's last piece,
    /// the message's output is complete. Further calls write nothing.
    pub done: bool,
}

/// Where a piece's compression stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Stage {
    /// Consuming the piece.
    Body,
    /// The piece is consumed; writing out all whole bytes.
    DrainPiece,
    /// The last piece is consumed and the flush's bits are in the buffer;
    /// writing out every bit.
    DrainMessage,
    /// Nothing more to write for this piece.
    Done,
}

/// The sending side's permessage-deflate compressor (RFC 7692 §7.2.1).
///
/// Small (about 32 bytes) and borrows nothing: the input piece and the
/// hash table are arguments of every [`compress`](Self::compress) call.
/// One per connection's sending side. The call order, per message:
///
/// 1. [`start_message`](Self::start_message);
/// 2. per piece of the message (a whole message is one piece):
///    [`start_piece`](Self::start_piece) (optional for the first), then
///    [`compress`](Self::compress) with the same piece until
///    [`Progress::done`], giving fresh output room each time.
///
/// Its output for a message, concatenated over the calls, is the payload
/// of a compressed message (RSV1 set on its first frame): a raw DEFLATE
/// stream that inflates to the message once the receiver appends
/// `00 00 ff ff` (RFC 7692 §7.2.2).
#[derive(Clone, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Compressor {
    /// Matches reach at most 2^window_bits bytes back (8..=15).
    window_bits: u8,
    /// Output bits not yet written, least significant first; the bits
    /// above `nbits` are zero.
    bits: u64,
    /// How many bits `bits` holds (at most 63).
    nbits: u32,
    /// Bytes of the current piece consumed.
    pos: usize,
    /// The table's name for the current piece's first byte; an entry is
    /// `base + pos`, truncated to 16 bits. It moves on by each piece's
    /// length, so entries from earlier pieces and messages look further
    /// back than the current piece reaches and are never used (and, when
    /// 16 bits wrap, are checked and rejected byte by byte).
    base: u16,
    /// Probes in a row that found no match (they make literals come in
    /// larger steps).
    misses: u32,
    /// A fixed-Huffman block is open in the stream.
    block_open: bool,
    /// Where the current piece stands.
    stage: Stage,
}

impl Compressor {
    /// A compressor whose matches reach at most 2^`window_bits` bytes back,
    /// clamped to 8..=15 (256 bytes to 32 KiB): the peer's
    /// `*_max_window_bits` for our side (RFC 7692 §7.1.2).
    ///
    /// The window costs no memory: the bytes referred to are the piece's.
    pub const fn new(window_bits: u8) -> Self {
        let window_bits = if window_bits < 8 {
            8
        } else if window_bits > 15 {
            15
        } else {
            window_bits
        };
        Self {
            window_bits,
            bits: 0,
            nbits: 0,
            pos: 0,
            base: 0,
            misses: 0,
            block_open: false,
            stage: Stage::Body,
        }
    }

    /// The window, as set by [`new`](Self::new) after clamping (8..=15).
    pub const fn window_bits(&self) -> u8 {
        self.window_bits
    }

    /// Begin a new message: nothing from earlier messages is ever referred
    /// to (and bits of an unfinished earlier message are dropped).
    ///
    /// The hash table needs no reset: its old entries are recognised as
    /// out of reach.
    pub fn start_message(&mut self) {
        self.start_piece();
        self.bits = 0;
        self.nbits = 0;
        self.block_open = false;
    }

    /// Begin the next piece of the current message, its bytes following
    /// the previous piece's. Matches never reach before a piece's start:
    /// a piece is only valid during its own calls.
    ///
    /// The up to 7 bits the previous piece left go out first.
    pub fn start_piece(&mut self) {
        // Truncation intended: table entries are positions modulo 2^16.
        self.base = self.base.wrapping_add(self.pos as u16);
        self.pos = 0;
        self.misses = 0;
        self.stage = Stage::Body;
    }

    /// Compress more of `piece` into `out`, with `table` as the hash table.
    ///
    /// Pass the same `piece` (and `last`) on every call until
    /// [`Progress::done`]; the bytes of `piece` before [`Progress::read`]
    /// are still read, as what matches refer to. `last` says this piece
    /// ends the message: its output then ends with the sync flush of
    /// RFC 7692 §7.2.1 (without its `00 00 ff ff`), in whole bytes.
    /// Otherwise the piece ends with whole bytes written and up to 7 bits
    /// kept for the next piece's output.
    ///
    /// Returns when the piece is done or `out` is full. Any `out` of at
    /// least one byte makes progress; with an empty `out`, a call may
    /// still consume some input into the state but writes nothing.
    /// The bytes of `out` after [`Progress::written`] may be overwritten
    /// with scratch.
    ///
    /// # The table
    ///
    /// `table` holds hints, not state: any contents are correct, entries
    /// are checked against the bytes before use, so it needs no
    /// initialisation and may be shared by compressors used one at a time.
    /// Its largest power-of-two prefix is used, up to [`MAX_TABLE_LEN`]
    /// entries; a larger table finds more matches. RAM is 2 bytes per
    /// entry: 256 entries cost 512 B, 1024 cost 2 KiB, [`TABLE_LEN`]
    /// (4096) 8 KiB, 16384 32 KiB. An empty table disables matching: the
    /// output is the fixed-Huffman literals.
    ///
    /// # Panics
    ///
    /// Never, whatever the arguments, even if the call order is broken
    /// (the output is then unspecified).
    pub fn compress(
        &mut self,
        table: &mut [u16],
        piece: &[u8],
        last: bool,
        out: &mut [u8],
    ) -> Progress {
        let mut written = 0;
        loop {
            match self.stage {
                Stage::Body => {
                    written = self.body(table, piece, out, written);
                    if self.pos < piece.len() {
                        break;
                    }
                    if !last {
                        self.stage = Stage::DrainPiece;
                        continue;
                    }
                    if self.nbits >= ROOM {
                        written = self.flush(out, written);
                        if self.nbits >= ROOM {
                            break;
                        }
                    }
                    if self.block_open {
                        // The end-of-block code is seven zero bits.
                        self.nbits += END_OF_BLOCK_BITS;
                        self.block_open = false;
                    }
                    // An empty stored block's header (three zero bits),
                    // padded to a byte; its LEN and NLEN are the
                    // `00 00 ff ff` left off (RFC 7692 §7.2.1).
                    self.nbits = (self.nbits + 3 + 7) & !7;
                    self.stage = Stage::DrainMessage;
                }
                Stage::DrainPiece => {
                    written = self.flush(out, written);
                    if self.nbits >= 8 {
                        break;
                    }
                    self.stage = Stage::Done;
                }
                Stage::DrainMessage => {
                    written = self.flush(out, written);
                    if self.nbits > 0 {
                        break;
                    }
                    self.stage = Stage::Done;
                }
                Stage::Done => break,
            }
        }
        Progress {
            read: self.pos,
            written,
            done: self.stage == Stage::Done,
        }
    }

    /// Write the whole bytes of the bit buffer to `out` from `o` on, as
    /// far as it has room; returns the new end.
    #[inline(always)]
    fn flush(&mut self, out: &mut [u8], o: usize) -> usize {
        let (bits, nbits, o) = flush(self.bits, self.nbits, out, o);
        self.bits = bits;
        self.nbits = nbits;
        o
    }

    /// Code symbols from `piece` until it is consumed or `out` is full;
    /// returns the new end of the output.
    fn body(&mut self, table: &mut [u16], piece: &[u8], out: &mut [u8], mut o: usize) -> usize {
        let window = 1usize << self.window_bits.min(15);
        let (table, shift) = usable(table);
        let mut bits = self.bits;
        let mut nbits = self.nbits;
        let mut pos = self.pos;
        let base = self.base;
        let mut misses = self.misses;
        loop {
            if nbits >= ROOM {
                (bits, nbits, o) = flush(bits, nbits, out, o);
                if nbits >= ROOM {
                    break;
                }
            }
            let Some(rest) = piece.get(pos..).filter(|rest| !rest.is_empty()) else {
                break;
            };
            if !self.block_open {
                bits |= FIXED_BLOCK_HEADER << nbits;
                nbits += 3;
                self.block_open = true;
            }
            let found = if table.is_empty() {
                None
            } else {
                probe(table, shift, piece, base, pos, window)
            };
            let Some((mut len, mut dist)) = found else {
                // After a run of misses, take up to four literals a probe
                // (the data is likely incompressible).
                misses = misses.saturating_add(1);
                let step = 1 + (misses / SKIP_AFTER).min(3) as usize;
                for &byte in rest.iter().take(step) {
                    let (code, code_len) =
                        unpack(LITERAL.get(usize::from(byte)).copied().unwrap_or(0));
                    bits |= code << nbits;
                    nbits += code_len;
                    pos += 1;
                }
                continue;
            };
            misses = 0;
            // Lazy matching: a short match may hide a longer one a byte on.
            let mut inserted = pos + 1;
            if len < LAZY_BELOW {
                inserted = pos + 2;
                let next = probe(table, shift, piece, base, pos + 1, window);
                if let Some((next_len, next_dist)) = next.filter(|&(next_len, _)| next_len > len) {
                    let byte = rest.first().copied().unwrap_or(0);
                    let (code, code_len) =
                        unpack(LITERAL.get(usize::from(byte)).copied().unwrap_or(0));
                    bits |= code << nbits;
                    nbits += code_len;
                    pos += 1;
                    (len, dist) = (next_len, next_dist);
                }
            }
            let (code, code_len) = unpack(LENGTH.get(len.wrapping_sub(3)).copied().unwrap_or(0));
            bits |= code << nbits;
            nbits += code_len;
            let (code, code_len) = distance(dist);
            bits |= code << nbits;
            nbits += code_len;
            let end = pos.saturating_add(len);
            insert(table, shift, piece, base, inserted, end);
            pos = end;
        }
        self.bits = bits;
        self.nbits = nbits;
        self.pos = pos;
        self.misses = misses;
        o
    }
}

/// The part of `table` used, a power of two up to [`MAX_TABLE_LEN`]
/// (possibly empty), and the shift that makes [`hash`] fit it.
fn usable(table: &mut [u16]) -> (&mut [u16], u32) {
    let len = table.len().min(MAX_TABLE_LEN);
    if len == 0 {
        return (table, 16);
    }
    let log = len.ilog2();
    let used = table.len().min(1 << log);
    let (table, _) = table.split_at_mut(used);
    (table, 16 - log)
}

/// Hash four bytes to `16 - shift` bits (multiplicative hashing: the top
/// bits of the product).
#[inline(always)]
fn hash(next: u32, shift: u32) -> usize {
    ((next.wrapping_mul(0x9E37_79B1) >> 16) >> shift) as usize
}

/// Hash the four bytes at `pos`, enter `pos` in the table, and check the
/// candidate the table held: the match found, if any.
#[inline(always)]
fn probe(
    table: &mut [u16],
    shift: u32,
    piece: &[u8],
    base: u16,
    pos: usize,
    window: usize,
) -> Option<(usize, usize)> {
    let next = u32::from_le_bytes(*piece.get(pos..)?.first_chunk::<4>()?);
    let slot = table.get_mut(hash(next, shift))?;
    // Truncation intended: positions modulo 2^16.
    let here = base.wrapping_add(pos as u16);
    let dist = usize::from(here.wrapping_sub(*slot));
    *slot = here;
    find(piece, pos, dist, window, next)
}

/// The match at `pos` with the candidate `dist` bytes back, if the
/// candidate is in reach and its first four bytes equal `next`: its
/// length (4..=258) and distance.
#[inline(always)]
fn find(piece: &[u8], pos: usize, dist: usize, window: usize, next: u32) -> Option<(usize, usize)> {
    if dist == 0 || dist > window || dist > pos {
        return None;
    }
    let from = pos - dist;
    let there = piece.get(from..)?.first_chunk::<4>()?;
    if u32::from_le_bytes(*there) != next {
        return None;
    }
    let max = piece.len().saturating_sub(pos).min(MAX_MATCH);
    let more = common_prefix(
        piece,
        from + MIN_MATCH,
        pos + MIN_MATCH,
        max.saturating_sub(MIN_MATCH),
    );
    Some((MIN_MATCH + more, dist))
}

/// How many of the `max` bytes from `a` and from `b` in `piece` agree.
#[inline(always)]
fn common_prefix(piece: &[u8], a: usize, b: usize, max: usize) -> usize {
    let (Some(x), Some(y)) = (piece.get(a..), piece.get(b..)) else {
        return 0;
    };
    let mut n = 0;
    while n + 8 <= max {
        let (Some(p), Some(q)) = (
            x.get(n..).and_then(|s| s.first_chunk::<8>()),
            y.get(n..).and_then(|s| s.first_chunk::<8>()),
        ) else {
            break;
        };
        let diff = u64::from_le_bytes(*p) ^ u64::from_le_bytes(*q);
        if diff != 0 {
            return n + (diff.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    while n < max {
        match (x.get(n), y.get(n)) {
            (Some(p), Some(q)) if p == q => n += 1,
            _ => break,
        }
    }
    n
}

/// Enter the positions `from..to` of `piece` into the table (those with
/// four bytes to hash).
#[inline(always)]
fn insert(table: &mut [u16], shift: u32, piece: &[u8], base: u16, from: usize, to: usize) {
    let mut pos = from;
    while pos < to {
        let Some(next) = piece.get(pos..).and_then(|s| s.first_chunk::<4>()) else {
            break;
        };
        if let Some(slot) = table.get_mut(hash(u32::from_le_bytes(*next), shift)) {
            // Truncation intended: positions modulo 2^16.
            *slot = base.wrapping_add(pos as u16);
        }
        pos += 1;
    }
}

/// Write the whole bytes of `bits` (`nbits` of them) to `out` from `o` on,
/// as far as it has room; returns what is left and the new end.
#[inline(always)]
fn flush(mut bits: u64, mut nbits: u32, out: &mut [u8], mut o: usize) -> (u64, u32, usize) {
    if let Some(dst) = out.get_mut(o..).and_then(|s| s.first_chunk_mut::<8>()) {
        // Eight bytes at once; those past the whole ones are scratch.
        *dst = bits.to_le_bytes();
        let whole = nbits / 8;
        // nbits <= 63, so the shift is at most 56.
        bits >>= whole * 8;
        nbits -= whole * 8;
        o += whole as usize;
    } else {
        while nbits >= 8 {
            let Some(dst) = out.get_mut(o) else {
                break;
            };
            // Truncation intended: the low byte.
            *dst = bits as u8;
            bits >>= 8;
            nbits -= 8;
            o += 1;
        }
    }
    (bits, nbits, o)
}
