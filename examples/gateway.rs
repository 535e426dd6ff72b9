//! The microcontroller-gateway pattern on a PC.
//!
//! ```sh
//! cargo run --example gateway -- ws://127.0.0.1:8080/ws
//! cargo run --example gateway -- wss://localhost:8443/ws --ca ca.pem
//! ```
//! Lines from stdin (standing in for a UART) go out as text messages;
//! received messages go to stdout; keepalive pings hold the connection
//! open; when it drops, it reconnects with backoff, and lines that could not
//! be sent wait in a bounded `heapless` queue (oldest dropped and counted
//! when full).
//!
//! `wss://` runs TLS (rustls) under the WebSocket, with SNI and certificate
//! name checks against the URL's host and the Mozilla roots
//! (`webpki-roots`) plus, with `--ca CA.pem`, the CA certificates in that
//! file. A certificate that does not verify is refused, said so on stderr
//! (`gateway: TLS: certificate not trusted: ...`), and retried with the
//! same backoff as a failed connect.
//!
//! The [`bridge`] module (`support/bridge.rs`) is the part firmware reuses
//! (`examples/firmware` includes it too): it is written against the generic
//! `embedded-io-async` traits and `heapless`, with no std.

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant as StdInstant};

use embedded_io_adapters::tokio_1::FromTokio;
use rustls::pki_types::ServerName;
use support::{Masks, random};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use wsframe::Connection;
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::Error;

#[path = "support/args.rs"]
mod args;
#[path = "support/bridge.rs"]
mod bridge;
#[path = "support/tls.rs"]
mod tls;

/// The bound on the TCP connect, and then on the TLS handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const USAGE: &str = "\
usage: gateway [URL] [--ca CA.pem]

  URL          ws://HOST[:PORT]/PATH or wss://HOST[:PORT]/PATH
               (default ws://127.0.0.1:8080/ws)
  --ca CA.pem  for wss://, also trust the CA certificates in this file
               (PEM), beside the built-in Mozilla roots
  -h, --help   print this and exit

Lines from stdin go to the server as text messages; messages from the
server go to stdout, one per line.
";

const SPEC: args::Spec = args::Spec {
    program: "gateway",
    usage: USAGE,
    flags: &["--ca"],
    switches: &[],
    min_positionals: 0,
    max_positionals: 1,
};

/// The transport under the WebSocket: TCP, or TLS over TCP.
trait Stream: AsyncRead + AsyncWrite + Unpin {}
impl<S: AsyncRead + AsyncWrite + Unpin> Stream for S {}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = args::parse(&SPEC);
    let url_text = args
        .positional(0)
        .unwrap_or("ws://127.0.0.1:8080/ws")
        .to_owned();
    let url =
        Url::parse(&url_text).unwrap_or_else(|e| args::refuse(&SPEC, &format!("{url_text}: {e}")));
    let tls = if url.secure {
        let config = tls::client_config(args.value("--ca").map(std::path::Path::new))
            .unwrap_or_else(|e| {
                eprintln!("gateway: TLS: {e}");
                std::process::exit(1);
            });
        let name = ServerName::try_from(url.host.to_owned()).unwrap_or_else(|e| {
            args::refuse(&SPEC, &format!("{}: not a TLS server name: {e}", url.host))
        });
        Some((tokio_rustls::TlsConnector::from(config), name))
    } else {
        if args.value("--ca").is_some() {
            args::refuse(&SPEC, "--ca is for wss:// URLs");
        }
        None
    };
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    let mut outbox = bridge::Outbox::default();
    let mut rx = vec![0u8; 64 * 1024];
    let mut tx = vec![0u8; 4 * 1024];
    let epoch = StdInstant::now();
    let now = || wsframe::Instant::from_millis(epoch.elapsed().as_millis() as u64);
    let mut backoff = Duration::from_millis(250);

    loop {
        let connect =
            tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((url.host, url.port)));
        let tcp = match connect.await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                eprintln!("gateway: connect failed: {e}; retrying in {backoff:?}");
                if !wait_reconnect(&mut backoff, &mut lines, &mut stdin_open, &mut outbox).await {
                    return;
                }
                continue;
            }
            Err(_) => {
                eprintln!(
                    "gateway: connect failed: no answer within {CONNECT_TIMEOUT:?}; retrying in {backoff:?}"
                );
                if !wait_reconnect(&mut backoff, &mut lines, &mut stdin_open, &mut outbox).await {
                    return;
                }
                continue;
            }
        };
        tcp.set_nodelay(true).ok();
        let stream: Box<dyn Stream> = match &tls {
            None => Box::new(tcp),
            Some((connector, name)) => {
                let handshake = connector.connect(name.clone(), tcp);
                let secured = match tokio::time::timeout(CONNECT_TIMEOUT, handshake).await {
                    Ok(Ok(stream)) => Ok(Box::new(stream)),
                    Ok(Err(e)) => Err(tls::describe(&e)),
                    Err(_) => Err(format!("no handshake within {CONNECT_TIMEOUT:?}")),
                };
                match secured {
                    Ok(stream) => stream,
                    Err(why) => {
                        eprintln!("gateway: TLS: {why}; retrying in {backoff:?}");
                        if !wait_reconnect(&mut backoff, &mut lines, &mut stdin_open, &mut outbox)
                            .await
                        {
                            return;
                        }
                        continue;
                    }
                }
            }
        };
        let request = ClientRequest::new(&url, random());
        let conn = match Connection::client(&mut rx[..], bridge::config(), Masks::from_os()) {
            Ok(conn) => conn,
            Err(e) => {
                eprintln!("gateway: {e}");
                return;
            }
        };
        let mut ws = match bridge::open(FromTokio::new(stream), conn, &mut tx[..], &request).await {
            Ok(ws) => ws,
            Err(e) => {
                eprintln!("gateway: handshake failed: {e}; retrying in {backoff:?}");
                if !wait_reconnect(&mut backoff, &mut lines, &mut stdin_open, &mut outbox).await {
                    return;
                }
                continue;
            }
        };
        eprintln!("gateway: connected to {url_text}");
        backoff = Duration::from_millis(250);
        let session: Result<(), Error<std::io::Error>> = async {
            outbox.flush(&mut ws).await?;
            if !stdin_open {
                // Input ended while we were away: deliver what was queued, then leave.
                ws.close(wsframe::CloseCode::NORMAL, "input closed").await?;
            }
            loop {
                let deadline = ws.connection().poll_timeout();
                let sleep_for = deadline
                    .map(|d| Duration::from_millis(d.as_millis().saturating_sub(now().as_millis())))
                    .unwrap_or(Duration::from_secs(3600));
                tokio::select! {
                    event = ws.read() => {
                        let event = event?;
                        bridge::deliver(&event, &mut |text| println!("{text}"));
                        ws.handle_timeout(now()).await?;
                    }
                    line = lines.next_line(), if stdin_open => match line {
                        Ok(Some(line)) => {
                            outbox.push(&line);
                            outbox.flush(&mut ws).await?;
                        }
                        _ => {
                            stdin_open = false;
                            ws.close(wsframe::CloseCode::NORMAL, "input closed").await?;
                        }
                    },
                    () = tokio::time::sleep(sleep_for) => ws.handle_timeout(now()).await?,
                }
            }
        }
        .await;
        match session {
            Err(Error::Closed) if !stdin_open => {
                eprintln!("gateway: closed");
                return;
            }
            Err(e) => eprintln!(
                "gateway: connection lost: {e}; {} line(s) queued, {} dropped",
                outbox.len(),
                outbox.dropped
            ),
            Ok(()) => {}
        }
        if !wait_reconnect(&mut backoff, &mut lines, &mut stdin_open, &mut outbox).await {
            return;
        }
    }
}

/// Sleep for the backoff while still queueing stdin lines; false when there
/// is nothing left to do (stdin closed and nothing queued).
async fn wait_reconnect(
    backoff: &mut Duration,
    lines: &mut tokio::io::Lines<tokio::io::BufReader<tokio::io::Stdin>>,
    stdin_open: &mut bool,
    outbox: &mut bridge::Outbox,
) -> bool {
    let sleep = tokio::time::sleep(*backoff);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            () = &mut sleep => break,
            line = lines.next_line(), if *stdin_open => match line {
                Ok(Some(line)) => outbox.push(&line),
                _ => *stdin_open = false,
            },
        }
    }
    *backoff = (*backoff * 2).min(Duration::from_secs(10));
    *stdin_open || outbox.len() > 0
}
