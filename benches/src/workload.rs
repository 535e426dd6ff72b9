//! The prepared inputs of W1 and W4 (see `benches/README.md`).

use crate::{FRAMES, Keys, LARGE, TEXTS};

/// A masked client frame: header, then `payload` masked with `key`.
pub fn masked_frame(out: &mut Vec<u8>, opcode: wsframe::Opcode, payload: &[u8], key: [u8; 4]) {
    wsframe_testkit::RawFrame::new(opcode, payload)
        .with_mask(Some(key))
        .encode_into(out);
}

/// The W1 input: [`FRAMES`] masked 16-byte text frames, each with its own key.
pub fn w1_stream() -> Vec<u8> {
    let mut keys = Keys::default();
    let mut buf = Vec::with_capacity(FRAMES * 22);
    for i in 0..FRAMES {
        let text = TEXTS[i % TEXTS.len()].as_bytes();
        assert_eq!(text.len(), 16);
        masked_frame(&mut buf, wsframe::Opcode::Text, text, keys.next_key());
    }
    buf
}

/// The W4 payload: 64 KiB of valid UTF-8 (mixed widths), used for both the
/// binary and the text frame.
pub fn large_payload() -> Vec<u8> {
    let mut s = String::with_capacity(LARGE);
    let mut i = 0;
    while s.len() < LARGE {
        let t = TEXTS[i % TEXTS.len()];
        if s.len() + t.len() <= LARGE {
            s.push_str(t);
        } else {
            s.push('.');
        }
        i += 1;
    }
    s.into_bytes()
}

/// The W4 input: one masked frame of [`large_payload`].
pub fn w4_stream(opcode: wsframe::Opcode) -> Vec<u8> {
    let mut buf = Vec::new();
    masked_frame(&mut buf, opcode, &large_payload(), wsframe_testkit::KEY);
    buf
}
