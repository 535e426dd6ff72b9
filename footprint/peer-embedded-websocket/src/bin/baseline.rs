//! The empty probe: the runtime and the UART, no wsframe. Every other
//! probe is measured as its difference to this one.
#![no_std]
#![no_main]

use footprint_rt::{entry, receive, send};

#[entry]
fn main() -> ! {
    loop {
        let mut buf = [0u8; 64];
        let n = receive(&mut buf);
        send(&buf[..n]);
    }
}
