//! Compressed messages (RFC 7692) into a server `Connection` with an
//! inflater: some deflate streams our compressor made from fuzzed data,
//! some raw fuzzed bytes, each sent as RSV1 frames fragmented at fuzzed
//! points, fed in fuzzed pieces, in either receive mode, with a fuzzed
//! window (bits 8-15) and message cap.
//!
//! Invariants:
//! - no panic; the driver never gets stuck (a full buffer with no event
//!   and no error);
//! - no message or streamed message is larger than the cap, and the cap
//!   is reported as 1009 (`MessageTooLong`), undecodable data as 1007;
//! - output is bounded per input byte (DEFLATE expands at most 1032:1);
//! - a message our compressor made inflates to exactly its input
//!   (differential, whatever the split), until the first error.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wsframe::deflate::{Compressor, Deflater, Inflater, Params};
use wsframe::frame::{Opcode, Rsv};
use wsframe::handshake::Finished;
use wsframe::{Config, Connection, Event, ProtocolError, RecvMode};
use wsframe_testkit::raw_rsv;

#[derive(Arbitrary, Debug)]
struct Message {
    /// Compress this with our compressor (else send it as is).
    ours: bool,
    data: Vec<u8>,
    /// Fragment sizes (cycled; 0 = one frame).
    cuts: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    bits: u8,
    stream: bool,
    cap: u16,
    messages: Vec<Message>,
    splits: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let bits = 8 + input.bits % 8;
    let cap = usize::from(input.cap) * 16 + 1;
    let params = Params {
        server_no_context_takeover: false,
        client_no_context_takeover: input.bits & 0x80 != 0,
        server_max_window_bits: 15,
        client_max_window_bits: bits,
    };
    let mode = if input.stream { RecvMode::Stream } else { RecvMode::Message };
    let config = Config::new().with_recv_mode(mode).with_max_message_len(cap);
    let inflater = Inflater::new(vec![0u8; 1 << bits]).unwrap();
    let mut conn = Connection::server(vec![0u8; 4096 + cap], config)
        .unwrap()
        .with_deflate(inflater, Deflater::new([0u16; 256]));
    conn.finish_handshake(Finished::elsewhere().with_deflate(Some(params)));

    // The wire, and what each message our compressor made should read as.
    let mut wire = Vec::new();
    let mut expected: Vec<Option<Vec<u8>>> = Vec::new();
    let mut table = vec![0u16; 1024];
    let mut compressor = Compressor::new(bits);
    // After raw bytes the inflater's context is whatever they left: only
    // messages before the first raw one are checked against their input.
    let mut clean = true;
    for m in input.messages.iter().take(8) {
        let payload = if m.ours {
            compressor.start_message();
            let mut out = vec![0u8; wsframe::deflate::max_compressed_len(m.data.len()) + 8];
            let p = compressor.compress(&mut table, &m.data, true, &mut out);
            assert!(p.done);
            out.truncate(p.written);
            expected.push(clean.then(|| m.data.clone()));
            out
        } else {
            clean = false;
            expected.push(None);
            m.data.clone()
        };
        let mut rest = &payload[..];
        let mut first = true;
        let mut i = 0;
        loop {
            let cut = m.cuts.get(i % m.cuts.len().max(1)).copied().unwrap_or(0) as usize;
            i += 1;
            let n = if cut == 0 { rest.len() } else { cut.min(rest.len()) };
            let (part, tail) = rest.split_at(n);
            let fin = tail.is_empty();
            let opcode = if first { Opcode::Binary } else { Opcode::Continuation };
            let rsv = if first { Rsv::RSV1 } else { Rsv::NONE };
            wire.extend(raw_rsv(opcode, fin, rsv, part, true));
            first = false;
            rest = tail;
            if fin {
                break;
            }
        }
    }

    // Feed it.
    let mut fed = &wire[..];
    let mut split = 0;
    let mut message = 0;
    let mut current: Vec<u8> = Vec::new();
    let mut delivered_total = 0usize;
    loop {
        loop {
            match conn.poll_event() {
                Ok(Some(Event::Binary(b))) => {
                    assert!(b.len() <= cap);
                    delivered_total += b.len();
                    if let Some(Some(want)) = expected.get(message) {
                        assert_eq!(b, &want[..]);
                    }
                    message += 1;
                }
                Ok(Some(Event::Chunk(c))) => {
                    current.extend_from_slice(c.data);
                    assert!(current.len() <= cap);
                    assert_eq!(c.offset as usize + c.data.len(), current.len());
                    delivered_total += c.data.len();
                    if c.last {
                        if let Some(Some(want)) = expected.get(message) {
                            assert_eq!(&current, want);
                        }
                        current.clear();
                        message += 1;
                    }
                }
                Ok(Some(e)) => panic!("unexpected event {e:?}"),
                Ok(None) => break,
                Err(e) => {
                    assert!(
                        matches!(
                            e,
                            ProtocolError::MessageTooLong { .. }
                                | ProtocolError::InvalidCompressedData
                                | ProtocolError::Frame(_)
                        ),
                        "{e:?}"
                    );
                    if let ProtocolError::MessageTooLong { max, .. } = e {
                        assert_eq!(max as usize, conn.max_message_len());
                    }
                    // A message our compressor made fails only for its size.
                    if let Some(Some(want)) = expected.get(message) {
                        assert!(
                            matches!(e, ProtocolError::MessageTooLong { .. }) && want.len() > cap,
                            "{e:?} on our own message {message}"
                        );
                    }
                    return;
                }
            }
        }
        let consumed = wire.len() - fed.len();
        assert!(delivered_total <= 1032 * consumed + 1032, "{delivered_total} out of {consumed} in");
        if fed.is_empty() {
            return;
        }
        let want = usize::from(input.splits.get(split % input.splits.len().max(1)).copied().unwrap_or(255)).max(1);
        split += 1;
        let n = conn.handle_bytes(&fed[..want.min(fed.len())]);
        assert!(n > 0, "stuck: a full buffer and no event");
        fed = &fed[n..];
    }
});
