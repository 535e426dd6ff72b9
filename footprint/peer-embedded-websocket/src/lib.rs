//! The frame loop shared by the embedded-websocket probes: `read` (decode,
//! unmask, continuation and close bookkeeping) and `write` (encode, mask)
//! on bytes from the UART, and `close`.
#![no_std]

use embedded_websocket::{
    WebSocketCloseStatusCode, WebSocketReceiveMessageType, WebSocketSendMessageType,
    WebSocketServer,
};
use footprint_rt::{receive, send, sink, word};

/// Run frames through an open server until the UART says stop.
pub fn frames(ws: &mut WebSocketServer, rx: &mut [u8], out: &mut [u8], tx: &mut [u8]) {
    loop {
        let n = receive(rx);
        match ws.read(&rx[..n], out) {
            Ok(r) => {
                sink(r.len_from as u32);
                match r.message_type {
                    WebSocketReceiveMessageType::Text | WebSocketReceiveMessageType::Binary => {
                        send(&out[..r.len_to]);
                    }
                    WebSocketReceiveMessageType::CloseMustReply => {
                        if let Ok(n) = ws.write(
                            WebSocketSendMessageType::CloseReply,
                            true,
                            &out[..r.len_to],
                            tx,
                        ) {
                            send(&tx[..n]);
                        }
                    }
                    WebSocketReceiveMessageType::Ping => {
                        if let Ok(n) =
                            ws.write(WebSocketSendMessageType::Pong, true, &out[..r.len_to], tx)
                        {
                            send(&tx[..n]);
                        }
                    }
                    _ => sink(r.end_of_message as u32),
                }
            }
            Err(_) => sink(u32::MAX),
        }
        let what = word();
        let mut message = [0u8; 128];
        let len = receive(&mut message);
        let kind = match what & 3 {
            0 => WebSocketSendMessageType::Text,
            1 => WebSocketSendMessageType::Binary,
            2 => WebSocketSendMessageType::Ping,
            _ => {
                if let Ok(n) = ws.close(WebSocketCloseStatusCode::NormalClosure, Some("bye"), tx) {
                    send(&tx[..n]);
                }
                return;
            }
        };
        match ws.write(kind, what & 4 != 0, &message[..len], tx) {
            Ok(n) => send(&tx[..n]),
            Err(_) => sink(u32::MAX),
        }
    }
}
