//! Round trip: arbitrary messages encoded by one end and decoded by the
//! other, in both directions (client → server, then server → client over
//! the same pair), with an arbitrary fragment size, receive mode, receive
//! buffer and split of the wire into `handle_bytes` pieces; then an
//! optional closing handshake.
//!
//! Invariants:
//! - `encode_text` / `encode_binary` fit in exactly `encoded_message_len`
//!   bytes, and with one byte less fail with `BufferTooSmall` writing nothing;
//! - `encode_fragment` messages (text split at arbitrary byte offsets, even
//!   inside a character; binary in arbitrary parts) with an optional ping
//!   between fragments are accepted;
//! - the receiver sees exactly the messages sent, in order (stream-mode
//!   chunks reassembled), no error; pings arrive before the message they
//!   interrupted; auto-pongs reach the sender as pongs of pings it sent;
//! - a Close with a sendable code and reason arrives with that code and
//!   reason, the echo comes back with the code, and both ends are Closed.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::{CloseCode, Config, Connection, MaskSource, MessageKind, RecvMode, SendError, State};
use wsframe_testkit::{Masks, Owned, reassemble};

#[derive(Arbitrary, Debug, Clone)]
enum Msg {
    Text(String),
    Binary(Vec<u8>),
    /// Sent with `encode_fragment`, cut at these byte offsets (mod length).
    StreamText {
        text: String,
        cuts: Vec<u16>,
        ping_between: Option<Vec<u8>>,
    },
    StreamBinary {
        parts: Vec<Vec<u8>>,
        ping_between: Option<Vec<u8>>,
    },
    Ping(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    fragment_size: u16,
    client_stream_mode: bool,
    server_stream_mode: bool,
    buf_extra: u16,
    splits: Vec<u16>,
    mask_seed: u32,
    to_server: Vec<Msg>,
    to_client: Vec<Msg>,
    close: Option<(u16, String)>,
    close_from_server: bool,
}

/// What the receiver should report, chunks reassembled.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Logical {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<(u16, String)>),
}

fn ping_payload(p: &[u8]) -> &[u8] {
    &p[..p.len().min(125)]
}

/// Encode `msg` with `conn` onto `wire`; returns what the peer should see.
fn send<M: MaskSource>(
    conn: &mut Connection<&mut [u8], M>,
    msg: &Msg,
    wire: &mut Vec<u8>,
    expect: &mut Vec<Logical>,
) {
    match msg {
        Msg::Text(_) | Msg::Binary(_) => {
            let (kind, bytes) = match msg {
                Msg::Text(t) => (MessageKind::Text, t.as_bytes()),
                Msg::Binary(b) => (MessageKind::Binary, b.as_slice()),
                _ => unreachable!(),
            };
            let needed = conn.encoded_message_len(bytes.len());
            let mut tx = vec![0xA5u8; needed];
            // One byte short: refused, nothing written.
            let short = match kind {
                MessageKind::Text => {
                    conn.encode_text(core::str::from_utf8(bytes).unwrap(), &mut tx[..needed - 1])
                }
                MessageKind::Binary => conn.encode_binary(bytes, &mut tx[..needed - 1]),
            };
            assert_eq!(short, Err(SendError::BufferTooSmall { needed }));
            assert!(
                tx.iter().all(|&b| b == 0xA5),
                "a refused encode wrote bytes"
            );
            let n = match kind {
                MessageKind::Text => {
                    conn.encode_text(core::str::from_utf8(bytes).unwrap(), &mut tx)
                }
                MessageKind::Binary => conn.encode_binary(bytes, &mut tx),
            }
            .expect("encode into encoded_message_len bytes");
            assert_eq!(n, needed, "encoded_message_len is not exact");
            wire.extend_from_slice(&tx[..n]);
            expect.push(match msg {
                Msg::Text(t) => Logical::Text(t.clone()),
                _ => Logical::Binary(bytes.to_vec()),
            });
        }
        Msg::StreamText {
            text,
            cuts,
            ping_between,
        } => {
            let bytes = text.as_bytes();
            let mut cut_at: Vec<usize> = cuts
                .iter()
                .map(|&c| usize::from(c) % (bytes.len() + 1))
                .collect();
            cut_at.push(bytes.len());
            cut_at.sort_unstable();
            cut_at.dedup();
            let parts: Vec<&[u8]> = {
                let mut from = 0;
                cut_at
                    .iter()
                    .map(|&to| {
                        let p = &bytes[from..to];
                        from = to;
                        p
                    })
                    .collect()
            };
            send_fragments(
                conn,
                MessageKind::Text,
                &parts,
                ping_between.as_deref(),
                wire,
                expect,
            );
            expect.push(Logical::Text(text.clone()));
        }
        Msg::StreamBinary {
            parts,
            ping_between,
        } => {
            let slices: Vec<&[u8]> = if parts.is_empty() {
                vec![&[][..]]
            } else {
                parts.iter().map(Vec::as_slice).collect()
            };
            send_fragments(
                conn,
                MessageKind::Binary,
                &slices,
                ping_between.as_deref(),
                wire,
                expect,
            );
            expect.push(Logical::Binary(parts.concat()));
        }
        Msg::Ping(p) => {
            let p = ping_payload(p);
            let mut tx = [0u8; wsframe::MAX_CONTROL_FRAME_LEN];
            let n = conn.encode_ping(p, &mut tx).expect("ping");
            wire.extend_from_slice(&tx[..n]);
            expect.push(Logical::Ping(p.to_vec()));
        }
    }
}

fn send_fragments<M: MaskSource>(
    conn: &mut Connection<&mut [u8], M>,
    kind: MessageKind,
    parts: &[&[u8]],
    ping_between: Option<&[u8]>,
    wire: &mut Vec<u8>,
    expect: &mut Vec<Logical>,
) {
    let mut tx = vec![0u8; 16 + parts.iter().map(|p| p.len()).max().unwrap_or(0)];
    for (i, part) in parts.iter().enumerate() {
        let fin = i + 1 == parts.len();
        let n = conn
            .encode_fragment(kind, part, fin, &mut tx)
            .unwrap_or_else(|e| panic!("fragment {i} of {}: {e:?}", parts.len()));
        wire.extend_from_slice(&tx[..n]);
        if i == 0 && !fin {
            if let Some(p) = ping_between {
                let p = ping_payload(p);
                let mut ptx = [0u8; wsframe::MAX_CONTROL_FRAME_LEN];
                let n = conn
                    .encode_ping(p, &mut ptx)
                    .expect("ping between fragments");
                wire.extend_from_slice(&ptx[..n]);
                expect.push(Logical::Ping(p.to_vec()));
            }
        }
    }
}

/// Feed `wire` to `conn` in pieces, collecting logical events; returns
/// also what `poll_transmit` produced (for the other end).
fn receive<M: MaskSource>(
    conn: &mut Connection<&mut [u8], M>,
    wire: &[u8],
    splits: &[u16],
    got: &mut Vec<Logical>,
    back: &mut Vec<u8>,
) {
    let mut events = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    let mut tx = [0u8; 2 * wsframe::MAX_CONTROL_FRAME_LEN];
    let mut guard = 0;
    loop {
        guard += 1;
        assert!(guard < 4 * wire.len() + 64, "receive did not terminate");
        let want = if splits.is_empty() {
            wire.len() - pos
        } else {
            usize::from(splits[i % splits.len()] % 1000) + 1
        };
        i += 1;
        let end = (pos + want).min(wire.len());
        let taken = conn.handle_bytes(&wire[pos..end]);
        pos += taken;
        let before = events.len();
        loop {
            match conn.poll_event() {
                Ok(Some(ev)) => events.push(Owned::of(&ev)),
                Ok(None) => break,
                Err(e) => panic!("receiver failed: {e:?}"),
            }
        }
        loop {
            let n = conn.poll_transmit(&mut tx);
            if n == 0 {
                break;
            }
            back.extend_from_slice(&tx[..n]);
        }
        if pos >= wire.len() {
            break;
        }
        assert!(
            taken > 0 || events.len() > before,
            "receiver stuck at {pos} of {}",
            wire.len()
        );
    }
    // Stream-mode chunks reassembled: a message lands where its last chunk
    // was, so pings that interrupted it come first.
    for event in reassemble(&events) {
        got.push(match event {
            Owned::Text(t) => Logical::Text(t),
            Owned::Binary(b) => Logical::Binary(b),
            Owned::Ping(p) => Logical::Ping(p),
            Owned::Pong(p) => Logical::Pong(p),
            Owned::Close(c) => Logical::Close(c),
            Owned::Chunk { .. } => panic!("a message was left unfinished"),
            Owned::Error(_) => unreachable!("Owned::of is never an Error"),
        });
    }
}

fn config(stream: bool, fragment_size: u16) -> Config {
    Config::new()
        .with_recv_mode(if stream {
            RecvMode::Stream
        } else {
            RecvMode::Message
        })
        .with_fragment_size(usize::from(fragment_size % 300))
}

fn buf_len(stream: bool, extra: u16, msgs: &[Msg]) -> usize {
    let longest = msgs
        .iter()
        .map(|m| match m {
            Msg::Text(t) | Msg::StreamText { text: t, .. } => t.len(),
            Msg::Binary(b) => b.len(),
            Msg::StreamBinary { parts, .. } => parts.iter().map(Vec::len).sum(),
            Msg::Ping(_) => 0,
        })
        .max()
        .unwrap_or(0);
    let base = if stream {
        wsframe::MIN_BUFFER_LEN
    } else {
        (wsframe::CONTROL_RESERVE + wsframe::frame::MAX_HEADER_LEN + longest)
            .max(wsframe::MIN_BUFFER_LEN)
    };
    base + usize::from(extra % 512)
}

/// Pongs must echo pings that were sent.
fn check_pongs(got: &[Logical], pings: &[Logical]) {
    for g in got {
        if let Logical::Pong(p) = g {
            assert!(
                pings.iter().any(|x| x == &Logical::Ping(p.clone())),
                "pong {p:02x?} for a ping never sent"
            );
        }
    }
}

fn strip_pongs(v: &[Logical]) -> Vec<Logical> {
    v.iter()
        .filter(|e| !matches!(e, Logical::Pong(_)))
        .cloned()
        .collect()
}

fuzz_target!(|input: Input| {
    let mut all = input.to_server.clone();
    all.extend(input.to_client.iter().cloned());
    let mut cbuf = vec![0u8; buf_len(input.client_stream_mode, input.buf_extra, &all)];
    let mut sbuf = vec![0u8; buf_len(input.server_stream_mode, input.buf_extra / 3, &all)];
    let mut client = Connection::client(
        &mut cbuf[..],
        config(input.client_stream_mode, input.fragment_size),
        Masks(input.mask_seed),
    )
    .unwrap();
    let mut server = Connection::server(
        &mut sbuf[..],
        config(input.server_stream_mode, input.fragment_size / 7),
    )
    .unwrap();
    client.finish_handshake(wsframe::handshake::Finished::elsewhere());
    server.finish_handshake(wsframe::handshake::Finished::elsewhere());

    // Client → server.
    let mut wire = Vec::new();
    let mut expect = Vec::new();
    for m in &input.to_server {
        send(&mut client, m, &mut wire, &mut expect);
    }
    let mut got = Vec::new();
    let mut back = Vec::new();
    receive(&mut server, &wire, &input.splits, &mut got, &mut back);
    assert_eq!(
        got, expect,
        "server saw other messages than the client sent"
    );

    // Server → client, with the server's pongs first.
    let mut wire = back;
    let pings_to_server = expect;
    let mut expect = Vec::new();
    for m in &input.to_client {
        send(&mut server, m, &mut wire, &mut expect);
    }
    let mut got = Vec::new();
    let mut back = Vec::new();
    receive(&mut client, &wire, &input.splits, &mut got, &mut back);
    check_pongs(&got, &pings_to_server);
    assert_eq!(
        strip_pongs(&got),
        expect,
        "client saw other messages than the server sent"
    );

    // Closing handshake.
    let Some((code, reason)) = &input.close else {
        return;
    };
    let code = CloseCode::new(*code);
    let (first, second): (&mut dyn Closer, &mut dyn Closer) = if input.close_from_server {
        (&mut server, &mut client)
    } else {
        (&mut client, &mut server)
    };
    match first.close(code, reason) {
        Ok(()) => {}
        Err(SendError::InvalidClose(_)) => {
            assert!(!code.is_sendable() || reason.len() > 123);
            return;
        }
        Err(e) => panic!("close: {e:?}"),
    }
    assert!(code.is_sendable() && reason.len() <= 123);
    assert_eq!(first.state(), State::Closing(wsframe::Side::Local));
    let wire = first.transmit();
    let (got, back) = second.receive(&wire, &input.splits);
    let got = strip_pongs(&got);
    assert_eq!(
        got,
        vec![Logical::Close(Some((code.as_u16(), reason.clone())))]
    );
    assert_eq!(second.state(), State::Closed);
    let (got, _) = first.receive(&back, &input.splits);
    let got = strip_pongs(&got);
    assert_eq!(
        got,
        vec![Logical::Close(Some((code.as_u16(), String::new())))]
    );
    assert_eq!(first.state(), State::Closed);
});

/// Object-safe access to either end for the closing handshake.
trait Closer {
    fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), SendError>;
    fn state(&self) -> State;
    fn transmit(&mut self) -> Vec<u8>;
    fn receive(&mut self, wire: &[u8], splits: &[u16]) -> (Vec<Logical>, Vec<u8>);
}

impl<M: MaskSource> Closer for Connection<&mut [u8], M> {
    fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), SendError> {
        Connection::close(self, code, reason)
    }
    fn state(&self) -> State {
        Connection::state(self)
    }
    fn transmit(&mut self) -> Vec<u8> {
        let mut tx = [0u8; wsframe::MAX_CONTROL_FRAME_LEN];
        let n = self.poll_transmit(&mut tx);
        assert!(n > 0, "the queued Close was not transmitted");
        tx[..n].to_vec()
    }
    fn receive(&mut self, wire: &[u8], splits: &[u16]) -> (Vec<Logical>, Vec<u8>) {
        let mut got = Vec::new();
        let mut back = Vec::new();
        receive(self, wire, splits, &mut got, &mut back);
        (got, back)
    }
}
