//! permessage-deflate (RFC 7692), one criterion group per workload (see
//! `benches/README.md`): `Z1` inflate of one compressed 64 KiB text message
//! (GB/s of inflated output), `Z2-json` and `Z2-prose` compression of about
//! 64 KiB (GB/s of input; `src/bin/ratios.rs` prints the sizes). Every
//! entry is first checked to produce the expected result.
//!
//! With the `ratchet` feature only `Z1/ratchet` is registered:
//! ratchet_deflate's flate2 brings C zlib, which then replaces zlib-rs as
//! flate2's backend for every entry of that build.

#[cfg(not(feature = "ratchet"))]
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wsframe_bench::LARGE;
use wsframe_bench::inflate_impl::{z1_frame, z1_text};
#[cfg(not(feature = "ratchet"))]
use wsframe_bench::{
    Feed,
    compress_impl::{self, TABLES},
    inflate_impl::{self, Flate2, MinizFlat, MinizRing, z1_input},
};

/// Our entry: with the bench crate's `simdutf8` feature it is a separate
/// entry, as in `peers.rs`.
#[cfg(not(feature = "ratchet"))]
const OURS: &str = if cfg!(feature = "simdutf8") {
    "wsframe+simdutf8"
} else {
    "wsframe"
};

fn z1(c: &mut Criterion) {
    let want = (1, LARGE);
    let text = z1_text();
    let frame = z1_frame();
    let mut g = c.benchmark_group("Z1");
    g.throughput(Throughput::Bytes(LARGE as u64));

    #[cfg(not(feature = "ratchet"))]
    {
        for (name, mut conn) in [
            (OURS.to_string(), inflate_impl::server_message()),
            (format!("{OURS}-stream"), inflate_impl::server_stream()),
        ] {
            let mut feed = Feed::new(&frame);
            assert_eq!(inflate_impl::read(&mut conn, &mut feed, 1), want);
            assert_eq!(inflate_impl::read(&mut conn, &mut feed, 1), want);
            g.bench_function(name, |b| {
                b.iter(|| inflate_impl::read(&mut conn, &mut feed, 1))
            });
        }
        let input = z1_input();
        {
            let mut m = MinizRing::default();
            for _ in 0..3 {
                assert_eq!(m.inflate(&input), LARGE);
                assert_eq!(m.out, text.as_bytes());
            }
            g.bench_function("miniz_oxide-window", |b| {
                b.iter(|| m.inflate(black_box(&input)))
            });
        }
        {
            let mut m = MinizFlat::default();
            assert_eq!(m.inflate(&input), LARGE);
            assert_eq!(m.out[..LARGE], *text.as_bytes());
            g.bench_function("miniz_oxide-flat", |b| {
                b.iter(|| m.inflate(black_box(&input)))
            });
        }
        {
            let mut f = Flate2::default();
            for _ in 0..2 {
                assert_eq!(f.inflate(&input), LARGE);
                assert_eq!(f.out, text.as_bytes());
            }
            g.bench_function("flate2", |b| b.iter(|| f.inflate(black_box(&input))));
        }
    }
    #[cfg(feature = "ratchet")]
    {
        use wsframe_bench::ratchet_impl;
        let stream: &'static [u8] = Vec::leak(frame.clone());
        let mut ws = ratchet_impl::server(stream);
        let mut buf = bytes::BytesMut::new();
        assert_eq!(ratchet_impl::read(&mut ws, &mut buf, 1), want);
        assert_eq!(buf, text.as_bytes());
        assert_eq!(ratchet_impl::read(&mut ws, &mut buf, 1), want);
        g.bench_function("ratchet", |b| {
            b.iter(|| ratchet_impl::read(&mut ws, &mut buf, 1))
        });
    }
    g.finish();
}

#[cfg(not(feature = "ratchet"))]
fn z2(c: &mut Criterion) {
    for (name, data) in compress_impl::z2_inputs() {
        let mut g = c.benchmark_group(format!("Z2-{name}"));
        g.throughput(Throughput::Bytes(data.len() as u64));
        // Each output must inflate back to the input.
        let check = |compressed: &[u8]| {
            let mut input = compressed.to_vec();
            input.extend_from_slice(&inflate_impl::TRAILER);
            let mut f = Flate2::default();
            f.inflate(&input);
            assert_eq!(f.out, data, "{name}: round trip");
        };
        for entries in TABLES {
            let mut ours = compress_impl::Ours::new(entries, data.len());
            let n = ours.compress(&data);
            check(&ours.out[..n]);
            g.bench_function(format!("wsframe-t{entries}"), |b| {
                b.iter(|| ours.compress(black_box(&data)))
            });
        }
        for level in [1, 6] {
            let mut z = compress_impl::Zlib::new(level, data.len());
            z.compress(&data);
            check(&z.out);
            g.bench_function(format!("zlib-{level}"), |b| {
                b.iter(|| z.compress(black_box(&data)))
            });
        }
        g.finish();
    }
}

#[cfg(not(feature = "ratchet"))]
criterion_group!(benches, z1, z2);
#[cfg(feature = "ratchet")]
criterion_group!(benches, z1);
criterion_main!(benches);
