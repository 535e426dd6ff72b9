//! Z1: inflate one compressed 64 KiB text message (RFC 7692 §7.2.2).
//!
//! The message ([`z1_text`]) is compressed once, as a peer sends it: zlib
//! (flate2's zlib-rs backend) level 6, a raw DEFLATE stream with window 15
//! ended by a sync flush whose `00 00 ff ff` is removed ([`z1_deflated`]).
//! Then it is inflated by wsframe's [`Connection`] from the masked RSV1
//! frame ([`z1_frame`]), and by the bare decompressors on the deflate
//! bytes with the trailer put back ([`z1_input`]): `miniz_oxide` (what
//! wsframe's `Inflater` uses) into a 32 KiB wrapping window copied out
//! ([`MinizRing`], what the connection does) and into a flat 64 KiB
//! buffer ([`MinizFlat`], its best case), and `flate2::Decompress` into a
//! `Vec` ([`Flate2`]).
//!
//! Every state lives across iterations with the context kept (takeover,
//! the RFC's default), the way a connection inflates message after
//! message; the message never refers before its own start, so each
//! iteration inflates the same 64 KiB.

use crate::{Count, Feed, LARGE, text};
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};
use wsframe::deflate::{Inflater, Params};
use wsframe::frame::Rsv;
use wsframe::handshake::Finished;
use wsframe::{Config, Connection, Event, NoMask, Opcode, RecvMode};

/// The sync flush's tail, removed by the sender, restored by the receiver.
pub const TRAILER: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// The inflate window: 2^15 bytes, the RFC's default.
pub const WINDOW: usize = 1 << 15;

/// What the handshake agreed: the defaults (context takeover, window 15).
pub const PARAMS: Params = Params {
    server_no_context_takeover: false,
    client_no_context_takeover: false,
    server_max_window_bits: 15,
    client_max_window_bits: 15,
};

/// The Z1 message: exactly 64 KiB of chat-like JSON (ASCII).
pub fn z1_text() -> String {
    text::chat_json_exact(1, LARGE)
}

/// `data` compressed by zlib at `level` as a permessage-deflate sender
/// does: raw DEFLATE, window 15, a sync flush, `00 00 ff ff` removed.
/// `z` is reset first (a message that refers to nothing before it).
pub fn zlib_message(z: &mut flate2::Compress, data: &[u8], out: &mut Vec<u8>) -> usize {
    z.reset();
    out.clear();
    let mut input = data;
    loop {
        if out.capacity() - out.len() < 64 {
            out.reserve(data.len() / 2 + 64);
        }
        let before = z.total_in();
        z.compress_vec(input, out, flate2::FlushCompress::Sync)
            .expect("zlib compresses");
        input = &input[(z.total_in() - before) as usize..];
        if input.is_empty() && out.len() < out.capacity() {
            break;
        }
    }
    assert!(
        out.ends_with(&TRAILER),
        "a sync flush ends with 00 00 ff ff"
    );
    out.truncate(out.len() - TRAILER.len());
    out.len()
}

/// A zlib compressor at `level` for [`zlib_message`].
pub fn zlib(level: u32) -> flate2::Compress {
    flate2::Compress::new_with_window_bits(flate2::Compression::new(level), false, 15)
}

/// [`z1_text`] compressed by zlib level 6 (trailer removed).
pub fn z1_deflated() -> Vec<u8> {
    let mut out = Vec::new();
    zlib_message(&mut zlib(6), z1_text().as_bytes(), &mut out);
    out
}

/// The deflate bytes with the trailer put back: what a bare inflater is given.
pub fn z1_input() -> Vec<u8> {
    let mut v = z1_deflated();
    v.extend_from_slice(&TRAILER);
    v
}

/// The masked client frame carrying [`z1_deflated`]: text, FIN, RSV1.
pub fn z1_frame() -> Vec<u8> {
    let mut buf = Vec::new();
    wsframe_testkit::RawFrame::new(Opcode::Text, &z1_deflated())
        .with_rsv(Rsv::RSV1)
        .with_mask(Some(wsframe_testkit::KEY))
        .encode_into(&mut buf);
    buf
}

/// Our server with permessage-deflate agreed.
pub type Conn = Connection<Vec<u8>, NoMask, Inflater<Vec<u8>>, ()>;

/// A server with a `len`-byte receive buffer and a 32 KiB inflate window,
/// in `mode`, the extension agreed with [`PARAMS`].
pub fn server(len: usize, mode: RecvMode) -> Conn {
    let inflater = Inflater::new(vec![0u8; WINDOW]).expect("window");
    let config = Config::new().with_recv_mode(mode);
    let mut c = Connection::server(vec![0u8; len], config)
        .expect("buffer")
        .with_deflate(inflater, ());
    c.finish_handshake(Finished::elsewhere().with_deflate(Some(PARAMS)));
    c
}

/// Message mode: the receive buffer holds the whole inflated message.
pub fn server_message() -> Conn {
    server(2 * LARGE, RecvMode::Message)
}

/// Stream mode: chunks straight from the window, an 8 KiB buffer.
pub fn server_stream() -> Conn {
    server(8192, RecvMode::Stream)
}

/// Read `n` messages from `feed` as a user does: poll events, and when
/// there are none, read the transport into `rx_buffer`. Text arrives as
/// `Event::Text` (message mode) or as chunks (stream mode; a message is
/// counted at its last chunk).
pub fn read(conn: &mut Conn, feed: &mut Feed<'_>, n: usize) -> Count {
    let (mut msgs, mut bytes) = (0, 0);
    while msgs < n {
        match conn.poll_event() {
            Ok(Some(Event::Text(t))) => {
                msgs += 1;
                bytes += t.len();
            }
            Ok(Some(Event::Chunk(c))) => {
                bytes += c.data.len();
                msgs += usize::from(c.last);
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

/// Bare `miniz_oxide` into a 32 KiB wrapping window, each piece copied
/// out into the message buffer, as wsframe's connection does.
pub struct MinizRing {
    d: Box<DecompressorOxide>,
    window: Vec<u8>,
    pos: usize,
    /// The message, assembled.
    pub out: Vec<u8>,
}

impl Default for MinizRing {
    fn default() -> Self {
        Self {
            d: Box::default(),
            window: vec![0; WINDOW],
            pos: 0,
            out: vec![0; LARGE],
        }
    }
}

impl MinizRing {
    /// Inflate one message (`input`: deflate bytes and trailer); its length.
    pub fn inflate(&mut self, mut input: &[u8]) -> usize {
        let mut len = 0;
        loop {
            if self.pos == self.window.len() {
                self.pos = 0;
            }
            let (status, read, written) = decompress(
                &mut self.d,
                input,
                &mut self.window,
                self.pos,
                inflate_flags::TINFL_FLAG_HAS_MORE_INPUT,
            );
            self.out[len..len + written]
                .copy_from_slice(&self.window[self.pos..self.pos + written]);
            len += written;
            self.pos += written;
            input = &input[read..];
            match status {
                TINFLStatus::NeedsMoreInput if input.is_empty() => return len,
                TINFLStatus::NeedsMoreInput | TINFLStatus::HasMoreOutput => {}
                other => panic!("miniz_oxide: {other:?}"),
            }
        }
    }
}

/// Bare `miniz_oxide` into a flat 64 KiB buffer (no window, no copy):
/// the decompressor's best case, possible only when the whole message
/// fits in memory. The buffer has 1 KiB to spare: with the output full
/// the decompressor stops before the sync flush's empty block.
pub struct MinizFlat {
    d: Box<DecompressorOxide>,
    /// The message.
    pub out: Vec<u8>,
}

impl Default for MinizFlat {
    fn default() -> Self {
        Self {
            d: Box::default(),
            out: vec![0; LARGE + 1024],
        }
    }
}

impl MinizFlat {
    /// Inflate one message (`input`: deflate bytes and trailer); its length.
    pub fn inflate(&mut self, input: &[u8]) -> usize {
        self.d.init();
        let flags = inflate_flags::TINFL_FLAG_HAS_MORE_INPUT
            | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
        let (status, read, written) = decompress(&mut self.d, input, &mut self.out, 0, flags);
        assert_eq!(
            (status, read),
            (TINFLStatus::NeedsMoreInput, input.len()),
            "miniz_oxide flat"
        );
        written
    }
}

/// `flate2::Decompress` (zlib-rs), raw, into a `Vec`.
pub struct Flate2 {
    d: flate2::Decompress,
    /// The message.
    pub out: Vec<u8>,
}

impl Default for Flate2 {
    fn default() -> Self {
        Self {
            d: flate2::Decompress::new(false),
            out: Vec::with_capacity(LARGE + 1024),
        }
    }
}

impl Flate2 {
    /// Inflate one message (`input`: deflate bytes and trailer); its length.
    pub fn inflate(&mut self, mut input: &[u8]) -> usize {
        self.out.clear();
        while !input.is_empty() {
            if self.out.len() == self.out.capacity() {
                self.out.reserve(LARGE);
            }
            let before = self.d.total_in();
            self.d
                .decompress_vec(input, &mut self.out, flate2::FlushDecompress::Sync)
                .expect("flate2 inflates");
            input = &input[(self.d.total_in() - before) as usize..];
        }
        self.out.len()
    }
}
