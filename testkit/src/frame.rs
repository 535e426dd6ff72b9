//! Raw frames written byte by byte (RFC 6455 §5.2), independent of the
//! library's encoder, so tests can build any frame, valid or not.

use wsframe::frame::{Opcode, Rsv};

/// The masking key of the RFC 6455 §5.7 examples, used by [`raw`].
pub const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// How a [`RawFrame`] writes its payload length (RFC 6455 §5.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LenForm {
    /// The shortest form: 7 bits up to 125, then 16, then 64 bits.
    #[default]
    Minimal,
    /// Always the 16-bit form (126), even when the length does not fit:
    /// then only its low 16 bits are written.
    Force16,
    /// Always the 64-bit form (127).
    Force64,
}

/// One frame's fields, any of them possibly invalid. Build with
/// [`RawFrame::new`] and the `with_*` methods, or set the fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFrame<'a> {
    /// The FIN bit.
    pub fin: bool,
    /// RSV1..RSV3 in the low three bits (higher bits ignored).
    pub rsv: u8,
    /// The opcode in the low four bits, reserved values included (higher
    /// bits ignored).
    pub opcode: u8,
    /// The masking key; the payload is masked with it when set.
    pub mask: Option<[u8; 4]>,
    /// How the length is written.
    pub len_form: LenForm,
    /// The payload, unmasked.
    pub payload: &'a [u8],
}

impl<'a> RawFrame<'a> {
    /// A final, unmasked frame with no RSV bits and the minimal length form.
    pub fn new(opcode: Opcode, payload: &'a [u8]) -> Self {
        Self::with_opcode_bits(opcode.as_u8(), payload)
    }

    /// As [`RawFrame::new`], with any opcode nibble (reserved ones too).
    pub fn with_opcode_bits(opcode: u8, payload: &'a [u8]) -> Self {
        Self {
            fin: true,
            rsv: 0,
            opcode,
            mask: None,
            len_form: LenForm::Minimal,
            payload,
        }
    }

    /// Set FIN.
    #[must_use]
    pub fn with_fin(mut self, fin: bool) -> Self {
        self.fin = fin;
        self
    }

    /// Set the RSV bits.
    #[must_use]
    pub fn with_rsv(mut self, rsv: Rsv) -> Self {
        self.rsv = rsv.bits();
        self
    }

    /// Mask the payload with `key`, or not.
    #[must_use]
    pub fn with_mask(mut self, key: Option<[u8; 4]>) -> Self {
        self.mask = key;
        self
    }

    /// Write the length in the given form.
    #[must_use]
    pub fn with_len_form(mut self, form: LenForm) -> Self {
        self.len_form = form;
        self
    }

    /// Append the frame's bytes to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push((u8::from(self.fin) << 7) | ((self.rsv & 7) << 4) | (self.opcode & 0x0F));
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        let len = self.payload.len() as u64;
        let form = match (self.len_form, len) {
            (LenForm::Minimal, 0..=125) => None,
            (LenForm::Minimal, 126..=0xFFFF) | (LenForm::Force16, _) => Some(126),
            (LenForm::Minimal, _) | (LenForm::Force64, _) => Some(127),
        };
        match form {
            None => out.push(mask_bit | len as u8),
            Some(126) => {
                out.push(mask_bit | 126);
                out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            Some(_) => {
                out.push(mask_bit | 127);
                out.extend_from_slice(&len.to_be_bytes());
            }
        }
        match self.mask {
            Some(key) => {
                out.extend_from_slice(&key);
                out.extend(
                    self.payload
                        .iter()
                        .zip(key.iter().cycle())
                        .map(|(b, k)| b ^ k),
                );
            }
            None => out.extend_from_slice(self.payload),
        }
    }

    /// The frame's bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(14 + self.payload.len());
        self.encode_into(&mut out);
        out
    }
}

/// A raw frame, masked with [`KEY`] when `masked`.
pub fn raw(opcode: Opcode, fin: bool, payload: &[u8], masked: bool) -> Vec<u8> {
    raw_rsv(opcode, fin, Rsv::NONE, payload, masked)
}

/// A raw frame with RSV bits, masked with [`KEY`] when `masked`.
pub fn raw_rsv(opcode: Opcode, fin: bool, rsv: Rsv, payload: &[u8], masked: bool) -> Vec<u8> {
    RawFrame::new(opcode, payload)
        .with_fin(fin)
        .with_rsv(rsv)
        .with_mask(masked.then_some(KEY))
        .to_vec()
}

/// A frame as a client sends it (masked with [`KEY`]).
pub fn from_client(opcode: Opcode, fin: bool, payload: &[u8]) -> Vec<u8> {
    raw(opcode, fin, payload, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wsframe::frame::Header;

    /// RFC 6455 §5.7: a single-frame masked text message "Hello".
    #[test]
    fn rfc_masked_hello() {
        assert_eq!(
            from_client(Opcode::Text, true, b"Hello"),
            [
                0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
            ]
        );
    }

    /// RFC 6455 §5.7: an unmasked fragmented "Hel" + "lo".
    #[test]
    fn rfc_fragments() {
        assert_eq!(
            raw(Opcode::Text, false, b"Hel", false),
            [0x01, 0x03, 0x48, 0x65, 0x6c]
        );
        assert_eq!(
            raw(Opcode::Continuation, true, b"lo", false),
            [0x80, 0x02, 0x6c, 0x6f]
        );
    }

    /// The same bytes as the library's encoder for every frame it accepts
    /// (the builder the tests used before), at each length-form boundary.
    #[test]
    fn matches_header_encode() {
        let payload = vec![0xA5u8; 70_000];
        for len in [0, 1, 125, 126, 127, 0xFFFF, 0x1_0000, 70_000] {
            for (opcode, fin) in [(Opcode::Binary, true), (Opcode::Continuation, false)] {
                for mask in [None, Some(KEY)] {
                    let p = &payload[..len];
                    let mut want = vec![0u8; 14];
                    let h = Header::new(opcode, len as u64)
                        .with_fin(fin)
                        .with_mask(mask);
                    let n = h.encode(&mut want).unwrap();
                    want.truncate(n);
                    let start = want.len();
                    want.extend_from_slice(p);
                    if let Some(k) = mask {
                        wsframe::mask::apply(k, 0, &mut want[start..]);
                    }
                    let got = RawFrame::new(opcode, p)
                        .with_fin(fin)
                        .with_mask(mask)
                        .to_vec();
                    assert_eq!(got, want, "len {len} {opcode:?} mask {mask:?}");
                }
            }
        }
    }

    #[test]
    fn forced_forms() {
        let f = RawFrame::new(Opcode::Ping, b"ab");
        assert_eq!(
            f.with_len_form(LenForm::Force16).to_vec(),
            [0x89, 126, 0, 2, b'a', b'b']
        );
        assert_eq!(
            f.with_len_form(LenForm::Force64).to_vec(),
            [0x89, 127, 0, 0, 0, 0, 0, 0, 0, 2, b'a', b'b']
        );
        let r = RawFrame::with_opcode_bits(0x0B, b"").with_rsv(Rsv::from_bits(5));
        assert_eq!(r.to_vec(), [0xDB, 0]);
    }
}
