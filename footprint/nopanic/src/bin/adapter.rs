//! The blocking adapter (`io::blocking::WebSocket`) over a transport that
//! reads and writes the volatile registers: `accept` (server) or `connect`
//! (client), then `fill`, `read`, `send_*`, `close`, `flush` and
//! `handle_timeout`, picked by the input. The async adapter is the same
//! source expanded with `.await` (src/io/adapter.rs).
#![no_std]
#![no_main]

use embedded_io::{ErrorKind, ErrorType, Read, Write};
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::{Answer, blocking::WebSocket};
use wsframe::{CloseCode, Connection, Event, MessageKind, Role};
use wsframe_nopanic::{
    Masks, bytes, config, entry, fill, flag, limits, masks, now, prefix, send, sink, size, text,
    word,
};

/// A transport whose every result comes from the input.
struct Uart;

impl ErrorType for Uart {
    type Error = ErrorKind;
}

impl Read for Uart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if flag() {
            Ok(fill(buf))
        } else {
            Err(ErrorKind::TimedOut)
        }
    }
}

impl Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        let n = size().min(buf.len());
        send(buf.get(..n).unwrap_or_default());
        if flag() {
            Ok(n)
        } else {
            Err(ErrorKind::Interrupted)
        }
    }

    fn flush(&mut self) -> Result<(), ErrorKind> {
        if flag() {
            Ok(())
        } else {
            Err(ErrorKind::Other)
        }
    }
}

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        let masks: Masks = masks;
        let role = if flag() { Role::Server } else { Role::Client };
        let Ok(conn) = Connection::new(role, prefix(&mut rx), config(), masks) else {
            continue;
        };
        let Ok(mut ws) = WebSocket::new(Uart, conn, prefix(&mut tx)) else {
            continue;
        };
        let mut url = [0u8; 96];
        let opened = match role {
            Role::Server => ws
                .accept::<16>(&limits(), |request| {
                    if flag() {
                        Answer::Accept(request.select_protocol(&["chat"]))
                    } else {
                        Answer::Reject(word() as u16)
                    }
                })
                .is_ok(),
            Role::Client => {
                let Ok(url) = Url::parse(text(&mut url)) else {
                    continue;
                };
                let mut key = [0u8; 16];
                fill(&mut key);
                let request = ClientRequest::new(&url, key).with_protocols(&["chat"]);
                ws.connect(&request).is_ok()
            }
        };
        if !opened {
            continue;
        }
        while !ws.connection().is_closed() {
            let mut buf = [0u8; 128];
            let result = match word() & 15 {
                0 => ws.fill(),
                1 => ws.read().map(|event| match event {
                    Event::Text(text) => send(text.as_bytes()),
                    Event::Binary(data) | Event::Ping(data) | Event::Pong(data) => send(data),
                    Event::Chunk(chunk) => send(chunk.data),
                    Event::Close(frame) => sink(frame.map_or(0, |f| u32::from(f.code.as_u16()))),
                }),
                2 => ws.send_text(text(&mut buf)),
                3 => ws.send_binary(bytes(&mut buf)),
                4 => ws.send(MessageKind::Text, bytes(&mut buf)),
                5 => ws.send_fragment(MessageKind::Binary, bytes(&mut buf), flag()),
                6 => ws.send_ping(bytes(&mut buf)),
                7 => ws.close(CloseCode::new(word() as u16), text(&mut buf)),
                8 => ws.handle_timeout(now()),
                _ => ws.flush(),
            };
            sink(u32::from(result.is_ok()));
        }
    }
}
