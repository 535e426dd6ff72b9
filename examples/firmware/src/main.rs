//! A WebSocket client on a Cortex-M4 (QEMU `mps2-an386`) that joins the
//! chat room of `examples/chat_server.rs` through UART0.
//!
//! The UART is the byte stream (a host relay joins it to the server's TCP
//! port, see `examples/uart_relay.rs`); semihosting is the console. The
//! firmware opens `ws://127.0.0.1:8080/ws` (with the `tls` feature:
//! `wss://localhost/ws`, TLS 1.3 through embedded-tls, `tls.rs`, the
//! server's certificate checked against a CA built in) with the gateway example's
//! no-std `bridge` (shared source, `examples/support/bridge.rs`), says
//! hello to the room, prints every message it receives, and forwards each
//! one back to the room tagged `[cortex-m] heard: ` (its own tagged lines
//! and the server's `* ` notices are not forwarded, so it never answers
//! itself). Pings are answered by the library (auto-pong); the keepalive
//! pings it owes after 20 s of silence go out on embassy-time.
//!
//! It runs as one `embassy-executor` task (thread mode, `wfe` between
//! polls); every wait is an `embassy-time` deadline, on the SysTick driver
//! of `clock.rs`.
//!
//! When a session ends without "quit" (the server closed, the link failed,
//! the handshake failed or took over 10 s, or the keepalive found the peer
//! dead) it waits a backoff (an embassy-time `Timer`) (1 s, doubling to at most 30 s; back
//! to 1 s after a session that connected) and starts a fresh handshake with
//! a fresh key over the same UART. It closes (1000) and leaves QEMU after
//! the run time (the last number on the semihosting command line, 60 s by
//! default) or on a "quit" message.

#![no_std]
#![no_main]

mod board;
mod clock;
#[cfg(feature = "tls")]
mod tls;
mod uart;

#[allow(dead_code)] // the tokio gateway uses the rest
#[path = "../../support/bridge.rs"]
mod bridge;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use embassy_executor::Executor;
use embassy_time::{Instant, Timer};
use embedded_io_async::{Read, Write};
use heapless::String;
use wsframe::deflate::{self, Deflater, Inflater};
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::Error;
use wsframe::{CloseCode, Event};

use crate::uart::Uart;

/// The chat room (the Host header and path; the relay decides where the
/// bytes really go).
#[cfg(not(feature = "tls"))]
const URL: &str = "ws://127.0.0.1:8080/ws";
/// The chat room over TLS: the host is the name the server's certificate
/// must carry ([`tls::SERVER_NAME`]).
#[cfg(feature = "tls")]
const URL: &str = "wss://localhost/ws";
/// How long a TLS handshake may take (ECDH and two ECDSA checks in
/// software) before the attempt counts as failed.
#[cfg(feature = "tls")]
const TLS_HANDSHAKE_MS: u64 = 20_000;
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
/// permessage-deflate (RFC 7692): the inflate window, 2^10 bytes (offered
/// as `server_max_window_bits=10`), and the compressor's hash table.
const WINDOW_BITS: u8 = 10;
const TABLE_LEN: usize = 256;
/// How long a handshake may take before the attempt counts as failed.
const HANDSHAKE_MS: u64 = 10_000;
/// The first reconnect backoff; it doubles per failed attempt up to
/// [`BACKOFF_MAX_MS`] and starts again after a session that connected.
const BACKOFF_FIRST_MS: u64 = 1_000;
/// The longest backoff.
const BACKOFF_MAX_MS: u64 = 30_000;
/// Before a handshake the UART must have been quiet this long...
const DRAIN_QUIET_MS: u64 = 50;
/// ...or this long spent throwing away what it still brought.
const DRAIN_MAX_MS: u64 = 1_000;

#[entry]
fn main() -> ! {
    board::paint_stack();
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        board::exit(false)
    };
    clock::start(peripherals.SYST);
    // SAFETY: UART0 is used by nothing else in this firmware.
    let uart = unsafe { Uart::new(uart::UART0_BASE, 16) };
    board::enable_uart0_rx_irq();
    let seconds = board::run_seconds(DEFAULT_SECONDS);
    hprintln!("firmware: up, running for at most {} s", seconds);

    let (Some(rx), Some(tx), Some(outbox), Some(executor)) = (
        cortex_m::singleton!(: [u8; RX_LEN] = [0; RX_LEN]),
        cortex_m::singleton!(: [u8; TX_LEN] = [0; TX_LEN]),
        cortex_m::singleton!(: bridge::Outbox = bridge::Outbox::default()),
        cortex_m::singleton!(: Executor = Executor::new()),
    ) else {
        board::exit(false)
    };
    // The inflater's state (about 10 KiB) and its window, and the
    // compressor and its table, in statics: the session borrows them.
    let (Some(window), Some(table)) = (
        cortex_m::singleton!(: [u8; 1 << WINDOW_BITS] = [0; 1 << WINDOW_BITS]),
        cortex_m::singleton!(: [u16; TABLE_LEN] = [0; TABLE_LEN]),
    ) else {
        board::exit(false)
    };
    let Ok(inflater) = Inflater::new(&mut window[..]) else {
        board::exit(false)
    };
    let (Some(inflater), Some(deflater)) = (
        cortex_m::singleton!(: Inflater<&'static mut [u8]> = inflater),
        cortex_m::singleton!(: Deflater<&'static mut [u16]> = Deflater::new(&mut table[..])),
    ) else {
        board::exit(false)
    };
    #[cfg(feature = "tls")]
    let (Some(tls_read), Some(tls_write)) = (
        cortex_m::singleton!(: [u8; tls::READ_LEN] = [0; tls::READ_LEN]),
        cortex_m::singleton!(: [u8; tls::WRITE_LEN] = [0; tls::WRITE_LEN]),
    ) else {
        board::exit(false)
    };
    let buffers = Buffers {
        rx,
        tx,
        outbox,
        inflater,
        deflater,
        #[cfg(feature = "tls")]
        tls_read,
        #[cfg(feature = "tls")]
        tls_write,
    };
    executor.run(|spawner| match firmware(uart, buffers, seconds) {
        Ok(task) => spawner.spawn(task),
        Err(_) => board::exit(false),
    })
}

/// Every buffer of the firmware, in statics.
struct Buffers {
    rx: &'static mut [u8; RX_LEN],
    tx: &'static mut [u8; TX_LEN],
    outbox: &'static mut bridge::Outbox,
    inflater: &'static mut Inflater<&'static mut [u8]>,
    deflater: &'static mut Deflater<&'static mut [u16]>,
    #[cfg(feature = "tls")]
    tls_read: &'static mut [u8; tls::READ_LEN],
    #[cfg(feature = "tls")]
    tls_write: &'static mut [u8; tls::WRITE_LEN],
}

/// The one task: the sessions, then the exit (with the run's status).
#[embassy_executor::task]
async fn firmware(uart: Uart, buffers: Buffers, seconds: u32) {
    let ok = run(uart, buffers, seconds).await;
    hprintln!("firmware: ran {} ms", board::now_ms());
    board::exit(ok)
}

/// `Some(output)` if `fut` completes before `deadline_ms` (embassy-time
/// milliseconds since boot), `None` (dropping `fut`) otherwise.
async fn until<F: Future>(deadline_ms: u64, fut: F) -> Option<F::Output> {
    embassy_time::with_deadline(Instant::from_millis(deadline_ms), fut)
        .await
        .ok()
}

/// How one session ended.
enum Ended {
    /// "quit" was received; true when the closing handshake completed.
    Quit(bool),
    /// The run time is up; true when a session was open and closed cleanly.
    TimeUp(bool),
    /// The server closed, the link failed, the handshake failed or timed
    /// out, or the peer went silent: try again after the backoff. True when
    /// the handshake had succeeded (which resets the backoff).
    Lost(bool),
    /// Nothing can be tried again (say no entropy for TLS): end the run
    /// with failure.
    #[cfg(feature = "tls")]
    Fatal,
}

/// Backoff before reconnect attempt `attempt` (1, 2, ...): 1 s doubling
/// to at most [`BACKOFF_MAX_MS`].
fn backoff_ms(attempt: u32) -> u64 {
    BACKOFF_FIRST_MS
        .checked_shl(attempt.saturating_sub(1).min(16))
        .unwrap_or(BACKOFF_MAX_MS)
        .min(BACKOFF_MAX_MS)
}

/// Sessions until "quit" or the run time is up, reconnecting with a
/// backoff in between. True when the last one ended with a clean closing
/// handshake.
async fn run(mut uart: Uart, buffers: Buffers, seconds: u32) -> bool {
    let Buffers {
        rx,
        tx,
        outbox,
        inflater,
        deflater,
        ..
    } = buffers;
    #[cfg(feature = "tls")]
    let (tls_read, tls_write) = (buffers.tls_read, buffers.tls_write);
    let Ok(url) = Url::parse(URL) else {
        hprintln!("firmware: bad URL {}", URL);
        return false;
    };
    let end_ms = board::now_ms() + u64::from(seconds) * 1000;
    let mut seed = board::entropy_seed();
    // Failed attempts since the last session that connected.
    let mut attempt: u32 = 0;
    loop {
        // A fresh handshake key and mask generator per session.
        seed = board::splitmix(seed ^ board::now_ms());
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&board::splitmix(seed).to_le_bytes());
        key[8..].copy_from_slice(&board::splitmix(!seed).to_le_bytes());
        // permessage-deflate offered with the small window: the server
        // compresses within 2^10 bytes for us.
        let offer = deflate::Offer {
            inflate_window_bits: WINDOW_BITS,
            ..deflate::Offer::DEFAULT
        };
        let request = ClientRequest::new(&url, key).with_deflate(offer);
        let memory = Memory {
            inflater: &mut *inflater,
            deflater: &mut *deflater,
        };
        let masks = board::Masks::new(board::splitmix(seed ^ 0x5eed));
        drain(&mut uart).await;
        #[cfg(not(feature = "tls"))]
        let ended = session(&mut uart, rx, tx, memory, outbox, &request, masks, end_ms).await;
        #[cfg(feature = "tls")]
        let ended = {
            let buffers = (
                &mut tls_read[..],
                &mut tls_write[..],
                &mut rx[..],
                &mut tx[..],
            );
            tls_session(&mut uart, buffers, memory, outbox, &request, masks, end_ms).await
        };
        match ended {
            Ended::Quit(clean) | Ended::TimeUp(clean) => return clean,
            #[cfg(feature = "tls")]
            Ended::Fatal => return false,
            Ended::Lost(connected) => {
                attempt = if connected {
                    1
                } else {
                    attempt.saturating_add(1)
                };
            }
        }
        let wait = backoff_ms(attempt);
        let now = board::now_ms();
        if now.saturating_add(wait) >= end_ms {
            hprintln!("firmware: run time is up while disconnected");
            return false;
        }
        hprintln!(
            "firmware: reconnecting in {} ms (attempt {})",
            wait,
            attempt
        );
        Timer::at(Instant::from_millis(now + wait)).await;
    }
}

/// Throw away whatever the UART still holds from the last session (say the
/// rest of a refused handshake's answer): read until it has been quiet for
/// [`DRAIN_QUIET_MS`], at most [`DRAIN_MAX_MS`]. QEMU hands the UART one
/// byte at a time, so an empty receive register alone does not mean the
/// line is quiet.
async fn drain(uart: &mut Uart) {
    use embedded_io_async::Read;
    let give_up = board::now_ms() + DRAIN_MAX_MS;
    let mut scratch = [0u8; 64];
    let mut thrown = 0usize;
    while board::now_ms() < give_up {
        let quiet_at = (board::now_ms() + DRAIN_QUIET_MS).min(give_up);
        match until(quiet_at, uart.read(&mut scratch)).await {
            Some(Ok(n)) => thrown += n,
            Some(Err(_)) | None => break,
        }
    }
    if thrown > 0 {
        hprintln!("firmware: dropped {} stale byte(s)", thrown);
    }
}

/// One TLS session: the TLS handshake (the server's certificate checked
/// against the built-in CA), then the WebSocket [`session`] over it, then
/// the TLS close (close_notify).
#[cfg(feature = "tls")]
async fn tls_session(
    uart: &mut Uart,
    (tls_read, tls_write, rx, tx): (&mut [u8], &mut [u8], &mut [u8], &mut [u8]),
    memory: Memory<'_>,
    outbox: &mut bridge::Outbox,
    request: &ClientRequest<'_>,
    masks: board::Masks,
    end_ms: u64,
) -> Ended {
    use embedded_tls::{TlsConfig, TlsConnection, TlsContext};

    let Some(mut provider) = tls::Provider::new() else {
        hprintln!("firmware: TLS: no entropy from the host (/dev/urandom over semihosting)");
        return Ended::Fatal;
    };
    let config = TlsConfig::new().with_server_name(tls::SERVER_NAME);
    let mut conn: TlsConnection<'_, _, tls::Suite> =
        TlsConnection::new(tls::Records::new(uart), tls_read, tls_write);
    let started = board::now_ms();
    let deadline = end_ms.min(started + TLS_HANDSHAKE_MS);
    match until(deadline, conn.open(TlsContext::new(&config, &mut provider))).await {
        Some(Ok(())) if provider.verifier.authenticated() => {}
        Some(Ok(())) => {
            hprintln!("firmware: TLS handshake failed: the server sent no verified certificate");
            return lost_or_time_up(false, end_ms);
        }
        Some(Err(e)) => {
            hprintln!("firmware: TLS handshake failed: {:?}", e);
            return lost_or_time_up(false, end_ms);
        }
        None => {
            hprintln!("firmware: no TLS handshake in time");
            return lost_or_time_up(false, end_ms);
        }
    }
    hprintln!(
        "firmware: TLS 1.3 handshake done in {} ms: {} certified by the built-in CA",
        board::now_ms() - started,
        tls::SERVER_NAME
    );
    let ended = session(&mut conn, rx, tx, memory, outbox, request, masks, end_ms).await;
    // close_notify: only UART writes, which do not wait.
    match conn.close().await {
        Ok(_) => hprintln!("firmware: TLS closed (close_notify sent)"),
        Err((_, e)) => hprintln!("firmware: TLS close failed: {:?}", e),
    }
    ended
}

/// The session's permessage-deflate memory.
struct Memory<'a> {
    inflater: &'a mut Inflater<&'static mut [u8]>,
    deflater: &'a mut Deflater<&'static mut [u16]>,
}

/// One session over `transport`: the WebSocket handshake, greet, relay
/// until the time is up, "quit", or the connection ends; close.
#[allow(
    clippy::too_many_arguments,
    reason = "the session's parts, each borrowed"
)]
async fn session<T: Read + Write>(
    transport: T,
    rx: &mut [u8],
    tx: &mut [u8],
    memory: Memory<'_>,
    outbox: &mut bridge::Outbox,
    request: &ClientRequest<'_>,
    masks: board::Masks,
    end_ms: u64,
) -> Ended {
    // The handshake is bounded by HANDSHAKE_MS and by the run time.
    let handshake_end = end_ms.min(board::now_ms() + HANDSHAKE_MS);
    let mut ws = match until(handshake_end, async {
        // Lent for the session; the handshake's start zeroes the window.
        let conn = wsframe::Connection::client(rx, bridge::config(), masks)
            .map_err(|_| Error::Closed)?
            .with_deflate(memory.inflater, memory.deflater);
        bridge::open(transport, conn, tx, request).await
    })
    .await
    {
        Some(Ok(ws)) => ws,
        Some(Err(e)) => {
            hprintln!("firmware: handshake failed: {}", e);
            return lost_or_time_up(false, end_ms);
        }
        None => {
            hprintln!("firmware: no handshake answer in time");
            return lost_or_time_up(false, end_ms);
        }
    };
    hprintln!("firmware: connected to {} at {} ms", URL, board::now_ms());
    hprintln!(
        "firmware: permessage-deflate {}",
        if ws.connection().deflate_agreed() {
            "agreed (window 2^10)"
        } else {
            "declined"
        }
    );

    outbox.push(GREETING);
    // Set once our Close is sent: why, and the time by which the server's
    // Close must be in.
    let mut closing: Option<(bool, u64)> = None;
    let mut received: u32 = 0;
    loop {
        if closing.is_none()
            && let Err(e) = outbox.flush(&mut ws).await
        {
            hprintln!("firmware: send failed: {}", e);
            return lost_or_time_up(true, end_ms);
        }
        let keepalive = ws
            .connection()
            .poll_timeout()
            .map_or(u64::MAX, wsframe::Instant::as_millis);
        let wake = keepalive.min(closing.map_or(end_ms, |(_, until)| until));
        let mut quit = false;
        match until(wake, ws.read()).await {
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
                return match closing {
                    Some((true, _)) => Ended::Quit(true),
                    Some((false, _)) => Ended::TimeUp(true),
                    // The server closed first: a new session, unless the
                    // time is up (then this clean close ends the run).
                    None if board::now_ms() >= end_ms => Ended::TimeUp(true),
                    None => Ended::Lost(true),
                };
            }
            Some(Err(e)) => {
                hprintln!("firmware: connection failed: {}", e);
                return match closing {
                    Some((true, _)) => Ended::Quit(false),
                    Some((false, _)) => Ended::TimeUp(false),
                    None => lost_or_time_up(true, end_ms),
                };
            }
            None => {}
        }
        let now = board::now_ms();
        if let Err(e) = ws.handle_timeout(board::now()).await {
            hprintln!("firmware: keepalive: {}", e);
            return match closing {
                Some((true, _)) => Ended::Quit(false),
                Some((false, _)) => Ended::TimeUp(false),
                None => lost_or_time_up(true, end_ms),
            };
        }
        match closing {
            None if quit || now >= end_ms => {
                let reason = if quit { "quit" } else { "time is up" };
                hprintln!("firmware: closing ({})", reason);
                let failed = if quit {
                    Ended::Quit(false)
                } else {
                    Ended::TimeUp(false)
                };
                // Lines still queued go first.
                if let Err(e) = outbox.flush(&mut ws).await {
                    hprintln!("firmware: send failed: {}", e);
                    return failed;
                }
                if let Err(e) = ws.close(CloseCode::NORMAL, reason).await {
                    hprintln!("firmware: close failed: {}", e);
                    return failed;
                }
                closing = Some((quit, now + CLOSE_GRACE_MS));
            }
            Some((quit, limit)) if now >= limit => {
                hprintln!("firmware: the server did not answer our Close");
                return if quit {
                    Ended::Quit(false)
                } else {
                    Ended::TimeUp(false)
                };
            }
            _ => {}
        }
    }
}

/// A session that ended without "quit": lost (reconnect) unless the run
/// time is up, which ends the run with failure (no session closed cleanly).
fn lost_or_time_up(connected: bool, end_ms: u64) -> Ended {
    if board::now_ms() >= end_ms {
        Ended::TimeUp(false)
    } else {
        Ended::Lost(connected)
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
