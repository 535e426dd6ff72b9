//! Interop client: drives a peer's echo server through a scripted session
//! in the client role and checks every answer.
//!
//! ```sh
//! cargo run --release --example interop_client -- ws://127.0.0.1:9002 [--protocol NAME] [--no-deflate]
//! ```
//! Every connection offers permessage-deflate (RFC 7692) with a 32 KiB
//! inflate window and the compressor's 8 KiB table, and fails its step if
//! the peer does not agree it; `--no-deflate` offers no extension and
//! fails a step if one is agreed. The last line says on how many
//! connections it was agreed.
//! The peer (`interop/python/server.py`, `interop/node/server.js`) echoes
//! every data message and understands a few text commands:
//!
//! | command | the peer |
//! | --- | --- |
//! | `cmd:info` | answers `info protocol=P extensions=E` (its own view of the handshake) |
//! | `cmd:fragment-next N` | echoes the next data message as `N` fragments, then sends `fragmented N` |
//! | `cmd:ping PAYLOAD` | pings with `PAYLOAD`, then sends `pong-ok PAYLOAD` once the pong came back |
//! | `cmd:close CODE REASON` | closes first with `CODE` and `REASON` |
//! | `cmd:oversize N` | sends a binary message of `N` bytes |
//! | `cmd:closeof PATH` | answers `close CODE REASON` received on the connection to `PATH`, or `close none` |
//!
//! Each step opens its own connection (its path names the step), prints
//! `ok` or `FAIL` with what it saw, and the exit status is 1 if any failed.
//! Every socket read times out after 10 s.

#[path = "support/mod.rs"]
mod support;

use std::cell::Cell;
use std::net::TcpStream;
use std::time::Duration;

use embedded_io_adapters::std::FromStd;
use support::{Masks, random};
use wsframe::deflate::{Deflater, Inflater};
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::Error;
use wsframe::io::blocking::WebSocket;
use wsframe::{CloseCode, Config, Connection, Event, MessageKind, ProtocolError};

type Ws =
    WebSocket<FromStd<TcpStream>, Vec<u8>, Vec<u8>, Masks, Inflater<Vec<u8>>, Deflater<Vec<u16>>>;
type Step = Result<String, String>;
/// A named step of the session.
type NamedStep = (&'static str, fn(&Client) -> Step);

const MIB: usize = 1 << 20;
/// The bound on any single socket read.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Message sizes echoed both ways: the frame length forms and their edges,
/// a message larger than our 64 KiB send buffer (sent fragmented), and the
/// 1 MiB cap itself.
const SIZES: &[usize] = &[0, 1, 125, 126, 127, 65_535, 65_536, 300_001, MIB];

struct Client {
    base: String,
    protocols: Vec<&'static str>,
    expect_protocol: Option<&'static str>,
    /// Offer permessage-deflate (and require it agreed).
    deflate: bool,
    /// Connections opened, and those on which deflate was agreed.
    opened: Cell<usize>,
    agreed: Cell<usize>,
}

impl Client {
    /// Open a connection to `path`; returns it with the subprotocol chosen.
    /// Fails if permessage-deflate was not agreed as asked (`deflate`).
    fn open(&self, path: &str) -> Result<(Ws, Option<String>), String> {
        let full = format!("{}{path}", self.base);
        let url = Url::parse(&full).map_err(|e| format!("{full}: {e}"))?;
        let stream =
            TcpStream::connect((url.host, url.port)).map_err(|e| format!("{full}: {e}"))?;
        stream.set_nodelay(true).ok();
        stream.set_read_timeout(Some(READ_TIMEOUT)).ok();
        stream.set_write_timeout(Some(READ_TIMEOUT)).ok();
        // The default 1 MiB cap; room in the buffer for a whole 1 MiB message.
        // The deflate memory is there either way; only the offer differs.
        let conn = Connection::client(vec![0u8; MIB + 64 * 1024], Config::new(), Masks::from_os())
            .map_err(|e| e.to_string())?
            .with_deflate(
                Inflater::new(vec![0u8; wsframe::deflate::MAX_WINDOW_LEN])
                    .map_err(|e| e.to_string())?,
                Deflater::new(vec![0u16; wsframe::deflate::TABLE_LEN]),
            );
        let mut request = ClientRequest::new(&url, random()).with_protocols(&self.protocols);
        if self.deflate {
            request = request.with_deflate(conn.deflate_offer().ok_or("no deflate offer")?);
        }
        let mut ws = WebSocket::new(FromStd::new(stream), conn, vec![0u8; 64 * 1024])
            .map_err(|e| e.to_string())?;
        let chosen = ws
            .connect(&request)
            .map_err(|e| format!("handshake with {full}: {e}"))?
            .map(str::to_owned);
        let agreed = ws.connection().deflate_agreed();
        self.opened.set(self.opened.get() + 1);
        self.agreed.set(self.agreed.get() + usize::from(agreed));
        if agreed != self.deflate {
            return Err(format!(
                "{full}: permessage-deflate {}, but we {}",
                if agreed { "agreed" } else { "not agreed" },
                if self.deflate {
                    "offered it"
                } else {
                    "did not offer it"
                }
            ));
        }
        Ok((ws, chosen))
    }
}

/// The next text or binary message, skipping pings and pongs.
fn next_message(ws: &mut Ws) -> Result<(MessageKind, Vec<u8>), String> {
    for _ in 0..100 {
        match ws.read() {
            Ok(Event::Text(t)) => return Ok((MessageKind::Text, t.as_bytes().to_vec())),
            Ok(Event::Binary(b)) => return Ok((MessageKind::Binary, b.to_vec())),
            Ok(Event::Ping(_) | Event::Pong(_)) => {}
            Ok(Event::Close(c)) => {
                return Err(format!(
                    "peer closed: {:?}",
                    c.map(|c| (c.code.as_u16(), c.reason.to_owned()))
                ));
            }
            Ok(Event::Chunk(_)) => return Err("unexpected chunk".to_owned()),
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    Err("no message after 100 control frames".to_owned())
}

fn next_text(ws: &mut Ws) -> Result<String, String> {
    match next_message(ws)? {
        (MessageKind::Text, b) => String::from_utf8(b).map_err(|e| e.to_string()),
        (MessageKind::Binary, b) => {
            Err(format!("binary message of {} bytes, wanted text", b.len()))
        }
    }
}

fn send(ws: &mut Ws, kind: MessageKind, payload: &[u8]) -> Result<(), String> {
    ws.send(kind, payload).map_err(|e| format!("send: {e}"))
}

/// Close normally and wait for the echo.
fn finish(mut ws: Ws) -> Result<(), String> {
    ws.close(CloseCode::NORMAL, "done")
        .map_err(|e| format!("close: {e}"))?;
    let result = wait_close(&mut ws).map(|_| ());
    support::linger(ws.into_parts().0.into_inner(), Duration::from_secs(2));
    result
}

/// Read until the peer's Close (then expect `Closed`): its code and reason.
fn wait_close(ws: &mut Ws) -> Result<Option<(u16, String)>, String> {
    for _ in 0..100 {
        match ws.read() {
            Ok(Event::Close(frame)) => {
                let seen = frame.map(|f| (f.code.as_u16(), f.reason.to_owned()));
                return match ws.read() {
                    Err(Error::Closed) => Ok(seen),
                    Ok(_) => Err("an event after the Close".to_owned()),
                    Err(e) => Err(format!("after the Close: {e}")),
                };
            }
            Ok(_) => {}
            Err(e) => return Err(format!("waiting for the Close: {e}")),
        }
    }
    Err("no Close after 100 events".to_owned())
}

/// Text of exactly `len` bytes, mostly multi-byte characters.
fn text_of(len: usize) -> String {
    let mut out = String::with_capacity(len);
    for c in "wsframe ünïcødé ✓ 🦀 interop ".chars().cycle() {
        if out.len() + c.len_utf8() > len {
            break;
        }
        out.push(c);
    }
    while out.len() < len {
        out.push('x');
    }
    out
}

/// Binary of `len` bytes, every byte value, not periodic in 256.
fn binary_of(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ (i >> 8) as u8).collect()
}

fn payload_of(kind: MessageKind, len: usize) -> Vec<u8> {
    match kind {
        MessageKind::Text => text_of(len).into_bytes(),
        MessageKind::Binary => binary_of(len),
    }
}

/// Where two payloads first differ, for a failure message.
fn compare(kind: MessageKind, sent: &[u8], got: (MessageKind, Vec<u8>)) -> Result<(), String> {
    if got.0 != kind {
        return Err(format!("sent {kind:?}, got {:?}", got.0));
    }
    if got.1 != sent {
        let at = sent.iter().zip(&got.1).position(|(a, b)| a != b);
        return Err(format!(
            "{kind:?} of {} bytes came back as {} bytes, first difference at {at:?}",
            sent.len(),
            got.1.len()
        ));
    }
    Ok(())
}

fn handshake(c: &Client) -> Step {
    let (mut ws, chosen) = c.open("/handshake")?;
    if chosen.as_deref() != c.expect_protocol {
        return Err(format!(
            "subprotocol {chosen:?}, expected {:?}",
            c.expect_protocol
        ));
    }
    send(&mut ws, MessageKind::Text, b"cmd:info")?;
    let info = next_text(&mut ws)?;
    let expected = format!(
        "info protocol={} extensions={}",
        c.expect_protocol.unwrap_or(""),
        if c.deflate { "permessage-deflate" } else { "" }
    );
    if info != expected {
        return Err(format!("peer says {info:?}, expected {expected:?}"));
    }
    finish(ws)?;
    Ok(format!(
        "offered {:?}, chose {chosen:?}, permessage-deflate {}; peer: {info:?}",
        c.protocols,
        if c.deflate {
            "offered and agreed"
        } else {
            "not offered"
        }
    ))
}

/// JSON-like text of about `len` bytes: records that repeat in shape, not
/// in content, as an application would send.
fn json_of(len: usize) -> String {
    let mut out = String::from("[");
    for i in 0.. {
        if out.len() >= len {
            break;
        }
        out.push_str(&format!(
            r#"{{"id":{i},"user":"wsframe-{}","text":"ünïcødé ✓ message {i}","tags":["interop","deflate"],"ok":true}},"#,
            i % 7
        ));
    }
    out.pop();
    out.push(']');
    out
}

/// Messages that compress, both kinds, echoed: sent compressed by us and
/// by the peer (the capture in `ci/interop.sh` counts RSV1 on this path).
fn compressed(c: &Client) -> Step {
    let (mut ws, _) = c.open("/deflate")?;
    let cases = [
        (MessageKind::Text, json_of(4096).into_bytes()),
        (MessageKind::Binary, json_of(4096).into_bytes()),
        (MessageKind::Text, json_of(300_000).into_bytes()),
    ];
    for (kind, payload) in &cases {
        send(&mut ws, *kind, payload)?;
        compare(*kind, payload, next_message(&mut ws)?)?;
    }
    finish(ws)?;
    Ok(format!(
        "JSON-like (kind, bytes) {:?} echoed byte-exact",
        cases.each_ref().map(|(k, p)| (*k, p.len()))
    ))
}

fn echo(c: &Client) -> Step {
    let (mut ws, _) = c.open("/echo")?;
    for kind in [MessageKind::Text, MessageKind::Binary] {
        for &len in SIZES {
            let payload = payload_of(kind, len);
            send(&mut ws, kind, &payload)?;
            compare(kind, &payload, next_message(&mut ws)?)?;
        }
    }
    finish(ws)?;
    Ok(format!(
        "text and binary of {SIZES:?} bytes echoed byte-exact"
    ))
}

fn fragments_from_peer(c: &Client) -> Step {
    let (mut ws, _) = c.open("/fragments")?;
    let cases = [
        (MessageKind::Text, 3, 10_000),
        (MessageKind::Text, 7, 100_003),
        (MessageKind::Binary, 2, 5),
        (MessageKind::Binary, 16, MIB),
    ];
    for (kind, pieces, len) in cases {
        send(
            &mut ws,
            MessageKind::Text,
            format!("cmd:fragment-next {pieces}").as_bytes(),
        )?;
        let payload = payload_of(kind, len);
        send(&mut ws, kind, &payload)?;
        compare(kind, &payload, next_message(&mut ws)?)?;
        let confirm = next_text(&mut ws)?;
        if confirm != format!("fragmented {pieces}") {
            return Err(format!("peer confirmed {confirm:?}"));
        }
    }
    finish(ws)?;
    Ok(format!(
        "(kind, fragments, bytes) {:?} reassembled byte-exact",
        cases.map(|(k, p, l)| (k, p, l))
    ))
}

fn peer_pings(c: &Client) -> Step {
    let (mut ws, _) = c.open("/peer-pings")?;
    let payload = "ping from the peer 0123456789";
    send(
        &mut ws,
        MessageKind::Text,
        format!("cmd:ping {payload}").as_bytes(),
    )?;
    match ws.read() {
        Ok(Event::Ping(p)) if p == payload.as_bytes() => {}
        Ok(other) => return Err(format!("expected the ping, got {other:?}")),
        Err(e) => return Err(format!("read: {e}")),
    }
    let confirm = next_text(&mut ws)?;
    if confirm != format!("pong-ok {payload}") {
        return Err(format!("peer says {confirm:?}"));
    }
    finish(ws)?;
    Ok(format!(
        "ping {payload:?} seen, peer got the pong: {confirm:?}"
    ))
}

fn we_ping(c: &Client) -> Step {
    let (mut ws, _) = c.open("/we-ping")?;
    let payload = random::<16>();
    ws.send_ping(&payload).map_err(|e| format!("ping: {e}"))?;
    match ws.read() {
        Ok(Event::Pong(p)) if p == payload => {}
        Ok(other) => return Err(format!("expected our pong, got {other:?}")),
        Err(e) => return Err(format!("read: {e}")),
    }
    finish(ws)?;
    Ok(format!("pong with our 16 random bytes {payload:02x?}"))
}

/// Ask the peer (on a fresh connection) what Close it received on `path`;
/// its answer must start with `expected`. The peer records it when that
/// connection's handler ends, which may be a moment after our side
/// finished: ask up to 50 times, 100 ms apart.
fn close_seen_by_peer(c: &Client, path: &str, expected: &str) -> Result<String, String> {
    let (mut ws, _) = c.open("/query")?;
    let mut answer = String::new();
    for _ in 0..50 {
        send(
            &mut ws,
            MessageKind::Text,
            format!("cmd:closeof {path}").as_bytes(),
        )?;
        answer = next_text(&mut ws)?;
        if answer.starts_with(expected) {
            finish(ws)?;
            return Ok(answer);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "peer saw {answer:?} on {path}, expected {expected:?}"
    ))
}

fn we_close(c: &Client) -> Step {
    let (mut ws, _) = c.open("/we-close")?;
    let reason = "wsframe says bye ✓";
    ws.close(CloseCode::new(4001), reason)
        .map_err(|e| format!("close: {e}"))?;
    let echo = wait_close(&mut ws)?;
    support::linger(ws.into_parts().0.into_inner(), Duration::from_secs(2));
    if echo.as_ref().map(|e| e.0) != Some(4001) {
        return Err(format!("the peer's echo was {echo:?}, expected code 4001"));
    }
    let seen = close_seen_by_peer(c, "/we-close", &format!("close 4001 {reason}"))?;
    Ok(format!("echo {echo:?}; peer: {seen:?}"))
}

fn peer_closes(c: &Client) -> Step {
    let (mut ws, _) = c.open("/peer-closes")?;
    send(
        &mut ws,
        MessageKind::Text,
        b"cmd:close 4002 the peer says bye",
    )?;
    let seen = wait_close(&mut ws)?;
    support::linger(ws.into_parts().0.into_inner(), Duration::from_secs(2));
    if seen != Some((4002, "the peer says bye".to_owned())) {
        return Err(format!(
            "saw {seen:?}, expected (4002, \"the peer says bye\")"
        ));
    }
    Ok(format!("saw {seen:?}, echoed it"))
}

fn peer_over_cap(c: &Client) -> Step {
    let (mut ws, _) = c.open("/over-cap")?;
    // Exactly the cap passes, one byte more is refused with 1009.
    send(
        &mut ws,
        MessageKind::Text,
        format!("cmd:oversize {MIB}").as_bytes(),
    )?;
    let (kind, data) = next_message(&mut ws)?;
    if kind != MessageKind::Binary || data.len() != MIB {
        return Err(format!(
            "{kind:?} of {} bytes, expected 1 MiB binary",
            data.len()
        ));
    }
    send(
        &mut ws,
        MessageKind::Text,
        format!("cmd:oversize {}", MIB + 1).as_bytes(),
    )?;
    // Refused from the frame header, as a message or a frame over the cap.
    let result = match ws.read() {
        Err(Error::Protocol(
            e @ (ProtocolError::MessageTooLong { .. } | ProtocolError::FrameTooLong { .. }),
        )) => Ok(e),
        Ok(other) => Err(format!("expected a refusal, got {other:?}")),
        Err(e) => Err(format!("expected a 1009 refusal, got {e}")),
    };
    support::linger(ws.into_parts().0.into_inner(), Duration::from_secs(2));
    let e = result?;
    let seen = close_seen_by_peer(c, "/over-cap", "close 1009")?;
    Ok(format!(
        "1 MiB passed; 1 MiB + 1 refused ({e}); peer: {seen:?}"
    ))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut base = "ws://127.0.0.1:9002".to_owned();
    let mut protocols: Vec<&'static str> = Vec::new();
    let mut deflate = true;
    while let Some(arg) = args.next() {
        if arg == "--no-deflate" {
            deflate = false;
        } else if arg == "--protocol" {
            let Some(name) = args.next() else {
                eprintln!("--protocol NAME");
                std::process::exit(2);
            };
            protocols.push(String::leak(name));
        } else {
            base = arg;
        }
    }
    let client = Client {
        base: base.trim_end_matches('/').to_owned(),
        // Offer a name the peer does not know first: it must pick its own.
        expect_protocol: protocols.first().copied(),
        protocols: if protocols.is_empty() {
            protocols
        } else {
            std::iter::once("x-unknown.example")
                .chain(protocols)
                .collect()
        },
        deflate,
        opened: Cell::new(0),
        agreed: Cell::new(0),
    };
    let steps: [NamedStep; 9] = [
        ("handshake + subprotocol + deflate", handshake),
        ("compressible messages both ways", compressed),
        ("echo text/binary up to 1 MiB", echo),
        ("fragmented messages from the peer", fragments_from_peer),
        ("peer pings us", peer_pings),
        ("we ping the peer", we_ping),
        ("we close first", we_close),
        ("peer closes first", peer_closes),
        ("peer message over the 1 MiB cap", peer_over_cap),
    ];
    let mut failed = 0;
    for (name, step) in steps {
        match step(&client) {
            Ok(detail) => println!("ok   {name}: {detail}"),
            Err(e) => {
                failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
    println!(
        "interop_client: permessage-deflate {} on {} of {} connections",
        if client.deflate {
            "offered, agreed"
        } else {
            "not offered, agreed"
        },
        client.agreed.get(),
        client.opened.get()
    );
    println!(
        "interop_client: {} of {} steps passed",
        steps.len() - failed,
        steps.len()
    );
    std::process::exit(i32::from(failed > 0));
}
