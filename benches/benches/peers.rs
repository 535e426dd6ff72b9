//! wsframe beside its peers, one criterion group per workload (W1 … W6, see
//! `benches/README.md`); every entry is first checked to produce the expected
//! result. Workload code is in `src/lib.rs`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use wsframe::Opcode;
use wsframe::mask::Masker;
use wsframe::utf8::Validator;
use wsframe::{Header, Status};
use wsframe_bench::*;

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// The bare frame layer: decode, unmask in place and validate every frame.
fn frame_layer(mut buf: &mut [u8]) -> Count {
    let (mut msgs, mut bytes) = (0, 0);
    let mut utf8 = Validator::new();
    while !buf.is_empty() {
        let Ok(Status::Complete((h, n))) = Header::decode(buf) else {
            unreachable!()
        };
        let len = h.payload_len as usize;
        let (frame, rest) = std::mem::take(&mut buf).split_at_mut(n + len);
        let payload = &mut frame[n..];
        if let Some(key) = h.mask {
            Masker::new(key).apply(payload);
        }
        utf8.reset();
        utf8.feed(payload).unwrap();
        utf8.finish().unwrap();
        msgs += 1;
        bytes += len;
        buf = rest;
    }
    (msgs, bytes)
}

/// Our entry in the decode and round-trip groups: with the bench crate's
/// `simdutf8` feature (wsframe's, plus runtime CPU detection) it is a
/// separate entry, so both can sit side by side in one criterion tree.
const OURS: &str = if cfg!(feature = "simdutf8") {
    "wsframe+simdutf8"
} else {
    "wsframe"
};

/// W1, W4, W4t: decode `msgs` messages of `len` bytes per iteration from `stream`.
fn decode(c: &mut Criterion, name: &str, stream: &[u8], msgs: usize, len: usize, elements: bool) {
    let want = (msgs, msgs * len);
    let mut g = c.benchmark_group(name);
    g.throughput(if elements {
        Throughput::Elements(msgs as u64)
    } else {
        Throughput::Bytes((msgs * len) as u64)
    });
    let buf_len = if len > 1024 { 2 * LARGE } else { 8192 };

    {
        let mut conn = ours::server(buf_len);
        let mut feed = Feed::new(stream);
        assert_eq!(ours::read(&mut conn, &mut feed, msgs), want);
        g.bench_function(OURS, |b| b.iter(|| ours::read(&mut conn, &mut feed, msgs)));
    }
    if msgs > 1 {
        let copy = stream.to_vec();
        assert_eq!(frame_layer(&mut copy.clone()), want);
        g.bench_function("wsframe-frame", |b| {
            b.iter_batched_ref(
                || copy.clone(),
                |buf| frame_layer(black_box(buf)),
                BatchSize::LargeInput,
            )
        });
    }
    {
        let mut ws = tungstenite_impl::server(Feed::new(stream));
        assert_eq!(tungstenite_impl::read(&mut ws, msgs), want);
        g.bench_function("tungstenite", |b| {
            b.iter(|| tungstenite_impl::read(&mut ws, msgs))
        });
    }
    {
        let mut ws = fastwebsockets_impl::server(Feed::new(stream));
        assert_eq!(fastwebsockets_impl::read(&mut ws, msgs), want);
        g.bench_function("fastwebsockets", |b| {
            b.iter(|| fastwebsockets_impl::read(&mut ws, msgs))
        });
    }
    {
        let mut ws = embedded_websocket_impl::server();
        let mut to = vec![0u8; LARGE + 64];
        assert_eq!(
            embedded_websocket_impl::read(&mut ws, stream, &mut to),
            want
        );
        g.bench_function("embedded-websocket", |b| {
            b.iter(|| embedded_websocket_impl::read(&mut ws, black_box(stream), &mut to))
        });
    }
    {
        let mut feed = Feed::new(stream);
        let mut buf = vec![0u8; LARGE + 64];
        assert_eq!(edge_ws_impl::read(&mut feed, &mut buf, msgs), want);
        g.bench_function("edge-ws", |b| {
            b.iter(|| edge_ws_impl::read(&mut feed, &mut buf, msgs))
        });
    }
    {
        let mut dec = websocket_sans_io::WebsocketFrameDecoder::new();
        let mut feed = Feed::new(stream);
        let mut chunk = vec![0u8; buf_len];
        assert_eq!(
            sans_io_impl::read(&mut dec, &mut feed, &mut chunk, msgs),
            want
        );
        g.bench_function("websocket-sans-io", |b| {
            b.iter(|| sans_io_impl::read(&mut dec, &mut feed, &mut chunk, msgs))
        });
    }
    {
        let mut ws = websocketz_impl::server(Feed::new(stream), buf_len);
        assert_eq!(websocketz_impl::read(&mut ws, msgs), want);
        g.bench_function("websocketz", |b| {
            b.iter(|| websocketz_impl::read(&mut ws, msgs))
        });
    }
    g.finish();
}

fn w1(c: &mut Criterion) {
    decode(c, "W1", &w1_stream(), FRAMES, 16, true);
}

fn w4(c: &mut Criterion) {
    decode(c, "W4", &w4_stream(Opcode::Binary), 1, LARGE, false);
    decode(c, "W4t", &w4_stream(Opcode::Text), 1, LARGE, false);
}

fn w2(c: &mut Criterion) {
    let mut buf: Vec<u8> = (0..MIB).map(|i| i as u8).collect();
    let mut g = c.benchmark_group("W2");
    g.throughput(Throughput::Bytes(MIB as u64));
    // Each must equal the bytewise reference.
    let mut want = buf.clone();
    for (i, b) in want.iter_mut().enumerate() {
        *b ^= KEY[i % 4];
    }
    let check = |f: &dyn Fn(&mut [u8])| {
        let mut x = buf.clone();
        f(&mut x);
        assert_eq!(x, want);
    };
    check(&|d| wsframe::mask::apply(KEY, 0, d));
    check(&|d| fastwebsockets::unmask(d, KEY));
    check(&|d| websocket_sans_io::apply_mask(KEY, d, 0));
    check(&|d| edge_ws::FrameHeader::mask_with(d, Some(u32::from_be_bytes(KEY)), 0));
    g.bench_function("wsframe", |b| {
        b.iter(|| wsframe::mask::apply(black_box(KEY), 0, black_box(&mut buf)))
    });
    g.bench_function("fastwebsockets", |b| {
        b.iter(|| fastwebsockets::unmask(black_box(&mut buf), black_box(KEY)))
    });
    g.bench_function("websocket-sans-io", |b| {
        b.iter(|| websocket_sans_io::apply_mask(black_box(KEY), black_box(&mut buf), 0))
    });
    g.bench_function("edge-ws", |b| {
        b.iter(|| {
            edge_ws::FrameHeader::mask_with(black_box(&mut buf), Some(u32::from_be_bytes(KEY)), 0)
        })
    });
    g.finish();
}

fn w3(c: &mut Criterion) {
    let mut g = c.benchmark_group("W3");
    g.throughput(Throughput::Elements(ENCODE_BATCH as u64));
    let want = ENCODE_BATCH * 22;
    let mut out = vec![0u8; ENCODE_BATCH * 32];
    {
        let mut conn = ours::client(8192);
        assert_eq!(ours::encode(&mut conn, &mut out), want);
        g.bench_function("wsframe", |b| b.iter(|| ours::encode(&mut conn, &mut out)));
    }
    {
        let mut ws = tungstenite_impl::client(Sink::default());
        assert_eq!(tungstenite_impl::encode(&mut ws), want);
        g.bench_function("tungstenite", |b| {
            b.iter(|| tungstenite_impl::encode(&mut ws))
        });
    }
    {
        let (c, mut peer) = Duplex::pair();
        let mut ws = fastwebsockets_impl::client(c);
        assert_eq!(fastwebsockets_impl::encode(&mut ws, &mut peer), want);
        g.bench_function("fastwebsockets", |b| {
            b.iter(|| fastwebsockets_impl::encode(&mut ws, &mut peer))
        });
    }
    {
        let mut ws = embedded_websocket_impl::client();
        assert_eq!(embedded_websocket_impl::encode(&mut ws, &mut out), want);
        g.bench_function("embedded-websocket", |b| {
            b.iter(|| embedded_websocket_impl::encode(&mut ws, &mut out))
        });
    }
    {
        let mut sink = Sink::default();
        let mut keys = Keys::default();
        assert_eq!(edge_ws_impl::encode(&mut sink, &mut keys), want);
        g.bench_function("edge-ws", |b| {
            b.iter(|| edge_ws_impl::encode(&mut sink, &mut keys))
        });
    }
    {
        let mut enc = websocket_sans_io::WebsocketFrameEncoder::new();
        let mut keys = Keys::default();
        assert_eq!(sans_io_impl::encode(&mut enc, &mut keys, &mut out), want);
        g.bench_function("websocket-sans-io", |b| {
            b.iter(|| sans_io_impl::encode(&mut enc, &mut keys, &mut out))
        });
    }
    {
        let (c, mut peer) = Duplex::pair();
        let mut ws = websocketz_impl::client(c, 8192);
        assert_eq!(websocketz_impl::encode(&mut ws, &mut peer), want);
        g.bench_function("websocketz", |b| {
            b.iter(|| websocketz_impl::encode(&mut ws, &mut peer))
        });
    }
    g.finish();
}

fn w5(c: &mut Criterion) {
    let mut g = c.benchmark_group("W5");
    g.throughput(Throughput::Elements(1));
    let key = SAMPLE_KEY.as_bytes();
    assert_eq!(
        &wsframe::handshake::accept_key(key),
        SAMPLE_ACCEPT.as_bytes()
    );
    assert_eq!(
        tungstenite::handshake::derive_accept_key(key),
        SAMPLE_ACCEPT
    );
    g.bench_function("wsframe", |b| {
        b.iter(|| wsframe::handshake::accept_key(black_box(key)))
    });
    g.bench_function("tungstenite", |b| {
        b.iter(|| tungstenite::handshake::derive_accept_key(black_box(key)))
    });
    // embedded-websocket keeps its accept function private: this is the
    // whole 101 response (accept key plus about 130 bytes of head).
    let ws_key: embedded_websocket::WebSocketKey = SAMPLE_KEY.into();
    let mut out = [0u8; 256];
    let n = embedded_websocket::WebSocketServer::new_server()
        .server_accept(&ws_key, None, &mut out)
        .unwrap();
    assert!(
        std::str::from_utf8(&out[..n])
            .unwrap()
            .contains(SAMPLE_ACCEPT)
    );
    g.bench_function("embedded-websocket(server_accept)", |b| {
        b.iter(|| {
            let mut ws = embedded_websocket::WebSocketServer::new_server();
            ws.server_accept(black_box(&ws_key), None, &mut out)
                .unwrap()
        })
    });
    g.finish();
}

fn w6(c: &mut Criterion) {
    let large = large_payload();
    for (name, msg) in [
        ("W6-16B", Msg::Text(TEXTS[1])),
        ("W6-64KiB", Msg::Binary(&large)),
    ] {
        let mut g = c.benchmark_group(name);
        g.throughput(match msg {
            Msg::Text(_) => Throughput::Elements(1),
            Msg::Binary(b) => Throughput::Bytes(b.len() as u64),
        });
        macro_rules! entry {
            ($label:expr, $t:ty) => {{
                let mut e = <$t>::default();
                assert_eq!(e.round_trip(msg), msg.len(), "{}", $label);
                assert_eq!(e.round_trip(msg), msg.len(), "{}", $label);
                g.bench_function($label, |b| b.iter(|| e.round_trip(black_box(msg))));
            }};
        }
        entry!(OURS, ours::Echo);
        entry!("tungstenite", tungstenite_impl::Echo);
        entry!("fastwebsockets", fastwebsockets_impl::Echo);
        entry!("embedded-websocket", embedded_websocket_impl::Echo);
        entry!("edge-ws", edge_ws_impl::Echo);
        entry!("websocket-sans-io", sans_io_impl::Echo);
        entry!("websocketz", websocketz_impl::Echo);
        g.finish();
    }
}

criterion_group!(benches, w1, w2, w3, w4, w5, w6);
criterion_main!(benches);
