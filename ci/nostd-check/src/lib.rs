//! A host-target `#![no_std]` staticlib that links `wsframe`: proof that the
//! crate and its dependencies need neither `std` nor `alloc`. Each exported
//! function calls one wire entry point so it is linked in, not stripped.
#![no_std]

use core::panic::PanicInfo;

use wsframe::frame::Header;
use wsframe::utf8::Validator;
use wsframe::{Status, close, mask};

/// Our own panic handler: a second one (from `std`) would not link.
#[panic_handler]
fn panic(_info: &PanicInfo<'_>) -> ! {
    loop {}
}

/// Decode a frame header from the first `len` bytes of `buf`: the header
/// length, 0 when more bytes are needed, -1 on a protocol error.
#[unsafe(no_mangle)]
pub extern "C" fn wsframe_check_decode_header(buf: &[u8; 14], len: usize) -> i32 {
    let bytes = buf.get(..len).unwrap_or(buf);
    match Header::decode(bytes) {
        Ok(Status::Complete((_, n))) => i32::try_from(n).unwrap_or(-1),
        Ok(Status::Partial { .. }) => 0,
        Err(_) => -1,
    }
}

/// Mask `data` in place with `key`, as byte `offset` of a payload.
#[unsafe(no_mangle)]
pub extern "C" fn wsframe_check_mask(key: u32, offset: usize, data: &mut [u8; 64]) {
    mask::apply(key.to_be_bytes(), offset, data);
}

/// Whether the first `len` bytes of `buf` are complete UTF-8, fed in two pieces.
#[unsafe(no_mangle)]
pub extern "C" fn wsframe_check_utf8(buf: &[u8; 125], len: usize) -> bool {
    let bytes = buf.get(..len).unwrap_or(buf);
    let (a, b) = bytes.split_at(bytes.len() / 2);
    let mut v = Validator::new();
    v.feed(a).is_ok() && v.feed(b).is_ok() && v.finish().is_ok()
}

/// The close code in the first `len` bytes of `buf` taken as a Close payload:
/// 1005 for an empty payload, 0 for a malformed one.
#[unsafe(no_mangle)]
pub extern "C" fn wsframe_check_parse_close(buf: &[u8; 125], len: usize) -> u16 {
    let bytes = buf.get(..len).unwrap_or(buf);
    match close::parse_payload(bytes) {
        Ok(Some(frame)) => frame.code.as_u16(),
        Ok(None) => 1005,
        Err(_) => 0,
    }
}
