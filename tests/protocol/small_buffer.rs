//! A 1 KiB receive buffer is enough in `RecvMode::Stream`: messages of
//! several KiB and of the full 1 MiB default cap pass through a
//! `Connection` whose whole buffer is 1024 bytes, in both roles, as one
//! frame or as fragments, under any split of the input; every byte arrives
//! in place, text chunks always form a valid UTF-8 prefix, and bad UTF-8
//! deep inside a large message fails the connection (1007) at that byte,
//! before the rest of the message is read.
//! (This is the setup `ci/footprint.sh` measures as the 1 KiB stream probe.)

use crate::common;

use common::{counter_masks, from_client};
use wsframe::frame::Opcode;
use wsframe::{Config, Connection, Event, MaskSource, MessageKind, ProtocolError, RecvMode, Role};

const SMALL: usize = 1024;
const MIB: usize = 1 << 20;

/// The receiving end: 1 KiB, streaming, otherwise defaults (1 MiB cap).
fn small<M: MaskSource>(role: Role, masks: M) -> Connection<[u8; SMALL], M> {
    let config = Config::new().with_recv_mode(RecvMode::Stream);
    let mut conn = Connection::new(role, [0u8; SMALL], config, masks).unwrap();
    conn.finish_handshake(wsframe::handshake::Finished::elsewhere());
    conn
}

/// Bytes that give away any misplaced, repeated or lost byte.
fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

/// Text of exactly `len` bytes mixing 1- to 4-byte characters, so that
/// chunk boundaries fall inside characters.
fn text(len: usize) -> String {
    let alphabet = ['a', 'é', '€', '𝄞', 'z', 'ж', '中', ' '];
    let mut s = String::with_capacity(len);
    let mut i = 0usize;
    while s.len() < len {
        let c = alphabet[(i * 7 + i / 3) % alphabet.len()];
        if s.len() + c.len_utf8() > len {
            s.push('.');
        } else {
            s.push(c);
        }
        i += 1;
    }
    s
}

/// How the sender puts a message on the wire.
#[derive(Clone, Copy, Debug)]
enum Framing {
    /// One frame (`encode_text` / `encode_binary`).
    Whole,
    /// Frames of this many payload bytes through a 1 KiB tx buffer (`encode_fragment`).
    Fragments(usize),
}

/// The wire bytes of one message sent by a peer of `role`.
fn wire(role: Role, kind: MessageKind, payload: &[u8], framing: Framing) -> Vec<u8> {
    let mut sender =
        Connection::new(role, vec![0u8; 4096], Config::new(), counter_masks()).unwrap();
    sender.finish_handshake(wsframe::handshake::Finished::elsewhere());
    match framing {
        Framing::Whole => {
            let mut tx = vec![0u8; payload.len() + 14];
            let n = match kind {
                MessageKind::Text => {
                    sender.encode_text(std::str::from_utf8(payload).unwrap(), &mut tx)
                }
                MessageKind::Binary => sender.encode_binary(payload, &mut tx),
            }
            .unwrap();
            tx.truncate(n);
            tx
        }
        Framing::Fragments(size) => {
            let mut out = Vec::new();
            let mut tx = [0u8; SMALL];
            let mut pieces = payload.chunks(size).peekable();
            if payload.is_empty() {
                let n = sender.encode_fragment(kind, &[], true, &mut tx).unwrap();
                out.extend_from_slice(&tx[..n]);
            }
            while let Some(piece) = pieces.next() {
                let fin = pieces.peek().is_none();
                let n = sender.encode_fragment(kind, piece, fin, &mut tx).unwrap();
                out.extend_from_slice(&tx[..n]);
            }
            out
        }
    }
}

/// What the receiver made of the input.
#[derive(Debug, Default)]
struct Received {
    /// The message, reassembled from the chunks (each checked to land at its offset).
    data: Vec<u8>,
    chunks: usize,
    kind: Option<MessageKind>,
    /// The last chunk had `last` set.
    complete: bool,
    /// The error, and how many input bytes had been handed over when it came.
    error: Option<(ProtocolError, usize)>,
}

/// Feed `input` to `conn` in pieces of the cycled `splits` sizes, checking
/// every chunk as it comes: its offset follows the previous chunk, it fits
/// the buffer, `last` comes once, and for text the bytes so far are a
/// valid UTF-8 prefix.
fn receive<M: MaskSource>(
    conn: &mut Connection<[u8; SMALL], M>,
    input: &[u8],
    splits: &[usize],
) -> Received {
    let mut got = Received::default();
    let mut fed = 0;
    let mut checked = 0; // bytes of `data` known to be whole characters
    let mut i = 0;
    loop {
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Chunk(chunk))) => {
                    assert!(!got.complete, "a chunk after the last one");
                    assert_eq!(chunk.offset, got.data.len() as u64, "chunk out of place");
                    assert!(chunk.data.len() <= SMALL);
                    assert_eq!(*got.kind.get_or_insert(chunk.kind), chunk.kind);
                    got.data.extend_from_slice(chunk.data);
                    got.chunks += 1;
                    got.complete = chunk.last;
                    if chunk.kind == MessageKind::Text {
                        match std::str::from_utf8(&got.data[checked..]) {
                            Ok(_) => checked = got.data.len(),
                            Err(e) => {
                                assert!(e.error_len().is_none(), "invalid UTF-8 handed out");
                                checked += e.valid_up_to();
                            }
                        }
                        if chunk.last {
                            assert_eq!(checked, got.data.len(), "text ends inside a character");
                        }
                    }
                }
                Ok(Some(other)) => panic!("unexpected event {other:?}"),
                Ok(None) => break,
                Err(e) => {
                    got.error = Some((e, fed));
                    return got;
                }
            }
        }
        if fed == input.len() {
            return got;
        }
        let want = splits[i % splits.len()].max(1);
        i += 1;
        let end = (fed + want).min(input.len());
        let n = conn.handle_bytes(&input[fed..end]);
        assert!(n > 0, "a 1 KiB connection stopped taking bytes");
        fed += n;
    }
}

/// Send `payload` as a `kind` message towards a 1 KiB receiver of
/// `receiver` role and check that it arrives whole and in place.
fn round_trip(
    receiver: Role,
    kind: MessageKind,
    payload: &[u8],
    framing: Framing,
    splits: &[usize],
) {
    let sender = match receiver {
        Role::Server => Role::Client,
        Role::Client => Role::Server,
    };
    let input = wire(sender, kind, payload, framing);
    let got = match receiver {
        Role::Server => receive(&mut small(Role::Server, wsframe::NoMask), &input, splits),
        Role::Client => receive(&mut small(Role::Client, counter_masks()), &input, splits),
    };
    let what = format!(
        "{receiver:?} receiving {} bytes, {framing:?}, splits {splits:?}",
        payload.len()
    );
    assert!(got.error.is_none(), "{what}: {:?}", got.error);
    assert!(got.complete, "{what}: no last chunk");
    assert_eq!(got.kind, Some(kind), "{what}");
    assert!(got.data == payload, "{what}: the bytes differ");
    // The buffer is far smaller than the message: it came in many pieces.
    assert!(
        got.chunks >= payload.len() / SMALL,
        "{what}: {} chunks",
        got.chunks
    );
}

#[test]
fn binary_of_several_kib_in_both_roles_any_framing_any_split() {
    let payload = pattern(5000, 1);
    for receiver in [Role::Server, Role::Client] {
        for framing in [
            Framing::Whole,
            Framing::Fragments(1000),
            Framing::Fragments(77),
        ] {
            for splits in [&[1][..], &[3, 700, 1024], &[4096], &[13, 1]] {
                round_trip(receiver, MessageKind::Binary, &payload, framing, splits);
            }
        }
    }
}

#[test]
fn text_of_several_kib_in_both_roles_stays_a_valid_prefix() {
    let payload = text(6000);
    for receiver in [Role::Server, Role::Client] {
        for framing in [
            Framing::Whole,
            Framing::Fragments(1000),
            Framing::Fragments(5),
        ] {
            for splits in [&[1][..], &[2, 511, 3], &[4096]] {
                round_trip(
                    receiver,
                    MessageKind::Text,
                    payload.as_bytes(),
                    framing,
                    splits,
                );
            }
        }
    }
}

#[test]
fn a_one_mib_binary_message_in_both_roles() {
    let payload = pattern(MIB, 2);
    for receiver in [Role::Server, Role::Client] {
        round_trip(
            receiver,
            MessageKind::Binary,
            &payload,
            Framing::Whole,
            &[1000, 24, 4096],
        );
        round_trip(
            receiver,
            MessageKind::Binary,
            &payload,
            Framing::Fragments(1010),
            &[4096],
        );
    }
}

#[test]
fn a_one_mib_text_message_in_both_roles() {
    let payload = text(MIB);
    for receiver in [Role::Server, Role::Client] {
        round_trip(
            receiver,
            MessageKind::Text,
            payload.as_bytes(),
            Framing::Whole,
            &[777, 3],
        );
        round_trip(
            receiver,
            MessageKind::Text,
            payload.as_bytes(),
            Framing::Fragments(999),
            &[4096],
        );
    }
}

#[test]
fn one_byte_over_the_one_mib_cap_is_refused_from_the_header() {
    let payload = pattern(MIB + 1, 3);
    let mut sender = Connection::new(
        Role::Client,
        vec![0u8; 4096],
        Config::new().with_max_message_len(2 * MIB),
        counter_masks(),
    )
    .unwrap();
    sender.finish_handshake(wsframe::handshake::Finished::elsewhere());
    let mut tx = vec![0u8; payload.len() + 14];
    let n = sender.encode_binary(&payload, &mut tx).unwrap();
    let mut conn = small(Role::Server, wsframe::NoMask);
    let got = receive(&mut conn, &tx[..n], &[4096]);
    let (error, fed) = got.error.expect("refused");
    // One frame: the frame cap (also 1 MiB by default) speaks first.
    assert_eq!(
        error,
        ProtocolError::FrameTooLong {
            len: MIB as u64 + 1,
            max: MIB as u64
        }
    );
    assert_eq!(error.close_code().as_u16(), 1009);
    assert_eq!(got.data.len(), 0, "no payload byte was handed out");
    assert!(fed <= SMALL, "refused after {fed} bytes");

    // In fragments, the message cap refuses the frame that would pass it,
    // after the 1 MiB before it was streamed.
    let mut input = Vec::new();
    let mut tx = [0u8; SMALL];
    let mut pieces = payload.chunks(1000).peekable();
    while let Some(piece) = pieces.next() {
        let fin = pieces.peek().is_none();
        let n = sender
            .encode_fragment(MessageKind::Binary, piece, fin, &mut tx)
            .unwrap();
        input.extend_from_slice(&tx[..n]);
    }
    let mut conn = small(Role::Server, wsframe::NoMask);
    let got = receive(&mut conn, &input, &[4096]);
    let (error, _) = got.error.expect("refused");
    assert_eq!(
        error,
        ProtocolError::MessageTooLong {
            len: MIB as u64 + 1,
            max: MIB as u64
        }
    );
    assert!(got.data[..] == payload[..got.data.len()]);
    assert_eq!(got.data.len(), MIB / 1000 * 1000);
}

#[test]
fn bad_utf8_deep_in_a_one_mib_text_fails_at_that_byte_before_the_rest_is_read() {
    let at = 700_001;
    let mut payload = text(MIB).into_bytes();
    // Make `at` the start of a character, then break it.
    while std::str::from_utf8(&payload[..at]).is_err() {
        payload[at - 1] = b'.';
        payload.truncate(MIB);
    }
    let mut good = payload.clone();
    good[at] = b'x';
    payload[at] = 0xFF;
    let input = from_client(Opcode::Text, true, &payload);
    for splits in [&[4096][..], &[1, 1000]] {
        let mut conn = small(Role::Server, wsframe::NoMask);
        let got = receive(&mut conn, &input, splits);
        let (error, fed) = got.error.expect("the connection fails");
        match error {
            ProtocolError::InvalidUtf8(e) => {
                assert_eq!(e.valid_up_to(), at);
                assert!(!e.is_incomplete());
            }
            other => panic!("expected InvalidUtf8, got {other:?}"),
        }
        assert_eq!(error.close_code().as_u16(), 1007);
        // Everything handed out was the valid text before the bad byte.
        assert!(got.data.len() <= at);
        assert!(got.data[..] == good[..got.data.len()]);
        // Fail-fast: found within one buffer's worth of input after the byte.
        assert!(fed <= 14 + at + SMALL, "found after {fed} bytes");
        assert!(fed < input.len());
        // And the Close owed says 1007.
        let mut tx = [0u8; 256];
        let n = conn.poll_transmit(&mut tx);
        assert!(n >= 4);
        assert_eq!(&tx[..4], &[0x88, (n - 2) as u8, 0x03, 0xEF]);
    }
}

#[test]
fn text_ending_inside_a_character_fails_at_the_end() {
    let mut payload = text(2998).into_bytes();
    payload.extend_from_slice(&[0xF0, 0x9D]); // the first half of '𝄞'
    let input = from_client(Opcode::Text, true, &payload);
    let mut conn = small(Role::Server, wsframe::NoMask);
    let got = receive(&mut conn, &input, &[333]);
    let (error, _) = got.error.expect("the connection fails");
    match error {
        ProtocolError::InvalidUtf8(e) => {
            assert!(e.is_incomplete());
            assert_eq!(
                e.valid_up_to(),
                std::str::from_utf8(&payload).unwrap_err().valid_up_to()
            );
        }
        other => panic!("expected InvalidUtf8, got {other:?}"),
    }
}
