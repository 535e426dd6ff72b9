//! Test support for `wsframe`, shared by the integration tests
//! (`tests/common`), the fuzz targets (`fuzz/`) and the benchmarks
//! (`benches/`). Not published; `std` is allowed.
//!
//! Each helper here used to exist in two or three copies that had drifted
//! apart. What was unified, and how the differences were kept:
//!
//! - [`Owned`] / [`own`]: an owned copy of a [`wsframe::Event`]. The tests'
//!   copy had `Chunk { text: bool, .. }` and an extra `Error` variant (their
//!   `feed` ends a run with it); the fuzz copy had `Chunk { kind:
//!   MessageKind, .. }` and `Owned::of`. Kept: `text: bool` (the integration
//!   tests match on it), the `Error` variant, and both `own(&e)` and
//!   `Owned::of(&e)`; [`Owned::kind`] gives the `MessageKind` back.
//! - [`merge_chunks`] / [`reassemble`]: stream-mode chunks put back
//!   together, with the same checks in both (one kind per message, each
//!   offset where the previous chunk ended). The fuzz stream targets merge
//!   runs of chunks and keep where control frames fell inside a message
//!   ([`merge_chunks`]); the round-trip target and the tests want whole
//!   messages ([`reassemble`]).
//! - [`RawFrame`] (with [`raw`], [`raw_rsv`], [`from_client`]): raw frames with
//!   any opcode nibble, FIN, RSV bits, mask and length form. The tests
//!   built theirs with `wsframe::frame::Header::encode` and
//!   `wsframe::mask::apply`, i.e. with the code under test, which also
//!   refuses invalid headers; the fuzz copy wrote the bytes by hand and
//!   could force a non-minimal length form; the benches had a third,
//!   masked-only one. Kept: the hand-written encoder (independent of the
//!   library, and it can build the invalid frames a test needs). For every
//!   frame the old builders accepted it writes the same bytes.
//! - [`Masks`] and [`Xorshift32`]: deterministic mask sources, each kept
//!   once. The tests (`counter_masks`) and the fuzz targets (`Masks(seed)`)
//!   used the same LCG, the tests with little-endian keys; now both get
//!   big-endian keys (no test relied on the values) from [`Masks`], where
//!   any seed works (xorshift32 is stuck at a zero seed, which a fuzzed
//!   seed can be). The benches keep their xorshift32: W3 and W6 draw a key
//!   per frame inside the measured loop, and the LCG would have cut W3 from
//!   54 to 46 instructions per frame under callgrind, moving the recorded
//!   numbers and the ratios against peers that use their own RNG.
//! - [`text`]: chat-like JSON and prose for compression tests and the
//!   deflate benchmarks (the compressor's tests and the benches had a copy
//!   each).
//! - [`RingInflater`]: a receiver's inflater with a window of exactly
//!   2^bits bytes, for checking our compressor (the library's unit tests
//!   and the `deflate_compress` fuzz target had a copy each).
#![forbid(unsafe_code)]

mod chunks;
mod frame;
mod masks;
mod owned;
mod ring;
pub mod text;

pub use chunks::{merge_chunks, reassemble};
pub use frame::{KEY, LenForm, RawFrame, from_client, raw, raw_rsv};
pub use masks::{Masks, Xorshift32, counter_masks};
pub use owned::{Owned, own};
pub use ring::RingInflater;
