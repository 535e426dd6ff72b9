//! The workloads of the side-by-side benchmarks (`benches/peers.rs`) and of
//! the allocation count (`src/bin/allocs.rs`), one module per implementation.
//!
//! Every workload is in memory. Stream-based implementations read from a
//! [`Feed`] (a cyclic reader over a prepared byte stream, so a decoder lives
//! across iterations) and write into a [`Sink`] or a [`Duplex`] pipe; all of
//! them implement `std::io`, `tokio::io` and `embedded-io-async`, and the
//! async implementations are driven by [`run`], which polls once per step
//! because memory I/O is always ready.
//!
//! Workloads (see `benches/README.md`):
//! W1 decode of [`FRAMES`] masked 16-byte text frames in the server role,
//! W2 unmask 1 MiB, W3 client encode of [`ENCODE_BATCH`] masked 16-byte text
//! frames, W4 decode of one 64 KiB masked frame (binary; W4t text),
//! W5 `Sec-WebSocket-Accept`, W6 an echo round trip (client encode, server
//! decode, server encode, client decode).

use std::cell::RefCell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Frames per W1 iteration.
pub const FRAMES: usize = 100_000;
/// Frames per W3 iteration.
pub const ENCODE_BATCH: usize = 1000;
/// The W4/W6 large message.
pub const LARGE: usize = 64 * 1024;
/// W2 buffer length.
pub const MIB: usize = 1 << 20;
/// The RFC 6455 §1.3 sample key.
pub const SAMPLE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// Its accept value.
pub const SAMPLE_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// The four 16-byte texts of W1/W3/W6 (ASCII and multibyte).
pub const TEXTS: [&str; 4] = [
    "sensor=21.5C ok!",
    "κόσμε ok!!!",
    "{\"t\":1,\"v\":[1]}\n",
    "€€€€€!",
];

/// The deterministic masking keys of every implementation:
/// `wsframe_testkit::Xorshift32`, with the `rand_core` traits that some
/// peers take their keys through.
#[derive(Clone, Debug, Default)]
pub struct Keys(wsframe_testkit::Xorshift32);

impl Keys {
    /// The next 4-byte key.
    pub fn next_key(&mut self) -> [u8; 4] {
        self.0.next_key()
    }
}

impl rand_core_06::RngCore for Keys {
    fn next_u32(&mut self) -> u32 {
        u32::from_be_bytes(self.next_key())
    }
    fn next_u64(&mut self) -> u64 {
        (u64::from(self.next_u32()) << 32) | u64::from(self.next_u32())
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(4) {
            let k = self.next_key();
            chunk.copy_from_slice(&k[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core_010::TryRng for Keys {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::from_be_bytes(self.next_key()))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(rand_core_06::RngCore::next_u64(self))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand_core_06::RngCore::fill_bytes(self, dst);
        Ok(())
    }
}

/// A masked client frame: header, then `payload` masked with `key`.
pub fn masked_frame(out: &mut Vec<u8>, opcode: wsframe::Opcode, payload: &[u8], key: [u8; 4]) {
    wsframe_testkit::RawFrame::new(opcode, payload)
        .with_mask(Some(key))
        .encode_into(out);
}

/// The W1 input: [`FRAMES`] masked 16-byte text frames, each with its own key.
pub fn w1_stream() -> Vec<u8> {
    let mut keys = Keys::default();
    let mut buf = Vec::with_capacity(FRAMES * 22);
    for i in 0..FRAMES {
        let text = TEXTS[i % TEXTS.len()].as_bytes();
        assert_eq!(text.len(), 16);
        masked_frame(&mut buf, wsframe::Opcode::Text, text, keys.next_key());
    }
    buf
}

/// The W4 payload: 64 KiB of valid UTF-8 (mixed widths), used for both the
/// binary and the text frame.
pub fn large_payload() -> Vec<u8> {
    let mut s = String::with_capacity(LARGE);
    let mut i = 0;
    while s.len() < LARGE {
        let t = TEXTS[i % TEXTS.len()];
        if s.len() + t.len() <= LARGE {
            s.push_str(t);
        } else {
            s.push('.');
        }
        i += 1;
    }
    s.into_bytes()
}

/// The W4 input: one masked frame of [`large_payload`].
pub fn w4_stream(opcode: wsframe::Opcode) -> Vec<u8> {
    let mut buf = Vec::new();
    masked_frame(&mut buf, opcode, &large_payload(), wsframe_testkit::KEY);
    buf
}

/// Drive a future that never waits for anything but memory I/O.
///
/// # Panics
/// When the future is still pending after many polls (a bench bug: the
/// reader waits on an empty pipe).
pub fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future stalled: reading an empty in-memory pipe");
}

// ---------------------------------------------------------------- transports

/// A cyclic reader over a prepared stream of whole frames; writes are
/// counted and dropped. A read returns at most up to the end of the stream.
#[derive(Debug)]
pub struct Feed<'a> {
    data: &'a [u8],
    pos: usize,
    /// Bytes written (and dropped).
    pub written: usize,
}

impl<'a> Feed<'a> {
    /// A reader cycling over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            written: 0,
        }
    }

    /// Copy the next bytes into `buf`.
    pub fn read_into(&mut self, buf: &mut [u8]) -> usize {
        if self.pos == self.data.len() {
            self.pos = 0;
        }
        let n = buf.len().min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        n
    }
}

/// An output buffer that writes append to; `clear` between iterations.
#[derive(Debug, Default)]
pub struct Sink {
    /// What was written.
    pub data: Vec<u8>,
}

/// One end of an in-memory pipe pair: reads from `rx`, writes to `tx`.
#[derive(Debug, Clone)]
pub struct Duplex {
    rx: Rc<RefCell<Pipe>>,
    tx: Rc<RefCell<Pipe>>,
}

#[derive(Debug, Default)]
struct Pipe {
    data: Vec<u8>,
    pos: usize,
}

impl Duplex {
    /// Two connected ends (client, server).
    pub fn pair() -> (Self, Self) {
        let a = Rc::new(RefCell::new(Pipe::default()));
        let b = Rc::new(RefCell::new(Pipe::default()));
        (
            Self {
                rx: a.clone(),
                tx: b.clone(),
            },
            Self { rx: b, tx: a },
        )
    }

    /// Bytes waiting to be read at this end.
    pub fn available(&self) -> usize {
        let p = self.rx.borrow();
        p.data.len() - p.pos
    }

    /// Read what is there (0 when empty).
    pub fn read_into(&mut self, buf: &mut [u8]) -> usize {
        let mut p = self.rx.borrow_mut();
        let n = buf.len().min(p.data.len() - p.pos);
        buf[..n].copy_from_slice(&p.data[p.pos..p.pos + n]);
        p.pos += n;
        if p.pos == p.data.len() {
            p.data.clear();
            p.pos = 0;
        }
        n
    }

    /// Drop what is waiting at this end; returns how much that was.
    pub fn clear_input(&mut self) -> usize {
        let mut p = self.rx.borrow_mut();
        let n = p.data.len() - p.pos;
        p.data.clear();
        p.pos = 0;
        n
    }

    /// Append to the peer's input.
    pub fn write_from(&mut self, buf: &[u8]) -> usize {
        self.tx.borrow_mut().data.extend_from_slice(buf);
        buf.len()
    }
}

/// Transports share one implementation of each I/O trait family.
trait Mem {
    /// Read; `None` when nothing is there yet (would block).
    fn mem_read(&mut self, buf: &mut [u8]) -> Option<usize>;
    fn mem_write(&mut self, buf: &[u8]) -> usize;
}

impl Mem for Feed<'_> {
    fn mem_read(&mut self, buf: &mut [u8]) -> Option<usize> {
        Some(self.read_into(buf))
    }
    fn mem_write(&mut self, buf: &[u8]) -> usize {
        self.written += buf.len();
        buf.len()
    }
}

impl Mem for Sink {
    fn mem_read(&mut self, _buf: &mut [u8]) -> Option<usize> {
        None
    }
    fn mem_write(&mut self, buf: &[u8]) -> usize {
        self.data.extend_from_slice(buf);
        buf.len()
    }
}

impl Mem for Duplex {
    fn mem_read(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.available() == 0 && !buf.is_empty() {
            None
        } else {
            Some(self.read_into(buf))
        }
    }
    fn mem_write(&mut self, buf: &[u8]) -> usize {
        self.write_from(buf)
    }
}

macro_rules! mem_io {
    ($($t:ty),*) => {$(
        impl std::io::Read for $t {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.mem_read(buf).ok_or(std::io::ErrorKind::WouldBlock.into())
            }
        }
        impl std::io::Write for $t {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                Ok(self.mem_write(buf))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        impl tokio::io::AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> Poll<std::io::Result<()>> {
                let this = self.get_mut();
                match this.mem_read(buf.initialize_unfilled()) {
                    Some(n) => {
                        buf.advance(n);
                        Poll::Ready(Ok(()))
                    }
                    None => Poll::Pending,
                }
            }
        }
        impl tokio::io::AsyncWrite for $t {
            fn poll_write(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<std::io::Result<usize>> {
                Poll::Ready(Ok(self.get_mut().mem_write(buf)))
            }
            fn poll_write_vectored(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> Poll<std::io::Result<usize>> {
                let this = self.get_mut();
                Poll::Ready(Ok(bufs.iter().map(|b| this.mem_write(b)).sum()))
            }
            fn is_write_vectored(&self) -> bool {
                true
            }
            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
                Poll::Ready(Ok(()))
            }
            fn poll_shutdown(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
            ) -> Poll<std::io::Result<()>> {
                Poll::Ready(Ok(()))
            }
        }
        impl embedded_io::ErrorType for $t {
            type Error = embedded_io::ErrorKind;
        }
        impl embedded_io_async::Read for $t {
            async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
                // Memory never waits; an empty pipe here is a bench bug.
                self.mem_read(buf).ok_or(embedded_io::ErrorKind::Other)
            }
        }
        impl embedded_io_async::Write for $t {
            async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
                Ok(self.mem_write(buf))
            }
            async fn flush(&mut self) -> Result<(), Self::Error> {
                Ok(())
            }
        }
    )*};
}
mem_io!(Feed<'_>, Sink, Duplex);

/// A buffer that lives for the rest of the process (peers that borrow
/// their buffers are kept in structs across iterations).
pub fn leak(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; len].into_boxed_slice())
}

/// A W6 message: text travels as `&str` so no harness step re-checks it.
#[derive(Clone, Copy, Debug)]
pub enum Msg<'a> {
    /// A text message.
    Text(&'a str),
    /// A binary message.
    Binary(&'a [u8]),
}

impl Msg<'_> {
    /// The payload length.
    pub fn len(&self) -> usize {
        match self {
            Msg::Text(t) => t.len(),
            Msg::Binary(b) => b.len(),
        }
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The payload bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Msg::Text(t) => t.as_bytes(),
            Msg::Binary(b) => b,
        }
    }
}

/// A result to feed `black_box`: messages seen and payload bytes.
pub type Count = (usize, usize);

// ---------------------------------------------------------------- wsframe

/// Ours, through [`wsframe::Connection`].
pub mod ours {
    use super::*;
    use wsframe::{Config, Connection, Event, MaskSource, NoMask};

    /// The client's masking keys.
    pub struct KeySource(pub Keys);
    impl MaskSource for KeySource {
        fn next_mask(&mut self) -> [u8; 4] {
            self.0.next_key()
        }
    }

    fn open<M: MaskSource>(mut c: Connection<Vec<u8>, M>) -> Connection<Vec<u8>, M> {
        c.finish_handshake(wsframe::handshake::Finished::elsewhere());
        c
    }

    /// A server connection with a `len`-byte receive buffer.
    pub fn server(len: usize) -> Connection<Vec<u8>, NoMask> {
        open(Connection::server(vec![0; len], Config::new()).expect("buffer"))
    }

    /// A client connection with a `len`-byte receive buffer.
    pub fn client(len: usize) -> Connection<Vec<u8>, KeySource> {
        open(
            Connection::client(vec![0; len], Config::new(), KeySource(Keys::default()))
                .expect("buffer"),
        )
    }

    /// Read `n` data messages from `feed` the way a user does: poll events,
    /// and when there are none, read the transport into `rx_buffer`.
    pub fn read<M: MaskSource>(
        conn: &mut Connection<Vec<u8>, M>,
        feed: &mut Feed<'_>,
        n: usize,
    ) -> Count {
        let (mut msgs, mut bytes) = (0, 0);
        while msgs < n {
            match conn.poll_event() {
                Ok(Some(Event::Text(t))) => {
                    msgs += 1;
                    bytes += t.len();
                }
                Ok(Some(Event::Binary(b))) => {
                    msgs += 1;
                    bytes += b.len();
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    let k = feed.read_into(conn.rx_buffer());
                    conn.handle_rx(k);
                }
                Err(e) => panic!("wsframe: {e:?}"),
            }
        }
        (msgs, bytes)
    }

    /// W3: encode `ENCODE_BATCH` masked text frames into `out`.
    pub fn encode(conn: &mut Connection<Vec<u8>, KeySource>, out: &mut [u8]) -> usize {
        let mut pos = 0;
        for i in 0..ENCODE_BATCH {
            pos += conn
                .encode_text(TEXTS[i % TEXTS.len()], &mut out[pos..])
                .expect("room");
        }
        pos
    }

    /// W6 state: a client and a server connected in memory.
    pub struct Echo {
        client: Connection<Vec<u8>, KeySource>,
        server: Connection<Vec<u8>, NoMask>,
        wire: Vec<u8>,
        text: String,
        binary: Vec<u8>,
    }

    impl Default for Echo {
        fn default() -> Self {
            let len = 2 * LARGE;
            Self {
                client: client(len),
                server: server(len),
                wire: vec![0; LARGE + 64],
                text: String::with_capacity(LARGE),
                binary: Vec::with_capacity(LARGE),
            }
        }
    }

    /// Receive one message from `wire`, copying it out (the event borrows
    /// the connection, and the echo needs it again): `true` for text.
    fn recv_one<M: MaskSource>(
        conn: &mut Connection<Vec<u8>, M>,
        mut wire: &[u8],
        text: &mut String,
        binary: &mut Vec<u8>,
    ) -> bool {
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Text(t))) => {
                    text.clear();
                    text.push_str(t);
                    return true;
                }
                Ok(Some(Event::Binary(b))) => {
                    binary.clear();
                    binary.extend_from_slice(b);
                    return false;
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    assert!(!wire.is_empty(), "wsframe echo: message incomplete");
                    let k = conn.handle_bytes(wire);
                    wire = &wire[k..];
                }
                Err(e) => panic!("wsframe: {e:?}"),
            }
        }
    }

    impl Echo {
        /// One round trip; returns the length echoed back.
        pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
            let Self {
                client,
                server,
                wire,
                text,
                binary,
            } = self;
            let n = match msg {
                Msg::Text(t) => client.encode_text(t, wire),
                Msg::Binary(b) => client.encode_binary(b, wire),
            }
            .expect("room");
            let n = if recv_one(server, &wire[..n], text, binary) {
                server.encode_text(text, wire)
            } else {
                server.encode_binary(binary, wire)
            }
            .expect("room");
            if recv_one(client, &wire[..n], text, binary) {
                text.len()
            } else {
                binary.len()
            }
        }
    }
}

// ---------------------------------------------------------------- tungstenite

/// tungstenite 0.30 through `WebSocket` over a blocking stream.
pub mod tungstenite_impl {
    use super::*;
    use tungstenite::protocol::{Role, WebSocket};
    use tungstenite::{Bytes, Message, Utf8Bytes};

    /// A server over `stream`.
    pub fn server<S: std::io::Read + std::io::Write>(stream: S) -> WebSocket<S> {
        WebSocket::from_raw_socket(stream, Role::Server, None)
    }

    /// A client over `stream`.
    pub fn client<S: std::io::Read + std::io::Write>(stream: S) -> WebSocket<S> {
        WebSocket::from_raw_socket(stream, Role::Client, None)
    }

    /// Read `n` data messages.
    pub fn read<S: std::io::Read + std::io::Write>(ws: &mut WebSocket<S>, n: usize) -> Count {
        let (mut msgs, mut bytes) = (0, 0);
        while msgs < n {
            match ws.read().expect("tungstenite read") {
                Message::Text(t) => {
                    msgs += 1;
                    bytes += t.len();
                }
                Message::Binary(b) => {
                    msgs += 1;
                    bytes += b.len();
                }
                _ => {}
            }
        }
        (msgs, bytes)
    }

    /// W3: write `ENCODE_BATCH` text messages (payloads are static, no copy).
    pub fn encode(ws: &mut WebSocket<Sink>) -> usize {
        ws.get_mut().data.clear();
        for i in 0..ENCODE_BATCH {
            ws.write(Message::Text(Utf8Bytes::from_static(
                TEXTS[i % TEXTS.len()],
            )))
            .expect("write");
        }
        ws.flush().expect("flush");
        ws.get_ref().data.len()
    }

    /// W6 state.
    pub struct Echo {
        client: WebSocket<Duplex>,
        server: WebSocket<Duplex>,
    }

    impl Default for Echo {
        fn default() -> Self {
            let (c, s) = Duplex::pair();
            Self {
                client: client(c),
                server: server(s),
            }
        }
    }

    impl Echo {
        /// One round trip.
        pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
            let m = match msg {
                Msg::Text(t) => Message::Text(Utf8Bytes::from(t)),
                Msg::Binary(b) => Message::Binary(Bytes::copy_from_slice(b)),
            };
            self.client.send(m).expect("send");
            let got = self.server.read().expect("server read");
            self.server.send(got).expect("echo");
            match self.client.read().expect("client read") {
                Message::Text(t) => t.len(),
                Message::Binary(b) => b.len(),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------- fastwebsockets

/// fastwebsockets 0.10 through `WebSocket` over a tokio stream.
pub mod fastwebsockets_impl {
    use super::*;
    use fastwebsockets::{Frame, OpCode, Payload, Role, WebSocket};

    /// A server over `stream`.
    pub fn server<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
        stream: S,
    ) -> WebSocket<S> {
        let mut ws = WebSocket::after_handshake(stream, Role::Server);
        ws.set_auto_close(false);
        ws
    }

    /// A client over `stream`.
    pub fn client<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
        stream: S,
    ) -> WebSocket<S> {
        WebSocket::after_handshake(stream, Role::Client)
    }

    /// Read `n` data frames (text frames are UTF-8 checked by `read_frame`).
    pub fn read<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
        ws: &mut WebSocket<S>,
        n: usize,
    ) -> Count {
        run(async {
            let (mut msgs, mut bytes) = (0, 0);
            while msgs < n {
                let f = ws.read_frame().await.expect("fastwebsockets read");
                if matches!(f.opcode, OpCode::Text | OpCode::Binary) {
                    msgs += 1;
                    bytes += f.payload.len();
                }
            }
            (msgs, bytes)
        })
    }

    /// W3: write `ENCODE_BATCH` text frames; the client masks in place, so
    /// each payload is first copied into a scratch (a borrowed payload would
    /// be copied into a new `Vec` by `Frame::mask`).
    /// The output goes into a pipe whose other end is `peer`.
    pub fn encode(ws: &mut WebSocket<Duplex>, peer: &mut Duplex) -> usize {
        run(async {
            let mut scratch = [0u8; 16];
            for i in 0..ENCODE_BATCH {
                scratch.copy_from_slice(TEXTS[i % TEXTS.len()].as_bytes());
                ws.write_frame(Frame::text(Payload::BorrowedMut(&mut scratch)))
                    .await
                    .expect("write");
            }
        });
        peer.clear_input()
    }

    /// W6 state.
    pub struct Echo {
        client: WebSocket<Duplex>,
        server: WebSocket<Duplex>,
        scratch: Vec<u8>,
    }

    impl Default for Echo {
        fn default() -> Self {
            let (c, s) = Duplex::pair();
            Self {
                client: client(c),
                server: server(s),
                scratch: Vec::with_capacity(LARGE),
            }
        }
    }

    impl Echo {
        /// One round trip (the server echoes the frame it read, as in the
        /// crate's echo example).
        pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
            let Self {
                client,
                server,
                scratch,
            } = self;
            run(async {
                scratch.clear();
                scratch.extend_from_slice(msg.bytes());
                let payload = Payload::BorrowedMut(scratch);
                let f = match msg {
                    Msg::Text(_) => Frame::text(payload),
                    Msg::Binary(_) => Frame::binary(payload),
                };
                client.write_frame(f).await.expect("send");
                let got = server.read_frame().await.expect("server read");
                server.write_frame(got).await.expect("echo");
                client
                    .read_frame()
                    .await
                    .expect("client read")
                    .payload
                    .len()
            })
        }
    }
}

// ---------------------------------------------------------------- embedded-websocket

/// embedded-websocket 0.9 (sans-I/O `read(from, to)` / `write(.., from, to)`).
pub mod embedded_websocket_impl {
    use super::*;
    use embedded_websocket::{
        WebSocketClient, WebSocketReceiveMessageType as R, WebSocketSendMessageType as S,
        WebSocketServer, WebSocketState,
    };

    /// An open server.
    pub fn server() -> WebSocketServer {
        let mut ws = WebSocketServer::new_server();
        ws.state = WebSocketState::Open;
        ws
    }

    /// An open client.
    pub fn client() -> WebSocketClient<Keys> {
        let mut ws = WebSocketClient::new_client(Keys::default());
        ws.state = WebSocketState::Open;
        ws
    }

    /// Read every frame in `input` (whole frames), payloads into `to`.
    /// It does not check UTF-8.
    pub fn read<T: rand_core_06::RngCore, K: embedded_websocket::WebSocketType>(
        ws: &mut embedded_websocket::WebSocket<T, K>,
        mut input: &[u8],
        to: &mut [u8],
    ) -> Count {
        let (mut msgs, mut bytes) = (0, 0);
        while !input.is_empty() {
            let r = ws.read(input, to).expect("embedded-websocket read");
            input = &input[r.len_from..];
            if matches!(r.message_type, R::Text | R::Binary) && r.end_of_message {
                msgs += 1;
            }
            bytes += r.len_to;
        }
        (msgs, bytes)
    }

    /// W3.
    pub fn encode(ws: &mut WebSocketClient<Keys>, out: &mut [u8]) -> usize {
        let mut pos = 0;
        for i in 0..ENCODE_BATCH {
            pos += ws
                .write(
                    S::Text,
                    true,
                    TEXTS[i % TEXTS.len()].as_bytes(),
                    &mut out[pos..],
                )
                .expect("write");
        }
        pos
    }

    /// W6 state.
    pub struct Echo {
        client: WebSocketClient<Keys>,
        server: WebSocketServer,
        wire: Vec<u8>,
        payload: Vec<u8>,
    }

    impl Default for Echo {
        fn default() -> Self {
            Self {
                client: client(),
                server: server(),
                wire: vec![0; LARGE + 64],
                payload: vec![0; LARGE + 64],
            }
        }
    }

    impl Echo {
        /// One round trip.
        pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
            let kind = match msg {
                Msg::Text(_) => S::Text,
                Msg::Binary(_) => S::Binary,
            };
            let n = self
                .client
                .write(kind, true, msg.bytes(), &mut self.wire)
                .expect("send");
            let r = self
                .server
                .read(&self.wire[..n], &mut self.payload)
                .expect("server read");
            assert!(r.end_of_message);
            let n = self
                .server
                .write(kind, true, &self.payload[..r.len_to], &mut self.wire)
                .expect("echo");
            let r = self
                .client
                .read(&self.wire[..n], &mut self.payload)
                .expect("client read");
            r.len_to
        }
    }
}

// ---------------------------------------------------------------- edge-ws

/// edge-ws 0.8 through `io::recv` / `io::send` over `embedded-io-async`.
pub mod edge_ws_impl {
    use super::*;
    use edge_ws::FrameType;

    /// Read `n` data frames into `buf` (no UTF-8 check in edge-ws).
    pub fn read(feed: &mut Feed<'_>, buf: &mut [u8], n: usize) -> Count {
        run(async {
            let (mut msgs, mut bytes) = (0, 0);
            while msgs < n {
                let (t, len) = edge_ws::io::recv(&mut *feed, buf)
                    .await
                    .expect("edge-ws recv");
                if matches!(t, FrameType::Text(_) | FrameType::Binary(_)) {
                    msgs += 1;
                    bytes += len;
                }
            }
            (msgs, bytes)
        })
    }

    /// W3.
    pub fn encode(sink: &mut Sink, keys: &mut Keys) -> usize {
        sink.data.clear();
        run(async {
            for i in 0..ENCODE_BATCH {
                let key = u32::from_be_bytes(keys.next_key());
                edge_ws::io::send(
                    &mut *sink,
                    FrameType::Text(false),
                    Some(key),
                    TEXTS[i % TEXTS.len()].as_bytes(),
                )
                .await
                .expect("send");
            }
        });
        sink.data.len()
    }

    /// W6 state.
    pub struct Echo {
        client: Duplex,
        server: Duplex,
        keys: Keys,
        buf: Vec<u8>,
    }

    impl Default for Echo {
        fn default() -> Self {
            let (client, server) = Duplex::pair();
            Self {
                client,
                server,
                keys: Keys::default(),
                buf: vec![0; LARGE + 64],
            }
        }
    }

    impl Echo {
        /// One round trip.
        pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
            let Self {
                client,
                server,
                keys,
                buf,
            } = self;
            let t = match msg {
                Msg::Text(_) => FrameType::Text(false),
                Msg::Binary(_) => FrameType::Binary(false),
            };
            run(async {
                let key = u32::from_be_bytes(keys.next_key());
                edge_ws::io::send(&mut *client, t, Some(key), msg.bytes())
                    .await
                    .expect("send");
                let (t, n) = edge_ws::io::recv(&mut *server, buf)
                    .await
                    .expect("server recv");
                edge_ws::io::send(&mut *server, t, None, &buf[..n])
                    .await
                    .expect("echo");
                edge_ws::io::recv(&mut *client, buf)
                    .await
                    .expect("client recv")
                    .1
            })
        }
    }
}

// ---------------------------------------------------------------- websocket-sans-io

/// websocket-sans-io 0.1: frame layer only (no messages, no UTF-8 check).
pub mod sans_io_impl {
    use super::*;
    use websocket_sans_io::{
        FrameInfo, Opcode, WebsocketFrameDecoder, WebsocketFrameEncoder, WebsocketFrameEvent,
    };

    /// Decode (and unmask in place) every frame event in `data`; counts
    /// ended data frames and payload bytes.
    pub fn decode(dec: &mut WebsocketFrameDecoder, mut data: &mut [u8], c: &mut Count) {
        loop {
            let r = dec.add_data(data).expect("sans-io decode");
            match r.event {
                Some(WebsocketFrameEvent::PayloadChunk { .. }) => c.1 += r.consumed_bytes,
                Some(WebsocketFrameEvent::End { frame_info, .. })
                    if frame_info.opcode.is_data() =>
                {
                    c.0 += 1
                }
                Some(_) => {}
                None if r.consumed_bytes == 0 => return,
                None => {}
            }
            data = &mut data[r.consumed_bytes..];
        }
    }

    /// Read `n` data frames: copy the transport's bytes into `chunk` and decode in place.
    pub fn read(
        dec: &mut WebsocketFrameDecoder,
        feed: &mut Feed<'_>,
        chunk: &mut [u8],
        n: usize,
    ) -> Count {
        let mut c = (0, 0);
        while c.0 < n {
            let k = feed.read_into(chunk);
            decode(dec, &mut chunk[..k], &mut c);
        }
        c
    }

    fn frame(
        enc: &mut WebsocketFrameEncoder,
        opcode: Opcode,
        payload: &[u8],
        mask: Option<[u8; 4]>,
        out: &mut [u8],
    ) -> usize {
        let head = enc.start_frame(&FrameInfo {
            opcode,
            payload_length: payload.len() as u64,
            mask,
            fin: true,
            reserved: 0,
        });
        out[..head.len()].copy_from_slice(&head);
        let body = &mut out[head.len()..head.len() + payload.len()];
        body.copy_from_slice(payload);
        enc.transform_frame_payload(body);
        head.len() + payload.len()
    }

    /// W3.
    pub fn encode(enc: &mut WebsocketFrameEncoder, keys: &mut Keys, out: &mut [u8]) -> usize {
        let mut pos = 0;
        for i in 0..ENCODE_BATCH {
            pos += frame(
                enc,
                Opcode::Text,
                TEXTS[i % TEXTS.len()].as_bytes(),
                Some(keys.next_key()),
                &mut out[pos..],
            );
        }
        pos
    }

    /// W6 state.
    #[derive(Default)]
    pub struct Echo {
        enc_c: WebsocketFrameEncoder,
        enc_s: WebsocketFrameEncoder,
        dec_c: WebsocketFrameDecoder,
        dec_s: WebsocketFrameDecoder,
        keys: Keys,
        wire: Vec<u8>,
        scratch: Vec<u8>,
    }

    /// Decode one whole frame in `wire`, appending its payload to `out`.
    fn recv_one(dec: &mut WebsocketFrameDecoder, mut wire: &mut [u8], out: &mut Vec<u8>) {
        out.clear();
        loop {
            let r = dec.add_data(wire).expect("decode");
            let (now, rest) = wire.split_at_mut(r.consumed_bytes);
            match r.event {
                Some(WebsocketFrameEvent::PayloadChunk { .. }) => out.extend_from_slice(now),
                Some(WebsocketFrameEvent::End { .. }) => return,
                Some(_) => {}
                None => assert!(r.consumed_bytes > 0, "frame incomplete"),
            }
            wire = rest;
        }
    }

    impl Echo {
        /// One round trip.
        pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
            if self.wire.is_empty() {
                self.wire = vec![0; LARGE + 64];
                self.scratch = Vec::with_capacity(LARGE);
            }
            let op = match msg {
                Msg::Text(_) => Opcode::Text,
                Msg::Binary(_) => Opcode::Binary,
            };
            let key = self.keys.next_key();
            let n = frame(&mut self.enc_c, op, msg.bytes(), Some(key), &mut self.wire);
            recv_one(&mut self.dec_s, &mut self.wire[..n], &mut self.scratch);
            let n = frame(&mut self.enc_s, op, &self.scratch, None, &mut self.wire);
            recv_one(&mut self.dec_c, &mut self.wire[..n], &mut self.scratch);
            self.scratch.len()
        }
    }
}

// ---------------------------------------------------------------- websocketz

/// websocketz 0.2 through `WebSocket` over `embedded-io-async`.
pub mod websocketz_impl {
    use super::*;
    use websocketz::{Message, WebSocket};

    /// A server over `rw` with `len`-byte read and write buffers.
    pub fn server<RW>(rw: RW, len: usize) -> WebSocket<'static, RW, Keys> {
        WebSocket::server(rw, Keys::default(), leak(len), leak(len), leak(len))
    }

    /// A client over `rw` with `len`-byte read and write buffers.
    pub fn client<RW>(rw: RW, len: usize) -> WebSocket<'static, RW, Keys> {
        WebSocket::client(rw, Keys::default(), leak(len), leak(len), leak(len))
    }

    /// Read `n` data messages (text is UTF-8 checked).
    pub fn read<RW: embedded_io_async::Read + embedded_io_async::Write>(
        ws: &mut WebSocket<'static, RW, Keys>,
        n: usize,
    ) -> Count {
        run(async {
            let (mut msgs, mut bytes) = (0, 0);
            while msgs < n {
                match websocketz::next!(ws) {
                    Some(Ok(Message::Text(t))) => {
                        msgs += 1;
                        bytes += t.len();
                    }
                    Some(Ok(Message::Binary(b))) => {
                        msgs += 1;
                        bytes += b.len();
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => panic!("websocketz: {e:?}"),
                    None => panic!("websocketz: closed"),
                }
            }
            (msgs, bytes)
        })
    }

    /// W3: the output goes into a pipe whose other end is `peer`.
    pub fn encode(ws: &mut WebSocket<'static, Duplex, Keys>, peer: &mut Duplex) -> usize {
        run(async {
            for i in 0..ENCODE_BATCH {
                ws.send(Message::Text(TEXTS[i % TEXTS.len()]))
                    .await
                    .expect("send");
            }
        });
        peer.clear_input()
    }

    /// W6 state.
    pub struct Echo {
        client: WebSocket<'static, Duplex, Keys>,
        server: WebSocket<'static, Duplex, Keys>,
        scratch: Vec<u8>,
    }

    impl Default for Echo {
        fn default() -> Self {
            let (c, s) = Duplex::pair();
            Self {
                client: client(c, LARGE + 64),
                server: server(s, LARGE + 64),
                scratch: Vec::with_capacity(LARGE),
            }
        }
    }

    impl Echo {
        /// One round trip (the server echoes from a scratch copy: the
        /// message borrows the socket).
        pub fn round_trip(&mut self, msg: Msg<'_>) -> usize {
            let Self {
                client,
                server,
                scratch,
            } = self;
            run(async {
                let m = match msg {
                    Msg::Text(t) => Message::Text(t),
                    Msg::Binary(b) => Message::Binary(b),
                };
                client.send(m).await.expect("send");
                scratch.clear();
                let is_text = match websocketz::next!(server) {
                    Some(Ok(Message::Text(t))) => {
                        scratch.extend_from_slice(t.as_bytes());
                        true
                    }
                    Some(Ok(Message::Binary(b))) => {
                        scratch.extend_from_slice(b);
                        false
                    }
                    other => panic!("websocketz server: {other:?}"),
                };
                let m = if is_text {
                    Message::Text(std::str::from_utf8(scratch).expect("utf8"))
                } else {
                    Message::Binary(scratch)
                };
                server.send(m).await.expect("echo");
                match websocketz::next!(client) {
                    Some(Ok(Message::Text(t))) => t.len(),
                    Some(Ok(Message::Binary(b))) => b.len(),
                    other => panic!("websocketz client: {other:?}"),
                }
            })
        }
    }
}
