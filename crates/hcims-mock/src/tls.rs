//! HTTPS for the emulator, so clients' certificate checks (private CAs, `verify=False`) can be tested.

use std::io;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// A TLS acceptor for the certificate chain and private key in `cert_pem` and `key_pem`, with
/// rustls's ring provider (the one the client uses).
pub(crate) fn acceptor(cert_pem: &str, key_pem: &str) -> io::Result<TlsAcceptor> {
    let invalid = |what: &str, e: &dyn std::fmt::Display| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("tls: {what}: {e}"))
    };
    let chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid("the certificate is not PEM", &e))?;
    if chain.is_empty() {
        return Err(invalid("the certificate", &"no PEM certificate found"));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| invalid("the private key is not PEM", &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("protocol versions", &e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid("the certificate and key do not fit", &e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
