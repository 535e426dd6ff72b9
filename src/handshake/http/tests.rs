//! Unit tests for the head driver in http.rs, compiled only under
//! `#[cfg(test)]` (see `mod tests;` there): `unwrap` and `panic!` here never
//! reach the library. Whole heads in, [`Head`], [`HeadError`] and the status
//! line out: framing, every prefix partial, syntax faults, the caps, the
//! token lists of a parsed head. The line parsers and the field syntax keep
//! their own tests beside them, in line.rs and field.rs.
#![cfg(test)]

use super::*;

const LIMITS: Limits = Limits::DEFAULT;

fn head(bytes: &[u8]) -> Result<Status<Head<'_, 8>>, HeadError> {
    parse_head::<8>(bytes, &LIMITS)
}

#[test]
fn parses_a_head_and_leaves_the_rest() {
    let input = b"GET /a?b HTTP/1.1\r\nHost: x\r\nX-Y:  a b \t\r\nEmpty:\r\n\r\nBODY";
    let Status::Complete(h) = head(input).unwrap() else {
        panic!("partial")
    };
    assert_eq!(h.method, "GET");
    assert_eq!(h.path, "/a?b");
    assert_eq!(h.version, Version::HTTP_11);
    assert_eq!(h.head_len, input.len() - 4);
    assert_eq!(h.header("host"), Some(&b"x"[..]));
    assert_eq!(h.header("x-y"), Some(&b"a b"[..]));
    assert_eq!(h.header("EMPTY"), Some(&b""[..]));
    assert_eq!(h.header("missing"), None);
    assert_eq!(h.headers.len(), 3);
}

#[test]
fn every_prefix_is_partial() {
    let input = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    for end in 0..input.len() {
        assert!(
            matches!(head(&input[..end]), Ok(Status::Partial { .. })),
            "{end}"
        );
    }
    assert!(head(input).unwrap().is_complete());
}

#[test]
fn syntax_faults() {
    assert_eq!(
        head(b"GET  / HTTP/1.1\r\n"),
        Err(HeadError::InvalidRequestLine)
    );
    assert_eq!(
        head(b"GET / HTTP/1.1\n"),
        Err(HeadError::InvalidRequestLine)
    );
    assert_eq!(head(b"GET / HTTQ"), Err(HeadError::InvalidRequestLine));
    assert_eq!(
        head(b"G(T / HTTP/1.1\r\n"),
        Err(HeadError::InvalidRequestLine)
    );
    assert_eq!(
        head(b"GET / HTTP/1.1\r\nBad Name: x\r\n"),
        Err(HeadError::InvalidHeader)
    );
    assert_eq!(
        head(b"GET / HTTP/1.1\r\nA: x\r\n folded\r\n"),
        Err(HeadError::InvalidHeader)
    );
    assert_eq!(
        head(b"GET / HTTP/1.1\r\nA: x\ny\r\n"),
        Err(HeadError::InvalidHeader)
    );
    assert_eq!(
        head(b"GET / HTTP/1.1\r\nA: x\0\r\n"),
        Err(HeadError::InvalidHeader)
    );
    assert_eq!(
        head(b"GET / HTTP/1.1\r\n: x\r\n"),
        Err(HeadError::InvalidHeader)
    );
    assert_eq!(
        head(b"GET / HTTP/1.1\r\n\rX"),
        Err(HeadError::InvalidHeader)
    );
}

#[test]
fn caps() {
    let limits = Limits {
        max_head_len: 20,
        max_headers: 2,
    };
    assert_eq!(
        parse_head::<8>(b"GET / HTTP/1.1\r\nA: ", &limits),
        Ok(Status::Partial { needed: 1 })
    );
    // 20 bytes and no end in sight: too large, though incomplete.
    assert_eq!(
        parse_head::<8>(b"GET / HTTP/1.1\r\nA: 1", &limits),
        Err(HeadError::HeadTooLarge)
    );
    assert_eq!(
        parse_head::<8>(b"GET / HTTP/1.1\r\nA: 1234567890", &limits),
        Err(HeadError::HeadTooLarge)
    );
    let exact = b"GET / HTTP/1.1\r\nA:\r\n\r\n";
    let limits = Limits {
        max_head_len: exact.len(),
        max_headers: 2,
    };
    assert!(parse_head::<8>(exact, &limits).unwrap().is_complete());
    let three = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    assert_eq!(
        parse_head::<8>(
            three,
            &Limits {
                max_headers: 2,
                ..LIMITS
            }
        ),
        Err(HeadError::TooManyHeaders)
    );
    assert_eq!(
        parse_head::<2>(three, &LIMITS),
        Err(HeadError::TooManyHeaders)
    );
    assert!(parse_head::<3>(three, &LIMITS).unwrap().is_complete());
}

#[test]
fn status_lines() {
    let ok = |s: &'static [u8]| {
        let mut seen = None;
        let r = parse_response_head::<HeadError>(
            s,
            &LIMITS,
            |l| {
                seen = Some(*l);
                Ok(())
            },
            |_| Ok(()),
        );
        (r, seen)
    };
    let (r, seen) = ok(b"HTTP/1.1 101 Switching Protocols\r\n\r\n");
    assert_eq!(r, Ok(Status::Complete(36)));
    assert_eq!(seen, Some((Version::HTTP_11, 101)));
    assert_eq!(ok(b"HTTP/1.1 404\r\n\r\n").1, Some((Version::HTTP_11, 404)));
    assert_eq!(
        ok(b"HTTP/1.1 404 \r\n\r\n").1,
        Some((Version::HTTP_11, 404))
    );
    assert_eq!(
        ok(b"HTTP/1.1 10 x\r\n").0,
        Err(HeadError::InvalidStatusLine)
    );
    assert_eq!(
        ok(b"HTTP/1.1 1011 x\r\n").0,
        Err(HeadError::InvalidStatusLine)
    );
    assert_eq!(
        ok(b"HTTP/1.1 101 x\x01\r\n").0,
        Err(HeadError::InvalidStatusLine)
    );
}

#[test]
fn tokens_across_lines() {
    let input = b"GET / HTTP/1.1\r\nP: a, b ,,\r\nQ: z\r\np: c\r\nP:\r\n\r\n";
    let h = head(input).unwrap().complete().unwrap();
    let mut t = h.tokens("p");
    assert_eq!(t.next(), Some("a"));
    assert_eq!(t.next(), Some("b"));
    assert_eq!(t.next(), Some("c"));
    assert_eq!(t.next(), None);
    assert_eq!(h.tokens("none").next(), None);
    assert!(lists_token(b"keep-alive, Upgrade", "upgrade"));
    assert!(!lists_token(b"keep-alive, Upgrades", "upgrade"));
}
