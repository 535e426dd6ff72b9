//! TLS for the std examples (`wss://`, `https://`): rustls on its `ring`
//! provider, configured from PEM files. wsframe itself has no TLS code:
//! the examples put tokio-rustls's stream under the same
//! `embedded_io_adapters::tokio_1::FromTokio` adapter as a plain socket.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// rustls's `ring` provider, named explicitly (no process-wide default to
/// install). rustls 0.23.48 marks it deprecated because `ring` has no
/// post-quantum key exchange (X25519, P-256 and P-384 it has); rustls's
/// default provider, `aws-lc-rs`, has one, at the cost of building AWS-LC's
/// C and C++ sources for every example build.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Every certificate in a PEM file, in order; an error if there is none.
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no CERTIFICATE in the file", path.display()));
    }
    Ok(certs)
}

/// A server configuration from a certificate chain (PEM, the server's
/// certificate first) and its private key (PEM: PKCS#8, PKCS#1 or SEC1).
/// No client certificates; TLS 1.2 and 1.3.
///
/// # Errors
/// A file that cannot be read or holds no certificate or key, or a key that
/// does not match the certificate.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let chain = certificates(cert)?;
    let key_der =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| format!("{} with {}: {e}", cert.display(), key.display()))?;
    Ok(Arc::new(config))
}

/// A client configuration trusting the Mozilla roots (`webpki-roots`) and,
/// when given, every certificate in `extra_ca` (PEM).
///
/// # Errors
/// `extra_ca` cannot be read, holds no certificate, or one that is not a
/// usable trust anchor.
pub fn client_config(extra_ca: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra_ca {
        for cert in certificates(path)? {
            roots
                .add(cert)
                .map_err(|e| format!("{}: not a usable CA certificate: {e}", path.display()))?;
        }
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// What went wrong in a TLS handshake, for a log line: a certificate the
/// client does not accept is said to be not trusted, with rustls's reason.
pub fn describe(error: &std::io::Error) -> String {
    let tls = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match tls {
        Some(rustls::Error::InvalidCertificate(why)) => {
            let hint = match why {
                rustls::CertificateError::UnknownIssuer => {
                    " (signed by a CA we do not know; pass it with --ca CA.pem)"
                }
                _ => "",
            };
            format!("certificate not trusted: {why}{hint}")
        }
        Some(other) => format!("handshake failed: {other}"),
        None => format!("handshake failed: {error}"),
    }
}
