//! Chat room: the README's demo.
//!
//! ```sh
//! cargo run --example chat_server            # http://127.0.0.1:8080
//! cargo run --example chat_server -- 0.0.0.0:8080
//! ```
//! `GET /` serves a self-contained page (message list, input, send button,
//! connection status, reconnect with backoff, messages typed while
//! disconnected are queued and sent on reconnect). `GET /ws` upgrades to
//! WebSocket; every text message is broadcast to every client, with
//! join/leave notices. A message over 1 MiB is refused with Close 1009,
//! and the page says why.
//!
//! One tokio task per connection over the async `embedded-io` adapter; the
//! task sits in `select!` between `WebSocket::read` (cancel-safe), the
//! room's broadcast channel and a timer. The timer drives keepalive (a ping
//! after 30 s of silence; a peer silent 15 s after that is dropped with
//! Close 1011) and bounds the closing handshake: a peer that does not
//! answer our Close within 5 s is disconnected.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use embedded_io_adapters::tokio_1::FromTokio;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio::time::Instant as TokioInstant;
use wsframe::handshake::{self, Limits};
use wsframe::io::{Error, asynch::WebSocket};
use wsframe::{CloseCode, Config, Connection, Event, Instant, Status};

const PAGE: &str = include_str!("chat.html");

/// Ping a client silent this long.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Drop a client that stays silent this long after the ping.
const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a client has to answer our Close.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

type Room = broadcast::Sender<Arc<str>>;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    println!("chat_server: open http://{local}/ in a browser (WebSocket at ws://{local}/ws)");
    let (room, _) = broadcast::channel::<Arc<str>>(256);
    let next_id = Arc::new(AtomicU64::new(1));
    loop {
        let (stream, peer) = listener.accept().await?;
        let room = room.clone();
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            if let Err(e) = serve(stream, room, id).await {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

async fn serve(
    stream: TcpStream,
    room: Room,
    id: u64,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    stream.set_nodelay(true).ok();
    // Room for one 1 MiB message plus headroom; the cap itself stays 1 MiB.
    let config = Config::new()
        .with_keepalive(KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT)
        .with_close_timeout(Some(CLOSE_TIMEOUT));
    let conn = Connection::server(vec![0u8; (1 << 20) + 4096], config)?;
    let mut ws = WebSocket::new(FromTokio::new(stream), conn, vec![0u8; 16 * 1024])?;

    // Read the request head, then route it.
    let path = loop {
        let parsed =
            match handshake::parse_head::<32>(ws.connection().pending_input(), &Limits::DEFAULT) {
                Ok(Status::Complete(head)) => Some(Ok(head.path.to_owned())),
                Ok(Status::Partial { .. }) => None,
                Err(_) => Some(Err(())),
            };
        match parsed {
            Some(Ok(path)) => break path,
            None => ws.fill().await?,
            Some(Err(())) => {
                let reply =
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                ws.transport_mut().inner_mut().write_all(reply).await?;
                return Ok(());
            }
        }
    };
    match path.split('?').next().unwrap_or("") {
        "/" | "/index.html" => {
            let mut stream = ws.into_parts().0.into_inner();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                PAGE.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(PAGE.as_bytes()).await?;
            stream.shutdown().await?;
            return Ok(());
        }
        "/ws" => {}
        _ => {
            let reply = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            ws.transport_mut().inner_mut().write_all(reply).await?;
            return Ok(());
        }
    }
    ws.accept::<32>(&Limits::DEFAULT, |_| wsframe::io::Answer::Accept(None))
        .await?;

    let mut inbox = room.subscribe();
    let _ = room.send(format!("* user {id} joined").into());
    let result = chat(&mut ws, &room, &mut inbox).await;
    let _ = room.send(format!("* user {id} left").into());
    ws.transport_mut().inner_mut().shutdown().await.ok();
    result
}

async fn chat(
    ws: &mut WebSocket<FromTokio<TcpStream>, Vec<u8>, Vec<u8>, wsframe::NoMask>,
    room: &Room,
    inbox: &mut broadcast::Receiver<Arc<str>>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // The connection's clock: milliseconds since this task started.
    let epoch = TokioInstant::now();
    let to_tokio = |at: Instant| epoch + Duration::from_millis(at.as_millis());
    let now =
        || Instant::from_millis(u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX));
    loop {
        // The next timer: keepalive's next step, or the close timeout; the
        // connection runs both.
        let wake = ws.connection().poll_timeout().map(to_tokio);
        tokio::select! {
            () = tokio::time::sleep_until(wake.unwrap_or_else(|| TokioInstant::now() + KEEPALIVE_INTERVAL)) => {
                ws.handle_timeout(now()).await.map_err(|e| e.to_string())?;
            }
            event = ws.read() => match event {
                Ok(Event::Text(text)) => {
                    let _ = room.send(text.into());
                }
                Ok(Event::Binary(_)) => {
                    ws.close(CloseCode::UNSUPPORTED_DATA, "text only").await?;
                }
                Ok(Event::Close(_)) | Ok(Event::Ping(_)) | Ok(Event::Pong(_)) | Ok(Event::Chunk(_)) => {}
                Err(Error::Closed | Error::UnexpectedEof) => return Ok(()),
                Err(e) => return Err(e.to_string().into()),
            },
            message = inbox.recv() => match message {
                Ok(text) => match ws.send_text(&text).await {
                    Ok(()) => {}
                    Err(Error::Send(_)) => {} // closing: drop it
                    Err(e) => return Err(e.to_string().into()),
                },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    // Say so rather than lose messages silently.
                    let notice = format!("* {n} messages were skipped: this connection fell behind");
                    if let Err(e @ (Error::Io(_) | Error::UnexpectedEof)) = ws.send_text(&notice).await {
                        return Err(e.to_string().into());
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
        }
    }
}
