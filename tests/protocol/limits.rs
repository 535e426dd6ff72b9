//! Length limits (RFC 6455 §5.2, §7.4.1 code 1009, §10.4): the message and
//! frame caps are enforced from the header, before any payload byte is
//! read, on both the receive and the send side.
use crate::common;

use common::*;
use wsframe::frame::{FrameError, Header, Opcode};
use wsframe::{
    CONTROL_RESERVE, Config, DEFAULT_MAX_MESSAGE_LEN, MIN_BUFFER_LEN, MessageKind, ProtocolError,
    RecvMode, SendError, State,
};

const MIB: usize = 1 << 20;
const KIB256: usize = 256 * 1024;
/// A receive buffer that can hold a whole 1 MiB message.
const BIG_BUF: usize = MIB + 4096;

/// A recognisable payload (not all one value, so misplaced bytes show).
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Only the header of a masked client frame declaring `len` payload bytes.
fn client_header(opcode: Opcode, fin: bool, len: u64) -> Vec<u8> {
    let h = Header::new(opcode, len).with_fin(fin).with_mask(Some(KEY));
    let mut out = vec![0u8; 14];
    let n = h.encode(&mut out).unwrap();
    out.truncate(n);
    out
}

/// The single Close frame a connection owes: (code, reason).
fn owed_close<B: AsRef<[u8]> + AsMut<[u8]>, M: wsframe::MaskSource>(
    conn: &mut wsframe::Connection<B, M>,
) -> (u16, String) {
    let fr = frames(&transmit(conn));
    assert_eq!(fr.len(), 1, "exactly one frame owed: {fr:?}");
    assert_eq!(fr[0].0, Opcode::Close);
    let code = close_code(&fr[0].2).unwrap();
    (code, String::from_utf8(fr[0].2[2..].to_vec()).unwrap())
}

/// Assert `events` is exactly one binary message equal to `expected`,
/// without dumping a megabyte on failure.
fn assert_one_binary(events: &[Owned], expected: &[u8]) {
    assert_eq!(events.len(), 1, "expected one event, got {}", events.len());
    match &events[0] {
        Owned::Binary(b) => {
            assert_eq!(b.len(), expected.len());
            assert!(b == expected, "payload differs");
        }
        Owned::Error(e) => panic!("error {e:?}"),
        _ => panic!("expected a binary message"),
    }
}

/// Header bytes minus the last are not enough to refuse; the last one is,
/// and no payload byte was ever delivered.
fn refused_at_header<B: AsRef<[u8]> + AsMut<[u8]>, M: wsframe::MaskSource>(
    conn: &mut wsframe::Connection<B, M>,
    header: &[u8],
) -> ProtocolError {
    let (head, last) = header.split_at(header.len() - 1);
    assert_eq!(
        feed(conn, head, &[]),
        vec![],
        "a partial header is not an error"
    );
    match feed(conn, last, &[]).as_slice() {
        [Owned::Error(e)] => *e,
        other => panic!("expected an error at the header, got {other:?}"),
    }
}

#[test]
fn default_cap_is_one_mebibyte() {
    assert_eq!(DEFAULT_MAX_MESSAGE_LEN, 1_048_576);
    let config = Config::new();
    assert_eq!(config.max_message_len(), 1_048_576);
    assert_eq!(config.max_frame_len(), 1_048_576);
    // A buffer that holds 1 MiB does not lower the effective cap.
    assert_eq!(server(BIG_BUF, config).max_message_len(), 1_048_576);
}

#[test]
fn single_frame_of_exactly_one_mebibyte_is_accepted() {
    let payload = pattern(MIB);
    let mut s = server(BIG_BUF, Config::new());
    let ev = feed(
        &mut s,
        &from_client(Opcode::Binary, true, &payload),
        &[65_536, 3, 100_000],
    );
    assert_one_binary(&ev, &payload);
    assert_eq!(s.state(), State::Open);
    assert!(transmit(&mut s).is_empty(), "nothing owed");
}

#[test]
fn single_frame_one_byte_over_is_refused_from_the_header_with_1009() {
    // The frame cap and the message cap are both 1 MiB by default; the frame
    // cap is checked first, so the fault is reported as FrameTooLong.
    let mut s = server(BIG_BUF, Config::new());
    let err = refused_at_header(&mut s, &client_header(Opcode::Binary, true, MIB as u64 + 1));
    assert_eq!(
        err,
        ProtocolError::FrameTooLong {
            len: MIB as u64 + 1,
            max: MIB as u64
        }
    );
    assert_eq!(err.close_code().as_u16(), 1009);
    assert_eq!(s.error(), Some(err));
    assert_eq!(owed_close(&mut s), (1009, "frame too big".into()));
    assert_eq!(s.state(), State::Failed);
}

#[test]
fn single_frame_over_the_message_cap_is_message_too_long_from_the_header() {
    // With the frame cap out of the way, the message cap refuses the frame.
    let config = Config::new().with_max_frame_len(usize::MAX);
    let mut s = server(BIG_BUF, config);
    let err = refused_at_header(&mut s, &client_header(Opcode::Binary, true, MIB as u64 + 1));
    assert_eq!(
        err,
        ProtocolError::MessageTooLong {
            len: MIB as u64 + 1,
            max: MIB as u64
        }
    );
    assert_eq!(owed_close(&mut s), (1009, "message too big".into()));
    assert_eq!(s.state(), State::Failed);
}

#[test]
fn refusal_from_the_header_ignores_payload_that_follows() {
    // Header and a little payload in one delivery: still refused, and the
    // payload bytes are never reported.
    let mut input = client_header(Opcode::Text, true, MIB as u64 + 1);
    input.extend_from_slice(b"payload");
    let mut s = server(BIG_BUF, Config::new());
    let ev = feed(&mut s, &input, &[]);
    assert!(
        matches!(
            ev.as_slice(),
            [Owned::Error(ProtocolError::FrameTooLong { .. })]
        ),
        "{ev:?}"
    );
    assert_eq!(
        feed(&mut s, &from_client(Opcode::Text, true, b"more"), &[]),
        vec![]
    );
    assert_eq!(owed_close(&mut s).0, 1009);
}

#[test]
fn four_fragments_of_256_kib_are_accepted() {
    let payload = pattern(4 * KIB256);
    let mut input = Vec::new();
    for (i, part) in payload.chunks(KIB256).enumerate() {
        let op = if i == 0 {
            Opcode::Binary
        } else {
            Opcode::Continuation
        };
        input.extend(from_client(op, i == 3, part));
    }
    let mut s = server(BIG_BUF, Config::new());
    assert_one_binary(&feed(&mut s, &input, &[40_000, 17]), &payload);
}

#[test]
fn fragments_past_the_cap_are_refused_at_the_last_header() {
    // Three full fragments, then a fourth declaring 256 KiB + 1: the total
    // would be 1 MiB + 1, refused when the fourth header completes.
    let first = pattern(3 * KIB256);
    let mut input = Vec::new();
    for (i, part) in first.chunks(KIB256).enumerate() {
        let op = if i == 0 {
            Opcode::Binary
        } else {
            Opcode::Continuation
        };
        input.extend(from_client(op, false, part));
    }
    let mut s = server(BIG_BUF, Config::new());
    assert_eq!(
        feed(&mut s, &input, &[50_000]),
        vec![],
        "no event before the message ends"
    );
    let err = refused_at_header(
        &mut s,
        &client_header(Opcode::Continuation, true, KIB256 as u64 + 1),
    );
    assert_eq!(
        err,
        ProtocolError::MessageTooLong {
            len: MIB as u64 + 1,
            max: MIB as u64
        }
    );
    assert_eq!(owed_close(&mut s), (1009, "message too big".into()));
}

#[test]
fn one_byte_fragment_after_a_full_mebibyte_is_refused() {
    let first = pattern(4 * KIB256);
    let mut input = Vec::new();
    for (i, part) in first.chunks(KIB256).enumerate() {
        let op = if i == 0 {
            Opcode::Text
        } else {
            Opcode::Continuation
        };
        // A text message this time: keep the pattern ASCII.
        let ascii: Vec<u8> = part.iter().map(|b| b & 0x7F).collect();
        input.extend(from_client(op, false, &ascii));
    }
    let mut s = server(BIG_BUF, Config::new());
    assert_eq!(feed(&mut s, &input, &[]), vec![]);
    let err = refused_at_header(&mut s, &client_header(Opcode::Continuation, true, 1));
    assert_eq!(
        err,
        ProtocolError::MessageTooLong {
            len: MIB as u64 + 1,
            max: MIB as u64
        }
    );
    assert_eq!(owed_close(&mut s).0, 1009);
}

#[test]
fn frame_cap_refuses_from_the_header_with_1009() {
    let config = Config::new().with_max_frame_len(1000);
    let mut s = server(8192, config);
    let ok = pattern(1000);
    assert_one_binary(
        &feed(&mut s, &from_client(Opcode::Binary, true, &ok), &[]),
        &ok,
    );
    let err = refused_at_header(&mut s, &client_header(Opcode::Binary, true, 1001));
    assert_eq!(
        err,
        ProtocolError::FrameTooLong {
            len: 1001,
            max: 1000
        }
    );
    assert_eq!(owed_close(&mut s), (1009, "frame too big".into()));
}

#[test]
fn frame_cap_does_not_cap_the_message() {
    // Three 1000-byte frames make a 3000-byte message: each frame is within
    // the frame cap and the message within the message cap.
    let config = Config::new().with_max_frame_len(1000);
    let payload = pattern(3000);
    let mut input = from_client(Opcode::Binary, false, &payload[..1000]);
    input.extend(from_client(
        Opcode::Continuation,
        false,
        &payload[1000..2000],
    ));
    input.extend(from_client(Opcode::Continuation, true, &payload[2000..]));
    let mut s = server(8192, config);
    assert_one_binary(&feed(&mut s, &input, &[333]), &payload);
}

#[test]
fn message_mode_cap_is_what_the_buffer_holds() {
    let s = server(4096, Config::new());
    let cap = 4096 - CONTROL_RESERVE - 14;
    assert_eq!(s.max_message_len(), cap);
    // The configured cap still wins when it is lower.
    assert_eq!(
        server(4096, Config::new().with_max_message_len(1000)).max_message_len(),
        1000
    );
    // Stream mode does not buffer messages: the configured cap alone applies.
    let stream = server(4096, Config::new().with_recv_mode(RecvMode::Stream));
    assert_eq!(stream.max_message_len(), DEFAULT_MAX_MESSAGE_LEN);
}

#[test]
fn message_of_exactly_the_buffer_cap_is_accepted_whole_and_fragmented() {
    let s = server(4096, Config::new());
    let cap = s.max_message_len();
    let payload = pattern(cap);

    let mut s = server(4096, Config::new());
    assert_one_binary(
        &feed(&mut s, &from_client(Opcode::Binary, true, &payload), &[]),
        &payload,
    );
    // A second one in the same connection: the buffer was released.
    assert_one_binary(
        &feed(
            &mut s,
            &from_client(Opcode::Binary, true, &payload),
            &[1000],
        ),
        &payload,
    );

    // Fragmented into 100-byte frames with full-size pings between,
    // delivered in odd pieces: the reassembly still fits.
    let mut input = Vec::new();
    let parts: Vec<&[u8]> = payload.chunks(100).collect();
    for (i, part) in parts.iter().enumerate() {
        let op = if i == 0 {
            Opcode::Binary
        } else {
            Opcode::Continuation
        };
        input.extend(from_client(op, i + 1 == parts.len(), part));
        input.extend(from_client(Opcode::Ping, true, &[i as u8; 125]));
    }
    for splits in [vec![7], vec![1, 500], vec![4096]] {
        let mut s = server(4096, Config::new());
        let ev = feed(&mut s, &input, &splits);
        let data: Vec<&Owned> = ev.iter().filter(|e| !matches!(e, Owned::Ping(_))).collect();
        let pings = ev.len() - data.len();
        // The last ping follows the message.
        assert_eq!(pings, parts.len(), "splits {splits:?}");
        assert_eq!(data.len(), 1, "splits {splits:?}: {:?}", data.first());
        assert!(
            matches!(data[0], Owned::Binary(b) if *b == payload),
            "splits {splits:?}"
        );
    }
}

#[test]
fn message_larger_than_the_buffer_is_refused_from_the_header_with_1009() {
    let mut s = server(4096, Config::new());
    let cap = s.max_message_len() as u64;
    let err = refused_at_header(&mut s, &client_header(Opcode::Binary, true, cap + 1));
    assert_eq!(
        err,
        ProtocolError::MessageTooLong {
            len: cap + 1,
            max: cap
        }
    );
    assert_eq!(owed_close(&mut s), (1009, "message too big".into()));

    // Fragmented: the fragment that would overflow the buffer is refused.
    let mut s = server(4096, Config::new());
    let first = pattern(cap as usize - 10);
    assert_eq!(
        feed(&mut s, &from_client(Opcode::Binary, false, &first), &[]),
        vec![]
    );
    let err = refused_at_header(&mut s, &client_header(Opcode::Continuation, true, 11));
    assert_eq!(
        err,
        ProtocolError::MessageTooLong {
            len: cap + 1,
            max: cap
        }
    );
    assert_eq!(owed_close(&mut s).0, 1009);
}

/// Collapse stream-mode events into (kind is text, payload) per message,
/// checking offsets and the `last` flag along the way.
/// The streamed messages (the shared `reassemble`) as (text, bytes),
/// pings and pongs dropped, nothing else allowed, none left unfinished.
fn collect_stream(events: &[Owned]) -> Vec<(bool, Vec<u8>)> {
    common::reassemble(events)
        .into_iter()
        .filter_map(|e| match e {
            Owned::Text(t) => Some((true, t.into_bytes())),
            Owned::Binary(b) => Some((false, b)),
            Owned::Ping(_) | Owned::Pong(_) => None,
            other => panic!("unexpected or unfinished: {other:?}"),
        })
        .collect()
}

#[test]
fn stream_mode_passes_a_message_larger_than_the_buffer() {
    let len = MIN_BUFFER_LEN + 200;
    let payload = pattern(10_000);
    let data_region = len - CONTROL_RESERVE;

    // Message mode refuses it: it cannot be held.
    let mut m = server(len, Config::new());
    assert_eq!(m.max_message_len(), len - CONTROL_RESERVE - 14);
    let ev = feed(&mut m, &from_client(Opcode::Binary, true, &payload), &[]);
    assert_eq!(
        ev,
        vec![Owned::Error(ProtocolError::MessageTooLong {
            len: 10_000,
            max: (len - CONTROL_RESERVE - 14) as u64
        })]
    );
    assert_eq!(owed_close(&mut m).0, 1009);

    // Stream mode: single frame and fragmented, in several delivery sizes.
    let mut fragmented = from_client(Opcode::Binary, false, &payload[..3000]);
    fragmented.extend(from_client(Opcode::Ping, true, b"mid"));
    fragmented.extend(from_client(
        Opcode::Continuation,
        false,
        &payload[3000..3001],
    ));
    fragmented.extend(from_client(Opcode::Continuation, true, &payload[3001..]));
    for input in [from_client(Opcode::Binary, true, &payload), fragmented] {
        for splits in [vec![], vec![1], vec![13, 200]] {
            let config = Config::new().with_recv_mode(RecvMode::Stream);
            let mut s = server(len, config);
            let ev = feed(&mut s, &input, &splits);
            for e in &ev {
                if let Owned::Chunk { data, .. } = e {
                    assert!(data.len() <= data_region, "chunk bigger than the buffer");
                }
            }
            let chunks = ev
                .iter()
                .filter(|e| matches!(e, Owned::Chunk { .. }))
                .count();
            assert!(
                chunks > 1,
                "a message larger than the buffer comes in several chunks"
            );
            assert_eq!(
                collect_stream(&ev),
                vec![(false, payload.clone())],
                "splits {splits:?}"
            );
            assert_eq!(s.state(), State::Open);
        }
    }
}

#[test]
fn stream_mode_still_enforces_the_configured_cap() {
    let config = Config::new()
        .with_recv_mode(RecvMode::Stream)
        .with_max_message_len(5000);
    let mut s = server(MIN_BUFFER_LEN + 200, config);
    // 4000 bytes stream out, then the fragment that would pass 5000 is refused.
    let ev = feed(
        &mut s,
        &from_client(Opcode::Text, false, &[b'a'; 4000]),
        &[],
    );
    let delivered: usize = ev
        .iter()
        .map(|e| match e {
            Owned::Chunk {
                data, last: false, ..
            } => data.len(),
            other => panic!("{other:?}"),
        })
        .sum();
    assert_eq!(delivered, 4000);
    let err = refused_at_header(&mut s, &client_header(Opcode::Continuation, true, 1001));
    assert_eq!(
        err,
        ProtocolError::MessageTooLong {
            len: 5001,
            max: 5000
        }
    );
    assert_eq!(owed_close(&mut s).0, 1009);
}

#[test]
fn encode_binary_past_the_cap_writes_nothing() {
    let mut s = server(MIN_BUFFER_LEN, Config::new());
    let payload = vec![7u8; MIB + 1];
    let mut tx = vec![0xAAu8; MIB + 64];
    assert_eq!(
        s.encode_binary(&payload, &mut tx),
        Err(SendError::MessageTooLong {
            len: MIB as u64 + 1,
            max: MIB as u64
        })
    );
    assert!(tx.iter().all(|&b| b == 0xAA), "nothing written");
    let text = "x".repeat(MIB + 1);
    assert!(matches!(
        s.encode_text(&text, &mut tx),
        Err(SendError::MessageTooLong { .. })
    ));
    assert!(tx.iter().all(|&b| b == 0xAA), "nothing written");
    // Exactly 1 MiB is fine, and the connection is unharmed by the refusal.
    let n = s.encode_binary(&payload[..MIB], &mut tx).unwrap();
    assert_eq!(n, s.encoded_message_len(MIB));
    let fr = frames(&tx[..n]);
    assert_eq!(fr.len(), 1);
    assert_eq!(fr[0].2.len(), MIB);
    assert_eq!(s.state(), State::Open);
}

#[test]
fn encode_fragment_accumulation_past_the_cap_writes_nothing() {
    let mut c = client(MIN_BUFFER_LEN, Config::new());
    let part = pattern(KIB256);
    let mut wire = Vec::new();
    let mut tx = vec![0u8; KIB256 + 64];
    for _ in 0..4 {
        let n = c
            .encode_fragment(MessageKind::Binary, &part, false, &mut tx)
            .unwrap();
        wire.extend_from_slice(&tx[..n]);
    }
    tx.fill(0xAA);
    assert_eq!(
        c.encode_fragment(MessageKind::Binary, &[1], true, &mut tx),
        Err(SendError::MessageTooLong {
            len: MIB as u64 + 1,
            max: MIB as u64
        })
    );
    assert!(tx.iter().all(|&b| b == 0xAA), "nothing written");
    // The message stays open and can still be finished within the cap.
    let n = c
        .encode_fragment(MessageKind::Binary, &[], true, &mut tx)
        .unwrap();
    wire.extend_from_slice(&tx[..n]);
    let mut s = server(BIG_BUF, Config::new());
    let expected: Vec<u8> = part.iter().copied().cycle().take(MIB).collect();
    assert_one_binary(&feed(&mut s, &wire, &[]), &expected);
}

#[test]
fn lowered_cap_of_100_receive_side() {
    let config = Config::new().with_max_message_len(100);
    let mut s = server(4096, config);
    assert_eq!(s.max_message_len(), 100);
    let ok = pattern(100);
    assert_one_binary(
        &feed(&mut s, &from_client(Opcode::Binary, true, &ok), &[]),
        &ok,
    );
    // 60 + 40 fragmented is still 100.
    let mut input = from_client(Opcode::Binary, false, &ok[..60]);
    input.extend(from_client(Opcode::Continuation, true, &ok[60..]));
    assert_one_binary(&feed(&mut s, &input, &[]), &ok);
    let err = refused_at_header(&mut s, &client_header(Opcode::Binary, true, 101));
    assert_eq!(err, ProtocolError::MessageTooLong { len: 101, max: 100 });
    assert_eq!(owed_close(&mut s).0, 1009);

    let mut s = server(4096, config);
    assert_eq!(
        feed(&mut s, &from_client(Opcode::Binary, false, &ok[..60]), &[]),
        vec![]
    );
    let err = refused_at_header(&mut s, &client_header(Opcode::Continuation, true, 41));
    assert_eq!(err, ProtocolError::MessageTooLong { len: 101, max: 100 });
}

#[test]
fn lowered_cap_of_100_send_side() {
    let mut c = client(MIN_BUFFER_LEN, Config::new().with_max_message_len(100));
    let mut tx = [0u8; 256];
    assert!(c.encode_binary(&[0; 100], &mut tx).is_ok());
    assert!(c.encode_text(&"a".repeat(100), &mut tx).is_ok());
    assert_eq!(
        c.encode_binary(&[0; 101], &mut tx),
        Err(SendError::MessageTooLong { len: 101, max: 100 })
    );
    assert!(
        c.encode_fragment(MessageKind::Text, b"a", false, &mut tx)
            .is_ok()
    );
    assert!(
        c.encode_fragment(MessageKind::Text, &[b'b'; 99], false, &mut tx)
            .is_ok()
    );
    assert_eq!(
        c.encode_fragment(MessageKind::Text, b"c", true, &mut tx),
        Err(SendError::MessageTooLong { len: 101, max: 100 })
    );
    assert!(
        c.encode_fragment(MessageKind::Text, b"", true, &mut tx)
            .is_ok()
    );
    // The next message starts counting from zero.
    assert!(
        c.encode_fragment(MessageKind::Binary, &[0; 100], true, &mut tx)
            .is_ok()
    );
}

#[test]
fn length_with_top_bit_set_is_1002() {
    // 127 marker, then a 64-bit length with the most significant bit set.
    let mut header = vec![0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1];
    header.extend_from_slice(&KEY);
    let mut s = server(4096, Config::new());
    let ev = feed(&mut s, &header, &[]);
    assert_eq!(
        ev,
        vec![Owned::Error(ProtocolError::Frame(
            FrameError::LengthTopBitSet
        ))]
    );
    assert_eq!(owed_close(&mut s).0, 1002);
    assert_eq!(s.state(), State::Failed);

    // Same for a client receiving an (unmasked) server frame, delivered
    // byte by byte; u64::MAX is not mistaken for a length cap fault.
    let mut c = client(
        4096,
        Config::new()
            .with_max_frame_len(usize::MAX)
            .with_max_message_len(usize::MAX),
    );
    let ev = feed(
        &mut c,
        &[0x82, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        &[1],
    );
    assert_eq!(
        ev,
        vec![Owned::Error(ProtocolError::Frame(
            FrameError::LengthTopBitSet
        ))]
    );
    assert_eq!(owed_close(&mut c).0, 1002);
}

#[test]
fn the_fragment_cap_refuses_the_frame_past_it_from_its_header_with_1009() {
    assert_eq!(
        Config::new().max_fragments(),
        wsframe::DEFAULT_MAX_FRAGMENTS
    );
    for cap in [1u32, 3, 8] {
        // Exactly `cap` frames pass.
        let mut ok = Vec::new();
        for i in 0..cap {
            let opcode = if i == 0 {
                Opcode::Binary
            } else {
                Opcode::Continuation
            };
            ok.extend(from_client(opcode, i + 1 == cap, b"ab"));
        }
        let mut s = server(4096, Config::new().with_max_fragments(cap));
        let ev = feed(&mut s, &ok, &[]);
        assert_eq!(ev, vec![Owned::Binary(b"ab".repeat(cap as usize))]);

        // One more is refused at its header: its payload is never read.
        let mut over = Vec::new();
        for i in 0..cap {
            let opcode = if i == 0 {
                Opcode::Text
            } else {
                Opcode::Continuation
            };
            over.extend(from_client(opcode, false, b"ab"));
        }
        over.extend(client_header(Opcode::Continuation, true, 100));
        let mut s = server(4096, Config::new().with_max_fragments(cap));
        let ev = feed(&mut s, &over, &[]);
        assert_eq!(
            ev.last(),
            Some(&Owned::Error(ProtocolError::TooManyFragments { max: cap }))
        );
        assert_eq!(owed_close(&mut s), (1009, "too many fragments".into()));
    }
    // Control frames between fragments do not count.
    let mut input = from_client(Opcode::Text, false, b"a");
    for _ in 0..5 {
        input.extend(from_client(Opcode::Ping, true, b""));
    }
    input.extend(from_client(Opcode::Continuation, true, b"b"));
    let mut s = server(4096, Config::new().with_max_fragments(2));
    let ev = feed(&mut s, &input, &[]);
    assert_eq!(ev.last(), Some(&Owned::Text("ab".into())));
}

#[test]
fn degenerate_caps_and_timeouts_are_clamped_not_disabled() {
    use std::time::Duration;
    // A fragment cap of 0 would refuse every message: it means 1.
    assert_eq!(Config::new().with_max_fragments(0).max_fragments(), 1);
    let mut s = server(4096, Config::new().with_max_fragments(0));
    let ev = feed(&mut s, &from_client(Opcode::Text, true, b"one frame"), &[]);
    assert_eq!(ev, vec![Owned::Text("one frame".into())]);
    // A zero close timeout would never arm: it means 1 ms. `None` turns it off.
    assert_eq!(
        Config::new()
            .with_close_timeout(Some(Duration::ZERO))
            .close_timeout(),
        Some(Duration::from_millis(1))
    );
    assert_eq!(Config::new().with_close_timeout(None).close_timeout(), None);
    assert_eq!(
        Config::new().close_timeout(),
        Some(wsframe::DEFAULT_CLOSE_TIMEOUT)
    );
}
