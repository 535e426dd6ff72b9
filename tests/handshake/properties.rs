//! Properties of the handshake parsers: any split of the input gives the
//! same result as one piece, every proper prefix of a valid head is
//! `Partial` (never an error), built heads round-trip, and arbitrary bytes
//! never panic.

use crate::fixtures;

use fixtures::{CHROME, CHROMIUM_CAPTURED, FIREFOX, FIREFOX_CAPTURED};
use proptest::prelude::*;
use wsframe::Status;
use wsframe::handshake::{ClientRequest, Limits, Url, check_response, parse_head, parse_request};

/// Cut points into `len` bytes, sorted, each in `1..len`.
fn cuts(len: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1..len, 0..24).prop_map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v
    })
}

fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn value() -> impl Strategy<Value = String> {
    "([!-~]([ -~\t]{0,30}[!-~])?)?"
}

/// Deliver `bytes` in pieces ending at each cut, re-parsing the grown
/// input each time as a caller would: every piece before the last must be
/// Partial, never an error, and the whole must be Complete.
fn delivered_in_pieces<'b, T: std::fmt::Debug, E: std::fmt::Debug>(
    bytes: &'b [u8],
    cuts: &[usize],
    parse: impl Fn(&'b [u8]) -> Result<Status<T>, E>,
) -> Result<(), TestCaseError> {
    for &cut in cuts {
        let result = parse(&bytes[..cut]);
        prop_assert!(
            matches!(result, Ok(Status::Partial { .. })),
            "cut {} gave {:?}",
            cut,
            result
        );
    }
    let whole = parse(bytes);
    prop_assert!(
        matches!(whole, Ok(Status::Complete(_))),
        "whole input gave {:?}",
        whole
    );
    Ok(())
}

proptest! {
    #[test]
    fn browser_requests_any_split(fixture in prop::sample::select(vec![CHROME, FIREFOX, CHROMIUM_CAPTURED, FIREFOX_CAPTURED]), cuts in cuts(CHROME.len().min(FIREFOX.len()).min(CHROMIUM_CAPTURED.len()).min(FIREFOX_CAPTURED.len()))) {
        delivered_in_pieces(fixture, &cuts, |b| parse_request::<32>(b, &Limits::DEFAULT))?;
        prop_assert!(parse_request::<32>(fixture, &Limits::DEFAULT).unwrap().is_complete());
    }

    #[test]
    fn built_requests_round_trip(
        path in "/[a-zA-Z0-9/?=&%._~-]{0,40}",
        host in "[a-z0-9-]{1,20}(\\.[a-z]{2,6})?",
        port in 1u16..,
        secure in any::<bool>(),
        key in any::<[u8; 16]>(),
        protocols in prop::collection::vec(token(), 0..4),
        headers in prop::collection::vec((token(), value()), 0..6),
        trailing in prop::collection::vec(any::<u8>(), 0..16),
        chosen in any::<prop::sample::Index>(),
        request_cuts in cuts(64),
        response_cuts in cuts(64),
    ) {
        let scheme = if secure { "wss" } else { "ws" };
        let url_text = format!("{scheme}://{host}:{port}{path}");
        let url = Url::parse(&url_text).unwrap();
        let protocol_refs: Vec<&str> = protocols.iter().map(String::as_str).collect();
        let header_names: Vec<String> = headers.iter().map(|(n, _)| format!("X-{n}")).collect();
        let header_refs: Vec<(&str, &str)> =
            header_names.iter().zip(&headers).map(|(n, (_, v))| (n.as_str(), v.as_str())).collect();
        let request = ClientRequest::new(&url, key).with_protocols(&protocol_refs).with_headers(&header_refs);

        let mut wire = vec![0u8; 4096];
        let len = request.encode(&mut wire).unwrap();
        wire.truncate(len);
        let head_len = wire.len();
        wire.extend_from_slice(&trailing);

        // The server side sees exactly what was built, in any number of pieces.
        delivered_in_pieces(&wire[..head_len], &request_cuts.iter().copied().filter(|&c| c < head_len).collect::<Vec<_>>(),
            |b| parse_request::<32>(b, &Limits::DEFAULT))?;
        let Ok(Status::Complete(parsed)) = parse_request::<32>(&wire, &Limits::DEFAULT) else {
            return Err(TestCaseError::fail(format!("{:?}", parse_request::<32>(&wire, &Limits::DEFAULT))));
        };
        prop_assert_eq!(parsed.head_len(), head_len);
        prop_assert_eq!(parsed.path(), path.as_str());
        prop_assert_eq!(parsed.protocols().collect::<Vec<_>>(), protocol_refs.clone());
        for (name, value) in &header_refs {
            prop_assert!(parsed.headers().iter().any(|h| h.name == *name && h.value == value.as_bytes()));
        }
        let default_port = if secure { 443 } else { 80 };
        let expected_host = if port == default_port { host.clone() } else { format!("{host}:{port}") };
        prop_assert_eq!(parsed.host(), expected_host.as_bytes());

        // And the client accepts the server's answer, in any number of pieces.
        let protocol = (!protocol_refs.is_empty()).then(|| *chosen.get(&protocol_refs));
        let mut answer = vec![0u8; 512];
        let n = parsed.accept(protocol, &[], &mut answer).unwrap();
        answer.truncate(n);
        delivered_in_pieces(&answer, &response_cuts.iter().copied().filter(|&c| c < n).collect::<Vec<_>>(),
            |b| check_response(b, &request))?;
        answer.extend_from_slice(&trailing);
        let response = check_response(&answer, &request).unwrap().complete().unwrap();
        prop_assert_eq!(response.head_len, n);
        prop_assert_eq!(response.protocol, protocol);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let limits = Limits { max_head_len: 256, max_headers: 8 };
        let _ = parse_request::<4>(&bytes, &limits);
        let _ = parse_head::<4>(&bytes, &limits);
        let request = ClientRequest::new(&Url::parse("ws://h/").unwrap(), [0; 16]);
        let _ = check_response(&bytes, &request);
    }

    #[test]
    fn mutated_requests_never_panic(index in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = FIREFOX.to_vec();
        let at = index.index(bytes.len());
        bytes[at] = byte;
        for end in [at, at + 1, bytes.len()] {
            let _ = parse_request::<32>(&bytes[..end], &Limits::DEFAULT);
        }
    }
}
