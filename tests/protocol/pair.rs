//! A client and a server driven against each other in memory, no sockets:
//! long conversations both ways, the close handshake from either side, and
//! the property that how the byte stream is split never changes the events.
use crate::common;

use common::*;
use proptest::prelude::*;
use wsframe::{CloseCode, Config, Connection, MaskSource, MessageKind, RecvMode, Side, State};

/// A small deterministic generator (xorshift64*), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn text(&mut self, len: usize) -> String {
        let alphabet = ['a', 'Z', ' ', 'é', 'ß', '€', '中', '😀', '\0', '\u{10FFFF}'];
        let mut s = String::new();
        while s.len() < len {
            let c = alphabet[self.below(alphabet.len())];
            if s.len() + c.len_utf8() > len {
                s.push('.');
            } else {
                s.push(c);
            }
        }
        s
    }

    /// A message size: empty, small, 16-bit length, or multi-KB.
    fn size(&mut self) -> usize {
        match self.below(10) {
            0 => 0,
            1..=4 => self.below(126),
            5..=7 => 126 + self.below(1500),
            _ => 2000 + self.below(6000),
        }
    }
}

/// One thing a side sends.
#[derive(Clone, Debug)]
enum Msg {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
}

impl Msg {
    fn expected(&self) -> Owned {
        match self {
            Msg::Text(t) => Owned::Text(t.clone()),
            Msg::Binary(b) => Owned::Binary(b.clone()),
            Msg::Ping(p) => Owned::Ping(p.clone()),
        }
    }

    fn kind_and_bytes(&self) -> (MessageKind, &[u8]) {
        match self {
            Msg::Text(t) => (MessageKind::Text, t.as_bytes()),
            Msg::Binary(b) => (MessageKind::Binary, b),
            Msg::Ping(p) => (MessageKind::Binary, p),
        }
    }
}

/// Encode `msg` onto `wire`: whole (fragmented by the config's
/// fragment_size, if any), or by `encode_fragment` in pieces of the given
/// sizes (cycled; zero makes an empty fragment), with a ping after the
/// first piece when `ping_between` is set and more pieces follow.
fn encode<B: AsRef<[u8]> + AsMut<[u8]>, M: MaskSource>(
    conn: &mut Connection<B, M>,
    msg: &Msg,
    pieces: Option<&[usize]>,
    ping_between: Option<&[u8]>,
    wire: &mut Vec<u8>,
) {
    let mut tx = vec![0u8; 4 * 8192 + 1024];
    if let Msg::Ping(p) = msg {
        let n = conn.encode_ping(p, &mut tx).unwrap();
        wire.extend_from_slice(&tx[..n]);
        return;
    }
    let (kind, bytes) = msg.kind_and_bytes();
    let Some(pieces) = pieces.filter(|p| !p.is_empty()) else {
        let n = match msg {
            Msg::Text(t) => conn.encode_text(t, &mut tx).unwrap(),
            _ => conn.encode_binary(bytes, &mut tx).unwrap(),
        };
        assert_eq!(n, conn.encoded_message_len(bytes.len()));
        wire.extend_from_slice(&tx[..n]);
        return;
    };
    let mut rest = bytes;
    let mut i = 0;
    loop {
        // After 20 pieces the rest goes in one, so zero sizes terminate.
        let want = if i >= 20 {
            rest.len()
        } else {
            pieces[i % pieces.len()]
        };
        let (part, tail) = rest.split_at(want.min(rest.len()));
        let fin = tail.is_empty();
        let n = conn.encode_fragment(kind, part, fin, &mut tx).unwrap();
        wire.extend_from_slice(&tx[..n]);
        if i == 0 && !fin {
            if let Some(p) = ping_between {
                let n = conn.encode_ping(p, &mut tx).unwrap();
                wire.extend_from_slice(&tx[..n]);
            }
        }
        if fin {
            return;
        }
        rest = tail;
        i += 1;
    }
}

/// Deliver `wire` to `to` in random pieces, return its events (no error allowed).
fn deliver<B: AsRef<[u8]> + AsMut<[u8]>, M: MaskSource>(
    to: &mut Connection<B, M>,
    wire: &[u8],
    rng: &mut Rng,
) -> Vec<Owned> {
    let splits: Vec<usize> = (0..1 + rng.below(5)).map(|_| 1 + rng.below(3000)).collect();
    let ev = feed(to, wire, &splits);
    assert!(
        !matches!(ev.last(), Some(Owned::Error(_))),
        "protocol error: {:?}",
        ev.last()
    );
    ev
}

/// One side sends `count` random messages (with pings) to the other, which
/// must report exactly them; the pongs it owes come back to the sender.
fn exchange<B1, M1, B2, M2>(
    from: &mut Connection<B1, M1>,
    to: &mut Connection<B2, M2>,
    count: usize,
    rng: &mut Rng,
    seq: &mut u32,
) -> usize
where
    B1: AsRef<[u8]> + AsMut<[u8]>,
    M1: MaskSource,
    B2: AsRef<[u8]> + AsMut<[u8]>,
    M2: MaskSource,
{
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    let mut pings = Vec::new();
    for _ in 0..count {
        *seq += 1;
        let size = rng.size();
        let msg = match rng.below(7) {
            0 => Msg::Ping(seq.to_be_bytes().to_vec()),
            1..=3 => Msg::Text(rng.text(size)),
            _ => Msg::Binary(rng.bytes(size)),
        };
        let pieces: Option<Vec<usize>> = (rng.below(3) == 0).then(|| {
            (0..1 + rng.below(4))
                .map(|_| rng.below(2 * size + 2))
                .collect()
        });
        let ping_between = (rng.below(2) == 0).then(|| {
            *seq += 1;
            seq.to_be_bytes().to_vec()
        });
        let before = wire.len();
        encode(
            from,
            &msg,
            pieces.as_deref(),
            ping_between.as_deref(),
            &mut wire,
        );
        // Which pings were written (a mid-message one only when the
        // message took several frames) is read back from the wire.
        for f in frames(&wire[before..]) {
            if f.0 == wsframe::Opcode::Ping {
                pings.push(f.2);
            }
        }
        if !matches!(msg, Msg::Ping(_)) {
            expected.push(msg.expected());
        }
    }
    let got = deliver(to, &wire, rng);
    let data_got: Vec<&Owned> = got
        .iter()
        .filter(|e| !matches!(e, Owned::Ping(_)))
        .collect();
    assert_eq!(data_got.len(), expected.len(), "message count");
    for (g, w) in data_got.iter().zip(&expected) {
        assert!(*g == w, "message differs: got {g:.80?}, want {w:.80?}");
    }
    let pings_got: Vec<Vec<u8>> = got
        .iter()
        .filter_map(|e| match e {
            Owned::Ping(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(pings_got, pings, "pings in wire order");
    // The receiver owes a pong to the latest ping; it goes back.
    let back = transmit(to);
    let pongs = deliver(from, &back, rng);
    match pings.last() {
        Some(last) => assert_eq!(pongs, vec![Owned::Pong(last.clone())]),
        None => assert_eq!(pongs, vec![]),
    }
    data_got.len()
}

/// The close handshake started by `a`, with `b` echoing.
fn close_from<B1, M1, B2, M2>(a: &mut Connection<B1, M1>, b: &mut Connection<B2, M2>, rng: &mut Rng)
where
    B1: AsRef<[u8]> + AsMut<[u8]>,
    M1: MaskSource,
    B2: AsRef<[u8]> + AsMut<[u8]>,
    M2: MaskSource,
{
    a.close(CloseCode::new(4321), "done here").unwrap();
    assert_eq!(a.state(), State::Closing(Side::Local));
    let out = transmit(a);
    assert_eq!(
        a.state(),
        State::Closing(Side::Local),
        "waiting for the echo"
    );
    assert_eq!(
        deliver(b, &out, rng),
        vec![Owned::Close(Some((4321, "done here".into())))]
    );
    assert_eq!(b.state(), State::Closing(Side::Peer));
    let echo = transmit(b);
    assert_eq!(b.state(), State::Closed);
    assert_eq!(
        deliver(a, &echo, rng),
        vec![Owned::Close(Some((4321, String::new())))]
    );
    assert_eq!(a.state(), State::Closed);
    assert!(
        transmit(a).is_empty() && transmit(b).is_empty(),
        "nothing more to send"
    );
    assert_eq!(a.error(), None);
    assert_eq!(b.error(), None);
}

fn conversation(seed: u64, client_closes: bool) {
    let mut rng = Rng(seed);
    // The client streams by hand; the server also fragments whole messages.
    let mut c = client(16 * 1024, Config::new());
    let mut s = server(16 * 1024, Config::new().with_fragment_size(1500));
    let mut seq = 0;
    let (mut up, mut down) = (0, 0);
    while up < 1000 || down < 1000 {
        if up < 1000 {
            up += exchange(&mut c, &mut s, 1 + rng.below(12), &mut rng, &mut seq);
        }
        if down < 1000 {
            down += exchange(&mut s, &mut c, 1 + rng.below(12), &mut rng, &mut seq);
        }
    }
    assert!(up >= 1000 && down >= 1000);
    assert_eq!((c.state(), s.state()), (State::Open, State::Open));
    if client_closes {
        close_from(&mut c, &mut s, &mut rng);
    } else {
        close_from(&mut s, &mut c, &mut rng);
    }
}

#[test]
fn thousand_messages_each_way_then_client_closes() {
    conversation(0x9E37_79B9_7F4A_7C15, true);
}

#[test]
fn thousand_messages_each_way_then_server_closes() {
    conversation(0xD1B5_4A32_D192_ED03, false);
}

#[test]
fn close_with_data_in_flight_both_ways() {
    // Each side sends a message; the server closes before reading the
    // client's. Data sent before a Close is still delivered (§7.1.2 keeps
    // the order), data after it is not sent at all.
    let mut c = client(4096, Config::new());
    let mut s = server(4096, Config::new());
    let mut tx = [0u8; 256];
    let n = c.encode_text("from client", &mut tx).unwrap();
    let up = tx[..n].to_vec();
    let n = s.encode_text("from server", &mut tx).unwrap();
    let mut down = tx[..n].to_vec();
    s.close(CloseCode::NORMAL, "").unwrap();
    down.extend(transmit(&mut s));
    assert_eq!(
        feed(&mut c, &down, &[4]),
        vec![
            Owned::Text("from server".into()),
            Owned::Close(Some((1000, String::new())))
        ]
    );
    let mut up_all = up;
    up_all.extend(transmit(&mut c));
    assert_eq!(
        feed(&mut s, &up_all, &[4]),
        vec![
            Owned::Text("from client".into()),
            Owned::Close(Some((1000, String::new())))
        ]
    );
    assert_eq!((c.state(), s.state()), (State::Closed, State::Closed));
}

// ---------------------------------------------------------------------
// Property: any split of the input gives the same events.
// ---------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Op {
    msg: Msg,
    pieces: Option<Vec<usize>>,
    ping_between: bool,
}

fn op() -> impl Strategy<Value = Op> {
    let msg = prop_oneof![
        3 => prop::collection::vec(any::<char>(), 0..500).prop_map(|c| Msg::Text(c.into_iter().collect())),
        3 => prop::collection::vec(any::<u8>(), 0..2048).prop_map(Msg::Binary),
        1 => prop::collection::vec(any::<u8>(), 0..=125).prop_map(Msg::Ping),
    ];
    (
        msg,
        prop::option::of(prop::collection::vec(0usize..700, 1..5)),
        any::<bool>(),
    )
        .prop_map(|(msg, pieces, ping_between)| Op {
            msg,
            pieces,
            ping_between,
        })
}

/// The client's byte stream for `ops`, with the data messages it carries.
fn client_stream(ops: &[Op], fragment_size: usize) -> (Vec<u8>, Vec<Owned>) {
    let mut c = client(
        wsframe::MIN_BUFFER_LEN,
        Config::new().with_fragment_size(fragment_size),
    );
    let mut wire = Vec::new();
    let mut messages = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let ping = (i as u32).to_be_bytes();
        encode(
            &mut c,
            &op.msg,
            op.pieces.as_deref(),
            op.ping_between.then_some(&ping[..]),
            &mut wire,
        );
        if !matches!(op.msg, Msg::Ping(_)) {
            messages.push(op.msg.expected());
        }
    }
    (wire, messages)
}

/// Stream-mode events folded into whole messages (checking offsets and
/// `last`), control events kept in place.
/// Streamed chunks as whole messages (the shared `reassemble`), with no
/// message left unfinished.
fn fold_chunks(events: &[Owned]) -> Vec<Owned> {
    let out = common::reassemble(events);
    assert!(
        !out.iter().any(|e| matches!(e, Owned::Chunk { .. })),
        "unfinished streamed message"
    );
    out
}

fn data_only(events: &[Owned]) -> Vec<Owned> {
    events
        .iter()
        .filter(|e| !matches!(e, Owned::Ping(_) | Owned::Pong(_)))
        .cloned()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_split_gives_the_same_events(
        ops in prop::collection::vec(op(), 1..12),
        fragment_size in prop_oneof![Just(0usize), 1usize..600],
        splits in prop::collection::vec(1usize..300, 1..16),
    ) {
        let (wire, messages) = client_stream(&ops, fragment_size);
        let mut whole = server(8192, Config::new());
        let once = feed(&mut whole, &wire, &[]);
        let mut pieces = server(8192, Config::new());
        let split = feed(&mut pieces, &wire, &splits);
        prop_assert_eq!(&split, &once);
        prop_assert_eq!(data_only(&once), messages);
        prop_assert_eq!(whole.state(), State::Open);
        // What each owes the peer does not depend on the split either.
        prop_assert_eq!(transmit(&mut pieces), transmit(&mut whole));
    }

    #[test]
    fn any_split_gives_the_same_messages_in_stream_mode(
        ops in prop::collection::vec(op(), 1..12),
        fragment_size in prop_oneof![Just(0usize), 1usize..600],
        splits in prop::collection::vec(1usize..300, 1..16),
        extra in 0usize..300,
    ) {
        let (wire, messages) = client_stream(&ops, fragment_size);
        let config = Config::new().with_recv_mode(RecvMode::Stream);
        // A small buffer, so large messages arrive in several chunks.
        let len = wsframe::MIN_BUFFER_LEN + extra;
        let mut whole = server(len, config);
        let once = fold_chunks(&feed(&mut whole, &wire, &[]));
        let mut pieces = server(len, config);
        let split = fold_chunks(&feed(&mut pieces, &wire, &splits));
        prop_assert_eq!(&split, &once);
        prop_assert_eq!(data_only(&once), messages);
        prop_assert_eq!(transmit(&mut pieces), transmit(&mut whole));
    }
}

/// Raw masked frames for `ops`, every data message cut into the given
/// fragment sizes (cycled) with a full-size ping after each fragment:
/// the worst case for in-place reassembly.
fn dense_stream(messages: &[Vec<u8>], pieces: &[usize]) -> Vec<u8> {
    let mut wire = Vec::new();
    for (m, msg) in messages.iter().enumerate() {
        let mut rest = &msg[..];
        let mut i = 0;
        loop {
            let want = if i >= 40 {
                rest.len()
            } else {
                pieces[i % pieces.len()]
            };
            let (part, tail) = rest.split_at(want.min(rest.len()));
            let op = if i == 0 {
                wsframe::Opcode::Binary
            } else {
                wsframe::Opcode::Continuation
            };
            wire.extend(from_client(op, tail.is_empty(), part));
            wire.extend(from_client(wsframe::Opcode::Ping, true, &[m as u8; 125]));
            if tail.is_empty() {
                break;
            }
            rest = tail;
            i += 1;
        }
    }
    wire
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn messages_up_to_the_buffer_cap_reassemble_under_any_split(
        extra in 14usize..1500,
        sizes in prop::collection::vec(0.0f64..=1.0, 1..6),
        pieces in prop::collection::vec(0usize..400, 1..5),
        splits in prop::collection::vec(1usize..400, 1..10),
    ) {
        let len = wsframe::MIN_BUFFER_LEN + extra;
        let probe = server(len, Config::new());
        let cap = probe.max_message_len();
        // Message sizes anywhere from empty to exactly the cap.
        let messages: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let n = if *f > 0.9 { cap } else { (cap as f64 * f) as usize };
                (0..n).map(|j| (i * 31 + j) as u8).collect()
            })
            .collect();
        let wire = dense_stream(&messages, &pieces);
        let mut s = server(len, Config::new());
        let ev = feed(&mut s, &wire, &splits);
        let data = data_only(&ev);
        let want: Vec<Owned> = messages.into_iter().map(Owned::Binary).collect();
        prop_assert_eq!(data.len(), want.len(), "events {:?}", ev.last());
        prop_assert!(data == want);
    }
}
