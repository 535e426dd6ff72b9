//! (d) (c) plus the client side: parse a URL, encode the client request
//! with a random key, check the server's response (accept key,
//! subprotocol), then run a client `Connection` (masking with keys from the
//! UART) through the same message loop.
#![no_std]
#![no_main]

use footprint_rt::{entry, receive, send, word};
use wsframe::handshake::{ClientRequest, Url, check_response};
use wsframe::{Connection, Status};
use wsframe_probes::{accept, config, serve};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        if word() & 1 == 0 {
            if let Ok(mut conn) = Connection::server(&mut rx[..], config()) {
                if accept(&mut conn, &mut tx) {
                    serve(&mut conn, &mut tx);
                }
            }
            continue;
        }
        let mut text = [0u8; 96];
        let n = receive(&mut text);
        let Ok(text) = core::str::from_utf8(&text[..n]) else {
            continue;
        };
        let Ok(url) = Url::parse(text) else {
            continue;
        };
        let mut key = [0u8; 16];
        for part in key.chunks_exact_mut(4) {
            part.copy_from_slice(&word().to_be_bytes());
        }
        let request = ClientRequest::new(&url, key).with_protocols(&["chat"]);
        let Ok(n) = request.encode(&mut tx) else {
            continue;
        };
        send(&tx[..n]);
        let Ok(mut conn) = Connection::client(&mut rx[..], config(), || word().to_be_bytes())
        else {
            continue;
        };
        let head_len = loop {
            let n = receive(conn.rx_buffer());
            conn.handle_rx(n);
            match check_response(conn.pending_input(), &request) {
                Ok(Status::Complete(response)) => break Some(response.head_len),
                Ok(Status::Partial { .. }) => {}
                Err(_) => break None,
            }
        };
        if let Some(head_len) = head_len {
            conn.finish_handshake(head_len);
            serve(&mut conn, &mut tx);
        }
    }
}
