//! The defender's codename: the only way back to a report.
//!
//! Seven words drawn with the OS CSPRNG from the EFF long wordlist (7,776
//! words, 12.9 bits each: 90 bits), plus an eighth checksum word computed
//! from the seven in order, so a mistyped, missing or swapped word is caught
//! before any lookup. Case and spacing are normalized.
//!
//! One Argon2id derivation of the normalized codename with the instance salt
//! yields 64 bytes: the first 32 are the source's lookup id, the last 32 the
//! secret of the source's X25519 age identity. The server stores only the
//! lookup id and the identity's public recipient; the codename is never
//! stored, logged, put in a URL or a cookie.

use super::CryptoError;
use diceware_wordlists::EFF_LONG_WORDLIST;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Random words in a codename (excluding the checksum word).
pub const RANDOM_WORDS: usize = 7;
/// Words in a codename, checksum included.
pub const WORDS: usize = RANDOM_WORDS + 1;

/// Argon2id parameters, stored with each source record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// OWASP's minimum recommendation for Argon2id: 19 MiB, 2 iterations, 1 lane.
    fn default() -> Self {
        KdfParams {
            m_cost_kib: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

/// Why a typed codename was refused before any lookup.
#[derive(Debug, PartialEq, Eq)]
pub enum CodenameError {
    /// Not the right number of words, an unknown word, or a bad checksum.
    CheckTheWords,
}

/// What a derivation yields.
pub struct Derived {
    /// The lookup id (public in the store).
    pub lookup: [u8; 32],
    /// The secret scalar of the source's X25519 identity.
    pub secret: Zeroizing<[u8; 32]>,
}

/// A fresh codename: 7 random words and the checksum word, space-separated.
pub fn generate() -> Zeroizing<String> {
    let mut words: Vec<&'static str> = Vec::with_capacity(WORDS);
    for _ in 0..RANDOM_WORDS {
        words.push(EFF_LONG_WORDLIST[uniform(EFF_LONG_WORDLIST.len())]);
    }
    words.push(checksum_word(&words));
    Zeroizing::new(words.join(" "))
}

/// Normalizes a typed codename and checks its words and checksum.
/// Returns the canonical form (lower case, single spaces).
pub fn normalize(input: &str) -> Result<Zeroizing<String>, CodenameError> {
    let lower = Zeroizing::new(input.to_lowercase());
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() != WORDS {
        return Err(CodenameError::CheckTheWords);
    }
    let mut known: Vec<&'static str> = Vec::with_capacity(WORDS);
    for w in &words {
        let i = EFF_LONG_WORDLIST
            .binary_search(w)
            .map_err(|_| CodenameError::CheckTheWords)?;
        known.push(EFF_LONG_WORDLIST[i]);
    }
    let (body, check) = known.split_at(RANDOM_WORDS);
    if check.first().copied() != Some(checksum_word(body)) {
        return Err(CodenameError::CheckTheWords);
    }
    Ok(Zeroizing::new(known.join(" ")))
}

/// The Argon2id derivation of a normalized codename.
pub fn derive(normalized: &str, salt: &[u8], params: KdfParams) -> Result<Derived, CryptoError> {
    derive_in(normalized, salt, params, &mut Vec::new())
}

/// The Argon2id derivation, using (and growing if needed) a caller-owned
/// work buffer, which is wiped afterwards. Reusing buffers keeps the KDF's
/// resident memory at exactly (buffers × m_cost), whatever the allocator
/// would otherwise keep cached per thread.
pub fn derive_in(
    normalized: &str,
    salt: &[u8],
    params: KdfParams,
    memory: &mut Vec<argon2::Block>,
) -> Result<Derived, CryptoError> {
    use zeroize::Zeroize;
    let p = argon2::Params::new(params.m_cost_kib, params.t_cost, params.p_cost, Some(64))
        .map_err(|e| CryptoError::Encrypt(format!("argon2 parameters: {e}")))?;
    if memory.len() < p.block_count() {
        memory.resize(p.block_count(), argon2::Block::default());
    }
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out = Zeroizing::new([0u8; 64]);
    let result = a.hash_password_into_with_memory(
        normalized.as_bytes(),
        salt,
        out.as_mut(),
        &mut memory[..],
    );
    memory.iter_mut().for_each(Zeroize::zeroize);
    result.map_err(|e| CryptoError::Encrypt(format!("argon2: {e}")))?;
    let mut lookup = [0u8; 32];
    lookup.copy_from_slice(&out[..32]);
    let mut secret = Zeroizing::new([0u8; 32]);
    secret.copy_from_slice(&out[32..]);
    Ok(Derived { lookup, secret })
}

fn checksum_word(words: &[&str]) -> &'static str {
    let mut h = Sha256::new();
    h.update(b"amanat codename checksum v1");
    for w in words {
        h.update([0u8]);
        h.update(w.as_bytes());
    }
    let d = h.finalize();
    let n = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
    EFF_LONG_WORDLIST[(n % EFF_LONG_WORDLIST.len() as u64) as usize]
}

/// A uniform index below `n`, by rejection sampling (no modulo bias).
fn uniform(n: usize) -> usize {
    let n = n as u32;
    let zone = u32::MAX - (u32::MAX % n);
    loop {
        let mut b = [0u8; 4];
        super::random::fill(&mut b);
        let v = u32::from_be_bytes(b);
        if v < zone {
            return (v % n) as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wordlist_is_sorted_unique_and_large_enough() {
        assert_eq!(EFF_LONG_WORDLIST.len(), 7776);
        assert!(EFF_LONG_WORDLIST.windows(2).all(|w| w[0] < w[1]));
        let bits = RANDOM_WORDS as f64 * (EFF_LONG_WORDLIST.len() as f64).log2();
        assert!(bits >= 80.0, "{bits}");
        assert!(
            EFF_LONG_WORDLIST
                .iter()
                .all(|w| !w.contains(char::is_whitespace))
        );
    }

    #[test]
    fn generated_codenames_verify_and_normalize() {
        let c = generate();
        assert_eq!(c.split(' ').count(), WORDS);
        assert_eq!(normalize(&c).unwrap().as_str(), c.as_str());
        let messy = format!("  {}  ", c.to_uppercase().replace(' ', " \t\n "));
        assert_eq!(normalize(&messy).unwrap().as_str(), c.as_str());
        assert_ne!(generate().as_str(), c.as_str());
    }

    #[test]
    fn wrong_missing_or_swapped_words_are_caught() {
        let c = generate();
        let words: Vec<&str> = c.split(' ').collect();
        // Swap two adjacent random words (unless they are equal).
        let mut swapped = words.clone();
        swapped.swap(0, 1);
        if swapped != words {
            assert_eq!(
                normalize(&swapped.join(" ")).err(),
                Some(CodenameError::CheckTheWords)
            );
        }
        // Replace one word with another wordlist word.
        let mut wrong = words.clone();
        wrong[3] = if wrong[3] == "abacus" {
            "abdomen"
        } else {
            "abacus"
        };
        assert!(normalize(&wrong.join(" ")).is_err());
        assert!(normalize(&words[..7].join(" ")).is_err());
        let mut typo = words.clone();
        let t = format!("{}x", typo[2]);
        typo[2] = &t;
        assert!(normalize(&typo.join(" ")).is_err());
        assert!(normalize("").is_err());
    }

    #[test]
    fn derivation_is_deterministic_and_salted() {
        let p = KdfParams {
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
        };
        let a = derive("a b", b"salt-salt-salt-1", p).unwrap();
        let b = derive("a b", b"salt-salt-salt-1", p).unwrap();
        let c = derive("a b", b"salt-salt-salt-2", p).unwrap();
        assert_eq!(a.lookup, b.lookup);
        assert_eq!(*a.secret, *b.secret);
        assert_ne!(a.lookup, c.lookup);
        assert_ne!(a.lookup[..], a.secret[..]);
        let mut mem = Vec::new();
        let d = derive_in("a b", b"salt-salt-salt-1", p, &mut mem).unwrap();
        assert_eq!(
            d.lookup, a.lookup,
            "the buffered derivation is the same function"
        );
        assert_eq!(mem.len(), 64, "one block per KiB");
        assert!(
            mem.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)),
            "wiped"
        );
    }
}
