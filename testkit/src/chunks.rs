//! Stream-mode chunks put back together (`RecvMode::Stream`; RFC 6455 §5.4
//! fragments arrive as pieces of one message).
//!
//! Both functions check, for every chunk, that a message keeps one kind and
//! that each chunk starts where the previous one of its message ended. A
//! Close or an error cuts the open message off.

use crate::Owned;

/// The message being delivered: its kind and how many bytes so far.
#[derive(Default)]
struct Tracker {
    open: Option<(bool, u64)>,
}

impl Tracker {
    fn chunk(&mut self, text: bool, data: &[u8], offset: u64, last: bool) {
        let (kind, seen) = self.open.get_or_insert((text, 0));
        assert_eq!(*kind, text, "chunk kind changed within a message");
        assert_eq!(offset, *seen, "chunk offsets not contiguous");
        *seen += data.len() as u64;
        if last {
            self.open = None;
        }
    }

    /// Whether `event` cuts the open message off (no chunk follows it).
    fn cuts(&mut self, event: &Owned) -> bool {
        let cut = matches!(event, Owned::Close(_) | Owned::Error(_));
        if cut {
            self.open = None;
        }
        cut
    }
}

/// Merge runs of consecutive chunks of one message into one chunk (the
/// offset of the run's first), leaving every other event in place: the
/// result of two input splits compares equal exactly when the same bytes
/// were delivered with control events at the same places.
///
/// # Panics
/// When the chunks break the checks above.
pub fn merge_chunks(events: &[Owned]) -> Vec<Owned> {
    let mut out: Vec<Owned> = Vec::new();
    let mut tracker = Tracker::default();
    for e in events {
        match e {
            Owned::Chunk {
                text,
                data,
                offset,
                last,
            } => {
                tracker.chunk(*text, data, *offset, *last);
                if let Some(Owned::Chunk {
                    data: run,
                    last: run_last @ false,
                    ..
                }) = out.last_mut()
                {
                    run.extend_from_slice(data);
                    *run_last = *last;
                    continue;
                }
            }
            other => {
                tracker.cuts(other);
            }
        }
        out.push(e.clone());
    }
    out
}

/// Whole messages: each streamed message becomes one `Text` or `Binary`
/// where its last chunk was, so control events that came in its middle
/// come before it. A message cut off (by a Close, an error or the end of
/// `events`) stays one chunk `{ offset: 0, last: false }`, just before
/// what cut it. Other events are kept as they are.
///
/// # Panics
/// When the chunks break the checks above, or a whole text message is not
/// UTF-8.
pub fn reassemble(events: &[Owned]) -> Vec<Owned> {
    let unfinished = |(text, data): (bool, Vec<u8>)| Owned::Chunk {
        text,
        data,
        offset: 0,
        last: false,
    };
    let mut out = Vec::new();
    let mut tracker = Tracker::default();
    let mut open: Option<(bool, Vec<u8>)> = None;
    for e in events {
        match e {
            Owned::Chunk {
                text,
                data,
                offset,
                last,
            } => {
                tracker.chunk(*text, data, *offset, *last);
                let (_, buf) = open.get_or_insert_with(|| (*text, Vec::new()));
                buf.extend_from_slice(data);
                if *last {
                    let (text, buf) = open.take().unwrap_or_default();
                    out.push(if text {
                        Owned::Text(String::from_utf8(buf).expect("streamed text is UTF-8"))
                    } else {
                        Owned::Binary(buf)
                    });
                }
            }
            other => {
                if tracker.cuts(other) {
                    out.extend(open.take().map(unfinished));
                }
                out.push(other.clone());
            }
        }
    }
    out.extend(open.take().map(unfinished));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(text: bool, data: &[u8], offset: u64, last: bool) -> Owned {
        Owned::Chunk {
            text,
            data: data.to_vec(),
            offset,
            last,
        }
    }

    #[test]
    fn merge_keeps_controls_in_place() {
        let events = [
            chunk(false, b"ab", 0, false),
            chunk(false, b"c", 2, false),
            Owned::Ping(b"p".to_vec()),
            chunk(false, b"d", 3, true),
            chunk(true, b"x", 0, true),
        ];
        assert_eq!(
            merge_chunks(&events),
            [
                chunk(false, b"abc", 0, false),
                Owned::Ping(b"p".to_vec()),
                chunk(false, b"d", 3, true),
                chunk(true, b"x", 0, true),
            ]
        );
    }

    #[test]
    fn reassemble_whole_and_cut_messages() {
        let events = [
            chunk(true, "κό".as_bytes(), 0, false),
            Owned::Ping(b"p".to_vec()),
            chunk(true, "σμε".as_bytes(), 4, true),
            Owned::Text("t".into()),
            chunk(false, b"part", 0, false),
            Owned::Close(Some((1000, String::new()))),
        ];
        assert_eq!(
            reassemble(&events),
            [
                Owned::Ping(b"p".to_vec()),
                Owned::Text("κόσμε".into()),
                Owned::Text("t".into()),
                chunk(false, b"part", 0, false),
                Owned::Close(Some((1000, String::new()))),
            ]
        );
        assert_eq!(
            reassemble(&[chunk(false, b"a", 0, false), chunk(false, b"b", 1, false)]),
            [chunk(false, b"ab", 0, false)]
        );
    }

    #[test]
    #[should_panic(expected = "not contiguous")]
    fn gap_is_caught() {
        merge_chunks(&[chunk(false, b"ab", 0, false), chunk(false, b"c", 3, true)]);
    }

    #[test]
    #[should_panic(expected = "kind changed")]
    fn kind_change_is_caught() {
        reassemble(&[chunk(false, b"ab", 0, false), chunk(true, b"c", 2, true)]);
    }
}
