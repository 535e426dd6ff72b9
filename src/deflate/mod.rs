//! permessage-deflate (RFC 7692), with no heap.
//!
//! Behind the `deflate` feature. Three concerns, one file each:
//!
//! - `params`: the extension's parameters, the client's offer, the
//!   server's choice among offers and the client's check of the answer
//!   (RFC 7692 §5, §7.1);
//! - `inflate`: decompression of received messages into caller memory, a
//!   window of 2^bits bytes, with `miniz_oxide` (RFC 7692 §7.2.2);
//! - `compress`: the crate's own compressor, LZ77 over the message being
//!   sent with its hash table in caller memory, Huffman-coded
//!   (RFC 7692 §7.2.1, RFC 1951);
//! - `deflater`: the sending side's memory (the compressor, its table,
//!   the threshold) as the connection uses it.

mod compress;
mod deflater;
mod inflate;
mod params;

pub use compress::{Compressor, MAX_TABLE_LEN, Progress, TABLE_LEN, max_compressed_len};
pub use deflater::{DEFAULT_THRESHOLD, Deflater};
pub(crate) use inflate::TRAILER;
pub use inflate::{Inflater, MAX_WINDOW_LEN, MIN_WINDOW_LEN, WindowError};
pub use params::{Capability, Offer, ParamError, Params};
pub(crate) use params::{Element, NAME, Role, parse, put_answer};
