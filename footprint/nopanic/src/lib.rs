//! What the no-panic probes share: input the optimiser cannot see through,
//! a panic handler that cannot be linked, and the server, client and
//! connection loops over wsframe's public API.
//!
//! Every byte, length, flag, configuration value, clock reading and mask
//! key comes from [`word`], a volatile read of a device register, so no
//! branch of the library is folded away as unreachable. The loops use only
//! the public API, and never index or unwrap themselves, so a panic path
//! left in the linked image is the library's. See README.md.
#![no_std]

use core::ptr::{read_volatile, write_volatile};
use core::time::Duration;

pub use cortex_m_rt::entry;
use wsframe::frame::Rsv;
use wsframe::handshake::{
    ClientRequest, Limits, ResponseError, Url, check_response_with, encode_response, parse_request,
    reject,
};
use wsframe::{
    CloseCode, Config, Connection, Event, Instant, MaskSource, MessageKind, RecvMode, Status,
};

/// Received data (a byte in the low 8 bits, or a whole word).
const DATA: *const u32 = 0x4000_C000 as *const u32;
/// Where output goes.
const OUT: *mut u32 = 0x4000_C008 as *mut u32;

/// A word the optimiser cannot predict.
#[inline(never)]
pub fn word() -> u32 {
    // SAFETY: a device register on the probe's (imaginary) part; a probe is
    // only linked, never run.
    unsafe { read_volatile(DATA) }
}

/// A `usize` the optimiser cannot predict.
pub fn size() -> usize {
    word() as usize
}

/// A flag the optimiser cannot predict.
pub fn flag() -> bool {
    word() & 1 != 0
}

/// Report a number, so that no result is dropped as unused.
#[inline(never)]
pub fn sink(value: u32) {
    // SAFETY: as in `word`.
    unsafe { write_volatile(OUT, value) }
}

/// Transmit bytes.
#[inline(never)]
pub fn send(bytes: &[u8]) {
    for &b in bytes {
        sink(u32::from(b));
    }
}

/// Fill the front of `buf` with received bytes; return how many.
#[inline(never)]
pub fn fill(buf: &mut [u8]) -> usize {
    let n = size().min(buf.len());
    for b in buf.iter_mut().take(n) {
        *b = word() as u8;
    }
    n
}

/// Received bytes in `buf`: a prefix of unpredictable length.
pub fn bytes(buf: &mut [u8]) -> &[u8] {
    let n = fill(buf);
    buf.get(..n).unwrap_or_default()
}

/// Received text in `buf` (empty when it is not UTF-8).
pub fn text(buf: &mut [u8]) -> &str {
    core::str::from_utf8(bytes(buf)).unwrap_or_default()
}

/// A prefix of `buf` of unpredictable length: buffer sizes are input too.
pub fn prefix(buf: &mut [u8]) -> &mut [u8] {
    let n = size().min(buf.len());
    buf.get_mut(..n).unwrap_or_default()
}

/// Mask keys from the "RNG" (a plain `fn`: one `Connection` type for both
/// roles in a firmware that has both).
pub fn masks() -> [u8; 4] {
    word().to_be_bytes()
}

/// The masking source both probes use.
pub type Masks = fn() -> [u8; 4];

/// A configuration with every knob from the input.
#[must_use]
pub fn config() -> Config {
    let w = word();
    let mode = if w & 1 == 0 {
        RecvMode::Message
    } else {
        RecvMode::Stream
    };
    let config = Config::new()
        .with_max_message_len(size())
        .with_max_frame_len(size())
        .with_recv_mode(mode)
        .with_auto_pong(w & 2 != 0)
        .with_fragment_size(size())
        .with_allowed_rsv(Rsv::from_bits((w >> 8) as u8));
    if w & 4 != 0 {
        let interval = Duration::from_millis(u64::from(word()));
        config.with_keepalive(interval, Duration::from_millis(u64::from(word())))
    } else {
        config
    }
}

/// Handshake limits from the input.
#[must_use]
pub fn limits() -> Limits {
    Limits {
        max_head_len: size(),
        max_headers: size(),
    }
}

/// A clock reading from the input.
pub fn now() -> Instant {
    Instant::from_millis(u64::from(word()) << 32 | u64::from(word()))
}

/// Read transport bytes into the connection, one of the two ways the API
/// offers (a count may exceed the space: `handle_rx` clamps it).
fn receive<B, M, I, C>(conn: &mut Connection<B, M, I, C>)
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
    I: wsframe::RecvExtension,
    C: wsframe::SendExtension,
{
    if flag() {
        let n = fill(conn.rx_buffer());
        conn.handle_rx(if flag() { n } else { size() });
    } else {
        let mut chunk = [0u8; 64];
        let taken = conn.handle_bytes(bytes(&mut chunk));
        sink(taken as u32);
    }
}

/// Send what the connection owes.
fn flush<B, M, I, C>(conn: &mut Connection<B, M, I, C>, tx: &mut [u8])
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
    I: wsframe::RecvExtension,
    C: wsframe::SendExtension,
{
    let n = conn.poll_transmit(tx);
    send(tx.get(..n).unwrap_or_default());
    sink(u32::from(conn.wants_transmit()));
}

/// Run an open connection until it is closed: every input, event, timer
/// and send entry point, in an order the input picks.
#[inline(never)]
pub fn serve<B, M, I, C>(conn: &mut Connection<B, M, I, C>, tx: &mut [u8])
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
    I: wsframe::RecvExtension,
    C: wsframe::SendExtension,
{
    while !conn.is_closed() {
        receive(conn);
        conn.handle_timeout(now());
        sink(conn.poll_timeout().map_or(0, |t| t.as_millis() as u32));
        if flag() {
            match conn.process() {
                Ok(ready) => sink(u32::from(ready)),
                Err(e) => sink(u32::from(e.close_code().as_u16())),
            }
            flush(conn, tx);
        }
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Text(text))) => send(text.as_bytes()),
                Ok(Some(Event::Binary(data) | Event::Ping(data) | Event::Pong(data))) => send(data),
                Ok(Some(Event::Chunk(chunk))) => {
                    sink(chunk.offset as u32 ^ u32::from(chunk.last));
                    send(chunk.data);
                }
                Ok(Some(Event::Close(frame))) => {
                    if let Some(frame) = frame {
                        sink(u32::from(frame.code.as_u16()));
                        send(frame.reason.as_bytes());
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    sink(u32::from(e.close_code().as_u16()));
                    send(e.reason().as_bytes());
                    break;
                }
            }
        }
        flush(conn, tx);
        transmit(conn, tx);
        sink(matches!(conn.state(), wsframe::State::Open) as u32);
        sink(conn.is_closed() as u32);
        sink(conn.poll_timeout().map_or(0, |t| t.as_millis() as u32));
        sink(
            conn.error()
                .map_or(0, |e| u32::from(e.close_code().as_u16())),
        );
        sink(conn.max_message_len() as u32);
        send(conn.pending_input());
    }
}

/// One send call, picked by the input, with input payloads.
fn transmit<B, M, I, C>(conn: &mut Connection<B, M, I, C>, tx: &mut [u8])
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
    I: wsframe::RecvExtension,
    C: wsframe::SendExtension,
{
    let what = word();
    let kind = if what & 16 == 0 {
        MessageKind::Text
    } else {
        MessageKind::Binary
    };
    let mut buf = [0u8; 256];
    let sent = match what & 15 {
        0 => conn.encode_text(text(&mut buf), tx),
        1 => conn.encode_binary(bytes(&mut buf), tx),
        2 => conn.encode_message(kind, bytes(&mut buf), tx),
        3 => conn.encode_fragment(kind, bytes(&mut buf), what & 32 != 0, tx),
        4 => conn.encode_ping(bytes(&mut buf), tx),
        5 => conn.encode_pong(bytes(&mut buf), tx),
        6 => conn
            .close(CloseCode::new((what >> 16) as u16), text(&mut buf))
            .map(|()| 0),
        7 => conn
            .encode_next(kind, bytes(&mut buf), tx)
            .map(|e| e.len ^ usize::from(e.done)),
        8 => Ok(conn.encoded_message_len(size())),
        _ => Ok(0),
    };
    match sent {
        Ok(n) => send(tx.get(..n).unwrap_or_default()),
        Err(_) => sink(u32::MAX),
    }
}

/// The server's opening handshake in the connection's buffer: parse the
/// request, read it, answer (101, a refusal, or a plain HTTP response),
/// and open the connection. `false` when it was not opened.
#[inline(never)]
pub fn accept<B, M>(conn: &mut Connection<B, M>, tx: &mut [u8]) -> bool
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
{
    let limits = limits();
    let mut name = [0u8; 32];
    let name = text(&mut name);
    let mut value = [0u8; 32];
    let value = text(&mut value);
    let extra = [(name, value)];
    let extra = extra.get(..size().min(1)).unwrap_or_default();
    loop {
        receive(conn);
        let head_len = match parse_request::<16>(conn.pending_input(), &limits) {
            Ok(Status::Complete(request)) => {
                send(request.path().as_bytes());
                send(request.host());
                send(request.origin().unwrap_or_default());
                send(request.key().as_bytes());
                send(request.header(name).unwrap_or_default());
                sink(request.headers().len() as u32 ^ request.version().minor as u32);
                for token in request.protocols().chain(request.extensions()) {
                    send(token.as_bytes());
                }
                let protocol = if flag() {
                    request.select_protocol(&["chat", "superchat"])
                } else {
                    Some(name)
                };
                let status = (word() >> 16) as u16;
                let answer = match word() & 3 {
                    0 => request.accept(protocol, extra, tx),
                    1 => reject(status, extra, tx),
                    _ => encode_response(status, extra, tx),
                };
                match answer {
                    Ok(n) => send(tx.get(..n).unwrap_or_default()),
                    Err(_) => return false,
                }
                request.finished()
            }
            Ok(Status::Partial { needed }) => {
                sink(needed as u32);
                continue;
            }
            Err(e) => {
                sink(u32::from(e.status()));
                if let Ok(n) = e.encode_response(tx) {
                    send(tx.get(..n).unwrap_or_default());
                }
                return false;
            }
        };
        conn.finish_handshake(if flag() {
            head_len
        } else {
            wsframe::handshake::Finished::elsewhere()
        });
        return true;
    }
}

/// The client side: parse a URL, send the request (key, origin,
/// subprotocols, an extra header), check the answer in the connection's
/// buffer, and run the connection in the client role.
#[inline(never)]
pub fn connect(rx: &mut [u8], tx: &mut [u8]) {
    let mut url = [0u8; 96];
    let Ok(url) = Url::parse(text(&mut url)) else {
        return;
    };
    sink(u32::from(url.default_port()));
    let mut key = [0u8; 16];
    fill(&mut key);
    let mut origin = [0u8; 32];
    let origin = text(&mut origin);
    let mut name = [0u8; 32];
    let name = text(&mut name);
    let mut value = [0u8; 32];
    let value = text(&mut value);
    let headers = [(name, value)];
    let protocols = ["chat", name];
    let request = ClientRequest::new(&url, key)
        .with_origin(origin)
        .with_protocols(protocols.get(..size().min(2)).unwrap_or_default())
        .with_headers(headers.get(..size().min(1)).unwrap_or_default());
    send(&request.encoded_key());
    send(&request.expected_accept());
    let Ok(n) = request.encode(tx) else {
        return;
    };
    send(tx.get(..n).unwrap_or_default());

    let masks: Masks = masks;
    let Ok(mut conn) = Connection::client(rx, config(), masks) else {
        return;
    };
    let limits = limits();
    let head_len = loop {
        receive(&mut conn);
        match check_response_with(conn.pending_input(), &request, &limits) {
            Ok(Status::Complete(response)) => {
                send(response.protocol.unwrap_or_default().as_bytes());
                break response.finished();
            }
            Ok(Status::Partial { needed }) => sink(needed as u32),
            Err(e) => {
                sink(match e {
                    ResponseError::Status(status) => u32::from(status),
                    _ => 0,
                });
                return;
            }
        }
    };
    conn.finish_handshake(if flag() {
        head_len
    } else {
        wsframe::handshake::Finished::elsewhere()
    });
    serve(&mut conn, tx);
}

#[cfg(not(feature = "report"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    unsafe extern "C" {
        /// Defined nowhere: linking fails while any panic path survives.
        safe fn wsframe_panic_path_is_linked() -> !;
    }
    wsframe_panic_path_is_linked()
}

#[cfg(feature = "report")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    }
}
