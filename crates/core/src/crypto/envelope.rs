//! Envelopes: padded plaintext encrypted with age to a set of recipients.
//!
//! Format of the plaintext inside age: a 4-byte big-endian length, the data,
//! then zero bytes up to the padded size. The padded size follows the Padmé
//! scheme (at most ~12% overhead, leaks only O(log log n) bits of the length),
//! with a floor of [`MIN_PADDED`] so that short reports all look alike.

use super::CryptoError;
pub use super::recipient::{Recipient, SealTo};
use std::io::{Read, Write};
use zeroize::Zeroizing;

/// Smallest padded plaintext size: every short report looks the same.
pub const MIN_PADDED: usize = 4096;

/// Parses reviewer recipients (`age1…`, `age1tag1…`, `age1tagpq1…`).
pub fn parse_recipients<S: AsRef<str>>(recipients: &[S]) -> Result<Vec<Recipient>, CryptoError> {
    super::recipient::parse_all(recipients)
}

/// Pads and encrypts `plaintext` to every recipient. A set that mixes
/// post-quantum and classical recipients is refused before age is called.
pub fn seal<R: SealTo>(plaintext: &[u8], recipients: &[R]) -> Result<Vec<u8>, CryptoError> {
    let enc = encryptor(recipients)?;
    let padded = pad(plaintext)?;
    let mut out = Vec::with_capacity(padded.len() + 512);
    let mut w = enc
        .wrap_output(&mut out)
        .map_err(|e| CryptoError::Encrypt(e.to_string()))?;
    w.write_all(&padded)
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| CryptoError::Encrypt(e.to_string()))?;
    Ok(out)
}

/// An age encryptor to `recipients`, once the set is checked (not empty,
/// not mixed); shared by envelopes and attachment blobs.
pub fn encryptor<R: SealTo>(recipients: &[R]) -> Result<age::Encryptor, CryptoError> {
    super::recipient::check_set(recipients)?;
    age::Encryptor::with_recipients(recipients.iter().map(|r| r.age_recipient()))
        .map_err(|e| CryptoError::Encrypt(e.to_string()))
}

/// Decrypts an envelope with any of `identities` and removes the padding.
pub fn open(
    ciphertext: &[u8],
    identities: &[&dyn age::Identity],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let dec = age::Decryptor::new_buffered(ciphertext).map_err(|_| CryptoError::NotAge)?;
    let mut r = dec
        .decrypt(identities.iter().copied())
        .map_err(|_| CryptoError::Decrypt)?;
    let mut padded = Zeroizing::new(Vec::new());
    r.read_to_end(&mut padded)
        .map_err(|_| CryptoError::Decrypt)?;
    let data = unpad(&padded)?;
    Ok(Zeroizing::new(data.to_vec()))
}

/// The padded size for `len` bytes of data (including the length prefix).
pub fn padded_len(len: usize) -> usize {
    padme(len + 4).max(MIN_PADDED)
}

/// Frames and pads `data`.
pub fn pad(data: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let n = u32::try_from(data.len()).map_err(|_| CryptoError::Encrypt("too large".into()))?;
    let mut out = Zeroizing::new(Vec::with_capacity(padded_len(data.len())));
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(data);
    out.resize(padded_len(data.len()), 0);
    Ok(out)
}

/// Removes the framing added by [`pad`], checking that it is well formed.
pub fn unpad(padded: &[u8]) -> Result<&[u8], CryptoError> {
    let (len, rest) = padded
        .split_first_chunk::<4>()
        .ok_or(CryptoError::BadPadding)?;
    let n = u32::from_be_bytes(*len) as usize;
    let (data, zeros) = rest.split_at_checked(n).ok_or(CryptoError::BadPadding)?;
    if zeros.iter().any(|&b| b != 0) {
        return Err(CryptoError::BadPadding);
    }
    Ok(data)
}

/// The Padmé padded length of `l` (Nikitin et al., "Reducing metadata leakage
/// from encrypted files and communication with PURBs", 2019).
fn padme(l: usize) -> usize {
    if l < 2 {
        return l;
    }
    let e = usize::BITS - 1 - l.leading_zeros(); // floor(log2 l)
    let s = u32::BITS - e.leading_zeros(); // floor(log2 e) + 1
    let last_bits = e - s;
    let mask = (1usize << last_bits) - 1;
    (l + mask) & !mask
}

/// The recipient stanza types of an age file's header (grease excluded),
/// used to check that a ciphertext sent by a client is addressed as claimed.
pub fn stanza_types(ciphertext: &[u8]) -> Result<Vec<String>, CryptoError> {
    // The age v1 header is line-oriented text up to the MAC line "---".
    let head = ciphertext
        .get(..ciphertext.len().min(64 * 1024))
        .ok_or(CryptoError::NotAge)?;
    let mut lines = head.split(|&b| b == b'\n');
    if lines.next() != Some(b"age-encryption.org/v1".as_slice()) {
        return Err(CryptoError::NotAge);
    }
    let mut types = Vec::new();
    for line in lines {
        if line.starts_with(b"---") {
            return Ok(types);
        }
        if let Some(rest) = line.strip_prefix(b"-> ") {
            let t = rest.split(|&b| b == b' ').next().unwrap_or_default();
            // age adds random "grease" stanzas to keep parsers tolerant.
            if !t.ends_with(b"-grease") {
                types.push(String::from_utf8_lossy(t).into_owned());
            }
        }
    }
    Err(CryptoError::NotAge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::x25519;
    use proptest::prelude::*;

    #[test]
    fn padme_matches_known_values() {
        assert_eq!(padme(100), 104);
        assert_eq!(padme(1000), 1024);
        assert_eq!(padme(5000), 5120);
        assert_eq!(padded_len(0), MIN_PADDED);
        assert_eq!(padded_len(10_000), padme(10_004));
    }

    #[test]
    fn seal_open_round_trip_and_wrong_key() {
        let id = x25519::Identity::generate();
        let other = x25519::Identity::generate();
        let ct = seal(b"hello", &[id.to_public()]).unwrap();
        assert_eq!(&*open(&ct, &[&id]).unwrap(), b"hello");
        assert!(matches!(open(&ct, &[&other]), Err(CryptoError::Decrypt)));
        assert!(matches!(open(b"garbage", &[&id]), Err(CryptoError::NotAge)));
        assert_eq!(stanza_types(&ct).unwrap(), vec!["X25519".to_string()]);
    }

    /// Length of the encrypted payload after the header (whose size varies
    /// with age's random grease stanzas).
    fn payload_len(ct: &[u8]) -> usize {
        let mac = ct.windows(4).position(|w| w == b"\n---").unwrap();
        let end = mac + 1 + ct[mac + 1..].iter().position(|&b| b == b'\n').unwrap();
        ct.len() - end - 1
    }

    #[test]
    fn payloads_of_short_texts_have_equal_length() {
        let id = x25519::Identity::generate();
        let a = seal(b"a", &[id.to_public()]).unwrap();
        let b = seal(&[7u8; 3000], &[id.to_public()]).unwrap();
        let c = seal(&[7u8; 5000], &[id.to_public()]).unwrap();
        assert_eq!(payload_len(&a), payload_len(&b));
        assert!(payload_len(&c) > payload_len(&b));
    }

    #[test]
    fn seal_refuses_no_recipients() {
        let none: [Recipient; 0] = [];
        assert!(matches!(seal(b"x", &none), Err(CryptoError::NoRecipients)));
    }

    #[test]
    fn unpad_rejects_tampered_framing() {
        assert!(unpad(&[0, 0]).is_err());
        assert!(unpad(&[0, 0, 0, 9, 1]).is_err());
        assert!(unpad(&[0, 0, 0, 1, 1, 5]).is_err());
        assert_eq!(unpad(&[0, 0, 0, 1, 1, 0, 0]).unwrap(), &[1]);
    }

    proptest! {
        #[test]
        fn pad_unpad_round_trip(data in proptest::collection::vec(any::<u8>(), 0..20_000)) {
            let p = pad(&data).unwrap();
            prop_assert_eq!(p.len(), padded_len(data.len()));
            prop_assert!(p.len() >= data.len() + 4);
            prop_assert!(p.len() <= (data.len() + 4) * 113 / 100 + MIN_PADDED);
            prop_assert_eq!(unpad(&p).unwrap(), &data[..]);
        }

        #[test]
        fn unpad_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = unpad(&data);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn envelope_round_trip(data in proptest::collection::vec(any::<u8>(), 0..9000), n in 1usize..4) {
            let ids: Vec<_> = (0..n).map(|_| x25519::Identity::generate()).collect();
            let rs: Vec<_> = ids.iter().map(|i| i.to_public()).collect();
            let ct = seal(&data, &rs).unwrap();
            for id in &ids {
                prop_assert_eq!(&*open(&ct, &[id]).unwrap(), &data);
            }
        }
    }
}
