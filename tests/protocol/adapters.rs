//! The embedded-io adapters over in-memory pipes, both roles: blocking over
//! a Unix socket pair, async over `tokio::io::duplex`; the handshake, messages
//! both ways (including ones larger than the tx buffer), ping, close; and
//! cancellation of the async `read` in the middle of frames.

use std::os::unix::net::UnixStream;
use std::time::Duration;

use embedded_io_adapters::std::FromStd;
use embedded_io_adapters::tokio_1::FromTokio;
use wsframe::handshake::{ClientRequest, Limits, Url};
use wsframe::io::{Answer, Error, HandshakeError, asynch, blocking};
use wsframe::{CloseCode, Config, Connection, Event, State};

fn masks() -> impl FnMut() -> [u8; 4] {
    let mut n = 0xC0FF_EE11u32;
    move || {
        n = n.rotate_left(7).wrapping_mul(0x9E37_79B9);
        n.to_le_bytes()
    }
}

#[test]
fn blocking_client_and_server_over_a_socket_pair() {
    let (a, b) = UnixStream::pair().unwrap();
    let server = std::thread::spawn(move || {
        let conn = Connection::server(vec![0u8; 8192], Config::new()).unwrap();
        let mut ws = blocking::WebSocket::new(FromStd::new(b), conn, vec![0u8; 512]).unwrap();
        ws.accept::<16>(&Limits::DEFAULT, |req| {
            assert_eq!(req.path(), "/echo");
            Answer::Accept(req.protocols().any(|p| p == "echo.v1").then_some("echo.v1"))
        })
        .unwrap();
        let mut seen = Vec::new();
        loop {
            let reply: Option<(bool, Vec<u8>)> = match ws.read() {
                Ok(Event::Text(t)) => Some((true, t.as_bytes().to_vec())),
                Ok(Event::Binary(b)) => Some((false, b.to_vec())),
                Ok(Event::Ping(p)) => {
                    seen.push(format!("ping {}", p.len()));
                    None
                }
                Ok(Event::Close(c)) => {
                    seen.push(format!("close {:?}", c.map(|c| c.code.as_u16())));
                    None
                }
                Ok(_) => None,
                Err(Error::Closed) => break,
                Err(e) => panic!("server: {e}"),
            };
            if let Some((text, data)) = reply {
                if text {
                    ws.send_text(std::str::from_utf8(&data).unwrap()).unwrap();
                } else {
                    ws.send_binary(&data).unwrap();
                }
            }
        }
        assert_eq!(ws.connection().state(), State::Closed);
        seen
    });

    let url = Url::parse("ws://localhost/echo").unwrap();
    let request = ClientRequest::new(&url, [3; 16]).with_protocols(&["other", "echo.v1"]);
    let conn = Connection::client(vec![0u8; 8192], Config::new(), masks()).unwrap();
    // A 300-byte tx buffer: the 5000-byte messages go out as fragments.
    let mut ws = blocking::WebSocket::new(FromStd::new(a), conn, vec![0u8; 300]).unwrap();
    assert_eq!(ws.connect(&request).unwrap(), Some("echo.v1"));
    let big: String = "wsframe ".repeat(625);
    ws.send_text(&big).unwrap();
    assert_eq!(ws.read().unwrap(), Event::Text(&big));
    ws.send_binary(&[9u8; 5000]).unwrap();
    assert_eq!(ws.read().unwrap(), Event::Binary(&[9u8; 5000]));
    ws.send_ping(b"hi").unwrap();
    assert_eq!(ws.read().unwrap(), Event::Pong(b"hi"));
    ws.close(CloseCode::NORMAL, "bye").unwrap();
    match ws.read().unwrap() {
        Event::Close(Some(c)) => assert_eq!(c.code, CloseCode::NORMAL),
        other => panic!("{other:?}"),
    }
    assert!(matches!(ws.read(), Err(Error::Closed)));
    drop(ws);
    assert_eq!(
        server.join().unwrap(),
        vec!["ping 2".to_owned(), "close Some(1000)".to_owned()]
    );
}

#[test]
fn blocking_server_refuses_a_bad_request_with_its_status() {
    let (mut a, b) = UnixStream::pair().unwrap();
    use std::io::{Read, Write};
    a.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").unwrap();
    let conn = Connection::server(vec![0u8; 4096], Config::new()).unwrap();
    let mut ws = blocking::WebSocket::new(FromStd::new(b), conn, vec![0u8; 512]).unwrap();
    let err = ws
        .accept::<16>(&Limits::DEFAULT, |_| Answer::Accept(None))
        .unwrap_err();
    assert!(
        matches!(err, Error::Handshake(HandshakeError::Request(_))),
        "{err:?}"
    );
    drop(ws);
    let mut reply = String::new();
    a.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 426"), "{reply}");
    assert!(reply.contains("Sec-WebSocket-Version: 13"), "{reply}");
}

#[test]
fn blocking_eof_mid_frame_is_unexpected_eof_and_protocol_errors_are_distinct() {
    use std::io::Write;
    let (mut a, b) = UnixStream::pair().unwrap();
    let mut conn = Connection::server(vec![0u8; 4096], Config::new()).unwrap();
    conn.finish_handshake(wsframe::handshake::Finished::elsewhere());
    let mut ws = blocking::WebSocket::new(FromStd::new(b), conn, vec![0u8; 512]).unwrap();
    a.write_all(&[0x81, 0x85, 1, 2, 3]).unwrap(); // header cut short
    drop(a);
    assert!(matches!(ws.read(), Err(Error::UnexpectedEof)));

    let (mut a, b) = UnixStream::pair().unwrap();
    let mut conn = Connection::server(vec![0u8; 4096], Config::new()).unwrap();
    conn.finish_handshake(wsframe::handshake::Finished::elsewhere());
    let mut ws = blocking::WebSocket::new(FromStd::new(b), conn, vec![0u8; 512]).unwrap();
    a.write_all(&[0x81, 0x01, b'x']).unwrap(); // unmasked from a client
    assert!(matches!(
        ws.read(),
        Err(Error::Protocol(wsframe::ProtocolError::UnmaskedClientFrame))
    ));
    // The Close 1002 went out before the error was returned.
    use std::io::Read;
    let mut close = [0u8; 4];
    a.read_exact(&mut close).unwrap();
    assert_eq!(close[0], 0x88);
    assert_eq!(u16::from_be_bytes([close[2], close[3]]), 1002);
}

#[tokio::test]
async fn async_client_and_server_over_duplex() {
    let (a, b) = tokio::io::duplex(256);
    let server = tokio::spawn(async move {
        let conn = Connection::server(vec![0u8; 8192], Config::new()).unwrap();
        let mut ws = asynch::WebSocket::new(FromTokio::new(b), conn, vec![0u8; 512]).unwrap();
        ws.accept::<16>(&Limits::DEFAULT, |_| Answer::Accept(None))
            .await
            .unwrap();
        let mut n = 0;
        loop {
            let echo = match ws.read().await {
                Ok(Event::Text(t)) => t.to_owned(),
                Ok(_) => continue,
                Err(Error::Closed) => break,
                Err(e) => panic!("server: {e}"),
            };
            n += 1;
            ws.send_text(&echo).await.unwrap();
        }
        n
    });
    let url = Url::parse("ws://localhost/").unwrap();
    let request = ClientRequest::new(&url, [5; 16]);
    let conn = Connection::client(vec![0u8; 8192], Config::new(), masks()).unwrap();
    let mut ws = asynch::WebSocket::new(FromTokio::new(a), conn, vec![0u8; 256]).unwrap();
    assert_eq!(ws.connect(&request).await.unwrap(), None);
    for i in 0..50 {
        let msg = format!("{i}:{}", "é".repeat(i * 20));
        ws.send_text(&msg).await.unwrap();
        assert_eq!(ws.read().await.unwrap(), Event::Text(&msg));
    }
    ws.close(CloseCode::GOING_AWAY, "").await.unwrap();
    assert!(matches!(ws.read().await.unwrap(), Event::Close(Some(_))));
    assert_eq!(server.await.unwrap(), 50);
}

/// A peer that trickles frames a few bytes at a time, while the reader keeps
/// abandoning `read` on a short timeout: nothing may be lost or duplicated.
#[tokio::test]
async fn async_read_is_cancel_safe() {
    let (mut a, b) = tokio::io::duplex(64);
    let mut frames = Vec::new();
    let mut expected = Vec::new();
    for i in 0..20u8 {
        let payload: Vec<u8> = (0..(i as usize * 6)).map(|j| (j as u8) ^ i).collect();
        frames.extend_from_slice(&[0x82, 0x80 | payload.len() as u8, i, 1, 2, 3]);
        let key = [i, 1, 2, 3];
        frames.extend(payload.iter().enumerate().map(|(j, b)| b ^ key[j % 4]));
        expected.push(payload);
        if i % 5 == 0 {
            frames.extend_from_slice(&[0x89, 0x81, 0, 0, 0, 0, b'p']); // a ping between messages
        }
    }
    let writer = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        for piece in frames.chunks(3) {
            a.write_all(piece).await.unwrap();
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // Read back what the server sent (pongs), then hang up.
        let mut back = Vec::new();
        use tokio::io::AsyncReadExt;
        let _ = tokio::time::timeout(Duration::from_millis(300), a.read_to_end(&mut back)).await;
        back
    });
    let mut conn = Connection::server(vec![0u8; 4096], Config::new()).unwrap();
    conn.finish_handshake(wsframe::handshake::Finished::elsewhere());
    let mut ws = asynch::WebSocket::new(FromTokio::new(b), conn, vec![0u8; 512]).unwrap();
    let mut got = Vec::new();
    let mut pings = 0;
    let mut cancelled = 0;
    while got.len() < expected.len() {
        match tokio::time::timeout(Duration::from_micros(700), ws.read()).await {
            Err(_) => cancelled += 1,
            Ok(Ok(Event::Binary(b))) => got.push(b.to_vec()),
            Ok(Ok(Event::Ping(_))) => pings += 1,
            Ok(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(got, expected);
    assert_eq!(pings, 4);
    assert!(
        cancelled > 10,
        "the test must actually cancel reads ({cancelled})"
    );
    ws.flush().await.unwrap();
    drop(ws);
    let back = writer.await.unwrap();
    let pongs = back.chunks(3).filter(|f| f == &[0x8a, 0x01, b'p']).count();
    assert_eq!(pongs, 4, "{back:x?}");
}
