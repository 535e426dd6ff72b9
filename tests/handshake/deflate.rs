//! permessage-deflate negotiation in the opening handshake (RFC 7692 §5,
//! §7.1): the server's choice among real clients' offers (browsers, Python
//! `websockets`, Node `ws`, Autobahn 13.x), malformed and unhonourable
//! offers declined, the 101's extension line, the client's offer and its
//! check of every faulty answer, and client and server agreeing on the same
//! parameters through both `Finished` tokens.

use crate::fixtures;

use fixtures::{CHROME, CHROMIUM_CAPTURED, FIREFOX, FIREFOX_CAPTURED, MINIMAL, head};
use proptest::prelude::*;
use wsframe::Status;
use wsframe::deflate::{Capability, Offer, ParamError, Params};
use wsframe::handshake::{
    self, Acceptance, ClientRequest, EncodeError, Finished, Limits, Request, ResponseError, Url,
    check_response, parse_request,
};

// Helpers.

/// A minimal valid request with these `Sec-WebSocket-Extensions` lines.
fn offering(lines: &[&str]) -> Vec<u8> {
    let lines: Vec<String> = lines
        .iter()
        .map(|l| format!("Sec-WebSocket-Extensions: {l}"))
        .collect();
    let mut all: Vec<&str> = MINIMAL.to_vec();
    all.extend(lines.iter().map(String::as_str));
    head(&all)
}

fn parse(bytes: &[u8]) -> Request<'_, 32> {
    match parse_request::<32>(bytes, &Limits::DEFAULT) {
        Ok(Status::Complete(request)) => request,
        other => panic!("expected a complete request, got {other:?}"),
    }
}

/// What `capability` agrees on these offer lines.
fn select(capability: &Capability, lines: &[&str]) -> Option<Params> {
    parse(&offering(lines)).select_deflate(capability)
}

/// The `Sec-WebSocket-Extensions` lines of a head.
fn extension_lines(head: &[u8]) -> Vec<String> {
    String::from_utf8(head.to_vec())
        .unwrap()
        .split("\r\n")
        .filter_map(|l| l.strip_prefix("Sec-WebSocket-Extensions: "))
        .map(str::to_owned)
        .collect()
}

/// The server's 101 for `request` with `capability`'s choice, and that choice.
fn answer(request: &Request<'_, 32>, capability: &Capability) -> (Vec<u8>, Option<Params>) {
    let agreed = request.select_deflate(capability);
    let mut out = [0u8; 1024];
    let n = request
        .accept_with(&Acceptance::new().with_deflate(agreed), &mut out)
        .unwrap();
    (out[..n].to_vec(), agreed)
}

/// The extension line a server with `capability` answers `lines` with.
fn answered(capability: &Capability, lines: &[&str]) -> Vec<String> {
    let bytes = offering(lines);
    extension_lines(&answer(&parse(&bytes), capability).0)
}

const FULL: Capability = Capability::DEFAULT;

/// A server that inflates with 1 KiB windows: it must bound the client's.
const SMALL: Capability = Capability {
    inflate_window_bits: 10,
    compress_window_bits: 11,
    server_no_context_takeover: false,
    client_no_context_takeover: false,
};

fn params(smwb: u8, cmwb: u8, snct: bool, cnct: bool) -> Params {
    Params {
        server_no_context_takeover: snct,
        client_no_context_takeover: cnct,
        server_max_window_bits: smwb,
        client_max_window_bits: cmwb,
    }
}

const KEY: [u8; 16] = *b"the sample nonce";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

fn client(offer: Offer) -> ClientRequest<'static> {
    ClientRequest::new(&Url::parse("ws://server.example.com/chat").unwrap(), KEY)
        .with_deflate(offer)
}

/// A valid 101 for [`KEY`] with these extension lines.
fn response(lines: &[&str]) -> Vec<u8> {
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
fn check(offer: Offer, lines: &[&str]) -> Result<Option<Params>, ResponseError> {
    let bytes = response(lines);
    match check_response(&bytes, &client(offer)) {
        Ok(Status::Complete(r)) => Ok(r.deflate),
        Ok(Status::Partial { .. }) => panic!("complete response read as partial"),
        Err(e) => Err(e),
    }
}

// Server (RFC 7692 §5, §7): real clients' offers.

#[test]
fn firefox_bare_offer_is_accepted_by_a_32k_server() {
    for bytes in [FIREFOX, FIREFOX_CAPTURED] {
        let request = parse(bytes);
        let (head, agreed) = answer(&request, &FULL);
        assert_eq!(agreed, Some(Params::DEFAULT));
        // Firefox does not offer client_max_window_bits: it must not come back.
        assert_eq!(extension_lines(&head), ["permessage-deflate"]);
        assert_eq!(
            request
                .finished_with(&Acceptance::new().with_deflate(agreed))
                .deflate(),
            Some(Params::DEFAULT)
        );
    }
}

#[test]
fn chrome_offer_is_accepted_by_a_32k_server() {
    for bytes in [CHROME, CHROMIUM_CAPTURED] {
        let (head, agreed) = answer(&parse(bytes), &FULL);
        assert_eq!(agreed, Some(Params::DEFAULT));
        assert_eq!(extension_lines(&head), ["permessage-deflate"]);
    }
}

#[test]
fn a_small_server_bounds_chrome_and_declines_firefox() {
    let (head, agreed) = answer(&parse(CHROMIUM_CAPTURED), &SMALL);
    assert_eq!(agreed, Some(params(11, 10, false, false)));
    assert_eq!(
        extension_lines(&head),
        ["permessage-deflate; server_max_window_bits=11; client_max_window_bits=10"]
    );
    let (head, agreed) = answer(&parse(FIREFOX_CAPTURED), &SMALL);
    assert_eq!(agreed, None);
    assert!(extension_lines(&head).is_empty());
}

#[test]
fn python_websockets_and_node_ws_default_offers() {
    // Both send `permessage-deflate; client_max_window_bits` by default.
    let offer = "permessage-deflate; client_max_window_bits";
    assert_eq!(select(&FULL, &[offer]), Some(Params::DEFAULT));
    assert_eq!(answered(&FULL, &[offer]), ["permessage-deflate"]);
    // Python websockets' own server default, as a capability: 4 KiB both ways.
    let websockets_like = Capability {
        inflate_window_bits: 12,
        compress_window_bits: 12,
        ..Capability::DEFAULT
    };
    assert_eq!(
        answered(&websockets_like, &[offer]),
        ["permessage-deflate; server_max_window_bits=12; client_max_window_bits=12"]
    );
}

/// Autobahn's offers: `PerMessageDeflateOffer(accept_no_context_takeover,
/// accept_max_window_bits, request_no_context_takeover,
/// request_max_window_bits)` written in its order.
const AB_13_1: &str = "permessage-deflate; client_no_context_takeover; client_max_window_bits";
const AB_13_2: &str = "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover";
const AB_13_3: &str = "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_max_window_bits=9";
const AB_13_4: &str = "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_max_window_bits=15";
const AB_13_5: &str = "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9";
const AB_13_6: &str = "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=15";

#[test]
fn autobahn_13_single_offers() {
    for (offer, agreed, line) in [
        (
            AB_13_1,
            params(15, 15, false, true),
            "permessage-deflate; client_no_context_takeover",
        ),
        (
            AB_13_2,
            params(15, 15, true, true),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        ),
        (
            AB_13_3,
            params(9, 15, false, true),
            "permessage-deflate; client_no_context_takeover; server_max_window_bits=9",
        ),
        // Offered, 15 is answered too: an offer with it is accepted by
        // answering it (§7.1.2.1).
        (
            AB_13_4,
            params(15, 15, false, true),
            "permessage-deflate; client_no_context_takeover; server_max_window_bits=15",
        ),
        (
            AB_13_5,
            params(9, 15, true, true),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9",
        ),
        (
            AB_13_6,
            params(15, 15, true, true),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15",
        ),
    ] {
        assert_eq!(select(&FULL, &[offer]), Some(agreed), "{offer}");
        assert_eq!(answered(&FULL, &[offer]), [line], "{offer}");
    }
    // A server that compresses with 1 KiB answers its own smaller window.
    assert_eq!(
        answered(
            &Capability {
                compress_window_bits: 10,
                ..FULL
            },
            &[AB_13_4]
        ),
        ["permessage-deflate; client_no_context_takeover; server_max_window_bits=10"]
    );
}

#[test]
fn autobahn_13_7_fallbacks_take_the_first_that_fits() {
    let offers = format!("{AB_13_5}, {AB_13_2}, {AB_13_1}");
    assert_eq!(select(&FULL, &[&offers]), Some(params(9, 15, true, true)));
    // The fallback order of the brief's shape: the first lacks nothing.
    let brief = "permessage-deflate; client_no_context_takeover; client_max_window_bits, \
                 permessage-deflate; client_no_context_takeover, permessage-deflate";
    assert_eq!(select(&FULL, &[brief]), Some(params(15, 15, false, true)));
    // A small server: the second and third lack client_max_window_bits,
    // but the first has it.
    assert_eq!(select(&SMALL, &[brief]), Some(params(11, 10, false, true)));
}

#[test]
fn a_small_server_skips_offers_it_cannot_bound() {
    let offers = [
        "permessage-deflate; server_no_context_takeover",
        "x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover",
        "permessage-deflate; client_max_window_bits=12; server_max_window_bits=9",
        "permessage-deflate; client_max_window_bits",
    ];
    assert_eq!(select(&SMALL, &offers), Some(params(9, 10, false, false)));
    assert_eq!(
        answered(&SMALL, &offers),
        ["permessage-deflate; server_max_window_bits=9; client_max_window_bits=10"]
    );
    // The same offers for a 32 KiB server: the first is honoured.
    assert_eq!(select(&FULL, &offers), Some(params(15, 15, true, false)));
    // Nothing with client_max_window_bits: nothing accepted.
    assert_eq!(select(&SMALL, &offers[..2]), None);
    assert!(answered(&SMALL, &offers[..2]).is_empty());
    // The client's own smaller value is kept.
    assert_eq!(
        select(&SMALL, &["permessage-deflate; client_max_window_bits=9"]),
        Some(params(11, 9, false, false))
    );
}

#[test]
fn other_extensions_are_skipped() {
    assert_eq!(select(&FULL, &["x-webkit-deflate-frame"]), None);
    assert_eq!(select(&FULL, &["deflate-frame; max_window_bits=10"]), None);
    assert_eq!(
        select(
            &FULL,
            &["foo; a=\"x, permessage-deflate\", permessage-deflate; server_max_window_bits=10"]
        ),
        Some(params(10, 15, false, false))
    );
    assert_eq!(select(&FULL, &[]), None);
}

#[test]
fn malformed_offers_are_declined_not_errors() {
    // Each alone is declined; with a fallback after it the fallback (whose
    // server_max_window_bits=10 marks it) is chosen.
    for bad in [
        "permessage-deflate; client_max_window_bits; client_max_window_bits",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=07",
        "permessage-deflate; server_max_window_bits=012",
        "permessage-deflate; client_max_window_bits=05",
        "permessage-deflate; client_max_window_bits=010",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=\"\"",
        "permessage-deflate; client_max_window_bits=\"1 0\"",
        "permessage-deflate; mystery",
        "permessage-deflate; max_window_bits=10",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover=\"\"",
        "permessage-deflate;",
        "permessage-deflate; ;client_max_window_bits",
        "permessage-deflate; client_max_window_bits=",
        "permessage-deflate client_max_window_bits",
    ] {
        assert_eq!(select(&FULL, &[bad]), None, "{bad}");
        let fallback = format!("{bad}, permessage-deflate; server_max_window_bits=10");
        assert_eq!(
            select(&FULL, &[&fallback]),
            Some(params(10, 15, false, false)),
            "{bad}"
        );
        let request = offering(&[bad]);
        assert!(
            answered(&FULL, &[bad]).is_empty(),
            "{}",
            String::from_utf8_lossy(&request)
        );
    }
    // An unterminated quote takes the rest of its line; the next line is read.
    assert_eq!(
        select(
            &FULL,
            &[
                "permessage-deflate; client_max_window_bits=\"10, permessage-deflate",
                "permessage-deflate; server_max_window_bits=10"
            ]
        ),
        Some(params(10, 15, false, false))
    );
}

#[test]
fn grammar_leniencies() {
    // Quoted values (RFC 7692 §5.1 via RFC 6455 §9.1), whitespace, empty
    // elements, names in any case, several lines as one list.
    for (lines, agreed) in [
        (
            &["permessage-deflate; client_max_window_bits=\"10\""][..],
            params(15, 10, false, false),
        ),
        (
            &["permessage-deflate ;server_max_window_bits = \"9\" ;\tclient_no_context_takeover"],
            params(9, 15, false, true),
        ),
        (&[", ,permessage-deflate,,"], Params::DEFAULT),
        (
            &["Permessage-Deflate; Server_Max_Window_Bits=12"],
            params(12, 15, false, false),
        ),
        (
            &["x-one", "", "permessage-deflate; server_max_window_bits=8"],
            params(8, 15, false, false),
        ),
    ] {
        assert_eq!(select(&FULL, lines), Some(agreed), "{lines:?}");
    }
    // Answers are written in lower case and unquoted.
    assert_eq!(
        answered(
            &FULL,
            &["PERMESSAGE-DEFLATE; CLIENT_MAX_WINDOW_BITS=\"10\""]
        ),
        ["permessage-deflate; client_max_window_bits=10"]
    );
}

#[test]
fn server_capability_flags_are_answered_unasked() {
    let strict = Capability {
        server_no_context_takeover: true,
        client_no_context_takeover: true,
        ..FULL
    };
    assert_eq!(
        select(&strict, &["permessage-deflate"]),
        Some(params(15, 15, true, true))
    );
    assert_eq!(
        answered(&strict, &["permessage-deflate"]),
        ["permessage-deflate; server_no_context_takeover; client_no_context_takeover"]
    );
}

#[test]
fn accept_with_refuses_parameters_no_offer_admits() {
    let bytes = offering(&[
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
        "permessage-deflate; server_no_context_takeover; client_max_window_bits=12",
    ]);
    let request = parse(&bytes);
    let mut out = [0u8; 512];
    let with = |p: Params| Acceptance::new().with_deflate(Some(p));
    for refused in [
        // Larger than either offer allows, or not honouring the takeover.
        params(11, 15, true, false),
        params(10, 13, true, false),
        params(10, 15, false, false),
        // Out of range.
        params(7, 12, true, false),
        params(10, 16, true, false),
    ] {
        assert_eq!(
            request.accept_with(&with(refused), &mut out),
            Err(EncodeError::DeflateNotOffered),
            "{refused:?}"
        );
    }
    // The second offer admits a bounded client window.
    let n = request
        .accept_with(&with(params(15, 12, true, false)), &mut out)
        .unwrap();
    assert_eq!(
        extension_lines(&out[..n]),
        ["permessage-deflate; server_no_context_takeover; client_max_window_bits=12"]
    );
    // No offer at all.
    let bytes = head(MINIMAL);
    let plain = parse(&bytes);
    assert_eq!(
        plain.accept_with(&with(Params::DEFAULT), &mut out),
        Err(EncodeError::DeflateNotOffered)
    );
    assert_eq!(plain.select_deflate(&FULL), None);
}

#[test]
fn accept_with_writes_the_whole_answer() {
    let bytes = offering(&["permessage-deflate; client_max_window_bits"]);
    let request = parse(&bytes);
    let answer = Acceptance::new()
        .with_headers(&[("Set-Cookie", "a=b")])
        .with_deflate(request.select_deflate(&SMALL));
    let mut out = [0u8; 512];
    let n = request.accept_with(&answer, &mut out).unwrap();
    assert_eq!(
        std::str::from_utf8(&out[..n]).unwrap(),
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
         Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=11; client_max_window_bits=10\r\n\
         Set-Cookie: a=b\r\n\r\n"
    );
    for len in [0, 100, n - 1] {
        assert_eq!(
            request.accept_with(&answer, &mut out[..len]),
            Err(EncodeError::BufferTooSmall { needed: n })
        );
    }
    // The extension header stays reserved.
    assert_eq!(
        request.accept_with(
            &answer.with_headers(&[("sec-websocket-extensions", "permessage-deflate")]),
            &mut out
        ),
        Err(EncodeError::ReservedHeader)
    );
    // `accept` still accepts no extension.
    let n = request.accept(None, &[], &mut out).unwrap();
    assert!(extension_lines(&out[..n]).is_empty());
    assert_eq!(request.finished().deflate(), None);
    assert_eq!(
        request.finished_with(&answer).deflate(),
        Some(params(11, 10, false, false))
    );
    assert_eq!(request.finished_with(&answer).head_len(), bytes.len());
}

#[test]
fn framework_values_select_the_same() {
    let values: [&[u8]; 2] = [
        b"permessage-deflate; client_max_window_bits=\"x",
        b"foo, permessage-deflate; client_max_window_bits; server_max_window_bits=12",
    ];
    assert_eq!(
        SMALL.select_from(values),
        Some(params(11, 10, false, false))
    );
    assert_eq!(FULL.select_from(values), Some(params(12, 15, false, false)));
    assert_eq!(SMALL.select_from([&b"permessage-deflate"[..]]), None);
    assert_eq!(FULL.select_from(std::iter::empty()), None);
    // And the value to answer with, as accept_with writes it.
    let mut value = [0u8; Capability::MAX_ANSWER_LEN];
    let (agreed, n) = SMALL.answer_from(values, &mut value).unwrap().unwrap();
    assert_eq!(agreed, params(11, 10, false, false));
    assert_eq!(
        &value[..n],
        b"permessage-deflate; server_max_window_bits=11; client_max_window_bits=10"
    );
    assert_eq!(
        SMALL.answer_from([&b"permessage-deflate"[..]], &mut value),
        Ok(None)
    );
}

// Properties: offers assembled from the grammar's pieces, valid or not.

fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "permessage-deflate",
        "PerMessage-Deflate",
        "x-webkit-deflate-frame",
        "; server_no_context_takeover",
        "; client_no_context_takeover",
        "; server_max_window_bits=",
        "; client_max_window_bits",
        "; client_max_window_bits=",
        "; unknown",
        "8",
        "9",
        "12",
        "15",
        "16",
        "07",
        "\"10\"",
        "\"",
        "\\",
        "=",
        ";",
        ",",
        " ",
        "\t",
        ", permessage-deflate",
    ])
}

fn offer_value() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "permessage-deflate",
        "PerMessage-Deflate",
        "x-webkit-deflate-frame",
        "",
    ]);
    (name, prop::collection::vec(piece(), 0..8))
        .prop_map(|(name, pieces)| format!("{name}{}", pieces.concat()))
}

fn capability() -> impl Strategy<Value = Capability> {
    (0u8..=17, 0u8..=17, any::<bool>(), any::<bool>()).prop_map(|(i, c, s, k)| Capability {
        inflate_window_bits: i,
        compress_window_bits: c,
        server_no_context_takeover: s,
        client_no_context_takeover: k,
    })
}

proptest! {
    /// Whatever the client sends, the choice is valid, honours what each
    /// side can afford, and accept_with writes it; the framework path
    /// writes the same line.
    #[test]
    fn any_offer_the_server_chooses_is_accepted(
        lines in prop::collection::vec(offer_value(), 0..3),
        capability in capability(),
    ) {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let bytes = offering(&refs);
        let Ok(Status::Complete(request)) = parse_request::<32>(&bytes, &Limits::DEFAULT) else {
            // Bytes a header value may not hold never reach the choice.
            return Ok(());
        };
        let agreed = request.select_deflate(&capability);
        let mut out = [0u8; 2048];
        let n = request
            .accept_with(&Acceptance::new().with_deflate(agreed), &mut out)
            .map_err(|e| TestCaseError::fail(format!("{e:?} for {lines:?}")))?;
        let written = extension_lines(&out[..n]);
        let mut value = [0u8; Capability::MAX_ANSWER_LEN];
        let framework = capability
            .answer_from(lines.iter().map(String::as_bytes), &mut value)
            .unwrap();
        prop_assert_eq!(framework.map(|(p, _)| p), agreed);
        match agreed {
            None => prop_assert!(written.is_empty()),
            Some(p) => {
                prop_assert!(p.is_valid());
                prop_assert!(p.client_max_window_bits <= capability.inflate_window_bits.max(8));
                prop_assert!(p.server_max_window_bits <= capability.compress_window_bits.max(8));
                prop_assert!(capability.inflate_window_bits >= 8);
                let (_, len) = framework.unwrap();
                prop_assert_eq!(
                    written,
                    vec![String::from_utf8(value[..len].to_vec()).unwrap()]
                );
            }
        }
    }

    /// Whatever the server answers, the client's check never panics, and
    /// what it agrees stays within the offer.
    #[test]
    fn any_answer_is_checked_within_the_offer(
        lines in prop::collection::vec(offer_value(), 0..3),
        inflate in 8u8..=15,
        cmwb in prop::option::of(8u8..=15),
        snct in any::<bool>(),
    ) {
        let offer = Offer {
            inflate_window_bits: inflate,
            client_max_window_bits: cmwb,
            server_no_context_takeover: snct,
            client_no_context_takeover: false,
        };
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let bytes = response(&refs);
        if let Ok(Status::Complete(r)) = check_response(&bytes, &client(offer)) {
            if let Some(p) = r.deflate {
                prop_assert!(p.is_valid());
                prop_assert!(p.server_max_window_bits <= inflate);
                prop_assert!(p.client_max_window_bits <= cmwb.unwrap_or(15));
                prop_assert!(p.server_no_context_takeover || !snct);
            }
        }
    }
}

// Client (RFC 7692 §5, §7): the offer.

fn offer_line(offer: Offer) -> Result<Vec<String>, EncodeError> {
    let mut out = [0u8; 1024];
    let n = client(offer).encode(&mut out)?;
    Ok(extension_lines(&out[..n]))
}

#[test]
fn offers_written_from_the_clients_memory() {
    assert_eq!(
        offer_line(Offer::DEFAULT).unwrap(),
        ["permessage-deflate; client_max_window_bits"]
    );
    assert_eq!(
        offer_line(Offer {
            client_max_window_bits: None,
            ..Offer::DEFAULT
        })
        .unwrap(),
        ["permessage-deflate"]
    );
    assert_eq!(
        offer_line(Offer {
            inflate_window_bits: 9,
            client_max_window_bits: Some(10),
            server_no_context_takeover: true,
            client_no_context_takeover: true,
        })
        .unwrap(),
        [
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
          server_max_window_bits=9; client_max_window_bits=10"
        ]
    );
    for bad in [
        Offer {
            inflate_window_bits: 7,
            ..Offer::DEFAULT
        },
        Offer {
            inflate_window_bits: 16,
            ..Offer::DEFAULT
        },
        Offer {
            client_max_window_bits: Some(16),
            ..Offer::DEFAULT
        },
        Offer {
            client_max_window_bits: Some(0),
            ..Offer::DEFAULT
        },
    ] {
        assert_eq!(
            offer_line(bad),
            Err(EncodeError::InvalidDeflateOffer),
            "{bad:?}"
        );
    }
    // The extension header stays reserved among the extras.
    let mut out = [0u8; 512];
    assert_eq!(
        client(Offer::DEFAULT)
            .with_headers(&[("Sec-WebSocket-Extensions", "x")])
            .encode(&mut out),
        Err(EncodeError::ReservedHeader)
    );
    // Without an offer, no extension line.
    let plain = ClientRequest::new(&Url::parse("ws://a/").unwrap(), KEY);
    let n = plain.encode(&mut out).unwrap();
    assert!(extension_lines(&out[..n]).is_empty());
}

// Client: the answer.

#[test]
fn answers_real_servers_send_are_accepted() {
    // Node ws's default answer to the default offer.
    assert_eq!(
        check(Offer::DEFAULT, &["permessage-deflate"]),
        Ok(Some(Params::DEFAULT))
    );
    // Python websockets' default server.
    assert_eq!(
        check(
            Offer::DEFAULT,
            &["permessage-deflate; server_max_window_bits=12; client_max_window_bits=12"]
        ),
        Ok(Some(params(12, 12, false, false)))
    );
    // Declined: no extension line, or an empty one.
    assert_eq!(check(Offer::DEFAULT, &[]), Ok(None));
    assert_eq!(check(Offer::DEFAULT, &[""]), Ok(None));
    // Both no_context_takeover unasked, quoted value, any case, spread over
    // empty elements.
    assert_eq!(
        check(
            Offer::DEFAULT,
            &[
                ",",
                "PERMESSAGE-DEFLATE; server_no_context_takeover; Client_No_Context_Takeover; \
                 client_max_window_bits=\"9\""
            ]
        ),
        Ok(Some(params(15, 9, true, true)))
    );
}

#[test]
fn the_clients_promises_are_kept_when_the_answer_omits_them() {
    let offer = Offer {
        client_max_window_bits: Some(10),
        client_no_context_takeover: true,
        ..Offer::DEFAULT
    };
    assert_eq!(
        check(offer, &["permessage-deflate"]),
        Ok(Some(params(15, 10, false, true)))
    );
    assert_eq!(
        check(offer, &["permessage-deflate; client_max_window_bits=8"]),
        Ok(Some(params(15, 8, false, true)))
    );
    let small = Offer {
        inflate_window_bits: 10,
        server_no_context_takeover: true,
        ..Offer::DEFAULT
    };
    assert_eq!(
        check(
            small,
            &["permessage-deflate; server_max_window_bits=9; server_no_context_takeover"]
        ),
        Ok(Some(params(9, 15, true, false)))
    );
}

#[test]
fn every_faulty_answer_has_its_error() {
    let bare = Offer {
        client_max_window_bits: None,
        ..Offer::DEFAULT
    };
    let ten = Offer {
        client_max_window_bits: Some(10),
        ..Offer::DEFAULT
    };
    let small = Offer {
        inflate_window_bits: 10,
        ..Offer::DEFAULT
    };
    let no_takeover = Offer {
        server_no_context_takeover: true,
        ..Offer::DEFAULT
    };
    let d = Offer::DEFAULT;
    for (offer, lines, fault) in [
        (
            d,
            &["permessage-deflate;"][..],
            ResponseError::MalformedExtension,
        ),
        (
            d,
            &["permessage-deflate; client_max_window_bits=\"9"],
            ResponseError::MalformedExtension,
        ),
        (
            d,
            &["x-webkit-deflate-frame"],
            ResponseError::ExtensionNotOffered,
        ),
        (
            d,
            &["permessage-deflate, x-webkit-deflate-frame"],
            ResponseError::ExtensionNotOffered,
        ),
        (
            d,
            &["permessage-deflate, permessage-deflate"],
            ResponseError::MultipleExtensions,
        ),
        (
            d,
            &[
                "permessage-deflate",
                "permessage-deflate; client_max_window_bits=9",
            ],
            ResponseError::MultipleExtensions,
        ),
        (
            d,
            &["permessage-deflate; x_max_window_bits=9"],
            ResponseError::DeflateParameter(ParamError::UnknownParameter),
        ),
        (
            d,
            &["permessage-deflate; server_no_context_takeover; server_no_context_takeover"],
            ResponseError::DeflateParameter(ParamError::DuplicateParameter),
        ),
        (
            d,
            &["permessage-deflate; client_max_window_bits"],
            ResponseError::DeflateParameter(ParamError::MissingValue),
        ),
        (
            d,
            &["permessage-deflate; server_max_window_bits"],
            ResponseError::DeflateParameter(ParamError::MissingValue),
        ),
        (
            d,
            &["permessage-deflate; client_no_context_takeover=true"],
            ResponseError::DeflateParameter(ParamError::UnexpectedValue),
        ),
        (
            d,
            &["permessage-deflate; server_max_window_bits=16"],
            ResponseError::DeflateParameter(ParamError::InvalidValue),
        ),
        (
            d,
            &["permessage-deflate; client_max_window_bits=09"],
            ResponseError::DeflateParameter(ParamError::InvalidValue),
        ),
        (
            bare,
            &["permessage-deflate; client_max_window_bits=10"],
            ResponseError::ClientMaxWindowBitsNotOffered,
        ),
        (
            ten,
            &["permessage-deflate; client_max_window_bits=11"],
            ResponseError::ClientMaxWindowBitsTooLarge,
        ),
        (
            small,
            &["permessage-deflate"],
            ResponseError::MissingServerMaxWindowBits,
        ),
        (
            small,
            &["permessage-deflate; server_max_window_bits=11"],
            ResponseError::ServerMaxWindowBitsTooLarge,
        ),
        (
            no_takeover,
            &["permessage-deflate; client_no_context_takeover"],
            ResponseError::MissingServerNoContextTakeover,
        ),
    ] {
        assert_eq!(check(offer, lines), Err(fault), "{offer:?} {lines:?}");
        // Found as soon as the offending line is in, before the head ends.
        let bytes = response(lines);
        let end = bytes.len() - 2;
        assert_eq!(
            check_response(&bytes[..end], &client(offer)),
            Err(fault),
            "{lines:?}"
        );
        assert!(!fault.to_string().is_empty());
    }
}

#[test]
fn without_an_offer_any_extension_is_not_requested() {
    let plain = ClientRequest::new(&Url::parse("ws://server.example.com/chat").unwrap(), KEY);
    for lines in [&["permessage-deflate"][..], &[""], &["x-foo"]] {
        assert_eq!(
            check_response(&response(lines), &plain),
            Err(ResponseError::ExtensionNotRequested)
        );
    }
    let bytes = response(&[]);
    let Ok(Status::Complete(r)) = check_response(&bytes, &plain) else {
        panic!()
    };
    assert_eq!(r.deflate, None);
    assert_eq!(r.finished().deflate(), None);
}

#[test]
fn errors_display_distinctly() {
    let all = [
        ResponseError::MalformedExtension,
        ResponseError::ExtensionNotOffered,
        ResponseError::MultipleExtensions,
        ResponseError::DeflateParameter(ParamError::UnknownParameter),
        ResponseError::DeflateParameter(ParamError::DuplicateParameter),
        ResponseError::DeflateParameter(ParamError::MissingValue),
        ResponseError::DeflateParameter(ParamError::UnexpectedValue),
        ResponseError::DeflateParameter(ParamError::InvalidValue),
        ResponseError::ClientMaxWindowBitsNotOffered,
        ResponseError::ClientMaxWindowBitsTooLarge,
        ResponseError::MissingServerMaxWindowBits,
        ResponseError::ServerMaxWindowBitsTooLarge,
        ResponseError::MissingServerNoContextTakeover,
        ResponseError::ExtensionNotRequested,
    ];
    let texts: std::collections::HashSet<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(texts.len(), all.len());
    let encode = [
        EncodeError::InvalidDeflateOffer.to_string(),
        EncodeError::DeflateNotOffered.to_string(),
    ];
    assert_ne!(encode[0], encode[1]);
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

#[test]
fn the_partial_request_reads_the_same() {
    // Offers are only read from a complete request; every split agrees.
    let bytes = offering(&[AB_13_5, AB_13_1]);
    for end in 0..bytes.len() {
        assert!(matches!(
            handshake::parse_request::<32>(&bytes[..end], &Limits::DEFAULT),
            Ok(Status::Partial { .. })
        ));
    }
    assert_eq!(
        parse(&bytes).select_deflate(&FULL),
        Some(params(9, 15, true, true))
    );
}
