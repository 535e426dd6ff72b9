//! The small-RAM server: (c) over a 1 KiB receive buffer in
//! `RecvMode::Stream`, so that messages of any length (the 1 MiB default
//! cap) pass through as chunks.
#![no_std]
#![no_main]

use footprint_rt::entry;
use wsframe::{Connection, RecvMode};
use wsframe_probes::{accept, config, serve};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 1024];
    let mut tx = [0u8; 256];
    loop {
        let config = config().with_recv_mode(RecvMode::Stream);
        if let Ok(mut conn) = Connection::server(&mut rx[..], config)
            && accept(&mut conn, &mut tx)
        {
            serve(&mut conn, &mut tx);
        }
    }
}
