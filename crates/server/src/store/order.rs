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
use amanat_core::model::Urgency;
use amanat_core::timeutil::Day;
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// The key of a place in the queue.
pub(super) fn key(k: &SortKey) -> Vec<u8> {
    let rank = Urgency::ALL
        .iter()
        .position(|u| *u == k.urgency)
        .unwrap_or(Urgency::ALL.len());
    let mut v = Vec::with_capacity(9 + k.id.len());
    v.push(u8::try_from(rank).unwrap_or(u8::MAX));
    v.extend_from_slice(&((k.received.days() as u64) ^ (1 << 63)).to_be_bytes());
    v.extend_from_slice(k.id.as_bytes());
    v
}

/// The first key of the urgency after `u` (`None` after the last): within
/// one urgency the queue runs from the oldest report to the newest, so a
/// scan for overdue reports skips to it at the first that is not.
pub(super) fn after_urgency(u: Urgency) -> Option<Vec<u8>> {
    let rank = Urgency::ALL.iter().position(|x| *x == u)? + 1;
    (rank < Urgency::ALL.len()).then(|| vec![u8::try_from(rank).unwrap_or(u8::MAX)])
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

/// One report as the queue lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    #[serde(flatten)]
    pub head: ReportHead,
    /// What its envelopes and files are sealed to (`None` only while a
    /// migration has not reached it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealing: Option<Sealing>,
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
        assert_eq!(parse_key(&[200, 0, 0, 0, 0, 0, 0, 0, 0]), None);
    }
}
