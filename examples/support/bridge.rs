//! The no-std core of the gateway pattern: a bounded outbox and one
//! session's pump, over the generic `embedded-io-async` traits and
//! `heapless`. Shared by `examples/gateway.rs` (tokio) and
//! `examples/firmware` (Cortex-M under QEMU), each including it with
//! `#[path]`.

use embedded_io_async::{Read, Write};
use heapless::{Deque, String};
use wsframe::io::{Error, asynch::WebSocket};
use wsframe::{Connection, Event, MaskSource, RecvExtension, SendExtension};

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
    pub async fn flush<T: Read + Write, M: MaskSource, I: RecvExtension, C: SendExtension>(
        &mut self,
        ws: &mut WebSocket<T, &mut [u8], &mut [u8], M, I, C>,
    ) -> Result<(), Error<T::Error>> {
        while let Some(line) = self.lines.front() {
            ws.send_text(line).await?;
            self.lines.pop_front();
        }
        Ok(())
    }
}

/// The connection settings of a bridge: keepalive pings after 20 s of
/// silence, a dead peer after 10 s more.
pub fn config() -> wsframe::Config {
    wsframe::Config::new().with_keepalive(
        core::time::Duration::from_secs(20),
        core::time::Duration::from_secs(10),
    )
}

/// Run the opening handshake of `conn` (a client connection over caller
/// buffers, with or without permessage-deflate memory) over `transport`.
#[allow(clippy::type_complexity, reason = "the adapter's parts, each generic")]
pub async fn open<'b, T, M, I, C>(
    transport: T,
    conn: Connection<&'b mut [u8], M, I, C>,
    tx: &'b mut [u8],
    request: &wsframe::handshake::ClientRequest<'_>,
) -> Result<WebSocket<T, &'b mut [u8], &'b mut [u8], M, I, C>, Error<T::Error>>
where
    T: Read + Write,
    M: MaskSource,
    I: RecvExtension,
    C: SendExtension,
{
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
