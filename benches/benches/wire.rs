//! Wire-layer benchmarks: header decode, a stream of small masked text
//! frames (decode + unmask + UTF-8), and unmasking 1 MiB in place, aligned
//! and at an unaligned address and key phase, beside a bytewise baseline.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use wsframe::mask::{self, Masker};
use wsframe::utf8::Validator;
use wsframe::{Header, Opcode, Status};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
const FRAMES: usize = 100_000;
const MIB: usize = 1 << 20;

/// A masked text frame header for a 16-byte payload: `81 90 k0 k1 k2 k3`.
fn masked_text_header(key: [u8; 4]) -> [u8; 6] {
    let mut out = [0u8; 6];
    let h = Header::new(Opcode::Text, 16).with_mask(Some(key));
    assert_eq!(h.encode(&mut out), Ok(6));
    out
}

/// `FRAMES` back-to-back masked text frames with 16-byte payloads (some
/// ASCII, some multibyte), each with its own key.
fn frame_stream() -> Vec<u8> {
    let texts: [&str; 4] = [
        "sensor=21.5C ok!",
        "κόσμε ok!!!",
        "{\"t\":1,\"v\":[1]}\n",
        "€€€€€!",
    ];
    let mut buf = Vec::with_capacity(FRAMES * 22);
    for i in 0..FRAMES {
        let text = texts[i % texts.len()].as_bytes();
        assert_eq!(text.len(), 16);
        let key = (i as u32).wrapping_mul(0x9E37_79B9).to_be_bytes();
        buf.extend_from_slice(&masked_text_header(key));
        let start = buf.len();
        buf.extend_from_slice(text);
        mask::apply(key, 0, &mut buf[start..]);
    }
    buf
}

/// Decode, unmask in place and validate every frame; returns the payload bytes seen.
fn process_stream(mut buf: &mut [u8]) -> usize {
    let mut total = 0;
    let mut utf8 = Validator::new();
    while !buf.is_empty() {
        let Ok(Status::Complete((h, n))) = Header::decode(buf) else {
            unreachable!()
        };
        let len = usize::try_from(h.payload_len).unwrap();
        let (frame, rest) = std::mem::take(&mut buf).split_at_mut(n + len);
        let payload = &mut frame[n..];
        if let Some(key) = h.mask {
            Masker::new(key).apply(payload);
        }
        utf8.reset();
        utf8.feed(payload).unwrap();
        utf8.finish().unwrap();
        total += len;
        buf = rest;
    }
    total
}

fn bytewise(key: [u8; 4], offset: usize, data: &mut [u8]) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= key[(offset + i) % 4];
    }
}

fn header_decode(c: &mut Criterion) {
    let bytes = masked_text_header(KEY);
    let mut g = c.benchmark_group("header");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode_masked_text_16", |b| {
        b.iter(|| Header::decode(black_box(&bytes)))
    });
    g.finish();
}

fn frames(c: &mut Criterion) {
    let stream = frame_stream();
    assert_eq!(process_stream(&mut stream.clone()), FRAMES * 16);
    let mut g = c.benchmark_group("frames");
    g.throughput(Throughput::Elements(FRAMES as u64));
    g.bench_function("100k_masked_text_16_decode_unmask_utf8", |b| {
        b.iter_batched_ref(
            || stream.clone(),
            |buf| process_stream(black_box(buf)),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn unmask(c: &mut Criterion) {
    // One extra byte so the unaligned case can start at address + 1.
    let mut buf: Vec<u8> = (0..MIB + 1).map(|i| i as u8).collect();
    let mut g = c.benchmark_group("unmask_1MiB");
    g.throughput(Throughput::Bytes(MIB as u64));
    g.bench_function("aligned", |b| {
        b.iter(|| mask::apply(black_box(KEY), 0, black_box(&mut buf[..MIB])))
    });
    g.bench_function("unaligned", |b| {
        b.iter(|| mask::apply(black_box(KEY), 3, black_box(&mut buf[1..])))
    });
    g.bench_function("bytewise_baseline", |b| {
        b.iter(|| bytewise(black_box(KEY), 0, black_box(&mut buf[..MIB])))
    });
    g.finish();
}

/// A browser's upgrade request (headless Chromium 156, captured on the
/// wire; `tests/fixtures/mod.rs`), parsed and checked whole: ns per request.
const CHROMIUM_HEAD: &[u8] = include_bytes!("../../tests/fixtures/chromium-156.http");

fn handshake(c: &mut Criterion) {
    use wsframe::Status;
    use wsframe::handshake::{Limits, parse_request};
    let parse = |head: &[u8]| match parse_request::<32>(head, &Limits::DEFAULT) {
        Ok(Status::Complete(request)) => request.head_len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(parse(CHROMIUM_HEAD), CHROMIUM_HEAD.len());
    let mut g = c.benchmark_group("handshake");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse_request_chromium", |b| {
        b.iter(|| parse(black_box(CHROMIUM_HEAD)))
    });
    g.finish();
}

criterion_group!(benches, header_decode, frames, unmask, handshake);
criterion_main!(benches);
