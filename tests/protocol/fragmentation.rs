//! Fragmentation (RFC 6455 §5.4): splitting sent messages into frames,
//! streaming a message out piece by piece, and reassembling received
//! fragments with control frames interleaved.
use crate::common;

use common::*;
use wsframe::frame::Opcode;
use wsframe::{CONTROL_RESERVE, CloseCode, Config, MessageKind, RecvMode, SendError, State};

/// A text of `len` bytes mixing 1- to 4-byte characters, so frame
/// boundaries fall inside characters.
fn mixed_text(len: usize) -> String {
    let mut s = String::new();
    for c in "aé€😀".chars().cycle() {
        if s.len() + c.len_utf8() > len {
            break;
        }
        s.push(c);
    }
    while s.len() < len {
        s.push('z');
    }
    s
}

/// Check `wire` is `payload` split into frames of at most `size` bytes:
/// the first with `first`, then continuations, FIN only on the last.
fn assert_split(wire: &[u8], first: Opcode, payload: &[u8], size: usize, masked: bool) {
    let fr = frames(wire);
    let expected = payload.len().div_ceil(size).max(1);
    assert_eq!(
        fr.len(),
        expected,
        "frame count for {} bytes in {size}",
        payload.len()
    );
    let mut joined = Vec::new();
    for (i, (op, fin, data, m)) in fr.iter().enumerate() {
        let want = if i == 0 { first } else { Opcode::Continuation };
        assert_eq!(*op, want, "opcode of frame {i}");
        assert_eq!(*fin, i + 1 == fr.len(), "FIN of frame {i}");
        assert_eq!(*m, masked, "mask of frame {i}");
        assert!(
            data.len() <= size,
            "frame {i} has {} > {size} bytes",
            data.len()
        );
        if i + 1 < fr.len() {
            assert_eq!(data.len(), size, "only the last frame may be short");
        }
        joined.extend_from_slice(data);
    }
    assert_eq!(joined, payload);
}

const SIZES: [(usize, usize); 9] = [
    (0, 4),
    (1, 4),
    (4, 4),
    (5, 4),
    (8, 4),
    (3, 1),
    (1000, 7),
    (1000, 1000),
    (1000, 1001),
];

#[test]
fn fragment_size_splits_text_into_ceil_len_over_n_frames() {
    for (len, size) in SIZES {
        let text = "t".repeat(len);
        // Client to server (masked) and server to client (unmasked).
        let mut c = client(4096, Config::new().with_fragment_size(size));
        let mut s = server(4096, Config::new().with_fragment_size(size));
        let mut tx = vec![0u8; 8192];
        let n = c.encode_text(&text, &mut tx).unwrap();
        assert_eq!(n, c.encoded_message_len(len), "({len}, {size})");
        assert_split(&tx[..n], Opcode::Text, text.as_bytes(), size, true);
        assert_eq!(feed(&mut s, &tx[..n], &[]), vec![Owned::Text(text.clone())]);

        let n = s.encode_text(&text, &mut tx).unwrap();
        assert_eq!(n, s.encoded_message_len(len), "({len}, {size})");
        assert_split(&tx[..n], Opcode::Text, text.as_bytes(), size, false);
        assert_eq!(feed(&mut c, &tx[..n], &[]), vec![Owned::Text(text)]);
    }
}

#[test]
fn fragment_size_splits_binary_into_ceil_len_over_n_frames() {
    for (len, size) in SIZES {
        let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut c = client(4096, Config::new().with_fragment_size(size));
        let mut s = server(4096, Config::new());
        let mut tx = vec![0u8; 8192];
        let n = c.encode_binary(&data, &mut tx).unwrap();
        assert_eq!(n, c.encoded_message_len(len), "({len}, {size})");
        assert_split(&tx[..n], Opcode::Binary, &data, size, true);
        assert_eq!(feed(&mut s, &tx[..n], &[3]), vec![Owned::Binary(data)]);
    }
}

#[test]
fn fragment_size_splits_inside_characters_and_the_receiver_rejoins_them() {
    let text = mixed_text(1000);
    for size in [1, 2, 3, 5, 7, 64] {
        let mut c = client(4096, Config::new().with_fragment_size(size));
        let mut s = server(4096, Config::new());
        let mut tx = vec![0u8; 16 * 1024];
        let n = c.encode_text(&text, &mut tx).unwrap();
        assert_split(&tx[..n], Opcode::Text, text.as_bytes(), size, true);
        assert_eq!(
            feed(&mut s, &tx[..n], &[11]),
            vec![Owned::Text(text.clone())],
            "size {size}"
        );
    }
}

#[test]
fn without_fragment_size_a_message_is_one_frame() {
    let mut s = server(4096, Config::new());
    let mut tx = vec![0u8; 100_000];
    for len in [0, 125, 126, 65_535, 65_536] {
        let n = s.encode_binary(&vec![1; len], &mut tx).unwrap();
        assert_eq!(n, s.encoded_message_len(len));
        let fr = frames(&tx[..n]);
        assert_eq!(fr.len(), 1);
        assert_eq!(
            (fr[0].0, fr[0].1, fr[0].2.len()),
            (Opcode::Binary, true, len)
        );
    }
}

/// Extended length bytes for a payload of `len` (§5.2).
fn ext_len(len: usize) -> usize {
    match len {
        0..=125 => 0,
        126..=65_535 => 2,
        _ => 8,
    }
}

#[test]
fn encoded_message_len_matches_the_bytes_written() {
    for role_client in [false, true] {
        for size in [0, 1, 10, 125, 126, 200, 70_000] {
            for len in [0, 1, 9, 10, 11, 125, 126, 127, 1000, 65_535, 65_536, 70_001] {
                let config = Config::new().with_fragment_size(size);
                let data = vec![b'x'; len];
                // Room to spare, so the count is what was written, not the slice.
                let mut tx = vec![0u8; 16 * len + 64];
                let (expected, n) = if role_client {
                    let mut c = client(4096, config);
                    (
                        c.encoded_message_len(len),
                        c.encode_binary(&data, &mut tx).unwrap(),
                    )
                } else {
                    let mut s = server(4096, config);
                    (
                        s.encoded_message_len(len),
                        s.encode_binary(&data, &mut tx).unwrap(),
                    )
                };
                // And the frames parse back to exactly n bytes.
                let frame_bytes: usize = frames(&tx[..n])
                    .iter()
                    .map(|f| 2 + f.2.len() + if f.3 { 4 } else { 0 } + ext_len(f.2.len()))
                    .sum();
                assert_eq!(frame_bytes, n);
                assert_eq!(n, expected, "client {role_client}, size {size}, len {len}");
            }
        }
    }
}

#[test]
fn buffer_too_small_reports_exactly_the_needed_size_and_writes_nothing() {
    for size in [0, 3, 100] {
        for len in [0, 1, 7, 125, 126, 300] {
            let mut c = client(4096, Config::new().with_fragment_size(size));
            let needed = c.encoded_message_len(len);
            let data = vec![b'q'; len];
            let mut tx = vec![0xAAu8; needed - 1];
            assert_eq!(
                c.encode_binary(&data, &mut tx),
                Err(SendError::BufferTooSmall { needed }),
                "size {size}, len {len}"
            );
            assert_eq!(
                c.encode_text(core::str::from_utf8(&data).unwrap(), &mut tx),
                Err(SendError::BufferTooSmall { needed })
            );
            assert!(tx.iter().all(|&b| b == 0xAA), "nothing written");
            let mut tx = vec![0u8; needed];
            assert_eq!(
                c.encode_binary(&data, &mut tx),
                Ok(needed),
                "size {size}, len {len}"
            );
        }
    }
}

#[test]
fn buffer_too_small_for_a_fragment_or_ping_leaves_the_message_as_it_was() {
    let mut c = client(4096, Config::new());
    let mut s = server(4096, Config::new());
    let mut wire = Vec::new();
    let mut tx = [0u8; 256];
    let n = c
        .encode_fragment(MessageKind::Text, b"ab", false, &mut tx)
        .unwrap();
    wire.extend_from_slice(&tx[..n]);
    // "cd" as a masked continuation needs 2 + 4 + 2 bytes.
    let mut small = [0xAAu8; 7];
    assert_eq!(
        c.encode_fragment(MessageKind::Text, b"cd", false, &mut small),
        Err(SendError::BufferTooSmall { needed: 8 })
    );
    assert_eq!(
        c.encode_ping(b"pp", &mut small),
        Err(SendError::BufferTooSmall { needed: 8 })
    );
    assert!(small.iter().all(|&b| b == 0xAA));
    let n = c
        .encode_fragment(MessageKind::Text, b"cd", true, &mut tx)
        .unwrap();
    wire.extend_from_slice(&tx[..n]);
    assert_eq!(feed(&mut s, &wire, &[]), vec![Owned::Text("abcd".into())]);
}

#[test]
fn streamed_send_with_pings_between_fragments() {
    let mut c = client(4096, Config::new());
    let mut s = server(4096, Config::new());
    let mut wire = Vec::new();
    let mut tx = [0u8; 256];
    let mut push = |n: usize, tx: &[u8]| wire.extend_from_slice(&tx[..n]);
    let n = c
        .encode_fragment(MessageKind::Binary, b"one ", false, &mut tx)
        .unwrap();
    push(n, &tx);
    let n = c.encode_ping(b"p1", &mut tx).unwrap();
    push(n, &tx);
    let n = c
        .encode_fragment(MessageKind::Binary, b"two ", false, &mut tx)
        .unwrap();
    push(n, &tx);
    let n = c.encode_pong(b"unsolicited", &mut tx).unwrap();
    push(n, &tx);
    let n = c.encode_ping(b"p2", &mut tx).unwrap();
    push(n, &tx);
    let n = c
        .encode_fragment(MessageKind::Binary, b"three", true, &mut tx)
        .unwrap();
    push(n, &tx);

    let fr = frames(&wire);
    let ops: Vec<(Opcode, bool)> = fr.iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(
        ops,
        vec![
            (Opcode::Binary, false),
            (Opcode::Ping, true),
            (Opcode::Continuation, false),
            (Opcode::Pong, true),
            (Opcode::Ping, true),
            (Opcode::Continuation, true),
        ]
    );
    assert!(fr.iter().all(|f| f.3), "client frames are masked");
    assert_eq!(
        feed(&mut s, &wire, &[5]),
        vec![
            Owned::Ping(b"p1".to_vec()),
            Owned::Pong(b"unsolicited".to_vec()),
            Owned::Ping(b"p2".to_vec()),
            Owned::Binary(b"one two three".to_vec()),
        ]
    );
    // After FIN a new message may start.
    assert!(c.encode_text("next", &mut tx).is_ok());
}

#[test]
fn starting_another_message_mid_stream_is_message_in_progress() {
    let mut c = client(4096, Config::new());
    let mut tx = [0u8; 64];
    c.encode_fragment(MessageKind::Text, b"first", false, &mut tx)
        .unwrap();
    let mut out = [0xAAu8; 64];
    assert_eq!(
        c.encode_text("x", &mut out),
        Err(SendError::MessageInProgress)
    );
    assert_eq!(
        c.encode_binary(b"x", &mut out),
        Err(SendError::MessageInProgress)
    );
    assert_eq!(
        c.encode_fragment(MessageKind::Binary, b"x", false, &mut out),
        Err(SendError::MessageInProgress),
        "switching kind mid-stream"
    );
    assert_eq!(
        c.encode_fragment(MessageKind::Binary, b"x", true, &mut out),
        Err(SendError::MessageInProgress)
    );
    assert!(out.iter().all(|&b| b == 0xAA), "nothing written");
    // The text message is still open and continues as a continuation.
    let n = c
        .encode_fragment(MessageKind::Text, b" and last", true, &mut tx)
        .unwrap();
    assert_eq!(
        frames(&tx[..n]),
        vec![(Opcode::Continuation, true, b" and last".to_vec(), true)]
    );
    // Now a whole message is allowed again.
    assert!(c.encode_binary(b"x", &mut out).is_ok());
}

#[test]
fn streamed_text_may_split_a_character_between_calls() {
    let mut c = client(4096, Config::new());
    let mut s = server(4096, Config::new());
    let mut wire = Vec::new();
    let mut tx = [0u8; 64];
    let emoji = "😀".as_bytes();
    // "€" split 1 + 2, then 😀 one byte per call, then ASCII.
    let euro = "€".as_bytes();
    let pieces: [&[u8]; 7] = [
        &euro[..1],
        &euro[1..],
        &emoji[..1],
        &emoji[1..2],
        &emoji[2..3],
        &emoji[3..],
        b"!",
    ];
    for (i, piece) in pieces.iter().enumerate() {
        let n = c
            .encode_fragment(MessageKind::Text, piece, i + 1 == pieces.len(), &mut tx)
            .unwrap();
        wire.extend_from_slice(&tx[..n]);
    }
    assert_eq!(feed(&mut s, &wire, &[]), vec![Owned::Text("€😀!".into())]);
}

#[test]
fn streamed_text_that_is_not_utf8_is_refused_and_the_message_stays_open() {
    let mut c = client(4096, Config::new());
    let mut s = server(4096, Config::new());
    let mut wire = Vec::new();
    let mut tx = [0u8; 64];
    let mut out = [0xAAu8; 64];
    // A fresh message with a bad first piece is not started.
    assert!(matches!(
        c.encode_fragment(MessageKind::Text, b"\xff", false, &mut out),
        Err(SendError::InvalidUtf8(_))
    ));
    assert!(
        c.encode_binary(b"ok", &mut tx).is_ok(),
        "no message was opened"
    );

    let n = c
        .encode_fragment(MessageKind::Text, b"ab\xe2\x82", false, &mut tx)
        .unwrap();
    wire.extend_from_slice(&tx[..n]);
    // A byte that cannot continue the open character.
    match c.encode_fragment(MessageKind::Text, b"A", false, &mut out) {
        Err(SendError::InvalidUtf8(e)) => assert!(!e.is_incomplete()),
        other => panic!("{other:?}"),
    }
    // FIN while a character is open.
    match c.encode_fragment(MessageKind::Text, b"", true, &mut out) {
        Err(SendError::InvalidUtf8(e)) => assert!(e.is_incomplete()),
        other => panic!("{other:?}"),
    }
    // An encoded surrogate (never valid UTF-8).
    assert!(matches!(
        c.encode_fragment(MessageKind::Text, b"\xac\xed\xa0\x80", true, &mut out),
        Err(SendError::InvalidUtf8(_))
    ));
    assert!(out.iter().all(|&b| b == 0xAA), "nothing written");
    // The validator state survived the refusals: completing "€" works.
    let n = c
        .encode_fragment(MessageKind::Text, b"\xacc", true, &mut tx)
        .unwrap();
    wire.extend_from_slice(&tx[..n]);
    assert_eq!(feed(&mut s, &wire, &[]), vec![Owned::Text("ab€c".into())]);
}

#[test]
fn binary_fragments_are_not_utf8_checked() {
    let mut c = client(4096, Config::new());
    let mut tx = [0u8; 64];
    assert!(
        c.encode_fragment(MessageKind::Binary, b"\xff\xfe", false, &mut tx)
            .is_ok()
    );
    assert!(
        c.encode_fragment(MessageKind::Binary, b"\xe2", true, &mut tx)
            .is_ok()
    );
}

/// 1000 one-byte fragments of a mixed-width text, a ping after each.
fn thousand_tiny_fragments(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut input = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        let op = if i == 0 {
            Opcode::Text
        } else {
            Opcode::Continuation
        };
        input.extend(from_client(op, i + 1 == bytes.len(), &[*b]));
        if i + 1 < bytes.len() {
            input.extend(from_client(Opcode::Ping, true, &(i as u32).to_be_bytes()));
        }
    }
    input
}

#[test]
fn thousand_one_byte_fragments_with_pings_reassemble_in_a_tight_buffer() {
    let text = mixed_text(1000);
    let input = thousand_tiny_fragments(&text);
    // The smallest buffer whose message cap admits 1000 bytes, plus a little.
    let len = CONTROL_RESERVE + 14 + 1000 + 16;
    for splits in [
        vec![],
        vec![1],
        vec![2, 5],
        vec![7],
        vec![13, 1, 64],
        vec![4096],
        vec![17, 300, 3],
    ] {
        let mut s = server(len, Config::new());
        assert!(s.max_message_len() >= 1000);
        let ev = feed(&mut s, &input, &splits);
        assert_eq!(ev.len(), 1000, "999 pings and a message; splits {splits:?}");
        for (i, e) in ev[..999].iter().enumerate() {
            assert_eq!(
                *e,
                Owned::Ping((i as u32).to_be_bytes().to_vec()),
                "splits {splits:?}"
            );
        }
        assert_eq!(ev[999], Owned::Text(text.clone()), "splits {splits:?}");
        // Only the latest ping is answered (§5.5.3 allows that).
        let out = frames(&transmit(&mut s));
        assert_eq!(
            out,
            vec![(Opcode::Pong, true, 998u32.to_be_bytes().to_vec(), false)]
        );
        assert_eq!(s.state(), State::Open);
    }
}

#[test]
fn thousand_one_byte_fragments_stream_through_in_stream_mode() {
    let text = mixed_text(1000);
    let input = thousand_tiny_fragments(&text);
    for splits in [vec![], vec![1], vec![3, 8], vec![100]] {
        let mut s = server(
            wsframe::MIN_BUFFER_LEN,
            Config::new().with_recv_mode(RecvMode::Stream),
        );
        let ev = feed(&mut s, &input, &splits);
        let mut joined = Vec::new();
        let mut pings = 0;
        let mut done = false;
        for e in &ev {
            match e {
                Owned::Chunk {
                    text: true,
                    data,
                    offset,
                    last,
                } => {
                    assert!(!done);
                    assert_eq!(*offset as usize, joined.len());
                    joined.extend_from_slice(data);
                    done = *last;
                }
                Owned::Ping(_) => pings += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(done, "last chunk flagged; splits {splits:?}");
        assert_eq!(pings, 999);
        assert_eq!(joined, text.as_bytes(), "splits {splits:?}");
    }
}

#[test]
fn interleaved_data_frame_in_a_streamed_send_is_impossible() {
    // The receiver must never see two messages interleaved (§5.4): while a
    // streamed text is open, a whole binary message is refused, so the
    // wire holds only the text's frames and control frames.
    let mut c = client(4096, Config::new().with_fragment_size(2));
    let mut s = server(4096, Config::new());
    let mut wire = Vec::new();
    let mut tx = [0u8; 64];
    let n = c
        .encode_fragment(MessageKind::Text, b"hello", false, &mut tx)
        .unwrap();
    wire.extend_from_slice(&tx[..n]);
    assert_eq!(
        c.encode_binary(b"no", &mut tx),
        Err(SendError::MessageInProgress)
    );
    let n = c
        .encode_fragment(MessageKind::Text, b" world", true, &mut tx)
        .unwrap();
    wire.extend_from_slice(&tx[..n]);
    // encode_fragment writes one frame per call, fragment_size aside.
    assert_eq!(frames(&wire).len(), 2);
    let n = c.encode_binary(b"now", &mut tx).unwrap();
    wire.extend_from_slice(&tx[..n]);
    assert_eq!(
        feed(&mut s, &wire, &[]),
        vec![
            Owned::Text("hello world".into()),
            Owned::Binary(b"now".to_vec())
        ]
    );
}

/// `encode_next` resumed wrongly: another kind or length, another kind
/// of send in between, a `tx` with no room for a frame, the connection
/// closing midway. Each is refused with nothing written, and the message
/// still goes out whole when resumed correctly.
#[test]
fn encode_next_refuses_a_wrong_resume_and_writes_nothing() {
    let mut c = client(4096, Config::new());
    let payload = vec![b'x'; 300];
    let mut wire = Vec::new();
    let mut tx = [0u8; 64];
    let step = c.encode_next(MessageKind::Text, &payload, &mut tx).unwrap();
    assert!(!step.done);
    wire.extend_from_slice(&tx[..step.len]);

    let mut scratch = [0xAAu8; 64];
    for refused in [
        c.encode_next(MessageKind::Binary, &payload, &mut scratch)
            .map(|e| e.len),
        c.encode_next(MessageKind::Text, &payload[..299], &mut scratch)
            .map(|e| e.len),
        c.encode_text("other", &mut scratch),
        c.encode_binary(b"other", &mut scratch),
        c.encode_fragment(MessageKind::Text, b"other", true, &mut scratch),
    ] {
        assert_eq!(refused, Err(SendError::MessageInProgress));
    }
    // No room even for a header and one byte.
    assert!(matches!(
        c.encode_next(MessageKind::Text, &payload, &mut scratch[..6]),
        Err(SendError::BufferTooSmall { .. })
    ));
    assert!(scratch.iter().all(|&b| b == 0xAA), "nothing written");
    // Pings may go between the parts.
    let n = c.encode_ping(b"p", &mut tx).unwrap();
    wire.extend_from_slice(&tx[..n]);
    loop {
        let step = c.encode_next(MessageKind::Text, &payload, &mut tx).unwrap();
        wire.extend_from_slice(&tx[..step.len]);
        if step.done {
            break;
        }
    }
    let mut s = server(4096, Config::new());
    let got = feed(&mut s, &wire, &[]);
    assert_eq!(
        got,
        vec![Owned::Ping(b"p".to_vec()), Owned::Text("x".repeat(300))]
    );

    // Closing midway ends the message: the rest is refused.
    let mut c = client(4096, Config::new());
    let step = c
        .encode_next(MessageKind::Binary, &payload, &mut tx)
        .unwrap();
    assert!(!step.done);
    c.close(CloseCode::NORMAL, "").unwrap();
    assert_eq!(
        c.encode_next(MessageKind::Binary, &payload, &mut tx),
        Err(SendError::Closing)
    );
    // Invalid text is refused on the first call, before any frame.
    let mut c = client(4096, Config::new());
    assert!(matches!(
        c.encode_next(MessageKind::Text, b"ok \xff", &mut tx),
        Err(SendError::InvalidUtf8(_))
    ));
    assert!(
        c.encode_text("fresh", &mut tx).is_ok(),
        "nothing left in progress"
    );
}
