//! (b) The message layer on top of (a): a server `Connection` (4 KiB
//! buffer, keepalive) receiving whole messages and control frames, sending
//! messages, fragments and pings, owed pongs and the closing handshake.
//! The handshake is assumed done.
#![no_std]
#![no_main]

use footprint_rt::entry;
use wsframe::Connection;
use wsframe_probes::{config, serve};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        if let Ok(mut conn) = Connection::server(&mut rx[..], config()) {
            conn.finish_handshake(wsframe::handshake::Finished::elsewhere());
            serve(&mut conn, &mut tx);
        }
    }
}
