//! Decompression of received messages (RFC 7692 §7.2.2).
