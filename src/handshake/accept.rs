//! `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §1.3, §4.2.2).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The GUID the server appends to the client's key (RFC 6455 §1.3).
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The length of a `Sec-WebSocket-Key` value: 16 random bytes in base64
/// (RFC 6455 §4.1).
pub const KEY_LEN: usize = 24;

/// The length of a `Sec-WebSocket-Accept` value: a SHA-1 digest in base64.
pub const ACCEPT_KEY_LEN: usize = 28;

/// The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key` value:
/// base64(SHA-1(`key` ++ [`GUID`])) (RFC 6455 §1.3, §4.2.2 step 5.4).
///
/// `key` is the header value as sent (base64 text), not the decoded bytes.
///
/// ```
/// let accept = wsframe::handshake::accept_key(b"dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(&accept, b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[must_use]
pub fn accept_key(key: &[u8]) -> [u8; ACCEPT_KEY_LEN] {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(key);
    sha.update(GUID.as_bytes());
    let mut out = [0u8; ACCEPT_KEY_LEN];
    // 20 bytes always encode to exactly 28; the call cannot fail.
    let _ = STANDARD.encode_slice(sha.digest().bytes(), &mut out);
    out
}

/// The `Sec-WebSocket-Key` value for 16 random bytes (RFC 6455 §4.1).
///
/// The crate owns no random number generator: draw the bytes from one
/// (fresh for every connection) and pass them in.
#[must_use]
pub fn encode_key(nonce: &[u8; 16]) -> [u8; KEY_LEN] {
    let mut out = [0u8; KEY_LEN];
    // 16 bytes always encode to exactly 24; the call cannot fail.
    let _ = STANDARD.encode_slice(nonce, &mut out);
    out
}

/// Whether a `Sec-WebSocket-Key` value is canonical base64 of exactly
/// 16 bytes (RFC 6455 §4.2.1 step 5).
pub(crate) fn is_valid_key(key: &[u8]) -> bool {
    // 24 characters decode to at most 18 bytes.
    let mut decoded = [0u8; 18];
    key.len() == KEY_LEN && STANDARD.decode_slice(key, &mut decoded) == Ok(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6455_section_1_3_example() {
        assert_eq!(
            &accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
        // The key is the base64 of the 16 bytes "the sample nonce".
        assert_eq!(
            &encode_key(b"the sample nonce"),
            b"dGhlIHNhbXBsZSBub25jZQ=="
        );
    }

    #[test]
    fn key_validation() {
        assert!(is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ==="));
        // 18 bytes in 24 characters.
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQxx"));
        // Not base64.
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZ*=="));
        // Non-zero trailing bits: not canonical.
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZR=="));
        assert!(!is_valid_key(b""));
    }
}
