//! The handshake helpers on their own, as a firmware that serves plain
//! HTTP beside WebSocket or runs its own upgrade would call them:
//! `parse_head` and `Head`'s accessors, `eq_ignore_case`, `accept_key`,
//! `encode_key`, `reason_phrase`.
#![no_std]
#![no_main]

use wsframe::Status;
use wsframe::handshake::{accept_key, encode_key, eq_ignore_case, parse_head, reason_phrase};
use wsframe_nopanic::{bytes, entry, fill, limits, send, sink, text, word};

#[entry]
fn main() -> ! {
    loop {
        let mut input = [0u8; 256];
        match word() & 3 {
            0 => {
                if let Ok(Status::Complete(head)) = parse_head::<16>(bytes(&mut input), &limits()) {
                    let mut name = [0u8; 32];
                    let name = text(&mut name);
                    send(head.header(name).unwrap_or_default());
                    for token in head.tokens(name) {
                        send(token.as_bytes());
                    }
                    send(head.method.as_bytes());
                    send(head.path.as_bytes());
                    sink(head.head_len as u32 ^ u32::from(eq_ignore_case(name, head.path)));
                }
            }
            1 => {
                send(&accept_key(bytes(&mut input)));
                let mut nonce = [0u8; 16];
                fill(&mut nonce);
                send(&encode_key(&nonce));
            }
            _ => send(reason_phrase(word() as u16).unwrap_or_default().as_bytes()),
        }
    }
}
