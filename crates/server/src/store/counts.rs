//! Queue counts kept as writes happen: the number of reports per (state,
//! urgency, assigned or not; a JSON number), in the `queue_counts` tree, changed in the
//! same transaction as the report it counts. `amanat queue` and `amanatd
//! status` read at most a few dozen entries instead of every report;
//! `fsck` compares them with a scan and `--repair` rewrites them.

use super::{ReportHead, Store, StoreError};
use amanat_core::model::{State, Urgency};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::BTreeMap;

/// How many reports share one state, urgency and assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct QueueCount {
    pub state: State,
    pub urgency: Urgency,
    pub assigned: bool,
    pub reports: u64,
}

/// The counter a report with these fields is counted under.
pub(super) fn key(state: State, urgency: Urgency, assigned: bool) -> Vec<u8> {
    let who = if assigned { "assigned" } else { "unassigned" };
    format!("{state}/{urgency}/{who}").into_bytes()
}

/// The counter of a report head.
pub(super) fn key_of(h: &ReportHead) -> Vec<u8> {
    key(h.state, h.urgency, h.assignee.is_some())
}

/// Adds `delta` to a counter inside a transaction (an entry that reaches
/// zero is removed).
pub(super) fn add(
    tree: &TransactionalTree,
    key: &[u8],
    delta: i64,
) -> Result<(), ConflictableTransactionError<StoreError>> {
    let now = tree.get(key)?.map(|v| decode(&v)).unwrap_or(0);
    let next = now.saturating_add_signed(delta);
    if next == 0 {
        tree.remove(key)?;
    } else {
        tree.insert(key, encode(next))?;
    }
    Ok(())
}

/// A count as stored: a JSON number (every plaintext value is JSON).
pub(super) fn encode(n: u64) -> Vec<u8> {
    n.to_string().into_bytes()
}

fn decode(v: &[u8]) -> u64 {
    serde_json::from_slice(v).unwrap_or(0)
}

fn parse(k: &[u8], v: &[u8]) -> Option<QueueCount> {
    let text = std::str::from_utf8(k).ok()?;
    let mut parts = text.split('/');
    let state = parts.next()?.parse().ok()?;
    let urgency = parts.next()?.parse().ok()?;
    let assigned = match parts.next()? {
        "assigned" => true,
        "unassigned" => false,
        _ => return None,
    };
    Some(QueueCount {
        state,
        urgency,
        assigned,
        reports: decode(v),
    })
}

impl Store {
    /// The stored queue counts (no report is read).
    pub fn queue_counts(&self) -> Result<Vec<QueueCount>, StoreError> {
        let mut v = Vec::new();
        for item in self.counts.iter() {
            let (k, n) = item?;
            v.push(parse(&k, &n).ok_or_else(|| StoreError::Corrupt {
                tree: "queue_counts",
                detail: format!("entry {:?} does not parse", String::from_utf8_lossy(&k)),
            })?);
        }
        Ok(v)
    }

    /// Report counts per triage state, for `amanatd status` (from the
    /// stored counts: no report is read).
    pub fn state_counts(&self) -> Result<Vec<(State, usize)>, StoreError> {
        let mut by_state: BTreeMap<State, usize> = BTreeMap::new();
        for c in self.queue_counts()? {
            *by_state.entry(c.state).or_default() += c.reports as usize;
        }
        Ok(by_state.into_iter().collect())
    }

    /// The counts a scan of every report gives (for `fsck`), as stored
    /// entries: (key, count).
    pub(super) fn scanned_counts(&self) -> Result<BTreeMap<Vec<u8>, u64>, StoreError> {
        let mut m: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for item in self.reports.iter() {
            let (_, v) = item?;
            let h: ReportHead = super::from_json("reports", &v)?;
            *m.entry(key_of(&h)).or_default() += 1;
        }
        Ok(m)
    }

    /// The stored counts as raw entries.
    pub(super) fn stored_counts(&self) -> Result<BTreeMap<Vec<u8>, u64>, StoreError> {
        let mut m = BTreeMap::new();
        for item in self.counts.iter() {
            let (k, v) = item?;
            m.insert(k.to_vec(), decode(&v));
        }
        Ok(m)
    }

    /// Replaces the stored counts with `counts` (for `fsck --repair`).
    pub(super) fn replace_counts(&self, counts: &BTreeMap<Vec<u8>, u64>) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for item in self.counts.iter() {
            let (k, _) = item?;
            if !counts.contains_key(k.as_ref()) {
                batch.remove(k);
            }
        }
        for (k, n) in counts {
            batch.insert(k.as_slice(), encode(*n));
        }
        self.counts.apply_batch(batch)?;
        Ok(())
    }
}
