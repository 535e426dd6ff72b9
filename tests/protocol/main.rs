//! The connection, by what each file proves: the closing handshake,
//! framing and fragmentation, keepalive and timeouts, the caps, the split
//! halves, the adapters, small buffers, client and server in memory, the
//! send fast path. One test binary (link time on a 2-core machine); each
//! module was a binary of its own before.

#[path = "../common/mod.rs"]
mod common;

mod adapters;
mod adopt;
mod close_handshake;
mod connection;
mod deflate;
mod embassy;
mod fragmentation;
mod halves;
mod keepalive;
mod limits;
mod pair;
mod send_fast_path;
mod small_buffer;
