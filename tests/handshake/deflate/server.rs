//! The server's side (RFC 7692 §5, §7): which offer it takes, and what
//! its 101 says.

use super::*;
use crate::fixtures::{CHROME, CHROMIUM_CAPTURED, FIREFOX, FIREFOX_CAPTURED};
use wsframe::handshake::EncodeError;

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

#[test]
fn the_partial_request_reads_the_same() {
    // Offers are only read from a complete request; every split agrees.
    let bytes = offering(&[AB_13_5, AB_13_1]);
    for end in 0..bytes.len() {
        assert!(matches!(
            parse_request::<32>(&bytes[..end], &Limits::DEFAULT),
            Ok(Status::Partial { .. })
        ));
    }
    assert_eq!(
        parse(&bytes).select_deflate(&FULL),
        Some(params(9, 15, true, true))
    );
}
