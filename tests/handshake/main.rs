//! The opening handshake: the client side, the server side, properties
//! over every split of captured and generated heads, and interop with
//! tungstenite in process. One test binary.

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod client;
mod interop_tungstenite;
mod properties;
mod server;
