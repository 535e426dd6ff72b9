//! The fixed Huffman codes (RFC 1951 §3.2.6) and the length and distance
//! alphabets (§3.2.5), as bit strings ready for an LSB-first bit buffer.
//!
//! Huffman codes are sent most significant bit first (§3.2.2) while
//! everything else is sent least significant bit first (§3.1.1), so the
//! tables hold every code bit-reversed. Each entry is 16 bits: the bits to
//! send in the low 13, and their count less 7 in the top 3 (every literal
//! is 8 or 9 bits, every length with its extra bits 7 to 13), so the two
//! tables take 1 KiB of flash.

/// The fixed code of literal/length symbol `sym` (0..=287), bit-reversed,
/// and its length in bits.
const fn fixed_code(sym: u16) -> (u32, u32) {
    let (code, len) = if sym <= 143 {
        (0x30 + sym, 8)
    } else if sym <= 255 {
        (0x190 + (sym - 144), 9)
    } else if sym <= 279 {
        (sym - 256, 7)
    } else {
        (0xC0 + (sym - 280), 8)
    };
    ((code.reverse_bits() >> (16 - len)) as u32, len)
}

/// The length symbol (257..=285), its extra bits' value and their count
/// for a match of `len_minus_3 + 3` bytes (§3.2.5).
const fn length_symbol(len_minus_3: u32) -> (u16, u32, u32) {
    if len_minus_3 < 8 {
        (257 + len_minus_3 as u16, 0, 0)
    } else if len_minus_3 >= 255 {
        (285, 0, 0)
    } else {
        // 8..=254: four symbols per power of two, `log - 2` extra bits.
        let log = 31 - len_minus_3.leading_zeros();
        let extra = log - 2;
        let sym = 257 + 4 * (log - 1) + ((len_minus_3 >> extra) & 3);
        (sym as u16, len_minus_3 & ((1 << extra) - 1), extra)
    }
}

/// The bits and bit count of a table entry.
#[inline(always)]
pub(super) fn unpack(entry: u16) -> (u64, u32) {
    (u64::from(entry & 0x1FFF), u32::from(entry >> 13) + 7)
}

/// Pack `len` bits (7..=14) of `code` into an entry.
const fn pack(code: u32, len: u32) -> u16 {
    (code as u16 & 0x1FFF) | ((len - 7) as u16) << 13
}

/// Literal `b`: its fixed code, bit-reversed (see [`unpack`]).
#[allow(clippy::indexing_slicing)] // Evaluated at compile time: no runtime panic path.
pub(super) const LITERAL: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        let (code, len) = fixed_code(b as u16);
        table[b] = pack(code, len);
        b += 1;
    }
    table
};

/// A match of `i + 3` bytes: its length symbol's fixed code followed by
/// the extra bits, 7 to 13 bits (see [`unpack`]).
#[allow(clippy::indexing_slicing)] // Evaluated at compile time: no runtime panic path.
pub(super) const LENGTH: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let (sym, extra, extra_len) = length_symbol(i as u32);
        let (code, len) = fixed_code(sym);
        table[i] = pack(code | extra << len, len + extra_len);
        i += 1;
    }
    table
};

/// Distance code `c` (0..=29) as its fixed 5-bit code, bit-reversed
/// (§3.2.6: distance codes are sent as plain 5-bit numbers, MSB first).
#[allow(clippy::indexing_slicing)] // Evaluated at compile time: no runtime panic path.
const DISTANCE_CODE: [u8; 32] = {
    let mut table = [0u8; 32];
    let mut c = 0;
    while c < 32 {
        table[c] = (c as u8).reverse_bits() >> 3;
        c += 1;
    }
    table
};

/// The end-of-block symbol (256): seven zero bits.
pub(super) const END_OF_BLOCK_BITS: u32 = 7;

/// The bits of distance `dist` (1..=32768): the 5-bit code then its extra
/// bits, and their count (at most 18).
#[inline(always)]
pub(super) fn distance(dist: usize) -> (u64, u32) {
    // Masked to 15 bits: the callers' distances are at most 32768, and the
    // mask keeps the code below 30 for any input.
    let x = (dist.wrapping_sub(1) & 0x7FFF) as u32;
    if x < 4 {
        let code = DISTANCE_CODE.get(x as usize).copied().unwrap_or(0);
        return (u64::from(code), 5);
    }
    // Two codes per power of two, `log - 1` extra bits.
    let log = 31 - x.leading_zeros();
    let extra_len = log - 1;
    let c = 2 * log + ((x >> extra_len) & 1);
    let code = DISTANCE_CODE.get((c & 31) as usize).copied().unwrap_or(0);
    let extra = x & ((1 << extra_len) - 1);
    (u64::from(code) | u64::from(extra) << 5, 5 + extra_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1951 §3.2.5's length table: (first symbol, extra bits, first length).
    const LENGTHS: [(u16, u32, u32); 29] = [
        (257, 0, 3),
        (258, 0, 4),
        (259, 0, 5),
        (260, 0, 6),
        (261, 0, 7),
        (262, 0, 8),
        (263, 0, 9),
        (264, 0, 10),
        (265, 1, 11),
        (266, 1, 13),
        (267, 1, 15),
        (268, 1, 17),
        (269, 2, 19),
        (270, 2, 23),
        (271, 2, 27),
        (272, 2, 31),
        (273, 3, 35),
        (274, 3, 43),
        (275, 3, 51),
        (276, 3, 59),
        (277, 4, 67),
        (278, 4, 83),
        (279, 4, 99),
        (280, 4, 115),
        (281, 5, 131),
        (282, 5, 163),
        (283, 5, 195),
        (284, 5, 227),
        (285, 0, 258),
    ];

    /// §3.2.5's distance table: (extra bits, first distance) per code.
    const DISTANCES: [(u32, usize); 30] = [
        (0, 1),
        (0, 2),
        (0, 3),
        (0, 4),
        (1, 5),
        (1, 7),
        (2, 9),
        (2, 13),
        (3, 17),
        (3, 25),
        (4, 33),
        (4, 49),
        (5, 65),
        (5, 97),
        (6, 129),
        (6, 193),
        (7, 257),
        (7, 385),
        (8, 513),
        (8, 769),
        (9, 1025),
        (9, 1537),
        (10, 2049),
        (10, 3073),
        (11, 4097),
        (11, 6145),
        (12, 8193),
        (12, 12289),
        (13, 16385),
        (13, 24577),
    ];

    fn rev(code: u32, len: u32) -> u32 {
        code.reverse_bits() >> (32 - len)
    }

    #[test]
    fn literals_match_rfc_1951_3_2_6() {
        for b in 0..256u32 {
            let (code, len) = if b < 144 {
                (0x30 + b, 8)
            } else {
                (0x190 + b - 144, 9)
            };
            let want = (u64::from(rev(code, len)), len);
            assert_eq!(unpack(LITERAL[b as usize]), want, "literal {b}");
        }
    }

    #[test]
    fn lengths_match_rfc_1951_3_2_5() {
        for len in 3..=258u32 {
            let &(sym, extra_len, first) = LENGTHS.iter().rev().find(|l| l.2 <= len).unwrap();
            let (code, code_len) = if sym <= 279 {
                (u32::from(sym) - 256, 7)
            } else {
                (0xC0 + u32::from(sym) - 280, 8)
            };
            let want = rev(code, code_len) | (len - first) << code_len;
            let (bits, count) = unpack(LENGTH[(len - 3) as usize]);
            assert_eq!(bits, u64::from(want), "length {len}");
            assert_eq!(count, code_len + extra_len, "length {len} bit count");
        }
    }

    #[test]
    fn distances_match_rfc_1951_3_2_5() {
        for dist in 1..=32768usize {
            let code = DISTANCES
                .iter()
                .rposition(|&(_, first)| first <= dist)
                .unwrap();
            let (extra_len, first) = DISTANCES[code];
            let want = u64::from(rev(code as u32, 5)) | ((dist - first) as u64) << 5;
            assert_eq!(distance(dist), (want, 5 + extra_len), "distance {dist}");
        }
    }
}
