//! What the board gives the firmware besides the clock (`clock.rs`): the
//! device interrupt handler, an entropy seed, the semihosting command line,
//! the stack high-water mark, and a way out of QEMU.

use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;
use cortex_m_semihosting::{debug, hprintln, syscall};

use crate::uart;

/// Milliseconds since boot (embassy-time, on SysTick).
pub fn now_ms() -> u64 {
    embassy_time::Instant::now().as_millis()
}

/// The same, as the library's clock type.
pub fn now() -> wsframe::Instant {
    wsframe::Instant::from_millis(now_ms())
}

/// Device interrupts (no PAC here, so they all land in the default
/// handler). Only UART0's receive interrupt is enabled: it wakes the task
/// waiting for a byte.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == uart::UART0_RX_IRQ {
        uart::on_rx_interrupt(uart::UART0_BASE);
    }
}

/// Let UART0's receive interrupt through the NVIC.
pub fn enable_uart0_rx_irq() {
    #[derive(Clone, Copy)]
    struct Uart0Rx;
    // SAFETY: 0 is a valid device interrupt number on this board (UART0 RX).
    unsafe impl cortex_m::interrupt::InterruptNumber for Uart0Rx {
        fn number(self) -> u16 {
            uart::UART0_RX_IRQ as u16
        }
    }
    // SAFETY: the handler (`DefaultHandler`) acknowledges the UART
    // interrupt and wakes the waiting task; the waker it shares with the
    // task is behind a critical section.
    unsafe { cortex_m::peripheral::NVIC::unmask(Uart0Rx) };
}

// ---------------------------------------------------------------------------
// Entropy

/// A 64-bit seed for the handshake key and the masking keys.
///
/// The mps2 boards have no hardware RNG (neither has QEMU's model), and
/// QEMU zeroes RAM, so there is no noise to harvest on the board itself.
/// The seed mixes the host's wall clock (semihosting `SYS_TIME`, seconds),
/// the host's process clock (`SYS_CLOCK`, centiseconds) and the SysTick
/// phase at the moment of the call (it depends on how long QEMU took to get
/// here). That makes keys differ from run to run but not unpredictable to
/// someone who knows roughly when the device booted. For masking this is
/// acceptable: the mask protects intermediaries from payloads chosen by a
/// hostile script, and this firmware sends its own text. A real device
/// should seed from its TRNG (an STM32's RNG peripheral, say) or from a
/// seed kept in flash and advanced on every boot.
pub fn entropy_seed() -> u64 {
    // SAFETY: TIME and CLOCK take no arguments and only return a value.
    let time = unsafe { syscall!(TIME) } as u64;
    let clock = unsafe { syscall!(CLOCK) } as u64;
    let phase = u64::from(SYST::get_current());
    splitmix(time ^ splitmix(clock ^ splitmix(phase ^ now_ms())))
}

/// Fill `buf` from the host's `/dev/urandom` over semihosting (`SYS_OPEN`,
/// `SYS_READ`): the TLS key shares need real entropy, and in QEMU the host
/// is the only source (a real board would use its TRNG). False when the
/// host would not give all of it.
#[cfg(feature = "tls")]
pub fn host_random(buf: &mut [u8]) -> bool {
    const NAME: &[u8] = b"/dev/urandom\0";
    // SAFETY: OPEN reads the NUL-terminated name (its length without the
    // NUL is the third argument); mode 0 is "r".
    let fd = unsafe { syscall!(OPEN, NAME.as_ptr(), 0, NAME.len() - 1) } as isize;
    if fd < 0 {
        return false;
    }
    // SAFETY: READ writes at most `buf.len()` bytes into `buf`, which
    // outlives the call; it returns how many it did not read.
    let left = unsafe { syscall!(READ, fd, buf.as_mut_ptr(), buf.len()) };
    // SAFETY: CLOSE takes the handle OPEN returned.
    unsafe { syscall!(CLOSE, fd) };
    left == 0
}

/// Seconds since 1970 on the host's clock (semihosting `SYS_TIME`), for
/// the certificate's validity period.
#[cfg(feature = "tls")]
pub fn host_unix_time() -> u64 {
    // SAFETY: TIME takes no arguments and only returns a value.
    (unsafe { syscall!(TIME) }) as u64
}

/// SplitMix64's output function: spreads every input bit over the result.
pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Masking keys from an xorshift generator (as `examples/support`'s, which
/// needs std to seed it).
pub struct Masks(u64);

impl Masks {
    /// A generator from `seed` (never zero inside).
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }
}

impl wsframe::MaskSource for Masks {
    fn next_mask(&mut self) -> [u8; 4] {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 as u32).to_le_bytes()
    }
}

// ---------------------------------------------------------------------------
// Command line

/// The run time in seconds: the last number on the semihosting command line
/// (`-semihosting-config enable=on,target=native,arg=firmware,arg=30`), or
/// `default` when there is none.
pub fn run_seconds(default: u32) -> u32 {
    let mut buf = [0u8; 128];
    // SAFETY: GET_CMDLINE writes at most `buf.len()` bytes (NUL included)
    // into `buf`, which outlives the call.
    let status = unsafe { syscall!(GET_CMDLINE, buf.as_mut_ptr(), buf.len()) };
    if status != 0 {
        return default;
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let text = core::str::from_utf8(buf.get(..len).unwrap_or_default()).unwrap_or("");
    text.split_whitespace()
        .rev()
        .find_map(|word| word.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------
// Stack high-water mark

const PAINT: u32 = 0xdead_beef;

unsafe extern "C" {
    /// Lowest address the stack may use (cortex-m-rt's `link.x`).
    static _stack_end: u32;
    /// Initial stack pointer, the top of RAM (cortex-m-rt's `link.x`).
    static _stack_start: u32;
}

fn stack_bounds() -> (usize, usize) {
    // Only the addresses of these linker symbols are used, never their
    // contents.
    let bottom = &raw const _stack_end as usize;
    let top = &raw const _stack_start as usize;
    (bottom, top)
}

/// Fill the unused stack (below the caller's frame, less a margin for this
/// function) with a pattern, for [`stack_high_water`]. Call first thing.
#[inline(never)]
pub fn paint_stack() {
    let (bottom, _) = stack_bounds();
    let sp = cortex_m::register::msp::read() as usize;
    let mut addr = bottom;
    while addr + 4 <= sp.saturating_sub(256) {
        // SAFETY: `bottom..sp - 256` is RAM between the end of the
        // statics and this function's frame: nothing lives there yet.
        unsafe { core::ptr::write_volatile(addr as *mut u32, PAINT) };
        addr += 4;
    }
}

/// Deepest stack use so far in bytes: from the top of RAM down to the
/// lowest word that no longer holds the pattern. Also returns the stack's
/// size (from the end of the statics to the top of RAM).
pub fn stack_high_water() -> (usize, usize) {
    let (bottom, top) = stack_bounds();
    let mut addr = bottom;
    while addr < top {
        // SAFETY: inside the stack region, word-aligned (link.x aligns
        // `_stack_end` to 4).
        if unsafe { core::ptr::read_volatile(addr as *const u32) } != PAINT {
            break;
        }
        addr += 4;
    }
    (top - addr, top - bottom)
}

// ---------------------------------------------------------------------------
// Leaving

/// Report the stack use and leave QEMU with `ok` as the exit status.
pub fn exit(ok: bool) -> ! {
    let (used, size) = stack_high_water();
    hprintln!("firmware: stack high-water mark {} of {} bytes", used, size);
    hprintln!("firmware: exit {}", if ok { "ok" } else { "failure" });
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("firmware: panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
