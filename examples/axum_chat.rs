//! The chat room of `chat_server`, served by axum, with wsframe behind
//! hyper's own upgrade mechanism.
//!
//! ```sh
//! cargo run --example axum_chat -- 127.0.0.1:8080    # http://127.0.0.1:8080
//! ```
//! `GET /` serves the same page as `chat_server` (`examples/chat.html`);
//! `/ws` is the room (every text message is broadcast to everyone, with
//! join/leave notices; binary is refused with 1003, a message over 1 MiB
//! with 1009); `/echo` echoes every message, text or binary, fragmented or
//! not (the server the Autobahn suite is pointed at in `ci/autobahn.sh`).
//!
//! axum only routes. Its `ws` feature (tungstenite) is not used: the route
//! checks the request with wsframe's handshake parser
//! ([`handshake::parse_request`] over the head hyper parsed), answers the
//! `101` itself with [`handshake::accept_key`], and takes the stream from
//! [`hyper::upgrade::on`]. permessage-deflate is answered in that `101`
//! ([`wsframe::deflate::Capability::answer_from`] over the offers). The
//! upgraded stream is hyper's; wsframe adopts it with a connection opened by
//! `finish_handshake(Finished::elsewhere().with_deflate(agreed))` (as
//! [`Connection::upgraded`] does, with the extension), and is handed any
//! bytes hyper read past the request head (a client may send its first
//! frame with the head) with [`Connection::handle_bytes`]. Then it is the
//! same async adapter as in `chat_server`: hyper's `Upgraded` (or the TCP
//! stream under it) as tokio `AsyncRead + AsyncWrite` through
//! `hyper_util::rt::TokioIo`, under `embedded_io_adapters::tokio_1::FromTokio`.
//!
//! Deadlines and memory: a request head must arrive within 10 s (hyper's
//! `header_read_timeout`) and is at most 16 KiB; a connection may speak
//! plain HTTP for 60 s in all; at most 256 WebSocket sessions at once (a
//! 503 after that), each with a 1 MiB message cap in a buffer allocated
//! once; every write (an echo, a broadcast message, a ping) must finish
//! within 10 s or the session is dropped; keepalive pings a client silent
//! for 30 s and drops it 15 s later (Close 1011); a client that does not
//! answer our Close within 5 s is disconnected. The room is a bounded
//! broadcast ring of 256 messages: a client that falls behind is told how
//! many it missed, and nobody waits for it.

#[path = "support/args.rs"]
mod args;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Version, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use embedded_io_adapters::tokio_1::FromTokio;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast};
use tokio::time::Instant as TokioInstant;
use wsframe::deflate::{self, Capability, Deflater, Inflater, Params};
use wsframe::handshake::{self, Limits, RequestError};
use wsframe::io::{Error, asynch::WebSocket};
use wsframe::{CloseCode, Config, Connection, Event, Instant, MessageKind, NoMask, Status};

const PAGE: &str = include_str!("chat.html");

/// Ping a client silent this long.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Drop a client that stays silent this long after the ping.
const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a client has to answer our Close.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a request head may take to arrive (hyper's header timeout), and
/// how long hyper may take to hand over the stream after our 101.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may speak plain HTTP before it upgrades (or not).
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long any one write may take: a message, a ping, a close.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long we read and discard after our last frame, so that closing the
/// socket with unread input does not reset the connection under our Close.
const LINGER: Duration = Duration::from_secs(2);
/// The largest request head hyper buffers (its minimum is 8 KiB).
const MAX_HEAD: usize = 16 * 1024;
/// WebSocket sessions at once; a client past this gets a 503.
const MAX_SESSIONS: usize = 256;
/// The message cap (wsframe's default): over it, Close 1009.
const MAX_MESSAGE: usize = wsframe::DEFAULT_MAX_MESSAGE_LEN;
/// The receive buffer: one message at the cap plus room for frame headers.
const RX_LEN: usize = MAX_MESSAGE + 64 * 1024;
/// The send buffer: larger messages go out in frames of this size.
const TX_LEN: usize = 16 * 1024;

const USAGE: &str = "\
usage: axum_chat [ADDR]

  ADDR        where to listen (default 127.0.0.1:8080): the page at /,
              the chat room at /ws, an echo server at /echo
  -h, --help  print this and exit
";

const SPEC: args::Spec = args::Spec {
    program: "axum_chat",
    usage: USAGE,
    flags: &[],
    switches: &[],
    min_positionals: 0,
    max_positionals: 1,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the routes share.
#[derive(Clone)]
struct App {
    room: broadcast::Sender<Arc<str>>,
    next_id: Arc<AtomicU64>,
    sessions: Arc<Semaphore>,
}

/// What an upgraded connection does.
#[derive(Clone, Copy, Debug)]
enum Route {
    Chat,
    Echo,
}

#[tokio::main]
async fn main() {
    let args = args::parse(&SPEC);
    let addr = args.positional(0).unwrap_or("127.0.0.1:8080").to_owned();
    let listener = match TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("axum_chat: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().map_or(addr, |a| a.to_string());
    println!(
        "axum_chat: open http://{local}/ in a browser (room at ws://{local}/ws, echo at ws://{local}/echo)"
    );
    let app = App {
        room: broadcast::channel(256).0,
        next_id: Arc::new(AtomicU64::new(1)),
        sessions: Arc::new(Semaphore::new(MAX_SESSIONS)),
    };
    let router = Router::new()
        .route("/", get(page))
        .route("/index.html", get(page))
        .route("/ws", any(chat_route))
        .route("/echo", any(echo_route))
        .with_state(app);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, say: not this server's end.
                eprintln!("axum_chat: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        stream.set_nodelay(true).ok();
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .max_buf_size(MAX_HEAD);
            // `with_upgrades`: after a 101 the future ends and hands the
            // stream to the route's `OnUpgrade`.
            let conn = http
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            match tokio::time::timeout(HTTP_TIMEOUT, conn).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("{peer}: HTTP: {e}"),
                Err(_) => eprintln!("{peer}: HTTP: connection still open after {HTTP_TIMEOUT:?}"),
            }
        });
    }
}

async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
}

async fn chat_route(State(app): State<App>, request: Request) -> Response {
    upgrade(app, request, Route::Chat)
}

async fn echo_route(State(app): State<App>, request: Request) -> Response {
    upgrade(app, request, Route::Echo)
}

/// Check the upgrade request, answer the 101, and start the session in a
/// task of its own once hyper hands over the stream.
fn upgrade(app: App, mut request: Request, route: Route) -> Response {
    let accept = match check_request(&request).map(|key| HeaderValue::from_bytes(&key)) {
        Ok(Ok(accept)) => accept,
        // base64 is always a valid header value.
        Ok(Err(_)) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &[]),
        Err(fault) => return refusal(fault),
    };
    let Ok(permit) = app.sessions.clone().try_acquire_owned() else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            &[(header::RETRY_AFTER, "5")],
        );
    };
    // permessage-deflate (RFC 7692): the first offer our memory can honour,
    // answered in the 101 and handed to the session.
    let mut answer = [0u8; Capability::MAX_ANSWER_LEN];
    let offers = request
        .headers()
        .get_all(header::SEC_WEBSOCKET_EXTENSIONS)
        .iter()
        .map(HeaderValue::as_bytes);
    let agreed = match Capability::DEFAULT.answer_from(offers, &mut answer) {
        Ok(Some((params, n))) => HeaderValue::from_bytes(&answer[..n])
            .ok()
            .map(|value| (params, value)),
        _ => None,
    };
    let deflate = agreed.as_ref().map(|(params, _)| *params);
    let on_upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let result = match tokio::time::timeout(HEAD_TIMEOUT, on_upgrade).await {
            Ok(Ok(upgraded)) => adopt(upgraded, app, route, permit, deflate).await,
            Ok(Err(e)) => Err(format!("upgrade failed: {e}").into()),
            Err(_) => Err(format!("no upgrade within {HEAD_TIMEOUT:?}").into()),
        };
        if let Err(e) = result {
            eprintln!("axum_chat: {route:?} session: {e}");
        }
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    if let Some((_, value)) = agreed {
        headers.insert(header::SEC_WEBSOCKET_EXTENSIONS, value);
    }
    response
}

/// Validate the request as an opening handshake (RFC 6455 §4.2.1) with
/// wsframe's parser, over the head rebuilt from what hyper parsed, and
/// return the `Sec-WebSocket-Accept` value; or the fault, which knows the
/// status to refuse it with (400, 405, 426, 431).
fn check_request(request: &Request) -> Result<[u8; handshake::ACCEPT_KEY_LEN], RequestError> {
    let head = rebuild_head(request);
    match handshake::parse_request::<64>(&head, &Limits::DEFAULT)? {
        // No subprotocol is chosen; permessage-deflate is answered by
        // `upgrade` from the offers (RFC 7692).
        Status::Complete(parsed) => Ok(handshake::accept_key(parsed.key().as_bytes())),
        // A rebuilt head always ends with its empty line: only a head over
        // the limit can still be partial.
        Status::Partial { .. } => Err(RequestError::HeadTooLarge),
    }
}

/// The request head as it came on the wire, near enough for the
/// handshake's rules: request line, every header line in order (hyper
/// keeps repeated headers, so a second `Host` is still seen), empty line.
fn rebuild_head(request: &Request) -> Vec<u8> {
    let mut head = Vec::with_capacity(1024);
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str());
    let version = match request.version() {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    for part in [request.method().as_str(), " ", target, " ", version, "\r\n"] {
        head.extend_from_slice(part.as_bytes());
    }
    for (name, value) in request.headers() {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// The refusal of a faulty handshake, with the headers RFC 6455 §4.4 and
/// RFC 9110 ask of its status (as wsframe's `handshake::reject` writes them).
fn refusal(e: RequestError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    match status.as_u16() {
        405 => refuse(status, &[(header::ALLOW, "GET")]),
        426 => refuse(
            status,
            &[
                (header::UPGRADE, "websocket"),
                (header::SEC_WEBSOCKET_VERSION, "13"),
            ],
        ),
        _ => refuse(status, &[]),
    }
}

/// An empty response with `status` and `Connection: close`.
fn refuse(status: StatusCode, headers: &[(header::HeaderName, &'static str)]) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    let map = response.headers_mut();
    map.insert(header::CONNECTION, HeaderValue::from_static("close"));
    for (name, value) in headers {
        map.insert(name.clone(), HeaderValue::from_static(value));
    }
    response
}

/// A session's transport: the TCP stream, or hyper's `Upgraded` over it.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<S: AsyncRead + AsyncWrite + Unpin + Send> Stream for S {}

type Ws<S> =
    WebSocket<FromTokio<S>, Vec<u8>, Vec<u8>, NoMask, Inflater<Vec<u8>>, Deflater<Vec<u16>>>;

/// Take the stream hyper upgraded. Under hyper's `Upgraded` is our
/// `TokioIo<TcpStream>`: take it out, with the bytes hyper read past the
/// request head (`read_buf`), which become the connection's first input.
/// Any other transport stays inside `Upgraded`, which replays those bytes
/// itself.
async fn adopt(
    upgraded: hyper::upgrade::Upgraded,
    app: App,
    route: Route,
    permit: OwnedSemaphorePermit,
    deflate: Option<Params>,
) -> Result<(), BoxError> {
    match upgraded.downcast::<TokioIo<TcpStream>>() {
        Ok(parts) => {
            let early = &parts.read_buf;
            session(parts.io.into_inner(), early, app, route, permit, deflate).await
        }
        Err(upgraded) => session(TokioIo::new(upgraded), &[], app, route, permit, deflate).await,
    }
}

async fn session<S: Stream>(
    stream: S,
    early: &[u8],
    app: App,
    route: Route,
    permit: OwnedSemaphorePermit,
    deflate: Option<Params>,
) -> Result<(), BoxError> {
    let config = Config::new()
        .with_max_message_len(MAX_MESSAGE)
        .with_keepalive(KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT)
        .with_close_timeout(Some(CLOSE_TIMEOUT));
    // The handshake is done (hyper wrote our 101): open the connection with
    // what it agreed (permessage-deflate, if our answer had it), with a
    // 32 KiB inflate window and an 8 KiB hash table.
    let mut conn = Connection::server(vec![0u8; RX_LEN], config)?.with_deflate(
        Inflater::new(vec![0u8; deflate::MAX_WINDOW_LEN])?,
        Deflater::new(vec![0u16; deflate::TABLE_LEN]),
    );
    conn.finish_handshake(handshake::Finished::elsewhere().with_deflate(deflate));
    if conn.handle_bytes(early) < early.len() {
        // Cannot happen: hyper reads at most MAX_HEAD bytes, RX_LEN is more.
        return Err(format!("{} early bytes do not fit the buffer", early.len()).into());
    }
    let mut ws = WebSocket::new(FromTokio::new(stream), conn, vec![0u8; TX_LEN])?;
    let result = match route {
        Route::Chat => {
            let id = app.next_id.fetch_add(1, Ordering::Relaxed);
            let mut inbox = app.room.subscribe();
            let _ = app.room.send(format!("* user {id} joined").into());
            let result = chat(&mut ws, &app.room, &mut inbox).await;
            let _ = app.room.send(format!("* user {id} left").into());
            result
        }
        Route::Echo => echo(&mut ws).await,
    };
    linger(ws.transport_mut().inner_mut()).await;
    drop(permit);
    result
}

/// The connection's clock: milliseconds since the session started.
struct Clock(TokioInstant);

impl Clock {
    fn now(&self) -> Instant {
        Instant::from_millis(u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    /// When to call `handle_timeout` next: keepalive's next step or the
    /// close timeout, whichever the connection asks for.
    fn wake<S: Stream>(&self, ws: &Ws<S>) -> TokioInstant {
        match ws.connection().poll_timeout() {
            Some(at) => self.0 + Duration::from_millis(at.as_millis()),
            None => TokioInstant::now() + KEEPALIVE_INTERVAL,
        }
    }
}

/// Run one write with [`WRITE_TIMEOUT`]; a client that stops reading is
/// dropped rather than holding its session forever.
async fn within<T>(
    what: &str,
    write: impl Future<Output = Result<T, Error<std::io::Error>>>,
) -> Result<T, Error<std::io::Error>> {
    match tokio::time::timeout(WRITE_TIMEOUT, write).await {
        Ok(result) => result,
        Err(_) => Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("{what}: not written within {WRITE_TIMEOUT:?}"),
        ))),
    }
}

/// How a read ended the session: normally (the peer's Close, a hang-up)
/// or not.
fn ended(e: Error<std::io::Error>) -> Result<(), BoxError> {
    match e {
        Error::Closed | Error::UnexpectedEof => Ok(()),
        Error::Io(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
            ) =>
        {
            Ok(())
        }
        e => Err(e.to_string().into()),
    }
}

/// The room: what the client says goes to everyone; what anyone says
/// comes to the client.
async fn chat<S: Stream>(
    ws: &mut Ws<S>,
    room: &broadcast::Sender<Arc<str>>,
    inbox: &mut broadcast::Receiver<Arc<str>>,
) -> Result<(), BoxError> {
    let clock = Clock(TokioInstant::now());
    loop {
        let wake = clock.wake(ws);
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {
                within("keepalive", ws.handle_timeout(clock.now())).await?;
            }
            // `read` is cancel-safe: a message half-read stays in the buffer.
            event = ws.read() => match event {
                Ok(Event::Text(text)) => {
                    let _ = room.send(text.into());
                }
                Ok(Event::Binary(_)) => {
                    within("close", ws.close(CloseCode::UNSUPPORTED_DATA, "text only")).await?;
                }
                Ok(_) => {}
                Err(e) => return ended(e),
            },
            message = inbox.recv() => match message {
                Ok(text) => match within("message", ws.send_text(&text)).await {
                    Ok(()) | Err(Error::Send(_)) => {} // closing: drop it
                    Err(e) => return Err(e.to_string().into()),
                },
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    // Say so rather than lose messages silently.
                    let notice = format!("* {n} messages were skipped: this connection fell behind");
                    match within("notice", ws.send_text(&notice)).await {
                        Ok(()) | Err(Error::Send(_)) => {}
                        Err(e) => return Err(e.to_string().into()),
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
        }
    }
}

/// Echo every message with its kind. The event borrows the receive buffer
/// and sending needs the connection again, so the message is copied into
/// `scratch` (at most the 1 MiB cap, reused).
async fn echo<S: Stream>(ws: &mut Ws<S>) -> Result<(), BoxError> {
    let clock = Clock(TokioInstant::now());
    let mut scratch = Vec::new();
    loop {
        let wake = clock.wake(ws);
        let kind = tokio::select! {
            () = tokio::time::sleep_until(wake) => {
                within("keepalive", ws.handle_timeout(clock.now())).await?;
                continue;
            }
            event = ws.read() => match event {
                Ok(Event::Text(text)) => {
                    scratch.clear();
                    scratch.extend_from_slice(text.as_bytes());
                    MessageKind::Text
                }
                Ok(Event::Binary(data)) => {
                    scratch.clear();
                    scratch.extend_from_slice(data);
                    MessageKind::Binary
                }
                Ok(_) => continue,
                Err(e) => return ended(e),
            },
        };
        match within("echo", ws.send(kind, &scratch)).await {
            Ok(()) | Err(Error::Send(_)) => {} // closing: no more echoes
            Err(e) => return Err(e.to_string().into()),
        }
    }
}

/// End our side of the stream, then read and discard until the client
/// closes its side (at most [`LINGER`]): dropping a socket with unread
/// input makes the kernel send a reset, which can destroy our Close
/// before the client reads it.
async fn linger<S: Stream>(stream: &mut S) {
    let _ = tokio::time::timeout(WRITE_TIMEOUT, stream.shutdown()).await;
    let mut sink = [0u8; 4096];
    let drain = async { while let Ok(1..) = stream.read(&mut sink).await {} };
    let _ = tokio::time::timeout(LINGER, drain).await;
}
