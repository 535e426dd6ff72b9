//! A fixed amount of wsframe's W1, W3 and W6 work for instruction
//! counting under callgrind, which is immune to the machine's noise:
//!
//! ```sh
//! cargo build --release -p wsframe-bench --bin prof
//! valgrind --tool=callgrind --toggle-collect='prof::measure*' \
//!     target/release/prof w1   # or w3, w3v, w4t, w6, w6l, z1, z1s, z1w, z1f, z1z, z2 json t4096
//! ```
//!
//! Only the `measure_*` functions are counted; divide their inclusive
//! instruction count by the frames (W1: 100,000; W3: 10,000) or round
//! trips (W6-16B: 10,000; W6-64KiB, `w6l`: 100) printed. `w3v` is W3 with
//! each text passed through `black_box`, so the optimiser cannot use the
//! payload length (16) it otherwise sees through the inlined `encode_text`:
//! the cost for a caller whose lengths are only known at run time.
//!
//! Z1 (inflate of the compressed 64 KiB text message, 50 per run):
//! `z1` wsframe's connection in message mode, `z1s` in stream mode, and
//! the bare decompressors on the same bytes: `z1w` `miniz_oxide` into a
//! 32 KiB window copied out, `z1f` into a flat 64 KiB buffer, `z1z`
//! `flate2` (zlib-rs) into a `Vec`.
//!
//! Z2 (compress 20 times): `z2 INPUT WHO`, INPUT `json` or `prose`, WHO
//! `t1024`, `t4096` (ours with that many table entries), `zlib1`, `zlib6`;
//! divide by 20 times the input length (printed) for instructions a byte.

use std::hint::black_box;
use wsframe_bench::*;

#[inline(never)]
fn measure_w1(conn: &mut wsframe::Connection<Vec<u8>>, feed: &mut Feed<'_>) -> Count {
    ours::read(conn, feed, FRAMES)
}

#[inline(never)]
fn measure_w3(
    conn: &mut wsframe::Connection<Vec<u8>, ours::KeySource>,
    out: &mut [u8],
    rounds: usize,
) -> usize {
    (0..rounds)
        .map(|_| ours::encode(conn, black_box(out)))
        .sum()
}

#[inline(never)]
fn measure_w3v(
    conn: &mut wsframe::Connection<Vec<u8>, ours::KeySource>,
    out: &mut [u8],
    rounds: usize,
) -> usize {
    let mut total = 0;
    for _ in 0..rounds {
        let mut pos = 0;
        for i in 0..ENCODE_BATCH {
            let text = black_box(TEXTS[i % TEXTS.len()]);
            pos += conn.encode_text(text, &mut out[pos..]).expect("room");
        }
        total += pos;
    }
    total
}

#[inline(never)]
fn measure_w4t(
    conn: &mut wsframe::Connection<Vec<u8>>,
    feed: &mut Feed<'_>,
    rounds: usize,
) -> Count {
    ours::read(conn, feed, rounds)
}

#[inline(never)]
fn measure_w6(echo: &mut ours::Echo, rounds: usize) -> usize {
    (0..rounds)
        .map(|_| echo.round_trip(black_box(Msg::Text(TEXTS[1]))))
        .sum()
}

#[inline(never)]
fn measure_w6l(echo: &mut ours::Echo, large: &[u8], rounds: usize) -> usize {
    (0..rounds)
        .map(|_| echo.round_trip(black_box(Msg::Binary(large))))
        .sum()
}

/// Z1 messages per run.
const Z1_ROUNDS: usize = 50;

#[inline(never)]
fn measure_z1(conn: &mut inflate_impl::Conn, feed: &mut Feed<'_>) -> Count {
    inflate_impl::read(conn, feed, Z1_ROUNDS)
}

#[inline(never)]
fn measure_z1_bare(mut f: impl FnMut() -> usize) -> usize {
    (0..Z1_ROUNDS).map(|_| f()).sum()
}

/// Z1 through a connection: one message to warm up, then the measured ones.
fn z1(mut conn: inflate_impl::Conn, name: &str) {
    let frame = inflate_impl::z1_frame();
    let mut feed = Feed::new(&frame);
    inflate_impl::read(&mut conn, &mut feed, 1);
    let got = measure_z1(&mut conn, &mut feed);
    assert_eq!(got, (Z1_ROUNDS, Z1_ROUNDS * LARGE));
    println!("{name}: {Z1_ROUNDS} messages of 64 KiB inflated");
}

/// Z1 through a bare decompressor.
fn z1_bare(name: &str, mut f: impl FnMut(&[u8]) -> usize) {
    let input = inflate_impl::z1_input();
    assert_eq!(f(&input), LARGE);
    let n = measure_z1_bare(|| f(black_box(&input)));
    assert_eq!(n, Z1_ROUNDS * LARGE);
    println!("{name}: {Z1_ROUNDS} messages of 64 KiB inflated");
}

#[inline(never)]
fn measure_z2(mut f: impl FnMut(&[u8]) -> usize, data: &[u8], rounds: usize) -> usize {
    (0..rounds).map(|_| f(black_box(data))).sum()
}

/// A compressor under test: input in, compressed length out.
type Compress = Box<dyn FnMut(&[u8]) -> usize>;

/// Z2: compress one input 20 times with one compressor.
fn z2(input: &str, who: &str) {
    let Some((_, data)) = compress_impl::z2_inputs()
        .into_iter()
        .find(|(n, _)| *n == input)
    else {
        return eprintln!("z2: input json or prose");
    };
    let mut f: Compress = match who {
        "t1024" | "t4096" => {
            let mut c = compress_impl::Ours::new(who[1..].parse().unwrap(), data.len());
            Box::new(move |d| c.compress(d))
        }
        "zlib1" | "zlib6" => {
            let mut z = compress_impl::Zlib::new(who[4..].parse().unwrap(), data.len());
            Box::new(move |d| z.compress(d))
        }
        _ => return eprintln!("z2: t1024, t4096, zlib1 or zlib6"),
    };
    let one = f(&data);
    let n = measure_z2(&mut f, &data, 20);
    assert_eq!(n, 20 * one);
    println!("z2 {input} {who}: 20 x {} bytes -> {one} bytes", data.len());
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    match which.as_str() {
        "w1" => {
            let stream = w1_stream();
            let mut conn = ours::server(8192);
            let mut feed = Feed::new(&stream);
            ours::read(&mut conn, &mut feed, FRAMES);
            let got = measure_w1(&mut conn, &mut feed);
            assert_eq!(got, (FRAMES, FRAMES * 16));
            println!("w1: {FRAMES} frames");
        }
        "w3" => {
            let mut conn = ours::client(8192);
            let mut out = vec![0u8; ENCODE_BATCH * 32];
            ours::encode(&mut conn, &mut out);
            let n = measure_w3(&mut conn, &mut out, 10);
            assert_eq!(n, 10 * ENCODE_BATCH * 22);
            println!("w3: {} frames", 10 * ENCODE_BATCH);
        }
        "w3v" => {
            let mut conn = ours::client(8192);
            let mut out = vec![0u8; ENCODE_BATCH * 32];
            ours::encode(&mut conn, &mut out);
            let n = measure_w3v(&mut conn, &mut out, 10);
            assert_eq!(n, 10 * ENCODE_BATCH * 22);
            println!("w3v: {} frames", 10 * ENCODE_BATCH);
        }
        "w6" => {
            let mut echo = ours::Echo::default();
            echo.round_trip(Msg::Text(TEXTS[1]));
            let n = measure_w6(&mut echo, 10_000);
            assert_eq!(n, 10_000 * TEXTS[1].len());
            println!("w6: 10000 round trips");
        }
        "w6l" => {
            let large = large_payload();
            let mut echo = ours::Echo::default();
            echo.round_trip(Msg::Binary(&large));
            let n = measure_w6l(&mut echo, &large, 100);
            assert_eq!(n, 100 * large.len());
            println!("w6l: 100 round trips of 64 KiB");
        }
        "w4t" => {
            let stream = w4_stream(wsframe::Opcode::Text);
            let mut conn = ours::server(2 * LARGE);
            let mut feed = Feed::new(&stream);
            ours::read(&mut conn, &mut feed, 1);
            let got = measure_w4t(&mut conn, &mut feed, 20);
            assert_eq!(got, (20, 20 * LARGE));
            println!("w4t: 20 text frames of 64 KiB");
        }
        "z1" => z1(inflate_impl::server_message(), "z1"),
        "z1s" => z1(inflate_impl::server_stream(), "z1s"),
        "z1w" => {
            let mut m = inflate_impl::MinizRing::default();
            z1_bare("z1w", |i| m.inflate(i));
        }
        "z1f" => {
            let mut m = inflate_impl::MinizFlat::default();
            z1_bare("z1f", |i| m.inflate(i));
        }
        "z1z" => {
            let mut m = inflate_impl::Flate2::default();
            z1_bare("z1z", |i| m.inflate(i));
        }
        "z2" => {
            let arg = |i| std::env::args().nth(i).unwrap_or_default();
            z2(&arg(2), &arg(3));
        }
        _ => eprintln!("usage: prof w1|w3|w3v|w4t|w6|w6l|z1|z1s|z1w|z1f|z1z|z2 INPUT WHO"),
    }
}
