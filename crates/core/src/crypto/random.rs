//! Random identifiers and tokens from the operating system's CSPRNG.
//!
//! Ids are 128 bits, tokens 256 bits, both lower-case RFC 4648 base32 without
//! padding so they are safe in URLs, file names and sled keys. Nothing here is
//! sequential or time-based, so ids reveal no order of arrival.

use data_encoding::BASE32_NOPAD;
use rand::TryRngCore;
use zeroize::Zeroizing;

/// Fills `buf` from the OS CSPRNG.
///
/// Panics only if the operating system cannot provide randomness, in which
/// case continuing would be unsafe.
pub fn fill(buf: &mut [u8]) {
    rand::rngs::OsRng.unwrap_err().try_fill_bytes(buf).ok();
}

/// A random 128-bit id, base32 (26 characters).
pub fn id() -> String {
    let mut b = [0u8; 16];
    fill(&mut b);
    BASE32_NOPAD.encode(&b).to_ascii_lowercase()
}

/// A random 256-bit secret token, base32 (52 characters), zeroized on drop.
pub fn token() -> Zeroizing<String> {
    let mut b = Zeroizing::new([0u8; 32]);
    fill(b.as_mut());
    Zeroizing::new(BASE32_NOPAD.encode(b.as_ref()).to_ascii_lowercase())
}

/// True if `s` has the shape of an [`id`]: 26 lower-case base32 characters.
pub fn is_id(s: &str) -> bool {
    s.len() == 26
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || (b'2'..=b'7').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_documented_shape_and_differ() {
        let a = id();
        let b = id();
        assert!(is_id(&a), "{a}");
        assert_ne!(a, b);
        assert_eq!(token().len(), 52);
        assert!(!is_id("../../etc/passwd"));
        assert!(!is_id(&a.to_uppercase()));
    }
}
