//! wsframe over embassy-net's `TcpSocket`, on the host: two embassy-net
//! stacks (smoltcp, static IPv4, `medium-ip`) joined by an in-memory link
//! (an `embassy_net_driver::Driver` over two queues), one thread, the
//! stacks' runners polled beside a server and a client. The opening
//! handshake, messages both ways (larger than the tx buffer too), pings
//! both ways, and the closing handshake; once over the whole socket and
//! once over `TcpSocket::split` with the connection's split halves
//! (`Reader`/`Writer`). embassy-time runs on its `std` driver.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Context, Waker};

use embassy_net::driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpAddress, Ipv4Address, Ipv4Cidr, Stack, StackResources, StaticConfigV4};
use wsframe::handshake::{ClientRequest, Limits, Url};
use wsframe::io::asynch::{Reader, WebSocket, Writer};
use wsframe::io::{Answer, Error};
use wsframe::{CloseCode, Config, Connection, Event, Link, MessageKind};

use crate::common::counter_masks;

const PORT: u16 = 9000;

// ---------------------------------------------------------------------------
// The link: IP packets through two queues, one each way.

#[derive(Default)]
struct Queue {
    packets: VecDeque<Vec<u8>>,
    waker: Option<Waker>,
}

type Pipe = Rc<RefCell<Queue>>;

/// One end of the link.
struct End {
    rx: Pipe,
    tx: Pipe,
}

/// Two ends, each receiving what the other transmits.
fn link() -> (End, End) {
    let (a, b) = (Pipe::default(), Pipe::default());
    (
        End {
            rx: a.clone(),
            tx: b.clone(),
        },
        End { rx: b, tx: a },
    )
}

struct Rx(Vec<u8>);
struct Tx(Pipe);

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(mut self, f: F) -> R {
        f(&mut self.0)
    }
}

impl TxToken for Tx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut packet = vec![0u8; len];
        let result = f(&mut packet);
        let mut queue = self.0.borrow_mut();
        queue.packets.push_back(packet);
        if let Some(waker) = queue.waker.take() {
            waker.wake();
        }
        result
    }
}

impl Driver for End {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx;

    fn receive(&mut self, cx: &mut Context) -> Option<(Rx, Tx)> {
        let mut queue = self.rx.borrow_mut();
        match queue.packets.pop_front() {
            Some(packet) => Some((Rx(packet), Tx(self.tx.clone()))),
            None => {
                queue.waker = Some(cx.waker().clone());
                None
            }
        }
    }

    fn transmit(&mut self, _cx: &mut Context) -> Option<Tx> {
        Some(Tx(self.tx.clone()))
    }

    fn link_state(&mut self, _cx: &mut Context) -> LinkState {
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = 1500;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ip
    }
}

fn config(host: u8) -> embassy_net::Config {
    embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(Ipv4Address::new(10, 0, 0, host), 24),
        gateway: None,
        dns_servers: Default::default(),
    })
}

/// Run `$server(stack)` on 10.0.0.1 and `$client(stack)` on 10.0.0.2, with
/// both stacks' runners, within 20 s; their results.
macro_rules! on_two_stacks {
    ($server:expr, $client:expr) => {{
        let (a, b) = link();
        let mut resources_a = StackResources::<4>::new();
        let mut resources_b = StackResources::<4>::new();
        let (stack_a, mut runner_a) = embassy_net::new(a, config(1), &mut resources_a, 1);
        let (stack_b, mut runner_b) = embassy_net::new(b, config(2), &mut resources_b, 2);
        let work = async {
            stack_a.wait_config_up().await;
            stack_b.wait_config_up().await;
            tokio::join!($server(stack_a), $client(stack_b))
        };
        let run = async {
            tokio::select! {
                results = work => results,
                _ = runner_a.run() => unreachable!(),
                _ = runner_b.run() => unreachable!(),
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(20), run)
            .await
            .expect("done within 20 s")
    }};
}

// ---------------------------------------------------------------------------
// The two ends of the conversation.

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// Accept one connection on `stack` and run the opening handshake.
async fn accept<'s>(socket: &mut TcpSocket<'s>) -> (Connection<Vec<u8>>, Vec<u8>) {
    socket.set_timeout(Some(embassy_time::Duration::from_secs(10)));
    socket.accept(PORT).await.expect("accept");
    let conn = Connection::server(vec![0u8; 16 * 1024], Config::new()).unwrap();
    let mut ws = WebSocket::new(&mut *socket, conn, vec![0u8; 1024]).unwrap();
    ws.accept::<16>(&Limits::DEFAULT, |request| {
        assert_eq!(request.path(), "/chat");
        Answer::Accept(None)
    })
    .await
    .expect("server handshake");
    let (_, conn, tx) = ws.into_parts();
    (conn, tx)
}

/// The client: connect, say hello in text and in 3000 bytes of binary (in
/// fragments: the tx buffer is 1 KiB), ping, check every echo (and, with
/// `server_pings`, wait for the server's ping, answered by itself), then
/// close with 1000. Returns what it saw.
async fn client(stack: Stack<'_>, server_pings: bool) -> Vec<String> {
    let (mut rx, mut tx) = ([0u8; 8192], [0u8; 8192]);
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    socket.set_timeout(Some(embassy_time::Duration::from_secs(10)));
    socket
        .connect((IpAddress::v4(10, 0, 0, 1), PORT))
        .await
        .expect("connect");
    let url = Url::parse("ws://10.0.0.1:9000/chat").unwrap();
    let request = ClientRequest::new(&url, [7; 16]);
    let conn = Connection::client(vec![0u8; 16 * 1024], Config::new(), counter_masks()).unwrap();
    let mut ws = WebSocket::new(&mut socket, conn, vec![0u8; 1024]).unwrap();
    ws.connect(&request).await.expect("client handshake");

    let mut seen = Vec::new();
    let big = pattern(3000);
    ws.send_text("hello over embassy-net ✓").await.unwrap();
    ws.send_binary(&big).await.unwrap();
    ws.send_ping(b"client ping").await.unwrap();
    let mut closing = false;
    loop {
        match ws.read().await {
            Ok(Event::Text(t)) => seen.push(format!("text {t}")),
            Ok(Event::Binary(b)) => {
                assert!(b == &big[..], "binary echo differs");
                seen.push(format!("binary {}", b.len()));
            }
            Ok(Event::Ping(p)) => seen.push(format!("ping {}", String::from_utf8_lossy(p))),
            Ok(Event::Pong(p)) => seen.push(format!("pong {}", String::from_utf8_lossy(p))),
            Ok(Event::Close(c)) => seen.push(format!("close {:?}", c.map(|c| c.code.as_u16()))),
            Ok(Event::Chunk(_)) => unreachable!(),
            Err(Error::Closed) => break,
            Err(e) => panic!("client: {e}"),
        }
        // Both echoes and the pong (and the server's ping) are in: close.
        let done = [
            "text",
            "binary",
            "pong",
            if server_pings { "ping" } else { "" },
        ]
        .iter()
        .all(|k| seen.iter().any(|s| s.starts_with(k)));
        if done && !closing {
            ws.close(CloseCode::NORMAL, "bye").await.unwrap();
            closing = true;
        }
    }
    drop(ws);
    socket.close();
    let _ = socket.flush().await;
    seen
}

/// The server over the whole socket: echo every message until the close.
async fn server_whole(stack: Stack<'_>) -> Vec<String> {
    let (mut rx, mut tx) = ([0u8; 8192], [0u8; 8192]);
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    let (conn, tx_buf) = accept(&mut socket).await;
    let mut ws = WebSocket::new(&mut socket, conn, tx_buf).unwrap();
    let mut seen = Vec::new();
    loop {
        let (kind, data) = match ws.read().await {
            Ok(Event::Text(t)) => (MessageKind::Text, t.as_bytes().to_vec()),
            Ok(Event::Binary(b)) => (MessageKind::Binary, b.to_vec()),
            Ok(Event::Ping(p)) => {
                seen.push(format!("ping {}", String::from_utf8_lossy(p)));
                continue;
            }
            Ok(Event::Close(c)) => {
                seen.push(format!(
                    "close {:?}",
                    c.map(|c| (c.code.as_u16(), c.reason.to_owned()))
                ));
                continue;
            }
            Ok(_) => continue,
            Err(Error::Closed) => break,
            Err(e) => panic!("server: {e}"),
        };
        seen.push(format!("{kind:?} {}", data.len()));
        ws.send(kind, &data).await.unwrap();
    }
    drop(ws);
    socket.close();
    let _ = socket.flush().await;
    seen
}

enum Job {
    Echo(MessageKind, Vec<u8>),
    Flush,
}

/// The server over `TcpSocket::split`: a `Reader` on the read half with the
/// connection's `Receiver`, a `Writer` on the write half with its
/// `Sender`, run concurrently; the reader hands each message to the writer
/// through a bounded queue and wakes it when a pong or the Close echo is
/// owed. The writer pings the client first.
async fn server_split(stack: Stack<'_>) -> Vec<String> {
    let (mut rx, mut tx) = ([0u8; 8192], [0u8; 8192]);
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    let (conn, tx_buf) = accept(&mut socket).await;
    let link = Link::new();
    let (receiver, sender) = conn.split(&link);
    let (read_half, write_half) = socket.split();
    let (jobs, mut queue) = tokio::sync::mpsc::channel::<Job>(4);
    let wake = jobs.clone();
    let mut reader = Reader::new(read_half, receiver).on_owed(move || {
        let _ = wake.try_send(Job::Flush);
    });
    let mut writer = Writer::new(write_half, sender, tx_buf).unwrap();
    let seen = RefCell::new(Vec::new());
    let reading = async {
        loop {
            let job = match reader.read().await {
                Ok(Event::Text(t)) => Job::Echo(MessageKind::Text, t.as_bytes().to_vec()),
                Ok(Event::Binary(b)) => Job::Echo(MessageKind::Binary, b.to_vec()),
                Ok(Event::Ping(p)) => {
                    seen.borrow_mut()
                        .push(format!("ping {}", String::from_utf8_lossy(p)));
                    continue;
                }
                Ok(Event::Pong(p)) => {
                    seen.borrow_mut()
                        .push(format!("pong {}", String::from_utf8_lossy(p)));
                    continue;
                }
                Ok(Event::Close(c)) => {
                    let c = c.map(|c| (c.code.as_u16(), c.reason.to_owned()));
                    seen.borrow_mut().push(format!("close {c:?}"));
                    continue;
                }
                Ok(Event::Chunk(_)) => unreachable!(),
                Err(Error::Closed) => break,
                Err(e) => panic!("server reader: {e}"),
            };
            if let Job::Echo(kind, data) = &job {
                seen.borrow_mut().push(format!("{kind:?} {}", data.len()));
            }
            jobs.send(job).await.expect("writer gone");
        }
        // Nothing more will arrive: let the writer finish.
        drop(jobs);
        drop(reader);
    };
    let writing = async {
        writer.send_ping(b"server ping").await.unwrap();
        while let Some(job) = queue.recv().await {
            match job {
                Job::Echo(kind, data) => match writer.send(kind, &data).await {
                    Ok(()) | Err(Error::Send(_)) => {}
                    Err(e) => panic!("server writer: {e}"),
                },
                Job::Flush => writer.flush().await.unwrap(),
            }
        }
        writer.flush().await.unwrap();
    };
    tokio::join!(reading, writing);
    drop(writer);
    socket.close();
    let _ = socket.flush().await;
    seen.into_inner()
}

#[tokio::test(flavor = "current_thread")]
async fn over_the_whole_socket() {
    let (server, client) = on_two_stacks!(server_whole, |stack| client(stack, false));
    assert_eq!(
        server,
        [
            "Text 26".to_owned(),
            "Binary 3000".to_owned(),
            "ping client ping".to_owned(),
            "close Some((1000, \"bye\"))".to_owned(),
        ]
    );
    assert_eq!(
        client,
        [
            "text hello over embassy-net ✓".to_owned(),
            "binary 3000".to_owned(),
            "pong client ping".to_owned(),
            "close Some(1000)".to_owned(),
        ]
    );
}

#[tokio::test(flavor = "current_thread")]
async fn over_split_halves() {
    let (server, client) = on_two_stacks!(server_split, |stack| client(stack, true));
    // The halves answer a ping as soon as the reader wakes the writer, so
    // the pong may overtake an echo: compare as sets, the close last.
    let mut sorted = client.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "binary 3000".to_owned(),
            "close Some(1000)".to_owned(),
            "ping server ping".to_owned(),
            "pong client ping".to_owned(),
            "text hello over embassy-net ✓".to_owned(),
        ],
        "client saw {client:?}; server saw {server:?}"
    );
    assert_eq!(client.last().map(String::as_str), Some("close Some(1000)"));
    for expected in [
        "Text 26",
        "Binary 3000",
        "ping client ping",
        "pong server ping",
        "close Some((1000, \"bye\"))",
    ] {
        assert!(
            server.iter().any(|s| s == expected),
            "server saw {server:?}, not {expected:?}"
        );
    }
}
