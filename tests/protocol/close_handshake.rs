//! The closing handshake (RFC 6455 §5.5.1, §7.1): cases beyond the basic
//! echo in `connection.rs` — interrupted messages, simultaneous close,
//! failures, and what happens to frames after a Close.
use crate::common;

use common::*;
use wsframe::frame::Opcode;
use wsframe::{
    CloseCode, Config, Connection, MessageKind, ProtocolError, RecvMode, SendError, Side, State,
};

const BUF: usize = 4096;

/// The frames `conn` owes, decoded.
fn owed<B: AsRef<[u8]> + AsMut<[u8]>, M: wsframe::MaskSource>(
    conn: &mut Connection<B, M>,
) -> Vec<(Opcode, bool, Vec<u8>, bool)> {
    frames(&transmit(conn))
}

fn close_payload(code: u16, reason: &str) -> Vec<u8> {
    let mut p = code.to_be_bytes().to_vec();
    p.extend_from_slice(reason.as_bytes());
    p
}

#[test]
fn close_inside_a_fragmented_message_discards_it_and_is_echoed() {
    let mut input = from_client(Opcode::Text, false, b"never ");
    input.extend(from_client(Opcode::Continuation, false, b"finished"));
    input.extend(from_client(
        Opcode::Close,
        true,
        &close_payload(1001, "leaving"),
    ));
    for splits in [vec![], vec![1], vec![5]] {
        let mut s = server(BUF, Config::new());
        let ev = feed(&mut s, &input, &splits);
        assert_eq!(
            ev,
            vec![Owned::Close(Some((1001, "leaving".into())))],
            "splits {splits:?}"
        );
        assert_eq!(s.state(), State::Closing(Side::Peer));
        assert_eq!(
            owed(&mut s),
            vec![(Opcode::Close, true, close_payload(1001, ""), false)]
        );
        assert_eq!(s.state(), State::Closed);
        // The continuation that would have finished it is ignored.
        assert_eq!(
            feed(&mut s, &from_client(Opcode::Continuation, true, b"!"), &[]),
            vec![]
        );
        assert_eq!(s.error(), None);
    }
}

#[test]
fn close_inside_a_streamed_message_ends_it_without_a_last_chunk() {
    let mut input = from_client(Opcode::Binary, false, b"part");
    input.extend(from_client(Opcode::Close, true, &close_payload(1000, "")));
    let mut s = server(BUF, Config::new().with_recv_mode(RecvMode::Stream));
    let ev = feed(&mut s, &input, &[]);
    assert_eq!(
        ev,
        vec![
            Owned::Chunk {
                text: false,
                data: b"part".to_vec(),
                offset: 0,
                last: false
            },
            Owned::Close(Some((1000, String::new()))),
        ]
    );
    assert_eq!(
        owed(&mut s),
        vec![(Opcode::Close, true, close_payload(1000, ""), false)]
    );
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn the_echo_carries_the_received_code() {
    for code in [
        1000u16, 1001, 1003, 1007, 1008, 1011, 1014, 3000, 3999, 4000, 4999,
    ] {
        // Server echoing a client.
        let mut s = server(BUF, Config::new());
        let ev = feed(
            &mut s,
            &from_client(Opcode::Close, true, &close_payload(code, "why")),
            &[],
        );
        assert_eq!(ev, vec![Owned::Close(Some((code, "why".into())))]);
        assert_eq!(
            owed(&mut s),
            vec![(Opcode::Close, true, close_payload(code, ""), false)],
            "{code}"
        );

        // Client echoing a server: masked, same code.
        let mut c = client(BUF, Config::new());
        let ev = feed(
            &mut c,
            &raw(Opcode::Close, true, &close_payload(code, ""), false),
            &[],
        );
        assert_eq!(ev, vec![Owned::Close(Some((code, String::new())))]);
        assert_eq!(
            owed(&mut c),
            vec![(Opcode::Close, true, close_payload(code, ""), true)],
            "{code}"
        );
        assert_eq!(c.state(), State::Closed);
    }
}

#[test]
fn longest_close_reason_round_trips() {
    let reason = "r".repeat(wsframe::close::MAX_REASON_LEN);
    let mut c = client(BUF, Config::new());
    let mut s = server(BUF, Config::new());
    c.close(CloseCode::new(4001), &reason).unwrap();
    let ev = feed(&mut s, &transmit(&mut c), &[]);
    assert_eq!(ev, vec![Owned::Close(Some((4001, reason)))]);
    let ev = feed(&mut c, &transmit(&mut s), &[]);
    assert_eq!(ev, vec![Owned::Close(Some((4001, String::new())))]);
    assert_eq!((c.state(), s.state()), (State::Closed, State::Closed));
}

#[test]
fn after_a_protocol_error_no_input_is_processed_and_one_close_is_sent() {
    let mut input = from_client(Opcode::Text, true, b"before");
    input.extend(from_client(Opcode::Ping, true, b"answer me"));
    input.extend(raw(Opcode::Text, true, b"unmasked", false)); // the fault
    input.extend(from_client(Opcode::Text, true, b"after"));
    input.extend(from_client(Opcode::Ping, true, b"after"));
    input.extend(from_client(Opcode::Close, true, &close_payload(1000, "")));
    let mut s = server(BUF, Config::new());
    let ev = feed(&mut s, &input, &[]);
    assert_eq!(
        ev,
        vec![
            Owned::Text("before".into()),
            Owned::Ping(b"answer me".to_vec()),
            Owned::Error(ProtocolError::UnmaskedClientFrame),
        ]
    );
    assert_eq!(s.error(), Some(ProtocolError::UnmaskedClientFrame));
    // Nothing else comes out, however often we ask or however much arrives.
    for _ in 0..3 {
        assert_eq!(s.poll_event(), Ok(None));
    }
    s.handle_bytes(&from_client(Opcode::Text, true, b"more"));
    assert_eq!(s.poll_event(), Ok(None));
    assert_eq!(s.state(), State::Failed);
    // Exactly one frame, the Close: the owed pong is dropped.
    let out = owed(&mut s);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        (out[0].0, close_code(&out[0].2)),
        (Opcode::Close, Some(1002))
    );
    assert_eq!(s.state(), State::Failed);
    assert!(s.is_closed());
    assert!(transmit(&mut s).is_empty(), "no second close");
    assert_eq!(s.close(CloseCode::NORMAL, ""), Err(SendError::Closing));
    assert_eq!(s.encode_ping(b"", &mut [0u8; 16]), Err(SendError::Closing));
}

#[test]
fn a_protocol_error_while_our_close_is_queued_sends_one_close() {
    let mut s = server(BUF, Config::new());
    s.close(CloseCode::GOING_AWAY, "shutting down").unwrap();
    let ev = feed(&mut s, &from_client(Opcode::Continuation, true, b"x"), &[]);
    assert_eq!(
        ev,
        vec![Owned::Error(ProtocolError::UnexpectedContinuation)]
    );
    let out = owed(&mut s);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].0, Opcode::Close);
    assert_eq!(s.state(), State::Failed);
    assert!(s.is_closed());
    assert!(transmit(&mut s).is_empty());
}

#[test]
fn a_protocol_error_after_our_close_was_sent_sends_nothing_more() {
    let mut s = server(BUF, Config::new());
    s.close(CloseCode::NORMAL, "").unwrap();
    assert_eq!(owed(&mut s).len(), 1);
    assert_eq!(s.state(), State::Closing(Side::Local));
    // Instead of the echo, garbage (reserved opcode 0x3).
    let ev = feed(&mut s, &[0x83, 0x80, 1, 2, 3, 4], &[]);
    assert!(
        matches!(ev.as_slice(), [Owned::Error(ProtocolError::Frame(_))]),
        "{ev:?}"
    );
    assert!(transmit(&mut s).is_empty(), "our Close already went out");
    assert_eq!(s.state(), State::Failed);
    assert!(s.is_closed());
}

#[test]
fn simultaneous_close_ends_closed_on_both_sides_without_a_second_close() {
    for splits in [vec![], vec![1]] {
        let mut c = client(BUF, Config::new());
        let mut s = server(BUF, Config::new());
        c.close(CloseCode::NORMAL, "client done").unwrap();
        s.close(CloseCode::GOING_AWAY, "server done").unwrap();
        let up = transmit(&mut c);
        let down = transmit(&mut s);
        assert_eq!(
            (c.state(), s.state()),
            (State::Closing(Side::Local), State::Closing(Side::Local))
        );
        // The Closes cross on the wire.
        assert_eq!(
            feed(&mut s, &up, &splits),
            vec![Owned::Close(Some((1000, "client done".into())))]
        );
        assert_eq!(
            feed(&mut c, &down, &splits),
            vec![Owned::Close(Some((1001, "server done".into())))]
        );
        assert_eq!((c.state(), s.state()), (State::Closed, State::Closed));
        assert!(
            transmit(&mut c).is_empty(),
            "no echo of a close that crossed ours"
        );
        assert!(
            transmit(&mut s).is_empty(),
            "no echo of a close that crossed ours"
        );
        assert_eq!((c.error(), s.error()), (None, None));
    }
}

#[test]
fn peer_close_arriving_before_our_queued_close_is_sent() {
    // We queued a close but have not transmitted it; the peer's arrives.
    // Ours goes out as the reply (not a second frame), and we are done.
    let mut s = server(BUF, Config::new());
    s.close(CloseCode::new(4000), "mine").unwrap();
    let ev = feed(
        &mut s,
        &from_client(Opcode::Close, true, &close_payload(1000, "theirs")),
        &[],
    );
    assert_eq!(ev, vec![Owned::Close(Some((1000, "theirs".into())))]);
    let out = owed(&mut s);
    assert_eq!(
        out,
        vec![(Opcode::Close, true, close_payload(4000, "mine"), false)]
    );
    assert_eq!(s.state(), State::Closed);
}

#[test]
fn close_during_a_streamed_send_is_allowed_and_ends_the_stream() {
    let mut c = client(BUF, Config::new());
    let mut s = server(BUF, Config::new());
    let mut tx = [0u8; 128];
    let mut wire = Vec::new();
    let n = c
        .encode_fragment(MessageKind::Text, b"half a ", false, &mut tx)
        .unwrap();
    wire.extend_from_slice(&tx[..n]);
    // §5.4: control frames may be injected in the middle of a fragmented message.
    c.close(CloseCode::GOING_AWAY, "").unwrap();
    assert_eq!(
        c.encode_fragment(MessageKind::Text, b"message", true, &mut tx),
        Err(SendError::Closing)
    );
    assert_eq!(
        c.encode_fragment(MessageKind::Text, b"", true, &mut tx),
        Err(SendError::Closing)
    );
    assert_eq!(c.encode_ping(b"", &mut tx), Err(SendError::Closing));
    assert_eq!(c.encode_text("other", &mut tx), Err(SendError::Closing));
    wire.extend(transmit(&mut c));
    let fr = frames(&wire);
    assert_eq!(
        fr.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(),
        vec![(Opcode::Text, false), (Opcode::Close, true)]
    );
    // The receiver drops the unfinished message and echoes.
    assert_eq!(
        feed(&mut s, &wire, &[3]),
        vec![Owned::Close(Some((1001, String::new())))]
    );
    assert_eq!(
        feed(&mut c, &transmit(&mut s), &[]),
        vec![Owned::Close(Some((1001, String::new())))]
    );
    assert_eq!((c.state(), s.state()), (State::Closed, State::Closed));
}

#[test]
fn frames_after_the_peers_close_are_ignored() {
    // Data, a ping and even malformed bytes after the Close, in the same
    // delivery: no event, no error, no pong; only the echo goes out.
    let mut input = from_client(Opcode::Close, true, &close_payload(1000, ""));
    input.extend(from_client(Opcode::Text, true, b"after"));
    input.extend(from_client(Opcode::Ping, true, b"after"));
    input.extend(raw(Opcode::Binary, true, b"unmasked", false));
    input.extend([0xF3, 0x00]); // reserved opcode
    for splits in [vec![], vec![1], vec![7]] {
        let mut s = server(BUF, Config::new());
        let ev = feed(&mut s, &input, &splits);
        assert_eq!(
            ev,
            vec![Owned::Close(Some((1000, String::new())))],
            "splits {splits:?}"
        );
        assert_eq!(s.poll_event(), Ok(None));
        assert_eq!(s.error(), None);
        assert_eq!(
            owed(&mut s),
            vec![(Opcode::Close, true, close_payload(1000, ""), false)]
        );
        assert_eq!(s.state(), State::Closed);
    }
}

#[test]
fn frames_after_the_echo_of_our_close_are_ignored() {
    let mut c = client(BUF, Config::new());
    c.close(CloseCode::NORMAL, "").unwrap();
    let _ = transmit(&mut c);
    let mut input = raw(Opcode::Close, true, &close_payload(1000, ""), false);
    input.extend(raw(Opcode::Text, true, b"late", false));
    input.extend(raw(Opcode::Ping, true, b"late", false));
    let ev = feed(&mut c, &input, &[]);
    assert_eq!(ev, vec![Owned::Close(Some((1000, String::new())))]);
    assert!(transmit(&mut c).is_empty(), "no pong and no second close");
    assert_eq!(c.state(), State::Closed);
}

#[test]
fn a_ping_before_the_peers_close_does_not_follow_our_close() {
    // §5.5.1: after sending a Close, nothing more is sent.
    let mut input = from_client(Opcode::Ping, true, b"p");
    input.extend(from_client(Opcode::Close, true, &close_payload(1000, "")));
    let mut s = server(BUF, Config::new());
    assert_eq!(
        feed(&mut s, &input, &[]),
        vec![
            Owned::Ping(b"p".to_vec()),
            Owned::Close(Some((1000, String::new())))
        ]
    );
    let out = owed(&mut s);
    assert_eq!(
        out.last().map(|f| f.0),
        Some(Opcode::Close),
        "Close is the last frame: {out:?}"
    );
    assert_eq!(out.iter().filter(|f| f.0 == Opcode::Close).count(), 1);
}

#[test]
fn after_the_peers_close_nothing_may_be_sent_but_the_echo() {
    let mut s = server(BUF, Config::new());
    feed(&mut s, &from_client(Opcode::Close, true, b""), &[]);
    assert_eq!(s.state(), State::Closing(Side::Peer));
    let mut tx = [0u8; 64];
    assert_eq!(s.encode_binary(b"x", &mut tx), Err(SendError::Closing));
    assert_eq!(
        s.encode_fragment(MessageKind::Binary, b"x", true, &mut tx),
        Err(SendError::Closing)
    );
    assert_eq!(s.encode_ping(b"x", &mut tx), Err(SendError::Closing));
    assert_eq!(s.encode_pong(b"x", &mut tx), Err(SendError::Closing));
    assert_eq!(
        s.close(CloseCode::NORMAL, "me too"),
        Err(SendError::Closing)
    );
    assert_eq!(owed(&mut s), vec![(Opcode::Close, true, vec![], false)]);
}

#[test]
fn received_close_codes_at_the_range_boundaries() {
    // §7.4.2: 1000–1003, 1007–1014 and 3000–4999 may be received; 0–999,
    // 1004–1006, 1015, 1016–2999 and 5000+ fail the connection with 1002.
    for code in [1000u16, 1003, 1007, 1012, 1013, 1014, 3000, 4999] {
        let mut s = server(BUF, Config::new());
        let ev = feed(
            &mut s,
            &from_client(Opcode::Close, true, &code.to_be_bytes()),
            &[],
        );
        assert_eq!(
            ev,
            vec![Owned::Close(Some((code, String::new())))],
            "{code}"
        );
    }
    for code in [999u16, 1004, 1005, 1006, 1015, 1016, 2999, 5000, u16::MAX] {
        let mut s = server(BUF, Config::new());
        let ev = feed(
            &mut s,
            &from_client(Opcode::Close, true, &code.to_be_bytes()),
            &[],
        );
        assert!(
            matches!(
                ev.as_slice(),
                [Owned::Error(ProtocolError::InvalidClose(_))]
            ),
            "{code}: {ev:?}"
        );
        let out = owed(&mut s);
        assert_eq!(out.len(), 1);
        assert_eq!(close_code(&out[0].2), Some(1002), "{code}");
    }
}
