//! `wss://`: TLS 1.3 with `embedded-tls` (no heap) under the WebSocket,
//! over the UART, with the server's certificate checked against the one CA
//! built into the image (`build.rs` embeds the DER file that
//! `WSFRAME_FIRMWARE_CA` names).
//!
//! - [`Records`] is the transport under TLS: the UART, cut at TLS record
//!   boundaries so that a deadline can drop a read without losing bytes.
//! - [`Verifier`] is embedded-tls's `rustpki` verifier (`CertVerifier`:
//!   ECDSA P-256 signature of the server certificate by the CA's key, the
//!   certificate's names against the server name, its validity period
//!   against the host's clock) with the checks it leaves out added around
//!   it: see there.
//! - [`Provider`] hands embedded-tls a ChaCha20 generator seeded from the
//!   host's `/dev/urandom` and the verifier.

use embedded_io::ErrorKind;
use embedded_tls::pki::CertVerifier;
use embedded_tls::{
    Aes128GcmSha256, CertificateEntryRef, CertificateRef, CertificateVerifyRef, CryptoProvider,
    CryptoRngCore, TlsClock, TlsError, TlsVerifier,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

use crate::board;
use crate::uart::Uart;

/// The CA the server's certificate must be signed by (DER).
pub const CA_DER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ca.der"));
/// The name the server's certificate must carry (SNI and the check).
pub const SERVER_NAME: &str = "localhost";
/// TLS record buffer for reading: the largest record TLS allows (2^14 bytes
/// of plaintext plus 256 of expansion): the server decides the record size,
/// and rustls does not take the max_fragment_length extension.
pub const READ_LEN: usize = 16_640;
/// TLS record buffer for writing: the WebSocket sends frames of at most its
/// 512-byte transmit buffer; embedded-tls adds up to 128 bytes a record.
pub const WRITE_LEN: usize = 1_024;
/// Once a record has begun, the rest of it must arrive within this.
const RECORD_MS: u64 = 5_000;
/// Room for the server's certificate list, kept from the Certificate
/// message to the CertificateVerify.
const CERT_LEN: usize = 2_048;
/// TLS record header: type, version (2), length (2).
const HEADER: usize = 5;

/// The cipher suite offered (the one every TLS 1.3 server has).
pub type Suite = Aes128GcmSha256;

// ---------------------------------------------------------------------------
// Transport

/// The UART as TLS's transport, cut at record boundaries.
///
/// embedded-tls reads a record's header into a local of its read future
/// and keeps no note of a record it has begun, so dropping that future in
/// the middle of a record (a keepalive or run-time deadline racing the
/// WebSocket's read) would lose bytes and the stream with them. So this
/// transport follows the records: between records a read waits as the
/// UART does (a pending read has taken nothing, and dropping it is
/// harmless); once a record's first byte is in, every read until its last
/// byte waits for the UART without yielding (sleeping in `wfi` between
/// interrupts, at most [`RECORD_MS`]), so TLS reads the whole record in one
/// poll and the only place its read can be dropped is between records.
/// A read never crosses a record boundary.
pub struct Records<'u> {
    uart: &'u mut Uart,
    header: [u8; HEADER],
    /// Header bytes of the current record seen so far.
    header_len: usize,
    /// Body bytes of the current record still to come.
    body_left: usize,
}

impl<'u> Records<'u> {
    pub fn new(uart: &'u mut Uart) -> Self {
        Self {
            uart,
            header: [0; HEADER],
            header_len: 0,
            body_left: 0,
        }
    }

    fn between_records(&self) -> bool {
        self.header_len == 0 && self.body_left == 0
    }

    /// Inside a record: sleep until a byte is in, at most [`RECORD_MS`].
    fn wait_in_record(&mut self) -> Result<(), ErrorKind> {
        let give_up = board::now_ms().saturating_add(RECORD_MS);
        while !self.uart.rx_full() {
            if board::now_ms() >= give_up {
                return Err(ErrorKind::TimedOut);
            }
            cortex_m::asm::wfi();
        }
        Ok(())
    }

    /// Note bytes taken from the UART.
    fn account(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.header_len < HEADER {
                if let Some(slot) = self.header.get_mut(self.header_len) {
                    *slot = b;
                }
                self.header_len += 1;
                if self.header_len == HEADER {
                    let [_, _, _, hi, lo] = self.header;
                    self.body_left = usize::from(u16::from_be_bytes([hi, lo]));
                    if self.body_left == 0 {
                        self.header_len = 0;
                    }
                }
            } else {
                self.body_left = self.body_left.saturating_sub(1);
                if self.body_left == 0 {
                    self.header_len = 0;
                }
            }
        }
    }
}

impl embedded_io::ErrorType for Records<'_> {
    type Error = ErrorKind;
}

impl embedded_io_async::Read for Records<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.between_records() {
            self.uart.readable().await;
        } else {
            self.wait_in_record()?;
        }
        // Up to the end of the header, or of the body: never past the record.
        let limit = if self.header_len < HEADER {
            HEADER - self.header_len
        } else {
            self.body_left
        };
        let end = limit.min(buf.len());
        let Some(into) = buf.get_mut(..end) else {
            return Ok(0);
        };
        let n = self.uart.drain(into);
        self.account(into.get(..n).unwrap_or_default());
        Ok(n)
    }
}

impl embedded_io_async::Write for Records<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        self.uart.write_all_now(buf);
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Certificate verification

/// The host's clock (semihosting), for the certificate's validity period.
pub struct HostClock;

impl TlsClock for HostClock {
    fn now() -> Option<u64> {
        Some(board::host_unix_time())
    }
}

/// embedded-tls's `CertVerifier` against [`CA_DER`], with three checks
/// around it that it does not make:
///
/// - **The chain is the server certificate alone, or it followed by this
///   CA itself.** `CertVerifier` checks each certificate's signature by the
///   next one's key but not that the signer is a CA (basicConstraints), so
///   an intermediate would let any certificate of the CA sign others. The
///   CA here signs the server certificate directly.
/// - **A CertificateVerify only after a verified Certificate.**
///   `CertVerifier::verify_signature` unwraps the transcript that
///   `verify_certificate` leaves, so a server sending one without the other
///   would reach a panic.
/// - **[`authenticated`](Self::authenticated)**: embedded-tls finishes a
///   handshake in which the server sent neither message; the caller must
///   refuse a connection for which this is false.
pub struct Verifier {
    inner: CertVerifier<'static, Suite, HostClock, CERT_LEN>,
    /// The Certificate passed; its CertificateVerify is next.
    certified: bool,
    /// The CertificateVerify passed too.
    authenticated: bool,
}

impl Verifier {
    pub fn new() -> Self {
        Self {
            inner: CertVerifier::new(embedded_tls::Certificate::X509(CA_DER)),
            certified: false,
            authenticated: false,
        }
    }

    /// The server proved it holds the key of a certificate of [`CA_DER`]
    /// for [`SERVER_NAME`].
    pub fn authenticated(&self) -> bool {
        self.authenticated
    }
}

impl TlsVerifier<Suite> for Verifier {
    fn set_hostname_verification(&mut self, hostname: &str) -> Result<(), TlsError> {
        self.inner.set_hostname_verification(hostname)
    }

    fn verify_certificate(
        &mut self,
        transcript: &<Suite as embedded_tls::TlsCipherSuite>::Hash,
        cert: CertificateRef,
    ) -> Result<(), TlsError> {
        self.certified = false;
        self.authenticated = false;
        match cert.entries.as_slice() {
            [CertificateEntryRef::X509(_)] => {}
            [CertificateEntryRef::X509(_), CertificateEntryRef::X509(ca)] if *ca == CA_DER => {}
            _ => return Err(TlsError::InvalidCertificate),
        }
        self.inner.verify_certificate(transcript, cert)?;
        self.certified = true;
        Ok(())
    }

    fn verify_signature(&mut self, verify: CertificateVerifyRef) -> Result<(), TlsError> {
        if !core::mem::replace(&mut self.certified, false) {
            return Err(TlsError::InvalidCertificate);
        }
        self.inner.verify_signature(verify)?;
        self.authenticated = true;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Crypto provider

/// The random generator and the verifier of one TLS connection.
pub struct Provider {
    rng: ChaCha20Rng,
    pub verifier: Verifier,
}

impl Provider {
    /// A provider seeded from the host's `/dev/urandom`; `None` if the host
    /// gave no entropy (then there is no safe key share to offer).
    pub fn new() -> Option<Self> {
        let mut seed = [0u8; 32];
        if !board::host_random(&mut seed) {
            return None;
        }
        Some(Self {
            rng: ChaCha20Rng::from_seed(seed),
            verifier: Verifier::new(),
        })
    }
}

impl CryptoProvider for Provider {
    type CipherSuite = Suite;
    /// No client certificate: nothing is signed.
    type Signature = &'static [u8];

    fn rng(&mut self) -> impl CryptoRngCore {
        &mut self.rng
    }

    fn verifier(&mut self) -> Result<&mut impl TlsVerifier<Suite>, TlsError> {
        Ok(&mut self.verifier)
    }
}
