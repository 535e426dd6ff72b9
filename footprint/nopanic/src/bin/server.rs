//! A whole server: the opening handshake (`parse_request`, the request's
//! accessors, `select_protocol`, `Request::accept` / `reject` /
//! `encode_response` / `RequestError::encode_response`, `finish_handshake`),
//! then the connection (`wsframe_nopanic::serve`: every receive, event,
//! timer and send entry point) over buffers and a configuration of
//! unpredictable size.
#![no_std]
#![no_main]

use wsframe::Connection;
use wsframe_nopanic::{accept, config, entry, prefix, serve, sink};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        let tx = prefix(&mut tx);
        match Connection::server(prefix(&mut rx), config()) {
            Ok(mut conn) => {
                if accept(&mut conn, tx) {
                    serve(&mut conn, tx);
                }
            }
            Err(e) => sink(e.needed as u32),
        }
    }
}
