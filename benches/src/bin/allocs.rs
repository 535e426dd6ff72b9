//! Heap allocations per operation on W1 (per frame decoded), W3 (per frame
//! encoded) and W6 (per round trip), for wsframe and each peer, counted by a
//! global allocator after one warm-up pass (so buffers that grow once are
//! not counted). Prints a Markdown table.
//!
//! Run: `cargo run --release -p wsframe-bench --bin allocs`
#![allow(unsafe_code)] // a global allocator is an unsafe trait; this file only counts calls

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use wsframe_bench::*;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations per operation of `f`, which performs `ops` operations; `f`
/// runs once untimed first.
fn per_op(ops: usize, mut f: impl FnMut()) -> f64 {
    f();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    f();
    let n = ALLOCATIONS.load(Ordering::Relaxed) - before;
    n as f64 / ops as f64
}

fn w1() -> Vec<(&'static str, f64)> {
    let stream = w1_stream();
    let s = &stream[..];
    let n = FRAMES;
    let mut out = Vec::new();
    let mut conn = ours::server(8192);
    let mut feed = Feed::new(s);
    out.push((
        "wsframe",
        per_op(n, || assert_eq!(ours::read(&mut conn, &mut feed, n).0, n)),
    ));
    let mut ws = tungstenite_impl::server(Feed::new(s));
    out.push((
        "tungstenite",
        per_op(n, || assert_eq!(tungstenite_impl::read(&mut ws, n).0, n)),
    ));
    let mut ws = fastwebsockets_impl::server(Feed::new(s));
    out.push((
        "fastwebsockets",
        per_op(n, || assert_eq!(fastwebsockets_impl::read(&mut ws, n).0, n)),
    ));
    let mut ws = embedded_websocket_impl::server();
    let mut to = vec![0u8; 64];
    out.push((
        "embedded-websocket",
        per_op(n, || {
            assert_eq!(embedded_websocket_impl::read(&mut ws, s, &mut to).0, n)
        }),
    ));
    let mut feed = Feed::new(s);
    let mut buf = vec![0u8; 64];
    out.push((
        "edge-ws",
        per_op(n, || {
            assert_eq!(edge_ws_impl::read(&mut feed, &mut buf, n).0, n)
        }),
    ));
    let mut dec = websocket_sans_io::WebsocketFrameDecoder::new();
    let mut feed = Feed::new(s);
    let mut chunk = vec![0u8; 8192];
    out.push((
        "websocket-sans-io",
        per_op(n, || {
            assert_eq!(sans_io_impl::read(&mut dec, &mut feed, &mut chunk, n).0, n)
        }),
    ));
    let mut ws = websocketz_impl::server(Feed::new(s), 8192);
    out.push((
        "websocketz",
        per_op(n, || assert_eq!(websocketz_impl::read(&mut ws, n).0, n)),
    ));
    out
}

fn w3() -> Vec<(&'static str, f64)> {
    let n = ENCODE_BATCH;
    let want = n * 22;
    let mut buf = vec![0u8; n * 32];
    let mut out = Vec::new();
    let mut conn = ours::client(8192);
    out.push((
        "wsframe",
        per_op(n, || assert_eq!(ours::encode(&mut conn, &mut buf), want)),
    ));
    let mut ws = tungstenite_impl::client(Sink::default());
    out.push((
        "tungstenite",
        per_op(n, || assert_eq!(tungstenite_impl::encode(&mut ws), want)),
    ));
    let (c, mut peer) = Duplex::pair();
    let mut ws = fastwebsockets_impl::client(c);
    out.push((
        "fastwebsockets",
        per_op(n, || {
            assert_eq!(fastwebsockets_impl::encode(&mut ws, &mut peer), want)
        }),
    ));
    let mut ws = embedded_websocket_impl::client();
    out.push((
        "embedded-websocket",
        per_op(n, || {
            assert_eq!(embedded_websocket_impl::encode(&mut ws, &mut buf), want)
        }),
    ));
    let mut sink = Sink::default();
    let mut keys = Keys::default();
    out.push((
        "edge-ws",
        per_op(n, || {
            assert_eq!(edge_ws_impl::encode(&mut sink, &mut keys), want)
        }),
    ));
    let mut enc = websocket_sans_io::WebsocketFrameEncoder::new();
    let mut keys = Keys::default();
    out.push((
        "websocket-sans-io",
        per_op(n, || {
            assert_eq!(sans_io_impl::encode(&mut enc, &mut keys, &mut buf), want)
        }),
    ));
    let (c, mut peer) = Duplex::pair();
    let mut ws = websocketz_impl::client(c, 8192);
    out.push((
        "websocketz",
        per_op(n, || {
            assert_eq!(websocketz_impl::encode(&mut ws, &mut peer), want)
        }),
    ));
    out
}

fn w6(msg: Msg<'_>) -> Vec<(&'static str, f64)> {
    const ROUNDS: usize = 100;
    let mut out = Vec::new();
    macro_rules! entry {
        ($label:literal, $t:ty) => {{
            let mut e = <$t>::default();
            out.push((
                $label,
                per_op(ROUNDS, || {
                    for _ in 0..ROUNDS {
                        assert_eq!(e.round_trip(msg), msg.len());
                    }
                }),
            ));
        }};
    }
    entry!("wsframe", ours::Echo);
    entry!("tungstenite", tungstenite_impl::Echo);
    entry!("fastwebsockets", fastwebsockets_impl::Echo);
    entry!("embedded-websocket", embedded_websocket_impl::Echo);
    entry!("edge-ws", edge_ws_impl::Echo);
    entry!("websocket-sans-io", sans_io_impl::Echo);
    entry!("websocketz", websocketz_impl::Echo);
    out
}

fn main() {
    let large = large_payload();
    let columns = [
        ("W1 per frame", w1()),
        ("W3 per frame", w3()),
        ("W6-16B per round trip", w6(Msg::Text(TEXTS[1]))),
        ("W6-64KiB per round trip", w6(Msg::Binary(&large))),
    ];
    print!("| implementation |");
    for (name, _) in &columns {
        print!(" {name} |");
    }
    println!();
    println!("|---|{}", "---:|".repeat(columns.len()));
    for (i, (label, _)) in columns[0].1.iter().enumerate() {
        print!("| {label} |");
        for (_, col) in &columns {
            print!(" {} |", fmt(col[i].1));
        }
        println!();
    }
    // Ours must be allocation-free.
    for (name, col) in &columns {
        assert_eq!(col[0], ("wsframe", 0.0), "{name}");
    }
}

fn fmt(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}
