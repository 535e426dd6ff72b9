//! The whole connection layer of both roles, without the opening handshake
//! (`Connection::upgraded`): every receive, event, timer and send entry
//! point (`wsframe_nopanic::serve`), then the same over the split halves
//! (`Connection::split`, a `Receiver` and a `Sender` sharing a `Link`,
//! `rejoin`), over buffers and a configuration of unpredictable size. This
//! probe leaves out the handshake's dependencies (nom, sha1_smol, base64),
//! whose own panic paths `ci/nopanic.sh` reports for the other probes.
#![no_std]
#![no_main]

use wsframe::{Connection, Link, MessageKind, NoMask, Role};
use wsframe_nopanic::{bytes, config, entry, flag, masks, now, prefix, send, serve, sink, word};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        let tx = prefix(&mut tx);
        if flag() {
            if let Ok(mut conn) =
                Connection::upgraded(Role::Server, prefix(&mut rx), config(), NoMask)
            {
                serve(&mut conn, tx);
            }
        } else if let Ok(mut conn) =
            Connection::upgraded(Role::Client, prefix(&mut rx), config(), masks)
        {
            serve(&mut conn, tx);
            // The halves, one step each, then together again.
            let link = Link::new();
            let (mut receiver, mut sender) = conn.split(&link);
            let n = receiver.handle_bytes(bytes(&mut [0u8; 256]));
            sink(n as u32);
            while let Ok(Some(event)) = receiver.poll_event() {
                sink(matches!(event, wsframe::Event::Ping(_)) as u32);
            }
            sender.handle_timeout(now());
            let n = sender.poll_transmit(tx);
            send(tx.get(..n).unwrap_or_default());
            let mut buf = [0u8; 256];
            let kind = if word() & 1 == 0 {
                MessageKind::Text
            } else {
                MessageKind::Binary
            };
            if let Ok(step) = sender.encode_next(kind, bytes(&mut buf), tx) {
                send(tx.get(..step.len).unwrap_or_default());
            }
            if let Ok(mut conn) = receiver.rejoin(sender) {
                serve(&mut conn, tx);
            }
        }
    }
}
