//! The microcontroller-gateway pattern on a PC.
//!
//! ```sh
//! cargo run --example gateway -- ws://127.0.0.1:8080/ws
//! ```
//! Lines from stdin (standing in for a UART) go out as text messages;
//! received messages go to stdout; keepalive pings hold the connection
//! open; when it drops, it reconnects with backoff, and lines that could not
//! be sent wait in a bounded `heapless` queue (oldest dropped and counted
//! when full).
//!
//! The [`bridge`] module (`support/bridge.rs`) is the part firmware reuses
//! (`examples/firmware` includes it too): it is written against the generic
//! `embedded-io-async` traits and `heapless`, with no std.

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant as StdInstant};

use embedded_io_adapters::tokio_1::FromTokio;
use support::{Masks, random};
use tokio::io::AsyncBufReadExt;
use tokio::net::TcpStream;
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::Error;

#[path = "support/bridge.rs"]
mod bridge;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url_text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ws://127.0.0.1:8080/ws".to_owned());
    let url = Url::parse(&url_text).unwrap_or_else(|e| panic!("{url_text}: {e}"));
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let mut outbox = bridge::Outbox::default();
    let mut rx = vec![0u8; 64 * 1024];
    let mut tx = vec![0u8; 4 * 1024];
    let epoch = StdInstant::now();
    let now = || wsframe::Instant::from_millis(epoch.elapsed().as_millis() as u64);
    let mut backoff = Duration::from_millis(250);

    loop {
        let stream = match TcpStream::connect((url.host, url.port)).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("gateway: connect failed: {e}; retrying in {backoff:?}");
                if !wait_reconnect(&mut backoff, &mut lines, &mut stdin_open, &mut outbox).await {
                    return;
                }
                continue;
            }
        };
        stream.set_nodelay(true).ok();
        let request = ClientRequest::new(&url, random());
        let mut ws = match bridge::open(
            FromTokio::new(stream),
            &mut rx,
            &mut tx,
            Masks::from_os(),
            &request,
        )
        .await
        {
            Ok(ws) => ws,
            Err(e) => {
                eprintln!("gateway: handshake failed: {e}; retrying in {backoff:?}");
                if !wait_reconnect(&mut backoff, &mut lines, &mut stdin_open, &mut outbox).await {
                    return;
                }
                continue;
            }
        };
        eprintln!("gateway: connected to {url_text}");
        backoff = Duration::from_millis(250);
        let session: Result<(), Error<std::io::Error>> = async {
            outbox.flush(&mut ws).await?;
            if !stdin_open {
                // Input ended while we were away: deliver what was queued, then leave.
                ws.close(wsframe::CloseCode::NORMAL, "input closed").await?;
            }
            loop {
                let deadline = ws.connection().poll_timeout();
                let sleep_for = deadline
                    .map(|d| Duration::from_millis(d.as_millis().saturating_sub(now().as_millis())))
                    .unwrap_or(Duration::from_secs(3600));
                tokio::select! {
                    event = ws.read() => {
                        let event = event?;
                        bridge::deliver(&event, &mut |text| println!("{text}"));
                        ws.handle_timeout(now()).await?;
                    }
                    line = lines.next_line(), if stdin_open => match line {
                        Ok(Some(line)) => {
                            outbox.push(&line);
                            outbox.flush(&mut ws).await?;
                        }
                        _ => {
                            stdin_open = false;
                            ws.close(wsframe::CloseCode::NORMAL, "input closed").await?;
                        }
                    },
                    () = tokio::time::sleep(sleep_for) => ws.handle_timeout(now()).await?,
                }
            }
        }
        .await;
        match session {
            Err(Error::Closed) if !stdin_open => {
                eprintln!("gateway: closed");
                return;
            }
            Err(e) => eprintln!(
                "gateway: connection lost: {e}; {} line(s) queued, {} dropped",
                outbox.len(),
                outbox.dropped
            ),
            Ok(()) => {}
        }
        if !wait_reconnect(&mut backoff, &mut lines, &mut stdin_open, &mut outbox).await {
            return;
        }
    }
}

/// Sleep for the backoff while still queueing stdin lines; false when there
/// is nothing left to do (stdin closed and nothing queued).
async fn wait_reconnect(
    backoff: &mut Duration,
    lines: &mut tokio::io::Lines<tokio::io::BufReader<tokio::io::Stdin>>,
    stdin_open: &mut bool,
    outbox: &mut bridge::Outbox,
) -> bool {
    let sleep = tokio::time::sleep(*backoff);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            () = &mut sleep => break,
            line = lines.next_line(), if *stdin_open => match line {
                Ok(Some(line)) => outbox.push(&line),
                _ => *stdin_open = false,
            },
        }
    }
    *backoff = (*backoff * 2).min(Duration::from_secs(10));
    *stdin_open || outbox.len() > 0
}
