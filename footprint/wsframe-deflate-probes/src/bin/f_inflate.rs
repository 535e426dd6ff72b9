//! (f) (c) with permessage-deflate received: an `Inflater` with a 4 KiB
//! window (bits 12), negotiated in the handshake; sends stay plain.
#![no_std]
#![no_main]

use footprint_rt::entry;
use wsframe::Connection;
use wsframe::deflate::Inflater;
use wsframe_deflate_probes::accept;
use wsframe_probes::{config, serve};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    let mut window = [0u8; 4096];
    loop {
        let Ok(inflater) = Inflater::new(&mut window[..]) else {
            continue;
        };
        if let Ok(conn) = Connection::server(&mut rx[..], config()) {
            let mut conn = conn.with_deflate(inflater, ());
            if accept(&mut conn, &mut tx) {
                serve(&mut conn, &mut tx);
            }
        }
    }
}
