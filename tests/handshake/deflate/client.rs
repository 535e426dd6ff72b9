//! The client's side (RFC 7692 §5, §7): the offer, and its check of the
//! answer.

use super::*;
use wsframe::deflate::ParamError;
use wsframe::handshake::EncodeError;

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
