//! Zero heap: a counting global allocator over a whole session — opening
//! handshake, 1,000 messages each way (some fragmented), ping/pong and the
//! closing handshake — must see no allocation at all.
#![allow(unsafe_code)] // a global allocator is an unsafe trait; this file only counts calls

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use wsframe::handshake::{self, ClientRequest, Limits, Url};
use wsframe::{CloseCode, Config, Connection, Event, MessageKind, State, Status};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Only the test's own thread is counted: the test harness's threads
    // allocate whenever they like (a const initialiser, so reading this
    // never allocates).
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Move everything `from` has encoded (`wire`) into `to`, then drain `to`'s
/// events, checking each message against the expected `(kind, len, fill)`.
fn deliver<B, M, I, C>(wire: &[u8], to: &mut Connection<B, M, I, C>, events: &mut [u32; 4])
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    M: wsframe::MaskSource,
    I: wsframe::RecvExtension,
    C: wsframe::SendExtension,
{
    let mut rest = wire;
    loop {
        let n = to.handle_bytes(rest);
        rest = &rest[n..];
        loop {
            match to.poll_event() {
                Ok(Some(Event::Text(t))) => {
                    assert!(t.bytes().all(|b| b == b'a'));
                    events[0] += 1;
                }
                Ok(Some(Event::Binary(b))) => {
                    assert!(b.iter().all(|&x| x == 0xB5));
                    events[1] += 1;
                }
                Ok(Some(Event::Ping(_) | Event::Pong(_))) => events[2] += 1,
                Ok(Some(Event::Close(_))) => events[3] += 1,
                Ok(Some(Event::Chunk(_))) => unreachable!("message mode"),
                Ok(None) => break,
                Err(e) => panic!("protocol error: {e}"),
            }
        }
        if rest.is_empty() {
            return;
        }
    }
}

/// Mask keys from a xorshift generator (no allocation, no syscall).
fn xorshift_masks() -> impl FnMut() -> [u8; 4] {
    let mut seed = 0x9E37_79B9u32;
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed.to_le_bytes()
    }
}

#[test]
fn whole_session_allocates_nothing() {
    // All storage up front, on the stack or in statics.
    let mut client_rx = [0u8; 8192];
    let mut server_rx = [0u8; 8192];
    let mut wire = [0u8; 16384];
    let text = [b'a'; 3000];
    let text = core::str::from_utf8(&text).unwrap();
    let binary = [0xB5u8; 3000];
    let masks = xorshift_masks();

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTING.set(true);

    // Opening handshake.
    let url = Url::parse("ws://127.0.0.1:9001/chat?room=1").unwrap();
    let protocols = ["chat.v1"];
    let headers = [("Authorization", "Bearer t0k3n")];
    let request = ClientRequest::new(&url, [7; 16])
        .with_protocols(&protocols)
        .with_headers(&headers);
    let mut client = Connection::client(
        &mut client_rx[..],
        Config::new().with_fragment_size(1000),
        masks,
    )
    .unwrap();
    let mut server = Connection::server(&mut server_rx[..], Config::new()).unwrap();
    let n = request.encode(&mut wire).unwrap();
    assert_eq!(server.handle_bytes(&wire[..n]), n);
    let (reply_len, head_len) =
        match handshake::parse_request::<16>(server.pending_input(), &Limits::DEFAULT) {
            Ok(Status::Complete(req)) => {
                let protocol = req.protocols().find(|p| *p == "chat.v1");
                (
                    req.accept(protocol.map(|_| "chat.v1"), &[], &mut wire)
                        .unwrap(),
                    req.finished(),
                )
            }
            other => panic!("{other:?}"),
        };
    server.finish_handshake(head_len);
    client.handle_bytes(&wire[..reply_len]);
    let head_len = match handshake::check_response(client.pending_input(), &request) {
        Ok(Status::Complete(response)) => {
            assert_eq!(response.protocol, Some("chat.v1"));
            response.finished()
        }
        other => panic!("{other:?}"),
    };
    client.finish_handshake(head_len);

    // 1,000 messages each way; the client's are fragmented (1000-byte
    // fragments of up to 3000-byte messages), pings in between.
    let mut at_server = [0u32; 4];
    let mut at_client = [0u32; 4];
    for i in 0..1000usize {
        let len = (i * 37) % 3000;
        let n = if i % 2 == 0 {
            client.encode_text(&text[..len], &mut wire).unwrap()
        } else {
            client.encode_binary(&binary[..len], &mut wire).unwrap()
        };
        deliver(&wire[..n], &mut server, &mut at_server);
        let kind = if i % 3 == 0 {
            MessageKind::Binary
        } else {
            MessageKind::Text
        };
        let payload = if kind == MessageKind::Text {
            text.as_bytes()
        } else {
            &binary[..]
        };
        let n = server
            .encode_message(kind, &payload[..len], &mut wire)
            .unwrap();
        deliver(&wire[..n], &mut client, &mut at_client);
        if i % 100 == 0 {
            let n = client.encode_ping(b"are you there", &mut wire).unwrap();
            deliver(&wire[..n], &mut server, &mut at_server);
            let n = server.poll_transmit(&mut wire);
            assert!(n > 0, "pong owed");
            deliver(&wire[..n], &mut client, &mut at_client);
        }
    }

    // Closing handshake, started by the client.
    client.close(CloseCode::NORMAL, "done").unwrap();
    let n = client.poll_transmit(&mut wire);
    deliver(&wire[..n], &mut server, &mut at_server);
    let n = server.poll_transmit(&mut wire);
    deliver(&wire[..n], &mut client, &mut at_client);

    COUNTING.set(false);
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(after - before, 0, "the session allocated");

    assert_eq!(at_server, [500, 500, 10, 1]);
    assert_eq!(at_client[0] + at_client[1], 1000);
    assert_eq!(at_client[2], 10);
    assert_eq!(at_client[3], 1);
    assert_eq!(client.state(), State::Closed);
    assert_eq!(server.state(), State::Closed);
}

/// The same with permessage-deflate (RFC 7692) agreed in the handshake:
/// inflate windows and hash tables in caller memory, every message of
/// 128 bytes or more compressed both ways, still no allocation.
#[cfg(feature = "deflate")]
#[test]
fn compressed_session_allocates_nothing() {
    use wsframe::deflate::{Deflater, Inflater};
    use wsframe::handshake::Acceptance;

    let mut client_rx = [0u8; 8192];
    let mut server_rx = [0u8; 8192];
    let mut client_window = [0u8; 4096];
    let mut server_window = [0u8; 1 << 15];
    let mut client_table = [0u16; 1024];
    let mut server_table = [0u16; 4096];
    let mut wire = [0u8; 16384];
    let text = [b'a'; 3000];
    let text = core::str::from_utf8(&text).unwrap();
    let binary = [0xB5u8; 3000];
    let masks = xorshift_masks();

    let before = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTING.set(true);

    let mut client = Connection::client(&mut client_rx[..], Config::new(), masks)
        .unwrap()
        .with_deflate(
            Inflater::new(&mut client_window[..]).unwrap(),
            Deflater::new(&mut client_table[..]),
        );
    let mut server = Connection::server(&mut server_rx[..], Config::new())
        .unwrap()
        .with_deflate(
            Inflater::new(&mut server_window[..]).unwrap(),
            Deflater::new(&mut server_table[..]),
        );
    let url = Url::parse("ws://127.0.0.1:9001/").unwrap();
    let request = ClientRequest::new(&url, [7; 16]).with_deflate(client.deflate_offer().unwrap());
    let n = request.encode(&mut wire).unwrap();
    assert_eq!(server.handle_bytes(&wire[..n]), n);
    let capability = server.deflate_capability().unwrap();
    let (reply_len, head) =
        match handshake::parse_request::<16>(server.pending_input(), &Limits::DEFAULT) {
            Ok(Status::Complete(req)) => {
                let agreed = req.select_deflate(&capability);
                assert!(agreed.is_some());
                let answer = Acceptance::new().with_deflate(agreed);
                (
                    req.accept_with(&answer, &mut wire).unwrap(),
                    req.finished_with(&answer),
                )
            }
            other => panic!("{other:?}"),
        };
    server.finish_handshake(head);
    client.handle_bytes(&wire[..reply_len]);
    let head = match handshake::check_response(client.pending_input(), &request) {
        Ok(Status::Complete(response)) => response.finished(),
        other => panic!("{other:?}"),
    };
    client.finish_handshake(head);
    assert!(client.deflate_agreed() && server.deflate_agreed());

    let mut at_server = [0u32; 4];
    let mut at_client = [0u32; 4];
    let mut compressed = 0;
    for i in 0..1000usize {
        let len = (i * 37) % 3000;
        let n = if i % 2 == 0 {
            client.encode_text(&text[..len], &mut wire).unwrap()
        } else {
            client.encode_binary(&binary[..len], &mut wire).unwrap()
        };
        if wire[0] & 0x40 != 0 {
            compressed += 1;
            assert!(n < len / 4, "{n} bytes for {len}");
        }
        deliver(&wire[..n], &mut server, &mut at_server);
        let payload = if i % 3 == 0 {
            &binary[..len]
        } else {
            &text.as_bytes()[..len]
        };
        let kind = if i % 3 == 0 {
            MessageKind::Binary
        } else {
            MessageKind::Text
        };
        let n = server.encode_message(kind, payload, &mut wire).unwrap();
        compressed += usize::from(wire[0] & 0x40 != 0);
        deliver(&wire[..n], &mut client, &mut at_client);
    }
    client.close(CloseCode::NORMAL, "done").unwrap();
    let n = client.poll_transmit(&mut wire);
    deliver(&wire[..n], &mut server, &mut at_server);
    let n = server.poll_transmit(&mut wire);
    deliver(&wire[..n], &mut client, &mut at_client);

    COUNTING.set(false);
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(after - before, 0, "the session allocated");
    // Messages of 128 bytes and more (about 96% of them) went compressed.
    assert!(compressed > 1900, "{compressed} compressed");
    assert_eq!(at_server, [500, 500, 0, 1]);
    assert_eq!(at_client[0] + at_client[1], 1000);
    assert_eq!(client.state(), State::Closed);
    assert_eq!(server.state(), State::Closed);
}
