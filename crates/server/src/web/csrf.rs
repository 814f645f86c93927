//! Anti-forgery tokens for every POST of the source interface.
//!
//! Double-submit, signed and single-use: the browser holds a random cookie;
//! the form carries `nonce | expiry | HMAC(key, nonce | expiry | cookie)`.
//! A token is valid only with the cookie it was made for (so a token fetched
//! by another site is useless), only until it expires, and only once (its
//! nonce is remembered until expiry). The key is random per process and
//! lives only in memory.

use amanat_core::crypto::{ct_eq, random};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// The cookie that binds tokens to one browser.
pub const COOKIE: &str = "amanat_csrf";

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum CsrfError {
    Missing,
    Invalid,
    Expired,
    Reused,
}

/// Issues and checks tokens.
pub struct Csrf {
    key: Zeroizing<[u8; 32]>,
    ttl_secs: u64,
    used: Mutex<HashMap<[u8; 16], u64>>,
}

impl Csrf {
    /// A new issuer with a fresh random key.
    pub fn new(ttl_secs: u64) -> Csrf {
        let mut key = Zeroizing::new([0u8; 32]);
        random::fill(key.as_mut());
        Csrf {
            key,
            ttl_secs,
            used: Mutex::new(HashMap::new()),
        }
    }

    /// A fresh random cookie value.
    pub fn new_cookie() -> String {
        random::id()
    }

    /// A token for the browser holding `cookie`.
    pub fn issue(&self, cookie: &str) -> String {
        let mut nonce = [0u8; 16];
        random::fill(&mut nonce);
        let expires = now() + self.ttl_secs;
        let mut raw = Vec::with_capacity(56);
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&expires.to_be_bytes());
        raw.extend_from_slice(&self.mac(&nonce, expires, cookie));
        BASE32_NOPAD.encode(&raw).to_ascii_lowercase()
    }

    /// Checks a token against the browser's cookie and consumes it.
    pub fn consume(&self, cookie: Option<&str>, token: Option<&str>) -> Result<(), CsrfError> {
        let (Some(cookie), Some(token)) = (cookie, token) else {
            return Err(CsrfError::Missing);
        };
        let raw = BASE32_NOPAD
            .decode(token.to_ascii_uppercase().as_bytes())
            .map_err(|_| CsrfError::Invalid)?;
        if raw.len() != 56 {
            return Err(CsrfError::Invalid);
        }
        let (nonce, rest) = raw.split_at(16);
        let (exp, mac) = rest.split_at(8);
        let nonce: [u8; 16] = nonce.try_into().map_err(|_| CsrfError::Invalid)?;
        let expires = u64::from_be_bytes(exp.try_into().map_err(|_| CsrfError::Invalid)?);
        if !ct_eq(mac, &self.mac(&nonce, expires, cookie)) {
            return Err(CsrfError::Invalid);
        }
        let now = now();
        if expires <= now {
            return Err(CsrfError::Expired);
        }
        let mut used = match self.used.lock() {
            Ok(u) => u,
            Err(p) => p.into_inner(),
        };
        // Forget nonces whose tokens have expired anyway: the set stays
        // bounded by the number of forms submitted within one TTL.
        if used.len() > 1024 {
            used.retain(|_, e| *e > now);
        }
        if used.insert(nonce, expires).is_some() {
            return Err(CsrfError::Reused);
        }
        Ok(())
    }

    fn mac(&self, nonce: &[u8], expires: u64, cookie: &str) -> [u8; 32] {
        // HMAC accepts keys of any length; new_from_slice cannot fail here.
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(self.key.as_ref()) else {
            return [0u8; 32];
        };
        m.update(nonce);
        m.update(&expires.to_be_bytes());
        m.update(cookie.as_bytes());
        m.finalize().into_bytes().into()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_once_with_its_cookie() {
        let c = Csrf::new(60);
        let t = c.issue("cookie-a");
        assert_eq!(
            c.consume(Some("cookie-b"), Some(&t)),
            Err(CsrfError::Invalid)
        );
        assert_eq!(c.consume(Some("cookie-a"), Some(&t)), Ok(()));
        assert_eq!(
            c.consume(Some("cookie-a"), Some(&t)),
            Err(CsrfError::Reused)
        );
        assert_eq!(c.consume(None, Some(&t)), Err(CsrfError::Missing));
        assert_eq!(c.consume(Some("cookie-a"), None), Err(CsrfError::Missing));
        assert_eq!(
            c.consume(Some("cookie-a"), Some("zz")),
            Err(CsrfError::Invalid)
        );
    }

    #[test]
    fn other_process_keys_and_expiry_are_refused() {
        let a = Csrf::new(60);
        let b = Csrf::new(60);
        let t = a.issue("c");
        assert_eq!(b.consume(Some("c"), Some(&t)), Err(CsrfError::Invalid));
        let z = Csrf::new(0);
        let t = z.issue("c");
        assert_eq!(z.consume(Some("c"), Some(&t)), Err(CsrfError::Expired));
    }
}
