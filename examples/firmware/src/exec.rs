//! A two-function executor: `block_on` with a sleep between polls, and a
//! race of a future against a deadline (what `select!` with a timer does in
//! the tokio gateway).
//!
//! There is one task, so wakers are not needed: after a `Pending` the core
//! sleeps (`wfi`) until the next interrupt (SysTick every millisecond, or a
//! UART byte) and polls again.

use core::future::{Future, poll_fn};
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use crate::board;

/// Run `fut` to completion.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        cortex_m::asm::wfi();
    }
}

/// `Some(output)` if `fut` completes before `deadline_ms` (on the board
/// clock), `None` (dropping `fut`) otherwise.
pub async fn until<F: Future>(deadline_ms: u64, fut: F) -> Option<F::Output> {
    let mut fut = pin!(fut);
    poll_fn(|cx| match fut.as_mut().poll(cx) {
        Poll::Ready(out) => Poll::Ready(Some(out)),
        Poll::Pending if board::now_ms() >= deadline_ms => Poll::Ready(None),
        Poll::Pending => Poll::Pending,
    })
    .await
}
