//! Split halves (`Connection::split`): each duty of the whole connection
//! kept when one half reads and the other writes — auto-pong, the Close
//! echo, keepalive and dead-peer detection on the sending half, the Close
//! of a failure, rejoining — in memory, over two threads, and over two
//! tokio tasks; and the resumable, cancel-safe async send.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{close_code, counter_masks, frames, from_client, raw};
use wsframe::frame::Opcode;
use wsframe::{
    CloseCode, Config, Connection, Event, Instant, Link, NoMask, ProtocolError, Receiver, Role,
    SendError, Sender, Side, State,
};

fn open_server(config: Config) -> Connection<Vec<u8>, NoMask> {
    Connection::upgraded(Role::Server, vec![0u8; 4096], config, NoMask).unwrap()
}

fn owed<M: wsframe::MaskSource, L: std::ops::Deref<Target = Link>>(
    tx: &mut Sender<M, L>,
) -> Vec<(Opcode, bool, Vec<u8>, bool)> {
    let mut out = vec![0u8; 1024];
    let mut bytes = Vec::new();
    while tx.wants_transmit() {
        let n = tx.poll_transmit(&mut out);
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&out[..n]);
    }
    frames(&bytes)
}

fn events<B: AsRef<[u8]> + AsMut<[u8]>, L: std::ops::Deref<Target = Link>>(
    rx: &mut Receiver<B, L>,
    input: &[u8],
) -> Vec<Result<String, ProtocolError>> {
    rx.handle_bytes(input);
    let mut got = Vec::new();
    loop {
        match rx.poll_event() {
            Ok(Some(e)) => got.push(Ok(format!("{e:?}"))),
            Ok(None) => return got,
            Err(e) => {
                got.push(Err(e));
                return got;
            }
        }
    }
}

#[test]
fn a_ping_read_by_the_receiver_is_answered_by_the_sender() {
    let link = Link::new();
    let (mut rx, mut tx) = open_server(Config::new()).split(&link);
    assert!(!rx.wants_transmit());
    let got = events(&mut rx, &from_client(Opcode::Ping, true, b"are you there"));
    assert_eq!(
        got,
        vec![Ok(
            "Ping([97, 114, 101, 32, 121, 111, 117, 32, 116, 104, 101, 114, 101])".into()
        )]
    );
    assert!(
        rx.wants_transmit(),
        "the receiver says the sender owes a frame"
    );
    let out = owed(&mut tx);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].0, out[0].2.as_slice()),
        (Opcode::Pong, &b"are you there"[..])
    );
    assert!(
        !rx.wants_transmit() && !tx.wants_transmit(),
        "answered once"
    );
    // Two pings before the sender runs: only the latest is answered (§5.5.3).
    let mut two = from_client(Opcode::Ping, true, b"one");
    two.extend(from_client(Opcode::Ping, true, b"two"));
    assert_eq!(events(&mut rx, &two).len(), 2);
    let out = owed(&mut tx);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].2, b"two");
}

#[test]
fn a_close_read_by_the_receiver_is_echoed_by_the_sender() {
    let link = Link::new();
    let (mut rx, mut tx) = open_server(Config::new()).split(&link);
    let got = events(&mut rx, &from_client(Opcode::Close, true, b"\x03\xe9going"));
    assert_eq!(got.len(), 1);
    assert_eq!(rx.state(), State::Closing(Side::Peer));
    assert!(rx.is_done());
    assert_eq!(
        tx.encode_text("late", &mut [0u8; 64]),
        Err(SendError::Closing)
    );
    let out = owed(&mut tx);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].0, close_code(&out[0].2)),
        (Opcode::Close, Some(1001))
    );
    assert_eq!(tx.state(), State::Closed);
    assert!(tx.is_closed());
    assert!(owed(&mut tx).is_empty(), "one echo");
}

#[test]
fn keepalive_death_is_found_by_the_sender_alone() {
    let config =
        Config::new().with_keepalive(Duration::from_millis(100), Duration::from_millis(50));
    let link = Link::new();
    let (mut rx, mut tx) = open_server(config).split(&link);
    // Only the sending half runs: the receiver sits in a read that never returns.
    tx.handle_timeout(Instant::from_millis(0));
    assert_eq!(tx.poll_timeout(), Some(Instant::from_millis(100)));
    tx.handle_timeout(Instant::from_millis(100));
    let ping = owed(&mut tx);
    assert_eq!(ping.len(), 1);
    assert_eq!(ping[0].0, Opcode::Ping);
    tx.handle_timeout(Instant::from_millis(150));
    assert_eq!(tx.state(), State::Failed);
    assert_eq!(tx.timeout_error(), Some(ProtocolError::KeepaliveTimeout));
    assert_eq!(tx.failure(), Some(CloseCode::INTERNAL_ERROR));
    let close = owed(&mut tx);
    assert_eq!(
        (close[0].0, close_code(&close[0].2)),
        (Opcode::Close, Some(1011))
    );
    assert!(tx.is_closed());
    // The receiver learns it at its next call, once, and reads no more.
    assert_eq!(rx.poll_event(), Err(ProtocolError::KeepaliveTimeout));
    assert_eq!(rx.poll_event(), Ok(None));
    assert_eq!(rx.error(), Some(ProtocolError::KeepaliveTimeout));
}

#[test]
fn activity_seen_by_the_receiver_keeps_the_sender_from_pinging() {
    let config =
        Config::new().with_keepalive(Duration::from_millis(100), Duration::from_millis(50));
    let link = Link::new();
    let (mut rx, mut tx) = open_server(config).split(&link);
    tx.handle_timeout(Instant::from_millis(0));
    for t in (60..1000).step_by(60) {
        events(&mut rx, &from_client(Opcode::Text, true, b"tick"));
        tx.handle_timeout(Instant::from_millis(t));
        assert!(
            owed(&mut tx).is_empty(),
            "no ping at {t} ms: the peer talks"
        );
    }
    assert_eq!(tx.state(), State::Open);
}

#[test]
fn a_failure_on_the_receiver_makes_the_sender_close_and_refuse_sends() {
    let link = Link::new();
    let (mut rx, mut tx) = open_server(Config::new()).split(&link);
    let got = events(&mut rx, &raw(Opcode::Text, true, b"unmasked", false));
    assert_eq!(got, vec![Err(ProtocolError::UnmaskedClientFrame)]);
    assert!(rx.wants_transmit());
    assert_eq!(tx.failure(), Some(CloseCode::PROTOCOL_ERROR));
    assert_eq!(
        tx.encode_binary(b"x", &mut [0u8; 64]),
        Err(SendError::Closing)
    );
    assert_eq!(
        tx.close(CloseCode::NORMAL, ""),
        Err(SendError::Closing),
        "the failure's Close is the one that goes"
    );
    let out = owed(&mut tx);
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].0, close_code(&out[0].2)),
        (Opcode::Close, Some(1002))
    );
    assert_eq!(&out[0].2[2..], b"unmasked client frame");
    assert!(tx.is_closed());
}

#[test]
fn our_close_from_the_sender_completes_when_the_receiver_reads_the_reply() {
    let link = Link::new();
    let (mut rx, mut tx) = open_server(Config::new()).split(&link);
    tx.close(CloseCode::NORMAL, "bye").unwrap();
    assert_eq!(rx.state(), State::Closing(Side::Local));
    assert_eq!(owed(&mut tx).len(), 1);
    // Frames still arrive until the peer's Close.
    assert_eq!(
        events(&mut rx, &from_client(Opcode::Text, true, b"last words")).len(),
        1
    );
    events(&mut rx, &from_client(Opcode::Close, true, b"\x03\xe8"));
    assert_eq!(tx.state(), State::Closed);
    assert!(tx.is_closed() && rx.is_done());
    assert!(owed(&mut tx).is_empty(), "no echo of an echo");
}

#[test]
fn the_close_timeout_runs_on_the_sender() {
    let config = Config::new().with_close_timeout(Some(Duration::from_millis(500)));
    let link = Link::new();
    let (mut rx, mut tx) = open_server(config).split(&link);
    tx.close(CloseCode::NORMAL, "").unwrap();
    assert_eq!(owed(&mut tx).len(), 1);
    assert_eq!(
        tx.poll_timeout(),
        Some(Instant::from_millis(0)),
        "start the clock"
    );
    tx.handle_timeout(Instant::from_millis(1000));
    assert_eq!(tx.poll_timeout(), Some(Instant::from_millis(1500)));
    tx.handle_timeout(Instant::from_millis(1499));
    assert_eq!(tx.state(), State::Closing(Side::Local));
    tx.handle_timeout(Instant::from_millis(1500));
    assert_eq!(tx.state(), State::Failed);
    assert_eq!(tx.timeout_error(), Some(ProtocolError::CloseTimeout));
    assert!(
        owed(&mut tx).is_empty(),
        "our Close already went; nothing more"
    );
    assert!(tx.is_closed());
    assert_eq!(rx.poll_event(), Err(ProtocolError::CloseTimeout));
}

#[test]
fn the_halves_rejoin_and_carry_on() {
    let link = Link::new();
    let (mut rx, tx) = open_server(Config::new()).split(&link);
    events(&mut rx, &from_client(Opcode::Ping, true, b"p"));
    let other = Link::new();
    let (_rx2, tx2) = open_server(Config::new()).split(&other);
    let (rx, _tx2) = rx.rejoin(tx2).expect_err("halves of different connections");
    let mut conn = rx.rejoin(tx).expect("the same link");
    // The pong owed before the rejoin is still owed.
    let mut out = [0u8; 64];
    let n = conn.poll_transmit(&mut out);
    assert_eq!(frames(&out[..n])[0].0, Opcode::Pong);
    let mut feed = common::feed(&mut conn, &from_client(Opcode::Text, true, b"again"), &[]);
    assert_eq!(feed.pop(), Some(common::Owned::Text("again".into())));
    assert_eq!(conn.state(), State::Open);
    // And split again.
    let (_, mut tx) = conn.split(&link);
    let n = tx.encode_text("hi", &mut out).unwrap();
    assert_eq!(&out[..n], b"\x81\x02hi");
}

#[test]
fn halves_are_send_and_sync_when_their_parts_are() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Receiver<Vec<u8>, Arc<Link>>>();
    send_sync::<Sender<NoMask, Arc<Link>>>();
    send_sync::<Receiver<&'static mut [u8], &'static Link>>();
    send_sync::<Link>();
    send_sync::<Connection<[u8; 256], NoMask>>();
}

/// A client and a server in two threads each (four threads), over a
/// socket pair, the blocking adapter's halves: messages both ways while
/// the client's reader thread pings; then a close from the server.
#[test]
fn blocking_halves_over_two_threads_each() {
    use embedded_io_adapters::std::FromStd;
    use std::os::unix::net::UnixStream;
    use std::sync::mpsc;
    use wsframe::io::blocking::{Reader, Writer};

    let (a, b) = UnixStream::pair().unwrap();
    let server = std::thread::spawn(move || {
        let link = Link::new();
        let conn = open_server(Config::new());
        let (rx, tx) = conn.split(&link);
        let write_half = b.try_clone().unwrap();
        let (queue, inbox) = mpsc::channel::<Option<Vec<u8>>>();
        let wake = queue.clone();
        std::thread::scope(|s| {
            s.spawn(move || {
                let mut reader =
                    Reader::new(FromStd::new(b), rx).on_owed(move || wake.send(None).unwrap());
                let mut echoed = 0;
                loop {
                    match reader.read() {
                        Ok(Event::Text(t)) => {
                            echoed += 1;
                            queue.send(Some(t.as_bytes().to_vec())).unwrap();
                        }
                        Ok(_) => {}
                        Err(wsframe::io::Error::Closed) => break,
                        Err(e) => panic!("server reader: {e}"),
                    }
                }
                echoed
            });
            let mut writer = Writer::new(FromStd::new(write_half), tx, vec![0u8; 256]).unwrap();
            let mut sent = 0;
            while let Ok(job) = inbox.recv() {
                match job {
                    // The reader says something is owed (a pong, an echo).
                    None => writer.flush().unwrap(),
                    Some(text) => {
                        sent += 1;
                        writer
                            .send_text(std::str::from_utf8(&text).unwrap())
                            .unwrap();
                        if sent == 50 {
                            writer.close(CloseCode::NORMAL, "enough").unwrap();
                        }
                    }
                }
                if writer.sender().is_closed() {
                    break;
                }
            }
            sent
        })
    });

    // The client: a whole connection over the blocking adapter.
    let client = Connection::upgraded(
        Role::Client,
        vec![0u8; 8192],
        Config::new(),
        counter_masks(),
    )
    .unwrap();
    let mut ws =
        wsframe::io::blocking::WebSocket::new(FromStd::new(a), client, vec![0u8; 256]).unwrap();
    let mut pongs = 0;
    let mut texts = 0;
    for i in 0..50 {
        // Larger than the server's 256-byte tx: its echo goes in fragments.
        ws.send_text(&format!("{i:03} {}", "x".repeat(400)))
            .unwrap();
        ws.send_ping(b"hello?").unwrap();
    }
    loop {
        match ws.read() {
            Ok(Event::Text(t)) => {
                assert!(t.len() == 404, "{}", t.len());
                texts += 1;
            }
            Ok(Event::Pong(p)) => {
                assert_eq!(p, b"hello?");
                pongs += 1;
            }
            Ok(Event::Close(c)) => {
                assert_eq!(c.map(|c| c.code), Some(CloseCode::NORMAL));
            }
            Ok(_) => {}
            Err(wsframe::io::Error::Closed) => break,
            Err(e) => panic!("client: {e}"),
        }
    }
    assert_eq!(texts, 50);
    assert!(pongs >= 1, "auto-pong from the split server");
    assert_eq!(server.join().unwrap(), 50);
}

/// Over two tokio tasks (`'static` halves sharing an `Arc<Link>`), tokio's
/// `into_split`, and the async adapter's halves: the reader wakes the
/// writer through a `Notify` when a pong is owed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_halves_in_two_tokio_tasks() {
    use embedded_io_adapters::tokio_1::FromTokio;
    use tokio::sync::{Notify, mpsc};
    use wsframe::io::asynch::{Reader, Writer};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read_half, write_half) = stream.into_split();
        let link = Arc::new(Link::new());
        let (rx, tx) = open_server(Config::new()).split(link);
        let owed = Arc::new(Notify::new());
        let (queue, mut inbox) = mpsc::channel::<String>(8);
        let wake = owed.clone();
        let reading = tokio::spawn(async move {
            let mut reader =
                Reader::new(FromTokio::new(read_half), rx).on_owed(move || wake.notify_one());
            loop {
                match reader.read().await {
                    Ok(Event::Text(t)) => queue.send(t.to_uppercase()).await.unwrap(),
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        });
        let mut writer = Writer::new(FromTokio::new(write_half), tx, vec![0u8; 512]).unwrap();
        loop {
            tokio::select! {
                () = owed.notified() => writer.flush().await.unwrap(),
                text = inbox.recv() => match text {
                    Some(text) => writer.send_text(&text).await.unwrap(),
                    None => break,
                },
            }
            if writer.sender().is_closed() {
                break;
            }
        }
        reading.await.unwrap();
    });

    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let client = tokio::task::spawn_blocking(move || {
        let mut ws = tungstenite::protocol::WebSocket::from_raw_socket(
            stream,
            tungstenite::protocol::Role::Client,
            None,
        );
        ws.send(tungstenite::Message::Ping(b"ping!".to_vec().into()))
            .unwrap();
        ws.send(tungstenite::Message::text("quiet")).unwrap();
        let mut got = Vec::new();
        while got.len() < 2 {
            match ws.read().unwrap() {
                tungstenite::Message::Pong(p) => {
                    got.push(format!("pong {}", String::from_utf8_lossy(&p)))
                }
                tungstenite::Message::Text(t) => got.push(t.to_string()),
                _ => {}
            }
        }
        ws.close(None).unwrap();
        while ws.read().is_ok() {}
        got
    });
    let got = tokio::time::timeout(Duration::from_secs(20), client)
        .await
        .unwrap()
        .unwrap();
    assert!(got.contains(&"pong ping!".to_string()), "{got:?}");
    assert!(got.contains(&"QUIET".to_string()), "{got:?}");
    tokio::time::timeout(Duration::from_secs(20), server)
        .await
        .unwrap()
        .unwrap();
}

/// An async send of a message several frames long, dropped midway (the
/// peer stopped reading), then resumed with the same message: the peer
/// gets it once, whole, in order; another message meanwhile is refused.
#[tokio::test]
async fn an_async_multi_fragment_send_can_be_dropped_and_resumed() {
    use embedded_io_adapters::tokio_1::FromTokio;
    use tokio::io::AsyncReadExt;

    let (ours, mut theirs) = tokio::io::duplex(300);
    let conn = open_server(Config::new());
    let mut ws =
        wsframe::io::asynch::WebSocket::new(FromTokio::new(ours), conn, vec![0u8; 256]).unwrap();
    let message: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();

    // Nobody reads `theirs`: the duplex fills and the send stalls midway.
    let first = tokio::time::timeout(Duration::from_millis(50), ws.send_binary(&message)).await;
    assert!(first.is_err(), "the send cannot finish yet");
    assert_eq!(
        ws.connection_mut()
            .encode_next(wsframe::MessageKind::Text, b"cutting in", &mut [0u8; 64]),
        Err(SendError::MessageInProgress)
    );

    // The peer drains; the same send, called again, finishes the message.
    let drain = tokio::spawn(async move {
        let mut all = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            match tokio::time::timeout(Duration::from_millis(300), theirs.read(&mut chunk)).await {
                Ok(Ok(0)) | Err(_) => return all,
                Ok(Ok(n)) => all.extend_from_slice(&chunk[..n]),
                Ok(Err(e)) => panic!("{e}"),
            }
        }
    });
    ws.send_binary(&message).await.unwrap();
    ws.send_text("after").await.unwrap();
    let wire = drain.await.unwrap();

    let mut peer = Connection::upgraded(
        Role::Client,
        vec![0u8; 16384],
        Config::new(),
        counter_masks(),
    )
    .unwrap();
    let got = common::feed(&mut peer, &wire, &[]);
    assert_eq!(
        got,
        vec![
            common::Owned::Binary(message),
            common::Owned::Text("after".into())
        ]
    );
    assert!(frames(&wire).len() > 20, "it went in fragments");
}
