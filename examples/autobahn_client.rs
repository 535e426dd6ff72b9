//! Autobahn test-suite client: the fuzzing server drives the client role.
//!
//! ```sh
//! cargo run --release --example autobahn_client -- ws://127.0.0.1:9001 AGENT [--max-message BYTES] [--split]
//! ```
//! `--split`: each case runs on the split halves, a reader thread and a
//! writer thread (`support/split_echo.rs`).
//! Asks `/getCaseCount`, runs `/runCase?case=N&agent=AGENT` for every case
//! (echoing each message with its type), then `/updateReports?agent=AGENT`.

#[path = "support/mod.rs"]
mod support;

use std::net::TcpStream;

use embedded_io_adapters::std::FromStd;
use support::{Masks, random};
use wsframe::deflate::{Deflater, Inflater};
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::blocking::WebSocket;
use wsframe::{Config, Connection, Event, MessageKind};

type Ws =
    WebSocket<FromStd<TcpStream>, Vec<u8>, Vec<u8>, Masks, Inflater<Vec<u8>>, Deflater<Vec<u16>>>;

fn open(base: &str, path: &str, max_message: usize) -> Result<Ws, Box<dyn std::error::Error>> {
    let full = format!("{base}{path}");
    let url = Url::parse(&full).map_err(|e| format!("{full}: {e}"))?;
    let stream = TcpStream::connect((url.host, url.port))?;
    stream.set_nodelay(true).ok();
    let config = Config::new()
        .with_max_message_len(max_message)
        .with_max_frame_len(max_message)
        // The default's rationale at any cap: a whole message in 16-byte fragments.
        .with_max_fragments(support::fragments_for(max_message));
    // permessage-deflate offered (RFC 7692), with a 32 KiB inflate window.
    let inflater = Inflater::new(vec![0u8; wsframe::deflate::MAX_WINDOW_LEN])?;
    let conn = Connection::client(vec![0u8; max_message + 64 * 1024], config, Masks::from_os())?
        .with_deflate(
            inflater,
            Deflater::new(vec![0u16; wsframe::deflate::TABLE_LEN]),
        );
    let mut request = ClientRequest::new(&url, random());
    if let Some(offer) = conn.deflate_offer() {
        request = request.with_deflate(offer);
    }
    let mut ws = WebSocket::new(FromStd::new(stream), conn, vec![0u8; 64 * 1024])?;
    ws.connect(&request)
        .map_err(|e| format!("handshake with {full}: {e}"))?;
    Ok(ws)
}

/// Echo until the connection closes; returns the first text message seen.
fn run(ws: Ws, split: bool) -> Option<String> {
    if split {
        return match support::split_echo::run(ws, |_| None) {
            Ok((stream, first)) => {
                support::linger(stream, std::time::Duration::from_secs(2));
                first
            }
            Err(_) => None,
        };
    }
    run_whole(ws)
}

fn run_whole(mut ws: Ws) -> Option<String> {
    let mut first_text = None;
    let mut scratch = Vec::new();
    loop {
        let kind = match ws.read() {
            Ok(Event::Text(t)) => {
                if first_text.is_none() {
                    first_text = Some(t.to_owned());
                }
                scratch.clear();
                scratch.extend_from_slice(t.as_bytes());
                MessageKind::Text
            }
            Ok(Event::Binary(b)) => {
                scratch.clear();
                scratch.extend_from_slice(b);
                MessageKind::Binary
            }
            Ok(_) => continue,
            Err(_) => {
                // Closed normally or failed (our Close is written): let the
                // server close the TCP connection first (RFC 6455 §7.1.1).
                support::linger(
                    ws.into_parts().0.into_inner(),
                    std::time::Duration::from_secs(2),
                );
                return first_text;
            }
        };
        if ws.send(kind, &scratch).is_err() {
            return first_text;
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut max_message = wsframe::DEFAULT_MAX_MESSAGE_LEN;
    let mut split = false;
    while let Some(arg) = args.next() {
        if arg == "--split" {
            split = true;
        } else if arg == "--max-message" {
            max_message = args
                .next()
                .and_then(|v| v.parse().ok())
                .ok_or("--max-message BYTES")?;
        } else {
            positional.push(arg);
        }
    }
    let base = positional
        .first()
        .cloned()
        .unwrap_or_else(|| "ws://127.0.0.1:9001".to_owned());
    let base = base.trim_end_matches('/').to_owned();
    let agent = positional
        .get(1)
        .cloned()
        .unwrap_or_else(|| "wsframe".to_owned());

    let count: u32 = run(open(&base, "/getCaseCount", max_message)?, split)
        .and_then(|t| t.trim().parse().ok())
        .ok_or("no case count")?;
    println!("{count} cases");
    for case in 1..=count {
        match open(
            &base,
            &format!("/runCase?case={case}&agent={agent}"),
            max_message,
        ) {
            Ok(ws) => {
                run(ws, split);
            }
            Err(e) => eprintln!("case {case}: {e}"),
        }
    }
    run(
        open(&base, &format!("/updateReports?agent={agent}"), max_message)?,
        split,
    );
    println!("reports updated for agent {agent}");
    Ok(())
}
