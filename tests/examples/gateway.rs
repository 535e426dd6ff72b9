//! `gateway` against `chat_server`: stdin lines out, received text to
//! stdout, reconnect with backoff, lines queued while disconnected.

use std::time::Duration;

use tungstenite::Message;

use crate::chat::join;
use crate::harness::{Proc, free_port, hang_up, recv_text, recv_until};

/// The delay in a `gateway: connect failed: ...; retrying in 500ms` line.
fn retry_delay(line: &str) -> Option<Duration> {
    let rest = line.split("retrying in ").nth(1)?.trim();
    if let Some(ms) = rest.strip_suffix("ms") {
        return ms
            .parse::<f64>()
            .ok()
            .map(|v| Duration::from_secs_f64(v / 1000.0));
    }
    rest.strip_suffix('s')?
        .parse::<f64>()
        .ok()
        .map(Duration::from_secs_f64)
}

#[test]
fn retry_delay_parses_debug_durations() {
    assert_eq!(
        retry_delay("gateway: connect failed: x; retrying in 250ms"),
        Some(Duration::from_millis(250))
    );
    assert_eq!(
        retry_delay("gateway: connect failed: x; retrying in 2s"),
        Some(Duration::from_secs(2))
    );
    assert_eq!(retry_delay("gateway: connected"), None);
}

#[test]
fn gateway_bridges_stdin_and_stdout_and_survives_a_server_restart() {
    let port = free_port();
    let url = format!("ws://127.0.0.1:{port}/ws");
    let chat = Proc::server("chat_server", port);

    // A room member first, so it hears everything the gateway says.
    let (mut c, _) = join(port);
    let mut gateway = Proc::spawn("gateway", &[&url]);
    gateway.stderr_line("connected", |l| l.contains("gateway: connected"));
    recv_until(
        &mut c,
        "the gateway's join notice",
        |m| matches!(m, Message::Text(t) if t.starts_with("* user ") && t.ends_with(" joined")),
    );

    // stdin -> room.
    gateway.write_line("hello from the uart");
    recv_text(&mut c, "hello from the uart");
    // room -> stdout (one message per line).
    c.send(Message::text("hello, gateway")).expect("send");
    gateway.stdout_line("\"hello, gateway\"", |l| l == "hello, gateway");

    // The server goes away.
    drop(chat);
    hang_up(c);
    gateway.stderr_line("connection lost", |l| l.contains("connection lost"));

    // A line typed while disconnected is queued.
    gateway.write_line("queued while offline");
    // Restart only when the next attempt is far enough off for a room
    // member to be in before the gateway flushes its queue (the room keeps
    // no history).
    gateway.stderr_line("a retry at least 2 s away", |l| {
        l.contains("connect failed") && retry_delay(l).is_some_and(|d| d >= Duration::from_secs(2))
    });
    let _chat = Proc::server("chat_server", port);
    let (mut c2, _) = join(port);
    gateway.stderr_line("reconnected", |l| l.contains("gateway: connected"));
    recv_text(&mut c2, "queued while offline");

    // Still bridging after the reconnect.
    gateway.write_line("after reconnect");
    recv_text(&mut c2, "after reconnect");
    c2.send(Message::text("welcome back")).expect("send");
    gateway.stdout_line("\"welcome back\"", |l| l == "welcome back");

    // End of input: the gateway closes the connection and exits by itself.
    gateway.close_stdin();
    let status = gateway.wait_exit();
    assert!(
        status.success(),
        "gateway exited with {status}:\n{}",
        gateway.stderr_text()
    );
}

#[test]
fn gateway_started_before_the_server_keeps_the_newest_32_lines() {
    // Nothing listens yet: the gateway retries with backoff, queueing.
    let port = free_port();
    let url = format!("ws://127.0.0.1:{port}/ws");
    let mut gateway = Proc::spawn("gateway", &[&url]);
    gateway.stderr_line("a failed connect", |l| l.contains("connect failed"));
    for i in 0..39 {
        gateway.write_line(&format!("offline {i:02}"));
    }
    // Longer than the 256-byte line limit, cut at a character boundary.
    let long = format!("a{}", "é".repeat(150));
    gateway.write_line(&long);
    let cut = format!("a{}", "é".repeat(127));
    gateway.stderr_line("a retry at least 2 s away", |l| {
        l.contains("connect failed") && retry_delay(l).is_some_and(|d| d >= Duration::from_secs(2))
    });

    let _chat = Proc::server("chat_server", port);
    let (mut c, _) = join(port);
    // The queue holds 32 lines: the oldest 8 were dropped; order is kept.
    let mut expected: Vec<String> = (8..39).map(|i| format!("offline {i:02}")).collect();
    expected.push(cut);
    let mut got = Vec::new();
    while got.len() < expected.len() {
        let m = recv_until(
            &mut c,
            "queued lines",
            |m| matches!(m, Message::Text(t) if !t.starts_with("* user ")),
        );
        if let Message::Text(t) = m {
            got.push(t.as_str().to_owned());
        }
    }
    assert_eq!(got, expected);
}
