//! Ratio and speed against flate2 (its default miniz_oxide backend) at
//! levels 1 and 6, measured in the same run. Ignored by default; run with
//!
//! ```text
//! cargo test --release --features deflate --lib compress::tests::measure -- --ignored --nocapture
//! ```

extern crate std;

use std::io::Write;
use std::println;
use std::time::{Duration, Instant};
use std::vec;
use std::vec::Vec;

use super::super::Compressor;
use super::support::{chat_json, compress_pieces, prose};

/// Runs `f` for about half a second; returns MB/s of `n` input bytes.
fn speed(n: usize, mut f: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    let mut runs = 0u32;
    let mut sink = 0;
    while start.elapsed() < Duration::from_millis(500) || runs < 3 {
        sink += f();
        runs += 1;
    }
    assert!(sink > 0);
    (n as f64 * f64::from(runs)) / start.elapsed().as_secs_f64() / 1e6
}

fn flate2_len(data: &[u8], level: u32) -> usize {
    let mut e = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(data.len()),
        flate2::Compression::new(level),
    );
    e.write_all(data).unwrap();
    e.finish().unwrap().len()
}

fn ours_len(data: &[u8], table: &mut [u16], out: &mut [u8]) -> usize {
    let mut c = Compressor::new(15);
    compress_pieces(&mut c, table, &[data], out.len()).len()
}

#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn measure() {
    let inputs = [
        ("chat JSON", chat_json(1, 64 * 1024)),
        ("prose", prose(1, 64 * 1024)),
    ];
    for (name, data) in &inputs {
        let n = data.len();
        println!("{name}, {n} bytes:");
        for table_len in [256usize, 1024, 4096, 16384, 65536] {
            let mut table = vec![0u16; table_len];
            let mut out = vec![0u8; n + n / 8 + 16];
            let len = ours_len(data, &mut table, &mut out);
            let mbs = speed(n, || ours_len(data, &mut table, &mut out));
            println!(
                "  ours, table {table_len:>5} ({:>3} KiB): {len:>6} bytes, ratio {:.3}, {mbs:>6.0} MB/s",
                table_len * 2 / 1024,
                len as f64 / n as f64
            );
        }
        for level in [1, 6] {
            let len = flate2_len(data, level);
            let mbs = speed(n, || flate2_len(data, level));
            println!(
                "  flate2 level {level}:               {len:>6} bytes, ratio {:.3}, {mbs:>6.0} MB/s",
                len as f64 / n as f64
            );
        }
    }
    // Small messages, as chat sends them: one compressor and table.
    let msgs: Vec<Vec<u8>> = (0..200)
        .map(|i| chat_json(i, 60 + (i as usize * 13) % 400))
        .collect();
    let total: usize = msgs.iter().map(Vec::len).sum();
    let mut table = vec![0u16; 1024];
    let mut c = Compressor::new(15);
    let ours: usize = msgs
        .iter()
        .map(|m| compress_pieces(&mut c, &mut table, &[m], 1024).len())
        .sum();
    let z1: usize = msgs.iter().map(|m| flate2_len(m, 1)).sum();
    let z6: usize = msgs.iter().map(|m| flate2_len(m, 6)).sum();
    println!(
        "200 small chat messages, {total} bytes: ours {ours}, flate2 level 1 {z1}, level 6 {z6} (no context takeover)"
    );
}
