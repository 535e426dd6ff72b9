//! permessage-deflate negotiation in the opening handshake (RFC 7692 §5,
//! §7.1): the server's choice among real clients' offers (browsers, Python
//! `websockets`, Node `ws`, Autobahn 13.x), malformed and unhonourable
//! offers declined, the 101's extension line (`server`); the client's offer
//! and its check of every faulty answer (`client`); offers and answers
//! assembled from the grammar's pieces (`properties`); and client and server
//! agreeing on the same parameters through both `Finished` tokens (here).

mod client;
mod properties;
mod server;

use crate::fixtures::{MINIMAL, head};
use wsframe::Status;
use wsframe::deflate::{Capability, Offer, Params};
use wsframe::handshake::{
    Acceptance, ClientRequest, Finished, Limits, Request, ResponseError, Url, check_response,
    parse_request,
};

/// A minimal valid request with these `Sec-WebSocket-Extensions` lines.
pub fn offering(lines: &[&str]) -> Vec<u8> {
    let lines: Vec<String> = lines
        .iter()
        .map(|l| format!("Sec-WebSocket-Extensions: {l}"))
        .collect();
    let mut all: Vec<&str> = MINIMAL.to_vec();
    all.extend(lines.iter().map(String::as_str));
    head(&all)
}

pub fn parse(bytes: &[u8]) -> Request<'_, 32> {
    match parse_request::<32>(bytes, &Limits::DEFAULT) {
        Ok(Status::Complete(request)) => request,
        other => panic!("expected a complete request, got {other:?}"),
    }
}

/// What `capability` agrees on these offer lines.
pub fn select(capability: &Capability, lines: &[&str]) -> Option<Params> {
    parse(&offering(lines)).select_deflate(capability)
}

/// The `Sec-WebSocket-Extensions` lines of a head.
pub fn extension_lines(head: &[u8]) -> Vec<String> {
    String::from_utf8(head.to_vec())
        .unwrap()
        .split("\r\n")
        .filter_map(|l| l.strip_prefix("Sec-WebSocket-Extensions: "))
        .map(str::to_owned)
        .collect()
}

/// The server's 101 for `request` with `capability`'s choice, and that choice.
pub fn answer(request: &Request<'_, 32>, capability: &Capability) -> (Vec<u8>, Option<Params>) {
    let agreed = request.select_deflate(capability);
    let mut out = [0u8; 1024];
    let n = request
        .accept_with(&Acceptance::new().with_deflate(agreed), &mut out)
        .unwrap();
    (out[..n].to_vec(), agreed)
}

/// The extension line a server with `capability` answers `lines` with.
pub fn answered(capability: &Capability, lines: &[&str]) -> Vec<String> {
    let bytes = offering(lines);
    extension_lines(&answer(&parse(&bytes), capability).0)
}

pub const FULL: Capability = Capability::DEFAULT;

/// A server that inflates with 1 KiB windows: it must bound the client's.
pub const SMALL: Capability = Capability {
    inflate_window_bits: 10,
    compress_window_bits: 11,
    server_no_context_takeover: false,
    client_no_context_takeover: false,
};

pub fn params(smwb: u8, cmwb: u8, snct: bool, cnct: bool) -> Params {
    Params {
        server_no_context_takeover: snct,
        client_no_context_takeover: cnct,
        server_max_window_bits: smwb,
        client_max_window_bits: cmwb,
    }
}

pub const KEY: [u8; 16] = *b"the sample nonce";
pub const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

pub fn client(offer: Offer) -> ClientRequest<'static> {
    ClientRequest::new(&Url::parse("ws://server.example.com/chat").unwrap(), KEY)
        .with_deflate(offer)
}

/// A valid 101 for [`KEY`] with these extension lines.
pub fn response(lines: &[&str]) -> Vec<u8> {
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let mut all = vec![
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        &accept,
    ];
    let lines: Vec<String> = lines
        .iter()
        .map(|l| format!("Sec-WebSocket-Extensions: {l}"))
        .collect();
    all.extend(lines.iter().map(String::as_str));
    head(&all)
}

/// The client's verdict on an answer to `offer`.
pub fn check(offer: Offer, lines: &[&str]) -> Result<Option<Params>, ResponseError> {
    let bytes = response(lines);
    match check_response(&bytes, &client(offer)) {
        Ok(Status::Complete(r)) => Ok(r.deflate),
        Ok(Status::Partial { .. }) => panic!("complete response read as partial"),
        Err(e) => Err(e),
    }
}

// Both sides: offer, choice, answer, check, and the same parameters in
// both tokens.

/// One whole handshake in memory; the server's and the client's tokens.
fn round_trip(offer: Offer, capability: &Capability) -> (Finished, Finished) {
    let request = client(offer);
    let mut wire = [0u8; 1024];
    let n = request.encode(&mut wire).unwrap();
    let parsed = parse(&wire[..n]);
    let answer = Acceptance::new().with_deflate(parsed.select_deflate(capability));
    let mut reply = [0u8; 1024];
    let m = parsed.accept_with(&answer, &mut reply).unwrap();
    let server = parsed.finished_with(&answer);
    let client = match check_response(&reply[..m], &request) {
        Ok(Status::Complete(response)) => response.finished(),
        other => panic!("{offer:?} {capability:?}: {other:?}"),
    };
    assert_eq!(server.head_len(), n);
    assert_eq!(client.head_len(), m);
    (server, client)
}

#[test]
fn round_trip_agrees_on_the_same_parameters() {
    let (server, client) = round_trip(Offer::DEFAULT, &FULL);
    assert_eq!(server.deflate(), Some(Params::DEFAULT));
    assert_eq!(client.deflate(), Some(Params::DEFAULT));

    let (server, client) = round_trip(
        Offer {
            inflate_window_bits: 9,
            ..Offer::DEFAULT
        },
        &SMALL,
    );
    assert_eq!(server.deflate(), Some(params(9, 10, false, false)));
    assert_eq!(client.deflate(), server.deflate());
}

#[test]
fn round_trip_over_every_combination() {
    let mut accepted = 0;
    let mut declined = 0;
    for inflate in [8, 9, 12, 15] {
        for cmwb in [None, Some(8), Some(11), Some(15)] {
            for (snct, cnct) in [(false, false), (true, false), (false, true), (true, true)] {
                let offer = Offer {
                    inflate_window_bits: inflate,
                    client_max_window_bits: cmwb,
                    server_no_context_takeover: snct,
                    client_no_context_takeover: cnct,
                };
                for cap_inflate in [8, 10, 15] {
                    for cap_compress in [8, 13, 15] {
                        for (cap_snct, cap_cnct) in [(false, false), (true, true)] {
                            let capability = Capability {
                                inflate_window_bits: cap_inflate,
                                compress_window_bits: cap_compress,
                                server_no_context_takeover: cap_snct,
                                client_no_context_takeover: cap_cnct,
                            };
                            let (server, client) = round_trip(offer, &capability);
                            assert_eq!(
                                server.deflate(),
                                client.deflate(),
                                "{offer:?} {capability:?}"
                            );
                            let Some(p) = server.deflate() else {
                                // Declined only when the client's window cannot be bounded.
                                assert!(
                                    cap_inflate < 15 && cmwb.is_none(),
                                    "{offer:?} {capability:?}"
                                );
                                declined += 1;
                                continue;
                            };
                            accepted += 1;
                            // What each side can afford holds.
                            assert!(p.server_max_window_bits <= inflate);
                            assert!(p.server_max_window_bits <= cap_compress);
                            assert!(p.client_max_window_bits <= cap_inflate);
                            assert!(p.client_max_window_bits <= cmwb.unwrap_or(15));
                            assert!(p.is_valid());
                            assert!(p.server_no_context_takeover >= snct | cap_snct);
                            assert!(p.client_no_context_takeover >= cnct | cap_cnct);
                            // And no smaller than needed.
                            assert_eq!(p.server_max_window_bits, inflate.min(cap_compress));
                            assert_eq!(
                                p.client_max_window_bits,
                                cap_inflate.min(cmwb.unwrap_or(15))
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(accepted > 0 && declined > 0);
}

#[test]
fn finished_tokens() {
    assert_eq!(Finished::elsewhere().deflate(), None);
    assert_eq!(Finished::elsewhere().head_len(), 0);
    let p = params(10, 12, true, false);
    let upgraded = Finished::elsewhere().with_deflate(Some(p));
    assert_eq!(upgraded.deflate(), Some(p));
    assert_eq!(upgraded.head_len(), 0);
    assert_eq!(upgraded.with_deflate(None), Finished::elsewhere());
    // A framework's raw header values, through the same choice.
    let agreed = FULL.select_from([&b"permessage-deflate; client_max_window_bits"[..]]);
    assert_eq!(
        Finished::elsewhere().with_deflate(agreed).deflate(),
        Some(Params::DEFAULT)
    );
}
