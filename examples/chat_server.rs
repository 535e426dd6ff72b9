//! Chat room: the README's demo.
//!
//! ```sh
//! cargo run --example chat_server            # http://127.0.0.1:8080
//! cargo run --example chat_server -- 0.0.0.0:8080
//! cargo run --example chat_server -- 127.0.0.1:8443 --tls-cert cert.pem --tls-key key.pem
//! ```
//! `GET /` serves a self-contained page (message list, input, send button,
//! connection status, reconnect with backoff, messages typed while
//! disconnected are queued and sent on reconnect). `GET /ws` upgrades to
//! WebSocket; every text message is broadcast to every client, with
//! join/leave notices. A message over 1 MiB is refused with Close 1009,
//! and the page says why.
//!
//! With `--tls-cert` and `--tls-key` (PEM files) it serves `https://` and
//! `wss://` instead (rustls via tokio-rustls; the page picks `wss:` when it
//! was loaded over `https:`). The TLS handshake runs in the connection's own
//! task, bounded by [`HANDSHAKE_TIMEOUT`] like the request head, so a slow or
//! broken client never holds up the others.
//!
//! One tokio task per connection over the async `embedded-io` adapter (over
//! the TCP stream or over the TLS stream on top of it: the same code); the
//! task sits in `select!` between `WebSocket::read` (cancel-safe), the
//! room's broadcast channel and a timer. The timer drives keepalive (a ping
//! after 30 s of silence; a peer silent 15 s after that is dropped with
//! Close 1011) and bounds the closing handshake: a peer that does not
//! answer our Close within 5 s is disconnected.

#[path = "support/args.rs"]
mod args;
#[path = "support/tls.rs"]
mod tls;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use embedded_io_adapters::tokio_1::FromTokio;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::time::Instant as TokioInstant;
use wsframe::deflate::{self, Deflater, Inflater};
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
/// How long a new connection has for the TLS handshake, and then again for
/// its request head.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long writing a whole HTTP reply (the page) or a TLS close may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

const USAGE: &str = "\
usage: chat_server [ADDR] [--tls-cert CERT.pem --tls-key KEY.pem]

  ADDR                 where to listen (default 127.0.0.1:8080)
  --tls-cert CERT.pem  serve https:// and wss:// with this certificate chain
                       (PEM, the server's certificate first)
  --tls-key KEY.pem    the certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1)
  -h, --help           print this and exit
";

const SPEC: args::Spec = args::Spec {
    program: "chat_server",
    usage: USAGE,
    flags: &["--tls-cert", "--tls-key"],
    switches: &[],
    min_positionals: 0,
    max_positionals: 1,
};

type Room = broadcast::Sender<Arc<str>>;

#[tokio::main]
async fn main() {
    let args = args::parse(&SPEC);
    let addr = args.positional(0).unwrap_or("127.0.0.1:8080").to_owned();
    let tls = match (args.value("--tls-cert"), args.value("--tls-key")) {
        (Some(cert), Some(key)) => match tls::server_config(cert.as_ref(), key.as_ref()) {
            Ok(config) => Some(tokio_rustls::TlsAcceptor::from(config)),
            Err(e) => {
                eprintln!("chat_server: TLS: {e}");
                std::process::exit(1);
            }
        },
        (None, None) => None,
        (Some(_), None) => args::refuse(&SPEC, "--tls-cert needs --tls-key"),
        (None, Some(_)) => args::refuse(&SPEC, "--tls-key needs --tls-cert"),
    };
    let listener = match TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("chat_server: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().map_or(addr, |a| a.to_string());
    let (http, ws) = if tls.is_some() {
        ("https", "wss")
    } else {
        ("http", "ws")
    };
    println!("chat_server: open {http}://{local}/ in a browser (WebSocket at {ws}://{local}/ws)");
    let (room, _) = broadcast::channel::<Arc<str>>(256);
    let next_id = Arc::new(AtomicU64::new(1));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, say: not this server's end.
                eprintln!("chat_server: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        stream.set_nodelay(true).ok();
        let room = room.clone();
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let tls = tls.clone();
        tokio::spawn(async move {
            let result = match tls {
                None => serve(stream, room, id).await,
                // The handshake runs here, in the connection's own task.
                Some(acceptor) => {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => serve(stream, room, id).await,
                        Ok(Err(e)) => Err(format!("TLS: {}", tls::describe(&e)).into()),
                        Err(_) => {
                            Err(format!("TLS: no handshake within {HANDSHAKE_TIMEOUT:?}").into())
                        }
                    }
                }
            };
            if let Err(e) = result {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connection's transport: a TCP stream, or a TLS stream over one.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<S: AsyncRead + AsyncWrite + Unpin + Send> Stream for S {}

/// Write `bytes`, then end the stream (TLS: close_notify), within [`WRITE_TIMEOUT`].
async fn reply_and_close<S: Stream>(stream: &mut S, bytes: &[&[u8]]) -> Result<(), BoxError> {
    let write = async {
        for part in bytes {
            stream.write_all(part).await?;
        }
        stream.shutdown().await
    };
    match tokio::time::timeout(WRITE_TIMEOUT, write).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(format!("reply not written within {WRITE_TIMEOUT:?}").into()),
    }
}

async fn serve<S: Stream>(stream: S, room: Room, id: u64) -> Result<(), BoxError> {
    // Room for one 1 MiB message plus headroom; the cap itself stays 1 MiB.
    let config = Config::new()
        .with_keepalive(KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT)
        .with_close_timeout(Some(CLOSE_TIMEOUT));
    // permessage-deflate (RFC 7692) when the browser offers it, as they
    // all do: a 32 KiB inflate window (Firefox's bare offer needs it) and
    // an 8 KiB hash table for the messages we compress.
    let conn = Connection::server(vec![0u8; (1 << 20) + 4096], config)?.with_deflate(
        Inflater::new(vec![0u8; deflate::MAX_WINDOW_LEN])?,
        Deflater::new(vec![0u16; deflate::TABLE_LEN]),
    );
    let mut ws = WebSocket::new(FromTokio::new(stream), conn, vec![0u8; 16 * 1024])?;

    // Read the request head (bounded in time), then route it.
    let head = tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
        loop {
            let parsed = match handshake::parse_head::<32>(
                ws.connection().pending_input(),
                &Limits::DEFAULT,
            ) {
                Ok(Status::Complete(head)) => Some(Some(head.path.to_owned())),
                Ok(Status::Partial { .. }) => None,
                Err(_) => Some(None),
            };
            match parsed {
                Some(path) => return Ok::<_, Error<std::io::Error>>(path),
                None => ws.fill().await?,
            }
        }
    })
    .await;
    let path = match head {
        Ok(Ok(Some(path))) => path,
        Ok(Ok(None)) => {
            let reply =
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            return reply_and_close(ws.transport_mut().inner_mut(), &[reply]).await;
        }
        Ok(Err(e)) => return Err(e.into()),
        Err(_) => return Err(format!("no request head within {HANDSHAKE_TIMEOUT:?}").into()),
    };
    match path.split('?').next().unwrap_or("") {
        "/" | "/index.html" => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                PAGE.len()
            );
            let stream = ws.transport_mut().inner_mut();
            return reply_and_close(stream, &[head.as_bytes(), PAGE.as_bytes()]).await;
        }
        "/ws" => {}
        _ => {
            let reply = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            return reply_and_close(ws.transport_mut().inner_mut(), &[reply]).await;
        }
    }
    ws.accept::<32>(&Limits::DEFAULT, |_| wsframe::io::Answer::Accept(None))
        .await?;

    let mut inbox = room.subscribe();
    let _ = room.send(format!("* user {id} joined").into());
    let result = chat(&mut ws, &room, &mut inbox).await;
    let _ = room.send(format!("* user {id} left").into());
    // Bounded: over TLS the close_notify is a write a stalled peer could block.
    let _ = tokio::time::timeout(WRITE_TIMEOUT, ws.transport_mut().inner_mut().shutdown()).await;
    result
}

/// A room connection: the TLS or TCP stream, a 1 MiB receive buffer, the
/// transmit buffer, permessage-deflate memory.
type Ws<S> = WebSocket<
    FromTokio<S>,
    Vec<u8>,
    Vec<u8>,
    wsframe::NoMask,
    Inflater<Vec<u8>>,
    Deflater<Vec<u16>>,
>;

async fn chat<S: Stream>(
    ws: &mut Ws<S>,
    room: &Room,
    inbox: &mut broadcast::Receiver<Arc<str>>,
) -> Result<(), BoxError> {
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
                // A TLS peer gone without close_notify (browsers do this): a hang-up too.
                Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
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
