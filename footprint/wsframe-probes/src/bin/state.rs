//! Not measured: carries the sizes of wsframe's state on the target as
//! the sizes of symbols, for `nm --print-size` (ci/footprint.sh).
#![no_std]
#![no_main]

use core::mem::size_of;

use footprint_rt::{entry, sink};
use wsframe::{Config, Connection, NoMask};

type Server = Connection<&'static mut [u8], NoMask>;

/// `size_of::<Connection<&mut [u8], NoMask>>()` less the buffer handle.
#[used]
#[unsafe(no_mangle)]
static WSFRAME_CONNECTION_STATE: [u8; size_of::<Server>() - size_of::<&'static mut [u8]>()] =
    [0; size_of::<Server>() - size_of::<&'static mut [u8]>()];

/// `size_of::<Config>()`, part of the above.
#[used]
#[unsafe(no_mangle)]
static WSFRAME_CONFIG: [u8; size_of::<Config>()] = [0; size_of::<Config>()];

/// `size_of::<Connection<[u8; 1024], NoMask>>()`: the 1 KiB stream setup's
/// connection with its buffer inside.
#[used]
#[unsafe(no_mangle)]
static WSFRAME_CONNECTION_1K: [u8; size_of::<Connection<[u8; 1024], NoMask>>()] =
    [0; size_of::<Connection<[u8; 1024], NoMask>>()];

#[entry]
fn main() -> ! {
    loop {
        sink(0);
    }
}
