//! `chat_server`: the page on `/`, the room on `/ws`.

use std::io::{Read as _, Write as _};

use tungstenite::{Bytes, Message};

use crate::harness::{
    MIB, Proc, Ws, free_port, http_get, recv, recv_close_code, recv_text, recv_until, short,
    ws_connect,
};

fn start() -> (Proc, u16) {
    let port = free_port();
    (Proc::server("chat_server", port), port)
}

/// Parse `* user N joined` / `* user N left`.
fn notice(message: &Message, verb: &str) -> Option<u64> {
    let Message::Text(text) = message else {
        return None;
    };
    text.as_str()
        .strip_prefix("* user ")?
        .strip_suffix(&format!(" {verb}"))?
        .parse()
        .ok()
}

/// Join the room; returns the client and its user number (from its own
/// join notice, the first it sees when clients join one after another).
pub fn join(port: u16) -> (Ws, u64) {
    let mut ws = ws_connect(port, "/ws");
    let first = recv_until(&mut ws, "own join notice", |m| {
        notice(m, "joined").is_some()
    });
    let id = notice(&first, "joined").expect("join notice");
    (ws, id)
}

fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).expect("send");
}

#[test]
fn page_and_routes_over_plain_http() {
    let (_server, port) = start();
    for path in ["/", "/index.html", "/?from=test"] {
        let (head, body) = http_get(port, path);
        assert_eq!(head.status, 200, "GET {path}: {head:?}");
        let content_type = head.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("text/html"),
            "GET {path}: content-type {content_type:?}"
        );
        assert_eq!(
            head.header("content-length"),
            Some(body.len().to_string().as_str()),
            "GET {path}"
        );
        let page = String::from_utf8(body).expect("page is UTF-8");
        assert!(page.contains("<input"), "GET {path}: no <input in the page");
        assert!(
            page.contains("WebSocket"),
            "GET {path}: no WebSocket in the page"
        );
    }
    let (head, body) = http_get(port, "/nope");
    assert_eq!(head.status, 404, "{head:?}");
    assert!(body.is_empty());
    // A plain GET on the WebSocket path is refused with an HTTP error, not hung.
    let (head, _) = http_get(port, "/ws");
    assert!((400..500).contains(&head.status), "plain GET /ws: {head:?}");
}

#[test]
fn messages_are_broadcast_to_everyone_with_notices() {
    let (_server, port) = start();
    let (mut a, id_a) = join(port);
    let (mut b, id_b) = join(port);
    assert_ne!(id_a, id_b);
    // A hears B join.
    recv_text(&mut a, &format!("* user {id_b} joined"));

    send_text(&mut a, "hello from A");
    recv_text(&mut b, "hello from A");
    recv_text(&mut a, "hello from A");
    send_text(&mut b, "hi A, it's B ✓");
    recv_text(&mut a, "hi A, it's B ✓");
    recv_text(&mut b, "hi A, it's B ✓");

    // A message of exactly 1 MiB is within the cap and reaches both.
    let big = "y".repeat(MIB);
    send_text(&mut a, &big);
    for ws in [&mut b, &mut a] {
        match recv_until(
            ws,
            "the 1 MiB message",
            |m| matches!(m, Message::Text(t) if t.len() > 1000),
        ) {
            Message::Text(t) => assert!(
                t.as_str() == big,
                "1 MiB message altered ({} bytes)",
                t.len()
            ),
            _ => unreachable!(),
        }
    }

    // B leaves cleanly; A hears it.
    b.close(None).expect("close");
    recv_until(&mut b, "close reply", |m| matches!(m, Message::Close(_)));
    recv_text(&mut a, &format!("* user {id_b} left"));
}

#[test]
fn oversized_message_gets_1009_and_others_stay() {
    let (_server, port) = start();
    let (mut a, id_a) = join(port);
    let (mut b, id_b) = join(port);
    recv_text(&mut a, &format!("* user {id_b} joined"));

    if let Err(e) = a.send(Message::text("x".repeat(MIB + 1))) {
        eprintln!("sending the oversized message ended with {e} (the server closed first)");
    }
    assert_eq!(recv_close_code(&mut a), 1009);

    // B is still in the room, hears A leave, never sees the big message.
    let left = format!("* user {id_a} left");
    let mut big_seen = false;
    recv_until(&mut b, &left, |m| {
        big_seen |= matches!(m, Message::Text(t) if t.len() > 1000);
        matches!(m, Message::Text(t) if t.as_str() == left)
    });
    assert!(!big_seen, "the refused message was broadcast");
    send_text(&mut b, "still here");
    recv_text(&mut b, "still here");

    // And newcomers still get in.
    let (mut c, id_c) = join(port);
    recv_text(&mut b, &format!("* user {id_c} joined"));
    send_text(&mut c, "late");
    recv_text(&mut b, "late");
}

#[test]
fn binary_is_refused_with_1003() {
    let (_server, port) = start();
    let (mut a, id_a) = join(port);
    let (mut b, id_b) = join(port);
    recv_text(&mut a, &format!("* user {id_b} joined"));
    a.send(Message::Binary(Bytes::from_static(b"\x00\x01")))
        .expect("send");
    assert_eq!(recv_close_code(&mut a), 1003);
    recv_text(&mut b, &format!("* user {id_a} left"));
}

#[test]
fn ping_is_answered_in_the_room() {
    let (_server, port) = start();
    let (mut a, _) = join(port);
    a.send(Message::Ping(Bytes::from_static(b"chat ping")))
        .expect("send");
    let pong = recv_until(&mut a, "pong", |m| matches!(m, Message::Pong(_)));
    assert_eq!(
        pong,
        Message::Pong(Bytes::from_static(b"chat ping")),
        "{}",
        short(&pong)
    );
    send_text(&mut a, "after ping");
    assert_eq!(recv(&mut a, "own message"), Message::text("after ping"));
}

#[test]
fn request_head_in_pieces_is_still_routed() {
    use std::io::{Read, Write};
    let (_server, port) = start();
    let mut stream = crate::harness::tcp(port);
    for piece in [
        "GET / HT",
        "TP/1.1\r\nHost: 127.0.0.1\r\n",
        "Connection: close\r",
        "\n\r\n",
    ] {
        stream.write_all(piece.as_bytes()).expect("write piece");
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.starts_with("HTTP/1.1 200"),
        "{}",
        &text[..text.len().min(200)]
    );
    assert!(text.contains("WebSocket"));
}

#[test]
fn frame_sent_with_the_upgrade_request_is_kept() {
    use std::io::Write;
    let (_server, port) = start();
    let (mut listener, _) = join(port);
    // Head and first frame in one write, before any answer.
    let mut stream = crate::harness::tcp(port);
    let key = crate::harness::SAMPLE_KEY;
    let mut bytes = format!(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .into_bytes();
    bytes.extend(crate::harness::raw_frame(0x81, b"eager", true));
    stream.write_all(&bytes).expect("write");
    recv_text(&mut listener, "eager");
    drop(stream);
}

/// A client that never answers the server's Close is disconnected after
/// the close timeout (5 s), not kept forever.
#[test]
fn a_client_that_ignores_our_close_is_dropped() {
    let (_server, port) = start();
    let (mut ws, _) = crate::harness::raw_upgrade(port, "/ws", &[]);
    let stream = ws.get_mut();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(9)))
        .expect("read timeout");
    // Binary is refused: the server sends Close 1003 and waits for ours.
    stream
        .write_all(&crate::harness::raw_frame(0x82, b"\x01\x02", true))
        .expect("write binary frame");
    let sent = std::time::Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break, // EOF: the server hung up
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("still connected after {:?}: {e}", sent.elapsed()),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
        assert!(
            sent.elapsed() < std::time::Duration::from_secs(9),
            "still connected"
        );
    }
    let waited = sent.elapsed();
    // The Close 1003 arrived (after the join notice text frames).
    let close = seen
        .windows(4)
        .position(|w| w[0] == 0x88 && w[2..4] == 1003u16.to_be_bytes())
        .map(|_| ());
    assert_eq!(close, Some(()), "no Close 1003 in {seen:02x?}");
    assert!(
        waited >= std::time::Duration::from_secs(4),
        "hung up after {waited:?}, before the close timeout"
    );
}

/// A client that connects and never sends its request head is hung up on
/// at the 10 s head deadline, and does not hold up anyone meanwhile.
#[test]
fn a_client_that_sends_no_request_head_is_dropped_at_the_deadline() {
    let (_server, port) = start();
    let mut silent = crate::harness::tcp(port);
    let opened = std::time::Instant::now();
    let (mut a, _) = join(port);
    send_text(&mut a, "not held up");
    recv_text(&mut a, "not held up");
    let mut buf = [0u8; 64];
    let n = silent.read(&mut buf).unwrap_or(0);
    let after = opened.elapsed();
    assert_eq!(n, 0, "the server answered a client that sent nothing");
    assert!(
        (std::time::Duration::from_secs(9)..crate::harness::WAIT).contains(&after),
        "hung up after {after:?}, not at the 10 s deadline"
    );
}
