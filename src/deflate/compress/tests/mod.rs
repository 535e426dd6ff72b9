//! The compressor's tests: its output inflates to the input with three
//! inflaters (flate2, miniz_oxide into a ring of exactly the window, and a
//! strict decoder that checks every distance), for every window, piece
//! split and output size; across messages through one inflater (context
//! takeover, RFC 7692 §7.2.3); within [`max_compressed_len`].

extern crate std;

mod measure;
mod support;

use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use super::{Compressor, MAX_TABLE_LEN, Progress, TABLE_LEN, max_compressed_len};
use support::{
    Ring, Rng, chat_json, compress_one, compress_pieces, corpus, decode_strict, inflate_flate2,
    periodic, prose,
};

/// Check one message's stream with all three inflaters, each fresh.
fn check(msg: &[u8], stream: &[u8], window_bits: u8, piece_starts: &[usize]) {
    let (strict, _) =
        decode_strict(stream, 1 << window_bits, piece_starts).unwrap_or_else(|e| panic!("{e}"));
    assert!(strict == msg, "strict decoder: wrong bytes");
    let mut d = flate2::Decompress::new(false);
    assert!(inflate_flate2(&mut d, stream) == msg, "flate2: wrong bytes");
    assert!(
        Ring::new(window_bits).inflate(stream) == msg,
        "ring of 2^{window_bits}: wrong bytes"
    );
    assert!(
        stream.len() <= max_compressed_len(msg.len()),
        "{} > bound",
        stream.len()
    );
}

#[test]
fn empty_message_is_one_zero_byte() {
    // An empty stored block, BFINAL=0, with its LEN and NLEN removed.
    let stream = compress_one(15, &mut [0; 256], b"");
    assert_eq!(stream, [0x00]);
    check(b"", &stream, 15, &[0]);
}

#[test]
fn rfc_7692_7_2_3_1_hello() {
    // RFC 7692 §7.2.3.1: "Hello" with fixed Huffman codes and no matches.
    let stream = compress_one(15, &mut [0; 256], b"Hello");
    assert_eq!(stream, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
}

#[test]
fn rfc_7692_7_2_3_2_context_takeover_hello_twice() {
    // Two "Hello" messages: the second does not refer to the first (the
    // RFC shows the shorter stream a sender may make when it does), so it
    // is the same bytes again and inflates with or without takeover.
    let mut c = Compressor::new(15);
    let mut table = [0u16; 256];
    let a = compress_pieces(&mut c, &mut table, &[b"Hello"], 64);
    let b = compress_pieces(&mut c, &mut table, &[b"Hello"], 64);
    assert_eq!(a, b);
    let mut d = flate2::Decompress::new(false);
    assert_eq!(inflate_flate2(&mut d, &a), b"Hello");
    assert_eq!(inflate_flate2(&mut d, &b), b"Hello");
}

#[test]
fn corpus_every_window() {
    for (name, msg) in corpus() {
        for bits in 8..=15 {
            let stream = compress_one(bits, &mut vec![0; TABLE_LEN], &msg);
            check(&msg, &stream, bits, &[0]);
            let _ = name;
        }
    }
}

#[test]
fn distances_use_the_whole_window_and_no_more() {
    // A 2^15-byte random block repeated: the only matches are exactly a
    // block back, so they exist iff the window reaches that far.
    let block = Rng(3).bytes(1 << 15);
    let msg: Vec<u8> = block.iter().chain(block.iter()).copied().collect();
    for bits in 8..=15 {
        let stream = compress_one(bits, &mut vec![0; MAX_TABLE_LEN], &msg);
        let (out, seen) = decode_strict(&stream, 1 << bits, &[0]).unwrap();
        assert!(out == msg);
        assert!(seen.max_dist <= 1 << bits);
        if bits == 15 {
            assert_eq!(seen.max_dist, 1 << 15);
            assert!(stream.len() < msg.len() * 6 / 10, "{}", stream.len());
        }
    }
    // Period 300 is out of reach of a 256-byte window, in reach of 512.
    let msg = periodic(1, 300, 10_000);
    let small = compress_one(8, &mut vec![0; TABLE_LEN], &msg);
    let large = compress_one(9, &mut vec![0; TABLE_LEN], &msg);
    check(&msg, &small, 8, &[0]);
    check(&msg, &large, 9, &[0]);
    assert!(large.len() * 10 < small.len());
}

#[test]
fn messages_in_a_row_through_one_inflater() {
    // Context takeover on the receiver: one flate2 and one ring per window,
    // kept across messages; the strict decoder proves no distance reaches
    // before a message's start.
    for bits in 8..=15 {
        let mut c = Compressor::new(bits);
        let mut table = vec![0u16; 1024];
        let mut d = flate2::Decompress::new(false);
        let mut ring = Ring::new(bits);
        let mut rng = Rng(u64::from(bits));
        for i in 0..60 {
            // The same message again and again tempts a compressor that
            // remembered the last one.
            let msg = match i % 4 {
                0 => chat_json(5, 200),
                1 => chat_json(5, 200),
                2 => prose(i, rng.below(3000)),
                _ => Rng(i).bytes(rng.below(100)),
            };
            let stream = compress_pieces(&mut c, &mut table, &[&msg], 1 + rng.below(300));
            decode_strict(&stream, 1 << bits, &[0]).unwrap();
            assert!(
                inflate_flate2(&mut d, &stream) == msg,
                "flate2, message {i}"
            );
            assert!(ring.inflate(&stream) == msg, "ring, message {i}");
        }
    }
}

#[test]
fn tiny_out_slices() {
    for (_, msg) in corpus().into_iter().take(9) {
        for out_len in [1, 2, 3, 7, 8, 9] {
            let mut c = Compressor::new(12);
            let stream = compress_pieces(&mut c, &mut vec![0; TABLE_LEN], &[&msg], out_len);
            assert_eq!(
                stream,
                compress_one(12, &mut vec![0; TABLE_LEN], &msg),
                "out_len {out_len}"
            );
            check(&msg, &stream, 12, &[0]);
        }
    }
}

#[test]
fn pieces_every_split_point() {
    // Every split of a message in two, and in bytes.
    let msg = chat_json(1, 400);
    for at in 0..=msg.len() {
        let (a, b) = msg.split_at(at);
        let mut c = Compressor::new(15);
        let stream = compress_pieces(&mut c, &mut [0; 512], &[a, b], 5);
        check(&msg, &stream, 15, &[0, at]);
    }
    let pieces: Vec<&[u8]> = msg.chunks(1).collect();
    let starts: Vec<usize> = (0..msg.len()).collect();
    let mut c = Compressor::new(15);
    let stream = compress_pieces(&mut c, &mut [0; 512], &pieces, 3);
    check(&msg, &stream, 15, &starts);
    // An empty last piece.
    let mut c = Compressor::new(15);
    let stream = compress_pieces(&mut c, &mut [0; 512], &[&msg, b""], 64);
    check(&msg, &stream, 15, &[0, msg.len()]);
}

#[test]
fn table_sizes() {
    // Any table length works; a larger one never breaks anything.
    let msg = chat_json(8, 10_000);
    let mut last = usize::MAX;
    for len in [0, 1, 2, 3, 255, 256, 1000, 1024, 4096, 65_536, 70_000] {
        let mut table = vec![0xABCDu16; len];
        let stream = compress_one(15, &mut table, &msg);
        check(&msg, &stream, 15, &[0]);
        if len == 0 {
            // Literals only.
            assert!(stream.len() > msg.len());
        }
        if len.is_power_of_two() && len >= 256 {
            assert!(
                stream.len() <= last.saturating_add(last / 50),
                "{len}: {} vs {last}",
                stream.len()
            );
            last = stream.len();
        }
    }
    // Past MAX_TABLE_LEN the table is left alone.
    let mut table = vec![7u16; MAX_TABLE_LEN + 10];
    let _ = compress_one(15, &mut table, &msg);
    assert!(table[MAX_TABLE_LEN..].iter().all(|&e| e == 7));
}

#[test]
fn garbage_tables_and_foreign_entries() {
    // Entries are hints: random contents, or a table shared with another
    // compressor in between, cannot produce a wrong match.
    let msg = periodic(4, 37, 5000);
    for seed in 0..20 {
        let mut table: Vec<u16> = Rng(seed + 1)
            .bytes(512)
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let stream = compress_one(15, &mut table, &msg);
        check(&msg, &stream, 15, &[0]);
    }
    let mut table = vec![0u16; 256];
    let mut a = Compressor::new(15);
    let mut b = Compressor::new(15);
    for i in 0..30u64 {
        let m1 = prose(i, 700);
        let m2 = chat_json(i, 900);
        let s1 = compress_pieces(&mut a, &mut table, &[&m1], 100);
        let s2 = compress_pieces(&mut b, &mut table, &[&m2[..450], &m2[450..]], 100);
        check(&m1, &s1, 15, &[0]);
        check(&m2, &s2, 15, &[0, 450]);
    }
}

#[test]
fn positions_wrap_past_16_bits() {
    // 1 MiB in one piece, then many messages: table entries wrap modulo 2^16
    // several times over.
    let mut msg = prose(2, 1 << 20);
    for (i, b) in Rng(5).bytes(1 << 12).into_iter().enumerate() {
        msg[i * 250] = b;
    }
    let mut c = Compressor::new(15);
    let mut table = vec![0u16; TABLE_LEN];
    let stream = compress_pieces(&mut c, &mut table, &[&msg], 4096);
    check(&msg, &stream, 15, &[0]);
    let mut d = flate2::Decompress::new(false);
    for i in 0..300u64 {
        let m = periodic(i % 7, 1 + (i as usize % 40), 300 + (i as usize * 37) % 1000);
        let s = compress_pieces(&mut c, &mut table, &[&m], 64);
        assert!(inflate_flate2(&mut d, &s) == m);
    }
}

#[test]
fn one_mib_zeros_and_random() {
    for msg in [vec![0u8; 1 << 20], Rng(9).bytes(1 << 20)] {
        let stream = compress_one(15, &mut vec![0; TABLE_LEN], &msg);
        check(&msg, &stream, 15, &[0]);
    }
}

#[test]
fn bound_is_tight_enough() {
    // Bytes 144..=255 without repeats cost 9 bits each: the worst case.
    let msg: Vec<u8> = (0..4096u32)
        .map(|i| 144 + ((i * 37 + i / 112) % 112) as u8)
        .collect();
    let stream = compress_one(15, &mut [], &msg);
    check(&msg, &stream, 15, &[0]);
    assert!(
        stream.len() + 4 >= max_compressed_len(msg.len()),
        "{}",
        stream.len()
    );
    assert_eq!(max_compressed_len(0), 4);
    assert_eq!(max_compressed_len(usize::MAX), usize::MAX);
}

#[test]
fn matches_resume_after_incompressible_data() {
    // Skipping through random bytes must not miss what follows them.
    let mut msg = Rng(4).bytes(10_000);
    msg.extend(chat_json(4, 10_000));
    msg.extend(vec![0u8; 10_000]);
    let stream = compress_one(15, &mut vec![0; TABLE_LEN], &msg);
    check(&msg, &stream, 15, &[0]);
    let json_alone = compress_one(15, &mut vec![0; TABLE_LEN], &chat_json(4, 10_000)).len();
    assert!(stream.len() < 11_300 + json_alone + 100, "{}", stream.len());
}

#[test]
fn windows_clamp() {
    assert_eq!(Compressor::new(0).window_bits(), 8);
    assert_eq!(Compressor::new(8).window_bits(), 8);
    assert_eq!(Compressor::new(15).window_bits(), 15);
    assert_eq!(Compressor::new(200).window_bits(), 15);
}

#[test]
fn empty_out_makes_no_false_promise() {
    let msg = prose(1, 1000);
    let mut c = Compressor::new(15);
    let mut table = vec![0u16; 256];
    c.start_message();
    let mut calls = 0;
    loop {
        let p = c.compress(&mut table, &msg, true, &mut []);
        assert_eq!(p.written, 0);
        assert!(!p.done);
        calls += 1;
        if calls > 3 {
            break;
        }
    }
    // Then it resumes and finishes correctly.
    let mut stream = Vec::new();
    let mut out = [0u8; 10];
    loop {
        let p = c.compress(&mut table, &msg, true, &mut out);
        stream.extend_from_slice(&out[..p.written]);
        if p.done {
            break;
        }
    }
    check(&msg, &stream, 15, &[0]);
}

#[test]
fn broken_call_order_does_not_panic() {
    let msg = prose(3, 2000);
    let mut c = Compressor::new(15);
    let mut table = vec![0u16; 256];
    let mut out = [0u8; 50];
    c.start_message();
    let _ = c.compress(&mut table, &msg, false, &mut out);
    // A shorter piece than before, flipping `last`, without start_piece.
    let _ = c.compress(&mut table, &msg[..10], true, &mut out);
    let _ = c.compress(&mut table, b"", false, &mut out);
    let _ = c.compress(&mut table, &msg, true, &mut out);
    // And a fresh message after all that is correct again.
    let stream = compress_pieces(&mut c, &mut table, &[&msg], 100);
    check(&msg, &stream, 15, &[0]);
}

#[test]
fn compresses() {
    // Sanity of the ratio: chat JSON and prose shrink, zeros collapse.
    let json = chat_json(1, 64 * 1024);
    let text = prose(1, 64 * 1024);
    let j = compress_one(15, &mut vec![0; TABLE_LEN], &json).len();
    let t = compress_one(15, &mut vec![0; TABLE_LEN], &text).len();
    let z = compress_one(15, &mut vec![0; TABLE_LEN], &vec![0; 64 * 1024]).len();
    assert!(j * 2 < json.len(), "json {j}");
    assert!(t * 10 < text.len() * 7, "prose {t}");
    assert!(z < 64 * 1024 / 100, "zeros {z}");
}

#[test]
fn progress_is_plain_data() {
    let p = Progress {
        read: 1,
        written: 2,
        done: false,
    };
    assert_eq!(p, p.clone());
}

fn message() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..600),
        proptest::collection::vec(0u8..4, 0..2000),
        (1usize..300, 0usize..3000, any::<u64>()).prop_map(|(p, n, s)| periodic(s, p, n)),
        (any::<u64>(), 0usize..3000).prop_map(|(s, n)| chat_json(s, n)),
        (any::<u64>(), 0usize..3000).prop_map(|(s, n)| prose(s, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any message, window, table, split into pieces and output room gives
    /// a stream all three inflaters take back to the message.
    #[test]
    fn any_split_round_trips(
        msg in message(),
        bits in 8u8..=15,
        table_log in 0u32..=12,
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
        out_len in prop_oneof![1usize..16, 16usize..2000],
    ) {
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(msg.len() + 1)).collect();
        cuts.sort_unstable();
        let mut starts = vec![0];
        starts.extend(cuts.iter().copied());
        let mut pieces = Vec::new();
        let mut from = 0;
        for &to in &cuts {
            pieces.push(&msg[from..to]);
            from = to;
        }
        pieces.push(&msg[from..]);
        let mut table = vec![0u16; 1 << table_log];
        let mut c = Compressor::new(bits);
        let stream = compress_pieces(&mut c, &mut table, &pieces, out_len);
        check(&msg, &stream, bits, &starts);
        // One piece: the same bytes whatever the output room.
        if pieces.len() == 1 {
            let mut table2 = vec![0u16; 1 << table_log];
            prop_assert_eq!(&stream, &compress_one(bits, &mut table2, &msg));
        }
    }
}
