//! Test support: drivers for the compressor, three inflaters to check its
//! output (flate2, miniz_oxide into a window-sized ring, and a strict
//! decoder of our own that checks every distance), and data generators.

extern crate std;

use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

use super::super::{Compressor, Progress};

/// The sync flush's tail that RFC 7692 §7.2.1 removes and §7.2.2 restores.
pub const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Compress one message given as `pieces`, `out_len` bytes of output room
/// per call, asserting the call contract along the way: a call that is
/// not done has filled `out`, `read` never goes back or past the piece,
/// and once done, calls write nothing.
pub fn compress_pieces(
    c: &mut Compressor,
    table: &mut [u16],
    pieces: &[&[u8]],
    out_len: usize,
) -> Vec<u8> {
    assert!(out_len > 0);
    c.start_message();
    let mut stream = Vec::new();
    let mut out = vec![0u8; out_len];
    let empty: [&[u8]; 1] = [&[]];
    let pieces = if pieces.is_empty() {
        &empty[..]
    } else {
        pieces
    };
    for (i, piece) in pieces.iter().enumerate() {
        c.start_piece();
        let last = i + 1 == pieces.len();
        let mut read = 0;
        let mut calls = 0usize;
        loop {
            let p = c.compress(table, piece, last, &mut out);
            assert!(p.read >= read && p.read <= piece.len(), "{p:?}");
            read = p.read;
            assert!(p.written <= out.len());
            stream.extend_from_slice(&out[..p.written]);
            if p.done {
                assert_eq!(p.read, piece.len());
                let again = c.compress(table, piece, last, &mut out);
                assert_eq!(
                    again,
                    Progress {
                        read: piece.len(),
                        written: 0,
                        done: true
                    }
                );
                break;
            }
            assert_eq!(p.written, out.len(), "not done, yet out not full: {p:?}");
            calls += 1;
            assert!(calls <= 2 * piece.len() + 64, "no progress");
        }
    }
    stream
}

/// Compress `msg` as one piece with plenty of room.
pub fn compress_one(window_bits: u8, table: &mut [u16], msg: &[u8]) -> Vec<u8> {
    let mut c = Compressor::new(window_bits);
    compress_pieces(
        &mut c,
        table,
        &[msg],
        super::super::max_compressed_len(msg.len()) + 8,
    )
}

/// Inflate one message with flate2 (raw, the context kept by `d`).
pub fn inflate_flate2(d: &mut flate2::Decompress, msg: &[u8]) -> Vec<u8> {
    let mut input = msg.to_vec();
    input.extend_from_slice(&TAIL);
    let mut out = Vec::new();
    let mut consumed = 0;
    loop {
        out.reserve(64 * 1024);
        let before = d.total_in();
        d.decompress_vec(&input[consumed..], &mut out, flate2::FlushDecompress::Sync)
            .expect("flate2 inflates our stream");
        consumed += (d.total_in() - before) as usize;
        if consumed == input.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

pub use wsframe_testkit::RingInflater as Ring;

/// What the strict decoder saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub literals: usize,
    pub matches: usize,
    pub max_dist: usize,
    pub fixed_blocks: usize,
    pub stored_blocks: usize,
    /// How often each literal/length symbol (0..=285) and distance code
    /// (0..=29) occurs, and the extra bits sent: what a dynamic Huffman
    /// code for the same parse would be built from.
    pub lit_len_freq: Vec<u32>,
    pub dist_freq: Vec<u32>,
    pub extra_bits: usize,
}

/// A strict decoder of one message's stream (`msg` + [`TAIL`]) as this
/// compressor makes it: fixed-Huffman and stored blocks only, none final,
/// the stream ending exactly with an empty stored block. Every distance
/// must be within `window` and must not reach before the start of the
/// piece the match is in (`piece_starts`: offsets in the message, the
/// first 0), let alone before the message.
pub fn decode_strict(
    msg: &[u8],
    window: usize,
    piece_starts: &[usize],
) -> Result<(Vec<u8>, Seen), String> {
    let mut input = msg.to_vec();
    input.extend_from_slice(&TAIL);
    let mut r = BitReader {
        data: &input,
        bit: 0,
    };
    let mut out = Vec::new();
    let mut seen = Seen {
        lit_len_freq: vec![0; 286],
        dist_freq: vec![0; 30],
        ..Seen::default()
    };
    loop {
        if r.bits(1)? != 0 {
            return Err("BFINAL=1".into());
        }
        match r.bits(2)? {
            0 => {
                r.bit = r.bit.div_ceil(8) * 8;
                let len = r.bits(16)?;
                let nlen = r.bits(16)?;
                if len != !nlen & 0xFFFF {
                    return Err(format!("stored LEN {len:#x} NLEN {nlen:#x}"));
                }
                for _ in 0..len {
                    out.push(r.bits(8)? as u8);
                }
                seen.stored_blocks += 1;
                if r.bit == input.len() * 8 {
                    if len != 0 {
                        return Err("the stream does not end with an empty stored block".into());
                    }
                    return Ok((out, seen));
                }
            }
            1 => {
                seen.fixed_blocks += 1;
                loop {
                    let sym = r.fixed_symbol()?;
                    if let Some(f) = seen.lit_len_freq.get_mut(sym as usize) {
                        *f += 1;
                    }
                    if sym < 256 {
                        out.push(sym as u8);
                        seen.literals += 1;
                        continue;
                    }
                    if sym == 256 {
                        break;
                    }
                    let before = r.bit;
                    let len = length(sym, &mut r)?;
                    let code = r.bits_msb(5)?;
                    let after_code = r.bit;
                    let dist = distance(code, &mut r)?;
                    seen.extra_bits += after_code - before - 5 + r.bit - after_code;
                    if let Some(f) = seen.dist_freq.get_mut(code as usize) {
                        *f += 1;
                    }
                    let start = piece_starts
                        .iter()
                        .copied()
                        .filter(|&s| s <= out.len())
                        .max()
                        .unwrap_or(0);
                    if dist > window {
                        return Err(format!("distance {dist} > window {window}"));
                    }
                    if dist > out.len() - start {
                        return Err(format!(
                            "distance {dist} at {} reaches before the piece start {start}",
                            out.len()
                        ));
                    }
                    if out.len() + len
                        > piece_starts
                            .iter()
                            .copied()
                            .find(|&s| s > out.len())
                            .unwrap_or(usize::MAX)
                    {
                        return Err("a match crosses into the next piece".into());
                    }
                    for _ in 0..len {
                        out.push(out[out.len() - dist]);
                    }
                    seen.matches += 1;
                    seen.max_dist = seen.max_dist.max(dist);
                }
            }
            t => return Err(format!("BTYPE {t}")),
        }
    }
}

struct BitReader<'a> {
    data: &'a [u8],
    bit: usize,
}

impl BitReader<'_> {
    fn bits(&mut self, n: u32) -> Result<u32, String> {
        let mut v = 0;
        for i in 0..n {
            let byte = self.data.get(self.bit / 8).ok_or("out of input")?;
            v |= u32::from(byte >> (self.bit % 8) & 1) << i;
            self.bit += 1;
        }
        Ok(v)
    }

    fn bits_msb(&mut self, n: u32) -> Result<u32, String> {
        let mut v = 0;
        for _ in 0..n {
            v = v << 1 | self.bits(1)?;
        }
        Ok(v)
    }

    /// RFC 1951 §3.2.6's fixed literal/length code.
    fn fixed_symbol(&mut self) -> Result<u32, String> {
        let c = self.bits_msb(7)?;
        if c <= 0b001_0111 {
            return Ok(256 + c);
        }
        let c = c << 1 | self.bits(1)?;
        if (0x30..=0xBF).contains(&c) {
            return Ok(c - 0x30);
        }
        if (0xC0..=0xC7).contains(&c) {
            return Ok(280 + c - 0xC0);
        }
        let c = c << 1 | self.bits(1)?;
        if (0x190..=0x1FF).contains(&c) {
            return Ok(144 + c - 0x190);
        }
        Err(format!("bad fixed code {c:#b}"))
    }
}

fn length(sym: u32, r: &mut BitReader) -> Result<usize, String> {
    const BASE: [u16; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const EXTRA: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    let i = (sym - 257) as usize;
    if i >= 29 {
        return Err(format!("length symbol {sym}"));
    }
    Ok(usize::from(BASE[i]) + r.bits(EXTRA[i])? as usize)
}

fn distance(code: u32, r: &mut BitReader) -> Result<usize, String> {
    if code >= 30 {
        return Err(format!("distance code {code}"));
    }
    if code < 4 {
        return Ok(code as usize + 1);
    }
    let extra = code / 2 - 1;
    let base = ((2 + (code & 1)) << extra) + 1;
    Ok((base + r.bits(extra)?) as usize)
}

// ---------------------------------------------------------------------------
// Data.

pub use wsframe_testkit::text::{Rng, chat_json, prose};

/// `len` bytes repeating a random pattern of `period` bytes.
pub fn periodic(seed: u64, period: usize, len: usize) -> Vec<u8> {
    let pattern = Rng(seed | 1).bytes(period);
    pattern.iter().copied().cycle().take(len).collect()
}

/// The corpus most tests run over: (name, bytes).
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut v = vec![
        ("empty".into(), Vec::new()),
        ("one byte".into(), vec![b'x']),
        ("random 5000".into(), Rng(7).bytes(5000)),
        (
            "high bytes".into(),
            (0..3000u32).map(|i| 0x90 + (i * 7 % 0x70) as u8).collect(),
        ),
        ("zeros 70000".into(), vec![0; 70_000]),
        ("json 20000".into(), chat_json(3, 20_000)),
        ("prose 20000".into(), prose(5, 20_000)),
        ("json 300".into(), chat_json(11, 300)),
        ("mixed".into(), {
            let mut m = prose(9, 3000);
            m.extend(Rng(1).bytes(2000));
            m.extend(vec![b'a'; 1000]);
            m.extend(chat_json(2, 3000));
            m
        }),
    ];
    for p in [1, 2, 3, 4, 5, 7, 8, 31, 100, 255, 256, 257, 258, 259, 300] {
        v.push((format!("period {p}"), periodic(p as u64, p, 4000)));
    }
    v
}
