//! Interop with `tungstenite`, a peer no one here wrote, over an
//! in-memory stream: our request against its server, its request against
//! our server, and each side's response checked by the other.

// tungstenite's server callback signature fixes its large `Err` type.
#![allow(clippy::result_large_err)]

use crate::fixtures;

use fixtures::Duplex;
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::HandshakeError;
use tungstenite::handshake::server::{Request as TRequest, Response as TResponse};
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};
use wsframe::Status;
use wsframe::handshake::{
    ClientRequest, Limits, Response, Url, check_response, parse_request, reject,
};

/// A masked text frame from a client (RFC 6455 §5.7 "Hello").
const MASKED_HELLO: [u8; 11] = [
    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
];
/// An unmasked text frame from a server.
const HELLO: [u8; 7] = [0x81, 0x05, b'H', b'e', b'l', b'l', b'o'];

fn encode(request: &ClientRequest<'_>) -> Vec<u8> {
    let mut out = vec![0u8; 1024];
    let n = request.encode(&mut out).unwrap();
    out.truncate(n);
    out
}

#[test]
fn our_request_is_accepted_by_tungstenite_server() {
    let url = Url::parse("ws://localhost:9001/chat?room=1").unwrap();
    let headers = [
        ("Authorization", "Bearer abc"),
        ("Content-Type", "application/json"),
    ];
    let request = ClientRequest::new(&url, *b"0123456789abcdef")
        .with_origin("http://localhost:9001")
        .with_protocols(&["chat", "superchat"])
        .with_headers(&headers);

    // The head alone: a client waits for the 101 before sending frames
    // (RFC 6455 §4.1), and tungstenite refuses bytes after the head.
    let wire = encode(&request);

    let callback = |req: &TRequest, mut resp: TResponse| {
        assert_eq!(req.uri().path(), "/chat");
        assert_eq!(req.uri().query(), Some("room=1"));
        assert_eq!(req.headers()["host"], "localhost:9001");
        assert_eq!(req.headers()["authorization"], "Bearer abc");
        assert_eq!(req.headers()["origin"], "http://localhost:9001");
        assert_eq!(req.headers()["sec-websocket-protocol"], "chat, superchat");
        resp.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("superchat"),
        );
        Ok(resp)
    };
    let mut ws = tungstenite::accept_hdr(Duplex::with_input(&wire), callback)
        .expect("tungstenite accepts our request");

    // Frames after the handshake flow.
    ws.get_mut().input.extend_from_slice(&MASKED_HELLO);
    assert_eq!(ws.read().unwrap(), Message::text("Hello"));

    // And tungstenite's 101 passes our client checks, with frames after it.
    let mut answer = std::mem::take(&mut ws.get_mut().output);
    let head_len = answer.len();
    answer.extend_from_slice(&HELLO);
    assert_eq!(
        check_response(&answer, &request),
        Ok(Status::Complete(Response {
            protocol: Some("superchat"),
            head_len,
            #[cfg(feature = "deflate")]
            deflate: None,
        }))
    );
    for end in 0..head_len {
        assert!(matches!(
            check_response(&answer[..end], &request),
            Ok(Status::Partial { .. })
        ));
    }
}

#[test]
fn our_ipv6_request_is_accepted_by_tungstenite_server() {
    let url = Url::parse("ws://[::1]:9001/").unwrap();
    let request = ClientRequest::new(&url, [0x55; 16]);
    let mut ws = tungstenite::accept_hdr(
        Duplex::with_input(&encode(&request)),
        |req: &TRequest, resp| {
            assert_eq!(req.headers()["host"], "[::1]:9001");
            Ok(resp)
        },
    )
    .expect("tungstenite accepts our request");
    let answer = std::mem::take(&mut ws.get_mut().output);
    assert!(check_response(&answer, &request).unwrap().is_complete());
}

/// Start a tungstenite client over an empty in-memory stream: it writes its
/// request and stops, waiting for an answer.
fn tungstenite_client(
    protocols: Option<&'static str>,
) -> tungstenite::handshake::MidHandshake<tungstenite::ClientHandshake<Duplex>> {
    let mut request = "ws://localhost:8080/socket?x=1"
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Origin", HeaderValue::from_static("http://localhost:8080"));
    if let Some(protocols) = protocols {
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(protocols),
        );
    }
    match tungstenite::client::client(request, Duplex::default()) {
        Err(HandshakeError::Interrupted(mid)) => mid,
        Err(HandshakeError::Failure(e)) => panic!("tungstenite client failed: {e}"),
        Ok(_) => panic!("tungstenite client completed without an answer"),
    }
}

fn finish(
    mut mid: tungstenite::handshake::MidHandshake<tungstenite::ClientHandshake<Duplex>>,
    answer: &[u8],
) -> Result<(WebSocket<Duplex>, tungstenite::handshake::client::Response), tungstenite::Error> {
    mid.get_mut().get_mut().input.extend_from_slice(answer);
    match mid.handshake() {
        Ok(done) => Ok(done),
        Err(HandshakeError::Failure(e)) => Err(e),
        Err(HandshakeError::Interrupted(_)) => {
            panic!("tungstenite client wants more than our answer")
        }
    }
}

#[test]
fn tungstenite_request_is_accepted_here_and_our_answer_by_tungstenite() {
    let mut mid = tungstenite_client(Some("chat, superchat"));
    let wire = std::mem::take(&mut mid.get_mut().get_mut().output);

    let Ok(Status::Complete(request)) = parse_request::<32>(&wire, &Limits::DEFAULT) else {
        panic!("{:?}", parse_request::<32>(&wire, &Limits::DEFAULT));
    };
    assert_eq!(request.path(), "/socket?x=1");
    assert_eq!(request.host(), b"localhost:8080");
    assert_eq!(request.origin(), Some(&b"http://localhost:8080"[..]));
    assert_eq!(request.head_len(), wire.len());
    assert_eq!(request.select_protocol(&["superchat"]), Some("superchat"));

    let mut answer = vec![0u8; 512];
    let n = request
        .accept(Some("superchat"), &[("Server", "wsframe")], &mut answer)
        .unwrap();
    answer.truncate(n);
    answer.extend_from_slice(&HELLO);

    let (mut ws, response) = finish(mid, &answer).expect("tungstenite accepts our 101");
    assert_eq!(response.status(), 101);
    assert_eq!(response.headers()["sec-websocket-protocol"], "superchat");
    assert_eq!(response.headers()["server"], "wsframe");
    // The frame sent right after our head reaches tungstenite intact.
    assert_eq!(ws.read().unwrap(), Message::text("Hello"));
}

#[test]
fn tungstenite_request_byte_at_a_time() {
    let mut mid = tungstenite_client(None);
    let wire = std::mem::take(&mut mid.get_mut().get_mut().output);
    for end in 0..wire.len() {
        assert!(matches!(
            parse_request::<32>(&wire[..end], &Limits::DEFAULT),
            Ok(Status::Partial { .. })
        ));
    }
    let request = parse_request::<32>(&wire, &Limits::DEFAULT)
        .unwrap()
        .complete()
        .unwrap();
    let mut answer = vec![0u8; 512];
    let n = request.accept(None, &[], &mut answer).unwrap();
    finish(mid, &answer[..n]).expect("tungstenite accepts our 101");
}

#[test]
fn tungstenite_refuses_a_protocol_it_did_not_offer() {
    // Our accept would refuse to write it; forge one to check that the
    // peer agrees the rule matters.
    let mut mid = tungstenite_client(Some("chat"));
    let wire = std::mem::take(&mut mid.get_mut().get_mut().output);
    let request = parse_request::<32>(&wire, &Limits::DEFAULT)
        .unwrap()
        .complete()
        .unwrap();
    let mut answer = vec![0u8; 512];
    let n = request
        .accept(None, &[("X-Note", "none chosen")], &mut answer)
        .unwrap();
    answer.truncate(n);
    let forged = String::from_utf8(answer)
        .unwrap()
        .replace("X-Note: none chosen", "Sec-WebSocket-Protocol: other");
    assert!(finish(mid, forged.as_bytes()).is_err());
}

#[test]
fn our_rejection_is_understood_by_tungstenite() {
    let mid = tungstenite_client(None);
    let mut answer = vec![0u8; 256];
    let n = reject(403, &[], &mut answer).unwrap();
    match finish(mid, &answer[..n]) {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!("expected an HTTP error, got {:?}", other.map(|(_, r)| r)),
    }
}
