//! The queue in order, on disk: `queue_order` maps each report's place
//! ([`SortKey`]: urgency, received day, id) to a [`Listed`] entry (JSON):
//! its [`ReportHead`] and what its envelopes and files are sealed to (see
//! `sealing`), changed in the transaction of every write that changes
//! either. A page of the queue, re-keying status included, is a range read
//! of this tree from the cursor on: nothing is sorted per request, no other
//! tree is read, and nothing about every report is held in memory.
//!
//! Key layout: urgency's rank (one byte, most urgent first), the received
//! day as a big-endian `i64` with its sign bit flipped (so that byte order
//! is numeric order), then the report id. Byte order is queue order.

use super::sealing::Sealing;
use super::{ReportHead, SortKey, StoreError, from_json, to_json};
use amanat_core::model::{Anonymity, CloseReason, State, Urgency};
use amanat_core::timeutil::Day;
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// An urgency's first key byte: its place in `Urgency::ALL`, most urgent
/// first.
fn rank(u: Urgency) -> u8 {
    let at = Urgency::ALL.iter().position(|x| *x == u);
    at.and_then(|r| u8::try_from(r).ok()).unwrap_or(u8::MAX)
}

/// The key of a place in the queue.
pub(super) fn key(k: &SortKey) -> Vec<u8> {
    let mut v = Vec::with_capacity(9 + k.id.len());
    v.push(rank(k.urgency));
    v.extend_from_slice(&((k.received.days() as u64) ^ (1 << 63)).to_be_bytes());
    v.extend_from_slice(k.id.as_bytes());
    v
}

/// The first key of the urgency after `u` (`None` after the last): within
/// one urgency the queue runs from the oldest report to the newest, so a
/// scan for overdue reports skips to it at the first that is not.
pub(super) fn after_urgency(u: Urgency) -> Option<Vec<u8>> {
    let next = rank(u).checked_add(1)?;
    (usize::from(next) < Urgency::ALL.len()).then(|| vec![next])
}

/// The place a key names, if it is well formed.
pub(super) fn parse_key(raw: &[u8]) -> Option<SortKey> {
    let (&rank, rest) = raw.split_first()?;
    let (day, id) = rest.split_at_checked(8)?;
    let day = u64::from_be_bytes(day.try_into().ok()?) ^ (1 << 63);
    Some(SortKey {
        urgency: *Urgency::ALL.get(usize::from(rank))?,
        received: Day::from_days(day as i64),
        id: std::str::from_utf8(id).ok()?.to_owned(),
    })
}

/// The key of a head's place.
pub(super) fn key_of(h: &ReportHead) -> Vec<u8> {
    key(&SortKey::of(h))
}

/// One report as the queue lists it. Stored as one flat JSON object: the
/// head's fields and `sealing`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Stored", into = "Stored")]
pub struct Listed {
    pub head: ReportHead,
    /// What its envelopes and files are sealed to (`None` only while a
    /// migration has not reached it).
    pub sealing: Option<Sealing>,
}

/// [`Listed`] as stored, spelled out field by field (serde's `flatten`
/// buffers every field before it parses any: a page of the queue spent
/// much of its time there).
#[derive(Clone, Serialize, Deserialize)]
struct Stored {
    id: String,
    received: Day,
    state: State,
    urgency: Urgency,
    urgency_confirmed: bool,
    anonymity: Anonymity,
    assignee: Option<String>,
    #[serde(default)]
    closed_reason: Option<CloseReason>,
    #[serde(default)]
    state_changed: Option<Day>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealing: Option<Sealing>,
}

impl From<Stored> for Listed {
    fn from(s: Stored) -> Listed {
        Listed {
            head: ReportHead {
                id: s.id,
                received: s.received,
                state: s.state,
                urgency: s.urgency,
                urgency_confirmed: s.urgency_confirmed,
                anonymity: s.anonymity,
                assignee: s.assignee,
                closed_reason: s.closed_reason,
                state_changed: s.state_changed,
            },
            sealing: s.sealing,
        }
    }
}

impl From<Listed> for Stored {
    fn from(l: Listed) -> Stored {
        let h = l.head;
        Stored {
            id: h.id,
            received: h.received,
            state: h.state,
            urgency: h.urgency,
            urgency_confirmed: h.urgency_confirmed,
            anonymity: h.anonymity,
            assignee: h.assignee,
            closed_reason: h.closed_reason,
            state_changed: h.state_changed,
            sealing: l.sealing,
        }
    }
}

/// A stored entry.
pub(super) fn entry(value: &[u8]) -> Result<Listed, StoreError> {
    from_json("queue_order", value)
}

/// The entry of the report whose head is `head`, inside a transaction;
/// `Corrupt` if the queue order lacks it (`fsck --repair` rebuilds it).
pub(super) fn entry_in(tree: &TransactionalTree, head: &ReportHead) -> TxResult<Listed> {
    let abort = ConflictableTransactionError::Abort;
    match tree.get(key_of(head))? {
        Some(v) => entry(&v).map_err(abort),
        None => Err(abort(StoreError::Corrupt {
            tree: "queue_order",
            detail: format!("report {} has no place in the queue order", head.id),
        })),
    }
}

/// Writes a report's entry inside a transaction, removing its old place
/// (`before`) if the entry moved.
pub(super) fn put(
    tree: &TransactionalTree,
    before: Option<&ReportHead>,
    entry: &Listed,
) -> TxResult<()> {
    let abort = ConflictableTransactionError::Abort;
    let new = key_of(&entry.head);
    if let Some(b) = before {
        let old = key_of(b);
        if old != new {
            tree.remove(old)?;
        }
    }
    tree.insert(new, to_json(entry).map_err(abort)?)?;
    Ok(())
}

/// Removes a report's place inside a transaction.
pub(super) fn remove(tree: &TransactionalTree, head: &ReportHead) -> TxResult<()> {
    tree.remove(key_of(head))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_is_queue_order_and_keys_round_trip() {
        let mut keys = Vec::new();
        for &urgency in Urgency::ALL {
            for days in [-400, -1, 0, 1, 20_000, 20_001] {
                for id in ["aaaa", "aaab", "b"] {
                    keys.push(SortKey {
                        urgency,
                        received: Day::from_days(days),
                        id: id.to_owned(),
                    });
                }
            }
        }
        let mut by_bytes = keys.clone();
        by_bytes.sort_by_key(key);
        let mut by_order = keys.clone();
        by_order.sort();
        assert_eq!(by_bytes, by_order);
        for k in &keys {
            assert_eq!(parse_key(&key(k)).as_ref(), Some(k));
        }
        assert_eq!(parse_key(&[9, 0, 0]), None);
        // An entry is one flat object, and reads back as written.
        let mut sealing = Sealing::default();
        sealing.add("ab", 2, 1);
        let listed = Listed {
            head: ReportHead {
                id: "aaaa".into(),
                received: Day::from_days(20_000),
                state: State::New,
                urgency: Urgency::High,
                urgency_confirmed: false,
                anonymity: Anonymity::Anonymous,
                assignee: None,
                closed_reason: None,
                state_changed: None,
            },
            sealing: Some(sealing),
        };
        let json: serde_json::Value = serde_json::to_value(&listed).unwrap();
        assert_eq!(json["id"], "aaaa");
        assert_eq!(json["sealing"]["sets"][0]["envelopes"], 2);
        assert_eq!(entry(&to_json(&listed).unwrap()).unwrap(), listed);
        assert_eq!(parse_key(&[200, 0, 0, 0, 0, 0, 0, 0, 0]), None);
    }
}
