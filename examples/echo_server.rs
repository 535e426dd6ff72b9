//! Echo server: every text or binary message comes back with its type.
//!
//! ```sh
//! cargo run --release --example echo_server -- 127.0.0.1:9001 [--max-message BYTES]
//! ```
//! One thread per connection, blocking `embedded-io` over `std::net`, limits
//! at their defaults (1 MiB messages) unless `--max-message` raises them.
//! This is the server the Autobahn fuzzing client is pointed at.

use std::net::{TcpListener, TcpStream};
use std::time::Duration;

#[path = "support/mod.rs"]
mod support;

use embedded_io_adapters::std::FromStd;
use wsframe::handshake::Limits;
use wsframe::io::Answer;
use wsframe::io::{Error, blocking::WebSocket};
use wsframe::{Config, Connection, Event};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut addr = "127.0.0.1:9001".to_owned();
    let mut max_message = wsframe::DEFAULT_MAX_MESSAGE_LEN;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-message" => {
                max_message = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--max-message BYTES");
            }
            other => addr = other.to_owned(),
        }
    }
    let listener = TcpListener::bind(&addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    println!(
        "echo_server listening on ws://{}",
        listener.local_addr().expect("local addr")
    );
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        std::thread::spawn(move || {
            if let Err(e) = serve(stream, max_message) {
                eprintln!("connection ended: {e}");
            }
        });
    }
}

fn serve(stream: TcpStream, max_message: usize) -> Result<(), Error<std::io::Error>> {
    stream.set_nodelay(true).ok();
    let config = Config::new()
        .with_max_message_len(max_message)
        .with_max_frame_len(max_message);
    // The message is reassembled in the receive buffer: cap plus headroom.
    let rx = vec![0u8; max_message + 64 * 1024];
    let tx = vec![0u8; 64 * 1024];
    let conn = Connection::server(rx, config).expect("buffer is large enough");
    let mut ws = WebSocket::new(FromStd::new(stream), conn, tx).expect("tx is large enough");
    ws.accept::<32>(&Limits::DEFAULT, |_request| Answer::Accept(None))?;
    let result = echo(&mut ws);
    // Closed or failed (the Close is written): close the TCP connection
    // without a reset that could make the client drop our Close.
    support::linger(ws.into_parts().0.into_inner(), Duration::from_secs(2));
    result
}

fn echo(
    ws: &mut WebSocket<FromStd<TcpStream>, Vec<u8>, Vec<u8>, wsframe::NoMask>,
) -> Result<(), Error<std::io::Error>> {
    // Echo into a scratch copy: the event borrows the receive buffer, and
    // sending needs the connection again.
    let mut scratch = Vec::new();
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
            Ok(Event::Close(_)) => continue, // the echo is written; next read reports Closed
            Ok(_) => continue,
            Err(Error::Closed) => return Ok(()),
            Err(e) => return Err(e),
        };
        ws.send(kind, &scratch[..len])?;
    }
}
