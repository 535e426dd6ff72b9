//! What the wsframe probes share: the message loop over an open
//! [`Connection`] and the server handshake, so that each probe binary
//! is a few lines and the steps (a)–(d) differ only in what they call.
#![no_std]

use core::time::Duration;

use footprint_rt::{receive, send, sink, word};
use wsframe::handshake::{self, ClientRequest, Limits, Url, check_response};
use wsframe::{
    CloseCode, Config, Connection, Event, Instant, MaskSource, MessageKind, RecvExtension, Role,
    SendExtension, Status,
};

/// The configuration a gateway would use: defaults plus keepalive.
#[must_use]
pub fn config() -> Config {
    Config::new().with_keepalive(Duration::from_secs(30), Duration::from_secs(10))
}

/// Run an open connection until it is closed: receive, hand out events,
/// answer, keep alive, and send messages, pings, fragments and a close
/// picked by the UART.
#[inline(never)]
pub fn serve<B, M, I, C>(conn: &mut Connection<B, M, I, C>, tx: &mut [u8])
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
    I: RecvExtension,
    C: SendExtension,
{
    while !conn.is_closed() {
        let n = receive(conn.rx_buffer());
        conn.handle_rx(n);
        conn.handle_timeout(Instant::from_millis(u64::from(word())));
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Text(text))) => send(text.as_bytes()),
                Ok(Some(Event::Binary(data))) => send(data),
                Ok(Some(Event::Chunk(chunk))) => {
                    sink(chunk.offset as u32);
                    send(chunk.data);
                }
                Ok(Some(Event::Ping(data) | Event::Pong(data))) => sink(data.len() as u32),
                Ok(Some(Event::Close(frame))) => {
                    sink(frame.map_or(1005, |f| u32::from(f.code.as_u16())));
                }
                Ok(None) => break,
                Err(e) => {
                    sink(u32::from(e.close_code().as_u16()));
                    break;
                }
            }
        }
        let n = conn.poll_transmit(tx);
        send(tx.get(..n).unwrap_or_default());

        let what = word();
        let mut message = [0u8; 128];
        let len = receive(&mut message);
        let payload = message.get(..len).unwrap_or_default();
        let sent = match what & 7 {
            0 => conn.encode_message(MessageKind::Text, payload, tx),
            1 => conn.encode_binary(payload, tx),
            2 => conn.encode_fragment(MessageKind::Text, payload, what & 8 != 0, tx),
            3 => conn.encode_ping(payload.get(..4).unwrap_or_default(), tx),
            4 => conn
                .close(CloseCode::new((what >> 16) as u16), "bye")
                .map(|()| 0),
            _ => Ok(0),
        };
        match sent {
            Ok(n) => send(tx.get(..n).unwrap_or_default()),
            Err(_) => sink(u32::MAX),
        }
    }
}

/// The server's opening handshake: read the request into the connection's
/// buffer, answer 101 (with the "chat" subprotocol when offered) or the
/// refusal, and open the connection. `false` when refused.
#[inline(never)]
pub fn accept<B, M>(conn: &mut Connection<B, M>, tx: &mut [u8]) -> bool
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: MaskSource,
{
    loop {
        let n = receive(conn.rx_buffer());
        conn.handle_rx(n);
        let head_len = match handshake::parse_request::<16>(conn.pending_input(), &Limits::DEFAULT)
        {
            Ok(Status::Complete(request)) => {
                let protocol = request.select_protocol(&["chat"]);
                match request.accept(protocol, &[], tx) {
                    Ok(n) => send(tx.get(..n).unwrap_or_default()),
                    Err(_) => return false,
                }
                request.finished()
            }
            Ok(Status::Partial { .. }) => continue,
            Err(e) => {
                if let Ok(n) = e.encode_response(tx) {
                    send(tx.get(..n).unwrap_or_default());
                }
                return false;
            }
        };
        conn.finish_handshake(head_len);
        return true;
    }
}

/// Mask keys from the UART (a stand-in for the part's RNG).
#[must_use]
pub fn masks() -> [u8; 4] {
    word().to_be_bytes()
}

/// The client side: parse a URL from the UART, send the request (random
/// key, the "chat" subprotocol), check the server's response in the
/// connection's buffer, then run the connection. `masks` is a plain `fn`
/// so that a firmware with both roles has one `Connection` type.
pub fn connect(rx: &mut [u8], tx: &mut [u8]) {
    let mut text = [0u8; 96];
    let n = receive(&mut text);
    let Ok(text) = core::str::from_utf8(text.get(..n).unwrap_or_default()) else {
        return;
    };
    let Ok(url) = Url::parse(text) else {
        return;
    };
    let mut key = [0u8; 16];
    for part in key.chunks_exact_mut(4) {
        part.copy_from_slice(&word().to_be_bytes());
    }
    let request = ClientRequest::new(&url, key).with_protocols(&["chat"]);
    let Ok(n) = request.encode(tx) else {
        return;
    };
    send(tx.get(..n).unwrap_or_default());
    let masks: fn() -> [u8; 4] = masks;
    let Ok(mut conn) = Connection::new(Role::Client, rx, config(), masks) else {
        return;
    };
    let head_len = loop {
        let n = receive(conn.rx_buffer());
        conn.handle_rx(n);
        match check_response(conn.pending_input(), &request) {
            Ok(Status::Complete(response)) => break response.finished(),
            Ok(Status::Partial { .. }) => {}
            Err(_) => return,
        }
    };
    conn.finish_handshake(head_len);
    serve(&mut conn, tx);
}
