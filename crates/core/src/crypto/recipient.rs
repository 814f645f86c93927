//! The kinds of reviewer key an envelope can be sealed to, parsed once.
//!
//! - `age1…`: an X25519 key in a file (`amanat keygen`, `age-keygen`).
//! - `age1tag1…`: a P-256 key, made by a hardware plugin (YubiKey, Secure
//!   Enclave, TPM); age seals to it natively (`p256tag` stanzas).
//! - `age1tagpq1…`: the hybrid ML-KEM-768 + P-256 key of the same plugins,
//!   post-quantum (`mlkem768p256tag` stanzas).
//!
//! The native software post-quantum key `age1pq1…` (mlkem768x25519) is not
//! in a released Rust age yet; when it is, it becomes one more arm of
//! [`Recipient`] and [`StanzaKind`] and nothing else changes.
//!
//! age refuses to mix post-quantum and classical recipients in one file
//! (a classical stanza would undo the post-quantum one), so [`check_set`]
//! refuses a mixed set with a message that says what to do, before age is
//! called. Nothing here holds a secret.

use super::CryptoError;
use age::{tag, tagpq, x25519};
use std::fmt;

/// A reviewer's public key, of one of the kinds age seals to natively.
#[derive(Clone)]
pub enum Recipient {
    X25519(x25519::Recipient),
    Tag(tag::Recipient),
    TagPq(Box<tagpq::Recipient>),
}

impl Recipient {
    /// True for a recipient that resists a quantum computer.
    pub fn is_post_quantum(&self) -> bool {
        self.kind().is_post_quantum()
    }

    /// The stanza type age writes for this recipient.
    pub fn kind(&self) -> StanzaKind {
        match self {
            Recipient::X25519(_) => StanzaKind::X25519,
            Recipient::Tag(_) => StanzaKind::P256Tag,
            Recipient::TagPq(_) => StanzaKind::MlKem768P256Tag,
        }
    }

    /// The recipient as age uses it.
    pub fn as_age(&self) -> &dyn age::Recipient {
        match self {
            Recipient::X25519(r) => r,
            Recipient::Tag(r) => r,
            Recipient::TagPq(r) => r.as_ref(),
        }
    }
}

impl std::str::FromStr for Recipient {
    type Err = CryptoError;

    /// Parses `age1…`, `age1tag1…` or `age1tagpq1…` (the longest prefix
    /// decides, since all three start with `age1`).
    fn from_str(s: &str) -> Result<Recipient, CryptoError> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("age1tagpq1") {
            s.parse()
                .map(|r| Recipient::TagPq(Box::new(r)))
                .map_err(|_| CryptoError::BadRecipient)
        } else if lower.starts_with("age1tag1") {
            s.parse()
                .map(Recipient::Tag)
                .map_err(|_| CryptoError::BadRecipient)
        } else {
            s.parse()
                .map(Recipient::X25519)
                .map_err(|_| CryptoError::BadRecipient)
        }
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::X25519(r) => r.fmt(f),
            Recipient::Tag(r) => r.fmt(f),
            Recipient::TagPq(r) => r.fmt(f),
        }
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self)
    }
}

impl From<x25519::Recipient> for Recipient {
    fn from(r: x25519::Recipient) -> Recipient {
        Recipient::X25519(r)
    }
}

/// Anything an envelope can be sealed to: our [`Recipient`], or a bare
/// X25519 key (the source's key derived from a codename, test keys).
pub trait SealTo {
    /// The recipient as age uses it.
    fn age_recipient(&self) -> &dyn age::Recipient;
    /// True for a post-quantum recipient.
    fn is_post_quantum(&self) -> bool;
}

impl SealTo for Recipient {
    fn age_recipient(&self) -> &dyn age::Recipient {
        self.as_age()
    }
    fn is_post_quantum(&self) -> bool {
        Recipient::is_post_quantum(self)
    }
}

impl SealTo for x25519::Recipient {
    fn age_recipient(&self) -> &dyn age::Recipient {
        self
    }
    fn is_post_quantum(&self) -> bool {
        false
    }
}

/// Refuses an empty set, and a set that mixes post-quantum and classical
/// recipients (age cannot seal one file to both).
pub fn check_set<R: SealTo>(recipients: &[R]) -> Result<(), CryptoError> {
    if recipients.is_empty() {
        return Err(CryptoError::NoRecipients);
    }
    let pq = recipients.iter().filter(|r| r.is_post_quantum()).count();
    if pq != 0 && pq != recipients.len() {
        return Err(CryptoError::MixedRecipients {
            post_quantum: pq,
            classical: recipients.len() - pq,
        });
    }
    Ok(())
}

/// Parses each recipient; the first that is none of the three kinds fails.
pub fn parse_all<S: AsRef<str>>(recipients: &[S]) -> Result<Vec<Recipient>, CryptoError> {
    recipients.iter().map(|r| r.as_ref().parse()).collect()
}

/// The recipient stanza types Amanat knows in an envelope's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StanzaKind {
    /// `X25519`: a classical file key.
    X25519,
    /// `p256tag`: a classical hardware key.
    P256Tag,
    /// `mlkem768p256tag`: a post-quantum hardware key.
    MlKem768P256Tag,
}

impl StanzaKind {
    /// The stanza type as it stands in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            StanzaKind::X25519 => "X25519",
            StanzaKind::P256Tag => "p256tag",
            StanzaKind::MlKem768P256Tag => "mlkem768p256tag",
        }
    }

    /// The kind a header's stanza type names, if it is one of ours.
    pub fn of(stanza_type: &str) -> Option<StanzaKind> {
        [
            StanzaKind::X25519,
            StanzaKind::P256Tag,
            StanzaKind::MlKem768P256Tag,
        ]
        .into_iter()
        .find(|k| k.as_str() == stanza_type)
    }

    /// True for a post-quantum stanza.
    pub fn is_post_quantum(self) -> bool {
        matches!(self, StanzaKind::MlKem768P256Tag)
    }
}

/// What the stanzas of an envelope say about its protection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Every stanza is post-quantum.
    PostQuantum,
    /// Every stanza is classical (X25519 or P-256).
    Classical,
    /// A stanza type Amanat does not seal to (scrypt, ssh, a plugin's own),
    /// or no stanza at all.
    Unknown,
}

/// Classifies an envelope by its header's stanza types (from
/// [`super::envelope::stanza_types`]).
pub fn classify(stanza_types: &[String]) -> Protection {
    let kinds: Option<Vec<StanzaKind>> = stanza_types.iter().map(|t| StanzaKind::of(t)).collect();
    match kinds {
        Some(k) if !k.is_empty() && k.iter().all(|k| k.is_post_quantum()) => {
            Protection::PostQuantum
        }
        Some(k) if !k.is_empty() && k.iter().all(|k| !k.is_post_quantum()) => Protection::Classical,
        _ => Protection::Unknown,
    }
}

/// True if `stanza_types` is exactly one stanza for each of `recipients`,
/// of the matching kinds (in any order): how the server checks that a
/// ciphertext a client sent is addressed to the set it was told.
pub fn addressed_to(stanza_types: &[String], recipients: &[Recipient]) -> bool {
    let mut want: Vec<&'static str> = recipients.iter().map(|r| r.kind().as_str()).collect();
    let mut got: Vec<&str> = stanza_types.iter().map(String::as_str).collect();
    want.sort_unstable();
    got.sort_unstable();
    want == got
}

#[cfg(test)]
pub(crate) mod tests;
