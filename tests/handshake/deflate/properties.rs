//! Properties over offers and answers assembled from the grammar's pieces.

use super::*;
use proptest::prelude::*;

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
