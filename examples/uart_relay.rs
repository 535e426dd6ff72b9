//! Join an emulated board's UART to a TCP server, bytes both ways, one
//! server connection per WebSocket session of the board.
//!
//! ```sh
//! cargo run --example uart_relay -- 127.0.0.1:0 127.0.0.1:8080
//! # prints "uart_relay: listening on 127.0.0.1:PORT"; then
//! qemu-system-arm ... -serial tcp:127.0.0.1:PORT ...
//! # the firmware's wss:// build, to chat_server --tls-cert ... --tls-key ...:
//! cargo run --example uart_relay -- --tls 127.0.0.1:0 127.0.0.1:8443
//! ```
//! It listens for one connection from QEMU's serial port (QEMU connects as
//! a client, so the relay can listen on a port the OS picks and no port is
//! raced for) and keeps it until QEMU leaves. The UART carries one
//! WebSocket session after another (the firmware reconnects); each session
//! gets its own TCP connection to the server.
//!
//! # Sessions
//!
//! The relay follows the framing of both directions (the HTTP head up to
//! its blank line, then frame headers and payload lengths, with
//! `wsframe::frame::Header`), so it knows where frames begin:
//!
//! - **A new session starts** where the board's bytes, at a frame
//!   boundary, begin with `G` (of `GET `). No frame can start with that
//!   byte (0x47 would be RSV1 with the reserved opcode 7), so this is exact,
//!   not a guess. The relay then connects to the server and forwards from
//!   that byte on. A session still open on the server side is closed
//!   first (the board gave it up, e.g. its keepalive found it dead).
//! - **When the server side ends** (the server closed the connection, or
//!   it failed), the UART stays open. The board's bytes after that belong
//!   to the dead session (a Close echo, a keepalive ping): they are
//!   dropped, still parsed as frames, until the next `G` at a frame
//!   boundary. So nothing of an old session reaches the next connection.
//! - **The board is told** when the server side ends without a Close frame
//!   having passed: if the server sent nothing at all (refused or dropped
//!   the handshake), the relay answers `502 Bad Gateway` (the firmware's
//!   handshake fails at once); if it ended between frames, the relay sends
//!   a Close frame with 1014 (bad gateway). Ending mid-frame or mid-head,
//!   it sends nothing (it cannot finish someone else's frame); the board's
//!   handshake timeout or keepalive notices.
//! - If the board's bytes stop parsing as WebSocket frames, the relay
//!   forwards (or, with no session, drops) them up to the next `G` and
//!   takes that as a new handshake.
//!
//! # `--tls`: the board speaks TLS
//!
//! With `--tls` (for the firmware's `wss://` build) the bytes are TLS
//! records, which the relay follows the same way (the 5-byte record header
//! gives the length; nothing is decrypted):
//!
//! - **A new session starts** where the board's bytes, at a record
//!   boundary, begin a handshake record (type 22). A TLS 1.3 client sends
//!   one in plaintext only for its ClientHello; everything after the
//!   ServerHello is an encrypted record of type 23 (or a type-20
//!   compatibility ChangeCipherSpec). The exception would be a second
//!   ClientHello after a HelloRetryRequest: the firmware offers one group
//!   (P-256) with its key share, so a server that takes it never asks.
//! - **The board is told** only when the server sent nothing at all
//!   (refused, or unreachable): a fatal `internal_error` alert in
//!   plaintext, which ends the firmware's TLS handshake at once. After
//!   the handshake the relay cannot write into the encrypted stream: the
//!   server's own close_notify, the firmware's keepalive or its record
//!   deadline notice the end.
//!
//! When the board (QEMU) ends its output, the relay ends its output to the
//! server (a TCP half-close), so the server sees the board leave after its
//! Close frame, not a reset; it waits at most 5 s for the server's side,
//! then exits, printing byte counts. Each blocking read ends when its peer
//! ends; nothing listens beyond 127.0.0.1 unless told to.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use wsframe::Status;
use wsframe::frame::{Header, Opcode, Rsv};

/// How long the server side may run on after the board has left.
const LINGER: Duration = Duration::from_secs(5);
/// Longest HTTP head followed; a longer one counts as lost framing.
const MAX_HEAD: usize = 8192;
/// The answer to a handshake the server never answered.
const BAD_GATEWAY: &[u8] =
    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/// A server's Close frame with code 1014 (bad gateway), no reason.
const CLOSE_BAD_GATEWAY: [u8; 4] = [0x88, 0x02, 0x03, 0xf6];
/// A plaintext TLS alert: fatal (2), internal_error (80).
const TLS_INTERNAL_ERROR: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50];
/// TLS record header length, and the content type of handshake records.
const TLS_HEADER: usize = 5;
const TLS_HANDSHAKE: u8 = 22;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let tls = args.iter().any(|a| a == "--tls");
    args.retain(|a| a != "--tls");
    let mut args = args.into_iter();
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let server = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    match relay(&listen, &server, tls) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uart_relay: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Where one direction of a session stands.
#[derive(Default)]
struct Framing {
    /// TLS records instead of an HTTP head and WebSocket frames.
    tls: bool,
    /// Past the HTTP head: frames now.
    frames: bool,
    /// The HTTP head, or the frame header, read so far.
    head: Vec<u8>,
    /// Payload bytes of the current frame still to come.
    left: u64,
    /// A Close frame has started.
    close: bool,
    /// Bytes taken in.
    bytes: u64,
}

impl Framing {
    /// Framing at the start of a session's stream.
    fn start(tls: bool) -> Self {
        Self {
            tls,
            // TLS has no head: records from the first byte.
            frames: tls,
            ..Self::default()
        }
    }

    /// Framing that starts between frames (where a `G`, or a TLS handshake
    /// record, starts a session).
    fn between_frames(tls: bool) -> Self {
        Self {
            tls,
            frames: true,
            ..Self::default()
        }
    }

    /// Whether `first`, at a boundary, starts a new session.
    fn starts_session(&self, first: u8) -> bool {
        if self.tls {
            first == TLS_HANDSHAKE
        } else {
            first == b'G'
        }
    }

    fn at_boundary(&self) -> bool {
        self.frames && self.head.is_empty() && self.left == 0
    }

    /// Take in a prefix of `data` that does not cross a frame boundary;
    /// returns its length (at least 1 for non-empty `data`), or `None`
    /// when the bytes are not an HTTP head followed by WebSocket frames.
    fn advance(&mut self, data: &[u8]) -> Option<usize> {
        let taken = if !self.frames {
            let mut n = 0;
            for &b in data {
                n += 1;
                self.head.push(b);
                if self.head.ends_with(b"\r\n\r\n") {
                    self.frames = true;
                    self.head.clear();
                    break;
                }
                if self.head.len() > MAX_HEAD {
                    return None;
                }
            }
            n
        } else if self.left > 0 {
            let n = usize::try_from(self.left).map_or(data.len(), |left| left.min(data.len()));
            self.left -= n as u64;
            n
        } else if self.tls {
            // A record header, one byte at a time.
            self.head.push(*data.first()?);
            if let [_, _, _, hi, lo] = self.head[..TLS_HEADER.min(self.head.len())] {
                self.left = u64::from(u16::from_be_bytes([hi, lo]));
                self.head.clear();
            }
            1
        } else {
            // A header, one byte at a time (at most 14).
            self.head.push(*data.first()?);
            match Header::decode_with(&self.head, Rsv::ALL) {
                Ok(Status::Complete((header, _))) => {
                    self.left = header.payload_len;
                    self.close |= header.opcode == Opcode::Close;
                    self.head.clear();
                }
                Ok(Status::Partial { .. }) => {}
                Err(_) => return None,
            }
            1
        };
        self.bytes += taken as u64;
        Some(taken)
    }
}

/// One session's server connection.
struct Session {
    number: u32,
    /// The board's bytes go here.
    server: TcpStream,
    /// The framing of the board's bytes.
    up: Framing,
    /// Set before the relay itself ends the connection: then the board is
    /// not told.
    quiet: Arc<AtomicBool>,
    /// Copies the server's bytes to the board; returns their count.
    down: JoinHandle<u64>,
}

impl Session {
    /// Connect to `server` and start copying its bytes to `board`.
    fn start(number: u32, server: &str, board: &TcpStream, tls: bool) -> std::io::Result<Self> {
        let stream = TcpStream::connect(server)?;
        stream.set_nodelay(true)?;
        let (from, to) = (stream.try_clone()?, board.try_clone()?);
        let quiet = Arc::new(AtomicBool::new(false));
        let quiet_down = quiet.clone();
        let down = thread::spawn(move || pump_down(number, from, to, &quiet_down, tls));
        println!("uart_relay: session {number}: joined the board to server {server}");
        Ok(Self {
            number,
            server: stream,
            up: Framing::start(tls),
            quiet,
            down,
        })
    }

    /// End it from the relay's side (the board started another, or left):
    /// `how` is what to shut, and the server side gets [`LINGER`] to end.
    /// Returns the bytes copied to the board.
    fn end(self, how: Shutdown) -> u64 {
        self.quiet.store(true, Ordering::SeqCst);
        let _ = self.server.shutdown(how);
        let _ = self.server.set_read_timeout(Some(LINGER));
        self.down.join().unwrap_or(0)
    }
}

fn relay(listen: &str, server: &str, tls: bool) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen)?;
    println!("uart_relay: listening on {}", listener.local_addr()?);
    let (board, peer) = listener.accept()?;
    drop(listener);
    board.set_nodelay(true)?;
    println!("uart_relay: board {peer} connected");
    let mut board_in = board.try_clone()?;

    let mut session: Option<Session> = None;
    // The framing of the board's bytes while no session is open (dropped).
    let mut dead = Framing::between_frames(tls);
    // The board's bytes stopped parsing: the next `G` starts a session.
    let mut lost = false;
    let (mut sessions, mut up, mut down, mut dropped) = (0u32, 0u64, 0u64, 0u64);
    let mut buf = [0u8; 4096];
    loop {
        let n = match board_in.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let mut data = &buf[..n];
        while !data.is_empty() {
            // The server side ended: what the board still sends is dead.
            if session.as_ref().is_some_and(|s| s.down.is_finished())
                && let Some(s) = session.take()
            {
                down += s.down.join().unwrap_or(0);
                dead = s.up;
            }
            let framing = session.as_ref().map_or(&dead, |s| &s.up);
            if data.first().is_some_and(|&b| framing.starts_session(b))
                && (lost || framing.at_boundary())
            {
                if let Some(old) = session.take() {
                    println!(
                        "uart_relay: session {}: the board started a new one; closing it",
                        old.number
                    );
                    down += old.end(Shutdown::Both);
                }
                lost = false;
                sessions += 1;
                match Session::start(sessions, server, &board, tls) {
                    Ok(s) => session = Some(s),
                    Err(e) => {
                        println!("uart_relay: session {sessions}: cannot reach {server}: {e}");
                        let _ = (&board).write_all(if tls {
                            &TLS_INTERNAL_ERROR[..]
                        } else {
                            BAD_GATEWAY
                        });
                        // The rest of this request is dropped.
                        dead = Framing::start(tls);
                    }
                }
                // On: its first byte goes to the new session's framing
                // (a TLS one is at a boundary already, so looping back
                // would start yet another session on the same byte).
            }
            let framing = session.as_mut().map_or(&mut dead, |s| &mut s.up);
            let take = if lost {
                let start = if tls { TLS_HANDSHAKE } else { b'G' };
                data.iter().position(|&b| b == start).unwrap_or(data.len())
            } else if let Some(k) = framing.advance(data) {
                k
            } else {
                println!(
                    "uart_relay: the board's bytes are not {}; waiting for a new handshake",
                    if tls {
                        "TLS records"
                    } else {
                        "WebSocket frames"
                    }
                );
                lost = true;
                continue;
            };
            let (now, rest) = data.split_at(take.max(1).min(data.len()));
            match &mut session {
                // A failed write: the server side is ending, its thread notices.
                Some(s) => {
                    if s.server.write_all(now).is_ok() {
                        up += now.len() as u64;
                    }
                }
                None => dropped += now.len() as u64,
            }
            data = rest;
        }
    }
    // The board left: half-close the server side and let it finish.
    if let Some(s) = session.take() {
        down += s.end(Shutdown::Write);
    }
    println!(
        "uart_relay: done, {sessions} session(s), {up} bytes board->server, {down} bytes server->board, {dropped} bytes of ended sessions dropped"
    );
    Ok(())
}

/// Copy the server's bytes to the board until the server side ends; then,
/// unless `quiet`, tell the board if the server left without a Close.
/// Returns the bytes copied.
fn pump_down(
    number: u32,
    mut from: TcpStream,
    mut to: TcpStream,
    quiet: &AtomicBool,
    tls: bool,
) -> u64 {
    let mut framing = Framing::start(tls);
    let mut tracking = true;
    let mut total = 0u64;
    let mut buf = [0u8; 4096];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let mut data = &buf[..n];
        while tracking && !data.is_empty() {
            match framing.advance(data) {
                Some(k) => data = data.get(k..).unwrap_or_default(),
                None => tracking = false,
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        total += n as u64;
    }
    if !quiet.load(Ordering::SeqCst) {
        let told = if total == 0 && tls {
            to.write_all(&TLS_INTERNAL_ERROR)
                .map(|()| "; told the board with a TLS alert")
        } else if total == 0 {
            to.write_all(BAD_GATEWAY).map(|()| "; told the board 502")
        } else if tls {
            Ok("")
        } else if tracking && framing.at_boundary() && !framing.close {
            to.write_all(&CLOSE_BAD_GATEWAY)
                .map(|()| "; told the board Close 1014")
        } else {
            Ok("")
        };
        println!(
            "uart_relay: session {number}: the server side ended after {total} bytes{}",
            told.unwrap_or("")
        );
    }
    total
}
