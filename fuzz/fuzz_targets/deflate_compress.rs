//! `deflate::Compressor` over arbitrary messages, windows, tables, piece
//! splits and output room: the receiver gets back every message
//! (RFC 7692 §7.2.1, §7.2.2).
//!
//! Invariants:
//! - each message's output, with `00 00 ff ff` appended, inflates with
//!   miniz_oxide to exactly the message, through one inflater kept across
//!   messages (context takeover) writing into a ring of exactly 2^bits
//!   bytes: a distance past the window would read the wrong bytes;
//! - a call that is not `done` has filled `out`; `read` only grows and
//!   stays within the piece; a `done` piece consumed all of it;
//! - a message's output is at most `max_compressed_len` of its length;
//! - any table contents (the table starts as fuzzer-chosen garbage and is
//!   shared by all messages) and any table length work.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::deflate::{Compressor, max_compressed_len};
use wsframe_fuzz::Rest;
use wsframe_testkit::RingInflater;

#[derive(Arbitrary, Debug)]
struct Input {
    window_bits: u8,
    /// Table length: `table_len % 5000` entries.
    table_len: u16,
    /// The table's initial garbage.
    table_fill: u16,
    /// Piece lengths (cycled; 0 gives an empty piece).
    splits: Vec<u16>,
    /// Whether a piece ends its message (cycled; the last piece always does).
    ends: Vec<bool>,
    /// Output room per call, 1..=256 (cycled).
    outs: Vec<u8>,
    data: Rest,
}


fuzz_target!(|input: Input| {
    let Input {
        window_bits,
        table_len,
        table_fill,
        splits,
        ends,
        outs,
        data,
    } = input;
    let data = data.0;
    let mut c = Compressor::new(window_bits);
    let bits = c.window_bits();
    assert!((8..=15).contains(&bits));
    let mut table = vec![0u16; usize::from(table_len) % 5000];
    for (i, e) in table.iter_mut().enumerate() {
        *e = table_fill.wrapping_mul(i as u16 | 1);
    }
    let mut ring = RingInflater::new(bits);
    let mut out_buf = [0u8; 256];

    // Cut the data into pieces, and the pieces into messages.
    let mut messages: Vec<Vec<&[u8]>> = vec![Vec::new()];
    let mut rest = &data[..];
    let mut i = 0;
    loop {
        let len = splits
            .get(i % splits.len().max(1))
            .map_or(rest.len(), |&l| usize::from(l));
        let (piece, tail) = rest.split_at(len.min(rest.len()));
        messages.last_mut().unwrap().push(piece);
        rest = tail;
        if rest.is_empty() {
            break;
        }
        if ends.get(i % ends.len().max(1)).copied().unwrap_or(false) {
            messages.push(Vec::new());
        }
        i += 1;
        if i > 4096 {
            // Lots of empty pieces: take the rest at once.
            messages.last_mut().unwrap().push(rest);
            break;
        }
    }

    let mut call = 0usize;
    for pieces in &messages {
        c.start_message();
        let mut stream = Vec::new();
        for (k, piece) in pieces.iter().enumerate() {
            c.start_piece();
            let last = k + 1 == pieces.len();
            let mut read = 0;
            loop {
                let room = outs
                    .get(call % outs.len().max(1))
                    .map_or(256, |&n| usize::from(n).max(1));
                call += 1;
                let p = c.compress(&mut table, piece, last, &mut out_buf[..room]);
                assert!(p.read >= read && p.read <= piece.len(), "{p:?}");
                read = p.read;
                stream.extend_from_slice(&out_buf[..p.written]);
                if p.done {
                    assert_eq!(p.read, piece.len());
                    break;
                }
                assert_eq!(p.written, room, "not done, yet out not full");
            }
        }
        let msg: Vec<u8> = pieces.concat();
        assert!(stream.len() <= max_compressed_len(msg.len()));
        assert!(ring.inflate(&stream) == msg, "round trip");
    }
});
