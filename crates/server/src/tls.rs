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

/// A certificate and key loaded from PEM files, swappable at run time.
#[derive(Debug)]
pub struct ReloadableCert {
    cert_path: PathBuf,
    key_path: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ReloadableCert {
    /// Loads the certificate chain and key; fails naming the bad file.
    pub fn load(cert: &Path, key: &Path) -> Result<ReloadableCert, String> {
        let ck = load_certified_key(cert, key)?;
        Ok(ReloadableCert {
            cert_path: cert.to_path_buf(),
            key_path: key.to_path_buf(),
            current: RwLock::new(Arc::new(ck)),
        })
    }

    /// Re-reads both files. On any problem the current certificate stays in
    /// use and the error (naming the file) is returned.
    pub fn reload(&self) -> Result<(), String> {
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
pub fn server_config_reloadable(cert: Arc<ReloadableCert>) -> Result<rustls::ServerConfig, String> {
    Ok(
        rustls::ServerConfig::builder_with_provider(Arc::new(provider()))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_cert_resolver(cert),
    )
}

/// A rustls server config from PEM certificate chain and key files.
pub fn server_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig, String> {
    server_config_reloadable(Arc::new(ReloadableCert::load(cert, key)?))
}

/// Reads and checks a certificate chain and its key (used by `amanatd
/// check` too). Errors name the file at fault.
pub fn load_certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("cannot read certificate {}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("certificate {} is not valid PEM: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("no certificate found in {}", cert.display()));
    }
    let der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot read private key {}: {e}", key.display()))?;
    CertifiedKey::from_der(certs, der, &provider()).map_err(|e| {
        format!(
            "certificate {} and key {} do not match or are unusable: {e}",
            cert.display(),
            key.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_named() {
        let e = ReloadableCert::load(Path::new("/nonexistent/c.pem"), Path::new("/x/k.pem"))
            .unwrap_err();
        assert!(e.contains("/nonexistent/c.pem"), "{e}");
    }
}
