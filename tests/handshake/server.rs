//! The server side of the opening handshake (RFC 6455 §4.2): real browser
//! requests accepted, every malformed request refused with the right
//! HTTP status, caps enforced on partial input, pipelined bytes kept.

use crate::fixtures;

use fixtures::{CHROME, CHROMIUM_CAPTURED, FIREFOX, FIREFOX_CAPTURED, MINIMAL, head, minimal_with};
use wsframe::Status;
use wsframe::handshake::{
    self, EncodeError, HeadError, Limits, Request, RequestError, accept_key, parse_head,
    parse_request, reject,
};

fn parse(bytes: &[u8]) -> Result<Status<Request<'_, 32>>, RequestError> {
    parse_request::<32>(bytes, &Limits::DEFAULT)
}

fn complete(bytes: &[u8]) -> Request<'_, 32> {
    match parse(bytes) {
        Ok(Status::Complete(request)) => request,
        other => panic!("expected a complete request, got {other:?}"),
    }
}

fn response_text(request: &Request<'_, 32>, protocol: Option<&str>) -> String {
    let mut out = [0u8; 512];
    let n = request.accept(protocol, &[], &mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

// §4.2.1: what browsers actually send.

#[test]
fn chrome_request_is_accepted() {
    let request = complete(CHROME);
    assert_eq!(request.path(), "/chat");
    assert_eq!(request.host(), b"localhost:8080");
    assert_eq!(request.origin(), Some(&b"http://localhost:8080"[..]));
    assert_eq!(request.key(), "Vu7bHm2ueYZ3FbAczuHhRA==");
    assert_eq!(request.protocols().count(), 0);
    assert_eq!(
        request.extensions().collect::<Vec<_>>(),
        ["permessage-deflate; client_max_window_bits"]
    );
    assert_eq!(request.head_len(), CHROME.len());
    assert_eq!(
        request
            .header("user-agent")
            .map(|v| v.starts_with(b"Mozilla/5.0")),
        Some(true)
    );
    assert_eq!(request.headers().len(), 12);

    let text = response_text(&request, None);
    let accept = String::from_utf8(accept_key(b"Vu7bHm2ueYZ3FbAczuHhRA==").to_vec()).unwrap();
    assert_eq!(
        text,
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\n\r\n"
        )
    );
    assert!(
        !text.contains("Extensions"),
        "no extension is ever accepted"
    );
}

#[test]
fn firefox_request_is_accepted() {
    let request = complete(FIREFOX);
    assert_eq!(request.path(), "/chat?room=lobby");
    assert_eq!(request.key(), "x3JJHMbDL1EzLkh9GBhXDw==");
    assert_eq!(
        request.protocols().collect::<Vec<_>>(),
        ["chat", "superchat"]
    );
    assert_eq!(
        request.extensions().collect::<Vec<_>>(),
        ["permessage-deflate"]
    );
    assert_eq!(
        request.select_protocol(&["superchat", "chat"]),
        Some("superchat")
    );

    let text = response_text(&request, Some("superchat"));
    // The Wikipedia example key and its accept value.
    assert!(
        text.contains("\r\nSec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=\r\n"),
        "{text}"
    );
    assert!(
        text.ends_with("\r\nSec-WebSocket-Protocol: superchat\r\n\r\n"),
        "{text}"
    );
}

/// A request captured from a real browser: accepted with the right accept
/// key and subprotocol, and `Partial` when cut anywhere before its end.
/// `accept` is base64(SHA-1(key + GUID)) computed outside this crate
/// (Python `hashlib`).
fn check_captured(bytes: &[u8], headers: usize, extension: &str, accept: &str) {
    let request = complete(bytes);
    assert_eq!(request.path(), "/chat");
    assert_eq!(request.host(), b"127.0.0.1:9123");
    assert_eq!(request.origin(), Some(&b"http://127.0.0.1:9124"[..]));
    assert_eq!(request.head_len(), bytes.len());
    assert_eq!(request.headers().len(), headers);
    assert_eq!(
        request.protocols().collect::<Vec<_>>(),
        ["chat", "superchat"]
    );
    assert_eq!(request.extensions().collect::<Vec<_>>(), [extension]);
    assert_eq!(request.select_protocol(&["chat"]), Some("chat"));
    let text = response_text(&request, Some("chat"));
    assert!(
        text.contains(&format!("\r\nSec-WebSocket-Accept: {accept}\r\n")),
        "{text}"
    );
    assert!(
        text.ends_with("\r\nSec-WebSocket-Protocol: chat\r\n\r\n"),
        "{text}"
    );
    for cut in 0..bytes.len() {
        assert!(
            matches!(parse(&bytes[..cut]), Ok(Status::Partial { .. })),
            "cut at {cut}"
        );
    }
}

#[test]
fn captured_chromium_request_is_accepted() {
    check_captured(
        CHROMIUM_CAPTURED,
        13,
        "permessage-deflate; client_max_window_bits",
        "6PEBRWmFwHB9THOBmH9yleUPa8s=",
    );
}

#[test]
fn captured_firefox_request_is_accepted() {
    check_captured(
        FIREFOX_CAPTURED,
        17,
        "permessage-deflate",
        "LxhLO1hf0F/6UxDDUUAJsMyNgLY=",
    );
}

#[test]
fn accept_refuses_a_protocol_not_offered() {
    let mut out = [0u8; 512];
    assert_eq!(
        complete(CHROME).accept(Some("chat"), &[], &mut out),
        Err(EncodeError::ProtocolNotOffered)
    );
    assert_eq!(
        complete(FIREFOX).accept(Some("Chat"), &[], &mut out),
        Err(EncodeError::ProtocolNotOffered)
    );
}

#[test]
fn accept_with_extra_headers() {
    let request = complete(FIREFOX);
    let mut out = [0u8; 512];
    let n = request
        .accept(
            None,
            &[
                ("Set-Cookie", "session=abc; HttpOnly"),
                ("Server", "wsframe"),
            ],
            &mut out,
        )
        .unwrap();
    assert!(
        out[..n].ends_with(b"\r\nSet-Cookie: session=abc; HttpOnly\r\nServer: wsframe\r\n\r\n")
    );
    for bad in [
        ("Set-Cookie", "a\r\nX-Evil: 1"),
        ("Set-Cookie", "a\nb"),
        ("Set-Cookie", "a\rb"),
    ] {
        assert_eq!(
            request.accept(None, &[bad], &mut out),
            Err(EncodeError::InvalidHeaderValue),
            "{bad:?}"
        );
    }
    assert_eq!(
        request.accept(None, &[("X\r\nY", "1")], &mut out),
        Err(EncodeError::InvalidHeaderName)
    );
    assert_eq!(
        request.accept(None, &[("upgrade", "h2c")], &mut out),
        Err(EncodeError::ReservedHeader)
    );
}

#[test]
fn accept_reports_the_exact_size_needed() {
    let request = complete(FIREFOX);
    let mut out = [0u8; 512];
    let full = request.accept(Some("chat"), &[], &mut out).unwrap();
    for len in [0, 1, 50, full - 1] {
        assert_eq!(
            request.accept(Some("chat"), &[], &mut out[..len]),
            Err(EncodeError::BufferTooSmall { needed: full })
        );
    }
    assert_eq!(
        request.accept(Some("chat"), &[], &mut out[..full]),
        Ok(full)
    );
}

// §4.2.1 items 1–6: each fault and its status.

#[track_caller]
fn refused(bytes: &[u8], error: RequestError, status: u16) {
    assert_eq!(
        parse(bytes),
        Err(error),
        "{}",
        String::from_utf8_lossy(bytes)
    );
    assert_eq!(error.status(), status);
    let mut out = [0u8; 256];
    let n = error.encode_response(&mut out).unwrap();
    assert!(out[..n].starts_with(format!("HTTP/1.1 {status} ").as_bytes()));
    assert!(out[..n].ends_with(b"\r\n\r\n"));
}

#[test]
fn method_must_be_get() {
    refused(
        &minimal_with("GET", Some("POST /ws HTTP/1.1")),
        RequestError::MethodNotGet,
        405,
    );
    refused(
        &minimal_with("GET", Some("get /ws HTTP/1.1")),
        RequestError::MethodNotGet,
        405,
    );
    let mut out = [0u8; 256];
    let n = RequestError::MethodNotGet
        .encode_response(&mut out)
        .unwrap();
    assert!(String::from_utf8_lossy(&out[..n]).contains("\r\nAllow: GET\r\n"));
}

#[test]
fn http_version_must_be_at_least_1_1() {
    refused(
        &minimal_with("GET", Some("GET /ws HTTP/1.0")),
        RequestError::UnsupportedHttpVersion,
        400,
    );
    refused(
        &minimal_with("GET", Some("GET /ws HTTP/0.9")),
        RequestError::UnsupportedHttpVersion,
        400,
    );
    assert!(
        complete(&minimal_with("GET", Some("GET /ws HTTP/1.2")))
            .version()
            .minor
            == 2
    );
}

#[test]
fn host_is_required_once() {
    refused(&minimal_with("Host", None), RequestError::MissingHost, 400);
    let mut lines = MINIMAL.to_vec();
    lines.push("host: other.example");
    refused(&head(&lines), RequestError::DuplicateHost, 400);
}

#[test]
fn upgrade_must_list_websocket() {
    refused(
        &minimal_with("Upgrade", Some("Upgrade: h2c")),
        RequestError::UpgradeNotWebSocket,
        400,
    );
    refused(
        &minimal_with("Upgrade", Some("Upgrade: websockets")),
        RequestError::UpgradeNotWebSocket,
        400,
    );
    complete(&minimal_with("Upgrade", Some("Upgrade: WebSocket")));
    complete(&minimal_with("Upgrade", Some("upgrade:   WEBSOCKET  ")));
    complete(&minimal_with("Upgrade", Some("Upgrade: foo/2, websocket")));
}

#[test]
fn no_upgrade_is_plain_http() {
    let bytes = minimal_with("Upgrade", None);
    refused(&bytes, RequestError::NotWebSocket, 426);
    let mut out = [0u8; 256];
    let n = RequestError::NotWebSocket
        .encode_response(&mut out)
        .unwrap();
    let text = String::from_utf8_lossy(&out[..n]);
    assert!(text.contains("\r\nUpgrade: websocket\r\n"), "{text}");
    // Plain HTTP of any method lands on NotWebSocket first, for routing.
    let post = head(&["POST /submit HTTP/1.0", "Content-Length: 3"]);
    refused(&post, RequestError::NotWebSocket, 426);
}

#[test]
fn connection_must_list_upgrade() {
    refused(
        &minimal_with("Connection", None),
        RequestError::MissingConnectionUpgrade,
        400,
    );
    refused(
        &minimal_with("Connection", Some("Connection: keep-alive")),
        RequestError::MissingConnectionUpgrade,
        400,
    );
    refused(
        &minimal_with("Connection", Some("Connection: upgrades")),
        RequestError::MissingConnectionUpgrade,
        400,
    );
    complete(&minimal_with(
        "Connection",
        Some("Connection: keep-alive, Upgrade"),
    ));
    complete(&minimal_with("Connection", Some("connection: UPGRADE")));
    let mut lines = MINIMAL.to_vec();
    lines[3] = "Connection: keep-alive";
    lines.push("Connection: upgrade");
    complete(&head(&lines));
}

#[test]
fn websocket_version_must_be_13() {
    for line in [
        None,
        Some("Sec-WebSocket-Version: 8"),
        Some("Sec-WebSocket-Version: 13, 8"),
        Some("Sec-WebSocket-Version:"),
    ] {
        refused(
            &minimal_with("Sec-WebSocket-Version", line),
            RequestError::UnsupportedWebSocketVersion,
            426,
        );
    }
    let mut out = [0u8; 256];
    let n = RequestError::UnsupportedWebSocketVersion
        .encode_response(&mut out)
        .unwrap();
    assert!(String::from_utf8_lossy(&out[..n]).contains("\r\nSec-WebSocket-Version: 13\r\n"));
}

#[test]
fn key_must_be_16_bytes_of_base64() {
    refused(
        &minimal_with("Sec-WebSocket-Key", None),
        RequestError::MissingKey,
        400,
    );
    for key in [
        "Sec-WebSocket-Key: ",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j", // 15 bytes
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQxx", // 18 bytes
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZ!==", // not base64
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==x", // trailing junk
    ] {
        refused(
            &minimal_with("Sec-WebSocket-Key", Some(key)),
            RequestError::InvalidKey,
            400,
        );
    }
    let mut lines = MINIMAL.to_vec();
    lines.push("Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==");
    refused(&head(&lines), RequestError::InvalidKey, 400);
}

#[test]
fn malformed_syntax() {
    refused(
        b"GET /ws HTTP/1.1 extra\r\n",
        RequestError::InvalidRequestLine,
        400,
    );
    refused(b"GET /ws\r\n", RequestError::InvalidRequestLine, 400);
    refused(
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        RequestError::InvalidRequestLine,
        400,
    );
    refused(
        b"GET /ws HTTP/1.1\r\nHost example.com\r\n",
        RequestError::InvalidHeader,
        400,
    );
    refused(
        b"GET /ws HTTP/1.1\r\nHost: a\r\n  folded\r\n",
        RequestError::InvalidHeader,
        400,
    );
    refused(
        b"GET /ws HTTP/1.1\r\nHost: a\nUpgrade: websocket\r\n",
        RequestError::InvalidHeader,
        400,
    );
}

// Caps (RFC 6585 §5: 431).

#[test]
fn head_too_large_even_while_incomplete() {
    let limits = Limits {
        max_head_len: 256,
        ..Limits::DEFAULT
    };
    let mut bytes = b"GET /ws HTTP/1.1\r\nX-Padding: ".to_vec();
    bytes.resize(255, b'a');
    assert_eq!(
        parse_request::<32>(&bytes, &limits),
        Ok(Status::Partial { needed: 1 })
    );
    bytes.push(b'a');
    assert_eq!(
        parse_request::<32>(&bytes, &limits),
        Err(RequestError::HeadTooLarge)
    );
    // A megabyte arriving without an end still stops at the cap.
    bytes.resize(1 << 20, b'a');
    assert_eq!(
        parse_request::<32>(&bytes, &limits),
        Err(RequestError::HeadTooLarge)
    );
    assert_eq!(RequestError::HeadTooLarge.status(), 431);
    // The default cap is 8 KiB.
    let mut big = b"GET /ws HTTP/1.1\r\nX-Padding: ".to_vec();
    big.resize(8192, b'a');
    assert_eq!(parse(&big), Err(RequestError::HeadTooLarge));
    big.truncate(8191);
    assert_eq!(parse(&big), Ok(Status::Partial { needed: 1 }));
}

#[test]
fn a_head_exactly_at_the_cap_is_accepted() {
    let limits = Limits {
        max_head_len: CHROME.len(),
        ..Limits::DEFAULT
    };
    assert!(parse_request::<32>(CHROME, &limits).unwrap().is_complete());
    let limits = Limits {
        max_head_len: CHROME.len() - 1,
        ..Limits::DEFAULT
    };
    assert_eq!(
        parse_request::<32>(CHROME, &limits),
        Err(RequestError::HeadTooLarge)
    );
}

#[test]
fn too_many_headers() {
    // Storage for 11 headers; Chrome sends 12.
    assert_eq!(
        parse_request::<11>(CHROME, &Limits::DEFAULT),
        Err(RequestError::TooManyHeaders)
    );
    assert!(
        parse_request::<12>(CHROME, &Limits::DEFAULT)
            .unwrap()
            .is_complete()
    );
    let limits = Limits {
        max_headers: 11,
        ..Limits::DEFAULT
    };
    assert_eq!(
        parse_request::<32>(CHROME, &limits),
        Err(RequestError::TooManyHeaders)
    );
    assert_eq!(RequestError::TooManyHeaders.status(), 431);
    // Found before the head ends.
    let partial = &CHROME[..CHROME.len() - 4];
    assert_eq!(
        parse_request::<5>(partial, &Limits::DEFAULT),
        Err(RequestError::TooManyHeaders)
    );
}

// Bytes after the head.

#[test]
fn pipelined_frame_is_not_consumed() {
    let mut bytes = FIREFOX.to_vec();
    let frame = [
        0x81,
        0x85,
        1,
        2,
        3,
        4,
        b'h' ^ 1,
        b'e' ^ 2,
        b'l' ^ 3,
        b'l' ^ 4,
        b'o' ^ 1,
    ];
    bytes.extend_from_slice(&frame);
    let request = complete(&bytes);
    assert_eq!(request.head_len(), FIREFOX.len());
    assert_eq!(&bytes[request.head_len()..], &frame);
}

#[test]
fn byte_at_a_time_is_partial_until_the_end() {
    for fixture in [CHROME, FIREFOX] {
        for end in 0..fixture.len() {
            assert!(
                matches!(parse(&fixture[..end]), Ok(Status::Partial { .. })),
                "{end}"
            );
        }
        assert_eq!(parse(fixture), Ok(Status::Complete(complete(fixture))));
    }
}

// Plain HTTP beside WebSocket.

#[test]
fn parse_head_routes_plain_http() {
    let bytes = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n";
    assert_eq!(parse(bytes), Err(RequestError::NotWebSocket));
    let Ok(Status::Complete(head)) = parse_head::<8>(bytes, &Limits::DEFAULT) else {
        panic!()
    };
    assert_eq!(head.method, "GET");
    assert_eq!(head.path, "/index.html");
    assert_eq!(head.header("accept"), Some(&b"text/html"[..]));
    assert_eq!(head.head_len, bytes.len());

    // And the same function routes the upgrade.
    let Ok(Status::Complete(head)) = parse_head::<32>(CHROME, &Limits::DEFAULT) else {
        panic!()
    };
    assert_eq!(head.path, "/chat");
    assert_eq!(
        parse_head::<32>(b"GET /x HTTP/1.1\r\nA b\r\n", &Limits::DEFAULT),
        Err(HeadError::InvalidHeader)
    );

    let mut out = [0u8; 128];
    let n = handshake::encode_response(
        200,
        &[("Content-Type", "text/html"), ("Content-Length", "0")],
        &mut out,
    )
    .unwrap();
    assert_eq!(
        &out[..n],
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn rejections_for_the_application() {
    let mut out = [0u8; 256];
    for (status, reason) in [
        (400, "Bad Request"),
        (401, "Unauthorized"),
        (403, "Forbidden"),
        (404, "Not Found"),
        (405, "Method Not Allowed"),
        (426, "Upgrade Required"),
        (431, "Request Header Fields Too Large"),
        (500, "Internal Server Error"),
        (503, "Service Unavailable"),
    ] {
        let n = reject(status, &[], &mut out).unwrap();
        let text = String::from_utf8_lossy(&out[..n]);
        assert!(
            text.starts_with(&format!("HTTP/1.1 {status} {reason}\r\n")),
            "{text}"
        );
        assert!(text.contains("\r\nContent-Length: 0\r\n"), "{text}");
        assert!(
            text.contains("Connection: ") && text.contains("close\r\n"),
            "{text}"
        );
    }
    let n = reject(401, &[("WWW-Authenticate", "Bearer")], &mut out).unwrap();
    assert!(out[..n].ends_with(b"\r\nWWW-Authenticate: Bearer\r\n\r\n"));
    assert_eq!(
        reject(401, &[("WWW-Authenticate", "x\r\ny")], &mut out),
        Err(EncodeError::InvalidHeaderValue)
    );
    assert_eq!(
        reject(403, &[], &mut out[..3]),
        Err(EncodeError::BufferTooSmall { needed: 64 })
    );
}
