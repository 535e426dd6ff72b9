//! Extension memory the sides carry: `()` for none, or (feature
//! `deflate`) the permessage-deflate state. The traits are sealed; their
//! methods are the core's hooks, compiled away for `()`.

#[cfg(feature = "deflate")]
use crate::deflate::{Deflater, Inflater, Params, Progress};

#[cfg(feature = "deflate")]
use super::Role;

mod sealed {
    pub trait Sealed {}
}

/// What one decompression step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Input bytes consumed.
    pub read: usize,
    /// Where the output starts in the window.
    pub at: usize,
    /// Output bytes, contiguous in the window from `at`.
    pub written: usize,
    /// All the input given was consumed and every byte it encodes written.
    pub wants_input: bool,
    /// The stream ended (a block with BFINAL set): the next message starts
    /// a new one.
    pub ended: bool,
}

/// Undecodable compressed data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Corrupt;

/// The receiving side's extension memory: `()` for none, or with the
/// `deflate` feature an [`Inflater`](crate::deflate::Inflater) (see
/// [`Connection::with_deflate`](super::Connection::with_deflate)).
pub trait RecvExtension: sealed::Sealed {
    /// There is extension memory at all (`false` for `()`: every hook
    /// compiles away, and so do the checks around them).
    #[doc(hidden)]
    const PRESENT: bool;
    /// Start a connection with what the handshake agreed; whether
    /// compressed messages are accepted.
    #[doc(hidden)]
    #[cfg(feature = "deflate")]
    fn start(&mut self, agreed: Option<Params>, role: Role) -> bool;
    /// Compressed messages are accepted.
    #[doc(hidden)]
    fn is_active(&self) -> bool;
    /// The inflate window's bits, if there is an inflater.
    #[doc(hidden)]
    #[cfg(feature = "deflate")]
    fn window_bits(&self) -> Option<u8>;
    /// A compressed message begins.
    #[doc(hidden)]
    fn start_message(&mut self);
    /// Inflate from `input`, at most `max` bytes out.
    #[doc(hidden)]
    fn step(&mut self, input: &[u8], max: usize) -> Result<Step, Corrupt>;
    /// A step's output.
    #[doc(hidden)]
    fn output(&self, at: usize, len: usize) -> &[u8];
}

impl sealed::Sealed for () {}

impl RecvExtension for () {
    const PRESENT: bool = false;
    #[cfg(feature = "deflate")]
    #[inline(always)]
    fn start(&mut self, _: Option<Params>, _: Role) -> bool {
        false
    }
    #[inline(always)]
    fn is_active(&self) -> bool {
        false
    }
    #[cfg(feature = "deflate")]
    fn window_bits(&self) -> Option<u8> {
        None
    }
    #[inline(always)]
    fn start_message(&mut self) {}
    #[inline(always)]
    fn step(&mut self, _: &[u8], _: usize) -> Result<Step, Corrupt> {
        Err(Corrupt)
    }
    #[inline(always)]
    fn output(&self, _: usize, _: usize) -> &[u8] {
        &[]
    }
}

#[cfg(feature = "deflate")]
impl<W> sealed::Sealed for Inflater<W> {}

#[cfg(feature = "deflate")]
impl<W: AsRef<[u8]> + AsMut<[u8]>> RecvExtension for Inflater<W> {
    const PRESENT: bool = true;
    fn start(&mut self, agreed: Option<Params>, role: Role) -> bool {
        Inflater::start(self, agreed, role)
    }
    #[inline]
    fn is_active(&self) -> bool {
        Inflater::is_active(self)
    }
    fn window_bits(&self) -> Option<u8> {
        Some(Inflater::window_bits(self))
    }
    fn start_message(&mut self) {
        Inflater::start_message(self);
    }
    fn step(&mut self, input: &[u8], max: usize) -> Result<Step, Corrupt> {
        Inflater::step(self, input, max)
    }
    fn output(&self, at: usize, len: usize) -> &[u8] {
        Inflater::output(self, at, len)
    }
}

/// The sending side's extension memory: `()` for none, or with the
/// `deflate` feature a [`Deflater`](crate::deflate::Deflater).
pub trait SendExtension: sealed::Sealed {
    /// Start a connection with what the handshake agreed.
    #[doc(hidden)]
    #[cfg(feature = "deflate")]
    fn start(&mut self, agreed: Option<Params>, role: Role);
    /// Messages may be sent compressed.
    #[doc(hidden)]
    fn is_active(&self) -> bool;
    /// The compressor's window bits, if there is a compressor.
    #[doc(hidden)]
    #[cfg(feature = "deflate")]
    fn window_bits(&self) -> Option<u8>;
    /// Messages shorter than this go uncompressed.
    #[doc(hidden)]
    #[cfg(feature = "deflate")]
    fn threshold(&self) -> usize;
    /// A compressed message begins.
    #[doc(hidden)]
    #[cfg(feature = "deflate")]
    fn start_message(&mut self);
    /// The next piece of a streamed message begins.
    #[doc(hidden)]
    #[cfg(feature = "deflate")]
    fn start_piece(&mut self);
    /// Compress more of `piece` into `out`.
    #[doc(hidden)]
    #[cfg(feature = "deflate")]
    fn compress(&mut self, piece: &[u8], last: bool, out: &mut [u8]) -> Progress;
}

impl SendExtension for () {
    #[cfg(feature = "deflate")]
    #[inline(always)]
    fn start(&mut self, _: Option<Params>, _: Role) {}
    #[inline(always)]
    fn is_active(&self) -> bool {
        false
    }
    #[cfg(feature = "deflate")]
    fn window_bits(&self) -> Option<u8> {
        None
    }
    #[cfg(feature = "deflate")]
    fn threshold(&self) -> usize {
        usize::MAX
    }
    #[cfg(feature = "deflate")]
    fn start_message(&mut self) {}
    #[cfg(feature = "deflate")]
    fn start_piece(&mut self) {}
    #[cfg(feature = "deflate")]
    fn compress(&mut self, _: &[u8], _: bool, _: &mut [u8]) -> Progress {
        Progress {
            read: 0,
            written: 0,
            done: true,
        }
    }
}

#[cfg(feature = "deflate")]
impl<T> sealed::Sealed for Deflater<T> {}

#[cfg(feature = "deflate")]
impl<T: AsMut<[u16]>> SendExtension for Deflater<T> {
    fn start(&mut self, agreed: Option<Params>, role: Role) {
        Deflater::start(self, agreed, role);
    }
    #[inline]
    fn is_active(&self) -> bool {
        Deflater::is_active(self)
    }
    fn window_bits(&self) -> Option<u8> {
        Some(Deflater::window_bits(self))
    }
    #[inline]
    fn threshold(&self) -> usize {
        Deflater::threshold(self)
    }
    fn start_message(&mut self) {
        Deflater::start_message(self);
    }
    fn start_piece(&mut self) {
        Deflater::start_piece(self);
    }
    fn compress(&mut self, piece: &[u8], last: bool, out: &mut [u8]) -> Progress {
        Deflater::compress(self, piece, last, out)
    }
}

/// Extension memory the caller keeps elsewhere (a `static`, a field) and
/// lends to the connection: `&mut Inflater`, `&mut Deflater`.
impl<T: sealed::Sealed + ?Sized> sealed::Sealed for &mut T {}

impl<T: RecvExtension> RecvExtension for &mut T {
    const PRESENT: bool = T::PRESENT;
    #[cfg(feature = "deflate")]
    fn start(&mut self, agreed: Option<Params>, role: Role) -> bool {
        (**self).start(agreed, role)
    }
    #[inline]
    fn is_active(&self) -> bool {
        (**self).is_active()
    }
    #[cfg(feature = "deflate")]
    fn window_bits(&self) -> Option<u8> {
        (**self).window_bits()
    }
    fn start_message(&mut self) {
        (**self).start_message();
    }
    fn step(&mut self, input: &[u8], max: usize) -> Result<Step, Corrupt> {
        (**self).step(input, max)
    }
    fn output(&self, at: usize, len: usize) -> &[u8] {
        (**self).output(at, len)
    }
}

impl<T: SendExtension> SendExtension for &mut T {
    #[cfg(feature = "deflate")]
    fn start(&mut self, agreed: Option<Params>, role: Role) {
        (**self).start(agreed, role);
    }
    #[inline]
    fn is_active(&self) -> bool {
        (**self).is_active()
    }
    #[cfg(feature = "deflate")]
    fn window_bits(&self) -> Option<u8> {
        (**self).window_bits()
    }
    #[cfg(feature = "deflate")]
    fn threshold(&self) -> usize {
        (**self).threshold()
    }
    #[cfg(feature = "deflate")]
    fn start_message(&mut self) {
        (**self).start_message();
    }
    #[cfg(feature = "deflate")]
    fn start_piece(&mut self) {
        (**self).start_piece();
    }
    #[cfg(feature = "deflate")]
    fn compress(&mut self, piece: &[u8], last: bool, out: &mut [u8]) -> Progress {
        (**self).compress(piece, last, out)
    }
}
