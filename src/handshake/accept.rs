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
///
/// 16 bytes are 128 bits: 21 full symbols (126 bits), a 22nd symbol whose
/// two high bits end the data and whose four low bits must be zero (`A`,
/// `Q`, `g` or `w`), then `==`. Checking that shape directly is what the
/// standard decoder accepts (the tests compare the two), without linking
/// base64's decoding code into a server.
pub(crate) fn is_valid_key(key: &[u8]) -> bool {
    let Some((symbols, padding)) = key.split_last_chunk::<2>() else {
        return false;
    };
    let Some((last, full)) = symbols.split_last() else {
        return false;
    };
    key.len() == KEY_LEN
        && padding == b"=="
        && full.iter().all(|&b| is_symbol(b))
        && matches!(last, b'A' | b'Q' | b'g' | b'w')
}

/// A symbol of the standard base64 alphabet (RFC 4648 §4), padding excluded.
const fn is_symbol(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
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

    /// What the standard decoder says: canonical base64 of exactly 16 bytes.
    fn decodes_to_16(key: &[u8]) -> bool {
        let mut decoded = [0u8; 18];
        key.len() == KEY_LEN && STANDARD.decode_slice(key, &mut decoded) == Ok(16)
    }

    #[test]
    fn key_validation_agrees_with_the_decoder() {
        let valid = *b"dGhlIHNhbXBsZSBub25jZQ==";
        assert!(decodes_to_16(&valid));
        // Every byte value at every position of a valid key, and at every
        // pair of positions among the last four (padding and trailing bits).
        for at in 0..KEY_LEN {
            for b in 0..=u8::MAX {
                let mut key = valid;
                key[at] = b;
                assert_eq!(is_valid_key(&key), decodes_to_16(&key), "{key:?}");
            }
        }
        for at in KEY_LEN - 4..KEY_LEN {
            for next in at + 1..KEY_LEN {
                for a in 0..=u8::MAX {
                    for b in 0..=u8::MAX {
                        let mut key = valid;
                        key[at] = a;
                        key[next] = b;
                        assert_eq!(is_valid_key(&key), decodes_to_16(&key), "{key:?}");
                    }
                }
            }
        }
        // Other lengths, padded or not.
        for len in 0..=40 {
            let key: [u8; 40] = core::array::from_fn(|i| if i + 2 >= len { b'=' } else { b'A' });
            assert_eq!(is_valid_key(&key[..len]), decodes_to_16(&key[..len]));
            assert!(!is_valid_key(&[b'A'; 40][..len]));
        }
        // The 16 bytes of every encoded nonce are accepted.
        for seed in 0..=u8::MAX {
            let nonce: [u8; 16] =
                core::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8 * 17));
            assert!(is_valid_key(&encode_key(&nonce)));
        }
    }
}
