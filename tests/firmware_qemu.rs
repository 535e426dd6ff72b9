//! The firmware of `examples/firmware` in QEMU (`mps2-an386`, Cortex-M4)
//! joins the chat room of `examples/chat_server.rs` through its UART and
//! `examples/uart_relay.rs`, and talks to a tungstenite client of the room;
//! when the server goes away (killed, or closing the session) the firmware
//! reconnects over the same UART and relay, with a backoff, and chats again.
//!
//! The firmware's `wss://` build (feature `tls`) does the same over TLS 1.3
//! to `chat_server --tls-cert --tls-key`, through `uart_relay --tls`,
//! checking the server's certificate against a CA built into the image;
//! and refuses a server whose certificate another CA signed. The CAs and
//! certificates are made here with rcgen (in the firmware's target
//! directory, `tls-pki/`, kept between runs so the image is not rebuilt
//! each time; nothing of it is committed).
//!
//! Skipped (with a message) when `qemu-system-arm` or the
//! `thumbv7em-none-eabihf` target is missing, unless `WSFRAME_REQUIRE_QEMU=1`
//! is set (as `ci/firmware.sh` does): then that is a failure. Every wait is
//! bounded; QEMU, the relay and the server are killed when the test ends,
//! passed or failed.

#[allow(dead_code)] // this test uses part of the example-test harness
#[path = "examples/harness.rs"]
mod harness;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use harness::{Proc, WAIT, free_port, recv_text, recv_until, ws_connect};
use tungstenite::Message;

const TARGET: &str = "thumbv7em-none-eabihf";
/// The firmware's run time in seconds: an upper bound, the test ends it
/// sooner with "quit".
const FIRMWARE_SECONDS: u32 = 60;
/// The firmware's greeting and the tag of the lines it forwards.
const GREETING: &str = "[cortex-m] hello from cortex-m";
const HEARD: &str = "[cortex-m] heard: ";

/// Whether a missing QEMU (or target) fails the test instead of skipping it.
fn required() -> bool {
    std::env::var_os("WSFRAME_REQUIRE_QEMU").is_some_and(|v| v == "1")
}

/// Skip (returning false) or fail, explaining why.
fn unavailable(why: &str) -> bool {
    assert!(!required(), "{why}, and WSFRAME_REQUIRE_QEMU=1 is set");
    eprintln!(
        "SKIPPED firmware_qemu: {why} (run ci/firmware.sh, or set WSFRAME_REQUIRE_QEMU=1 to make this a failure)"
    );
    false
}

/// QEMU and the Cortex-M target are both there.
fn tools_present() -> bool {
    let qemu = Command::new("qemu-system-arm")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !qemu.is_ok_and(|s| s.success()) {
        return unavailable("qemu-system-arm is not installed");
    }
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if !Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .is_dir()
    {
        return unavailable(&format!("the Rust target {TARGET} is not installed"));
    }
    true
}

/// Build the firmware (release) and return its ELF. Runs in the firmware's
/// directory so its `.cargo/config.toml` (target, linker script) applies,
/// with its own target directory whatever the environment says.
fn build_firmware() -> PathBuf {
    static ELF: OnceLock<PathBuf> = OnceLock::new();
    ELF.get_or_init(|| build_firmware_now(&firmware_dir().join("target"), &[], None))
        .clone()
}

/// The `wss://` build, with the CA of [`pki`] built in (its own target
/// directory, `target/tls`, so the two builds never overwrite each other).
fn build_tls_firmware() -> PathBuf {
    static ELF: OnceLock<PathBuf> = OnceLock::new();
    ELF.get_or_init(|| {
        let target_dir = firmware_dir().join("target/tls");
        build_firmware_now(&target_dir, &["--features", "tls"], Some(&pki().ca_der))
    })
    .clone()
}

fn firmware_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/firmware")
}

fn build_firmware_now(target_dir: &Path, args: &[&str], ca: Option<&Path>) -> PathBuf {
    let dir = firmware_dir();
    let mut cargo = Command::new(env!("CARGO"));
    if let Some(ca) = ca {
        cargo.env("WSFRAME_FIRMWARE_CA", ca);
    }
    let out = cargo
        .args(["build", "--release", "--quiet", "--target", TARGET])
        .args(args)
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(&dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .stdin(Stdio::null())
        .output()
        .expect("run cargo build for the firmware");
    assert!(
        out.status.success(),
        "building the firmware failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let elf = target_dir.join(TARGET).join("release/wsframe-firmware");
    assert!(elf.is_file(), "no firmware at {}", elf.display());
    elf
}

/// QEMU running the firmware; killed on drop. Its stdout is the firmware's
/// semihosting console.
struct Qemu {
    child: Child,
    console: Receiver<String>,
    log: Arc<Mutex<Vec<String>>>,
}

fn lines_into(
    reader: impl Read + Send + 'static,
    log: Arc<Mutex<Vec<String>>>,
) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            log.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(line.clone());
            let _ = tx.send(line);
        }
    });
    rx
}

impl Qemu {
    fn start(elf: &Path, serial: &str, seconds: u32) -> Self {
        let mut child = Command::new("qemu-system-arm")
            .args(["-machine", "mps2-an386", "-cpu", "cortex-m4"])
            .args(["-display", "none", "-monitor", "none"])
            .arg("-serial")
            .arg(format!("tcp:{serial},nodelay=on"))
            .arg("-semihosting-config")
            .arg(format!(
                "enable=on,target=native,arg=wsframe-firmware,arg={seconds}"
            ))
            .arg("-kernel")
            .arg(elf)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn qemu-system-arm");
        let log = Arc::new(Mutex::new(Vec::new()));
        let console = lines_into(child.stdout.take().expect("stdout"), log.clone());
        // QEMU's own complaints go to stderr: keep them in the log too.
        let _ = lines_into(child.stderr.take().expect("stderr"), log.clone());
        Self {
            child,
            console,
            log,
        }
    }

    /// The next console line for which `pred` holds (others skipped).
    fn line(&self, what: &str, mut pred: impl FnMut(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.console.recv_timeout(left) {
                Ok(line) if pred(&line) => return line,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out after {WAIT:?} waiting for the firmware to print {what}")
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("QEMU's output ended while waiting for {what}")
                }
            }
        }
    }

    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait qemu") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "QEMU did not exit within {WAIT:?}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!(
                "--- QEMU console ---\n{}\n--- end ---",
                self.log
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .join("\n")
            );
        }
    }
}

fn text_of(message: &Message) -> Option<&str> {
    match message {
        Message::Text(t) => Some(t.as_str()),
        _ => None,
    }
}

#[test]
fn firmware_chats_through_the_uart() {
    if !tools_present() {
        return;
    }
    let elf = build_firmware();

    let port = free_port();
    let server = Proc::server("chat_server", port);
    let mut room = ws_connect(port, "/ws");
    recv_until(&mut room, "own join notice", |m| {
        text_of(m).is_some_and(|t| t.starts_with("* user "))
    });

    let (mut relay, serial) = start_relay(port);
    let mut qemu = Qemu::start(&elf, &serial, FIRMWARE_SECONDS);

    qemu.line("that it connected", |l| {
        l.starts_with("firmware: connected to ")
    });
    // chat_server accepts the firmware's offer of permessage-deflate with
    // its small window; the 1.7 KB message below arrives compressed.
    qemu.line("that permessage-deflate was agreed", |l| {
        l == "firmware: permessage-deflate agreed (window 2^10)"
    });
    // The firmware's join notice, then its greeting, reach the other client.
    recv_until(&mut room, "the firmware's join notice", |m| {
        text_of(m).is_some_and(|t| t.starts_with("* user ") && t.ends_with(" joined"))
    });
    recv_text(&mut room, GREETING);
    qemu.line("its own greeting", |l| {
        l == format!("firmware: received: {GREETING}")
    });

    // A message from the room reaches the firmware, which forwards it back.
    let note = "hello board, from the test ✓";
    room.send(Message::text(note)).expect("send to the room");
    qemu.line("the test's message", |l| {
        l == format!("firmware: received: {note}")
    });
    recv_text(&mut room, &format!("{HEARD}{note}"));
    // Its own forwarded line comes back to it and is not forwarded again.
    qemu.line("its forwarded line", |l| {
        l == format!("firmware: received: {HEARD}{note}")
    });

    // A message of 2,000 bytes crosses the one-byte UART whole; the line
    // forwarded is cut at a character boundary to the bridge's 256 bytes.
    let long: String = "0123456789abcdefghijklmnopqrstuvwxyz-äöü✓ ".repeat(50);
    let long = &long[..long.char_indices().nth(1500).map_or(long.len(), |(i, _)| i)];
    assert!(long.len() > 1500);
    let sent = Instant::now();
    room.send(Message::text(long))
        .expect("send the long message");
    qemu.line("the long message", |l| {
        l.strip_prefix("firmware: received: ") == Some(long)
    });
    let heard = recv_until(&mut room, "the long message forwarded", |m| {
        text_of(m).is_some_and(|t| t.starts_with(HEARD) && t.len() > 200)
    });
    eprintln!(
        "firmware_qemu: {} bytes to the firmware and a line back in {:?}",
        long.len(),
        sent.elapsed()
    );
    let heard = text_of(&heard).expect("text");
    let body = heard.strip_prefix(HEARD).expect("tag");
    assert!(
        heard.len() <= 256,
        "forwarded line of {} bytes",
        heard.len()
    );
    assert!(heard.len() > 252, "cut too short: {} bytes", heard.len());
    assert!(long.starts_with(body), "forwarded {heard:?}");

    // The chat server dies. The relay keeps the UART, tells the firmware
    // with a Close 1014 (the server left between frames without one), and
    // answers 502 to the handshakes while nothing listens; the firmware
    // backs off 1 s, then 2 s.
    drop(room);
    drop(server);
    relay.stdout_line("the end of session 1", |l| {
        l.starts_with("uart_relay: session 1: the server side ended")
            && l.ends_with("told the board Close 1014")
    });
    qemu.line("the relay's close", |l| {
        l == "firmware: server closed: Some(1014)"
    });
    qemu.line("the first backoff", |l| {
        l == "firmware: reconnecting in 1000 ms (attempt 1)"
    });
    relay.stdout_line("the refused session 2", |l| {
        l.starts_with("uart_relay: session 2: cannot reach ")
    });
    qemu.line("a failed handshake", |l| {
        l.starts_with("firmware: handshake failed")
    });
    qemu.line("the second backoff", |l| {
        l == "firmware: reconnecting in 2000 ms (attempt 2)"
    });
    // A new server on the same port: the firmware joins it (if it is not
    // up within the 2 s, a later attempt does) and chats again.
    let server = Proc::server("chat_server", port);
    let mut room = ws_connect(port, "/ws");
    let own = recv_until(&mut room, "own join notice in the new room", |m| {
        text_of(m).is_some_and(|t| t.starts_with("* user "))
    });
    let own_user = text_of(&own)
        .and_then(|t| t.strip_prefix("* user "))
        .and_then(|t| t.strip_suffix(" joined"))
        .expect("own join notice")
        .to_owned();
    // Whether the firmware joined before or after the test's client, once
    // both are in, a message makes the round trip.
    qemu.line("that it connected again", |l| {
        l.starts_with("firmware: connected to ")
    });
    // Its greeting coming back to it means the room has it as a member.
    qemu.line("its greeting in the new room", |l| {
        l == format!("firmware: received: {GREETING}")
    });
    let again = "after the restart";
    room.send(Message::text(again))
        .expect("send to the new room");
    recv_text(&mut room, &format!("{HEARD}{again}"));

    // "quit": the firmware closes cleanly and leaves QEMU with success.
    room.send(Message::text("quit")).expect("send quit");
    qemu.line("that it closes", |l| l == "firmware: closing (quit)");
    qemu.line("a clean close", |l| {
        l.starts_with("firmware: closed cleanly")
    });
    let stack = qemu.line("its stack use", |l| {
        l.starts_with("firmware: stack high-water mark ")
    });
    let numbers: Vec<usize> = stack
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        matches!(numbers.as_slice(), [used, size] if *used > 0 && used < size),
        "{stack}"
    );
    eprintln!("firmware_qemu: {stack}");
    qemu.line("a successful exit", |l| l == "firmware: exit ok");
    let status = qemu.wait_exit();
    assert!(status.success(), "QEMU exited with {status}");

    // The room hears it leave, and nothing was forwarded twice.
    let mut echoes = 0;
    recv_until(&mut room, "the firmware leave", |m| {
        let text = text_of(m).unwrap_or_default();
        echoes += usize::from(text.starts_with(&format!("{HEARD}{HEARD}")));
        text.strip_prefix("* user ")
            .and_then(|t| t.strip_suffix(" left"))
            .is_some_and(|user| user != own_user)
    });
    assert_eq!(echoes, 0, "the firmware forwarded its own line");

    // The relay notices the board left and ends by itself.
    // Three sessions or more (one refused while the server was down; more
    // if the new server took over 2 s to start).
    let summary = relay.stdout_line("its summary", |l| l.starts_with("uart_relay: done, "));
    let sessions: u32 = summary
        .split_whitespace()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .expect("session count");
    assert!(sessions >= 3, "{summary}");
    assert!(relay.wait_exit().success());
    drop(server);
}

/// With the test as the server (tungstenite, behind the same relay): a Ping
/// sent down the UART comes back as a Pong with the same payload, answered
/// by the library inside the firmware, and a Close from the server is
/// echoed; then the firmware reconnects through the same relay (a second
/// TCP connection, nothing of the first session in it), a message makes the
/// round trip, and "quit" ends the run with success.
#[test]
fn firmware_answers_pings_and_the_servers_close() {
    if !tools_present() {
        return;
    }
    let elf = build_firmware();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let server_port = listener.local_addr().expect("local addr").port();
    let (mut relay, serial) = start_relay(server_port);
    let mut qemu = Qemu::start(&elf, &serial, FIRMWARE_SECONDS);

    let mut ws = accept_ws(&listener);
    qemu.line("that it connected", |l| {
        l.starts_with("firmware: connected to ")
    });
    recv_text(&mut ws, GREETING);

    let payload = b"are you there? \x00\xff";
    ws.send(Message::Ping(payload.to_vec().into()))
        .expect("send ping");
    let pong = recv_until(&mut ws, "the pong", |m| matches!(m, Message::Pong(_)));
    assert_eq!(pong, Message::Pong(payload.to_vec().into()));
    qemu.line("the ping", |l| l == "firmware: ping answered");

    // The server closes: the firmware echoes the code and ends cleanly.
    ws.close(Some(tungstenite::protocol::CloseFrame {
        code: tungstenite::protocol::frame::coding::CloseCode::Away,
        reason: "bye".into(),
    }))
    .expect("send close");
    let echo = recv_until(&mut ws, "the close echo", |m| {
        matches!(m, Message::Close(_))
    });
    match echo {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1001),
        other => panic!("close echo without the code: {other:?}"),
    }
    qemu.line("the server's close", |l| {
        l == "firmware: server closed: Some(1001)"
    });
    qemu.line("a clean close", |l| {
        l.starts_with("firmware: closed cleanly")
    });
    // The server leaves; the relay keeps the UART and tells the firmware
    // nothing (a Close has passed). The firmware reconnects after 1 s
    // through the relay, over a new TCP connection, with a new key.
    drop(ws);
    let ended = relay.stdout_line("the end of session 1", |l| {
        l.starts_with("uart_relay: session 1: the server side ended")
    });
    assert!(!ended.contains("told"), "{ended}");
    qemu.line("the backoff", |l| {
        l == "firmware: reconnecting in 1000 ms (attempt 1)"
    });
    let mut ws = accept_ws(&listener);
    qemu.line("that it connected again", |l| {
        l.starts_with("firmware: connected to ")
    });
    // Nothing of the first session (its Close echo) reached this one: the
    // first message is the greeting.
    let first = recv_until(&mut ws, "the first message", |_| true);
    assert_eq!(first, Message::text(GREETING));
    let note = "second session";
    ws.send(Message::text(note)).expect("send to the firmware");
    qemu.line("the message", |l| {
        l == format!("firmware: received: {note}")
    });
    recv_text(&mut ws, &format!("{HEARD}{note}"));

    // "quit" ends the run: a clean close and success.
    ws.send(Message::text("quit")).expect("send quit");
    let close = recv_until(&mut ws, "the firmware's close", |m| {
        matches!(m, Message::Close(_))
    });
    match close {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1000),
        other => panic!("close without the code: {other:?}"),
    }
    // Let tungstenite write its echo.
    let _ = ws.flush();
    qemu.line("a clean close", |l| {
        l.starts_with("firmware: closed cleanly")
    });
    assert!(qemu.wait_exit().success());
    drop(ws);
    relay.stdout_line("its summary", |l| {
        l.starts_with("uart_relay: done, 2 session(s)")
    });
    assert!(relay.wait_exit().success());
}

/// The next connection on `listener` (the relay connects once the firmware
/// sends a handshake; accepting is bounded by polling), as the server side
/// of a WebSocket handshake.
fn accept_ws(listener: &TcpListener) -> tungstenite::WebSocket<std::net::TcpStream> {
    listener.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + WAIT;
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "the relay never connected");
                thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    stream.set_nonblocking(false).expect("blocking");
    stream.set_read_timeout(Some(WAIT)).expect("read timeout");
    tungstenite::accept(stream).expect("server handshake with the firmware")
}

/// `uart_relay` from a port the OS picks to the server on `server_port`:
/// the process and the address QEMU's serial port connects to.
fn start_relay(server_port: u16) -> (Proc, String) {
    relay_with(server_port, &[])
}

fn relay_with(server_port: u16, flags: &[&str]) -> (Proc, String) {
    let server = format!("127.0.0.1:{server_port}");
    let mut args = flags.to_vec();
    args.extend(["127.0.0.1:0", server.as_str()]);
    let relay = Proc::spawn("uart_relay", &args);
    let listening = relay.stdout_line("its address", |l| {
        l.starts_with("uart_relay: listening on ")
    });
    let serial = listening
        .rsplit(' ')
        .next()
        .expect("address after 'listening on'")
        .to_owned();
    (relay, serial)
}

// ---------------------------------------------------------------------------
// wss:// (the firmware's `tls` feature)

/// Two throwaway CAs, each with a server certificate for `localhost` signed
/// by it: the firmware is built with the first CA; the second is "another
/// CA" whose server it must refuse. Files in `target/tls-pki/`, made once.
struct Pki {
    /// The CA built into the firmware (DER), and its server's PEM files.
    ca_der: PathBuf,
    cert: String,
    key: String,
    /// The other CA's server (PEM files) and that CA (DER), for the room's
    /// client in the refusal test.
    other_cert: String,
    other_key: String,
    other_ca_der: PathBuf,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = firmware_dir().join("target/tls-pki");
        let path = |name: &str| dir.join(name);
        let names = [
            "ca.der",
            "cert.pem",
            "key.pem",
            "other-ca.der",
            "other-cert.pem",
            "other-key.pem",
        ];
        if !names.iter().all(|n| path(n).is_file()) {
            std::fs::create_dir_all(&dir).expect("create tls-pki");
            for (prefix, label) in [("", "built-in"), ("other-", "other")] {
                let (ca, cert, key) = make_ca_and_server(label);
                std::fs::write(path(&format!("{prefix}ca.der")), ca).expect("write the CA");
                std::fs::write(path(&format!("{prefix}cert.pem")), cert).expect("write cert");
                std::fs::write(path(&format!("{prefix}key.pem")), key).expect("write key");
            }
        }
        let text = |name: &str| path(name).to_string_lossy().into_owned();
        Pki {
            ca_der: path("ca.der"),
            cert: text("cert.pem"),
            key: text("key.pem"),
            other_cert: text("other-cert.pem"),
            other_key: text("other-key.pem"),
            other_ca_der: path("other-ca.der"),
        }
    })
}

/// A P-256 CA (DER) and a server certificate for `localhost` it signed
/// (PEM), with that certificate's key (PEM).
fn make_ca_and_server(label: &str) -> (Vec<u8>, String, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.distinguished_name.push(
        DnType::CommonName,
        format!("wsframe firmware test CA ({label})"),
    );
    let ca_cert = ca_params.self_signed(&ca_key).expect("self-sign the CA");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &issuer).expect("sign");
    (ca_cert.der().to_vec(), cert.pem(), key.serialize_pem())
}

type Wss = tungstenite::WebSocket<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>;

/// A tungstenite client on `wss://localhost:port/ws` (rustls, trusting only
/// the CA in `ca_der`), with short socket timeouts so reads can be bounded.
fn wss_connect(port: u16, ca_der: &Path) -> Wss {
    let mut roots = rustls::RootCertStore::empty();
    let ca = std::fs::read(ca_der).expect("read the CA");
    roots.add(ca.into()).expect("add the CA");
    #[allow(deprecated)] // rustls's ring provider, as in examples/support/tls.rs
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).expect("tls");
    let tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp.set_read_timeout(Some(WAIT)).expect("read timeout");
    tcp.set_write_timeout(Some(WAIT)).expect("write timeout");
    let stream = rustls::StreamOwned::new(conn, tcp);
    let url = format!("wss://localhost:{port}/ws");
    let (ws, response) =
        tungstenite::client(url.as_str(), stream).unwrap_or_else(|e| panic!("{url}: {e}"));
    assert_eq!(response.status(), 101);
    ws.get_ref()
        .sock
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("read timeout");
    ws
}

/// Messages until `pred` accepts one, within `within`; `None` if none did.
fn wss_recv_within(
    ws: &mut Wss,
    within: Duration,
    mut pred: impl FnMut(&Message) -> bool,
    seen: &mut Vec<String>,
) -> Option<Message> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        match ws.read() {
            Ok(message) if pred(&message) => return Some(message),
            Ok(message) => seen.push(format!("{message:.80}")),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("wss read: {e}; saw {seen:?}"),
        }
    }
    None
}

fn wss_recv(ws: &mut Wss, what: &str, pred: impl FnMut(&Message) -> bool) -> Message {
    let mut seen = Vec::new();
    wss_recv_within(ws, WAIT, pred, &mut seen)
        .unwrap_or_else(|| panic!("timed out after {WAIT:?} waiting for {what}; saw {seen:?}"))
}

fn wss_recv_text(ws: &mut Wss, text: &str) -> Message {
    wss_recv(ws, &format!("{text:.60}"), |m| text_of(m) == Some(text))
}

fn wss_send(ws: &mut Wss, text: &str) {
    ws.send(Message::text(text)).expect("send over wss");
    let _ = ws.get_mut().flush();
}

/// The `wss://` firmware through `uart_relay --tls` to `chat_server` with
/// TLS: the TLS 1.3 handshake with the certificate checked against the
/// built-in CA, its greeting in the room, a message from the room forwarded
/// back, a 1,675-byte message in (and its forwarded line out), and a clean
/// close (WebSocket Close both ways, then close_notify) on "quit".
#[test]
fn firmware_chats_over_tls() {
    if !tools_present() {
        return;
    }
    let elf = build_tls_firmware();
    let pki = pki();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = Proc::server_with_args(
        "chat_server",
        port,
        &[&addr, "--tls-cert", &pki.cert, "--tls-key", &pki.key],
    );
    let mut room = wss_connect(port, &pki.ca_der);
    let own = wss_recv(&mut room, "own join notice", |m| {
        text_of(m).is_some_and(|t| t.starts_with("* user "))
    });
    let own_user = text_of(&own)
        .and_then(|t| t.strip_prefix("* user "))
        .and_then(|t| t.strip_suffix(" joined"))
        .expect("own join notice")
        .to_owned();

    let (mut relay, serial) = relay_with(port, &["--tls"]);
    let mut qemu = Qemu::start(&elf, &serial, FIRMWARE_SECONDS);
    let handshake = qemu.line("the TLS handshake", |l| {
        l.starts_with("firmware: TLS 1.3 handshake done")
    });
    eprintln!("firmware_qemu: {handshake}");
    assert!(handshake.ends_with("localhost certified by the built-in CA"));
    qemu.line("that it connected", |l| {
        l == "firmware: connected to wss://localhost/ws"
            || l.starts_with("firmware: connected to wss://localhost/ws at ")
    });
    wss_recv(&mut room, "the firmware's join notice", |m| {
        text_of(m).is_some_and(|t| t.starts_with("* user ") && t.ends_with(" joined"))
    });
    wss_recv_text(&mut room, GREETING);
    qemu.line("its own greeting", |l| {
        l == format!("firmware: received: {GREETING}")
    });

    let note = "hello board, over TLS ✓";
    wss_send(&mut room, note);
    qemu.line("the test's message", |l| {
        l == format!("firmware: received: {note}")
    });
    wss_recv_text(&mut room, &format!("{HEARD}{note}"));

    // 1,500 characters, 1,675 bytes: one TLS record of the server's, read
    // by the firmware through its 16,640-byte record buffer.
    let long: String = "0123456789abcdefghijklmnopqrstuvwxyz-äöü✓ ".repeat(50);
    let long = &long[..long.char_indices().nth(1500).map_or(long.len(), |(i, _)| i)];
    assert_eq!(long.len(), 1675);
    let sent = Instant::now();
    wss_send(&mut room, long);
    qemu.line("the long message", |l| {
        l.strip_prefix("firmware: received: ") == Some(long)
    });
    let heard = wss_recv(&mut room, "the long message forwarded", |m| {
        text_of(m).is_some_and(|t| t.starts_with(HEARD) && t.len() > 200)
    });
    eprintln!(
        "firmware_qemu: over TLS, {} bytes to the firmware and a line back in {:?}",
        long.len(),
        sent.elapsed()
    );
    let heard = text_of(&heard).expect("text");
    assert!(heard.len() <= 256 && heard.len() > 252, "{heard:?}");
    assert!(long.starts_with(heard.strip_prefix(HEARD).expect("tag")));

    wss_send(&mut room, "quit");
    qemu.line("that it closes", |l| l == "firmware: closing (quit)");
    qemu.line("a clean close", |l| {
        l.starts_with("firmware: closed cleanly")
    });
    qemu.line("the TLS close", |l| {
        l == "firmware: TLS closed (close_notify sent)"
    });
    let stack = qemu.line("its stack use", |l| {
        l.starts_with("firmware: stack high-water mark ")
    });
    eprintln!("firmware_qemu: over TLS, {stack}");
    let numbers: Vec<usize> = stack
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    // A mark at the size would mean the stack ran into the statics.
    assert!(
        matches!(numbers.as_slice(), [used, size] if *used > 0 && used + 1024 < *size),
        "{stack}"
    );
    qemu.line("a successful exit", |l| l == "firmware: exit ok");
    assert!(qemu.wait_exit().success());
    wss_recv(&mut room, "the firmware leave", |m| {
        text_of(m)
            .and_then(|t| t.strip_prefix("* user "))
            .and_then(|t| t.strip_suffix(" left"))
            .is_some_and(|user| user != own_user)
    });
    relay.stdout_line("its summary", |l| {
        l.starts_with("uart_relay: done, 1 session(s)")
    });
    assert!(relay.wait_exit().success());
    drop(server);
}

/// The same firmware against a server whose certificate another CA signed:
/// every TLS handshake fails on the certificate, nothing reaches the room
/// (which a client trusting that other CA watches), and the run ends with
/// failure when its time is up.
#[test]
fn firmware_refuses_a_server_certified_by_another_ca() {
    if !tools_present() {
        return;
    }
    let elf = build_tls_firmware();
    let pki = pki();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = Proc::server_with_args(
        "chat_server",
        port,
        &[
            &addr,
            "--tls-cert",
            &pki.other_cert,
            "--tls-key",
            &pki.other_key,
        ],
    );
    // The server itself is fine: a client trusting its CA joins.
    let mut room = wss_connect(port, &pki.other_ca_der);
    wss_recv(&mut room, "own join notice", |m| {
        text_of(m).is_some_and(|t| t.starts_with("* user "))
    });

    let (mut relay, serial) = relay_with(port, &["--tls"]);
    // 6 s: attempts at about 0, 1 and 3 s, then the next backoff (4 s)
    // would end after the run time.
    let mut qemu = Qemu::start(&elf, &serial, 6);
    let refused = qemu.line("the refused handshake", |l| {
        l.starts_with("firmware: TLS handshake failed")
    });
    eprintln!("firmware_qemu: {refused}");
    qemu.line("the backoff", |l| {
        l == "firmware: reconnecting in 1000 ms (attempt 1)"
    });
    qemu.line("the second refusal", |l| {
        l.starts_with("firmware: TLS handshake failed")
    });
    qemu.line("the end", |l| {
        l == "firmware: run time is up while disconnected"
    });
    qemu.line("a failed exit", |l| l == "firmware: exit failure");
    assert!(!qemu.wait_exit().success(), "QEMU exited with success");
    let log = qemu
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .join("\n");
    assert!(!log.contains("TLS 1.3 handshake done"), "{log}");
    assert!(!log.contains("firmware: connected to"), "{log}");
    // Nothing of the firmware reached the room.
    let mut seen = Vec::new();
    let joined = wss_recv_within(&mut room, Duration::from_millis(500), |_| true, &mut seen);
    assert!(joined.is_none(), "the room heard {joined:?}");
    let summary = relay.stdout_line("its summary", |l| l.starts_with("uart_relay: done, "));
    eprintln!("firmware_qemu: {summary}");
    assert!(relay.wait_exit().success());
    drop(server);
}
