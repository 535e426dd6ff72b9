//! embedded-websocket as a whole server, like (c): the request head parsed
//! with httparse (as its examples do), `read_http_header`, `server_accept`
//! (SHA-1, base64, the 101 answer), then the frame loop of `frame`.
#![no_std]
#![no_main]

use embedded_websocket::{WebSocketServer, read_http_header};
use footprint_rt::{entry, receive, send};
use peer_embedded_websocket::frames;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut out = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        let mut ws = WebSocketServer::new_server();
        let n = receive(&mut rx);
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut request = httparse::Request::new(&mut headers);
        if !matches!(request.parse(&rx[..n]), Ok(httparse::Status::Complete(_))) {
            continue;
        }
        let Ok(Some(context)) = read_http_header(request.headers.iter().map(|h| (h.name, h.value)))
        else {
            continue;
        };
        let protocol = context.sec_websocket_protocol_list.first();
        let Ok(n) = ws.server_accept(&context.sec_websocket_key, protocol, &mut tx) else {
            continue;
        };
        send(&tx[..n]);
        frames(&mut ws, &mut rx, &mut out, &mut tx);
    }
}
