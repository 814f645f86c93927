//! The hash-chained audit log of reviewer actions.
//!
//! Each entry carries the SHA-256 of the previous entry, so changing,
//! removing or reordering any entry breaks the chain at that point, which
//! [`verify`] reports. Entries hold reviewer ids and report ids (the review
//! path may name them) and the UTC day, never a finer time, never content.

use crate::timeutil::Day;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hash of the (absent) entry before the first.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is chained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The reviewer id, or `operator` for local admin commands.
    pub actor: String,
    pub action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// A short non-secret detail (a role list, a state name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Audited actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Login,
    LoginFailed,
    Logout,
    ListReports,
    ReadReport,
    ReadIdentityDenied,
    ReviewerAdded,
    ReviewerRemoved,
    Reply,
    ReadAttachment,
    ReadIdentity,
    Triage,
    ExportRequested,
    Purge,
}

/// A chained entry as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub day: Day,
    #[serde(flatten)]
    pub event: Event,
    pub prev: String,
    pub hash: String,
}

/// Where the chain breaks.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at entry {seq}: {problem}")]
pub struct ChainError {
    pub seq: u64,
    pub problem: &'static str,
}

impl Entry {
    /// The entry that follows `last` (or starts the chain).
    pub fn next(last: Option<&Entry>, event: Event, day: Day) -> Entry {
        let seq = last.map(|l| l.seq + 1).unwrap_or(0);
        let prev = last
            .map(|l| l.hash.clone())
            .unwrap_or_else(|| GENESIS.into());
        let mut e = Entry {
            seq,
            day,
            event,
            prev,
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }

    fn compute_hash(&self) -> String {
        let body = serde_json::json!({
            "seq": self.seq,
            "day": self.day,
            "event": self.event,
            "prev": self.prev,
        });
        let digest = Sha256::digest(body.to_string().as_bytes());
        data_encoding::HEXLOWER.encode(&digest)
    }
}

/// Checks an ordered list of entries: sequence numbers contiguous from 0,
/// each hash correct, each entry pointing at its predecessor.
pub fn verify(entries: &[Entry]) -> Result<(), ChainError> {
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 {
            return Err(ChainError {
                seq: i as u64,
                problem: "an entry is missing or out of order",
            });
        }
        if e.prev != prev {
            return Err(ChainError {
                seq: e.seq,
                problem: "does not follow the previous entry",
            });
        }
        if e.hash != e.compute_hash() {
            return Err(ChainError {
                seq: e.seq,
                problem: "its content was changed",
            });
        }
        prev = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<Entry> {
        let mut v: Vec<Entry> = Vec::new();
        for i in 0..n {
            let ev = Event {
                actor: format!("r{i}"),
                action: Action::ReadReport,
                report: Some("abc".into()),
                detail: None,
            };
            let e = Entry::next(v.last(), ev, Day::from_days(20_000));
            v.push(e);
        }
        v
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(()));
        assert_eq!(verify(&[]), Ok(()));
    }

    #[test]
    fn tampering_is_detected() {
        let mut c = chain(5);
        c[2].event.actor = "mallory".into();
        assert_eq!(verify(&c).unwrap_err().seq, 2);

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c).unwrap_err().seq, 1);

        let mut c = chain(5);
        c.swap(1, 2);
        assert!(verify(&c).is_err());

        // Rewriting an entry and its own hash still breaks the next link.
        let mut c = chain(5);
        c[2].event.detail = Some("x".into());
        c[2].hash = c[2].compute_hash();
        assert_eq!(verify(&c).unwrap_err().seq, 3);
    }
}
