//! The CMSDK APB UART (ARM DDI 0479C, "Cortex-M System Design Kit",
//! §4.5) as an `embedded-io` / `embedded-io-async` 0.7 byte stream.
//!
//! QEMU's model has a one-byte receive holding register and transmits a
//! written byte at once; the chardev behind it (a TCP socket here) is only
//! read when the holding register is empty, so TCP flow control reaches
//! the peer. The register accesses are the only `unsafe` code of the UART;
//! everything above them is safe.
//!
//! The async read registers the task's waker before it looks at the
//! receive register; the receive interrupt ([`on_rx_interrupt`]) wakes it.

use core::cell::Cell;
use core::convert::Infallible;
use core::future::poll_fn;
use core::ptr::{read_volatile, write_volatile};
use core::task::{Poll, Waker};

use critical_section::Mutex;

/// UART0 of the mps2-an385/an386 boards.
pub const UART0_BASE: usize = 0x4000_4000;
/// UART0's receive interrupt line on the mps2-an385/an386 boards (its
/// transmit interrupt is 1).
pub const UART0_RX_IRQ: i16 = 0;

const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const INTSTATUS: usize = 0x0c;
const BAUDDIV: usize = 0x10;

const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const CTRL_TX_EN: u32 = 1 << 0;
const CTRL_RX_EN: u32 = 1 << 1;
const CTRL_RX_INT_EN: u32 = 1 << 3;
const INT_RX: u32 = 1 << 1;

fn read_reg(base: usize, offset: usize) -> u32 {
    // SAFETY: `base` is a CMSDK UART register block (checked by the
    // constructors' callers); `offset` is one of the word-aligned register
    // offsets above, all inside the block; reading has no side effect
    // except on DATA, which only `Uart` (the single owner) reads.
    unsafe { read_volatile((base + offset) as *const u32) }
}

fn write_reg(base: usize, offset: usize, value: u32) {
    // SAFETY: as in `read_reg`; writes go to registers of the UART this
    // code owns (or, for INTSTATUS, only clear its interrupt flag).
    unsafe { write_volatile((base + offset) as *mut u32, value) }
}

/// The task waiting for a byte of UART0 (the only UART used).
static RX_WAKER: Mutex<Cell<Option<Waker>>> = Mutex::new(Cell::new(None));

/// The receive interrupt of the UART at `base`: acknowledge it and wake the
/// task waiting for a byte (the byte itself stays in DATA until [`Uart`]
/// reads it).
pub fn on_rx_interrupt(base: usize) {
    write_reg(base, INTSTATUS, INT_RX);
    if let Some(waker) = critical_section::with(|cs| RX_WAKER.borrow(cs).take()) {
        waker.wake();
    }
}

/// Have `waker` woken by the next receive interrupt.
fn wake_on_rx(waker: &Waker) {
    critical_section::with(|cs| {
        let slot = RX_WAKER.borrow(cs);
        match slot.take() {
            Some(old) if old.will_wake(waker) => slot.set(Some(old)),
            _ => slot.set(Some(waker.clone())),
        }
    });
}

/// One CMSDK UART, owned.
pub struct Uart {
    base: usize,
}

impl Uart {
    /// Take the UART at `base`, enable transmit, receive and the receive
    /// interrupt. `bauddiv` must be at least 16 (QEMU drops bytes otherwise);
    /// the rate itself does not matter in QEMU.
    ///
    /// # Safety
    /// `base` must be the register block of a CMSDK APB UART that nothing
    /// else uses.
    pub unsafe fn new(base: usize, bauddiv: u32) -> Self {
        write_reg(base, BAUDDIV, bauddiv.max(16));
        write_reg(base, CTRL, CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN);
        Self { base }
    }

    /// A byte is waiting in the receive register.
    pub fn rx_full(&self) -> bool {
        read_reg(self.base, STATE) & STATE_RX_FULL != 0
    }

    fn tx_full(&self) -> bool {
        read_reg(self.base, STATE) & STATE_TX_FULL != 0
    }

    /// Move every byte waiting in the UART into `buf`; returns how many.
    pub fn drain(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0;
        for slot in buf.iter_mut() {
            if !self.rx_full() {
                break;
            }
            *slot = read_reg(self.base, DATA) as u8;
            n += 1;
        }
        n
    }

    /// Pending until a byte is waiting (the receive interrupt wakes the
    /// task); takes nothing, so dropping it loses nothing.
    pub async fn readable(&mut self) {
        poll_fn(|cx| {
            // First the waker, then the register: a byte that comes in
            // between raises the interrupt, which finds the waker.
            wake_on_rx(cx.waker());
            if self.rx_full() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }

    /// Send `buf`, spinning while the transmitter is full.
    pub fn write_all_now(&mut self, buf: &[u8]) {
        for &byte in buf {
            while self.tx_full() {
                core::hint::spin_loop();
            }
            write_reg(self.base, DATA, u32::from(byte));
        }
    }
}

impl embedded_io::ErrorType for Uart {
    type Error = Infallible;
}

impl embedded_io::Read for Uart {
    /// Blocks (sleeping between interrupts) until at least one byte is in.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        while !self.rx_full() {
            cortex_m::asm::wfi();
        }
        Ok(self.drain(buf))
    }
}

impl embedded_io::ReadReady for Uart {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.rx_full())
    }
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.write_all_now(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_io::WriteReady for Uart {
    fn write_ready(&mut self) -> Result<bool, Infallible> {
        Ok(!self.tx_full())
    }
}

impl embedded_io_async::Read for Uart {
    /// Pending until a byte is in (the receive interrupt wakes the task),
    /// then everything waiting. Cancel-safe: bytes are only taken from the
    /// UART in the poll that returns them.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.readable().await;
        Ok(self.drain(buf))
    }
}

impl embedded_io_async::Write for Uart {
    /// The UART transmits a byte per register write; waiting for the
    /// transmitter is a short spin, not worth a yield.
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.write_all_now(buf);
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
