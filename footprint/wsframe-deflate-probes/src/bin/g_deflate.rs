//! (g) (f) plus the compressor: messages sent compressed with a 1,024-entry
//! (2 KiB) hash table.
#![no_std]
#![no_main]

use footprint_rt::entry;
use wsframe::Connection;
use wsframe::deflate::{Deflater, Inflater};
use wsframe_deflate_probes::accept;
use wsframe_probes::{config, serve};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    let mut window = [0u8; 4096];
    let mut table = [0u16; 1024];
    loop {
        let Ok(inflater) = Inflater::new(&mut window[..]) else {
            continue;
        };
        if let Ok(conn) = Connection::server(&mut rx[..], config()) {
            let mut conn = conn.with_deflate(inflater, Deflater::new(&mut table[..]));
            if accept(&mut conn, &mut tx) {
                serve(&mut conn, &mut tx);
            }
        }
    }
}
