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
//! The [`bridge`] module is the part firmware reuses: it is written against
//! the generic `embedded-io-async` traits and `heapless`, with no std.

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant as StdInstant};

use embedded_io_adapters::tokio_1::FromTokio;
use support::{Masks, random};
use tokio::io::AsyncBufReadExt;
use tokio::net::TcpStream;
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::Error;

/// The no-std core: a bounded outbox and one session's pump.
mod bridge {
    use embedded_io_async::{Read, Write};
    use heapless::{Deque, String};
    use wsframe::io::{Error, asynch::WebSocket};
    use wsframe::{Connection, Event, MaskSource};

    /// Longest line kept; longer lines are cut at a character boundary.
    pub const LINE: usize = 256;
    /// Lines kept while disconnected.
    pub const QUEUE: usize = 32;

    /// Lines waiting to be sent, oldest first; when full, the oldest is dropped and counted.
    #[derive(Default)]
    pub struct Outbox {
        lines: Deque<String<LINE>, QUEUE>,
        /// Lines dropped because the queue was full.
        pub dropped: u32,
        /// Lines cut because they were longer than [`LINE`].
        pub truncated: u32,
    }

    impl Outbox {
        /// Queue a line, dropping the oldest when full.
        pub fn push(&mut self, line: &str) {
            let mut owned: String<LINE> = String::new();
            for c in line.chars() {
                if owned.push(c).is_err() {
                    self.truncated += 1;
                    break;
                }
            }
            if self.lines.is_full() {
                self.lines.pop_front();
                self.dropped += 1;
            }
            // Cannot fail: there is room now.
            let _ = self.lines.push_back(owned);
        }

        /// Number of lines waiting.
        pub fn len(&self) -> usize {
            self.lines.len()
        }

        /// Send queued lines in order; a line leaves the queue only once sent.
        pub async fn flush<T: Read + Write, M: MaskSource>(
            &mut self,
            ws: &mut WebSocket<T, &mut [u8], &mut [u8], M>,
        ) -> Result<(), Error<T::Error>> {
            while let Some(line) = self.lines.front() {
                ws.send_text(line).await?;
                self.lines.pop_front();
            }
            Ok(())
        }
    }

    /// Open a client connection over `transport` using caller buffers.
    pub async fn open<'b, T: Read + Write, M: MaskSource>(
        transport: T,
        rx: &'b mut [u8],
        tx: &'b mut [u8],
        masks: M,
        request: &wsframe::handshake::ClientRequest<'_>,
    ) -> Result<WebSocket<T, &'b mut [u8], &'b mut [u8], M>, Error<T::Error>> {
        let config = wsframe::Config::new().with_keepalive(
            core::time::Duration::from_secs(20),
            core::time::Duration::from_secs(10),
        );
        let conn = Connection::client(rx, config, masks).map_err(|_| Error::Closed)?;
        let mut ws = WebSocket::new(transport, conn, tx).map_err(|_| Error::Closed)?;
        ws.connect(request).await?;
        Ok(ws)
    }

    /// Hand a received event to `out` (the UART side).
    pub fn deliver(event: &Event<'_>, out: &mut impl FnMut(&str)) {
        match event {
            Event::Text(text) => out(text),
            Event::Binary(data) => {
                let mut line: String<64> = String::new();
                let _ = core::fmt::write(&mut line, format_args!("[binary, {} bytes]", data.len()));
                out(&line);
            }
            _ => {}
        }
    }
}

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
