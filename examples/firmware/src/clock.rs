//! The `embassy-time` driver of this board: SysTick at 1 kHz from the
//! 25 MHz system clock, one tick per millisecond (`embassy-time-driver`'s
//! `tick-hz-1_000`), and the timer queue of `embassy-time-queue-utils`
//! (its items live in the executor's tasks, so it has no fixed size).
//!
//! Every SysTick interrupt advances the 64-bit tick count; when the count
//! reaches the earliest deadline in the queue, the interrupt wakes the
//! tasks whose deadlines have passed and keeps the next one. Scheduling a
//! wake that moves the earliest deadline recomputes it at once (a deadline
//! already past wakes its task right away). All of it runs inside
//! `critical_section` (single core: interrupts off), so the interrupt and
//! the tasks never see the state half-updated.
//!
//! The core is woken every millisecond, as by the executor this replaced:
//! a tickless driver would program a CMSDK timer for the next deadline
//! instead. The idle cost measured in QEMU is in the README.

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_time_queue_utils::Queue;

/// The mps2 boards' system clock, which clocks SysTick (QEMU models it).
const SYSCLK_HZ: u32 = 25_000_000;

// The tick rate the reload below gives must be the one embassy-time counts in.
const _: () = assert!(embassy_time_driver::TICK_HZ == 1_000);

struct SysTickDriver {
    /// Milliseconds since [`start`].
    ticks: Mutex<Cell<u64>>,
    /// The earliest deadline in `queue` (`u64::MAX`: none).
    alarm: Mutex<Cell<u64>>,
    queue: Mutex<RefCell<Queue>>,
}

impl embassy_time_driver::Driver for SysTickDriver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| self.ticks.borrow(cs).get())
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            // Never already borrowed: every borrow is inside a critical
            // section and none calls back in here. `try_` keeps the panic
            // path out.
            let Ok(mut queue) = self.queue.borrow(cs).try_borrow_mut() else {
                return;
            };
            if queue.schedule_wake(at, waker) {
                let now = self.ticks.borrow(cs).get();
                self.alarm.borrow(cs).set(queue.next_expiration(now));
            }
        });
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    ticks: Mutex::new(Cell::new(0)),
    alarm: Mutex::new(Cell::new(u64::MAX)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

/// Start SysTick at 1 kHz from the core clock, interrupt on.
pub fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(SYSCLK_HZ / 1000 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let ticks = DRIVER.ticks.borrow(cs);
        let now = ticks.get().wrapping_add(1);
        ticks.set(now);
        let alarm = DRIVER.alarm.borrow(cs);
        if now >= alarm.get()
            && let Ok(mut queue) = DRIVER.queue.borrow(cs).try_borrow_mut()
        {
            alarm.set(queue.next_expiration(now));
        }
    });
}
