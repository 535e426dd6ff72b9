//! Helpers shared by the fuzz targets: structured wire input, a checker
//! for what `poll_transmit` emits, and the chunked connection driver behind
//! `server_stream` and `client_stream`. Owned events, chunk merging, the
//! raw frame encoder and the mask source come from `wsframe-testkit`
//! (shared with tests/ and benches/).

use arbitrary::Arbitrary;
use wsframe::close;
use wsframe::frame::{Header, Opcode};
use wsframe::utf8::Validator;
use wsframe::{
    Config, Connection, MIN_BUFFER_LEN, MaskSource, ProtocolError, RecvMode, Role, State,
};
use wsframe_testkit::{KEY, LenForm, Masks, Owned, RawFrame, merge_chunks};

// ---------------------------------------------------------------------------
// Raw trailing bytes.

/// Bytes that, as the last field of an input, take the rest of the input
/// verbatim (arbitrary 1.5's `Vec<u8>` puts a "continue" byte before each
/// element even then), so a seed can end with plain wire bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rest(pub Vec<u8>);

impl<'a> Arbitrary<'a> for Rest {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Self(Vec::<u8>::arbitrary(u)?))
    }

    fn arbitrary_take_rest(u: arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Self(u.take_rest().to_vec()))
    }
}

impl core::ops::Deref for Rest {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

// ---------------------------------------------------------------------------
// Building wire bytes.

/// A piece of the byte stream a peer sends: raw bytes, or a frame built
/// from fields (so the fuzzer reaches the state machine past the header
/// checks without having to discover the framing itself).
#[derive(Arbitrary, Debug, Clone)]
pub enum Piece {
    /// Bytes as given.
    Raw(Vec<u8>),
    /// A frame with any bits; the payload is masked with `mask` when set.
    Frame {
        fin: bool,
        /// The low three bits are RSV1..RSV3.
        rsv: u8,
        /// The low four bits are the opcode (reserved values included).
        opcode: u8,
        mask: Option<[u8; 4]>,
        /// 0: minimal length form; 1: force 16-bit; 2: force 64-bit;
        /// other: minimal.
        form: u8,
        payload: Vec<u8>,
    },
    /// A Close frame with a code and a reason.
    Close {
        code: Option<u16>,
        reason: String,
        mask: Option<[u8; 4]>,
    },
    /// A text frame of valid UTF-8.
    Text {
        fin: bool,
        continuation: bool,
        text: String,
        mask: Option<[u8; 4]>,
    },
}

/// `Piece::Frame::form` as a length form: 1 forces the 16-bit form
/// (truncating longer lengths), 2 the 64-bit one, anything else the minimal.
fn len_form(form: u8) -> LenForm {
    match form {
        1 => LenForm::Force16,
        2 => LenForm::Force64,
        _ => LenForm::Minimal,
    }
}

/// The bytes of all pieces, in order. `force_mask`: `Some(true)` masks
/// every built frame (a client's), `Some(false)` masks none (a server's),
/// `None` keeps each piece's choice.
pub fn build_wire(pieces: &[Piece], force_mask: Option<bool>) -> Vec<u8> {
    let pick = |m: &Option<[u8; 4]>| match force_mask {
        Some(true) => Some(m.unwrap_or(KEY)),
        Some(false) => None,
        None => *m,
    };
    let mut out = Vec::new();
    for p in pieces {
        match p {
            Piece::Raw(bytes) => out.extend_from_slice(bytes),
            Piece::Frame {
                fin,
                rsv,
                opcode,
                mask,
                form,
                payload,
            } => RawFrame {
                fin: *fin,
                rsv: *rsv,
                opcode: *opcode,
                mask: *mask,
                len_form: len_form(*form),
                payload,
            }
            .encode_into(&mut out),
            Piece::Close { code, reason, mask } => {
                let mut payload = Vec::new();
                if let Some(code) = code {
                    payload.extend_from_slice(&code.to_be_bytes());
                    payload.extend_from_slice(reason.as_bytes());
                }
                RawFrame::new(Opcode::Close, &payload)
                    .with_mask(pick(mask))
                    .encode_into(&mut out);
            }
            Piece::Text {
                fin,
                continuation,
                text,
                mask,
            } => {
                let op = if *continuation {
                    Opcode::Continuation
                } else {
                    Opcode::Text
                };
                RawFrame::new(op, text.as_bytes())
                    .with_fin(*fin)
                    .with_mask(pick(mask))
                    .encode_into(&mut out);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Checking what a connection transmits.

/// What `poll_transmit` has sent over a connection's life.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// The unmasked payload of the Close frame sent, if one was.
    pub close: Option<Vec<u8>>,
    /// Pong payloads, in order.
    pub pongs: Vec<Vec<u8>>,
}

/// Decode every frame in `bytes` (one `poll_transmit` output): each must be
/// a valid control frame, masked exactly when `role` is a client, a Close
/// must carry a sendable code (or none) and a UTF-8 reason, and nothing may
/// follow a Close.
pub fn check_transmit(role: Role, bytes: &[u8], sent: &mut Sent) {
    let mut rest = bytes;
    while !rest.is_empty() {
        assert!(
            sent.close.is_none(),
            "a frame after the Close: {bytes:02x?}"
        );
        let (header, hlen) = match Header::decode(rest) {
            Ok(wsframe::Status::Complete(done)) => done,
            other => panic!("poll_transmit emitted an undecodable frame ({other:?}): {bytes:02x?}"),
        };
        match role {
            Role::Client => assert!(header.mask.is_some(), "client sent an unmasked frame"),
            Role::Server => assert!(header.mask.is_none(), "server sent a masked frame"),
        }
        assert!(
            header.opcode.is_control(),
            "poll_transmit sent {:?}",
            header.opcode
        );
        let plen = usize::try_from(header.payload_len).expect("small");
        let frame_end = hlen + plen;
        assert!(
            frame_end <= rest.len(),
            "truncated frame in poll_transmit output"
        );
        let mut payload = rest[hlen..frame_end].to_vec();
        if let Some(key) = header.mask {
            wsframe::mask::apply(key, 0, &mut payload);
        }
        match header.opcode {
            Opcode::Close => {
                match close::parse_payload(&payload) {
                    Ok(Some(frame)) => assert!(
                        frame.code.is_sendable(),
                        "close code {} is not sendable",
                        frame.code
                    ),
                    Ok(None) => {}
                    Err(e) => panic!("sent an invalid Close payload {payload:02x?}: {e:?}"),
                }
                sent.close = Some(payload);
            }
            Opcode::Pong => sent.pongs.push(payload),
            Opcode::Ping => {}
            _ => unreachable!(),
        }
        rest = &rest[frame_end..];
    }
}

// ---------------------------------------------------------------------------
// The stream targets' driver.

/// Structured input for `server_stream` / `client_stream`.
#[derive(Arbitrary, Debug)]
pub struct StreamInput {
    pub stream_mode: bool,
    pub auto_pong: bool,
    /// Receive buffer: `MIN_BUFFER_LEN + extra % 2048` bytes.
    pub buf_extra: u16,
    /// `with_max_message_len(v % 65536)` when set.
    pub max_message_len: Option<u32>,
    /// `with_max_frame_len(v % 65536)` when set.
    pub max_frame_len: Option<u32>,
    /// Allowed RSV bits (low three).
    pub allowed_rsv: u8,
    /// Bytes standing for the handshake head (see `head()`), fed while
    /// connecting: nothing may come of them.
    pub head: Vec<u8>,
    /// Keep each built frame's own mask choice instead of the role's.
    pub raw_masks: bool,
    pub pieces: Vec<Piece>,
    /// Sizes of the pieces handed to `handle_bytes` (`s % 700 + 1`, cycled).
    pub splits: Vec<u16>,
    /// Seed of the client's mask source.
    pub mask_seed: u32,
    /// Raw bytes appended to the wire after the pieces. Last, so it takes
    /// the rest of the input: a seed is a fixed knob prefix followed by
    /// wire bytes (see `make_corpus.py`).
    pub tail: Rest,
}

impl StreamInput {
    pub fn config(&self) -> Config {
        let mut c = Config::new()
            .with_recv_mode(if self.stream_mode {
                RecvMode::Stream
            } else {
                RecvMode::Message
            })
            .with_auto_pong(self.auto_pong)
            .with_allowed_rsv(wsframe::frame::Rsv::from_bits(self.allowed_rsv));
        if let Some(m) = self.max_message_len {
            c = c.with_max_message_len((m % 65536) as usize);
        }
        if let Some(m) = self.max_frame_len {
            c = c.with_max_frame_len((m % 65536) as usize);
        }
        c
    }

    pub fn buf_len(&self) -> usize {
        MIN_BUFFER_LEN + usize::from(self.buf_extra % 2048)
    }

    /// The head bytes used: at most 64, and at most what the buffer's data
    /// region (after `CONTROL_RESERVE`) holds while connecting.
    pub fn head(&self) -> &[u8] {
        let room = self.buf_len() - wsframe::CONTROL_RESERVE;
        &self.head[..self.head.len().min(64).min(room)]
    }
}

/// What one run of the driver observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub events: Vec<Owned>,
    pub error: Option<ProtocolError>,
    pub sent: Sent,
    pub state: State,
}

/// Feed `wire` to a fresh connection of `role` in pieces of the given
/// sizes (`None`: as much as it takes each time), polling events and
/// transmits after every piece, and check the per-run invariants.
pub fn drive(role: Role, input: &StreamInput, wire: &[u8], splits: Option<&[u16]>) -> Outcome {
    let mut buf = vec![0u8; input.buf_len()];
    let config = input.config();
    match role {
        Role::Server => {
            let conn = Connection::server(&mut buf[..], config).expect("buffer >= MIN_BUFFER_LEN");
            run(conn, input, wire, splits)
        }
        Role::Client => {
            let conn = Connection::client(&mut buf[..], config, Masks(input.mask_seed))
                .expect("buffer >= MIN_BUFFER_LEN");
            run(conn, input, wire, splits)
        }
    }
}

fn run<M: MaskSource>(
    mut conn: Connection<&mut [u8], M>,
    input: &StreamInput,
    wire: &[u8],
    splits: Option<&[u16]>,
) -> Outcome {
    let role = conn.role();

    // The handshake head sits in the buffer before the connection opens.
    let head = input.head();
    assert_eq!(conn.handle_bytes(head), head.len());
    assert_eq!(conn.pending_input(), head);
    assert_eq!(conn.state(), State::Connecting);
    assert!(
        matches!(conn.poll_event(), Ok(None)),
        "event before the handshake"
    );
    let mut tx = vec![0u8; 2 * wsframe::MAX_CONTROL_FRAME_LEN];
    assert_eq!(
        conn.poll_transmit(&mut tx),
        0,
        "transmit before the handshake"
    );
    // The head is fuzz bytes, not a real handshake, so no parser makes a
    // `Finished` for it: reopen the same buffer as an upgraded connection
    // (that bytes after a real head are kept is tested in tests/).
    let config = *conn.config();
    let (buf, masks) = conn.into_parts();
    let mut conn = Connection::upgraded(role, buf, config, masks).expect("same buffer");
    assert_eq!(conn.state(), State::Open);
    assert!(conn.pending_input().is_empty());

    let mut out = Outcome {
        events: Vec::new(),
        error: None,
        sent: Sent::default(),
        state: State::Open,
    };
    let mut close_seen = false;
    let mut last_ping: Option<Vec<u8>> = None;
    // Per-message checks in stream mode (`text`: the open message's kind).
    let mut delivered: u64 = 0;
    let mut text: Option<bool> = None;
    let mut utf8 = Validator::new();

    let mut pos = 0;
    let mut split_i = 0;
    let budget = 4 * wire.len() + 64;
    let mut steps = 0;
    loop {
        steps += 1;
        assert!(steps <= budget, "driver did not terminate");
        let want = match splits {
            Some(s) if !s.is_empty() => usize::from(s[split_i % s.len()] % 700) + 1,
            _ => wire.len() - pos,
        };
        split_i += 1;
        let end = (pos + want).min(wire.len());
        let given = end - pos;
        let taken = conn.handle_bytes(&wire[pos..end]);
        assert!(taken <= given, "handle_bytes took {taken} of {given}");
        pos += taken;

        let mut produced = 0;
        loop {
            produced += 1;
            assert!(produced <= budget, "poll_event did not run dry");
            match conn.poll_event() {
                Ok(Some(event)) => {
                    assert!(out.error.is_none(), "event {event:?} after {:?}", out.error);
                    assert!(!close_seen, "event {event:?} after the peer's Close");
                    let owned = Owned::of(&event);
                    match &owned {
                        Owned::Chunk {
                            text: t,
                            data,
                            offset,
                            last,
                        } => {
                            assert!(input.stream_mode, "chunk in message mode");
                            assert!(!data.is_empty() || *last, "empty non-final chunk");
                            assert_eq!(*offset, delivered, "chunk offset");
                            if let Some(t0) = text {
                                assert_eq!(t0, *t, "message kind changed");
                            }
                            if *t {
                                utf8.feed(data).expect("delivered text is not UTF-8");
                                if *last {
                                    utf8.finish().expect("text message ends mid-character");
                                }
                            }
                            if *last {
                                delivered = 0;
                                text = None;
                                utf8.reset();
                            } else {
                                delivered += data.len() as u64;
                                text = Some(*t);
                            }
                        }
                        Owned::Text(_) | Owned::Binary(_) => {
                            assert!(!input.stream_mode, "whole message in stream mode");
                        }
                        Owned::Ping(p) => {
                            assert!(p.len() <= 125);
                            last_ping = Some(p.clone());
                        }
                        Owned::Pong(p) => assert!(p.len() <= 125),
                        Owned::Close(c) => {
                            if let Some((code, reason)) = c {
                                assert!(wsframe::CloseCode::new(*code).is_sendable());
                                assert!(reason.len() <= 123);
                            }
                            close_seen = true;
                        }
                        Owned::Error(_) => unreachable!("Owned::of is never an Error"),
                    }
                    out.events.push(owned);
                }
                Ok(None) => break,
                Err(e) => {
                    assert!(
                        out.error.is_none(),
                        "second error {e:?} after {:?}",
                        out.error
                    );
                    assert_eq!(conn.error(), Some(e));
                    out.error = Some(e);
                }
            }
        }

        // Transmit everything owed.
        let mut rounds = 0;
        loop {
            rounds += 1;
            assert!(rounds <= 4, "poll_transmit keeps producing");
            let n = conn.poll_transmit(&mut tx);
            if n == 0 {
                break;
            }
            let pongs_before = out.sent.pongs.len();
            check_transmit(role, &tx[..n], &mut out.sent);
            for pong in &out.sent.pongs[pongs_before..] {
                assert!(input.auto_pong, "a pong with auto-pong off");
                assert_eq!(
                    Some(pong),
                    last_ping.as_ref(),
                    "pong is not the latest ping's"
                );
            }
        }
        assert!(
            !conn.wants_transmit(),
            "owes a frame after poll_transmit ran dry"
        );

        if pos >= wire.len() {
            break;
        }
        if taken == 0 && produced == 1 {
            // No room and nothing to do: only a finished connection may stop.
            assert!(
                out.error.is_some() || close_seen,
                "stuck: {} of {} bytes fed, buffer full, no event, no error (state {:?})",
                pos,
                wire.len(),
                conn.state()
            );
            break;
        }
    }

    // The close owed to the peer has gone out, with the right code.
    if let Some(e) = out.error {
        let payload = out.sent.close.as_ref().expect("no Close after an error");
        if !close_seen {
            assert_eq!(
                payload.get(..2),
                Some(&e.close_code().as_u16().to_be_bytes()[..]),
                "close code for {e:?}"
            );
        }
        assert_eq!(conn.state(), State::Failed);
        assert!(conn.is_closed());
    }
    if close_seen {
        let payload = out.sent.close.as_ref().expect("no Close echo");
        if let Some(Owned::Close(got)) = out
            .events
            .iter()
            .rev()
            .find(|e| matches!(e, Owned::Close(_)))
        {
            match got {
                Some((code, _)) => assert_eq!(payload.as_slice(), &code.to_be_bytes()[..], "echo"),
                None => assert!(payload.is_empty(), "echo of a code-less close"),
            }
        }
        assert_eq!(conn.state(), State::Closed);
        assert!(conn.is_closed());
    }
    out.state = conn.state();
    out
}

/// The stream targets' body: run once with the given splits and once with
/// everything at once, and compare.
pub fn stream_target(role: Role, input: &StreamInput) {
    let force = if input.raw_masks {
        None
    } else {
        Some(role == Role::Server)
    };
    let mut wire = build_wire(&input.pieces, force);
    wire.extend_from_slice(&input.tail);
    let chunked = drive(role, input, &wire, Some(&input.splits));
    let whole = drive(role, input, &wire, None);

    assert_eq!(
        chunked.error, whole.error,
        "final error depends on the split"
    );
    assert_eq!(
        chunked.state, whole.state,
        "final state depends on the split"
    );
    assert_eq!(
        chunked.sent.close, whole.sent.close,
        "Close sent depends on the split"
    );

    let mut a = merge_chunks(&chunked.events);
    let mut b = merge_chunks(&whole.events);
    if input.stream_mode && matches!(whole.error, Some(ProtocolError::InvalidUtf8(_))) {
        // A fail-fast UTF-8 check rejects the whole piece that holds the bad
        // byte, so how much of the last, unfinished message was delivered
        // depends on the split; each must be a prefix of the message.
        let open = |v: &mut Vec<Owned>| match v.last() {
            Some(Owned::Chunk { last: false, .. }) => match v.pop() {
                Some(Owned::Chunk { data, .. }) => data,
                _ => unreachable!(),
            },
            _ => Vec::new(),
        };
        let (da, db) = (open(&mut a), open(&mut b));
        let (short, long) = if da.len() <= db.len() {
            (&da, &db)
        } else {
            (&db, &da)
        };
        assert!(long.starts_with(short), "delivered prefixes disagree");
    }
    assert_eq!(a, b, "event sequence depends on the split");
}
