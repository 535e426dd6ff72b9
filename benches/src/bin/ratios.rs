//! Compressed sizes of the Z2 inputs (and of the Z1 message), which
//! criterion does not report: wsframe's `Compressor` with tables of
//! 1,024 and 4,096 entries against zlib (flate2's zlib-rs backend) at
//! levels 1 and 6, each as a permessage-deflate payload (raw DEFLATE,
//! window 15, sync flush, `00 00 ff ff` removed), every output checked to
//! inflate back. Prints a Markdown table:
//!
//! ```sh
//! cargo run --release -p wsframe-bench --bin ratios
//! ```

use wsframe_bench::compress_impl::{Ours, TABLES, Zlib, z2_inputs};
use wsframe_bench::inflate_impl::{Flate2, TRAILER, z1_text};

fn check(data: &[u8], compressed: &[u8]) {
    let mut input = compressed.to_vec();
    input.extend_from_slice(&TRAILER);
    let mut f = Flate2::default();
    f.inflate(&input);
    assert!(f.out == data, "round trip");
}

fn main() {
    let z1 = z1_text().into_bytes();
    let mut inputs: Vec<(String, Vec<u8>)> = z2_inputs()
        .into_iter()
        .map(|(n, d)| (format!("Z2-{n}"), d))
        .collect();
    inputs.push(("Z1 message".into(), z1));
    let mut columns: Vec<String> = TABLES.iter().map(|t| format!("wsframe-t{t}")).collect();
    columns.extend(["zlib-1".into(), "zlib-6".into()]);
    println!("| input | bytes | {} |", columns.join(" | "));
    println!("|---|---:|{}", "---:|".repeat(columns.len()));
    for (name, data) in &inputs {
        let mut cells = Vec::new();
        for entries in TABLES {
            let mut ours = Ours::new(entries, data.len());
            let n = ours.compress(data);
            check(data, &ours.out[..n]);
            cells.push(n);
        }
        for level in [1, 6] {
            let mut z = Zlib::new(level, data.len());
            let n = z.compress(data);
            check(data, &z.out);
            cells.push(n);
        }
        let row: Vec<String> = cells
            .iter()
            .map(|&n| format!("{n} ({:.3})", n as f64 / data.len() as f64))
            .collect();
        println!("| {name} | {} | {} |", data.len(), row.join(" | "));
    }
    println!();
    println!("Compressed bytes (output/input); zlib is flate2 1 with zlib-rs.");
}
