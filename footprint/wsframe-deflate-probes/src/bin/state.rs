//! Not measured: carries the sizes of the deflate state on the target as
//! the sizes of symbols, for `nm --print-size` (ci/footprint.sh).
#![no_std]
#![no_main]

use core::mem::size_of;

use footprint_rt::{entry, sink};
use wsframe::deflate::{Deflater, Inflater};

/// `size_of::<Inflater<&mut [u8]>>()`: the decompressor's state, without
/// the window (caller memory: 2^bits bytes).
#[used]
#[unsafe(no_mangle)]
static WSFRAME_INFLATER: [u8; size_of::<Inflater<&'static mut [u8]>>()] =
    [0; size_of::<Inflater<&'static mut [u8]>>()];

/// `size_of::<Deflater<&mut [u16]>>()`: the compressor's state, without
/// the table (caller memory: 2 bytes an entry).
#[used]
#[unsafe(no_mangle)]
static WSFRAME_DEFLATER: [u8; size_of::<Deflater<&'static mut [u16]>>()] =
    [0; size_of::<Deflater<&'static mut [u16]>>()];

#[entry]
fn main() -> ! {
    loop {
        sink(0);
    }
}
