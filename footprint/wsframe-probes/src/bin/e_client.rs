//! (e) A client-only firmware, the gateway of the design: (b) in the
//! client role plus the client handshake (`wsframe_probes::connect`), no
//! server handshake.
#![no_std]
#![no_main]

use footprint_rt::entry;
use wsframe_probes::connect;

#[entry]
fn main() -> ! {
    let mut rx = [0u8; 4096];
    let mut tx = [0u8; 512];
    loop {
        connect(&mut rx, &mut tx);
    }
}
