//! The client side of the opening handshake (RFC 6455 §3, §4.1): URLs,
//! request encoding (and its refusal of header injection), and the checks
//! on the server's response as it arrives.

use crate::fixtures;

use fixtures::head;
use wsframe::Status;
use wsframe::handshake::{
    ClientRequest, EncodeError, Limits, Response, ResponseError, Url, UrlError, accept_key,
    check_response, check_response_with,
};

const KEY: [u8; 16] = *b"the sample nonce";
/// base64 of [`KEY`] and its accept value (RFC 6455 §1.3).
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

fn request(protocols: &'static [&'static str]) -> ClientRequest<'static> {
    ClientRequest::new(&Url::parse("ws://server.example.com/chat").unwrap(), KEY)
        .with_protocols(protocols)
}

fn encode(request: &ClientRequest<'_>) -> String {
    let mut out = [0u8; 1024];
    let n = request.encode(&mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

fn response_with(extra: &[&str]) -> Vec<u8> {
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let mut lines = vec![
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        &accept,
    ];
    lines.extend_from_slice(extra);
    head(&lines)
}

#[test]
fn accept_key_rfc_example() {
    assert_eq!(&accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), ACCEPT.as_bytes());
    assert_eq!(&request(&[]).encoded_key(), b"dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(&request(&[]).expected_accept(), ACCEPT.as_bytes());
}

// §3: URLs.

#[test]
fn urls() {
    let url = Url::parse("wss://chat.example.com/socket?token=abc").unwrap();
    assert_eq!(
        (url.host, url.port, url.path, url.secure),
        ("chat.example.com", 443, "/socket?token=abc", true)
    );
    let url = Url::parse("ws://[::1]:9001/x").unwrap();
    assert_eq!(
        (url.host, url.port, url.path, url.secure),
        ("::1", 9001, "/x", false)
    );
    assert_eq!(Url::parse("ws://h").unwrap().path, "/");
    assert_eq!(
        Url::parse("https://h/").unwrap_err(),
        UrlError::UnsupportedScheme
    );
    assert_eq!(Url::parse("ws:///x").unwrap_err(), UrlError::EmptyHost);
    assert_eq!(
        Url::parse("ws://h:99999/").unwrap_err(),
        UrlError::InvalidPort
    );
    assert_eq!(Url::parse("ws://h/#frag").unwrap_err(), UrlError::Fragment);
    assert_eq!(
        UrlError::Fragment.to_string(),
        "URL has a #fragment, which WebSocket URIs may not have"
    );
}

// §4.1: the request.

#[test]
fn request_head_in_order() {
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", "Bearer t0k3n"),
    ];
    let request = request(&["chat", "superchat"])
        .with_origin("http://example.com")
        .with_headers(&headers);
    assert_eq!(
        encode(&request),
        "GET /chat HTTP/1.1\r\n\
         Host: server.example.com\r\n\
         Upgrade: websocket\r\n\
         Connection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\
         Origin: http://example.com\r\n\
         Sec-WebSocket-Protocol: chat, superchat\r\n\
         Content-Type: application/json\r\n\
         Authorization: Bearer t0k3n\r\n\
         \r\n"
    );
}

#[test]
fn host_header_port_and_brackets() {
    let host_line = |url: &str| {
        let text = encode(&ClientRequest::new(&Url::parse(url).unwrap(), KEY));
        text.lines().nth(1).unwrap().to_owned()
    };
    assert_eq!(host_line("ws://example.com:80/"), "Host: example.com");
    assert_eq!(
        host_line("ws://example.com:8080/"),
        "Host: example.com:8080"
    );
    assert_eq!(host_line("wss://example.com:443/"), "Host: example.com");
    assert_eq!(
        host_line("wss://example.com:8443/"),
        "Host: example.com:8443"
    );
    assert_eq!(host_line("ws://[::1]:9001/x"), "Host: [::1]:9001");
    assert_eq!(host_line("wss://[fe80::1]/"), "Host: [fe80::1]");
}

#[test]
fn header_injection_is_refused() {
    let mut out = [0u8; 1024];
    let r = request(&[]);
    for value in ["v\r\nX-Evil: 1", "v\nX-Evil: 1", "v\rX", "\0", "v\x1b"] {
        let headers = [("X-Custom", value)];
        assert_eq!(
            r.with_headers(&headers).encode(&mut out),
            Err(EncodeError::InvalidHeaderValue),
            "{value:?}"
        );
    }
    for name in ["X-Evil\r\nHost", "X Y", "X:", "", "X\n"] {
        let headers = [(name, "1")];
        assert_eq!(
            r.with_headers(&headers).encode(&mut out),
            Err(EncodeError::InvalidHeaderName),
            "{name:?}"
        );
    }
    assert_eq!(
        r.with_origin("http://a\r\nX: y").encode(&mut out),
        Err(EncodeError::InvalidHeaderValue)
    );
    assert_eq!(
        request(&["chat\r\nX: y"]).encode(&mut out),
        Err(EncodeError::InvalidProtocol)
    );
    assert_eq!(
        request(&["a,b"]).encode(&mut out),
        Err(EncodeError::InvalidProtocol)
    );
    assert_eq!(
        ClientRequest {
            path: "/x\r\nX: y",
            ..r
        }
        .encode(&mut out),
        Err(EncodeError::InvalidPath)
    );
    assert_eq!(
        ClientRequest {
            host: "h\r\nX: y",
            ..r
        }
        .encode(&mut out),
        Err(EncodeError::InvalidHost)
    );
    for reserved in [
        "Host",
        "upgrade",
        "CONNECTION",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Extensions",
        "Origin",
    ] {
        let headers = [(reserved, "x")];
        assert_eq!(
            r.with_headers(&headers).encode(&mut out),
            Err(EncodeError::ReservedHeader),
            "{reserved}"
        );
    }
}

#[test]
fn buffer_too_small_reports_the_exact_size() {
    let headers = [("Authorization", "Bearer abc")];
    let r = request(&["chat"])
        .with_origin("https://example.com")
        .with_headers(&headers);
    let full = encode(&r).len();
    let mut out = vec![0u8; full];
    for len in 0..full {
        assert_eq!(
            r.encode(&mut out[..len]),
            Err(EncodeError::BufferTooSmall { needed: full }),
            "{len}"
        );
    }
    assert_eq!(r.encode(&mut out), Ok(full));
}

// §4.1: the response checks.

#[test]
fn rfc_example_response_is_accepted() {
    let bytes = response_with(&["Sec-WebSocket-Protocol: chat"]);
    assert_eq!(
        check_response(&bytes, &request(&["chat", "superchat"])),
        Ok(Status::Complete(Response {
            protocol: Some("chat"),
            head_len: bytes.len(),
            #[cfg(feature = "deflate")]
            deflate: None,
        }))
    );
    let bytes = response_with(&[]);
    assert_eq!(
        check_response(&bytes, &request(&["chat"])),
        Ok(Status::Complete(Response {
            protocol: None,
            head_len: bytes.len(),
            #[cfg(feature = "deflate")]
            deflate: None,
        }))
    );
}

#[test]
fn header_names_and_tokens_any_case() {
    let bytes = head(&[
        "HTTP/1.1 101 Web Socket Protocol Handshake",
        "upgrade: WebSocket",
        "CONNECTION: keep-alive, UPGRADE",
        &format!("sec-websocket-accept: {ACCEPT}"),
        "Server: test",
    ]);
    assert!(check_response(&bytes, &request(&[])).unwrap().is_complete());
}

#[test]
fn refusal_status_is_visible() {
    let r = request(&[]);
    for status in [200, 301, 400, 401, 403, 404, 426, 500, 503] {
        let bytes = head(&[&format!("HTTP/1.1 {status} Whatever"), "Content-Length: 0"]);
        assert_eq!(
            check_response(&bytes, &r),
            Err(ResponseError::Status(status))
        );
        // Known as soon as the status line is in.
        let line_len = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        assert_eq!(
            check_response(&bytes[..line_len], &r),
            Err(ResponseError::Status(status))
        );
    }
    assert_eq!(
        ResponseError::Status(401).to_string(),
        "server answered 401 instead of 101 Switching Protocols"
    );
}

#[test]
fn every_bad_response_is_refused() {
    let r = request(&["chat"]);
    let check = |lines: &[&str]| check_response(&head(lines), &r);
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let ok = [
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        &accept,
    ];
    let without = |i: usize| {
        ok.iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, l)| *l)
            .collect::<Vec<_>>()
    };
    let replacing = |i: usize, line: &'static str| {
        let mut v = ok.to_vec();
        v[i] = line;
        v
    };

    assert_eq!(check(&without(1)), Err(ResponseError::MissingUpgrade));
    assert_eq!(
        check(&replacing(1, "Upgrade: h2c")),
        Err(ResponseError::InvalidUpgrade)
    );
    assert_eq!(
        check(&replacing(1, "Upgrade: websocket, h2c")),
        Err(ResponseError::InvalidUpgrade)
    );
    assert_eq!(
        check(&without(2)),
        Err(ResponseError::MissingConnectionUpgrade)
    );
    assert_eq!(
        check(&replacing(2, "Connection: keep-alive")),
        Err(ResponseError::MissingConnectionUpgrade)
    );
    assert_eq!(check(&without(3)), Err(ResponseError::MissingAccept));
    assert_eq!(
        check(&replacing(
            3,
            "Sec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk="
        )),
        Err(ResponseError::AcceptMismatch)
    );
    assert_eq!(
        check(&replacing(3, "Sec-WebSocket-Accept: ")),
        Err(ResponseError::AcceptMismatch)
    );
    assert_eq!(
        check(&replacing(0, "HTTP/1.0 101 Switching Protocols")),
        Err(ResponseError::UnsupportedHttpVersion)
    );
    assert_eq!(
        check(&replacing(0, "HTTP/1.1 101Switching")),
        Err(ResponseError::InvalidStatusLine)
    );
    assert_eq!(
        check(&replacing(0, "ICY 200 OK")),
        Err(ResponseError::InvalidStatusLine)
    );
    assert_eq!(
        check(&replacing(1, "Upgrade websocket")),
        Err(ResponseError::InvalidHeader)
    );

    let mut lines = ok.to_vec();
    lines.push("Sec-WebSocket-Protocol: superchat");
    assert_eq!(check(&lines), Err(ResponseError::ProtocolNotOffered));
    lines.pop();
    lines.push("Sec-WebSocket-Protocol: chat, superchat");
    assert_eq!(check(&lines), Err(ResponseError::ProtocolNotOffered));
    lines.pop();
    lines.push("Sec-WebSocket-Protocol: chat");
    lines.push("Sec-WebSocket-Protocol: chat");
    assert_eq!(check(&lines), Err(ResponseError::MultipleProtocols));
    lines.truncate(4);
    lines.push("Sec-WebSocket-Extensions: permessage-deflate");
    assert_eq!(check(&lines), Err(ResponseError::ExtensionNotRequested));

    // A protocol when none was offered.
    let none = request(&[]);
    let bytes = response_with(&["Sec-WebSocket-Protocol: chat"]);
    assert_eq!(
        check_response(&bytes, &none),
        Err(ResponseError::ProtocolNotOffered)
    );
}

#[test]
fn caps_apply_to_responses() {
    let r = request(&[]);
    let mut bytes = b"HTTP/1.1 101 Switching Protocols\r\nX-Padding: ".to_vec();
    bytes.resize(8191, b'a');
    assert_eq!(
        check_response(&bytes, &r),
        Ok(Status::Partial { needed: 1 })
    );
    bytes.push(b'a');
    assert_eq!(check_response(&bytes, &r), Err(ResponseError::HeadTooLarge));

    let good = response_with(&["A: 1", "B: 2"]);
    let limits = Limits {
        max_headers: 4,
        ..Limits::DEFAULT
    };
    assert_eq!(
        check_response_with(&good, &r, &limits),
        Err(ResponseError::TooManyHeaders)
    );
    let limits = Limits {
        max_headers: 5,
        ..Limits::DEFAULT
    };
    assert!(
        check_response_with(&good, &r, &limits)
            .unwrap()
            .is_complete()
    );
    let limits = Limits {
        max_head_len: good.len() - 1,
        ..Limits::DEFAULT
    };
    assert_eq!(
        check_response_with(&good, &r, &limits),
        Err(ResponseError::HeadTooLarge)
    );
}

#[test]
fn frames_after_the_response_are_not_consumed() {
    let head = response_with(&[]);
    let mut bytes = head.clone();
    let frames = [0x81, 0x02, b'h', b'i', 0x89, 0x00];
    bytes.extend_from_slice(&frames);
    let Ok(Status::Complete(response)) = check_response(&bytes, &request(&[])) else {
        panic!()
    };
    assert_eq!(response.head_len, head.len());
    assert_eq!(&bytes[response.head_len..], &frames);
}

#[test]
fn every_prefix_is_partial() {
    let r = request(&["chat"]);
    let bytes = response_with(&[
        "Sec-WebSocket-Protocol: chat",
        "Date: Thu, 01 Jan 2026 00:00:00 GMT",
    ]);
    for end in 0..bytes.len() {
        assert!(
            matches!(
                check_response(&bytes[..end], &r),
                Ok(Status::Partial { .. })
            ),
            "{end}"
        );
    }
    assert!(check_response(&bytes, &r).unwrap().is_complete());
}
