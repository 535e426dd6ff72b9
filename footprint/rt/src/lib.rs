//! The runtime shared by every size probe, so that it cancels out of the
//! difference to the baseline: cortex-m-rt, a panic handler that loops, and
//! a "UART" of memory-mapped registers read and written with volatile
//! accesses, so that the optimiser can see neither the input nor where the
//! output goes, and folds nothing away.
#![no_std]

use core::ptr::{read_volatile, write_volatile};

pub use cortex_m_rt::entry;

/// A received byte (low 8 bits) or a random word.
const DATA: *const u32 = 0x4000_C000 as *const u32;
/// How many bytes are waiting.
const COUNT: *const u32 = 0x4000_C004 as *const u32;
/// Where output goes.
const OUT: *mut u32 = 0x4000_C008 as *mut u32;

/// A word the optimiser cannot predict: a byte count, a flag, a clock, a
/// random number.
#[inline(never)]
pub fn word() -> u32 {
    // SAFETY: a device register on the probe's (imaginary) part; a probe is
    // only linked, never run.
    unsafe { read_volatile(DATA) }
}

/// Fill the front of `buf` with received bytes and return how many.
#[inline(never)]
pub fn receive(buf: &mut [u8]) -> usize {
    // SAFETY: as in `word`.
    let waiting = unsafe { read_volatile(COUNT) } as usize;
    let n = waiting.min(buf.len());
    for b in buf.iter_mut().take(n) {
        *b = word() as u8;
    }
    n
}

/// Report a number.
#[inline(never)]
pub fn sink(value: u32) {
    // SAFETY: as in `word`.
    unsafe { write_volatile(OUT, value) }
}

/// Transmit bytes.
#[inline(never)]
pub fn send(bytes: &[u8]) {
    for &b in bytes {
        sink(u32::from(b));
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    }
}
