//! A client `Connection` fed a structured byte stream (frames built from
//! fields, raw bytes, close frames, text) in arbitrary pieces, with
//! arbitrary config knobs (receive mode, buffer size >= `MIN_BUFFER_LEN`,
//! message and frame caps, auto-pong, allowed RSV bits, a handshake head
//! consumed by `finish_handshake`).
//!
//! Invariants (see `wsframe_fuzz::drive` / `stream_target`):
//! - `handle_bytes` takes at most what it is given; `poll_event` runs dry
//!   and the driver never gets stuck with a full buffer, no event and no error;
//! - no event after an error or after the peer's Close; `error()` matches
//!   the error returned; a second error never appears;
//! - stream mode: chunk offsets count the bytes delivered, only a last
//!   chunk may be empty, text chunks stay a valid UTF-8 prefix;
//! - everything `poll_transmit` emits decodes as valid masked control
//!   frames; a Close carries a sendable code (the error's code after an
//!   error, the peer's code as an echo); pongs echo the latest ping; a
//!   frame never follows the Close;
//! - the given split and one-piece feeding give the same events (chunks
//!   merged), the same final error, the same Close and the same state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsframe::Role;
use wsframe_fuzz::{StreamInput, stream_target};

fuzz_target!(|input: StreamInput| {
    stream_target(Role::Client, &input);
});
