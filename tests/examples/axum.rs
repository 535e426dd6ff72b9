//! `axum_chat`: `chat_server`'s page and room behind axum (`/`, `/ws`), an
//! echo route (`/echo`), the upgrade through hyper with wsframe's
//! handshake checks, and the deadlines.

use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{Data, OpCode};
use tungstenite::{Bytes, Message};

use crate::harness::{
    self, MIB, Proc, Ws, free_port, http_get, pattern, raw_frame, recv, recv_close_code, recv_text,
    recv_until, tcp, ws_connect,
};

fn start() -> (Proc, u16) {
    let port = free_port();
    (Proc::server("axum_chat", port), port)
}

/// Join the room; the client and its user number (from its own join notice).
fn join(port: u16) -> (Ws, u64) {
    let mut ws = ws_connect(port, "/ws");
    let first = recv_until(&mut ws, "own join notice", |m| {
        notice(m, "joined").is_some()
    });
    (ws, notice(&first, "joined").expect("join notice"))
}

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

fn send(ws: &mut Ws, message: Message) {
    ws.send(message).expect("send");
}

fn frame(opcode: Data, payload: &[u8], fin: bool) -> Message {
    Message::Frame(Frame::message(
        Bytes::copy_from_slice(payload),
        OpCode::Data(opcode),
        fin,
    ))
}

/// Send `request` (a whole head) on a fresh connection; the response head
/// (status line and headers, lower-cased names).
fn raw_request(port: u16, request: &str) -> String {
    let mut stream = tcp(port);
    stream.write_all(request.as_bytes()).expect("write request");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
}

#[test]
fn page_and_routes() {
    let (_server, port) = start();
    for path in ["/", "/index.html", "/?from=test"] {
        let (head, body) = http_get(port, path);
        assert_eq!(head.status, 200, "GET {path}: {head:?}");
        assert!(
            head.header("content-type")
                .unwrap_or_default()
                .starts_with("text/html"),
            "GET {path}: {head:?}"
        );
        assert_eq!(
            head.header("content-length"),
            Some(body.len().to_string().as_str())
        );
        let page = String::from_utf8(body).expect("page is UTF-8");
        // The very page chat_server serves.
        assert_eq!(page, include_str!("../../examples/chat.html"), "GET {path}");
    }
    let (head, body) = http_get(port, "/nope");
    assert_eq!(head.status, 404, "{head:?}");
    assert!(body.is_empty());
    for path in ["/ws", "/echo"] {
        let (head, _) = http_get(port, path);
        assert_eq!(head.status, 426, "plain GET {path}: {head:?}");
        assert_eq!(head.header("sec-websocket-version"), Some("13"));
    }
}

/// The `Sec-WebSocket-*` rules are wsframe's (`handshake::parse_request`
/// over the head hyper parsed): each fault gets the status it calls for.
#[test]
fn faulty_handshakes_are_refused_with_the_right_status() {
    let (_server, port) = start();
    let key = harness::SAMPLE_KEY;
    let base = |method: &str, version: &str, key: &str| {
        format!(
            "{method} /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n\r\n"
        )
    };
    let cases = [
        (
            "version 8",
            base("GET", "8", key),
            "426",
            "sec-websocket-version: 13",
        ),
        ("a key of 4 bytes", base("GET", "13", "AAAAAA=="), "400", ""),
        ("POST", base("POST", "13", key), "405", "allow: GET"),
        (
            "no Connection: Upgrade",
            format!(
                "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ),
            "400",
            "",
        ),
    ];
    for (what, request, status, header) in cases {
        let head = raw_request(port, &request);
        assert!(
            head.starts_with(&format!("HTTP/1.1 {status}")),
            "{what}: {head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains(&header.to_ascii_lowercase()),
            "{what}: no {header:?} in {head}"
        );
    }
    // And a good one is answered with the RFC 6455 §1.3 accept key
    // (checked by raw_upgrade), on both routes.
    for path in ["/echo", "/ws"] {
        let (ws, head) = harness::raw_upgrade(port, path, &[]);
        assert_eq!(head.header("sec-websocket-extensions"), None);
        harness::hang_up(ws);
    }
}

#[test]
fn the_room_broadcasts_with_notices_and_caps_at_1_mib() {
    let (_server, port) = start();
    let (mut a, id_a) = join(port);
    let (mut b, id_b) = join(port);
    recv_text(&mut a, &format!("* user {id_b} joined"));
    send(&mut a, Message::text("hello from A ✓"));
    recv_text(&mut b, "hello from A ✓");
    recv_text(&mut a, "hello from A ✓");

    let big = "y".repeat(MIB);
    send(&mut b, Message::text(big.clone()));
    for ws in [&mut a, &mut b] {
        match recv_until(
            ws,
            "the 1 MiB message",
            |m| matches!(m, Message::Text(t) if t.len() > 1000),
        ) {
            Message::Text(t) => assert!(t.as_str() == big, "1 MiB message altered"),
            _ => unreachable!(),
        }
    }

    // Over the cap: 1009 for A, B stays and hears A leave.
    if let Err(e) = a.send(Message::text("x".repeat(MIB + 1))) {
        eprintln!("sending the oversized message ended with {e}");
    }
    assert_eq!(recv_close_code(&mut a), 1009);
    recv_text(&mut b, &format!("* user {id_a} left"));
    send(&mut b, Message::text("still here"));
    recv_text(&mut b, "still here");

    // Binary is refused with 1003; pings are answered.
    send(&mut b, Message::Ping(Bytes::from_static(b"room ping")));
    let pong = recv_until(&mut b, "pong", |m| matches!(m, Message::Pong(_)));
    assert_eq!(pong, Message::Pong(Bytes::from_static(b"room ping")));
    send(&mut b, Message::Binary(Bytes::from_static(b"\x00")));
    assert_eq!(recv_close_code(&mut b), 1003);
}

#[test]
fn echo_returns_every_message_with_its_kind() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/echo");
    let sent = [
        Message::text("hello"),
        Message::binary(vec![0u8, 1, 2, 0xff]),
        Message::text("ünïcødé ✓ 🦀"),
        Message::text(""),
        Message::binary(Vec::new()),
        Message::binary(pattern(MIB)),
    ];
    for m in &sent {
        send(&mut ws, m.clone());
    }
    for m in &sent {
        assert!(recv(&mut ws, "an echo") == *m, "echo differs");
    }

    // Fragmented, a character split across fragments, a ping between them.
    send(&mut ws, frame(Data::Text, b"caf\xc3", false));
    send(&mut ws, frame(Data::Continue, b"\xa9 ", false));
    send(&mut ws, Message::Ping(Bytes::from_static(b"between")));
    send(&mut ws, frame(Data::Continue, b"au lait", true));
    assert_eq!(
        recv(&mut ws, "pong"),
        Message::Pong(Bytes::from_static(b"between"))
    );
    assert_eq!(recv(&mut ws, "reassembled"), Message::text("café au lait"));
    let data = pattern(70_000);
    send(&mut ws, frame(Data::Binary, &data[..40_000], false));
    send(&mut ws, frame(Data::Continue, b"", false));
    send(&mut ws, frame(Data::Continue, &data[40_000..], true));
    assert_eq!(recv(&mut ws, "reassembled binary"), Message::binary(data));

    // Over the cap: 1009.
    if let Err(e) = ws.send(Message::binary(vec![7u8; MIB + 1])) {
        eprintln!("sending the oversized message ended with {e}");
    }
    assert_eq!(recv_close_code(&mut ws), 1009);
}

#[test]
fn echo_fails_protocol_violations_with_their_close_codes() {
    let (_server, port) = start();
    for (what, bytes, expected) in [
        ("unmasked frame", raw_frame(0x81, b"hi", false), 1002),
        ("invalid UTF-8", raw_frame(0x81, b"ok \xff", true), 1007),
        ("continuation first", raw_frame(0x80, b"x", true), 1002),
    ] {
        let (mut ws, _) = harness::raw_upgrade(port, "/echo", &[]);
        ws.get_mut().write_all(&bytes).expect("write raw frame");
        assert_eq!(recv_close_code(&mut ws), expected, "{what}");
    }
}

/// Frames written with the upgrade request, before the 101: hyper reads
/// them with the head, and they reach the connection (`read_buf` given to
/// `Connection::handle_bytes`).
#[test]
fn frames_sent_with_the_upgrade_request_are_kept() {
    let (_server, port) = start();
    let mut stream = tcp(port);
    let key = harness::SAMPLE_KEY;
    let mut bytes = format!(
        "GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .into_bytes();
    bytes.extend(raw_frame(0x81, b"eager", true));
    bytes.extend(raw_frame(0x82, b"\x01\x02", true));
    stream.write_all(&bytes).expect("write");
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    let want: &[u8] = b"\x81\x05eager\x82\x02\x01\x02";
    while !seen.ends_with(want) {
        let n = stream.read(&mut buf).expect("read");
        assert!(n > 0, "EOF; saw {:?}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(seen.starts_with(b"HTTP/1.1 101 "));
}

/// A client that never answers our Close is disconnected at the close
/// timeout (5 s).
#[test]
fn a_client_that_ignores_our_close_is_dropped() {
    let (_server, port) = start();
    let (mut ws, _) = harness::raw_upgrade(port, "/ws", &[]);
    let stream = ws.get_mut();
    stream
        .set_read_timeout(Some(Duration::from_secs(9)))
        .expect("read timeout");
    stream
        .write_all(&raw_frame(0x82, b"\x01", true))
        .expect("write binary frame");
    let sent = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("still connected after {:?}: {e}", sent.elapsed()),
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let waited = sent.elapsed();
    assert!(
        seen.windows(4)
            .any(|w| w[0] == 0x88 && w[2..4] == 1003u16.to_be_bytes()),
        "no Close 1003 in {seen:02x?}"
    );
    assert!(
        (Duration::from_secs(4)..Duration::from_secs(9)).contains(&waited),
        "hung up after {waited:?}, not at the 5 s close timeout"
    );
}

/// A client that sends no request head is hung up on at hyper's 10 s
/// header deadline, and holds up no one meanwhile.
#[test]
fn a_client_that_sends_no_request_head_is_dropped_at_the_deadline() {
    let (_server, port) = start();
    let mut silent = tcp(port);
    let opened = Instant::now();
    let (mut a, _) = join(port);
    send(&mut a, Message::text("not held up"));
    recv_text(&mut a, "not held up");
    let mut rest = Vec::new();
    let _ = silent.read_to_end(&mut rest);
    let after = opened.elapsed();
    assert!(
        rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"),
        "answered {:?}",
        String::from_utf8_lossy(&rest)
    );
    assert!(
        (Duration::from_secs(9)..harness::WAIT).contains(&after),
        "hung up after {after:?}, not at the 10 s deadline"
    );
}

#[test]
fn unknown_flags_are_refused_with_the_usage() {
    let out = std::process::Command::new(harness::example("axum_chat"))
        .arg("--tls-cert")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run axum_chat");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown option"), "{err}");
    assert!(err.contains("usage: axum_chat "), "{err}");
}
