//! Join an emulated board's UART to a TCP server, bytes both ways.
//!
//! ```sh
//! cargo run --example uart_relay -- 127.0.0.1:0 127.0.0.1:8080
//! # prints "uart_relay: listening on 127.0.0.1:PORT"; then
//! qemu-system-arm ... -serial tcp:127.0.0.1:PORT ...
//! ```
//! It listens for one connection from QEMU's serial port (QEMU connects as
//! a client, so the relay can listen on a port the OS picks and no port is
//! raced for), then connects to the server and copies bytes both ways, one
//! thread per direction. When one side ends its output, the relay ends its
//! output to the other side (a TCP half-close), so the server sees the
//! board leave after its Close frame, not a reset; it waits at most 5 s
//! for the other direction, then exits, printing byte counts.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

/// How long the second direction may run on after the first has ended.
const LINGER: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let server = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    match relay(&listen, &server) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uart_relay: {e}");
            ExitCode::FAILURE
        }
    }
}

fn relay(listen: &str, server: &str) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen)?;
    println!("uart_relay: listening on {}", listener.local_addr()?);
    let (board, peer) = listener.accept()?;
    drop(listener);
    let server_stream = TcpStream::connect(server)?;
    board.set_nodelay(true)?;
    server_stream.set_nodelay(true)?;
    println!("uart_relay: joined board {peer} to server {server}");

    let (board_in, server_out) = (board.try_clone()?, server_stream.try_clone()?);
    let up = thread::spawn(move || pump(board_in, server_out));
    let down_bytes = pump(server_stream, board);
    // The board side ended or the server did; give the other direction a
    // bounded time to finish.
    let up_bytes = up.join().unwrap_or(0);
    println!("uart_relay: done, {up_bytes} bytes board->server, {down_bytes} bytes server->board");
    Ok(())
}

/// Copy `from` to `to` until `from` ends or fails; then half-close `to` and
/// bound how long the opposite direction may keep `from` open. Returns the
/// bytes copied.
fn pump(mut from: TcpStream, mut to: TcpStream) -> u64 {
    let mut buf = [0u8; 4096];
    let mut total = 0u64;
    loop {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
                total += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    // The other pump reads from `to`: it must end within LINGER even if
    // that peer never closes.
    let _ = to.set_read_timeout(Some(LINGER));
    total
}
