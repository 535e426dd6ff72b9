//! `echo_server`: every text or binary message comes back with its type.

use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::{Bytes, Message};

use crate::harness::{
    self, MIB, Proc, Ws, free_port, pattern, raw_frame, recv, recv_close_code, recv_until, tcp,
    ws_connect,
};

fn start() -> (Proc, u16) {
    let port = free_port();
    (Proc::server("echo_server", port), port)
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

#[test]
fn text_and_binary_come_back_with_their_type() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    let sent = [
        Message::text("hello"),
        Message::binary(vec![0u8, 1, 2, 0xff, 0x80]),
        Message::text("ünïcødé ✓ 🦀"),
        Message::text(""),
        Message::binary(Vec::new()),
        // Binary that is not UTF-8 must stay binary; text that looks like bytes stays text.
        Message::binary(b"plain ascii as binary".to_vec()),
    ];
    // Pipelined: all out, then all back, in order.
    for m in &sent {
        send(&mut ws, m.clone());
    }
    for m in &sent {
        let got = recv(&mut ws, "an echo");
        assert_eq!(got, *m);
    }
    ws.close(None).expect("close");
}

#[test]
fn one_mib_binary_is_echoed_intact() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    let data = pattern(MIB);
    send(&mut ws, Message::binary(data.clone()));
    match recv(&mut ws, "the 1 MiB echo") {
        Message::Binary(got) => {
            assert_eq!(got.len(), data.len());
            assert!(got[..] == data[..], "1 MiB echo differs");
        }
        other => panic!("expected binary, got {}", harness::short(&other)),
    }
    // The connection is still usable afterwards.
    send(&mut ws, Message::text("after"));
    assert_eq!(recv(&mut ws, "echo after 1 MiB"), Message::text("after"));
}

#[test]
fn one_mib_plus_one_is_refused_with_1009() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    // The server may hang up while this is still being written; what
    // matters is the Close it sent first.
    if let Err(e) = ws.send(Message::binary(vec![7u8; MIB + 1])) {
        eprintln!("send of the oversized message ended with {e} (the server closed first)");
    }
    assert_eq!(recv_close_code(&mut ws), 1009);
}

#[test]
fn message_over_limit_in_small_fragments_is_refused_with_1009() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    // 17 fragments of 64 KiB: every frame is small, the message is not.
    let piece = vec![b'a'; 64 * 1024];
    let mut result = Ok(());
    for i in 0..17 {
        let kind = if i == 0 { Data::Binary } else { Data::Continue };
        result = result.and_then(|()| ws.send(frame(kind, &piece, i == 16)));
    }
    if let Err(e) = result {
        eprintln!("sending the fragments ended with {e} (the server closed first)");
    }
    assert_eq!(recv_close_code(&mut ws), 1009);
}

#[test]
fn fragmented_messages_are_reassembled() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    // Text in three fragments, a multi-byte character split across two of
    // them, and a ping between fragments (answered at once).
    send(&mut ws, frame(Data::Text, b"caf\xc3", false));
    send(&mut ws, frame(Data::Continue, b"\xa9 ", false));
    send(&mut ws, Message::Ping(Bytes::from_static(b"between")));
    send(&mut ws, frame(Data::Continue, b"au lait", true));
    assert_eq!(
        recv(&mut ws, "pong between fragments"),
        Message::Pong(Bytes::from_static(b"between"))
    );
    assert_eq!(
        recv(&mut ws, "reassembled text"),
        Message::text("café au lait")
    );

    // Binary in two fragments, with an empty middle one.
    let data = pattern(70_000);
    send(&mut ws, frame(Data::Binary, &data[..40_000], false));
    send(&mut ws, frame(Data::Continue, b"", false));
    send(&mut ws, frame(Data::Continue, &data[40_000..], true));
    assert_eq!(recv(&mut ws, "reassembled binary"), Message::binary(data));
}

#[test]
fn ping_gets_pong_with_same_payload() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    for payload in [&b"are you there?"[..], b"", &[0xffu8; 125][..]] {
        send(&mut ws, Message::Ping(Bytes::copy_from_slice(payload)));
        assert_eq!(
            recv(&mut ws, "pong"),
            Message::Pong(Bytes::copy_from_slice(payload))
        );
    }
}

#[test]
fn close_code_is_echoed_and_connection_ends() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    send(&mut ws, Message::text("before close"));
    ws.close(Some(CloseFrame {
        code: CloseCode::from(4001),
        reason: "done here".into(),
    }))
    .expect("close");
    // The echo of the message sent before the close still arrives first.
    assert_eq!(
        recv(&mut ws, "echo before close"),
        Message::text("before close")
    );
    assert_eq!(recv_close_code(&mut ws), 4001);
    // The closing handshake is complete: the next read reports it.
    match ws.read() {
        Err(tungstenite::Error::ConnectionClosed) => {}
        other => panic!("expected ConnectionClosed, got {other:?}"),
    }
    // And the server ends the TCP connection.
    let mut stream = ws.into_inner();
    let mut rest = Vec::new();
    let read = std::io::Read::read_to_end(&mut stream, &mut rest);
    assert!(
        read.is_ok() && rest.is_empty(),
        "after the close: {read:?}, {} bytes",
        rest.len()
    );
}

#[test]
fn close_without_code_gets_a_close_back() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    ws.close(None).expect("close");
    let reply = recv_until(&mut ws, "Close reply", |m| matches!(m, Message::Close(_)));
    // An empty close is answered with an empty one or a plain 1000 (RFC 6455 §5.5.1).
    let ok = match &reply {
        Message::Close(None) => true,
        Message::Close(Some(frame)) => frame.code == CloseCode::Normal,
        _ => false,
    };
    assert!(ok, "{}", harness::short(&reply));
}

#[test]
fn offered_subprotocol_is_not_chosen_and_handshake_succeeds() {
    let (_server, port) = start();
    // tungstenite itself refuses a 101 without a subprotocol when it
    // offered some, so this handshake is written by hand.
    let (mut ws, head) =
        harness::raw_upgrade(port, "/", &["Sec-WebSocket-Protocol: chat, superchat"]);
    assert_eq!(head.header("sec-websocket-protocol"), None, "{head:?}");
    send(&mut ws, Message::text("no subprotocol"));
    assert_eq!(recv(&mut ws, "echo"), Message::text("no subprotocol"));
}

#[test]
fn permessage_deflate_is_accepted_by_default() {
    let (_server, port) = start();
    let (_ws, head) = harness::raw_upgrade(
        port,
        "/",
        &["Sec-WebSocket-Extensions: x-unknown, permessage-deflate; client_max_window_bits"],
    );
    // A 32 KiB window: the client's bare offer answered as is.
    assert_eq!(
        head.header("sec-websocket-extensions"),
        Some("permessage-deflate"),
        "{head:?}"
    );
}

#[test]
fn permessage_deflate_is_declined_with_no_deflate_and_messages_flow() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Proc::server_with_args("echo_server", port, &[&addr, "--no-deflate"]);
    let mut request = format!("ws://127.0.0.1:{port}/")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Extensions",
        HeaderValue::from_static("permessage-deflate; client_max_window_bits"),
    );
    let (mut ws, response) = tungstenite::client(request, tcp(port)).expect("handshake");
    assert_eq!(response.status(), 101);
    assert!(
        response.headers().get("sec-websocket-extensions").is_none(),
        "server accepted an extension: {:?}",
        response.headers()
    );
    // Uncompressed messages (RSV1 clear) flow both ways.
    let text = "compressible ".repeat(100);
    send(&mut ws, Message::text(text.clone()));
    assert_eq!(recv(&mut ws, "echo"), Message::text(text));
    send(&mut ws, Message::binary(vec![0u8; 1000]));
    assert_eq!(recv(&mut ws, "echo"), Message::binary(vec![0u8; 1000]));
}

#[test]
fn many_clients_at_once() {
    let (_server, port) = start();
    let mut clients: Vec<Ws> = (0..8).map(|_| ws_connect(port, "/")).collect();
    for (i, ws) in clients.iter_mut().enumerate() {
        send(ws, Message::text(format!("client {i}")));
    }
    for (i, ws) in clients.iter_mut().enumerate().rev() {
        assert_eq!(recv(ws, "own echo"), Message::text(format!("client {i}")));
    }
}

#[test]
fn protocol_violations_get_the_right_close_code() {
    let (_server, port) = start();
    let close = |code: u16, reason: &[u8]| [&code.to_be_bytes()[..], reason].concat();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("unmasked frame", raw_frame(0x81, b"hi", false), 1002),
        ("reserved opcode", raw_frame(0x83, b"", true), 1002),
        (
            "RSV1 without an extension",
            raw_frame(0xc1, b"hi", true),
            1002,
        ),
        (
            "invalid UTF-8 text",
            raw_frame(0x81, b"ok \xff", true),
            1007,
        ),
        (
            "UTF-8 cut at the end",
            raw_frame(0x81, b"\xe2\x82", true),
            1007,
        ),
        ("continuation first", raw_frame(0x80, b"x", true), 1002),
        (
            "new message inside a fragmented one",
            [raw_frame(0x01, b"a", true), raw_frame(0x81, b"b", true)].concat(),
            1002,
        ),
        (
            "ping over 125 bytes",
            raw_frame(0x89, &[0; 126], true),
            1002,
        ),
        ("fragmented ping", raw_frame(0x09, b"p", true), 1002),
        (
            "close code 999",
            raw_frame(0x88, &close(999, b""), true),
            1002,
        ),
        (
            "close code 1005 on the wire",
            raw_frame(0x88, &close(1005, b""), true),
            1002,
        ),
        (
            "close with a one-byte body",
            raw_frame(0x88, &[3], true),
            1002,
        ),
        (
            "close reason not UTF-8",
            raw_frame(0x88, &close(1000, b"\xc0\xaf"), true),
            1007,
        ),
    ];
    for (what, bytes, expected) in cases {
        let (mut ws, _) = harness::raw_upgrade(port, "/", &[]);
        std::io::Write::write_all(ws.get_mut(), &bytes).expect("write raw frame");
        let code = recv_close_code(&mut ws);
        assert_eq!(code, expected, "{what}: got Close {code}, want {expected}");
    }
}

#[test]
fn max_message_flag_raises_the_cap() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Proc::server_with_args("echo_server", port, &[&addr, "--max-message", "2097152"]);
    let mut ws = ws_connect(port, "/");
    let data = pattern(MIB + MIB / 2);
    send(&mut ws, Message::binary(data.clone()));
    assert_eq!(recv(&mut ws, "the 1.5 MiB echo"), Message::binary(data));
    if let Err(e) = ws.send(Message::binary(vec![1u8; 2 * MIB + 1])) {
        eprintln!("send of the oversized message ended with {e} (the server closed first)");
    }
    assert_eq!(recv_close_code(&mut ws), 1009);
}

#[test]
fn protocol_flag_chooses_the_servers_first_choice_among_the_offered() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = Proc::server_with_args(
        "echo_server",
        port,
        &[
            &addr,
            "--protocol",
            "chat",
            "--protocol",
            "superchat",
            "--verbose",
        ],
    );
    // The server's order decides: "chat" although the client prefers "superchat".
    let (mut ws, head) = harness::raw_upgrade(
        port,
        "/first",
        &["Sec-WebSocket-Protocol: x-other, superchat, chat"],
    );
    assert_eq!(
        head.header("sec-websocket-protocol"),
        Some("chat"),
        "{head:?}"
    );
    let line = server.stdout_line("the handshake line", |l| l.contains("handshake /first"));
    assert!(
        line.ends_with(
            "protocols offered [x-other, superchat, chat] chosen chat extensions offered []"
        ),
        "{line}"
    );
    send(&mut ws, Message::text("with a subprotocol"));
    assert_eq!(recv(&mut ws, "echo"), Message::text("with a subprotocol"));
    // None of the supported ones offered: no subprotocol, still accepted.
    let (_ws, head) = harness::raw_upgrade(port, "/second", &["Sec-WebSocket-Protocol: x-other"]);
    assert_eq!(head.header("sec-websocket-protocol"), None, "{head:?}");
    let line = server.stdout_line("the handshake line", |l| l.contains("handshake /second"));
    assert!(line.contains("chosen none"), "{line}");
}

#[test]
fn verbose_flag_logs_the_offered_extensions_and_the_clients_close() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = Proc::server_with_args("echo_server", port, &[&addr, "--verbose"]);
    let (mut ws, _) = harness::raw_upgrade(
        port,
        "/",
        &["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"],
    );
    let line = server.stdout_line("the handshake line", |l| l.contains("handshake /"));
    assert!(
        line.contains("extensions offered [permessage-deflate; client_max_window_bits]"),
        "{line}"
    );
    // Accepted by default (RFC 7692), with a 32 KiB window.
    let line = server.stdout_line("the deflate line", |l| l.contains(" deflate "));
    assert!(line.ends_with("deflate agreed"), "{line}");
    ws.close(Some(CloseFrame {
        code: CloseCode::from(4001),
        reason: "bye ✓".into(),
    }))
    .expect("close");
    assert_eq!(recv_close_code(&mut ws), 4001);
    let line = server.stdout_line("the close line", |l| l.contains("close received"));
    assert!(
        line.ends_with("close received: code 4001 reason \"bye ✓\""),
        "{line}"
    );
}

#[test]
fn commands_flag_lets_the_client_ask_for_the_servers_close() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Proc::server_with_args("echo_server", port, &[&addr, "--commands"]);
    let mut ws = ws_connect(port, "/");
    send(&mut ws, Message::text("!close 4002 the server says bye"));
    let close = recv_until(&mut ws, "the server's Close", |m| {
        matches!(m, Message::Close(_))
    });
    let Message::Close(Some(frame)) = close else {
        panic!("a Close without a code: {close:?}");
    };
    assert_eq!(u16::from(frame.code), 4002);
    assert_eq!(frame.reason.as_str(), "the server says bye");
}

#[test]
fn without_commands_flag_a_command_is_just_echoed() {
    let (_server, port) = start();
    let mut ws = ws_connect(port, "/");
    send(&mut ws, Message::text("!close 4002 not a command here"));
    assert_eq!(
        recv(&mut ws, "echo"),
        Message::text("!close 4002 not a command here")
    );
}
