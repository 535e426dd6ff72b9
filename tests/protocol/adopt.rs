//! Adopting a stream someone else upgraded (`Connection::upgraded`): the
//! framework wrote the 101 and hands over the stream plus the bytes it read
//! past the request head. Those bytes hold the client's first frames (whole
//! or cut short); given with `handle_bytes` they come out as the first
//! events, before anything read from the stream, exactly as if our own
//! handshake had kept them (`finish_handshake`).

use embedded_io_adapters::tokio_1::FromTokio;
use tokio::io::AsyncWriteExt;
use wsframe::frame::Opcode;
use wsframe::handshake::{self, Limits};
use wsframe::io::{Error, asynch};
use wsframe::{CloseCode, Config, Connection, Event, NoMask, Role, State, Status};

use crate::common::{Owned, close_code, feed, frames, from_client, raw, transmit};

fn adopted(len: usize) -> Connection<Vec<u8>, NoMask> {
    Connection::upgraded(Role::Server, vec![0u8; len], Config::new(), NoMask).unwrap()
}

const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

#[test]
fn a_whole_first_frame_in_the_leftover_is_the_first_event() {
    let mut conn = adopted(4096);
    assert_eq!(conn.state(), State::Open);
    let leftover = from_client(Opcode::Text, true, b"first");
    assert_eq!(conn.handle_bytes(&leftover), leftover.len());
    assert_eq!(conn.poll_event(), Ok(Some(Event::Text("first"))));
    assert_eq!(conn.poll_event(), Ok(None));
    // Then the stream's own bytes.
    let next = from_client(Opcode::Binary, true, b"\x01\x02");
    let events = feed(&mut conn, &next, &[1]);
    assert_eq!(events, [Owned::Binary(vec![1, 2])]);
}

/// The leftover ends inside a frame (hyper read a whole TCP segment, the
/// client wrote more): the rest arrives from the stream, in any pieces.
#[test]
fn a_first_frame_cut_short_in_the_leftover_is_completed_from_the_stream() {
    let wire = [
        from_client(Opcode::Text, true, b"hello"),
        from_client(Opcode::Ping, true, b"are you there"),
        from_client(Opcode::Text, false, "caf\u{e9}".as_bytes()),
        from_client(Opcode::Continuation, true, b" au lait"),
    ]
    .concat();
    let expected = [
        Owned::Text("hello".into()),
        Owned::Ping(b"are you there".to_vec()),
        Owned::Text("café au lait".into()),
    ];
    for cut in 0..=wire.len() {
        let mut conn = adopted(4096);
        let (leftover, rest) = wire.split_at(cut);
        assert_eq!(conn.handle_bytes(leftover), leftover.len());
        let mut events = feed(&mut conn, &[], &[]);
        events.extend(feed(&mut conn, rest, &[3, 1, 7]));
        assert_eq!(events, expected, "leftover of {cut} bytes");
        // The ping's pong is owed either way.
        let sent = frames(&transmit(&mut conn));
        assert_eq!(sent.len(), 1, "cut {cut}");
        assert_eq!(sent[0].0, Opcode::Pong);
        assert_eq!(sent[0].2, b"are you there");
    }
}

/// Adopting after a framework's handshake gives what our own handshake
/// gives with the same bytes after the head.
#[test]
fn adopting_matches_finishing_our_own_handshake() {
    let frames_after = [
        from_client(Opcode::Binary, true, &[7; 300]),
        from_client(Opcode::Close, true, &[0x03, 0xe8, b'b', b'y', b'e']),
    ]
    .concat();
    let input = [REQUEST, &frames_after].concat();

    // Ours: the head in the buffer, parsed, then `finish_handshake`.
    let mut ours = Connection::server(vec![0u8; 4096], Config::new()).unwrap();
    assert_eq!(ours.handle_bytes(&input), input.len());
    let finished = match handshake::parse_request::<16>(ours.pending_input(), &Limits::DEFAULT) {
        Ok(Status::Complete(request)) => request.finished(),
        other => panic!("request not parsed: {other:?}"),
    };
    assert_eq!(finished.head_len(), REQUEST.len());
    ours.finish_handshake(finished);

    // Theirs: the framework parsed the head; only what follows is ours.
    let mut theirs = adopted(4096);
    assert_eq!(
        theirs.handle_bytes(&input[REQUEST.len()..]),
        frames_after.len()
    );

    let a = feed(&mut ours, &[], &[]);
    let b = feed(&mut theirs, &[], &[]);
    assert_eq!(a, b);
    assert_eq!(
        a,
        [
            Owned::Binary(vec![7; 300]),
            Owned::Close(Some((1000, "bye".into())))
        ]
    );
    // Both owe the same Close echo.
    let (echo_a, echo_b) = (transmit(&mut ours), transmit(&mut theirs));
    assert_eq!(echo_a, echo_b);
    assert_eq!(close_code(&frames(&echo_a)[0].2), Some(1000));
}

/// More leftover than the buffer has room for: `handle_bytes` takes what
/// fits and says how much; events make room for the rest.
#[test]
fn a_leftover_larger_than_the_free_space_goes_in_by_parts() {
    let wire: Vec<u8> = (0..40)
        .flat_map(|i| from_client(Opcode::Text, true, format!("message {i:02}").as_bytes()))
        .collect();
    let mut conn = adopted(wsframe::MIN_BUFFER_LEN + 64);
    let mut rest = &wire[..];
    let mut texts = Vec::new();
    while !rest.is_empty() {
        let n = conn.handle_bytes(rest);
        assert!(n > 0, "no room made");
        rest = &rest[n..];
        while let Some(event) = conn.poll_event().unwrap() {
            match event {
                Event::Text(t) => texts.push(t.to_owned()),
                other => panic!("{other:?}"),
            }
        }
    }
    let want: Vec<String> = (0..40).map(|i| format!("message {i:02}")).collect();
    assert_eq!(texts, want);
}

/// A client adopts too: the server's first frame (unmasked) came with its
/// 101, and the framework's client handed it over.
#[test]
fn a_client_adopts_with_the_servers_first_frame() {
    let mut conn = Connection::upgraded(
        Role::Client,
        vec![0u8; 1024],
        Config::new(),
        crate::common::counter_masks(),
    )
    .unwrap();
    let leftover = raw(Opcode::Text, true, b"welcome", false);
    assert_eq!(conn.handle_bytes(&leftover), leftover.len());
    assert_eq!(conn.poll_event(), Ok(Some(Event::Text("welcome"))));
    // A masked frame from a server is a protocol error, as after our own handshake.
    let mut other = Connection::upgraded(Role::Client, vec![0u8; 1024], Config::new(), || {
        [1, 2, 3, 4]
    })
    .unwrap();
    let _ = other.handle_bytes(&raw(Opcode::Text, true, b"x", true));
    assert!(other.poll_event().is_err());
    assert_eq!(close_code(&frames(&transmit(&mut other))[0].2), Some(1002));
}

/// The whole path over the async adapter, as `examples/axum_chat.rs` runs
/// it: leftover bytes holding a first frame and half of a second, the rest
/// from the stream, an echo back, and the closing handshake.
#[tokio::test]
async fn the_async_adapter_reads_the_leftover_first() {
    let (ours, mut theirs) = tokio::io::duplex(1024);
    let first = from_client(Opcode::Text, true, b"in the leftover");
    let second = from_client(Opcode::Binary, true, &[9; 50]);
    let leftover = [&first[..], &second[..20]].concat();

    let server = tokio::spawn(async move {
        let mut conn = adopted(4096);
        assert_eq!(conn.handle_bytes(&leftover), leftover.len());
        let mut ws = asynch::WebSocket::new(FromTokio::new(ours), conn, vec![0u8; 512]).unwrap();
        let mut seen = Vec::new();
        loop {
            match ws.read().await {
                Ok(Event::Text(t)) => {
                    let t = t.to_owned();
                    ws.send_text(&t).await.unwrap();
                    seen.push(t);
                }
                Ok(Event::Binary(b)) => seen.push(format!("{} binary bytes", b.len())),
                Ok(Event::Close(c)) => seen.push(format!("close {:?}", c.map(|c| c.code))),
                Ok(_) => {}
                Err(Error::Closed) => break,
                Err(e) => panic!("server: {e}"),
            }
        }
        seen
    });

    // The stream carries only what the framework had not read yet.
    theirs.write_all(&second[20..]).await.unwrap();
    theirs
        .write_all(&from_client(Opcode::Close, true, &1000u16.to_be_bytes()))
        .await
        .unwrap();
    let seen = server.await.unwrap();
    assert_eq!(
        seen,
        [
            "in the leftover".to_owned(),
            "50 binary bytes".to_owned(),
            format!("close {:?}", Some(CloseCode::NORMAL)),
        ]
    );
    let _ = theirs.shutdown().await;
    let mut back = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut theirs, &mut back)
        .await
        .unwrap();
    let sent = frames(&back);
    assert_eq!(sent[0].0, Opcode::Text);
    assert_eq!(sent[0].2, b"in the leftover");
    assert_eq!(sent[1].0, Opcode::Close);
    assert_eq!(close_code(&sent[1].2), Some(1000));
}
