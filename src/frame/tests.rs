use super::*;

fn decode_all(bytes: &[u8]) -> (Header, usize) {
    match Header::decode(bytes).unwrap() {
        Status::Complete(v) => v,
        Status::Partial { needed } => panic!("partial, needed {needed}"),
    }
}

#[test]
fn rfc_unmasked_hello() {
    let bytes = [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
    let (h, n) = decode_all(&bytes);
    assert_eq!(n, 2);
    assert_eq!(h, Header::new(Opcode::Text, 5));
    let mut out = [0u8; 14];
    assert_eq!(h.encode(&mut out), Ok(2));
    assert_eq!(&out[..2], &bytes[..2]);
}
