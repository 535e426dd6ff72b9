//! The send side's short-message fast path (a whole message that fits one
//! frame with a 7-bit length, inlined into `encode_text`/`encode_binary`)
//! must refuse exactly what the general path refuses, in the same order,
//! without writing a byte or drawing a masking key (RFC 6455 §5.1, §5.3,
//! §5.4, §7.1); and `mask::copy_masked` must write exactly
//! `min(src.len(), dst.len())` bytes at every length and offset.
use crate::common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use wsframe::frame::{Header, Opcode};
use wsframe::{CloseCode, Config, Connection, MessageKind, Role, SendError};

type Client = Connection<Vec<u8>, Box<dyn FnMut() -> [u8; 4]>>;

/// An open client whose mask source counts the keys it hands out.
fn counted_client(config: Config) -> (Client, Rc<Cell<u32>>) {
    let drawn = Rc::new(Cell::new(0u32));
    let d = drawn.clone();
    let masks: Box<dyn FnMut() -> [u8; 4]> = Box::new(move || {
        d.set(d.get() + 1);
        [d.get() as u8, 0xA5, 0x3C, 0x0F]
    });
    let mut c = Connection::new(Role::Client, vec![0u8; 1024], config, masks).unwrap();
    c.finish_handshake(wsframe::handshake::Finished::elsewhere());
    (c, drawn)
}

/// Every way a client can be unable to send a whole message, each with
/// the error it must give for any short message.
fn refusing_states() -> Vec<(&'static str, Client, Rc<Cell<u32>>, SendError)> {
    let mut out = Vec::new();

    let drawn = Rc::new(Cell::new(0u32));
    let d = drawn.clone();
    let masks: Box<dyn FnMut() -> [u8; 4]> = Box::new(move || {
        d.set(d.get() + 1);
        [1, 2, 3, 4]
    });
    let c = Connection::new(Role::Client, vec![0u8; 1024], Config::new(), masks).unwrap();
    out.push(("connecting", c, drawn, SendError::NotOpen));

    let (mut c, d) = counted_client(Config::new());
    c.close(CloseCode::NORMAL, "bye").unwrap();
    out.push(("close queued", c, d, SendError::Closing));

    let (mut c, d) = counted_client(Config::new());
    c.close(CloseCode::NORMAL, "bye").unwrap();
    assert!(!transmit(&mut c).is_empty());
    out.push(("close sent", c, d, SendError::Closing));

    // A masked frame from the server fails the client (§5.1).
    let (mut c, d) = counted_client(Config::new());
    let events = feed(&mut c, &raw(Opcode::Text, true, b"hi", true), &[]);
    assert!(matches!(events.last(), Some(Owned::Error(_))), "{events:?}");
    out.push(("failed, close owed", c, d, SendError::Closing));

    let (mut c, d) = counted_client(Config::new());
    feed(&mut c, &raw(Opcode::Text, true, b"hi", true), &[]);
    assert!(!transmit(&mut c).is_empty());
    out.push(("failed, close sent", c, d, SendError::Closing));

    let (mut c, d) = counted_client(Config::new());
    let events = feed(&mut c, &raw(Opcode::Close, true, &[0x03, 0xE8], false), &[]);
    assert_eq!(events, vec![Owned::Close(Some((1000, String::new())))]);
    out.push(("peer's close received", c, d, SendError::Closing));

    let (mut c, d) = counted_client(Config::new());
    feed(&mut c, &raw(Opcode::Close, true, &[0x03, 0xE8], false), &[]);
    assert!(!transmit(&mut c).is_empty());
    out.push(("peer's close echoed", c, d, SendError::Closing));

    for kind in [MessageKind::Text, MessageKind::Binary] {
        let (mut c, d) = counted_client(Config::new());
        c.encode_fragment(kind, b"ab", false, &mut [0u8; 64])
            .unwrap();
        d.set(0);
        out.push(("streaming", c, d, SendError::MessageInProgress));
    }

    // Streaming and closing at once: closing is reported first.
    let (mut c, d) = counted_client(Config::new());
    c.encode_fragment(MessageKind::Text, b"ab", false, &mut [0u8; 64])
        .unwrap();
    c.close(CloseCode::NORMAL, "").unwrap();
    d.set(0);
    out.push(("streaming and closing", c, d, SendError::Closing));
    out
}

#[test]
fn refused_states_give_the_general_paths_error_and_touch_nothing() {
    for (name, mut c, drawn, want) in refusing_states() {
        let drawn_before = drawn.get();
        for len in [0usize, 1, 5, 16, 125] {
            let text = "x".repeat(len);
            // A tx too short for the frame too: the state error comes first.
            for tx_len in [0usize, len + 6, 256] {
                let mut tx = vec![0xEEu8; tx_len];
                assert_eq!(
                    c.encode_text(&text, &mut tx),
                    Err(want),
                    "{name}: text of {len} into {tx_len}"
                );
                assert_eq!(
                    c.encode_binary(text.as_bytes(), &mut tx),
                    Err(want),
                    "{name}: binary of {len} into {tx_len}"
                );
                assert!(tx.iter().all(|&b| b == 0xEE), "{name}: bytes written");
            }
        }
        assert_eq!(drawn.get(), drawn_before, "{name}: key drawn");
    }
}

#[test]
fn caps_and_buffer_size_are_checked_in_order_on_short_messages() {
    // A cap below the message: MessageTooLong, before BufferTooSmall.
    let (mut c, drawn) = counted_client(Config::new().with_max_message_len(10));
    for tx_len in [0usize, 3, 64] {
        let mut tx = vec![0xEEu8; tx_len];
        assert_eq!(
            c.encode_text("0123456789a", &mut tx),
            Err(SendError::MessageTooLong { len: 11, max: 10 })
        );
        assert!(tx.iter().all(|&b| b == 0xEE));
    }
    assert_eq!(drawn.get(), 0);
    // At the cap it goes out.
    let mut tx = [0u8; 64];
    assert_eq!(c.encode_text("0123456789", &mut tx), Ok(16));
    assert_eq!(drawn.get(), 1);

    // Every short length, every tx length around the frame: one byte short
    // is BufferTooSmall with the exact size and no key; enough gives the
    // frame the frame layer builds.
    for fragment in [0usize, 7, 16] {
        let (mut c, drawn) = counted_client(Config::new().with_fragment_size(fragment));
        for len in 0..=126usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            let needed = c.encoded_message_len(len);
            for tx_len in needed.saturating_sub(2)..needed {
                let before = drawn.get();
                let mut tx = vec![0xEEu8; tx_len];
                assert_eq!(
                    c.encode_binary(&data, &mut tx),
                    Err(SendError::BufferTooSmall { needed }),
                    "fragment {fragment} len {len} tx {tx_len}"
                );
                assert!(tx.iter().all(|&b| b == 0xEE));
                assert_eq!(drawn.get(), before, "key drawn on error");
            }
            let mut tx = vec![0xEEu8; needed + 3];
            let before = drawn.get();
            assert_eq!(c.encode_binary(&data, &mut tx), Ok(needed));
            assert_eq!(&tx[needed..], &[0xEE; 3], "wrote past the frame");
            let fr = frames(&tx[..needed]);
            let joined: Vec<u8> = fr.iter().flat_map(|f| f.2.clone()).collect();
            assert_eq!(joined, data, "fragment {fragment} len {len}");
            assert_eq!(drawn.get() - before, fr.len() as u32, "one key per frame");
            if fr.len() == 1 {
                let key = [drawn.get() as u8, 0xA5, 0x3C, 0x0F];
                let h = Header::new(Opcode::Binary, len as u64).with_mask(Some(key));
                let mut want = vec![0u8; 14];
                let h_len = h.encode(&mut want).unwrap();
                want.truncate(h_len);
                let start = want.len();
                want.extend_from_slice(&data);
                wsframe::mask::apply(key, 0, &mut want[start..]);
                assert_eq!(&tx[..needed], &want[..], "len {len}");
            }
        }
    }
}

#[test]
fn server_short_frames_are_unmasked_and_exact() {
    let mut s = server(1024, Config::new());
    for len in 0..=126usize {
        let data: Vec<u8> = (0..len).map(|i| (i * 13 + 1) as u8).collect();
        let needed = s.encoded_message_len(len);
        assert_eq!(needed, len + if len < 126 { 2 } else { 4 });
        let mut short = vec![0xEEu8; needed - 1];
        assert_eq!(
            s.encode_binary(&data, &mut short),
            Err(SendError::BufferTooSmall { needed })
        );
        assert!(short.iter().all(|&b| b == 0xEE));
        let mut tx = vec![0xEEu8; needed + 2];
        assert_eq!(s.encode_binary(&data, &mut tx), Ok(needed));
        assert_eq!(&tx[needed..], &[0xEE; 2]);
        assert_eq!(
            frames(&tx[..needed]),
            vec![(Opcode::Binary, true, data, false)]
        );
    }
}

#[test]
fn copy_masked_writes_min_len_at_every_offset() {
    let key = [0x9E, 0x37, 0x79, 0xB9];
    let src: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
    for offset in 0..8 {
        for src_len in 0..150usize {
            for dst_len in [src_len.saturating_sub(5), src_len, src_len + 9] {
                let n = src_len.min(dst_len);
                let mut want = vec![0x55u8; dst_len];
                want[..n].copy_from_slice(&src[..n]);
                wsframe::mask::apply(key, offset, &mut want[..n]);
                let mut got = vec![0x55u8; dst_len];
                wsframe::mask::copy_masked(key, offset, &src[..src_len], &mut got);
                assert_eq!(got, want, "offset {offset} src {src_len} dst {dst_len}");
            }
        }
    }
}
