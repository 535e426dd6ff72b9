//! Echo over split halves (`--split` in `echo_server` and
//! `autobahn_client`): this thread reads with a `Reader`, a second thread
//! writes with a `Writer`, over two clones of the TCP stream. The reader
//! hands each message to the writer through a bounded queue, and wakes it
//! through the same queue when the connection owes a frame (a pong, the
//! Close echo, the Close of a failure), which the writer then flushes.
//!
//! An echo answers in order: the reader waits until the writer has sent
//! the echo of a message (or the pong of a ping) before it reads on. So a
//! message is echoed before a bad frame after it fails the connection, and
//! every ping gets its own pong (the link keeps only the latest unsent
//! pong, which RFC 6455 §5.5.3 allows, but Autobahn's strict verdict wants
//! one per ping).

use std::net::TcpStream;
use std::sync::mpsc;

use embedded_io_adapters::std::FromStd;
use wsframe::io::Error;
use wsframe::io::blocking::WebSocket;
use wsframe::{CloseCode, Event, Link, MaskSource, MessageKind, RecvExtension, SendExtension};

/// What the reader asks of the writer.
pub enum Job {
    /// Echo this message.
    Echo(MessageKind, Vec<u8>),
    /// Close first with this code and reason.
    Close(u16, String),
    /// Write what the connection owes.
    Flush,
    /// Write what the connection owes, and say when done.
    Sync,
}

/// Echo on `ws` (open) until the connection ends, over two threads.
/// `on_text` sees each text message first and may turn it into a job (a
/// close command) instead of an echo. Returns the first text message.
pub fn run<M, I, C>(
    ws: WebSocket<FromStd<TcpStream>, Vec<u8>, Vec<u8>, M, I, C>,
    mut on_text: impl FnMut(&str) -> Option<Job>,
) -> Result<(TcpStream, Option<String>), Error<std::io::Error>>
where
    M: MaskSource + Send,
    I: RecvExtension + Send,
    C: SendExtension + Send,
{
    let mut ws = ws;
    let stream = ws.transport_mut().inner();
    let (read_half, write_half) = match (stream.try_clone(), stream.try_clone()) {
        (Ok(r), Ok(w)) => (r, w),
        (Err(e), _) | (_, Err(e)) => return Err(Error::Io(e)),
    };
    let link = Link::new();
    let (stream, reader, mut writer) =
        ws.split(&link, FromStd::new(read_half), FromStd::new(write_half));
    // Bounded: a slow writer stops the reader instead of growing memory.
    let (queue, jobs) = mpsc::sync_channel::<Job>(4);
    let (ack, acks) = mpsc::sync_channel::<()>(1);
    let wake = queue.clone();
    let mut reader = reader.on_owed(move || {
        // A wake already queued is as good as another.
        let _ = wake.try_send(Job::Flush);
    });
    std::thread::scope(|s| {
        let writing = s.spawn(move || -> Result<(), Error<std::io::Error>> {
            for job in jobs {
                let done = match job {
                    Job::Echo(kind, data) => match writer.send(kind, &data) {
                        Ok(()) | Err(Error::Send(_)) => true,
                        Err(e) => return Err(e),
                    },
                    Job::Close(code, reason) => match writer.close(CloseCode::new(code), &reason) {
                        Ok(()) | Err(Error::Send(_)) => true,
                        Err(e) => return Err(e),
                    },
                    Job::Flush => {
                        writer.flush()?;
                        false
                    }
                    Job::Sync => {
                        writer.flush()?;
                        true
                    }
                };
                if done && ack.send(()).is_err() {
                    break;
                }
            }
            // The reader is done: whatever is still owed goes out.
            writer.flush()
        });
        let mut first_text = None;
        let result = loop {
            let job = match reader.read() {
                Ok(Event::Text(t)) => {
                    if first_text.is_none() {
                        first_text = Some(t.to_owned());
                    }
                    on_text(t)
                        .unwrap_or_else(|| Job::Echo(MessageKind::Text, t.as_bytes().to_vec()))
                }
                Ok(Event::Binary(b)) => Job::Echo(MessageKind::Binary, b.to_vec()),
                Ok(Event::Ping(_)) => Job::Sync,
                Ok(_) => continue,
                Err(Error::Closed) => break Ok(()),
                Err(e) => break Err(e),
            };
            if queue.send(job).is_err() || acks.recv().is_err() {
                break Ok(()); // the writer stopped (its error is reported below)
            }
        };
        drop(queue);
        drop(reader);
        let written = writing.join().unwrap_or(Ok(()));
        result
            .and(written)
            .map(|()| (stream.into_inner(), first_text))
    })
}
