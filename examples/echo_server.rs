//! Echo server: every text or binary message comes back with its type.
//!
//! ```sh
//! cargo run --release --example echo_server -- 127.0.0.1:9001 [--max-message BYTES]
//!     [--protocol NAME]... [--verbose] [--commands] [--split] [--no-deflate]
//! ```
//! One thread per connection, blocking `embedded-io` over `std::net`, limits
//! at their defaults (1 MiB messages) unless `--max-message` raises them.
//! This is the server the Autobahn fuzzing client is pointed at.
//!
//! For interop runs (`interop/`, `ci/interop.sh`):
//! - `--protocol NAME` (repeatable): subprotocols the server supports, in its
//!   order of preference; the first one the client offers is chosen.
//! - `--verbose`: one line per connection on stdout with the subprotocols
//!   and extensions the client offered and the subprotocol chosen, and one
//!   with the Close the client sent (code and reason).
//! - `--commands`: a text message `!close CODE REASON` is not echoed; the
//!   server closes first with that code and reason.
//! - `--split`: each connection runs on the split halves, a reader thread
//!   and a writer thread (`support/split_echo.rs`); CI runs Autobahn
//!   against it too.
//! - `--no-deflate`: decline permessage-deflate (RFC 7692), which the
//!   server otherwise accepts with a 32 KiB inflate window, compressing
//!   its echoes of 128 bytes and more with an 8 KiB hash table.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

#[path = "support/mod.rs"]
mod support;

use embedded_io_adapters::std::FromStd;
use wsframe::deflate::{Deflater, Inflater};
use wsframe::handshake::Limits;
use wsframe::io::Answer;
use wsframe::io::{Error, blocking::WebSocket};
use wsframe::{CloseCode, Config, Connection, Event, RecvExtension, SendExtension};

/// The command line, shared by every connection thread.
struct Options {
    max_message: usize,
    /// Supported subprotocols, most preferred first (leaked: `Answer`
    /// borrows them for `'static`, and they live as long as the process).
    protocols: Vec<&'static str>,
    verbose: bool,
    commands: bool,
    split: bool,
    deflate: bool,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut addr = "127.0.0.1:9001".to_owned();
    let mut options = Options {
        max_message: wsframe::DEFAULT_MAX_MESSAGE_LEN,
        protocols: Vec::new(),
        verbose: false,
        commands: false,
        split: false,
        deflate: true,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-message" => {
                options.max_message = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--max-message BYTES");
            }
            "--protocol" => {
                let name = args.next().expect("--protocol NAME");
                options.protocols.push(String::leak(name));
            }
            "--verbose" => options.verbose = true,
            "--commands" => options.commands = true,
            "--split" => options.split = true,
            "--no-deflate" => options.deflate = false,
            other => addr = other.to_owned(),
        }
    }
    let options: &'static Options = Box::leak(Box::new(options));
    let listener = TcpListener::bind(&addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    println!(
        "echo_server listening on ws://{}",
        listener.local_addr().expect("local addr")
    );
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        std::thread::spawn(move || {
            let peer = stream
                .peer_addr()
                .map(|a| a.to_string())
                .unwrap_or_default();
            if let Err(e) = serve(stream, options) {
                // One locked line on stdout, like the other log lines, so
                // lines from concurrent connections never interleave.
                println!("{peer} connection ended: {e}");
            }
        });
    }
}

fn serve(stream: TcpStream, options: &Options) -> Result<(), Error<std::io::Error>> {
    stream.set_nodelay(true).ok();
    let peer = stream.peer_addr().ok();
    let max_message = options.max_message;
    let config = Config::new()
        .with_max_message_len(max_message)
        .with_max_frame_len(max_message)
        // The default's rationale at any cap: a whole message in 16-byte fragments.
        .with_max_fragments(support::fragments_for(max_message));
    // The message is reassembled in the receive buffer: cap plus headroom.
    let rx = vec![0u8; max_message + 64 * 1024];
    let tx = vec![0u8; 64 * 1024];
    let conn = Connection::server(rx, config).expect("buffer is large enough");
    if options.deflate {
        let window = Inflater::new(vec![0u8; wsframe::deflate::MAX_WINDOW_LEN]).expect("32 KiB");
        let conn = conn.with_deflate(
            window,
            Deflater::new(vec![0u16; wsframe::deflate::TABLE_LEN]),
        );
        let ws = WebSocket::new(FromStd::new(stream), conn, tx).expect("tx is large enough");
        return serve_on(ws, options, peer);
    }
    let ws = WebSocket::new(FromStd::new(stream), conn, tx).expect("tx is large enough");
    serve_on(ws, options, peer)
}

fn serve_on<I: RecvExtension + Send, C: SendExtension + Send>(
    mut ws: Ws<I, C>,
    options: &Options,
    peer: Option<SocketAddr>,
) -> Result<(), Error<std::io::Error>> {
    ws.accept::<32>(&Limits::DEFAULT, |request| {
        let chosen = request.select_protocol(&options.protocols);
        if options.verbose {
            log_request(peer, request, chosen);
        }
        Answer::Accept(chosen)
    })?;
    if options.verbose {
        println!(
            "{} deflate {}",
            peer.map_or_else(|| "?".to_owned(), |p| p.to_string()),
            if ws.connection().deflate_agreed() {
                "agreed"
            } else {
                "declined"
            }
        );
    }
    if options.split {
        let (stream, _) = support::split_echo::run(ws, |text| {
            let (code, reason) = close_command(text).filter(|_| options.commands)?;
            Some(support::split_echo::Job::Close(code, reason.to_owned()))
        })?;
        support::linger(stream, Duration::from_secs(2));
        return Ok(());
    }
    let result = echo(&mut ws, options, peer);
    // Closed or failed (the Close is written): close the TCP connection
    // without a reset that could make the client drop our Close.
    support::linger(ws.into_parts().0.into_inner(), Duration::from_secs(2));
    result
}

/// One line: what the client offered and what was chosen.
fn log_request<const N: usize>(
    peer: Option<SocketAddr>,
    request: &wsframe::handshake::Request<'_, N>,
    chosen: Option<&str>,
) {
    let offered: Vec<&str> = request.protocols().collect();
    let extensions: Vec<&str> = request.extensions().collect();
    println!(
        "{} handshake {}: protocols offered [{}] chosen {} extensions offered [{}]",
        peer.map_or_else(|| "?".to_owned(), |p| p.to_string()),
        request.head().path,
        offered.join(", "),
        chosen.unwrap_or("none"),
        extensions.join(", "),
    );
}

/// `!close CODE REASON` as a close code and a reason.
fn close_command(text: &str) -> Option<(u16, &str)> {
    let rest = text.strip_prefix("!close ")?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    Some((code.parse().ok()?, reason))
}

type Ws<I, C> = WebSocket<FromStd<TcpStream>, Vec<u8>, Vec<u8>, wsframe::NoMask, I, C>;

fn echo<I: RecvExtension, C: SendExtension>(
    ws: &mut Ws<I, C>,
    options: &Options,
    peer: Option<SocketAddr>,
) -> Result<(), Error<std::io::Error>> {
    // Echo into a scratch copy: the event borrows the receive buffer, and
    // sending needs the connection again.
    let mut scratch = Vec::new();
    let mut closing = false;
    loop {
        let (kind, len) = match ws.read() {
            Ok(Event::Text(text)) => {
                scratch.clear();
                scratch.extend_from_slice(text.as_bytes());
                (wsframe::MessageKind::Text, scratch.len())
            }
            Ok(Event::Binary(data)) => {
                scratch.clear();
                scratch.extend_from_slice(data);
                (wsframe::MessageKind::Binary, scratch.len())
            }
            Ok(Event::Close(frame)) => {
                if options.verbose {
                    let peer = peer.map_or_else(|| "?".to_owned(), |p| p.to_string());
                    match frame {
                        Some(f) => println!(
                            "{peer} close received: code {} reason {:?}",
                            f.code.as_u16(),
                            f.reason
                        ),
                        None => println!("{peer} close received: no code"),
                    }
                }
                continue; // the echo is written; next read reports Closed
            }
            Ok(_) => continue,
            Err(Error::Closed) => return Ok(()),
            Err(e) => return Err(e),
        };
        if closing {
            continue; // our Close is out: no more messages
        }
        if options.commands && kind == wsframe::MessageKind::Text {
            let text = std::str::from_utf8(&scratch[..len]).unwrap_or("");
            if let Some((code, reason)) = close_command(text) {
                ws.close(CloseCode::new(code), reason)?;
                closing = true;
                continue;
            }
        }
        ws.send(kind, &scratch[..len])?;
    }
}
