//! A WebSocket client on a Cortex-M4 (QEMU `mps2-an386`) that joins the
//! chat room of `examples/chat_server.rs` through UART0.
//!
//! The UART is the byte stream (a host relay joins it to the server's TCP
//! port, see `examples/uart_relay.rs`); semihosting is the console. The
//! firmware opens `ws://127.0.0.1:8080/ws` with the gateway example's
//! no-std `bridge` (shared source, `examples/support/bridge.rs`), says
//! hello to the room, prints every message it receives, and forwards each
//! one back to the room tagged `[cortex-m] heard: ` (its own tagged lines
//! and the server's `* ` notices are not forwarded, so it never answers
//! itself). Pings are answered by the library (auto-pong); the keepalive
//! pings it owes after 20 s of silence go out on the SysTick clock. It
//! closes (1000) and leaves QEMU after the run time (the last number on the
//! semihosting command line, 60 s by default) or on a "quit" message.

#![no_std]
#![no_main]

mod board;
mod exec;
mod uart;

#[allow(dead_code)] // the tokio gateway uses the rest
#[path = "../../support/bridge.rs"]
mod bridge;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use heapless::String;
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::Error;
use wsframe::{CloseCode, Event};

use crate::uart::Uart;

/// The chat room (the Host header and path; the relay decides where the
/// bytes really go).
const URL: &str = "ws://127.0.0.1:8080/ws";
/// Every line this firmware sends starts with this.
const TAG: &str = "[cortex-m]";
/// The first line it sends.
const GREETING: &str = "[cortex-m] hello from cortex-m";
/// Run time when the command line names none.
const DEFAULT_SECONDS: u32 = 60;
/// How long to wait for the server's Close after sending ours.
const CLOSE_GRACE_MS: u64 = 3_000;
/// Receive buffer: a message up to about 3.7 KiB (the rest is the control
/// frame slots and header room); a longer one is refused with 1009.
const RX_LEN: usize = 4096;
/// Transmit buffer: the handshake request and outgoing frames (longer
/// messages go out as fragments).
const TX_LEN: usize = 512;

#[entry]
fn main() -> ! {
    board::paint_stack();
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        board::exit(false)
    };
    board::start_clock(peripherals.SYST);
    // SAFETY: UART0 is used by nothing else in this firmware.
    let uart = unsafe { Uart::new(uart::UART0_BASE, 16) };
    board::enable_uart0_rx_irq();
    let seconds = board::run_seconds(DEFAULT_SECONDS);
    hprintln!("firmware: up, running for at most {} s", seconds);

    let (Some(rx), Some(tx), Some(outbox)) = (
        cortex_m::singleton!(: [u8; RX_LEN] = [0; RX_LEN]),
        cortex_m::singleton!(: [u8; TX_LEN] = [0; TX_LEN]),
        cortex_m::singleton!(: bridge::Outbox = bridge::Outbox::default()),
    ) else {
        board::exit(false)
    };
    let ok = exec::block_on(run(uart, rx, tx, outbox, seconds));
    hprintln!("firmware: ran {} ms", board::now_ms());
    board::exit(ok)
}

/// One session: connect, greet, relay until the time is up or "quit", close.
/// True when it ended with a clean closing handshake.
async fn run(
    uart: Uart,
    rx: &mut [u8],
    tx: &mut [u8],
    outbox: &mut bridge::Outbox,
    seconds: u32,
) -> bool {
    let Ok(url) = Url::parse(URL) else {
        hprintln!("firmware: bad URL {}", URL);
        return false;
    };
    let seed = board::entropy_seed();
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&board::splitmix(seed).to_le_bytes());
    key[8..].copy_from_slice(&board::splitmix(!seed).to_le_bytes());
    let request = ClientRequest::new(&url, key);
    let masks = board::Masks::new(board::splitmix(seed ^ 0x5eed));

    // The run time bounds the handshake too.
    let end_ms = board::now_ms() + u64::from(seconds) * 1000;
    let mut ws = match exec::until(end_ms, bridge::open(uart, rx, tx, masks, &request)).await {
        Some(Ok(ws)) => ws,
        Some(Err(e)) => {
            hprintln!("firmware: handshake failed: {}", e);
            return false;
        }
        None => {
            hprintln!("firmware: no handshake answer within {} s", seconds);
            return false;
        }
    };
    hprintln!("firmware: connected to {} at {} ms", URL, board::now_ms());

    outbox.push(GREETING);
    // Set once our Close is sent: the time by which the server's must be in.
    let mut closing_until: Option<u64> = None;
    let mut received: u32 = 0;
    loop {
        if closing_until.is_none()
            && let Err(e) = outbox.flush(&mut ws).await
        {
            hprintln!("firmware: send failed: {}", e);
            return false;
        }
        let keepalive = ws
            .connection()
            .poll_timeout()
            .map_or(u64::MAX, wsframe::Instant::as_millis);
        let wake = keepalive.min(closing_until.unwrap_or(end_ms));
        let mut quit = false;
        match exec::until(wake, ws.read()).await {
            Some(Ok(event)) => {
                bridge::deliver(&event, &mut |text| {
                    received += 1;
                    hprintln!("firmware: received: {}", text);
                    if text.trim() == "quit" {
                        quit = true;
                    } else if !text.starts_with(TAG) && !text.starts_with("* ") {
                        outbox.push(&forwarded(text));
                    }
                });
                match event {
                    Event::Ping(_) => hprintln!("firmware: ping answered"),
                    Event::Pong(_) => hprintln!("firmware: keepalive pong"),
                    Event::Close(frame) => hprintln!(
                        "firmware: server closed: {:?}",
                        frame.map(|f| u16::from(f.code))
                    ),
                    _ => {}
                }
            }
            Some(Err(Error::Closed)) => {
                hprintln!(
                    "firmware: closed cleanly after {} message(s), {} line(s) dropped",
                    received,
                    outbox.dropped
                );
                return true;
            }
            Some(Err(e)) => {
                hprintln!("firmware: connection failed: {}", e);
                return false;
            }
            None => {}
        }
        let now = board::now_ms();
        if let Err(e) = ws.handle_timeout(board::now()).await {
            hprintln!("firmware: keepalive: {}", e);
            return false;
        }
        match closing_until {
            None if quit || now >= end_ms => {
                let reason = if quit { "quit" } else { "time is up" };
                hprintln!("firmware: closing ({})", reason);
                // Lines still queued go first.
                if let Err(e) = outbox.flush(&mut ws).await {
                    hprintln!("firmware: send failed: {}", e);
                    return false;
                }
                if let Err(e) = ws.close(CloseCode::NORMAL, reason).await {
                    hprintln!("firmware: close failed: {}", e);
                    return false;
                }
                closing_until = Some(now + CLOSE_GRACE_MS);
            }
            Some(limit) if now >= limit => {
                hprintln!("firmware: the server did not answer our Close");
                return false;
            }
            _ => {}
        }
    }
}

/// `text` tagged for the room, cut at a character boundary to fit a line.
fn forwarded(text: &str) -> String<{ bridge::LINE }> {
    let mut line: String<{ bridge::LINE }> = String::new();
    for piece in [TAG, " heard: "] {
        let _ = line.push_str(piece);
    }
    for c in text.chars() {
        if line.push(c).is_err() {
            break;
        }
    }
    line
}
