//! edge-ws's frame codec: the same work as wsframe's (a).
#![no_std]
#![no_main]

use footprint_rt::entry;
use peer_edge_ws::frames;

#[entry]
fn main() -> ! {
    let mut buf = [0u8; 256];
    loop {
        frames(&mut buf);
    }
}
