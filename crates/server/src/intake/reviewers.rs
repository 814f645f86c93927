//! The reviewers a request encrypts to: read from the store once, their
//! recipients parsed once, then passed down to whatever seals or stages.
//!
//! A submission reads them twice on purpose: when it starts (is anyone
//! enrolled to receive it, and to whom its files are encrypted while they
//! stream in) and when it is committed (the reviewers as they are then, which
//! the staged files must still match and the records are sealed to). Nothing
//! here logs; callers log aggregate events only.

use crate::store::{NewEnvelope, Reviewer, Store, StoreError};
use amanat_core::crypto::envelope::Recipient;
use amanat_core::crypto::{CryptoError, envelope};
use amanat_core::model::Role;
use amanat_core::records::{EnvelopeKind, Record, RecordError};

/// Why the reviewers' recipients could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReviewersError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored recipient is none of the kinds Amanat seals to.
    #[error(transparent)]
    Recipient(#[from] CryptoError),
}

/// The recipients of the reviewers holding one role, in the store's order.
pub struct Recipients {
    /// As stored: recorded with every envelope sealed to them.
    spelled: Vec<String>,
    parsed: Vec<Recipient>,
}

impl Recipients {
    /// The recipients of the reviewers holding `role` today.
    pub fn load(store: &Store, role: Role) -> Result<Recipients, ReviewersError> {
        Recipients::of(&store.reviewers()?, role)
    }

    fn of(reviewers: &[Reviewer], role: Role) -> Result<Recipients, ReviewersError> {
        let spelled: Vec<String> = reviewers
            .iter()
            .filter(|r| r.has(role))
            .map(|r| r.recipient.clone())
            .collect();
        let parsed = envelope::parse_recipients(&spelled)?;
        Ok(Recipients { spelled, parsed })
    }

    /// True if no reviewer holds the role.
    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty()
    }

    /// The parsed recipients (to encrypt a file to while it streams in).
    pub fn parsed(&self) -> &[Recipient] {
        &self.parsed
    }

    /// True if `sealed_to` (recipients as a staged file records them) names
    /// exactly these reviewers, in any order or spelling.
    pub fn are(&self, sealed_to: &[String]) -> bool {
        canonical(sealed_to.iter().cloned()) == canonical(self.parsed.iter().map(|r| r.to_string()))
    }

    /// Seals `record` to these recipients as an envelope of `kind`, naming
    /// them on record.
    pub fn seal<R: Record>(
        &self,
        kind: EnvelopeKind,
        record: &R,
    ) -> Result<NewEnvelope, SealError> {
        let plain = record.to_plaintext()?;
        Ok(NewEnvelope {
            kind,
            ciphertext: envelope::seal(&plain, &self.parsed)?,
            recipients: self.spelled.clone(),
        })
    }
}

/// Why a record could not be sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// The triage and the identity reviewers, from one read of the store.
pub struct ReviewerKeys {
    /// Receive every report, message, withdrawal and file.
    pub triage: Recipients,
    /// Receive the identity section.
    pub identity: Recipients,
}

impl ReviewerKeys {
    /// Reads the reviewers once and parses both sets.
    pub fn load(store: &Store) -> Result<ReviewerKeys, ReviewersError> {
        let all = store.reviewers()?;
        Ok(ReviewerKeys {
            triage: Recipients::of(&all, Role::Triage)?,
            identity: Recipients::of(&all, Role::Identity)?,
        })
    }
}

/// One spelling each (parsed recipients re-encode canonically), sorted,
/// deduplicated.
fn canonical(list: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = list.collect();
    out.sort();
    out.dedup();
    out
}
