//! (c) A whole server, (b) plus the opening handshake: `parse_request`
//! over the connection's buffer, subprotocol choice, the 101 answer with
//! its accept key (SHA-1, base64) or the 4xx refusal.
#![no_std]
#![no_main]

use footprint_rt::entry;
use wsframe::Connection;
use wsframe_probes::{accept, config, serve};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        if let Ok(mut conn) = Connection::server(&mut rx[..], config())
            && accept(&mut conn, &mut tx)
        {
            serve(&mut conn, &mut tx);
        }
    }
}
