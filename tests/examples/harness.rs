//! Building the examples, running them as child processes, and talking to
//! them as real clients would. Every wait is bounded by [`WAIT`]; every child
//! is killed when its [`Proc`] guard drops.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};

/// The bound on every single wait in these tests.
pub const WAIT: Duration = Duration::from_secs(20);

/// One mebibyte: the examples' message cap.
pub const MIB: usize = 1 << 20;

/// A tungstenite client over a plain blocking socket.
pub type Ws = WebSocket<TcpStream>;

// ---------------------------------------------------------------------------
// Building

/// The path of example `name`, built (once per test process) with
/// `cargo build --examples` in the profile and with the features this test
/// binary was built with.
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<HashMap<String, PathBuf>, String>> = OnceLock::new();
    let built = BUILT
        .get_or_init(build_examples)
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    // Cargo named no executable for it: look where it lands by convention.
    let candidates = fallback_dirs()
        .into_iter()
        .map(|dir| dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)));
    let candidates: Vec<PathBuf> = candidates.collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| panic!("example {name} not found; looked at {candidates:?}"))
}

/// The profile directory this test binary lives in (`target/debug`, ...).
fn profile_dir() -> Option<PathBuf> {
    // target/<profile>/deps/examples-<hash>
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.parent()?.to_path_buf())
}

fn fallback_dirs() -> Vec<PathBuf> {
    let profile = profile_dir()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "debug".to_owned());
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = Vec::new();
    if let Some(dir) = profile_dir() {
        dirs.push(dir.join("examples"));
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        dirs.push(manifest.join(target).join(&profile).join("examples"));
    }
    dirs.push(manifest.join("target").join(&profile).join("examples"));
    dirs
}

fn build_examples() -> Result<HashMap<String, PathBuf>, String> {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args([
        "build",
        "--examples",
        "--quiet",
        "--message-format=json-render-diagnostics",
    ])
    .current_dir(env!("CARGO_MANIFEST_DIR"));
    // Same profile as this test binary, so nothing is built twice.
    match profile_dir()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .as_deref()
    {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.args(["--profile", other]);
        }
    }
    // Same features too (the integration test sees the package's features).
    let mut features = Vec::new();
    if cfg!(feature = "defmt") {
        features.push("defmt");
    }
    if cfg!(feature = "embedded-io-async") {
        features.push("embedded-io-async");
    }
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", env!("CARGO")))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build --examples failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut found = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if !line.contains("\"reason\":\"compiler-artifact\"")
            || !line.contains("\"kind\":[\"example\"]")
        {
            continue;
        }
        if let Some(path) = json_string_field(line, "executable") {
            let path = PathBuf::from(path);
            if let Some(stem) = path.file_stem() {
                found.insert(stem.to_string_lossy().into_owned(), path);
            }
        }
    }
    Ok(found)
}

/// The value of `"field":"..."` in one line of cargo's JSON, unescaped.
fn json_string_field(line: &str, field: &str) -> Option<String> {
    let start = line.find(&format!("\"{field}\":\""))? + field.len() + 4;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Processes

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// A running example. Dropping it kills the child and waits for it; when
/// the test is panicking, it prints what the child wrote to stderr.
pub struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    stderr_log: Arc<Mutex<Vec<String>>>,
}

/// Lines from `reader`, one by one, into a channel (and a log).
fn pump_lines(
    reader: impl Read + Send + 'static,
    log: Option<Arc<Mutex<Vec<String>>>>,
) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if let Some(log) = &log {
                log.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(line.clone());
            }
            if tx.send(line).is_err() {
                // Nobody listens any more; keep draining so the child never blocks.
                continue;
            }
        }
    });
    rx
}

impl Proc {
    /// Start example `name` with `args`, stdin piped, stdout and stderr read
    /// line by line.
    pub fn spawn(name: &str, args: &[&str]) -> Self {
        let exe = example(name);
        let mut child = Command::new(&exe)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", exe.display()));
        let stderr_log = Arc::new(Mutex::new(Vec::new()));
        let stdout = pump_lines(child.stdout.take().expect("stdout piped"), None);
        let stderr = pump_lines(
            child.stderr.take().expect("stderr piped"),
            Some(stderr_log.clone()),
        );
        let stdin = child.stdin.take();
        Self {
            name: name.to_owned(),
            child,
            stdin,
            stdout,
            stderr,
            stderr_log,
        }
    }

    /// Start a server example on `127.0.0.1:port` and wait (bounded) until
    /// the port accepts connections.
    pub fn server(name: &str, port: u16) -> Self {
        Self::server_with_args(name, port, &[&format!("127.0.0.1:{port}")])
    }

    /// [`Proc::server`] with its whole command line given: `args` must make
    /// it listen on `127.0.0.1:port`.
    pub fn server_with_args(name: &str, port: u16, args: &[&str]) -> Self {
        let addr = format!("127.0.0.1:{port}");
        let mut proc = Self::spawn(name, args);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = proc.child.try_wait() {
                panic!("{name} exited early with {status}:\n{}", proc.stderr_text());
            }
            let sock = addr.parse().expect("socket address");
            if TcpStream::connect_timeout(&sock, Duration::from_millis(500)).is_ok() {
                return proc;
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not accept connections on {addr} within {WAIT:?}"
            );
            thread::sleep(Duration::from_millis(25));
        }
    }

    /// Everything the child wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        self.stderr_log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .join("\n")
    }

    /// Write one line to the child's stdin.
    pub fn write_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .expect("write to child stdin");
    }

    /// Close the child's stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The next stdout line for which `pred` holds, skipping others; panics
    /// after [`WAIT`], listing the lines seen.
    pub fn stdout_line(&self, what: &str, pred: impl FnMut(&str) -> bool) -> String {
        wait_line(&self.stdout, &format!("{} stdout: {what}", self.name), pred)
    }

    /// The next stderr line for which `pred` holds, skipping others.
    pub fn stderr_line(&self, what: &str, pred: impl FnMut(&str) -> bool) -> String {
        wait_line(&self.stderr, &format!("{} stderr: {what}", self.name), pred)
    }

    /// Wait (bounded) for the child to exit on its own.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit within {WAIT:?}",
                self.name
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

fn wait_line(rx: &Receiver<String>, what: &str, mut pred: impl FnMut(&str) -> bool) -> String {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if pred(&line) => return line,
            Ok(line) => seen.push(line),
            Err(RecvTimeoutError::Timeout) => {
                panic!("timed out after {WAIT:?} waiting for {what}; saw {seen:?}")
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("stream ended while waiting for {what}; saw {seen:?}")
            }
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!(
                "--- {} stderr ---\n{}\n--- end ---",
                self.name,
                self.stderr_text()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Plain HTTP

/// A parsed HTTP response head: status code and lower-cased headers.
#[derive(Debug)]
pub struct Head {
    pub status: u16,
    pub headers: HashMap<String, String>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

fn parse_head(text: &str) -> Head {
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Head { status, headers }
}

/// A TCP connection to `127.0.0.1:port` with bounded reads and writes.
pub fn tcp(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(WAIT)).expect("read timeout");
    stream.set_write_timeout(Some(WAIT)).expect("write timeout");
    stream.set_nodelay(true).ok();
    stream
}

/// `GET path` over a fresh connection; the whole response (the server
/// closes after it).
pub fn http_get(port: u16, path: &str) -> (Head, Vec<u8>) {
    let mut stream = tcp(port);
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("write request");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .expect("read response to EOF");
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "no complete head in {:?}",
                String::from_utf8_lossy(&response)
            )
        });
    let head = parse_head(&String::from_utf8_lossy(&response[..end]));
    (head, response[end + 4..].to_vec())
}

/// The sample key of RFC 6455 §1.3.
pub const SAMPLE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// A hand-written upgrade request for `path` with `extra` header lines;
/// checks the 101 and the accept key and hands back a tungstenite client
/// over the same socket, plus the response head.
pub fn raw_upgrade(port: u16, path: &str, extra: &[&str]) -> (Ws, Head) {
    let mut stream = tcp(port);
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {SAMPLE_KEY}\r\nSec-WebSocket-Version: 13\r\n"
    );
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .expect("write upgrade request");
    // Byte by byte, so no frame after the head is swallowed.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert!(
            head.len() < 16 * 1024,
            "response head too long: {:?}",
            String::from_utf8_lossy(&head)
        );
        let n = stream.read(&mut byte).expect("read response head");
        assert_eq!(
            n,
            1,
            "EOF inside the response head: {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = parse_head(&String::from_utf8_lossy(&head[..head.len() - 4]));
    assert_eq!(head.status, 101, "upgrade refused: {head:?}");
    assert_eq!(
        head.header("sec-websocket-accept"),
        Some(tungstenite::handshake::derive_accept_key(SAMPLE_KEY.as_bytes()).as_str()),
        "{head:?}"
    );
    assert!(
        head.header("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket")),
        "{head:?}"
    );
    (WebSocket::from_raw_socket(stream, Role::Client, None), head)
}

// ---------------------------------------------------------------------------
// WebSocket clients

/// A tungstenite client on `ws://127.0.0.1:port{path}` with bounded I/O.
pub fn ws_connect(port: u16, path: &str) -> Ws {
    let url = format!("ws://127.0.0.1:{port}{path}");
    let (ws, response) = tungstenite::client(url.as_str(), tcp(port))
        .unwrap_or_else(|e| panic!("handshake with {url}: {e}"));
    assert_eq!(response.status(), 101);
    ws
}

/// Read messages until `pred` accepts one (returned); panics after [`WAIT`]
/// or on an error, listing what was seen.
pub fn recv_until(ws: &mut Ws, what: &str, mut pred: impl FnMut(&Message) -> bool) -> Message {
    let deadline = Instant::now() + WAIT;
    let mut seen: Vec<String> = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "timed out after {WAIT:?} waiting for {what}; saw {seen:?}"
        );
        ws.get_ref()
            .set_read_timeout(Some(left))
            .expect("read timeout");
        match ws.read() {
            Ok(message) if pred(&message) => return message,
            Ok(message) => seen.push(short(&message)),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("error while waiting for {what}: {e}; saw {seen:?}"),
        }
    }
}

/// The next message, whatever it is.
pub fn recv(ws: &mut Ws, what: &str) -> Message {
    recv_until(ws, what, |_| true)
}

/// The next text message equal to `text` (others are skipped).
pub fn recv_text(ws: &mut Ws, text: &str) -> Message {
    recv_until(
        ws,
        &format!("text {}", abbreviate(text)),
        |m| matches!(m, Message::Text(t) if t.as_str() == text),
    )
}

/// Read until the peer's Close; returns its code. Data messages before it
/// are skipped.
pub fn recv_close_code(ws: &mut Ws) -> u16 {
    let close = recv_until(ws, "a Close frame with a code", |m| {
        matches!(m, Message::Close(Some(_)))
    });
    // Write the Close reply tungstenite queued, as a real client would (best
    // effort: the peer may have hung up already).
    let _ = ws.flush();
    match close {
        Message::Close(Some(frame)) => u16::from(frame.code),
        _ => unreachable!(),
    }
}

/// A message in a form short enough for a panic message.
pub fn short(message: &Message) -> String {
    match message {
        Message::Text(t) => format!("Text({})", abbreviate(t.as_str())),
        Message::Binary(b) => format!("Binary({} bytes)", b.len()),
        Message::Ping(p) => format!("Ping({p:?})"),
        Message::Pong(p) => format!("Pong({p:?})"),
        Message::Close(c) => format!("Close({c:?})"),
        Message::Frame(f) => format!("Frame({} bytes)", f.len()),
    }
}

fn abbreviate(text: &str) -> String {
    if text.len() <= 80 {
        format!("{text:?}")
    } else {
        let cut = (0..=80)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        format!("{:?}... ({} bytes)", &text[..cut], text.len())
    }
}

/// Best effort: end the TCP connection under a client.
pub fn hang_up(ws: Ws) {
    let _ = ws.get_ref().shutdown(Shutdown::Both);
}

/// `len` bytes of a recognisable, non-repeating-looking pattern.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8)
        .collect()
}

/// A raw client frame: `first` is the first header byte (FIN, RSV, opcode),
/// masked with the test kit's key unless `masked` is false (the shared
/// `wsframe_testkit::RawFrame`, which writes any opcode bits).
pub fn raw_frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    use wsframe_testkit::RawFrame;
    RawFrame::with_opcode_bits(first & 0x0F, payload)
        .with_fin(first & 0x80 != 0)
        .with_rsv(wsframe::frame::Rsv::from_bits(first >> 4))
        .with_mask(masked.then_some(wsframe_testkit::KEY))
        .to_vec()
}
