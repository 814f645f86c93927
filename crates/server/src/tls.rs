//! TLS configuration (rustls with the ring provider) and certificate reload.
//!
//! Only TLS 1.3 and TLS 1.2 are offered, and only AEAD cipher suites: the
//! provider comes from `amanat_core::tls`, shared with the reviewer CLI.
//! Certificates and keys are read from PEM files.
//!
//! A listener's certificate sits behind a [`ReloadableCert`], so `amanatd
//! serve` can swap it on SIGHUP (after a renewal) without closing the
//! listener or dropping open connections. A new certificate that cannot be
//! read, parsed or does not match its key is refused and the old one stays
//! in use: a renewal mistake must never take the server offline.
//!
//! Behind a Tor onion service TLS is not needed: the onion already
//! authenticates and encrypts. This module never logs anything but file
//! paths.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use amanat_core::tls::provider;

/// Why a certificate or key cannot serve; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read certificate {}: {source}", path.display())]
    ReadCert {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("certificate {} is not valid PEM: {source}", path.display())]
    CertPem {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("no certificate found in {}", path.display())]
    NoCert { path: PathBuf },
    #[error("cannot read private key {}: {source}", path.display())]
    ReadKey {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error(
        "certificate {} and key {} do not match or are unusable: {source}",
        cert.display(),
        key.display()
    )]
    Unusable {
        cert: PathBuf,
        key: PathBuf,
        source: rustls::Error,
    },
    #[error("{0}")]
    Config(rustls::Error),
}

/// A certificate and key loaded from PEM files, swappable at run time.
#[derive(Debug)]
pub struct ReloadableCert {
    cert_path: PathBuf,
    key_path: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadableCert {
    /// Loads the certificate chain and key; fails naming the bad file.
    pub fn load(cert: &Path, key: &Path) -> Result<ReloadableCert, TlsError> {
        let ck = load_certified_key(cert, key)?;
        Ok(ReloadableCert {
            cert_path: cert.to_path_buf(),
            key_path: key.to_path_buf(),
            current: RwLock::new(Arc::new(ck)),
        })
    }

    /// Re-reads both files. On any problem the current certificate stays in
    /// use and the error (naming the file) is returned.
    pub fn reload(&self) -> Result<(), TlsError> {
        let ck = Arc::new(load_certified_key(&self.cert_path, &self.key_path)?);
        // A poisoned lock only means a panic elsewhere while swapping an Arc;
        // the value inside is still a whole certificate.
        let mut guard = match self.current.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *guard = ck;
        Ok(())
    }

    /// The certificate file this listener serves.
    pub fn cert_path(&self) -> &Path {
        &self.cert_path
    }

    fn get(&self) -> Arc<CertifiedKey> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

impl ResolvesServerCert for ReloadableCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.get())
    }
}

/// A rustls server config serving whatever `cert` currently holds.
pub fn server_config_reloadable(
    cert: Arc<ReloadableCert>,
) -> Result<rustls::ServerConfig, TlsError> {
    Ok(
        rustls::ServerConfig::builder_with_provider(Arc::new(provider()))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(TlsError::Config)?
            .with_no_client_auth()
            .with_cert_resolver(cert),
    )
}

/// A rustls server config from PEM certificate chain and key files.
pub fn server_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig, TlsError> {
    server_config_reloadable(Arc::new(ReloadableCert::load(cert, key)?))
}

/// Reads and checks a certificate chain and its key (used by `amanatd
/// check` too). Errors name the file at fault.
pub fn load_certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|source| TlsError::ReadCert {
            path: cert.to_path_buf(),
            source,
        })?
        .collect::<Result<_, _>>()
        .map_err(|source| TlsError::CertPem {
            path: cert.to_path_buf(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCert {
            path: cert.to_path_buf(),
        });
    }
    let der = PrivateKeyDer::from_pem_file(key).map_err(|source| TlsError::ReadKey {
        path: key.to_path_buf(),
        source,
    })?;
    CertifiedKey::from_der(certs, der, &provider()).map_err(|source| TlsError::Unusable {
        cert: cert.to_path_buf(),
        key: key.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_named() {
        let e = ReloadableCert::load(Path::new("/nonexistent/c.pem"), Path::new("/x/k.pem"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("cannot read certificate /nonexistent/c.pem: "),
            "{e}"
        );
    }
}
