//! `chat_server --tls-cert --tls-key` (https:// and wss://) and `gateway
//! wss:// --ca`, against a throwaway CA and server certificate that each
//! test makes with rcgen in its own temporary directory. The clients are
//! rustls (tokio-rustls) under wsframe's own async adapter, exactly as the
//! examples stack them.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use embedded_io_adapters::tokio_1::FromTokio;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use wsframe::handshake::{ClientRequest, Url};
use wsframe::io::asynch::WebSocket;
use wsframe::{Config, Connection, Event};
use wsframe_testkit::Masks;

use crate::harness::{Proc, WAIT, free_port};

// ---------------------------------------------------------------------------
// A throwaway PKI

/// A CA and a server certificate for `localhost` and `127.0.0.1` signed by
/// it, as PEM files in a fresh temporary directory (removed on drop).
pub struct Pki {
    dir: PathBuf,
    /// The CA certificate, DER (for the test's own clients).
    pub ca: CertificateDer<'static>,
}

impl Pki {
    pub fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "wsframe-tls-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the temporary directory");

        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "wsframe throwaway test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("self-sign the CA");
        let issuer = Issuer::new(ca_params, ca_key);

        let key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let cert = params
            .signed_by(&key, &issuer)
            .expect("sign the server certificate");

        std::fs::write(dir.join("ca.pem"), ca_cert.pem()).expect("write ca.pem");
        std::fs::write(dir.join("cert.pem"), cert.pem()).expect("write cert.pem");
        std::fs::write(dir.join("key.pem"), key.serialize_pem()).expect("write key.pem");
        Self {
            dir,
            ca: ca_cert.der().clone(),
        }
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// A client configuration trusting this CA only.
    pub fn trusting(&self) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        roots.add(self.ca.clone()).expect("add the test CA");
        client_config(roots)
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[allow(deprecated)] // rustls's ring provider: see examples/support/tls.rs
fn client_config(roots: RootCertStore) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// A client configuration trusting the Mozilla roots only, not the test CA.
fn not_trusting() -> Arc<ClientConfig> {
    client_config(RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    })
}

/// `chat_server` with TLS on a free port.
fn start() -> (Proc, u16, Pki) {
    let pki = Pki::new();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let (cert, key) = (pki.path("cert.pem"), pki.path("key.pem"));
    let server = Proc::server_with_args(
        "chat_server",
        port,
        &[&addr, "--tls-cert", &cert, "--tls-key", &key],
    );
    (server, port, pki)
}

// ---------------------------------------------------------------------------
// Async clients: rustls under wsframe's adapter

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// `fut`, or a panic naming `what` after [`WAIT`].
async fn bounded<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {WAIT:?}: {what}"))
}

/// TCP to 127.0.0.1:port, then TLS for `localhost`.
async fn tls_connect(
    port: u16,
    config: Arc<ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    tcp.set_nodelay(true).ok();
    let name = ServerName::try_from("localhost").expect("server name");
    TlsConnector::from(config).connect(name, tcp).await
}

type Client = WebSocket<FromTokio<TlsStream<TcpStream>>, Vec<u8>, Vec<u8>, Masks>;

/// A wsframe client on `wss://localhost:port/ws` over rustls, in the room:
/// returns once it has seen its own join notice.
async fn join(port: u16, config: Arc<ClientConfig>) -> Client {
    let tls = bounded("TLS handshake", tls_connect(port, config))
        .await
        .expect("TLS handshake with a trusted certificate");
    let conn = Connection::client(vec![0u8; 64 * 1024], Config::new(), Masks::default())
        .expect("client connection");
    let mut ws = WebSocket::new(FromTokio::new(tls), conn, vec![0u8; 8 * 1024]).expect("adapter");
    let url_text = format!("wss://localhost:{port}/ws");
    let url = Url::parse(&url_text).expect("url");
    let request = ClientRequest::new(&url, *b"wsframe tls test");
    bounded("WebSocket handshake", ws.connect(&request))
        .await
        .expect("WebSocket handshake over TLS");
    recv_until(&mut ws, "own join notice", |t| {
        t.starts_with("* user ") && t.ends_with(" joined")
    })
    .await;
    ws
}

/// Read until a text for which `pred` holds; returns it.
async fn recv_until(ws: &mut Client, what: &str, mut pred: impl FnMut(&str) -> bool) -> String {
    let mut seen = Vec::new();
    let found = tokio::time::timeout(WAIT, async {
        loop {
            match ws.read().await {
                Ok(Event::Text(text)) if pred(text) => return text.to_owned(),
                Ok(Event::Text(text)) => seen.push(text.to_owned()),
                Ok(_) => {}
                Err(e) => panic!("error while waiting for {what}: {e}; saw {seen:?}"),
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("timed out after {WAIT:?} waiting for {what}"))
}

async fn recv_text(ws: &mut Client, text: &str) {
    recv_until(ws, &format!("text {text:?}"), |t| t == text).await;
}

/// Two clients: a message from one reaches the other.
async fn two_clients_chat(port: u16, pki: &Pki, text: &str) {
    let mut a = join(port, pki.trusting()).await;
    let mut b = join(port, pki.trusting()).await;
    bounded("send", a.send_text(text))
        .await
        .expect("send over wss");
    recv_text(&mut b, text).await;
    recv_text(&mut a, text).await;
}

/// Read until EOF or an error: how long the server took to hang up, or a
/// panic if it did not within `limit`.
async fn hung_up_within(tcp: &mut TcpStream, limit: Duration) -> Duration {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    let ended = tokio::time::timeout(limit, async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {} // an alert, say
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the server kept the connection past {limit:?}"
    );
    start.elapsed()
}

// ---------------------------------------------------------------------------
// chat_server over TLS

#[test]
fn wss_round_trip_between_two_rustls_clients() {
    let (_server, port, pki) = start();
    runtime().block_on(async {
        let mut a = join(port, pki.trusting()).await;
        let mut b = join(port, pki.trusting()).await;
        let b_joined = recv_until(&mut a, "b's join notice", |t| t.ends_with(" joined")).await;
        bounded("send", a.send_text("hello over wss ✓"))
            .await
            .expect("send");
        recv_text(&mut b, "hello over wss ✓").await;
        recv_text(&mut a, "hello over wss ✓").await;
        bounded("send", b.send_text("and back"))
            .await
            .expect("send");
        recv_text(&mut a, "and back").await;
        // b leaves with a Close; a hears it.
        bounded("close", b.close(wsframe::CloseCode::NORMAL, "bye"))
            .await
            .expect("close");
        let left = b_joined.replace(" joined", " left");
        recv_text(&mut a, &left).await;
    });
}

#[test]
fn https_get_serves_the_page_that_picks_wss() {
    let (_server, port, pki) = start();
    runtime().block_on(async {
        let mut tls = bounded("TLS handshake", tls_connect(port, pki.trusting()))
            .await
            .expect("TLS handshake");
        let request =
            format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n");
        tls.write_all(request.as_bytes())
            .await
            .expect("write request");
        let mut response = Vec::new();
        bounded("the page, to its end", tls.read_to_end(&mut response))
            .await
            .expect("read the response to close_notify");
        let text = String::from_utf8(response).expect("UTF-8 response");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/html"),
            "{head}"
        );
        assert!(
            head.contains(&format!("Content-Length: {}", body.len())),
            "{head}"
        );
        assert!(body.contains("<input"), "no <input in the page");
        // The page builds its socket's URL from how it was loaded.
        assert!(
            body.contains(r#"location.protocol === "https:" ? "wss://" : "ws://""#),
            "the page does not pick wss: over https:"
        );
    });
}

#[test]
fn a_client_that_does_not_trust_the_ca_fails_the_handshake() {
    let (server, port, pki) = start();
    runtime().block_on(async {
        let refused = bounded("TLS handshake", tls_connect(port, not_trusting())).await;
        let error = refused.expect_err("a handshake with an untrusted certificate succeeded");
        let inner = error
            .get_ref()
            .and_then(|e| e.downcast_ref::<rustls::Error>());
        assert!(
            matches!(
                inner,
                Some(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::UnknownIssuer
                ))
            ),
            "expected UnknownIssuer, got {error}"
        );
        // The server saw the alert, logged it, and serves on.
        two_clients_chat(port, &pki, "after the refusal").await;
    });
    server.stderr_line("the client's alert", |l| {
        l.contains("TLS: handshake failed: received fatal alert: UnknownCA")
    });
}

#[test]
fn garbage_instead_of_a_client_hello_is_dropped_and_others_chat() {
    let (server, port, pki) = start();
    runtime().block_on(async {
        let mut garbage = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        // Plain HTTP to a TLS port, then binary noise.
        garbage
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff\x16\x03")
            .await
            .expect("write garbage");
        let took = hung_up_within(&mut garbage, WAIT).await;
        assert!(took < Duration::from_secs(5), "dropped only after {took:?}");
        // A half-hearted record: a handshake header announcing more than is sent.
        let mut torn = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        torn.write_all(&[0x16, 0x03, 0x01, 0xff, 0xff, 0x01])
            .await
            .expect("write");
        two_clients_chat(port, &pki, "despite the garbage").await;
        drop(torn);
    });
    server.stderr_line("the dropped client", |l| {
        l.contains("TLS: handshake failed: received corrupt message")
    });
}

#[test]
fn a_silent_client_does_not_block_others_and_is_dropped_at_the_deadline() {
    let (server, port, pki) = start();
    runtime().block_on(async {
        // TCP open, not a byte sent.
        let mut silent = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let opened = Instant::now();
        // Others get in and chat meanwhile.
        two_clients_chat(port, &pki, "while one client says nothing").await;
        // Under the 10 s deadline, with room for a loaded machine.
        assert!(
            opened.elapsed() < Duration::from_secs(8),
            "chatting took {:?}: held up by the silent client?",
            opened.elapsed()
        );
        // The silent one is hung up on at the 10 s handshake deadline.
        hung_up_within(&mut silent, WAIT).await;
        let after = opened.elapsed();
        assert!(
            after >= Duration::from_secs(9),
            "hung up after {after:?}, before the deadline"
        );
    });
    server.stderr_line("the deadline", |l| {
        l.contains("TLS: no handshake within 10s")
    });
}

// ---------------------------------------------------------------------------
// gateway over TLS

#[test]
fn gateway_with_ca_relays_over_wss() {
    let (_server, port, pki) = start();
    let rt = runtime();
    let mut member = rt.block_on(join(port, pki.trusting()));
    let url = format!("wss://localhost:{port}/ws");
    let ca = pki.path("ca.pem");
    let mut gateway = Proc::spawn("gateway", &[&url, "--ca", &ca]);
    gateway.stderr_line("connected", |l| l.contains("gateway: connected"));
    rt.block_on(async {
        recv_until(&mut member, "the gateway's join notice", |t| {
            t.starts_with("* user ") && t.ends_with(" joined")
        })
        .await;
    });
    // stdin -> room.
    gateway.write_line("from the uart, over tls");
    rt.block_on(recv_text(&mut member, "from the uart, over tls"));
    // room -> stdout.
    rt.block_on(async {
        bounded("send", member.send_text("to the gateway"))
            .await
            .expect("send");
    });
    gateway.stdout_line("\"to the gateway\"", |l| l == "to the gateway");
    // End of input: it closes and exits by itself.
    gateway.close_stdin();
    let status = gateway.wait_exit();
    assert!(status.success(), "gateway exited with {status}");
}

#[test]
fn gateway_without_ca_refuses_the_certificate_and_keeps_retrying() {
    let (_server, port, _pki) = start();
    let url = format!("wss://localhost:{port}/ws");
    let gateway = Proc::spawn("gateway", &[&url]);
    let untrusted = |l: &str| {
        l.starts_with("gateway: TLS: certificate not trusted: ") && l.contains("; retrying in ")
    };
    gateway.stderr_line("the refusal", untrusted);
    gateway.stderr_line("the refusal, again after the backoff", untrusted);
    let log = gateway.stderr_text();
    assert!(
        !log.contains("gateway: connected"),
        "connected to an untrusted server:\n{log}"
    );
}

/// The CA file has to hold a certificate: anything else ends the gateway
/// at start with a message, before any connection.
#[test]
fn gateway_refuses_a_ca_file_without_a_certificate() {
    let pki = Pki::new();
    let key = pki.path("key.pem");
    let mut gateway = Proc::spawn("gateway", &["wss://localhost:9/ws", "--ca", &key]);
    gateway.stderr_line("why", |l| {
        l.starts_with("gateway: TLS: ") && l.contains(&key)
    });
    let status = gateway.wait_exit();
    assert_eq!(status.code(), Some(1), "{status}");
}

// ---------------------------------------------------------------------------
// In process: rustls server and rustls client over an in-memory duplex,
// wsframe's async adapter on both ends (no example program, no socket).

#[allow(deprecated)] // rustls's ring provider: see examples/support/tls.rs
fn server_config(pki: &Pki) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::PrivateKeyDer;
    use rustls::pki_types::pem::PemObject;
    let certs = CertificateDer::pem_file_iter(pki.path("cert.pem"))
        .expect("cert.pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("certificates");
    let key = PrivateKeyDer::from_pem_file(pki.path("key.pem")).expect("key.pem");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server certificate");
    Arc::new(config)
}

/// One wss:// session in memory: the TLS handshake, the WebSocket handshake
/// with permessage-deflate, messages both ways, the closing handshake.
async fn in_memory_session(pki: &Pki, client_tls: Arc<ClientConfig>) -> Result<(), String> {
    use wsframe::deflate::{Deflater, Inflater};
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(pki));
    let server = tokio::spawn(async move {
        let tls = acceptor
            .accept(server_io)
            .await
            .map_err(|e| e.to_string())?;
        let conn = Connection::server(vec![0u8; 64 * 1024], Config::new())
            .map_err(|e| e.to_string())?
            .with_deflate(
                Inflater::new(vec![0u8; 1 << 15]).map_err(|e| e.to_string())?,
                Deflater::new(vec![0u16; 1024]),
            );
        let mut ws = WebSocket::new(FromTokio::new(tls), conn, vec![0u8; 16 * 1024])
            .map_err(|e| e.to_string())?;
        ws.accept::<16>(&wsframe::handshake::Limits::DEFAULT, |_| {
            wsframe::io::Answer::Accept(None)
        })
        .await
        .map_err(|e| e.to_string())?;
        assert!(ws.connection().deflate_agreed());
        loop {
            let echo = match ws.read().await {
                Ok(Event::Text(t)) => t.to_owned(),
                Ok(_) => continue,
                Err(wsframe::io::Error::Closed) => return Ok::<_, String>(()),
                Err(e) => return Err(e.to_string()),
            };
            ws.send_text(&echo).await.map_err(|e| e.to_string())?;
        }
    });
    let connector = TlsConnector::from(client_tls);
    let name = ServerName::try_from("localhost").expect("name");
    let tls = connector
        .connect(name, client_io)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    let conn = Connection::client(vec![0u8; 64 * 1024], Config::new(), Masks(7))
        .map_err(|e| e.to_string())?
        .with_deflate(
            Inflater::new(vec![0u8; 1 << 15]).map_err(|e| e.to_string())?,
            Deflater::new(vec![0u16; 1024]),
        );
    let url = Url::parse("wss://localhost/").map_err(|e| e.to_string())?;
    let request =
        ClientRequest::new(&url, [3; 16]).with_deflate(conn.deflate_offer().expect("offer"));
    let mut ws = WebSocket::new(FromTokio::new(tls), conn, vec![0u8; 16 * 1024])
        .map_err(|e| e.to_string())?;
    ws.connect(&request).await.map_err(|e| e.to_string())?;
    assert!(ws.connection().deflate_agreed());
    for i in 0..20 {
        let text = format!(
            "{{\"n\":{i},\"text\":\"{}\"}}",
            "over tls, compressed ".repeat(i * 10)
        );
        ws.send_text(&text).await.map_err(|e| e.to_string())?;
        match ws.read().await {
            Ok(Event::Text(t)) => assert_eq!(t, text),
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    ws.close(wsframe::CloseCode::NORMAL, "done")
        .await
        .map_err(|e| e.to_string())?;
    loop {
        match ws.read().await {
            Ok(_) => {}
            Err(wsframe::io::Error::Closed) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    server
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("server: {e}"))
}

#[test]
fn wss_round_trip_in_process_rustls_on_both_ends() {
    let pki = Pki::new();
    runtime().block_on(async {
        bounded("the session", in_memory_session(&pki, pki.trusting()))
            .await
            .expect("the session");
    });
}

#[test]
fn in_process_a_certificate_that_does_not_verify_is_refused() {
    let pki = Pki::new();
    runtime().block_on(async {
        let result = bounded("the session", in_memory_session(&pki, not_trusting())).await;
        let error = result.expect_err("an untrusted certificate must not connect");
        assert!(error.starts_with("TLS: "), "{error}");
        assert!(
            error.contains("UnknownIssuer") || error.contains("certificate"),
            "{error}"
        );
    });
}
