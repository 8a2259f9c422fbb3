//! How the client checks the server's certificate: the platform's roots, plus a private CA bundle when
//! one is given; checking can be turned off only explicitly (and the Python layer warns when it is).

use std::path::Path;

use crate::error::Error;

#[derive(Clone)]
pub struct TlsOptions {
    /// PEM certificates trusted in addition to the platform's roots (`ca_bundle=`).
    pub extra_roots: Vec<reqwest::Certificate>,
    /// False accepts any certificate for any host: only for test set-ups.
    pub verify: bool,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            extra_roots: Vec::new(),
            verify: true,
        }
    }
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("extra_roots", &self.extra_roots.len())
            .field("verify", &self.verify)
            .finish()
    }
}

impl TlsOptions {
    /// Adds the certificates of the PEM file at `path` to the trusted roots.
    pub fn with_ca_bundle(mut self, path: &Path) -> Result<Self, Error> {
        let shown = path.display();
        let pem = std::fs::read(path)
            .map_err(|e| Error::Config(format!("cannot read ca_bundle {shown}: {e}")))?;
        self.extra_roots.extend(
            ca_certificates(&pem).map_err(|m| Error::Config(format!("ca_bundle {shown}: {m}")))?,
        );
        Ok(self)
    }

    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let builder = builder.tls_certs_merge(self.extra_roots.iter().cloned());
        if self.verify {
            builder
        } else {
            builder.tls_danger_accept_invalid_certs(true)
        }
    }
}

/// The certificates of a PEM bundle; one at least.
pub fn ca_certificates(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, String> {
    let certificates = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|e| format!("not a PEM certificate bundle: {e}"))?;
    if certificates.is_empty() {
        return Err("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".to_owned());
    }
    Ok(certificates)
}

/// True when `error` (or a cause) is a refused certificate: trying again cannot help.
pub(crate) fn is_certificate_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        // Boxed causes hide their type from downcasts; rustls's own wording is stable.
        let text = e.to_string();
        if text.contains("invalid peer certificate") || text.contains("peer sent no certificates") {
            return true;
        }
        if is_rustls_certificate_error(e) {
            return true;
        }
        // io::Error's source() skips the error it wraps; look at that one too.
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if is_rustls_certificate_error(inner) {
                return true;
            }
        }
        current = e.source();
    }
    false
}

fn is_rustls_certificate_error(e: &(dyn std::error::Error + 'static)) -> bool {
    matches!(
        e.downcast_ref::<rustls::Error>(),
        Some(
            rustls::Error::InvalidCertificate(_)
                | rustls::Error::NoCertificatesPresented
                | rustls::Error::UnsupportedNameType
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_without_certificates_are_refused() {
        assert!(ca_certificates(b"").is_err());
        assert!(ca_certificates(b"hello").is_err());
        let missing = TlsOptions::default().with_ca_bundle(Path::new("/nonexistent/ca.pem"));
        assert!(matches!(missing, Err(Error::Config(m)) if m.contains("/nonexistent/ca.pem")));
    }
}
