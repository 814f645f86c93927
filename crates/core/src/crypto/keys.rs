//! X25519 key material: generation, and identities from derived bytes.
//!
//! age has no constructor for an identity from raw bytes, so derived secrets
//! are bech32-encoded as `AGE-SECRET-KEY-1…` in a zeroizing string and parsed;
//! the result interoperates with the Go and Rust age tools.

use super::CryptoError;
use age::secrecy::ExposeSecret;
use age::x25519;
use zeroize::Zeroizing;

/// A new X25519 identity: the secret key text (`AGE-SECRET-KEY-1…`, zeroized on
/// drop) and its public recipient (`age1…`).
pub fn generate() -> (Zeroizing<String>, String) {
    let id = x25519::Identity::generate();
    let secret = Zeroizing::new(id.to_string().expose_secret().to_string());
    (secret, id.to_public().to_string())
}

/// The X25519 identity whose secret scalar is `bytes`.
pub fn identity_from_bytes(bytes: &[u8; 32]) -> Result<x25519::Identity, CryptoError> {
    let hrp = bech32::Hrp::parse("age-secret-key-").map_err(|_| CryptoError::BadRecipient)?;
    let mut s = Zeroizing::new(String::with_capacity(80));
    bech32::encode_lower_to_fmt::<bech32::Bech32, _>(&mut *s, hrp, bytes)
        .map_err(|_| CryptoError::BadRecipient)?;
    s.make_ascii_uppercase();
    s.parse().map_err(|_| CryptoError::BadRecipient)
}

/// True if `s` parses as a reviewer recipient of any kind Amanat seals to
/// (`age1…`, `age1tag1…`, `age1tagpq1…`; see [`super::recipient`]).
pub fn is_recipient(s: &str) -> bool {
    s.parse::<super::recipient::Recipient>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_identities_are_deterministic() {
        let a = identity_from_bytes(&[7u8; 32]).unwrap();
        let b = identity_from_bytes(&[7u8; 32]).unwrap();
        let c = identity_from_bytes(&[8u8; 32]).unwrap();
        assert_eq!(a.to_public().to_string(), b.to_public().to_string());
        assert_ne!(a.to_public().to_string(), c.to_public().to_string());
        assert!(a.to_public().to_string().starts_with("age1"));
    }

    #[test]
    fn generated_keys_match() {
        let (secret, recipient) = generate();
        let id: x25519::Identity = secret.parse().unwrap();
        assert_eq!(id.to_public().to_string(), recipient);
        assert!(is_recipient(&recipient));
        assert!(!is_recipient("age1notakey"));
    }
}
