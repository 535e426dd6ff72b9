//! embedded-websocket's frame layer, the closest it has to (a): it exposes
//! no header codec, so this is `read` + `write` + `close` on an open server.
#![no_std]
#![no_main]

use embedded_websocket::{WebSocketServer, WebSocketState};
use footprint_rt::entry;
use peer_embedded_websocket::frames;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut out = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        let mut ws = WebSocketServer::new_server();
        ws.state = WebSocketState::Open;
        frames(&mut ws, &mut rx, &mut out, &mut tx);
    }
}
