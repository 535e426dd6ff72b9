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

/// MB/s of `n` input bytes through `f`: the best of 20 bursts of about
/// 25 ms each (the machine is shared; the best burst is the least disturbed).
fn speed(n: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut best = 0f64;
    let mut sink = 0;
    for _ in 0..20 {
        let start = Instant::now();
        let mut runs = 0u32;
        while start.elapsed() < Duration::from_millis(25) {
            sink += f();
            runs += 1;
        }
        best = best.max((n as f64 * f64::from(runs)) / start.elapsed().as_secs_f64() / 1e6);
    }
    assert!(sink > 0);
    best
}

fn flate2_len(data: &[u8], level: u32) -> usize {
    let mut e = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(data.len()),
        flate2::Compression::new(level),
    );
    e.write_all(data).unwrap();
    e.finish().unwrap().len()
}

/// One message through the API directly, into `out` (room enough).
fn ours_len(data: &[u8], table: &mut [u16], out: &mut [u8]) -> usize {
    let mut c = Compressor::new(15);
    c.start_message();
    let p = c.compress(table, data, true, out);
    assert!(p.done);
    p.written
}

#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn measure() {
    let inputs = [
        ("chat JSON", chat_json(1, 64 * 1024)),
        ("prose", prose(1, 64 * 1024)),
    ];
    // To compare with other compressors outside this test (e.g. zlib itself).
    if let Some(dir) = std::env::var_os("WSFRAME_MEASURE_DUMP") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::write(dir.join("chat.json"), &inputs[0].1).unwrap();
        std::fs::write(dir.join("prose.txt"), &inputs[1].1).unwrap();
    }
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

/// Huffman code lengths for `freq`, at most `limit` bits (frequencies are
/// halved until the code fits: close to optimal, fine for an estimate).
fn huffman_lengths(freq: &[u32], limit: u32) -> Vec<u32> {
    let mut freq: Vec<u64> = freq.iter().map(|&f| u64::from(f)).collect();
    loop {
        let live: Vec<usize> = (0..freq.len()).filter(|&i| freq[i] > 0).collect();
        let mut lens = vec![0u32; freq.len()];
        if live.len() == 1 {
            lens[live[0]] = 1;
            return lens;
        }
        // Nodes: (weight, symbols under it).
        let mut nodes: Vec<(u64, Vec<usize>)> = live.iter().map(|&i| (freq[i], vec![i])).collect();
        while nodes.len() > 1 {
            nodes.sort_by_key(|n| core::cmp::Reverse(n.0));
            let (wa, a) = nodes.pop().unwrap();
            let (wb, b) = nodes.pop().unwrap();
            for &s in a.iter().chain(b.iter()) {
                lens[s] += 1;
            }
            nodes.push((wa + wb, a.into_iter().chain(b).collect()));
        }
        if lens.iter().all(|&l| l <= limit) {
            return lens;
        }
        for f in &mut freq {
            if *f > 0 {
                *f = (*f).div_ceil(2);
            }
        }
    }
}

/// Bits of one dynamic-Huffman block (RFC 1951 §3.2.7) coding the symbols
/// counted in `seen`, its header included.
fn dynamic_block_bits(seen: &super::support::Seen) -> usize {
    let mut lit = seen.lit_len_freq.clone();
    lit[256] += 1; // the end of block
    let mut dist = seen.dist_freq.clone();
    if dist.iter().all(|&f| f == 0) {
        dist[0] = 1;
    }
    let ll = huffman_lengths(&lit, 15);
    let dl = huffman_lengths(&dist, 15);
    let hlit = 257.max(ll.iter().rposition(|&l| l > 0).unwrap() + 1);
    let hdist = 1.max(dl.iter().rposition(|&l| l > 0).unwrap() + 1);
    let lens: Vec<u32> = ll[..hlit]
        .iter()
        .chain(dl[..hdist].iter())
        .copied()
        .collect();
    // Run-length code the lengths (16: repeat previous 3-6, 17: zeros
    // 3-10, 18: zeros 11-138), as (symbol, extra bits).
    let mut rle: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < lens.len() {
        let l = lens[i];
        let run = lens[i..].iter().take_while(|&&x| x == l).count();
        if l == 0 && run >= 3 {
            let n = run.min(138);
            rle.push(if n >= 11 { (18, 7) } else { (17, 3) });
            i += n;
        } else if l != 0 && run >= 4 {
            rle.push((l as usize, 0));
            let n = (run - 1).min(6);
            rle.push((16, 2));
            i += 1 + n;
        } else {
            rle.push((l as usize, 0));
            i += 1;
        }
    }
    let mut cl_freq = vec![0u32; 19];
    for &(s, _) in &rle {
        cl_freq[s] += 1;
    }
    let cl = huffman_lengths(&cl_freq, 7);
    const ORDER: [usize; 19] = [
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
    ];
    let hclen = 4.max(ORDER.iter().rposition(|&s| cl[s] > 0).unwrap() + 1);
    let header =
        3 + 5 + 5 + 4 + 3 * hclen + rle.iter().map(|&(s, e)| cl[s] as usize + e).sum::<usize>();
    let data: usize = lit
        .iter()
        .zip(&ll)
        .map(|(&f, &l)| f as usize * l as usize)
        .sum::<usize>()
        + dist
            .iter()
            .zip(&dl)
            .map(|(&f, &l)| f as usize * l as usize)
            .sum::<usize>()
        + seen.extra_bits;
    header + data
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn dynamic_huffman_estimate() {
    // What dynamic Huffman would save over our fixed codes, for the same
    // LZ77 parse: one dynamic block per message, header included.
    let cases: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("chat JSON 64 KiB", vec![chat_json(1, 64 * 1024)]),
        ("prose 64 KiB", vec![prose(1, 64 * 1024)]),
        ("chat JSON 4 KiB", vec![chat_json(2, 4096)]),
        ("prose 4 KiB", vec![prose(2, 4096)]),
        (
            "chat JSON 1 KiB x 50",
            (0..50).map(|i| chat_json(i, 1024)).collect(),
        ),
        (
            "chat messages 60..460 B x 200",
            (0..200)
                .map(|i| chat_json(i, 60 + (i as usize * 13) % 400))
                .collect(),
        ),
    ];
    for (name, msgs) in cases {
        let (mut fixed, mut dynamic, mut best) = (0usize, 0usize, 0usize);
        for m in &msgs {
            let stream = super::support::compress_one(15, &mut vec![0; super::super::TABLE_LEN], m);
            let (_, seen) = super::support::decode_strict(&stream, 1 << 15, &[0]).unwrap();
            // The fixed block's bits: the stream less the flush (3 header bits and padding).
            let fixed_bits = stream.len() * 8;
            // Same flush and header overhead on the dynamic side.
            let dyn_bits = dynamic_block_bits(&seen) + 3 + 7;
            fixed += fixed_bits.div_ceil(8);
            dynamic += dyn_bits.div_ceil(8);
            best += fixed_bits.min(dyn_bits).div_ceil(8);
        }
        println!(
            "{name}: fixed {fixed} B, dynamic {dynamic} B ({:+.1}%), best per message {best} B ({:+.1}%)",
            (dynamic as f64 / fixed as f64 - 1.0) * 100.0,
            (best as f64 / fixed as f64 - 1.0) * 100.0
        );
    }
}
