//! The TLS policy both ends share (rustls with the ring provider): only TLS 1.3
//! and TLS 1.2, and only AEAD cipher suites (AES-GCM and ChaCha20-Poly1305 with
//! ECDHE). `provider()` filters the suite list explicitly so a future change of
//! ring's defaults cannot widen it. The server's listeners and the CLI's client
//! both build on it.

use rustls::SupportedCipherSuite;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;
use std::sync::Arc;

/// The ring provider restricted to AEAD suites (all of ring's are today;
/// the filter keeps it that way).
pub fn provider() -> CryptoProvider {
    let mut p = rustls::crypto::ring::default_provider();
    p.cipher_suites.retain(is_aead);
    p
}

/// True for the suites we accept: every TLS 1.3 suite (all are AEAD) and
/// the TLS 1.2 ECDHE suites with AES-GCM or ChaCha20-Poly1305.
pub fn is_aead(suite: &SupportedCipherSuite) -> bool {
    match suite {
        SupportedCipherSuite::Tls13(_) => true,
        SupportedCipherSuite::Tls12(_) => {
            let name = format!("{:?}", suite.suite());
            name.starts_with("TLS_ECDHE_")
                && (name.contains("_GCM_") || name.ends_with("CHACHA20_POLY1305_SHA256"))
        }
    }
}

/// A rustls client config trusting the given PEM CA file, else the
/// platform's roots are not used: the CLI talks to one known server.
pub fn client_config(ca: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(ca) = ca {
        for c in CertificateDer::pem_file_iter(ca)
            .map_err(|e| format!("cannot read CA file {}: {e}", ca.display()))?
        {
            let c = c.map_err(|e| format!("CA file {} is not valid PEM: {e}", ca.display()))?;
            roots
                .add(c)
                .map_err(|e| format!("CA file {}: {e}", ca.display()))?;
        }
    }
    Ok(
        rustls::ClientConfig::builder_with_provider(Arc::new(provider()))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_aead_suites_are_offered() {
        let p = provider();
        assert!(!p.cipher_suites.is_empty());
        let tls12: Vec<String> = p
            .cipher_suites
            .iter()
            .filter(|s| matches!(s, SupportedCipherSuite::Tls12(_)))
            .map(|s| format!("{:?}", s.suite()))
            .collect();
        assert!(!tls12.is_empty(), "TLS 1.2 stays available");
        for name in tls12 {
            assert!(
                !name.contains("CBC") && !name.contains("NULL") && !name.contains("RC4"),
                "{name}"
            );
        }
        // Nothing ring offers was dropped by the filter today.
        assert_eq!(
            p.cipher_suites.len(),
            rustls::crypto::ring::default_provider().cipher_suites.len()
        );
    }
}
