//! What each report's envelopes and attachment files are sealed to, kept
//! as writes happen so that re-keying status costs no scan.
//!
//! A report's queue entry (`order::Listed`) carries a [`Sealing`]: for each distinct recipient set
//! its envelopes or files are sealed to, that set's fingerprint and how
//! many envelopes and files use it (a report has few distinct sets: one
//! per change of the reviewers while it was written to). The sets
//! themselves are in `recipient_sets`, fingerprint -> recipients, written
//! once. The source's own key is written as [`SOURCE`] in a set, so a set
//! is shared by every report sealed to the same reviewers.
//!
//! `sealing_counts` counts the reports per *signature*: the sorted
//! fingerprints of a report's sets (and whether it has files whose keys
//! are not on record). "How many reports need re-keying" then reads a few
//! entries and asks of each signature whether it names a key that is no
//! longer enrolled. Everything here changes in the transaction of the
//! write it describes; `fsck` compares it with a scan of the references.

use super::{Store, StoreError, counts, from_json, to_json};
use amanat_core::api::RekeyStatus;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// How the report's source's own key is written in a recipient set.
pub const SOURCE: &str = "source";

/// The signature of a report sealed to nothing yet.
const EMPTY: &[u8] = b"none";

/// The marker of a signature whose report has files without keys on record.
const UNKNOWN: &str = "unknown";

/// What one report's envelopes and files are sealed to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealing {
    /// One entry per distinct recipient set, in the order first used.
    pub sets: Vec<SealedSet>,
    /// Attachment files whose keys are not on record (stored before
    /// they were recorded): counted as sealed to removed, classical keys.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown_files: u32,
}

/// Envelopes and files sealed to one recipient set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSet {
    /// The set's fingerprint (see [`fingerprint`]).
    pub set: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub envelopes: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub files: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A recipient set as stored: sorted, the source's key as [`SOURCE`].
pub fn canonical(recipients: &[String], source: Option<&str>) -> Vec<String> {
    let mut v: Vec<String> = recipients
        .iter()
        .map(|r| {
            if Some(r.as_str()) == source {
                SOURCE.to_owned()
            } else {
                r.clone()
            }
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The fingerprint of a canonical set: 128 bits of SHA-256, hex.
pub fn fingerprint(canonical: &[String]) -> String {
    let mut sha = Sha256::new();
    for r in canonical {
        sha.update(r.as_bytes());
        sha.update(b"\n");
    }
    data_encoding::HEXLOWER.encode(&sha.finalize()[..16])
}

impl Sealing {
    /// Adds (or with negative counts removes) envelopes and files sealed to
    /// set `fp`. A set no longer used by anything leaves the list.
    pub fn add(&mut self, fp: &str, envelopes: i64, files: i64) {
        let at = match self.sets.iter().position(|s| s.set == fp) {
            Some(i) => i,
            None => {
                self.sets.push(SealedSet {
                    set: fp.to_owned(),
                    envelopes: 0,
                    files: 0,
                });
                self.sets.len() - 1
            }
        };
        let s = &mut self.sets[at];
        s.envelopes = step(s.envelopes, envelopes);
        s.files = step(s.files, files);
        if s.envelopes == 0 && s.files == 0 {
            self.sets.remove(at);
        }
    }

    /// Adds (or removes) files whose keys are not on record.
    pub fn add_unknown(&mut self, files: i64) {
        self.unknown_files = step(self.unknown_files, files);
    }

    /// The key this report is counted under in `sealing_counts`.
    pub fn signature(&self) -> Vec<u8> {
        let mut fps: Vec<&str> = self.sets.iter().map(|s| s.set.as_str()).collect();
        fps.sort_unstable();
        if self.unknown_files > 0 {
            fps.push(UNKNOWN);
        }
        if fps.is_empty() {
            EMPTY.to_vec()
        } else {
            fps.join(",").into_bytes()
        }
    }
}

fn step(n: u32, delta: i64) -> u32 {
    u32::try_from((i64::from(n) + delta).max(0)).unwrap_or(u32::MAX)
}

/// The fingerprints (and the unknown-files marker) a signature names.
fn parse_signature(sig: &[u8]) -> (Vec<String>, bool) {
    if sig == EMPTY {
        return (Vec::new(), false);
    }
    let text = String::from_utf8_lossy(sig);
    let mut unknown = false;
    let mut fps = Vec::new();
    for part in text.split(',') {
        if part == UNKNOWN {
            unknown = true;
        } else {
            fps.push(part.to_owned());
        }
    }
    (fps, unknown)
}

/// Records set `canonical` under its fingerprint (once) inside a
/// transaction, and returns the fingerprint.
pub(super) fn note_set(sets: &TransactionalTree, canonical: &[String]) -> TxResult<String> {
    let fp = fingerprint(canonical);
    if sets.get(fp.as_bytes())?.is_none() {
        let json = to_json(&canonical).map_err(ConflictableTransactionError::Abort)?;
        sets.insert(fp.as_bytes(), json)?;
    }
    Ok(fp)
}

/// Moves a report from one signature's count to another's inside a
/// transaction (`None`: not counted on that side).
pub(super) fn recount(
    tree: &TransactionalTree,
    before: Option<&Sealing>,
    after: Option<&Sealing>,
) -> TxResult<()> {
    let (b, a) = (
        before.map(Sealing::signature),
        after.map(Sealing::signature),
    );
    if b == a {
        return Ok(());
    }
    if let Some(b) = b {
        counts::add(tree, &b, -1)?;
    }
    if let Some(a) = a {
        counts::add(tree, &a, 1)?;
    }
    Ok(())
}

/// One change to a report's sealing: envelopes and files (deltas) sealed
/// to a set of recipients, or files whose keys are not on record (`None`).
pub(super) type Change<'a> = (Option<&'a [String]>, i64, i64);

/// Applies `changes` to a listed report's sealing summary inside a
/// transaction (`source`: the report's source's key): sets new to the store
/// are recorded, and the report moves to its new signature's count. An
/// entry without a summary is left as it is.
pub(super) fn reseal(
    entry: &mut super::order::Listed,
    source: Option<&str>,
    sets: &TransactionalTree,
    seal_counts: &TransactionalTree,
    changes: &[Change<'_>],
) -> TxResult<()> {
    let Some(before) = entry.sealing.clone() else {
        return Ok(());
    };
    let mut after = before.clone();
    for &(recipients, envelopes, files) in changes {
        match recipients {
            Some(r) => {
                let set = canonical(r, source);
                let fp = if envelopes > 0 || files > 0 {
                    note_set(sets, &set)?
                } else {
                    fingerprint(&set)
                };
                after.add(&fp, envelopes, files);
            }
            None => after.add_unknown(files),
        }
    }
    recount(seal_counts, Some(&before), Some(&after))?;
    entry.sealing = Some(after);
    Ok(())
}

/// [`reseal`] of the queue entry of `record`'s report, read and written
/// back inside the transaction (`order` is the `queue_order` tree).
pub(super) fn reseal_listed(
    order: &TransactionalTree,
    record: &super::ReportRecord,
    sets: &TransactionalTree,
    seal_counts: &TransactionalTree,
    changes: &[Change<'_>],
) -> TxResult<()> {
    let head = record.head();
    let mut entry = super::order::entry_in(order, &head)?;
    reseal(
        &mut entry,
        record.source_recipient.as_deref(),
        sets,
        seal_counts,
        changes,
    )?;
    super::order::put(order, None, &entry)
}

/// Recipient sets read from `recipient_sets`, kept in memory once read (a
/// fingerprint always names the same set, so nothing here goes stale),
/// each classified once.
#[derive(Default)]
pub(super) struct SetCache(Mutex<HashMap<String, Arc<KnownSet>>>);

/// A recipient set and whether any of its keys is classical.
pub(super) struct KnownSet {
    pub recipients: Vec<String>,
    pub classical: bool,
}

impl Store {
    /// The recipients of set `fp` (the source's key as [`SOURCE`]).
    pub(super) fn recipient_set(&self, fp: &str) -> Result<Arc<KnownSet>, StoreError> {
        let mut cache = match self.set_cache.0.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some(s) = cache.get(fp) {
            return Ok(s.clone());
        }
        let raw = self
            .recipient_sets
            .get(fp.as_bytes())?
            .ok_or_else(|| StoreError::Corrupt {
                tree: "recipient_sets",
                detail: format!("set {fp} is named by a report but not stored"),
            })?;
        let recipients: Vec<String> = from_json("recipient_sets", &raw)?;
        let classical = recipients.iter().any(|r| super::is_classical(r));
        let set = Arc::new(KnownSet {
            recipients,
            classical,
        });
        cache.insert(fp.to_owned(), set.clone());
        Ok(set)
    }

    /// The re-keying status of a report sealed as `sealing` says, for
    /// reviewers whose keys are `current`.
    pub(super) fn sealing_status(
        &self,
        sealing: &Sealing,
        current: &super::CurrentKeys,
    ) -> Result<RekeyStatus, StoreError> {
        let mut s = RekeyStatus {
            removed: sealing.unknown_files,
            classical: sealing.unknown_files,
        };
        for set in &sealing.sets {
            let known = self.recipient_set(&set.set)?;
            let n = set.envelopes + set.files;
            if current.removes_any(&known.recipients) {
                s.removed += n;
            }
            if known.classical {
                s.classical += n;
            }
        }
        Ok(s)
    }

    /// How many reports need re-keying, from the counts kept per signature:
    /// a few entries read, whatever the number of reports.
    pub fn count_needs_rekey(&self, current: &super::CurrentKeys) -> Result<u64, StoreError> {
        let mut n = 0;
        for item in self.sealing_counts.iter() {
            let (sig, count) = item?;
            let (fps, unknown) = parse_signature(&sig);
            let mut removed = unknown;
            for fp in &fps {
                removed = removed || current.removes_any(&self.recipient_set(fp)?.recipients);
            }
            if removed {
                n += serde_json::from_slice::<u64>(&count).unwrap_or(0);
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_canonical_and_counts_leave_with_their_last_use() {
        let a = vec!["age1b".to_owned(), "age1a".to_owned(), "age1src".to_owned()];
        let c = canonical(&a, Some("age1src"));
        assert_eq!(c, ["age1a", "age1b", SOURCE]);
        let other_source = vec!["age1a".into(), "age1b".into(), "age1other".into()];
        assert_eq!(
            fingerprint(&c),
            fingerprint(&canonical(&other_source, Some("age1other"))),
            "two sources' reports share a set"
        );
        assert_ne!(fingerprint(&c), fingerprint(&canonical(&a, None)));

        let mut s = Sealing::default();
        assert_eq!(s.signature(), EMPTY);
        s.add("bb", 2, 0);
        s.add("aa", 0, 1);
        assert_eq!(s.signature(), b"aa,bb");
        s.add_unknown(1);
        assert_eq!(
            parse_signature(&s.signature()),
            (vec!["aa".into(), "bb".into()], true)
        );
        s.add("aa", 0, -1);
        s.add_unknown(-1);
        assert_eq!(s.signature(), b"bb");
        assert_eq!(s.sets.len(), 1);
        s.add("bb", -5, 0);
        assert_eq!(s, Sealing::default(), "never below zero, and gone");
    }
}
