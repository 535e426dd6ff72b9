//! RFC 6455 §5–§7 behaviour of the sans-I/O connection, grouped by section.
use crate::common;

use common::*;
use wsframe::frame::{FrameError, Opcode, Rsv};
use wsframe::{CloseCode, Config, ProtocolError, RecvMode, SendError, Side, State};

const BUF: usize = 4096;

fn one_error(events: &[Owned]) -> ProtocolError {
    match events.last() {
        Some(Owned::Error(e)) => *e,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// The close frame a failed connection owes, as (code, reason).
fn owed_close<B: AsRef<[u8]> + AsMut<[u8]>, M: wsframe::MaskSource>(
    conn: &mut wsframe::Connection<B, M>,
) -> u16 {
    let out = transmit(conn);
    let fr = frames(&out);
    assert_eq!(fr.len(), 1, "{fr:?}");
    assert_eq!(fr[0].0, Opcode::Close);
    close_code(&fr[0].2).unwrap()
}

// §5.1: masking rules per role.
#[test]
fn server_accepts_masked_text() {
    let mut s = server(BUF, Config::new());
    let ev = feed(&mut s, &from_client(Opcode::Text, true, b"Hello"), &[]);
    assert_eq!(ev, vec![Owned::Text("Hello".into())]);
}

#[test]
fn server_rejects_unmasked_frame_with_1002() {
    let mut s = server(BUF, Config::new());
    let ev = feed(&mut s, &raw(Opcode::Text, true, b"Hello", false), &[]);
    assert_eq!(one_error(&ev), ProtocolError::UnmaskedClientFrame);
    assert_eq!(owed_close(&mut s), 1002);
    assert_eq!(s.state(), State::Failed);
}

#[test]
fn client_rejects_masked_frame_with_1002() {
    let mut c = client(BUF, Config::new());
    let ev = feed(&mut c, &raw(Opcode::Binary, true, b"x", true), &[]);
    assert_eq!(one_error(&ev), ProtocolError::MaskedServerFrame);
    assert_eq!(owed_close(&mut c), 1002);
}

#[test]
fn client_sends_masked_server_sends_unmasked() {
    let mut c = client(BUF, Config::new());
    let mut s = server(BUF, Config::new());
    let mut tx = [0u8; 64];
    let n = c.encode_text("hi", &mut tx).unwrap();
    let f = frames(&tx[..n]);
    assert!(f[0].3, "client frame must be masked");
    assert_eq!(feed(&mut s, &tx[..n], &[]), vec![Owned::Text("hi".into())]);
    let n = s.encode_binary(b"yo", &mut tx).unwrap();
    assert!(!frames(&tx[..n])[0].3, "server frame must not be masked");
    assert_eq!(
        feed(&mut c, &tx[..n], &[]),
        vec![Owned::Binary(b"yo".to_vec())]
    );
}

// §5.2: reserved bits and opcodes reach the connection as 1002.
#[test]
fn reserved_bits_and_opcodes_fail_with_1002() {
    for rsv in [Rsv::RSV1, Rsv::RSV2, Rsv::RSV3] {
        let mut s = server(BUF, Config::new());
        let ev = feed(&mut s, &raw_rsv(Opcode::Text, true, rsv, b"a", true), &[]);
        assert_eq!(
            one_error(&ev),
            ProtocolError::Frame(FrameError::ReservedBitsSet)
        );
        assert_eq!(owed_close(&mut s), 1002);
    }
    for op in [3u8, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] {
        let mut s = server(BUF, Config::new());
        let ev = feed(&mut s, &[0x80 | op, 0x80, 1, 2, 3, 4], &[]);
        assert_eq!(
            one_error(&ev),
            ProtocolError::Frame(FrameError::ReservedOpcode(op))
        );
        assert_eq!(owed_close(&mut s), 1002);
    }
}

#[test]
fn allowed_rsv_passes() {
    let mut s = server(BUF, Config::new().with_allowed_rsv(Rsv::RSV1));
    let ev = feed(
        &mut s,
        &raw_rsv(Opcode::Text, true, Rsv::RSV1, b"a", true),
        &[],
    );
    assert_eq!(ev, vec![Owned::Text("a".into())]);
}

// §5.4: fragmentation.
#[test]
fn fragments_reassemble_with_control_frames_between() {
    let mut input = Vec::new();
    input.extend(from_client(Opcode::Text, false, b"Hel"));
    input.extend(from_client(Opcode::Ping, true, b"p1"));
    input.extend(from_client(Opcode::Continuation, false, b"l"));
    input.extend(from_client(Opcode::Pong, true, b"p2"));
    input.extend(from_client(Opcode::Continuation, true, b"o"));
    for split in [vec![], vec![1], vec![2, 3], vec![7]] {
        let mut s = server(BUF, Config::new());
        let ev = feed(&mut s, &input, &split);
        assert_eq!(
            ev,
            vec![
                Owned::Ping(b"p1".to_vec()),
                Owned::Pong(b"p2".to_vec()),
                Owned::Text("Hello".into())
            ],
            "split {split:?}"
        );
        let out = frames(&transmit(&mut s));
        assert_eq!(out, vec![(Opcode::Pong, true, b"p1".to_vec(), false)]);
    }
}

#[test]
fn continuation_without_message_is_1002() {
    let mut s = server(BUF, Config::new());
    let ev = feed(&mut s, &from_client(Opcode::Continuation, true, b"x"), &[]);
    assert_eq!(one_error(&ev), ProtocolError::UnexpectedContinuation);
    assert_eq!(owed_close(&mut s), 1002);
}

#[test]
fn new_message_inside_fragmented_is_1002() {
    let mut input = from_client(Opcode::Text, false, b"a");
    input.extend(from_client(Opcode::Binary, true, b"b"));
    let mut s = server(BUF, Config::new());
    let ev = feed(&mut s, &input, &[]);
    assert_eq!(one_error(&ev), ProtocolError::ExpectedContinuation);
    assert_eq!(owed_close(&mut s), 1002);
}

#[test]
fn empty_fragments_and_empty_messages() {
    let mut input = from_client(Opcode::Text, false, b"");
    input.extend(from_client(Opcode::Continuation, false, b""));
    input.extend(from_client(Opcode::Continuation, true, b""));
    input.extend(from_client(Opcode::Binary, true, b""));
    let mut s = server(BUF, Config::new());
    assert_eq!(
        feed(&mut s, &input, &[1]),
        vec![Owned::Text(String::new()), Owned::Binary(vec![])]
    );
}

// §5.5: control frames.
#[test]
fn control_frame_rules_fail_with_1002() {
    let mut long = vec![0x89, 0xFE, 0x00, 0x7E];
    long.extend_from_slice(&KEY);
    long.extend(vec![0u8; 126]);
    let mut s = server(BUF, Config::new());
    assert_eq!(
        one_error(&feed(&mut s, &long, &[])),
        ProtocolError::Frame(FrameError::ControlFrameTooLong)
    );
    assert_eq!(owed_close(&mut s), 1002);

    let mut s = server(BUF, Config::new());
    let mut frag = from_client(Opcode::Ping, true, b"x");
    frag[0] &= 0x7F; // clear FIN: not something the encoder will produce
    assert_eq!(
        one_error(&feed(&mut s, &frag, &[])),
        ProtocolError::Frame(FrameError::FragmentedControlFrame)
    );
    assert_eq!(owed_close(&mut s), 1002);
}

#[test]
fn auto_pong_answers_latest_ping_and_can_be_switched_off() {
    let mut input = from_client(Opcode::Ping, true, b"one");
    input.extend(from_client(Opcode::Ping, true, b"two"));
    let mut s = server(BUF, Config::new());
    feed(&mut s, &input, &[]);
    assert_eq!(
        frames(&transmit(&mut s)),
        vec![(Opcode::Pong, true, b"two".to_vec(), false)]
    );

    let mut s = server(BUF, Config::new().with_auto_pong(false));
    assert_eq!(feed(&mut s, &input, &[]).len(), 2);
    assert!(transmit(&mut s).is_empty());
    let mut tx = [0u8; 16];
    let n = s.encode_pong(b"two", &mut tx).unwrap();
    assert_eq!(
        frames(&tx[..n]),
        vec![(Opcode::Pong, true, b"two".to_vec(), false)]
    );
}

#[test]
fn max_size_ping_is_echoed() {
    let payload = [0xA5u8; 125];
    let mut s = server(BUF, Config::new());
    assert_eq!(
        feed(&mut s, &from_client(Opcode::Ping, true, &payload), &[3]),
        vec![Owned::Ping(payload.to_vec())]
    );
    assert_eq!(
        frames(&transmit(&mut s)),
        vec![(Opcode::Pong, true, payload.to_vec(), false)]
    );
}

// §5.6 / §8.1: UTF-8.
#[test]
fn invalid_utf8_fails_fast_with_1007() {
    // The bad byte arrives in the first fragment; the message never finishes.
    let mut s = server(BUF, Config::new());
    let ev = feed(
        &mut s,
        &from_client(Opcode::Text, false, b"ok\xed\xa0\x80"),
        &[],
    );
    match one_error(&ev) {
        ProtocolError::InvalidUtf8(e) => assert_eq!(e.valid_up_to(), 2),
        e => panic!("{e:?}"),
    }
    assert_eq!(owed_close(&mut s), 1007);
}

#[test]
fn invalid_utf8_detected_before_frame_completes() {
    let frame = from_client(Opcode::Text, true, b"abc\xff and the rest of a long frame");
    let mut s = server(BUF, Config::new());
    // Deliver only the header and the first 4 payload bytes.
    let ev = feed(&mut s, &frame[..6 + 4], &[]);
    assert!(matches!(one_error(&ev), ProtocolError::InvalidUtf8(_)));
    assert_eq!(owed_close(&mut s), 1007);
}

#[test]
fn utf8_split_across_fragments_is_fine_and_truncated_is_1007() {
    let euro = "€".as_bytes();
    let mut input = from_client(Opcode::Text, false, &euro[..1]);
    input.extend(from_client(Opcode::Continuation, true, &euro[1..]));
    let mut s = server(BUF, Config::new());
    assert_eq!(feed(&mut s, &input, &[]), vec![Owned::Text("€".into())]);

    let mut input = from_client(Opcode::Text, false, b"a");
    input.extend(from_client(Opcode::Continuation, true, &euro[..2]));
    let mut s = server(BUF, Config::new());
    assert!(
        matches!(one_error(&feed(&mut s, &input, &[])), ProtocolError::InvalidUtf8(e) if e.is_incomplete())
    );
    assert_eq!(owed_close(&mut s), 1007);
}

#[test]
fn invalid_utf8_in_single_complete_frame_is_1007() {
    let mut s = server(BUF, Config::new());
    let ev = feed(
        &mut s,
        &from_client(
            Opcode::Text,
            true,
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited",
        ),
        &[],
    );
    assert!(matches!(one_error(&ev), ProtocolError::InvalidUtf8(_)));
    assert_eq!(owed_close(&mut s), 1007);
}

// §5.5.1 / §7: the close handshake.
#[test]
fn peer_close_is_echoed_and_closes() {
    let mut s = server(BUF, Config::new());
    let ev = feed(
        &mut s,
        &from_client(Opcode::Close, true, b"\x03\xe8bye"),
        &[],
    );
    assert_eq!(ev, vec![Owned::Close(Some((1000, "bye".into())))]);
    assert_eq!(s.state(), State::Closing(Side::Peer));
    let out = frames(&transmit(&mut s));
    assert_eq!(out, vec![(Opcode::Close, true, vec![0x03, 0xe8], false)]);
    assert_eq!(s.state(), State::Closed);
    // No data after close, either way.
    assert_eq!(
        s.encode_text("late", &mut [0u8; 16]),
        Err(SendError::Closing)
    );
    assert_eq!(
        feed(&mut s, &from_client(Opcode::Text, true, b"late"), &[]),
        vec![]
    );
}

#[test]
fn empty_close_is_echoed_empty() {
    let mut s = server(BUF, Config::new());
    assert_eq!(
        feed(&mut s, &from_client(Opcode::Close, true, b""), &[]),
        vec![Owned::Close(None)]
    );
    assert_eq!(
        frames(&transmit(&mut s)),
        vec![(Opcode::Close, true, vec![], false)]
    );
}

#[test]
fn malformed_close_payloads() {
    let cases: [(&[u8], u16); 6] = [
        (b"\x03", 1002),         // one byte
        (b"\x03\xed", 1002),     // 1005 may not be sent
        (b"\x03\xee", 1002),     // 1006
        (b"\x00\x00", 1002),     // 0
        (b"\x13\x88", 1002),     // 5000
        (b"\x03\xe8\xff", 1007), // reason not UTF-8
    ];
    for (payload, code) in cases {
        let mut s = server(BUF, Config::new());
        let ev = feed(&mut s, &from_client(Opcode::Close, true, payload), &[]);
        assert!(
            matches!(one_error(&ev), ProtocolError::InvalidClose(_)),
            "{payload:x?}"
        );
        assert_eq!(owed_close(&mut s), code, "{payload:x?}");
    }
}

#[test]
fn we_close_then_peer_echoes() {
    let mut c = client(BUF, Config::new());
    c.close(CloseCode::GOING_AWAY, "bye").unwrap();
    assert_eq!(c.state(), State::Closing(Side::Local));
    assert_eq!(
        c.encode_binary(b"x", &mut [0u8; 32]),
        Err(SendError::Closing)
    );
    assert_eq!(c.close(CloseCode::NORMAL, ""), Err(SendError::Closing));
    let out = frames(&transmit(&mut c));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, Opcode::Close);
    assert!(out[0].3);
    assert_eq!(out[0].2, b"\x03\xe9bye");
    // Data the peer sent before seeing our close is still delivered.
    let mut input = raw(Opcode::Text, true, b"in flight", false);
    input.extend(raw(Opcode::Close, true, b"\x03\xe9", false));
    assert_eq!(
        feed(&mut c, &input, &[]),
        vec![
            Owned::Text("in flight".into()),
            Owned::Close(Some((1001, String::new())))
        ]
    );
    assert_eq!(c.state(), State::Closed);
    assert!(transmit(&mut c).is_empty(), "no second close");
}

#[test]
fn close_refuses_reserved_codes_and_long_reasons() {
    let mut s = server(BUF, Config::new());
    assert!(matches!(
        s.close(CloseCode::NO_STATUS, ""),
        Err(SendError::InvalidClose(_))
    ));
    assert!(matches!(
        s.close(CloseCode::new(1006), ""),
        Err(SendError::InvalidClose(_))
    ));
    assert!(matches!(
        s.close(CloseCode::NORMAL, &"x".repeat(124)),
        Err(SendError::InvalidClose(_))
    ));
    assert_eq!(s.state(), State::Open);
    s.close(CloseCode::new(4000), &"x".repeat(123)).unwrap();
    let out = frames(&transmit(&mut s));
    assert_eq!(out[0].2.len(), 125);
}

// Life cycle: before the handshake completes.
#[test]
fn close_before_open_is_sent_once_open() {
    let mut c =
        wsframe::Connection::client(vec![0u8; BUF], Config::new(), counter_masks()).unwrap();
    assert_eq!(c.state(), State::Connecting);
    assert_eq!(
        c.encode_text("early", &mut [0u8; 64]),
        Err(SendError::NotOpen)
    );
    c.close(CloseCode::NORMAL, "changed my mind").unwrap();
    assert!(
        transmit(&mut c).is_empty(),
        "nothing is sent before the handshake"
    );
    // The response head arrives together with the server's first frame.
    let url = wsframe::handshake::Url::parse("ws://example.com/chat").unwrap();
    let request = wsframe::handshake::ClientRequest::new(&url, [7; 16]);
    let accept = request.expected_accept();
    let mut input = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        std::str::from_utf8(&accept).unwrap()
    )
    .into_bytes();
    input.extend(raw(Opcode::Text, true, b"welcome", false));
    assert_eq!(c.handle_bytes(&input), input.len());
    assert_eq!(c.pending_input(), &input[..]);
    let head = match wsframe::handshake::check_response(c.pending_input(), &request) {
        Ok(wsframe::Status::Complete(response)) => response.finished(),
        other => panic!("{other:?}"),
    };
    c.finish_handshake(head);
    let out = frames(&transmit(&mut c));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, Opcode::Close);
    assert_eq!(out[0].2, b"\x03\xe8changed my mind");
    // The frame that followed the head is not lost.
    assert_eq!(feed(&mut c, &[], &[]), vec![Owned::Text("welcome".into())]);
}

#[test]
fn no_events_before_open() {
    let mut s = wsframe::Connection::server(vec![0u8; BUF], Config::new()).unwrap();
    s.handle_bytes(&from_client(Opcode::Text, true, b"x"));
    assert_eq!(s.poll_event(), Ok(None));
}

#[test]
fn buffer_too_small_is_refused() {
    assert!(wsframe::Connection::server(vec![0u8; 100], Config::new()).is_err());
    assert!(wsframe::Connection::server(vec![0u8; wsframe::MIN_BUFFER_LEN], Config::new()).is_ok());
}

// Streaming receive.
#[test]
fn stream_mode_delivers_chunks_with_offsets() {
    let mut input = from_client(Opcode::Binary, false, &[1u8; 1000]);
    input.extend(from_client(Opcode::Ping, true, b"p"));
    input.extend(from_client(Opcode::Continuation, true, &[2u8; 500]));
    let mut s = server(
        wsframe::MIN_BUFFER_LEN + 100,
        Config::new().with_recv_mode(RecvMode::Stream),
    );
    let ev = feed(&mut s, &input, &[64]);
    let mut data = Vec::new();
    let mut last_seen = false;
    for e in &ev {
        match e {
            Owned::Chunk {
                text,
                data: d,
                offset,
                last,
            } => {
                assert!(!text);
                assert_eq!(*offset as usize, data.len());
                assert!(!last_seen);
                last_seen = *last;
                data.extend_from_slice(d);
            }
            Owned::Ping(p) => assert_eq!(p, b"p"),
            other => panic!("{other:?}"),
        }
    }
    assert!(last_seen);
    assert_eq!(data.len(), 1500);
    assert!(data[..1000].iter().all(|&b| b == 1) && data[1000..].iter().all(|&b| b == 2));
}

#[test]
fn stream_mode_checks_utf8_per_chunk() {
    let mut s = server(BUF, Config::new().with_recv_mode(RecvMode::Stream));
    let ev = feed(
        &mut s,
        &from_client(Opcode::Text, true, b"good\xc0\xafbad"),
        &[],
    );
    assert!(matches!(one_error(&ev), ProtocolError::InvalidUtf8(_)));
    assert_eq!(owed_close(&mut s), 1007);
}

#[test]
fn independent_connections() {
    let mut a = server(BUF, Config::new());
    let mut b = server(BUF, Config::new());
    feed(&mut a, &from_client(Opcode::Close, true, b""), &[]);
    assert_eq!(b.state(), State::Open);
    assert_eq!(
        feed(&mut b, &from_client(Opcode::Text, true, b"b"), &[]),
        vec![Owned::Text("b".into())]
    );
}

/// `process` found a message; reading more input before taking it
/// (`rx_buffer`, `handle_rx`) must not lose or move it, in either path
/// (a whole single frame, a fragmented one).
#[test]
fn an_event_found_by_process_survives_reading_more_input() {
    use wsframe::Event;
    for fragmented in [false, true] {
        let mut conn = server(BUF, Config::default());
        let mut input = if fragmented {
            let mut v = from_client(Opcode::Text, false, b"hel");
            v.extend(from_client(Opcode::Continuation, true, b"lo"));
            v
        } else {
            from_client(Opcode::Text, true, b"hello")
        };
        let second = from_client(Opcode::Binary, true, b"next");
        assert_eq!(conn.handle_bytes(&input), input.len());
        assert!(conn.process().unwrap());
        let space = conn.rx_buffer();
        space[..second.len()].copy_from_slice(&second);
        conn.handle_rx(second.len());
        assert_eq!(
            conn.poll_event().unwrap(),
            Some(Event::Text("hello")),
            "fragmented {fragmented}"
        );
        assert_eq!(conn.poll_event().unwrap(), Some(Event::Binary(b"next")));
        assert_eq!(conn.poll_event().unwrap(), None);
        input.clear();
    }
}

/// The same for a chunk in [`RecvMode::Stream`].
#[test]
fn a_chunk_found_by_process_survives_reading_more_input() {
    use wsframe::{Chunk, Event, MessageKind};
    let mut conn = server(BUF, Config::default().with_recv_mode(RecvMode::Stream));
    let input = from_client(Opcode::Binary, true, b"chunk");
    let second = from_client(Opcode::Binary, true, b"next");
    assert_eq!(conn.handle_bytes(&input), input.len());
    assert!(conn.process().unwrap());
    assert_eq!(conn.handle_bytes(&second), second.len());
    let chunk = |data| {
        Some(Event::Chunk(Chunk {
            kind: MessageKind::Binary,
            data,
            offset: 0,
            last: true,
        }))
    };
    assert_eq!(conn.poll_event().unwrap(), chunk(b"chunk"));
    assert_eq!(conn.poll_event().unwrap(), chunk(b"next"));
}
