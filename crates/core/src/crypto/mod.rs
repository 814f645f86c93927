//! Cryptography for Amanat: age envelopes, padding, random ids and tokens,
//! and the one constant-time comparison everything uses.
//!
//! The server side uses only [`envelope::seal`] and the challenge helpers:
//! it can encrypt, never decrypt a report. Opening envelopes is for the
//! reviewer CLI (and, for follow-up replies, the source's own derived key).
//! Secrets live in `Zeroizing` buffers and are wiped on drop.

pub mod blob;
pub mod codename;
pub mod envelope;
pub mod keys;
pub mod random;
pub mod recipient;

use subtle::ConstantTimeEq;

/// Errors of the crypto layer. Messages never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("no recipients to encrypt to")]
    NoRecipients,
    #[error("not a valid age recipient (expected age1…, age1tag1… or age1tagpq1…)")]
    BadRecipient,
    #[error(
        "cannot seal one envelope to {post_quantum} post-quantum and {classical} classical \
         recipient(s): age refuses to mix them (a classical key would undo the post-quantum \
         protection); give every reviewer of the set the same kind of key"
    )]
    MixedRecipients {
        post_quantum: usize,
        classical: usize,
    },
    #[error("encryption failed: {0}")]
    Encrypt(String),
    #[error("this data could not be decrypted with the given key")]
    Decrypt,
    #[error("the decrypted data is malformed (bad padding)")]
    BadPadding,
    #[error("not valid age ciphertext")]
    NotAge,
}

/// Compares two byte strings in time that depends only on their lengths.
///
/// The single comparison used for tokens, CSRF values and challenge nonces.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_compares_bytes_and_lengths() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"abcd"));
        assert!(ct_eq(b"", b""));
    }
}
