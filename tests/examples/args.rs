//! The command lines of `chat_server` and `gateway`: what they do not
//! understand is refused with the usage on stderr and exit status 2, never
//! ignored; `--help` prints the usage and exits 0. The shared parser
//! (`examples/support/args.rs`) is also tested directly.

use std::ffi::OsString;
use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::harness::{WAIT, example};

#[path = "../../examples/support/args.rs"]
mod parser;

/// Run example `name` with `args` to its exit (bounded by [`WAIT`]):
/// its exit code, stdout and stderr.
fn run(name: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new(example(name))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} {args:?} still running after {WAIT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        s.read_to_string(&mut out).expect("stdout");
    }
    if let Some(mut s) = child.stderr.take() {
        s.read_to_string(&mut err).expect("stderr");
    }
    (status.code(), out, err)
}

fn assert_refused(name: &str, args: &[&str], why: &str) {
    let (code, out, err) = run(name, args);
    assert_eq!(code, Some(2), "{name} {args:?}: exit {code:?}\n{err}");
    assert!(
        err.contains(why),
        "{name} {args:?}: stderr lacks {why:?}:\n{err}"
    );
    assert!(
        err.contains(&format!("usage: {name} ")),
        "{name} {args:?}: no usage on stderr:\n{err}"
    );
    assert!(out.is_empty(), "{name} {args:?}: wrote to stdout: {out}");
}

#[test]
fn chat_server_refuses_what_it_does_not_understand() {
    let name = "chat_server";
    assert_refused(name, &["--bogus"], "unknown option \"--bogus\"");
    assert_refused(name, &["127.0.0.1:0", "-x"], "unknown option \"-x\"");
    assert_refused(
        name,
        &["127.0.0.1:0", "--tls-cert"],
        "--tls-cert needs a value",
    );
    assert_refused(
        name,
        &["--tls-cert", "--tls-key", "k.pem"],
        "--tls-cert needs a value",
    );
    assert_refused(name, &["--tls-key="], "--tls-key needs a value");
    assert_refused(name, &["--tls-cert", "c.pem"], "--tls-cert needs --tls-key");
    assert_refused(name, &["--tls-key", "k.pem"], "--tls-key needs --tls-cert");
    assert_refused(
        name,
        &["--tls-cert", "a.pem", "--tls-cert", "b.pem"],
        "--tls-cert given twice",
    );
    assert_refused(
        name,
        &["127.0.0.1:0", "127.0.0.1:1"],
        "unexpected argument \"127.0.0.1:1\"",
    );
}

#[test]
fn gateway_refuses_what_it_does_not_understand() {
    let name = "gateway";
    assert_refused(name, &["--bogus"], "unknown option \"--bogus\"");
    assert_refused(name, &["wss://localhost/ws", "--ca"], "--ca needs a value");
    assert_refused(name, &["ws://a/ws", "ws://b/ws"], "unexpected argument");
    assert_refused(name, &["http://localhost/"], "http://localhost/:");
    assert_refused(
        name,
        &["ws://localhost/ws", "--ca", "ca.pem"],
        "--ca is for wss://",
    );
}

#[test]
fn help_prints_the_usage_and_exits_0() {
    for name in ["chat_server", "gateway"] {
        for flag in ["--help", "-h"] {
            let (code, out, err) = run(name, &[flag]);
            assert_eq!(code, Some(0), "{name} {flag}: {err}");
            assert!(
                out.starts_with(&format!("usage: {name} ")),
                "{name} {flag}: {out}"
            );
            assert!(err.is_empty(), "{name} {flag}: stderr {err}");
        }
    }
}

/// A certificate or key file that is missing ends `chat_server` at start,
/// with exit 1 (not a usage error) and the file named.
#[test]
fn chat_server_names_a_missing_certificate_file() {
    let (code, _, err) = run(
        "chat_server",
        &[
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("/nonexistent/cert.pem"), "{err}");
}

// ---------------------------------------------------------------------------
// The parser itself

const SPEC: parser::Spec = parser::Spec {
    program: "prog",
    usage: "usage: prog [A] [--flag V] [--switch]\n",
    flags: &["--flag"],
    switches: &["--switch"],
    min_positionals: 0,
    max_positionals: 1,
};

fn parse(args: &[&str]) -> Result<parser::Args, parser::Refusal> {
    parser::try_parse(&SPEC, args.iter().map(OsString::from))
}

fn refusal(args: &[&str]) -> String {
    match parse(args) {
        Err(parser::Refusal::Usage(why)) => why,
        other => panic!("{args:?} accepted: {other:?}"),
    }
}

#[test]
fn parser_takes_values_switches_and_positionals() {
    let args = parse(&["--flag", "v", "pos", "--switch"]).expect("accepted");
    assert_eq!(args.value("--flag"), Some("v"));
    assert!(args.has("--switch"));
    assert_eq!(args.positional(0), Some("pos"));
    assert_eq!(args.positional(1), None);

    let args = parse(&["--flag=a=b"]).expect("accepted");
    assert_eq!(args.value("--flag"), Some("a=b"));
    // After `--`, a leading dash is a positional.
    let args = parse(&["--", "--flag"]).expect("accepted");
    assert_eq!(args.positional(0), Some("--flag"));
    assert_eq!(args.value("--flag"), None);
    // A lone dash is a positional too (stdin, by convention).
    assert_eq!(parse(&["-"]).expect("accepted").positional(0), Some("-"));
    assert!(matches!(
        parse(&["pos", "--help"]),
        Err(parser::Refusal::Help)
    ));
}

#[test]
fn parser_refuses_unknown_missing_repeated_and_extra() {
    assert_eq!(refusal(&["--nope"]), "unknown option \"--nope\"");
    assert_eq!(refusal(&["--nope=1"]), "unknown option \"--nope\"");
    assert_eq!(refusal(&["--flag"]), "--flag needs a value");
    assert_eq!(refusal(&["--flag="]), "--flag needs a value");
    assert_eq!(
        refusal(&["--flag", "--switch"]),
        "--flag needs a value (got the flag \"--switch\")"
    );
    assert_eq!(
        refusal(&["--flag", "a", "--flag", "b"]),
        "--flag given twice"
    );
    assert_eq!(refusal(&["--switch=1"]), "--switch takes no value");
    assert_eq!(refusal(&["a", "b"]), "unexpected argument \"b\"");
    let spec = parser::Spec {
        min_positionals: 1,
        ..SPEC
    };
    match parser::try_parse(&spec, std::iter::empty()) {
        Err(parser::Refusal::Usage(why)) => assert_eq!(why, "missing argument"),
        other => panic!("accepted: {other:?}"),
    }
}
