//! permessage-deflate on the receiving side (RFC 7692 §6, §7.2.2): zlib
//! (flate2) compresses, the connection inflates into caller memory, in
//! both receive modes, with any split of the input; RSV1 where it does not
//! belong, undecodable data, bombs and bad text fail with their codes.
#![cfg(feature = "deflate")]

use flate2::{Compress, Compression, FlushCompress};
use proptest::prelude::*;
use wsframe::deflate::{Inflater, Params};
use wsframe::frame::{FrameError, Opcode, Rsv};
use wsframe::handshake::Finished;
use wsframe::{
    CloseCode, Config, Connection, DEFAULT_MAX_MESSAGE_LEN, NoMask, ProtocolError, RecvMode, Role,
};

use crate::common::{Owned, feed, merge_chunks, raw, raw_rsv, transmit};

const PARAMS: Params = Params {
    server_no_context_takeover: false,
    client_no_context_takeover: false,
    server_max_window_bits: 15,
    client_max_window_bits: 15,
};

type Conn = Connection<Vec<u8>, NoMask, Inflater<Vec<u8>>, ()>;

/// An open server with an inflate window of 2^bits, agreed `params`.
fn server(buf: usize, bits: u8, config: Config, params: Option<Params>) -> Conn {
    // The client's window bounded by ours, as a server answers.
    let params = params.map(|p| Params {
        client_max_window_bits: p.client_max_window_bits.min(bits),
        ..p
    });
    let inflater = Inflater::new(vec![0u8; 1 << bits]).unwrap();
    let mut c = Connection::server(vec![0u8; buf], config)
        .unwrap()
        .with_deflate(inflater, ());
    c.finish_handshake(Finished::elsewhere().with_deflate(params));
    c
}

/// zlib's raw deflate of each message in turn, one context (takeover),
/// each ended with a sync flush and its `00 00 ff ff` removed.
fn compress_all(messages: &[&[u8]], bits: u8, level: u32) -> Vec<Vec<u8>> {
    let mut z = Compress::new_with_window_bits(Compression::new(level), false, bits.max(9));
    messages
        .iter()
        .map(|m| {
            let mut out = Vec::with_capacity(m.len() + 64);
            let mut input: &[u8] = m;
            loop {
                out.reserve(4096);
                let before = z.total_in();
                z.compress_vec(input, &mut out, FlushCompress::Sync)
                    .unwrap();
                input = &input[(z.total_in() - before) as usize..];
                if input.is_empty() && out.len() < out.capacity() {
                    break;
                }
            }
            assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
            out.truncate(out.len() - 4);
            out
        })
        .collect()
}

fn compress(message: &[u8]) -> Vec<u8> {
    compress_all(&[message], 15, 6).remove(0)
}

/// A compressed message as client frames: RSV1 on the first only.
fn frames(opcode: Opcode, compressed: &[u8], pieces: usize) -> Vec<u8> {
    let size = compressed.len().div_ceil(pieces.max(1)).max(1);
    let parts: Vec<&[u8]> = if compressed.is_empty() {
        vec![&[]]
    } else {
        compressed.chunks(size).collect()
    };
    let mut wire = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let op = if i == 0 { opcode } else { Opcode::Continuation };
        let rsv = if i == 0 { Rsv::RSV1 } else { Rsv::NONE };
        wire.extend(raw_rsv(op, i + 1 == parts.len(), rsv, part, true));
    }
    wire
}

fn chat_text(n: usize) -> String {
    let words = [
        "alice",
        "bob",
        "hello",
        "world",
        "ünïcödé",
        "€",
        "ok",
        "🦀",
        "json",
    ];
    let mut s = String::new();
    let mut i = 0usize;
    while s.len() < n {
        s.push_str(&format!(
            "{{\"user\":\"{}\",\"ts\":{},\"text\":\"{} {}\"}},",
            words[i % 4],
            1_700_000_000 + i * 7,
            words[(i * 5) % words.len()],
            words[(i * 3 + 1) % words.len()]
        ));
        i += 1;
    }
    s
}

#[test]
fn a_compressed_text_message_inflates() {
    let text = "Hello, compressed world! Hello, compressed world!";
    let wire = frames(Opcode::Text, &compress(text.as_bytes()), 1);
    let mut c = server(4096, 15, Config::new(), Some(PARAMS));
    assert_eq!(
        feed(&mut c, &wire, &[usize::MAX]),
        vec![Owned::Text(text.into())]
    );
}

#[test]
fn rfc_7692_example_hello() {
    // §7.2.3.1: "Hello" compressed, one frame (unmasked there; masked here).
    let wire = raw_rsv(
        Opcode::Text,
        true,
        Rsv::RSV1,
        &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
        true,
    );
    let mut c = server(1024, 15, Config::new(), Some(PARAMS));
    assert_eq!(
        feed(&mut c, &wire, &[usize::MAX]),
        vec![Owned::Text("Hello".into())]
    );
    // §7.2.3.2: the same in two fragments.
    let mut wire = raw_rsv(Opcode::Text, false, Rsv::RSV1, &[0xf2, 0x48, 0xcd], true);
    wire.extend(raw(
        Opcode::Continuation,
        true,
        &[0xc9, 0xc9, 0x07, 0x00],
        true,
    ));
    assert_eq!(feed(&mut c, &wire, &[3]), vec![Owned::Text("Hello".into())]);
    // §7.2.3.3: a stored (BTYPE=00) block, no compression.
    let stored = [
        0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
    ];
    let wire = raw_rsv(Opcode::Text, true, Rsv::RSV1, &stored, true);
    assert_eq!(feed(&mut c, &wire, &[1]), vec![Owned::Text("Hello".into())]);
}

#[test]
fn a_final_block_ends_a_message_without_the_trailer() {
    // §7.2.3.4 allows BFINAL=1: "Hello" as one final fixed block.
    let wire = raw_rsv(
        Opcode::Text,
        true,
        Rsv::RSV1,
        &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
        true,
    );
    let mut c = server(1024, 15, Config::new(), Some(PARAMS));
    let mut twice = wire.clone();
    twice.extend(&wire);
    assert_eq!(
        feed(&mut c, &twice, &[usize::MAX]),
        vec![Owned::Text("Hello".into()), Owned::Text("Hello".into())]
    );
}

#[test]
fn context_takeover_across_messages_and_uncompressed_messages_between() {
    let texts: Vec<String> = (0..6).map(|i| format!("{} #{i}", chat_text(300))).collect();
    let refs: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
    let compressed = compress_all(&refs, 15, 9);
    // Later messages refer back into earlier ones: smaller than the first.
    assert!(compressed[3].len() < compressed[0].len() / 2);
    let mut wire = Vec::new();
    for (i, z) in compressed.iter().enumerate() {
        wire.extend(frames(Opcode::Text, z, 1 + i % 3));
        // An uncompressed message (RSV1 = 0) on a compressed connection.
        wire.extend(raw(Opcode::Binary, true, b"plain", true));
    }
    let mut want = Vec::new();
    for t in &texts {
        want.push(Owned::Text(t.clone()));
        want.push(Owned::Binary(b"plain".to_vec()));
    }
    for splits in [&[usize::MAX][..], &[1], &[7, 3, 100]] {
        let mut c = server(8192, 15, Config::new(), Some(PARAMS));
        assert_eq!(feed(&mut c, &wire, splits), want, "splits {splits:?}");
    }
}

#[test]
fn stream_mode_delivers_a_message_larger_than_the_buffer_and_the_window() {
    let text = chat_text(300_000);
    let z = compress_all(&[text.as_bytes()], 12, 6).remove(0);
    let wire = frames(Opcode::Text, &z, 5);
    let config = Config::new().with_recv_mode(RecvMode::Stream);
    let mut c = server(1024, 12, config, Some(PARAMS));
    let events = feed(&mut c, &wire, &[333]);
    let mut offset = 0;
    for e in &events {
        let Owned::Chunk {
            data,
            offset: at,
            text: true,
            ..
        } = e
        else {
            panic!("unexpected {e:?}");
        };
        assert_eq!(*at, offset);
        assert!(data.len() <= 4096);
        offset += data.len() as u64;
    }
    assert!(matches!(
        events.last(),
        Some(Owned::Chunk { last: true, .. })
    ));
    let merged = merge_chunks(&events);
    assert_eq!(
        merged,
        vec![Owned::Chunk {
            text: true,
            data: text.into_bytes(),
            offset: 0,
            last: true
        }]
    );
}

#[test]
fn message_mode_assembles_in_the_buffer_with_a_small_window() {
    let text = chat_text(50_000);
    let z = compress_all(&[text.as_bytes()], 9, 6).remove(0);
    assert!(z.len() < 20_000);
    let wire = frames(Opcode::Text, &z, 3);
    let mut c = server(64 * 1024, 9, Config::new(), Some(PARAMS));
    assert_eq!(feed(&mut c, &wire, &[1000, 17]), vec![Owned::Text(text)]);
}

#[test]
fn rsv1_where_it_does_not_belong_is_1002() {
    let mut c = server(1024, 15, Config::new(), Some(PARAMS));
    let wire = raw_rsv(Opcode::Ping, true, Rsv::RSV1, b"x", true);
    assert_eq!(
        feed(&mut c, &wire, &[usize::MAX]),
        vec![Owned::Error(ProtocolError::Frame(
            FrameError::ReservedBitsSet
        ))]
    );
    assert_eq!(c.error().unwrap().close_code(), CloseCode::PROTOCOL_ERROR);

    let mut c = server(1024, 15, Config::new(), Some(PARAMS));
    let mut wire = raw_rsv(Opcode::Text, false, Rsv::RSV1, &[0xf2, 0x48], true);
    wire.extend(raw_rsv(
        Opcode::Continuation,
        true,
        Rsv::RSV1,
        &[0xcd, 0xc9, 0xc9, 0x07, 0x00],
        true,
    ));
    assert_eq!(
        feed(&mut c, &wire, &[usize::MAX]),
        vec![Owned::Error(ProtocolError::Frame(
            FrameError::ReservedBitsSet
        ))]
    );

    // Not agreed: RSV1 is a reserved bit like any other.
    let mut c = server(1024, 15, Config::new(), None);
    let wire = raw_rsv(
        Opcode::Text,
        true,
        Rsv::RSV1,
        &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
        true,
    );
    let events = feed(&mut c, &wire, &[usize::MAX]);
    assert!(
        matches!(events[..], [Owned::Error(ProtocolError::Frame(_))]),
        "{events:?}"
    );
    // Agreed for a window larger than ours: refused, not misread.
    let inflater = Inflater::new(vec![0u8; 1 << 12]).unwrap();
    let mut c = Connection::server(vec![0u8; 1024], Config::new())
        .unwrap()
        .with_deflate(inflater, ());
    c.finish_handshake(Finished::elsewhere().with_deflate(Some(PARAMS)));
    let events = feed(&mut c, &wire, &[usize::MAX]);
    assert!(
        matches!(events[..], [Owned::Error(ProtocolError::Frame(_))]),
        "{events:?}"
    );
}

#[test]
fn undecodable_data_is_1007_and_the_close_says_so() {
    // BTYPE=11 is reserved (RFC 1951 §3.2.3).
    let wire = raw_rsv(Opcode::Binary, true, Rsv::RSV1, &[0xff, 0xff, 0xff], true);
    for mode in [RecvMode::Message, RecvMode::Stream] {
        let mut c = server(1024, 15, Config::new().with_recv_mode(mode), Some(PARAMS));
        assert_eq!(
            feed(&mut c, &wire, &[1]),
            vec![Owned::Error(ProtocolError::InvalidCompressedData)]
        );
        let close = transmit(&mut c);
        assert_eq!(&close[2..4], &1007u16.to_be_bytes());
        assert!(c.is_closed());
    }
}

#[test]
fn invalid_utf8_inside_compressed_text_fails_fast() {
    let mut bad = chat_text(20_000).into_bytes();
    bad[100] = 0xff;
    let z = compress(&bad);
    let wire = frames(Opcode::Text, &z, 1);
    for mode in [RecvMode::Message, RecvMode::Stream] {
        let mut c = server(
            64 * 1024,
            15,
            Config::new().with_recv_mode(mode),
            Some(PARAMS),
        );
        let events = feed(&mut c, &wire, &[usize::MAX]);
        assert!(
            matches!(
                events.last(),
                Some(Owned::Error(ProtocolError::InvalidUtf8(_)))
            ),
            "{events:?}"
        );
        // Stream mode handed out at most the valid prefix.
        let delivered: usize = events
            .iter()
            .map(|e| {
                if let Owned::Chunk { data, .. } = e {
                    data.len()
                } else {
                    0
                }
            })
            .sum();
        assert!(delivered <= 100);
    }
}

#[test]
fn a_decompression_bomb_gets_1009_after_at_most_the_cap() {
    let zeros = vec![0u8; 8 * DEFAULT_MAX_MESSAGE_LEN];
    let z = compress(&zeros);
    assert!(z.len() < 20_000, "{}", z.len());
    let wire = frames(Opcode::Binary, &z, 4);
    // Stream mode: chunks up to the cap, then the error.
    let mut c = server(
        4096,
        15,
        Config::new().with_recv_mode(RecvMode::Stream),
        Some(PARAMS),
    );
    let events = feed(&mut c, &wire, &[4096]);
    let delivered: usize = events
        .iter()
        .map(|e| {
            if let Owned::Chunk { data, .. } = e {
                data.len()
            } else {
                0
            }
        })
        .sum();
    assert!(delivered <= DEFAULT_MAX_MESSAGE_LEN);
    assert!(
        matches!(events.last(), Some(Owned::Error(ProtocolError::MessageTooLong { max, .. })) if *max == DEFAULT_MAX_MESSAGE_LEN as u64),
        "{:?}",
        events.last()
    );
    assert_eq!(c.error().unwrap().close_code(), CloseCode::MESSAGE_TOO_BIG);
    // Message mode: the buffer (or the cap) is the bound.
    let mut c = server(256 * 1024, 15, Config::new(), Some(PARAMS));
    let events = feed(&mut c, &wire, &[usize::MAX]);
    assert!(
        matches!(
            events[..],
            [Owned::Error(ProtocolError::MessageTooLong { .. })]
        ),
        "{events:?}"
    );
}

#[test]
fn the_cap_applies_to_the_inflated_size() {
    let text = chat_text(10_000);
    let z = compress(text.as_bytes());
    let wire = frames(Opcode::Text, &z, 1);
    let small = Config::new().with_max_message_len(5_000);
    let mut c = server(64 * 1024, 15, small, Some(PARAMS));
    let events = feed(&mut c, &wire, &[usize::MAX]);
    assert!(
        matches!(
            events[..],
            [Owned::Error(ProtocolError::MessageTooLong {
                max: 5_000,
                ..
            })]
        ),
        "{events:?}"
    );
    // Exactly at the cap is fine.
    let exact = Config::new().with_max_message_len(text.len());
    let mut c = server(64 * 1024, 15, exact, Some(PARAMS));
    assert_eq!(feed(&mut c, &wire, &[usize::MAX]), vec![Owned::Text(text)]);
}

#[test]
fn no_context_takeover_resets_between_messages() {
    let params = Params {
        client_no_context_takeover: true,
        ..PARAMS
    };
    // Each message compressed on its own (a fresh zlib context each).
    let texts = [
        "first message first message",
        "second message second message",
    ];
    let mut wire = Vec::new();
    for t in texts {
        wire.extend(frames(Opcode::Text, &compress(t.as_bytes()), 1));
    }
    let mut c = server(4096, 15, Config::new(), Some(params));
    assert_eq!(
        feed(&mut c, &wire, &[5]),
        texts
            .iter()
            .map(|t| Owned::Text((*t).into()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_window_starts_zeroed_for_every_connection() {
    // A distance reaching before the stream's start reads the window as
    // the connection left it: zeros, never an earlier connection's bytes.
    // Stored "secret", then (new connection, same window memory) a match
    // of length 6 at distance 6 with nothing before it.
    let mut window = vec![0u8; 1 << 15];
    {
        let inflater = Inflater::new(&mut window[..]).unwrap();
        let mut c = Connection::server(vec![0u8; 64 * 1024], Config::new())
            .unwrap()
            .with_deflate(inflater, ());
        c.finish_handshake(Finished::elsewhere().with_deflate(Some(PARAMS)));
        // 40,000 bytes: the whole window holds them, wrapped.
        let secret = vec![b's'; 40_000];
        let z = compress(&secret);
        let events = feed(&mut c, &frames(Opcode::Binary, &z, 1), &[usize::MAX]);
        assert_eq!(events, vec![Owned::Binary(secret)]);
        let (_, _, inflater, ()) = c.into_all_parts();
        // Reuse the same inflater (and window) for a second connection.
        let mut c = Connection::server(vec![0u8; 1024], Config::new())
            .unwrap()
            .with_deflate(inflater, ());
        c.finish_handshake(Finished::elsewhere().with_deflate(Some(PARAMS)));
        // Fixed Huffman: length 6 (code 260), distance 6 (code 4 + 1 extra bit), then EOB.
        let mut bits = BitWriter::default();
        bits.put(1, 1); // BFINAL
        bits.put(1, 2); // BTYPE=01
        bits.put_rev(0b0000100, 7); // 260
        bits.put_rev(0b00100, 5); // distance code 4 (5..6)
        bits.put(1, 1); // extra: 6
        bits.put_rev(0, 7); // 256 EOB
        let wire = raw_rsv(Opcode::Binary, true, Rsv::RSV1, &bits.finish(), true);
        let events = feed(&mut c, &wire, &[usize::MAX]);
        assert_eq!(events, vec![Owned::Binary(vec![0; 6])]);
    }
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, v: u32, bits: u32) {
        self.acc |= v << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code, most significant bit first.
    fn put_rev(&mut self, code: u32, bits: u32) {
        for i in (0..bits).rev() {
            self.put((code >> i) & 1, 1);
        }
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any split of the input, either mode, any fragmenting: the same
    /// messages.
    #[test]
    fn any_split_gives_the_same_events(
        seed in any::<u64>(),
        len in 0usize..6000,
        pieces in 1usize..5,
        split in 1usize..600,
        stream in any::<bool>(),
        bits in 9u8..=15,
    ) {
        let text = chat_text(len);
        let mut bytes = text.into_bytes();
        // Some random bytes too (binary).
        let mut x = seed | 1;
        for b in bytes.iter_mut().step_by(7) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            *b = x as u8;
        }
        let z = compress_all(&[&bytes], bits, (seed % 10) as u32).remove(0);
        let wire = frames(Opcode::Binary, &z, pieces);
        let mode = if stream { RecvMode::Stream } else { RecvMode::Message };
        let mut c = server(16 * 1024, bits, Config::new().with_recv_mode(mode), Some(PARAMS));
        let events = feed(&mut c, &wire, &[split, split / 2 + 1]);
        let got = if stream { merge_chunks(&events) } else { events };
        let want = if stream {
            vec![Owned::Chunk { text: false, data: bytes, offset: 0, last: true }]
        } else {
            vec![Owned::Binary(bytes)]
        };
        prop_assert_eq!(got, want);
    }
}

#[test]
fn a_client_inflates_what_a_server_sends() {
    let inflater = Inflater::new(vec![0u8; 1 << 15]).unwrap();
    let mut c = Connection::new(Role::Client, vec![0u8; 4096], Config::new(), || {
        [1, 2, 3, 4]
    })
    .unwrap()
    .with_deflate(inflater, ());
    c.finish_handshake(Finished::elsewhere().with_deflate(Some(PARAMS)));
    let z = compress(b"from the server");
    let wire = raw_rsv(Opcode::Text, true, Rsv::RSV1, &z, false);
    assert_eq!(
        feed(&mut c, &wire, &[2]),
        vec![Owned::Text("from the server".into())]
    );
}

// ---- sending ---------------------------------------------------------------

use wsframe::deflate::{Deflater, TABLE_LEN};
use wsframe::{Encoded, MessageKind};

type Full = Connection<Vec<u8>, NoMask, Inflater<Vec<u8>>, Deflater<Vec<u16>>>;

/// An open server that compresses, agreed `params`.
fn compressing_server(params: Params) -> Full {
    let inflater = Inflater::new(vec![0u8; 1 << 15]).unwrap();
    let deflater = Deflater::new(vec![0u16; TABLE_LEN]);
    let mut c = Connection::server(vec![0u8; 64 * 1024], Config::new())
        .unwrap()
        .with_deflate(inflater, deflater);
    c.finish_handshake(Finished::elsewhere().with_deflate(Some(params)));
    c
}

/// An open client (the receiving end) with an inflate window of 2^bits.
fn receiving_client(
    bits: u8,
    params: Params,
    config: Config,
) -> Connection<Vec<u8>, impl FnMut() -> [u8; 4], Inflater<Vec<u8>>, ()> {
    let inflater = Inflater::new(vec![0u8; 1 << bits]).unwrap();
    let mut c = Connection::new(Role::Client, vec![0u8; 2 * 1024 * 1024], config, || {
        [9, 8, 7, 6]
    })
    .unwrap()
    .with_deflate(inflater, ());
    c.finish_handshake(Finished::elsewhere().with_deflate(Some(params)));
    c
}

/// The frames in `wire` (unmasked, from a server): (first byte, payload).
fn split_frames(mut wire: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !wire.is_empty() {
        let b0 = wire[0];
        let (len, head) = match wire[1] & 0x7f {
            126 => (u16::from_be_bytes([wire[2], wire[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(wire[2..10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        out.push((b0, wire[head..head + len].to_vec()));
        wire = &wire[head + len..];
    }
    out
}

/// zlib inflates a message with the trailer put back.
fn zlib_inflate(compressed: &[u8]) -> Vec<u8> {
    let mut input = compressed.to_vec();
    input.extend_from_slice(&[0, 0, 0xff, 0xff]);
    let mut z = flate2::Decompress::new(false);
    let mut out = Vec::with_capacity(4 * input.len() + 1024);
    loop {
        out.reserve(64 * 1024);
        let before = z.total_in();
        z.decompress_vec(&input, &mut out, flate2::FlushDecompress::Sync)
            .unwrap();
        input.drain(..(z.total_in() - before) as usize);
        if input.is_empty() && out.len() < out.capacity() {
            return out;
        }
    }
}

#[test]
fn a_whole_message_goes_out_compressed_and_zlib_inflates_it() {
    let mut c = compressing_server(PARAMS);
    let text = chat_text(4000);
    let mut tx = vec![0u8; 8192];
    let n = c.encode_text(&text, &mut tx).unwrap();
    assert!(n < text.len() / 2, "{n} bytes for {}", text.len());
    let frames = split_frames(&tx[..n]);
    assert_eq!(frames.len(), 1);
    // FIN, RSV1, text.
    assert_eq!(frames[0].0, 0xc1);
    assert_eq!(zlib_inflate(&frames[0].1), text.as_bytes());
}

#[test]
fn short_and_incompressible_messages_go_out_plain() {
    let mut c = compressing_server(PARAMS);
    let mut tx = vec![0u8; 8192];
    let n = c.encode_text("short", &mut tx).unwrap();
    assert_eq!(tx[0], 0x81);
    assert_eq!(&tx[2..n], b"short");
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..3000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let n = c.encode_binary(&noise, &mut tx).unwrap();
    let frames = split_frames(&tx[..n]);
    assert_eq!(frames[0].0, 0x82, "random bytes would grow: sent plain");
    assert_eq!(frames[0].1, noise);
}

#[test]
fn encode_next_fragments_a_compressed_message_and_resumes() {
    let mut server = compressing_server(PARAMS);
    let mut client = receiving_client(15, PARAMS, Config::new());
    let text = chat_text(200_000);
    let mut tx = vec![0u8; 1000];
    let mut wire = Vec::new();
    let mut frames = 0;
    loop {
        let Encoded { len, done } = server
            .encode_next(MessageKind::Text, text.as_bytes(), &mut tx)
            .unwrap();
        wire.extend_from_slice(&tx[..len]);
        frames += 1;
        if frames == 3 {
            // Another message meanwhile is refused; this one resumes.
            assert_eq!(
                server.encode_text("x", &mut tx),
                Err(wsframe::SendError::MessageInProgress)
            );
        }
        if done {
            break;
        }
    }
    assert!(frames > 3);
    let parsed = split_frames(&wire);
    assert_eq!(
        parsed[0].0, 0x41,
        "RSV1 and text on the first frame, no FIN"
    );
    assert!(parsed[1..parsed.len() - 1].iter().all(|f| f.0 == 0x00));
    assert_eq!(parsed.last().unwrap().0, 0x80);
    let all: Vec<u8> = parsed.iter().flat_map(|f| f.1.clone()).collect();
    assert!(all.len() < text.len() / 2);
    assert_eq!(zlib_inflate(&all), text.as_bytes());
    assert_eq!(feed(&mut client, &wire, &[4096]), vec![Owned::Text(text)]);
}

#[test]
fn streamed_pieces_go_out_compressed_rsv1_on_the_first_only() {
    let mut server = compressing_server(PARAMS);
    let mut client = receiving_client(15, PARAMS, Config::new());
    let text = chat_text(30_000);
    let pieces: Vec<&str> = {
        let mut v = Vec::new();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let mut at = rest.len().min(4000);
            while !rest.is_char_boundary(at) {
                at -= 1;
            }
            let (a, b) = rest.split_at(at);
            v.push(a);
            rest = b;
        }
        v
    };
    let mut tx = vec![0u8; 8192];
    let mut wire = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        let n = server
            .encode_fragment(
                MessageKind::Text,
                p.as_bytes(),
                i + 1 == pieces.len(),
                &mut tx,
            )
            .unwrap();
        wire.extend_from_slice(&tx[..n]);
    }
    let parsed = split_frames(&wire);
    assert_eq!(parsed.len(), pieces.len());
    assert_eq!(parsed[0].0 & 0x40, 0x40);
    assert!(parsed[1..].iter().all(|f| f.0 & 0x70 == 0));
    assert_eq!(feed(&mut client, &wire, &[777]), vec![Owned::Text(text)]);
}

#[test]
fn the_agreed_window_bounds_our_distances() {
    // The client said its window is 2^9: an inflater of exactly 512 bytes
    // (miniz fails on a distance past its window) reads every message.
    for bits in 8..=15u8 {
        let params = Params {
            server_max_window_bits: bits,
            ..PARAMS
        };
        let mut server = compressing_server(params);
        let mut client = receiving_client(bits.max(8), params, Config::new());
        let text: String = (0..200)
            .map(|i| format!("line {} of a long repetitive text; ", i % 37))
            .collect();
        let mut tx = vec![0u8; 64 * 1024];
        let n = server.encode_text(&text, &mut tx).unwrap();
        assert_eq!(tx[0] & 0x40, 0x40, "compressed at {bits} bits");
        assert_eq!(
            feed(&mut client, &tx[..n], &[usize::MAX]),
            vec![Owned::Text(text)],
            "{bits} bits"
        );
    }
}

#[test]
fn a_client_masks_its_compressed_frames() {
    let inflater = Inflater::new(vec![0u8; 1 << 15]).unwrap();
    let mut client = Connection::new(Role::Client, vec![0u8; 4096], Config::new(), || {
        [1, 2, 3, 4]
    })
    .unwrap()
    .with_deflate(inflater, Deflater::new([0u16; 1024]));
    client.finish_handshake(Finished::elsewhere().with_deflate(Some(PARAMS)));
    let mut server = server(64 * 1024, 15, Config::new(), Some(PARAMS));
    let text = chat_text(3000);
    let mut tx = vec![0u8; 4096];
    let n = client.encode_text(&text, &mut tx).unwrap();
    assert_eq!(tx[0], 0xc1);
    assert_eq!(tx[1] & 0x80, 0x80, "masked");
    assert_eq!(feed(&mut server, &tx[..n], &[100]), vec![Owned::Text(text)]);
}

#[test]
fn nothing_is_compressed_when_the_handshake_did_not_agree() {
    let inflater = Inflater::new(vec![0u8; 1 << 15]).unwrap();
    let mut c = Connection::server(vec![0u8; 4096], Config::new())
        .unwrap()
        .with_deflate(inflater, Deflater::new([0u16; 1024]));
    c.finish_handshake(Finished::elsewhere());
    assert!(!c.deflate_agreed());
    let text = chat_text(3000);
    let mut tx = vec![0u8; 4096];
    c.encode_text(&text, &mut tx).unwrap();
    assert_eq!(tx[0], 0x81);
}
