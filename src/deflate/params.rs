//! The extension's parameters and their negotiation (RFC 7692 §5, §7.1).

/// What one connection agreed for permessage-deflate (RFC 7692 §7.1).
///
/// Window bits are 8..=15; 15 (a 32 KiB window) is the RFC's default
/// when a `*_max_window_bits` parameter is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Params {
    /// `server_no_context_takeover`: the server resets its compression
    /// context after every message.
    pub server_no_context_takeover: bool,
    /// `client_no_context_takeover`: the client resets its compression
    /// context after every message.
    pub client_no_context_takeover: bool,
    /// `server_max_window_bits`: the largest LZ77 window the server
    /// compresses with (8..=15).
    pub server_max_window_bits: u8,
    /// `client_max_window_bits`: the largest LZ77 window the client
    /// compresses with (8..=15).
    pub client_max_window_bits: u8,
}
