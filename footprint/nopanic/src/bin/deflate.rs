//! The connection layer of both roles with permessage-deflate agreed
//! (`deflate` feature): every receive, event, timer and send entry point
//! (`wsframe_nopanic::serve`) over an `Inflater` and a `Deflater` of
//! unpredictable window, table and parameters, so compressed messages are
//! inflated and sent compressed. It leaves out the handshake; the panic
//! paths it may link are `miniz_oxide`'s (inflate's named dependency),
//! which `ci/nopanic-classify.py` attributes.
#![no_std]
#![no_main]

use wsframe::deflate::{Deflater, Inflater, Params};
use wsframe::handshake::Finished;
use wsframe::{Connection, Role};
use wsframe_nopanic::{config, entry, flag, masks, prefix, serve, word};

fn params() -> Params {
    let w = word();
    Params {
        server_no_context_takeover: w & 1 != 0,
        client_no_context_takeover: w & 2 != 0,
        server_max_window_bits: (w >> 8) as u8,
        client_max_window_bits: (w >> 16) as u8,
    }
}

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    let mut window = [0u8; 1 << 15];
    let mut table = [0u16; 1024];
    loop {
        let tx = prefix(&mut tx);
        let Ok(inflater) = Inflater::new(prefix(&mut window)) else {
            continue;
        };
        let deflater = Deflater::new(&mut table[..])
            .with_window_bits(word() as u8)
            .with_threshold(word() as usize);
        let head = Finished::elsewhere().with_deflate(Some(params()));
        if flag() {
            if let Ok(conn) = Connection::server(prefix(&mut rx), config()) {
                let mut conn = conn.with_deflate(inflater, deflater);
                conn.finish_handshake(head);
                serve(&mut conn, tx);
            }
        } else if let Ok(conn) = Connection::new(Role::Client, prefix(&mut rx), config(), masks) {
            let mut conn = conn.with_deflate(inflater, deflater);
            conn.finish_handshake(head);
            serve(&mut conn, tx);
        }
    }
}
