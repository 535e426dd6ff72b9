//! The Z1/Z2 inputs (see `benches/README.md`): chat-like JSON and
//! English-like prose, generated deterministically by the generators the
//! compressor's unit tests use (`wsframe_testkit::text`), so the ratios
//! here and in its `TABLE_LEN` table are over the same bytes.

pub use wsframe_testkit::text::{chat_json, prose};

/// Exactly `len` bytes of valid JSON: the records of [`chat_json`] that
/// fit, then spaces and the closing `]`.
pub fn chat_json_exact(seed: u64, len: usize) -> String {
    let full = chat_json(seed, len);
    // The end of the last record that leaves room for the `]`.
    let end = full[..len - 1]
        .iter()
        .rposition(|&b| b == b'}')
        .expect("a record fits")
        + 1;
    let mut s = String::from_utf8(full[..end].to_vec()).expect("ASCII");
    while s.len() < len - 1 {
        s.push(' ');
    }
    s.push(']');
    assert_eq!(s.len(), len);
    s
}
