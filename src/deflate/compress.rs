//! The compressor (RFC 7692 §7.2.1, RFC 1951).
