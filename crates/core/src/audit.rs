//! The hash-chained audit log of reviewer actions.
//!
//! Each entry carries the SHA-256 of the previous entry, so changing,
//! removing or reordering any entry breaks the chain at that point, which
//! [`verify`] reports. Entries hold reviewer ids and report ids (the review
//! path may name them) and the UTC day, never a finer time, never content.
//!
//! A chain the server keeps alone proves nothing against whoever controls
//! the server: they can rewrite an entry and recompute every hash after it.
//! So the chain is anchored outside the server. At each login the reviewer's
//! CLI records the head it saw (an [`Anchor`]: index and hash), checks at the
//! next login that the server's chain still extends it ([`extends`]), and
//! acknowledges the head with a `head_seen` entry, so every reviewer's
//! anchors are also in the chain. `amanatd audit verify --against FILE`
//! checks the whole chain against anchors reviewers exported
//! ([`AnchorFile`], written by `amanat audit anchors`).

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
    /// A reviewer's CLI acknowledged the head it saw (detail `seq=N hash=H`).
    HeadSeen,
    /// An admin asked to enrol a reviewer with the identity or admin role
    /// online; it waits for a second admin (detail: grant id and roles).
    GrantRequested,
    /// A second admin approved a pending grant (detail: grant, new reviewer).
    GrantApproved,
    /// A pending grant was withdrawn (detail: grant id).
    GrantCancelled,
    /// An admin's CLI swapped an envelope or attachment file for one
    /// re-encrypted to today's reviewers (detail: `envelope=ID` or `blob=ID`).
    Rekey,
    /// A reviewer enrolled an offline desk key and got a read-only sync
    /// token (detail: the desk key's fingerprint).
    DeskEnrolled,
    /// A sync token fetched the queue, a report or an attachment as
    /// ciphertext for a mirror (detail: what).
    SyncRead,
}

/// A point of the chain a reviewer saw: the entry's index and hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    pub seq: u64,
    pub hash: String,
}

/// Format tag of an exported anchor file.
pub const ANCHOR_FORMAT: &str = "amanat.audit-anchors/1";

/// Anchors exported by reviewers (`amanat audit anchors`), the input of
/// `amanatd audit verify --against FILE`. JSON:
/// `{"format":"amanat.audit-anchors/1","anchors":[{"server":…,"reviewer":…,
/// "seq":N,"hash":"…","day":"YYYY-MM-DD"}]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorFile {
    pub format: String,
    pub anchors: Vec<ExportedAnchor>,
}

/// One exported anchor: which server, whose CLI, what it saw and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedAnchor {
    pub server: String,
    pub reviewer: String,
    pub seq: u64,
    pub hash: String,
    pub day: Day,
}

impl AnchorFile {
    /// Parses an anchor file, refusing other formats.
    pub fn parse(text: &str) -> Result<AnchorFile, String> {
        let f: AnchorFile = serde_json::from_str(text)
            .map_err(|e| format!("not an anchor file from `amanat audit anchors`: {e}"))?;
        if f.format != ANCHOR_FORMAT {
            return Err(format!(
                "anchor file format {:?}, expected {ANCHOR_FORMAT:?}",
                f.format
            ));
        }
        Ok(f)
    }
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

/// Checks that `entries` (consecutive entries starting at the anchored one)
/// extend `anchor`: the first is the anchored entry, unchanged, and each
/// next one links to the one before. Every hash is recomputed here, so a
/// server cannot vouch for itself. Returns the last entry as the new anchor.
pub fn extends(anchor: &Anchor, entries: &[Entry]) -> Result<Anchor, ChainError> {
    let broken = |seq, problem| Err(ChainError { seq, problem });
    let Some(first) = entries.first() else {
        return broken(
            anchor.seq,
            "the entry you anchored no longer exists (entries were removed)",
        );
    };
    if first.seq != anchor.seq || first.hash != anchor.hash || first.hash != first.compute_hash() {
        return broken(
            anchor.seq,
            "the entry you anchored was changed (the chain was rewritten)",
        );
    }
    let mut prev = first;
    for e in &entries[1..] {
        if e.seq != prev.seq + 1 {
            return broken(prev.seq + 1, "an entry is missing or out of order");
        }
        if e.prev != prev.hash {
            return broken(e.seq, "does not follow the previous entry");
        }
        if e.hash != e.compute_hash() {
            return broken(e.seq, "its content was changed");
        }
        prev = e;
    }
    Ok(Anchor {
        seq: prev.seq,
        hash: prev.hash.clone(),
    })
}

/// Checks a whole chain and that it passes through every anchor.
pub fn verify_against(entries: &[Entry], anchors: &[ExportedAnchor]) -> Result<(), String> {
    verify(entries).map_err(|e| e.to_string())?;
    for a in anchors {
        let ok = usize::try_from(a.seq)
            .ok()
            .and_then(|i| entries.get(i))
            .is_some_and(|e| e.hash == a.hash);
        if !ok {
            return Err(format!(
                "the audit chain does not extend the anchor reviewer {} recorded on {}                  (entry {}, hash {}): entries were changed or removed after that reviewer saw them",
                a.reviewer, a.day, a.seq, a.hash
            ));
        }
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

    /// Rewrites a chain from its events, as someone controlling the store
    /// can: the result verifies on its own.
    fn recomputed(events: Vec<Event>) -> Vec<Entry> {
        let mut v: Vec<Entry> = Vec::new();
        for ev in events {
            let e = Entry::next(v.last(), ev, Day::from_days(20_000));
            v.push(e);
        }
        v
    }

    #[test]
    fn a_recomputed_chain_verifies_but_does_not_extend_an_anchor() {
        let c = chain(6);
        let anchor = Anchor {
            seq: 4,
            hash: c[4].hash.clone(),
        };
        assert_eq!(extends(&anchor, &c[4..]).unwrap().seq, 5);
        assert_eq!(extends(&anchor, &c[4..5]).unwrap(), anchor);

        // Drop the last entry, change an actor, recompute every hash.
        let mut events: Vec<Event> = c[..5].iter().map(|e| e.event.clone()).collect();
        events[1].actor = "mallory".into();
        let forged = recomputed(events);
        assert_eq!(verify(&forged), Ok(()), "the forgery is self-consistent");
        assert!(extends(&anchor, &forged[4..]).is_err());
        let exported = ExportedAnchor {
            server: "s".into(),
            reviewer: "r".into(),
            seq: 4,
            hash: anchor.hash.clone(),
            day: Day::from_days(20_000),
        };
        assert!(verify_against(&c, std::slice::from_ref(&exported)).is_ok());
        let e = verify_against(&forged, &[exported]).unwrap_err();
        assert!(e.contains("does not extend the anchor"), "{e}");

        // A truncated chain: the anchored entry is gone.
        assert!(extends(&anchor, &[]).is_err());
        // A gap after the anchor.
        let mut gap = c[4..].to_vec();
        gap.push(c[5].clone());
        assert!(extends(&anchor, &gap).is_err());
    }
}
