//! (d) (c) plus the client side (`wsframe_probes::connect`): `Url::parse`,
//! `ClientRequest::encode` with a random key and a subprotocol,
//! `check_response`, and the connection in the client role. Both roles use
//! one `Connection` type (a `fn` mask source; the server never calls it),
//! so the message layer is linked once.
#![no_std]
#![no_main]

use footprint_rt::{entry, word};
use wsframe::{Connection, Role};
use wsframe_probes::{accept, config, connect, masks, serve};

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    let masks: fn() -> [u8; 4] = masks;
    loop {
        if word() & 1 == 0 {
            connect(&mut rx, &mut tx);
            continue;
        }
        if let Ok(mut conn) = Connection::new(Role::Server, &mut rx[..], config(), masks)
            && accept(&mut conn, &mut tx)
        {
            serve(&mut conn, &mut tx);
        }
    }
}
