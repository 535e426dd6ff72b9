//! The opening handshake: the client side, the server side, properties
//! over every split of captured and generated heads, and interop with
//! tungstenite in process, and (feature `deflate`) the permessage-deflate
//! negotiation. One test binary.

#[path = "../fixtures/mod.rs"]
mod fixtures;

mod client;
#[cfg(feature = "deflate")]
mod deflate;
mod interop_tungstenite;
mod properties;
mod server;
