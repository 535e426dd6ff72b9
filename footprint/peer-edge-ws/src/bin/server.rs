//! edge-ws plus edge-http's WebSocket upgrade, its server handshake: the
//! head parsed with httparse, `ws::is_upgrade_request`,
//! `ws::upgrade_response_headers` (SHA-1, base64), the 101 head written
//! out, then the frame work of `frame`. edge-ws has no message layer
//! (reassembly, UTF-8, close handshake), so there is no (b) to add.
#![no_std]
#![no_main]

use edge_http::Method;
use edge_http::ws::{MAX_BASE64_KEY_RESPONSE_LEN, is_upgrade_request, upgrade_response_headers};
use footprint_rt::{entry, receive, send};
use peer_edge_ws::frames;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    loop {
        let n = receive(&mut rx);
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut request = httparse::Request::new(&mut headers);
        if !matches!(request.parse(&rx[..n]), Ok(httparse::Status::Complete(_))) {
            continue;
        }
        let method = request.method.and_then(Method::new).unwrap_or(Method::Post);
        let pairs = || {
            request
                .headers
                .iter()
                .filter_map(|h| Some((h.name, core::str::from_utf8(h.value).ok()?)))
        };
        if !is_upgrade_request(method, pairs()) {
            continue;
        }
        let mut key = [0u8; MAX_BASE64_KEY_RESPONSE_LEN];
        let Ok(answer) = upgrade_response_headers(pairs(), None, &mut key) else {
            continue;
        };
        send(b"HTTP/1.1 101 Switching Protocols\r\n");
        for (name, value) in answer {
            send(name.as_bytes());
            send(b": ");
            send(value.as_bytes());
            send(b"\r\n");
        }
        send(b"\r\n");
        let mut buf = [0u8; 256];
        loop {
            frames(&mut buf);
        }
    }
}
