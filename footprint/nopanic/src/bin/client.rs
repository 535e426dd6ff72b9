//! A whole client: `Url::parse`, `ClientRequest` (key, origin,
//! subprotocols, extra headers) `encode`, `check_response_with`,
//! `finish_handshake`, then the connection in the client role, masking
//! with keys from the input (`wsframe_nopanic::connect`, `serve`).
#![no_std]
#![no_main]

use wsframe_nopanic::{connect, entry, prefix};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        connect(prefix(&mut rx), prefix(&mut tx));
    }
}
